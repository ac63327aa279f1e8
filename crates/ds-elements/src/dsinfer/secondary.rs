//! `dsinfer` in secondary mode (`process-mode=2`): inference on the objects of upstream GIEs.
//!
//! The decisions (which objects, when to infer again, the per-tracking-id cache) are
//! `ds_infer::secondary`'s; this module crops, runs the model and writes the metadata:
//! - classifiers (`network-type=1`): an `NvDsClassifierMeta` per object with a labelled
//!   result (`unique_component_id` = `gie-unique-id`, one `NvDsLabelInfo` per attribute
//!   above `classifier-threshold`), the labels appended to the object's display text;
//!   tracked objects between inferences get their cached result;
//! - detectors (`network-type=0`): objects found in the crop, in frame pixels, with the
//!   cropped object as their `parent`;
//! - `output-tensor-meta=1` (synchronous mode): the raw output layers as
//!   `NvDsInferTensorMeta` in the object's `obj_user_meta_list`.
//!
//! Asynchronous mode (`classifier-async-mode=1`, classifiers only), as nvinfer: untracked
//! objects are skipped (a warning in the debug log, at most every 5 minutes of stream time);
//! the crops of tracked objects to classify are copied and queued to an inference thread
//! (`worker.rs`) and the buffer is pushed on without waiting; finished results go into the
//! per-tracking-id cache when the next buffer comes, and the cached result is attached on
//! every frame where the object appears after that (so not on the frame it was queued on).
//! No tensor meta in this mode (as nvinfer).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst::subclass::prelude::*;

use super::imp::{CAT, DsInfer, State, new_objects, tensor_output};
use super::worker::{Job, Worker};
use crate::meta;
use crate::util::lock;
use ds_infer::secondary::{Decision, SecondaryState};
use ds_infer::{ImageRoi, InferConfig, Inference, NetworkType, Rect};

/// nvinfer's `UNTRACKED_OBJECT_WARN_INTERVAL`.
const UNTRACKED_WARN_INTERVAL: gst::ClockTime = gst::ClockTime::from_seconds(300);

/// The secondary-mode state of a started element.
pub(super) struct Secondary {
    state: SecondaryState,
    /// Whether the upstream GIEs were looked at (first buffer).
    gie_checked: bool,
    last_untracked_warning: Option<gst::ClockTime>,
    /// The inference thread, in asynchronous mode.
    worker: Option<Worker>,
}

impl Secondary {
    pub(super) fn new(
        config: &InferConfig,
        inference: Arc<Mutex<Inference>>,
        counter: Arc<AtomicU64>,
    ) -> std::io::Result<Secondary> {
        let state = SecondaryState::new(config);
        let worker = if state.async_mode() {
            Some(Worker::spawn(inference, counter)?)
        } else {
            None
        };
        Ok(Secondary {
            state,
            gie_checked: false,
            last_untracked_warning: None,
            worker,
        })
    }
}

impl Secondary {
    /// Forgets the object histories of `source` (its stream ended or its pad was released).
    pub(super) fn reset_source(&mut self, source: u32) {
        self.state.reset_source(source);
    }
}

/// The `unique-id` of every GIE (an element with `unique-id` and `process-mode`
/// properties: dsinfer, nvinfer, nvinferserver) upstream of `element`, through bins' ghost
/// pads, tees and queues.
fn upstream_gie_ids(element: &gst::Element) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut seen: HashSet<gst::Element> = HashSet::new();
    let mut todo = vec![element.clone()];
    while let Some(e) = todo.pop() {
        for pad in e.sink_pads() {
            let Some(mut peer) = pad.peer() else {
                continue;
            };
            // into a bin through its ghost source pad
            while let Some(target) = peer
                .downcast_ref::<gst::GhostPad>()
                .and_then(|g| g.target())
            {
                peer = target;
            }
            // out of a bin through the inside of its ghost sink pad
            if let Some(p) = peer
                .parent()
                .and_then(|p| p.downcast::<gst::GhostPad>().ok())
                .and_then(|ghost| ghost.peer())
            {
                peer = p;
            }
            let Some(owner) = peer.parent_element() else {
                continue;
            };
            if !seen.insert(owner.clone()) {
                continue;
            }
            if owner.find_property("unique-id").is_some()
                && owner.find_property("process-mode").is_some()
            {
                ids.push(owner.property::<u32>("unique-id"));
            }
            todo.push(owner);
        }
    }
    ids
}

