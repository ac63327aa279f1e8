//! Secondary GIEs (`process-mode=2`): which objects to infer on, and nvinfer's per-tracking-id
//! history of classifier results.
//!
//! Followed from DeepStream's `gstnvinfer.cpp` (`should_infer_object`,
//! `gst_nvinfer_process_objects`, `cleanup_history_map`):
//! - an object is a candidate when its `unique_component_id` is `operate-on-gie-id` (-1: any),
//!   its class is in `operate-on-class-ids` (empty: all) and its `rect_params` size (frame
//!   pixels of the muxer's output) is within `input-object-min/max-width/height`
//!   ([`InferConfig::accepts_object`]);
//! - objects without a tracking id ([`UNTRACKED_OBJECT_ID`]) have no history: in synchronous
//!   mode they are inferred on every frame; in asynchronous mode (`classifier-async-mode=1`)
//!   they are not inferred at all (nvinfer warns "Untracked objects in metadata", at most
//!   every 5 minutes);
//! - a tracked object (per source, by `object_id`) is inferred when first seen; a classifier
//!   infers it again when its area has grown by more than 20% since the last inference, or
//!   when more than `secondary-reinfer-interval` frames have passed (default: never); a
//!   secondary detector when more than `secondary-reinfer-interval` frames have passed, or on
//!   every frame when the interval is not set;
//! - between inferences a classifier attaches the object's cached result (the latest one);
//!   in asynchronous mode the cached result is attached also on frames where the object is
//!   inferred again;
//! - entries not seen for 150 frames are dropped, looked at every 1800 frames.

use std::collections::HashMap;

use crate::config::{InferConfig, NetworkType};
use crate::output::Attribute;
use crate::preprocess::Rect;

/// DeepStream's `UNTRACKED_OBJECT_ID`: the `object_id` of an object no tracker has named.
pub const UNTRACKED_OBJECT_ID: u64 = u64::MAX;

/// nvinfer's `REINFER_AREA_THRESHOLD`: a tracked object is classified again once its area
/// has grown by more than this fraction.
pub const REINFER_AREA_THRESHOLD: f32 = 0.2;
/// nvinfer's `CLEANUP_ACCESS_CRITERIA` (frames).
pub const CLEANUP_ACCESS_CRITERIA: u64 = 150;
/// nvinfer's `MAP_CLEANUP_INTERVAL` (frames).
pub const MAP_CLEANUP_INTERVAL: u64 = 1800;

/// An object of a frame, as a secondary GIE sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectInfo {
    /// The frame's source (`pad_index` of the frame meta): histories are per source.
    pub source: u32,
    /// The frame's `frame_num`.
    pub frame_num: u64,
    /// `object_id` (tracking id), [`UNTRACKED_OBJECT_ID`] when untracked.
    pub object_id: u64,
    /// `unique_component_id`: the GIE that made the object.
    pub unique_component_id: i32,
    /// `class_id`.
    pub class_id: i32,
    /// `rect_params`, frame pixels.
    pub rect: Rect,
}

/// A cached classifier result of one tracked object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CachedResult {
    /// The attributes of the latest inference on the object.
    pub attributes: Vec<Attribute>,
}

/// What to do with one object ([`SecondaryState::decide`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Not for this GIE (GIE id, class or size), or nothing to do.
    Skip,
    /// Asynchronous mode and the object has no tracking id: nvinfer skips it (and warns).
    SkipUntracked,
    /// Infer on the object. `cached`: in asynchronous mode, the previous result to attach
    /// now (the new one is attached when it is ready).
    Infer {
        /// The previous result to attach first (asynchronous mode), if any.
        cached: Option<CachedResult>,
    },
    /// Do not infer; attach this cached result (classifiers only).
    Cached(CachedResult),
}

#[derive(Debug, Clone)]
struct History {
    last_inferred_frame: u64,
    last_accessed_frame: u64,
    last_inferred_rect: Rect,
    result: Option<CachedResult>,
    under_inference: bool,
}