fn check_upstream_gie(imp: &DsInfer, config: &InferConfig) {
    let want = config.operate_on_gie_id;
    if want < 0 {
        return;
    }
    let ids = upstream_gie_ids(imp.obj().upcast_ref());
    if ids.iter().any(|&id| id as i64 == want as i64) {
        return;
    }
    let name = imp.obj().name();
    let found = if ids.is_empty() {
        "none".to_string()
    } else {
        ids.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    gst::element_imp_warning!(
        imp,
        gst::LibraryError::Settings,
        ("dsinfer {name}: operate-on-gie-id (infer-on-gie-id) is {want} but no GIE upstream has that gie-unique-id (upstream GIEs: {found}); this secondary GIE will infer on nothing")
    );
}

fn fail(imp: &DsInfer, what: &str, e: impl std::fmt::Display) -> gst::FlowError {
    gst::element_imp_error!(imp, gst::LibraryError::Failed, ("dsinfer: {what}: {e}"));
    gst::FlowError::Error
}

/// One buffer in secondary mode.
pub(super) fn process(
    imp: &DsInfer,
    st: &mut State,
    buf: &mut gst::BufferRef,
    info: &gst_video::VideoInfo,
) -> Result<gst::FlowSuccess, gst::FlowError> {
    let Some(mut sec) = st.secondary.take() else {
        return Ok(gst::FlowSuccess::Ok);
    };
    let res = process_objects(imp, st, &mut sec, buf, info);
    st.secondary = Some(sec);
    res
}

fn process_objects(
    imp: &DsInfer,
    st: &mut State,
    sec: &mut Secondary,
    buf: &mut gst::BufferRef,
    info: &gst_video::VideoInfo,
) -> Result<gst::FlowSuccess, gst::FlowError> {
    if !sec.gie_checked {
        sec.gie_checked = true;
        check_upstream_gie(imp, &st.config);
    }
    if meta::read_frames(buf).is_empty() {
        gst::element_imp_error!(
            imp,
            gst::StreamError::Format,
            ("dsinfer: the buffer has no NvDsBatchMeta: dsinfer works on batches from dsstreammux")
        );
        return Err(gst::FlowError::Error);
    }
    if let Some(w) = &sec.worker {
        let done = w.take_done().map_err(|e| {
            gst::element_imp_error!(
                imp,
                gst::StreamError::Failed,
                ("dsinfer: inference on objects failed: {e}")
            );
            gst::FlowError::Error
        })?;
        for d in done {
            sec.state.store(d.source, d.object_id, &d.attributes);
        }
    }
    let objects = meta::read_objects(buf);
    let mut to_infer = Vec::new();
    let mut cached = Vec::new();
    let mut untracked = false;
    for (k, o) in objects.iter().enumerate() {
        match sec.state.decide(&st.config, &o.info) {
            Decision::Skip => {}
            Decision::SkipUntracked => untracked = true,
            Decision::Infer { cached: c } => {
                // asynchronous mode: the previous result until the new one is ready; in
                // synchronous mode the new one is computed below, before the buffer goes on
                if let Some(c) = c {
                    cached.push((k, c));
                }
                to_infer.push(k);
            }
            Decision::Cached(c) => cached.push((k, c)),
        }
    }
    sec.state.cleanup();
    if untracked {
        let pts = buf.pts();
        let due = match (sec.last_untracked_warning, pts) {
            (None, _) => true,
            (Some(last), Some(now)) => now.saturating_sub(last) > UNTRACKED_WARN_INTERVAL,
            (Some(_), None) => false,
        };
        if due {
            sec.last_untracked_warning = Some(pts.unwrap_or(gst::ClockTime::ZERO));
            gst::warning!(
                CAT,
                imp = imp,
                "Untracked objects in metadata. Cannot infer on untracked objects in asynchronous mode."
            );
        }
    }

    for (k, c) in &cached {
        let o = &objects[*k];
        meta::attach_classifier(buf, o.batch_id, o.index, st.unique_id, &c.attributes)
            .map_err(|e| fail(imp, "cannot add classifier meta", e))?;
    }
    if to_infer.is_empty() {
        return Ok(gst::FlowSuccess::Ok);
    }

    let (w, h) = (info.width(), info.height());
    let stride = info.stride()[0] as usize;
    let n_mem = buf.n_memory();
    if let Some(worker) = &sec.worker {
        let mut jobs = Vec::with_capacity(to_infer.len());
        for &k in &to_infer {
            let o = &objects[k];
            let b = o.batch_id as usize;
            if b >= n_mem {
                return Err(fail(
                    imp,
                    "bad batch",
                    format!("frame {b} has no memory in the buffer ({n_mem})"),
                ));
            }
            let m = buf
                .peek_memory(b)
                .map_readable()
                .map_err(|_| fail(imp, "cannot map a frame of the batch", "read"))?;
            let rect = crop_rect(o.info.rect, w, h);
            if let Some(j) = Job::crop(
                o.info.source,
                o.info.object_id,
                m.as_slice(),
                w,
                h,
                stride,
                rect,
            ) {
                jobs.push(j);
            }
        }
        worker
            .submit(jobs)
            .map_err(|e| fail(imp, "asynchronous mode", e))?;
        return Ok(gst::FlowSuccess::Ok);
    }
    let outputs = {
        let mut batch_ids: Vec<u32> = to_infer.iter().map(|&k| objects[k].batch_id).collect();
        batch_ids.sort_unstable();
        batch_ids.dedup();
        if let Some(b) = batch_ids.iter().find(|&&b| b as usize >= n_mem) {
            return Err(fail(
                imp,
                "bad batch",
                format!("frame {b} of the batch meta has no memory in the buffer ({n_mem})"),
            ));
        }
        let maps = batch_ids
            .iter()
            .map(|&b| buf.peek_memory(b as usize).map_readable())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| fail(imp, "cannot map a frame of the batch", "read"))?;
        let rois: Vec<ImageRoi> = to_infer
            .iter()
            .map(|&k| {
                let o = &objects[k];
                let m = batch_ids
                    .iter()
                    .position(|&b| b == o.batch_id)
                    .map_or(&maps[0], |i| &maps[i]);
                ImageRoi::region(m.as_slice(), w, h, stride, crop_rect(o.info.rect, w, h))
            })
            .collect();
        lock(&st.inference).infer(&rois).map_err(|e| {
            gst::element_imp_error!(
                imp,
                gst::StreamError::Failed,
                ("dsinfer: inference on objects failed: {e}")
            );
            gst::FlowError::Error
        })?
    };
    imp.inferred
        .fetch_add(outputs.len() as u64, Ordering::Relaxed);

    let async_mode = sec.state.async_mode();
    for (&k, out) in to_infer.iter().zip(&outputs) {
        let o = &objects[k];
        meta::set_infer_done(buf, o.batch_id).map_err(|e| fail(imp, "bad batch meta", e))?;
        match st.config.network_type {
            NetworkType::Classifier => {
                sec.state
                    .store(o.info.source, o.info.object_id, &out.attributes);
                meta::attach_classifier(buf, o.batch_id, o.index, st.unique_id, &out.attributes)
                    .map_err(|e| fail(imp, "cannot add classifier meta", e))?;
            }
            NetworkType::Detector => {
                let children = new_objects(&st.config, &out.detections);
                meta::add_objects(buf, o.batch_id, st.unique_id, Some(o.index), &children)
                    .map_err(|e| fail(imp, "cannot add object meta", e))?;
            }
            // segmentation and other networks on objects: only tensor output (below)
            _ => {}
        }
        if st.config.output_tensor_meta && !async_mode && !out.tensors.is_empty() {
            let t = tensor_output(st, &out.tensors);
            meta::add_object_tensor_meta(buf, o.batch_id, o.index, t)
                .map_err(|e| fail(imp, "cannot add tensor meta", e))?;
        }
    }
    Ok(gst::FlowSuccess::Ok)
}

/// The object's rectangle clipped to the frame (an object partly outside the frame is
/// cropped to its visible part, as nvinfer's converter does).
fn crop_rect(r: Rect, w: u32, h: u32) -> Rect {
    let l = r.left.clamp(0.0, w as f32);
    let t = r.top.clamp(0.0, h as f32);
    let rr = (r.left + r.width).clamp(l, w as f32);
    let b = (r.top + r.height).clamp(t, h as f32);
    Rect::new(l, t, (rr - l).max(1.0), (b - t).max(1.0))
}

/// Whether the config asks for asynchronous mode on something that is not a classifier:
/// nvinfer warns and turns it off.
pub(super) fn warn_async_ignored(imp: &DsInfer, config: &InferConfig) {
    if SecondaryState::async_mode_ignored(config)
        || (config.classifier_async_mode && config.process_mode == ds_infer::ProcessMode::Primary)
    {
        gst::element_imp_warning!(
            imp,
            gst::LibraryError::Settings,
            ("dsinfer: classifier-async-mode applies to secondary classifiers only; turning asynchronous mode off")
        );
    }
}