#[derive(Debug, Default)]
struct SourceHistory {
    objects: HashMap<u64, History>,
    last_seen_frame: u64,
    last_cleanup_frame: u64,
}

/// The state a secondary GIE keeps between frames: object histories per source.
#[derive(Debug)]
pub struct SecondaryState {
    classifier: bool,
    async_mode: bool,
    /// `None`: `secondary-reinfer-interval` not set (nvinfer's `G_MAXINT`).
    reinfer_interval: Option<u64>,
    sources: HashMap<u32, SourceHistory>,
}

impl SecondaryState {
    /// The state for `config`. Asynchronous mode is only honoured for classifiers, as in
    /// nvinfer (which turns it off for other network types with a warning: see
    /// [`SecondaryState::async_mode_ignored`]).
    pub fn new(config: &InferConfig) -> SecondaryState {
        let classifier = config.network_type == NetworkType::Classifier;
        SecondaryState {
            classifier,
            async_mode: config.classifier_async_mode && classifier,
            reinfer_interval: config.secondary_reinfer_interval.map(u64::from),
            sources: HashMap::new(),
        }
    }

    /// True when the config asks for `classifier-async-mode=1` on a network that is not a
    /// classifier (nvinfer warns and turns it off).
    pub fn async_mode_ignored(config: &InferConfig) -> bool {
        config.classifier_async_mode && config.network_type != NetworkType::Classifier
    }

    /// Whether asynchronous mode is on.
    pub fn async_mode(&self) -> bool {
        self.async_mode
    }

    /// Decides what to do with `obj` on this frame, and records it in the history (an
    /// object to infer is marked as inferred on this frame, with this rectangle).
    pub fn decide(&mut self, config: &InferConfig, obj: &ObjectInfo) -> Decision {
        let src = self.sources.entry(obj.source).or_default();
        src.last_seen_frame = obj.frame_num;
        let tracked = obj.object_id != UNTRACKED_OBJECT_ID;
        if self.async_mode && !tracked {
            return Decision::SkipUntracked;
        }
        if !config.accepts_object(
            obj.unique_component_id,
            obj.class_id,
            obj.rect.width,
            obj.rect.height,
        ) {
            return Decision::Skip;
        }
        if !tracked {
            return Decision::Infer { cached: None };
        }
        let f = obj.frame_num;
        let Some(h) = src.objects.get_mut(&obj.object_id) else {
            src.objects.insert(
                obj.object_id,
                History {
                    last_inferred_frame: f,
                    last_accessed_frame: f,
                    last_inferred_rect: obj.rect,
                    result: None,
                    under_inference: true,
                },
            );
            return Decision::Infer { cached: None };
        };
        let since = f.saturating_sub(h.last_inferred_frame);
        let reinfer = if self.classifier {
            let old_area = h.last_inferred_rect.width * h.last_inferred_rect.height;
            old_area * (1.0 + REINFER_AREA_THRESHOLD) < obj.rect.width * obj.rect.height
                || self.reinfer_interval.is_some_and(|n| since > n)
        } else {
            self.reinfer_interval.is_none_or(|n| since > n)
        };
        h.last_accessed_frame = f;
        if !reinfer {
            return match (&h.result, self.classifier) {
                (Some(r), true) => Decision::Cached(r.clone()),
                _ => Decision::Skip,
            };
        }
        let cached = if self.async_mode {
            h.result.clone()
        } else {
            None
        };
        h.under_inference = true;
        h.last_inferred_frame = f;
        h.last_inferred_rect = obj.rect;
        Decision::Infer { cached }
    }

    /// Stores the result of an inference on a tracked object (nothing for untracked ones).
    pub fn store(&mut self, source: u32, object_id: u64, attributes: &[Attribute]) {
        if object_id == UNTRACKED_OBJECT_ID {
            return;
        }
        if let Some(h) = self
            .sources
            .get_mut(&source)
            .and_then(|s| s.objects.get_mut(&object_id))
        {
            h.under_inference = false;
            h.result = Some(CachedResult {
                attributes: attributes.to_vec(),
            });
        }
    }

    /// Drops the histories of objects not seen for [`CLEANUP_ACCESS_CRITERIA`] frames, at
    /// most every [`MAP_CLEANUP_INTERVAL`] frames per source (call once per batch).
    pub fn cleanup(&mut self) {
        for src in self.sources.values_mut() {
            if src.last_seen_frame.saturating_sub(src.last_cleanup_frame) < MAP_CLEANUP_INTERVAL {
                continue;
            }
            src.last_cleanup_frame = src.last_seen_frame;
            let now = src.last_seen_frame;
            src.objects.retain(|_, h| {
                h.under_inference
                    || now.saturating_sub(h.last_accessed_frame) <= CLEANUP_ACCESS_CRITERIA
            });
        }
    }

    /// Number of tracked objects with a history (all sources).
    pub fn tracked_objects(&self) -> usize {
        self.sources.values().map(|s| s.objects.len()).sum()
    }

    /// Forgets the histories of `source` (its stream ended or was removed).
    pub fn reset_source(&mut self, source: u32) {
        self.sources.remove(&source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(extra: &str) -> InferConfig {
        let text = format!(
            "[property]\nnetwork-type=1\nprocess-mode=2\noperate-on-gie-id=1\noperate-on-class-ids=0\n\
             input-object-min-width=64\ninput-object-min-height=64\n{extra}"
        );
        InferConfig::parse_bytes(Path::new("/tmp/sgie.txt"), text.as_bytes()).expect("config")
    }

    fn obj(id: u64, frame: u64, w: f32, h: f32) -> ObjectInfo {
        ObjectInfo {
            source: 0,
            frame_num: frame,
            object_id: id,
            unique_component_id: 1,
            class_id: 0,
            rect: Rect::new(10.0, 10.0, w, h),
        }
    }

    fn attr(label: &str) -> Vec<Attribute> {
        vec![Attribute {
            attribute_index: 0,
            value: 3,
            probability: 0.6,
            label: Some(label.into()),
        }]
    }

    #[test]
    fn filters_by_gie_class_and_size() {
        let c = config("");
        let mut s = SecondaryState::new(&c);
        assert_eq!(
            s.decide(&c, &obj(UNTRACKED_OBJECT_ID, 0, 100.0, 80.0)),
            Decision::Infer { cached: None }
        );
        assert_eq!(
            s.decide(&c, &obj(UNTRACKED_OBJECT_ID, 0, 63.0, 80.0)),
            Decision::Skip
        );
        assert_eq!(
            s.decide(&c, &obj(UNTRACKED_OBJECT_ID, 0, 100.0, 63.9)),
            Decision::Skip
        );
        let mut other_gie = obj(UNTRACKED_OBJECT_ID, 0, 100.0, 80.0);
        other_gie.unique_component_id = 2;
        assert_eq!(s.decide(&c, &other_gie), Decision::Skip);
        let mut person = obj(UNTRACKED_OBJECT_ID, 0, 100.0, 80.0);
        person.class_id = 2;
        assert_eq!(s.decide(&c, &person), Decision::Skip);
    }

    #[test]
    fn sync_mode_infers_untracked_objects_every_frame_and_tracked_once() {
        let c = config("");
        let mut s = SecondaryState::new(&c);
        for f in 0..5 {
            assert!(matches!(
                s.decide(&c, &obj(UNTRACKED_OBJECT_ID, f, 100.0, 80.0)),
                Decision::Infer { .. }
            ));
        }
        assert!(matches!(
            s.decide(&c, &obj(7, 0, 100.0, 80.0)),
            Decision::Infer { .. }
        ));
        s.store(0, 7, &attr("van"));
        for f in 1..50 {
            assert_eq!(
                s.decide(&c, &obj(7, f, 100.0, 80.0)),
                Decision::Cached(CachedResult {
                    attributes: attr("van")
                }),
                "frame {f}"
            );
        }
        // the area grows by more than 20%: inferred again
        assert!(matches!(
            s.decide(&c, &obj(7, 50, 110.0, 90.0)),
            Decision::Infer { .. }
        ));
    }

    #[test]
    fn reinfer_interval_counts_frames_since_the_last_inference() {
        let c = config("secondary-reinfer-interval=10\n");
        let mut s = SecondaryState::new(&c);
        assert!(matches!(
            s.decide(&c, &obj(3, 100, 100.0, 80.0)),
            Decision::Infer { .. }
        ));
        s.store(0, 3, &attr("sedan"));
        for f in 101..=110 {
            assert!(
                matches!(s.decide(&c, &obj(3, f, 100.0, 80.0)), Decision::Cached(_)),
                "frame {f}"
            );
        }
        assert!(matches!(
            s.decide(&c, &obj(3, 111, 100.0, 80.0)),
            Decision::Infer { .. }
        ));
    }

    #[test]
    fn async_mode_skips_untracked_and_attaches_the_previous_result_while_reinferring() {
        let c = config("classifier-async-mode=1\nsecondary-reinfer-interval=2\n");
        let mut s = SecondaryState::new(&c);
        assert!(s.async_mode());
        assert_eq!(
            s.decide(&c, &obj(UNTRACKED_OBJECT_ID, 0, 100.0, 80.0)),
            Decision::SkipUntracked
        );
        assert_eq!(
            s.decide(&c, &obj(9, 0, 100.0, 80.0)),
            Decision::Infer { cached: None }
        );
        s.store(0, 9, &attr("suv"));
        assert!(matches!(
            s.decide(&c, &obj(9, 1, 100.0, 80.0)),
            Decision::Cached(_)
        ));
        assert_eq!(
            s.decide(&c, &obj(9, 3, 100.0, 80.0)),
            Decision::Infer {
                cached: Some(CachedResult {
                    attributes: attr("suv")
                })
            }
        );
    }

    #[test]
    fn async_mode_is_for_classifiers_only() {
        let text = "[property]\nnetwork-type=0\nnum-detected-classes=1\nprocess-mode=2\nclassifier-async-mode=1\n";
        let c =
            InferConfig::parse_bytes(Path::new("/tmp/sgie.txt"), text.as_bytes()).expect("config");
        assert!(SecondaryState::async_mode_ignored(&c));
        let mut s = SecondaryState::new(&c);
        assert!(!s.async_mode());
        // a secondary detector without an interval infers tracked objects on every frame
        let mut o = obj(4, 0, 100.0, 80.0);
        o.unique_component_id = 15;
        for f in 0..3 {
            o.frame_num = f;
            assert!(matches!(s.decide(&c, &o), Decision::Infer { .. }));
        }
    }

    #[test]
    fn a_reset_source_infers_its_objects_again() {
        let c = config("");
        let mut s = SecondaryState::new(&c);
        s.decide(&c, &obj(5, 0, 100.0, 80.0));
        s.store(0, 5, &attr("van"));
        assert!(matches!(s.decide(&c, &obj(5, 1, 100.0, 80.0)), Decision::Cached(_)));
        s.reset_source(0);
        assert_eq!(s.tracked_objects(), 0);
        assert_eq!(s.decide(&c, &obj(5, 2, 100.0, 80.0)), Decision::Infer { cached: None });
    }

    #[test]
    fn histories_of_objects_gone_for_150_frames_are_dropped() {
        let c = config("");
        let mut s = SecondaryState::new(&c);
        s.decide(&c, &obj(1, 0, 100.0, 80.0));
        s.store(0, 1, &attr("van"));
        s.decide(&c, &obj(2, 1700, 100.0, 80.0));
        s.store(0, 2, &attr("van"));
        s.decide(&c, &obj(2, 1800, 100.0, 80.0));
        s.cleanup();
        assert_eq!(s.tracked_objects(), 1);
    }
}
