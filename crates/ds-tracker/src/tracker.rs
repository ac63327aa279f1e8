//! The multi-object tracker: per-stream targets, their life cycle (probation, active,
//! shadow tracking, termination) and their output, as NvMultiObjectTracker's
//! `TargetManagement` describes it (DeepStream 7.1 Gst-nvtracker manual).
//!
//! Per frame of a stream:
//! 1. detections below `minDetectorConfidence` are not tracked;
//! 2. every target is predicted one frame ahead (state estimator);
//! 3. detections are associated with targets ([`crate::config::MatcherType`]);
//! 4. a matched target is corrected with its detection, its `shadowTrackingAge` reset; an
//!    unmatched one continues on its prediction and its `shadowTrackingAge` grows; a target
//!    unmatched for `earlyTerminationAge` frames during probation, or for more than
//!    `maxShadowTrackingAge` frames, or whose box left the frame, is terminated;
//! 5. an unmatched detection starts a new target (in probation) unless its IOU with an
//!    existing target exceeds `minIouDiff4NewTarget` or the stream has
//!    `maxTargetsPerStream` targets (with the cascaded matcher, tentative detections,
//!    below `tentativeDetectorConfidence`, start none);
//! 6. output: targets past probation (age ≥ `probationAge`) that are matched, or unmatched
//!    with a tracker confidence ≥ `minTrackerConfidence` (only NvDCF's visual tracker gives
//!    unmatched targets a confidence; here the colour-histogram approximation, with frames);
//!    frames a target spent in probation or unreported shadow tracking are returned as
//!    past-frame data the first time it is output again.
//!
//! The NvDCF approximation (configs with `VisualTracker.visualTrackerType` ≥ 1, when the
//! caller passes the RGBA frame): each target keeps a colour-histogram template of itself and
//! of the ring around it, learned at `filterLr` from detections that overlap no other one.
//! Association scores the template's similarity to a detection (thresholded by
//! `minMatchingScore4VisualSimilarity`) under a cosine window over the search region (the box
//! padded by `searchRegionPaddingScale` × √(w·h)), as a correlation response fades off-centre.
//! An unmatched target is looked for at 16 boxes around its prediction and where it was; the
//! best one (skipping boxes that a matched detection or a more recently matched target
//! already covers) is the visual tracker's measurement (`measurementNoiseVar4Tracker`) and its
//! discriminative similarity (target vs background) the tracker confidence.

use std::collections::BTreeMap;

use crate::appearance::{Appearance, RgbaImage};
use crate::assoc::{self, Candidate};
use crate::config::{MatcherType, TrackerConfig, TrackerKind};
use crate::geometry::BBox;
use crate::kalman::BoxFilter;

/// One detection given to the tracker (what an `NvDsObjectMeta` of the detector holds).
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Class id (`class_id`).
    pub class_id: i32,
    /// Detector confidence (`confidence`, 0 ..= 1).
    pub confidence: f32,
    /// Box in frame pixels (`rect_params` / `detector_bbox_info`).
    pub bbox: BBox,
    /// Class label (`obj_label`), carried into past-frame data.
    pub label: String,
}

/// One frame of one stream.
#[derive(Debug, Clone, Copy)]
pub struct FrameInput<'a> {
    /// Stream (`source_id` / `pad_index`).
    pub stream_id: u32,
    /// Frame number in the stream (`frame_num`).
    pub frame_num: u32,
    /// Frame width (pixels): boxes leaving it terminate their targets.
    pub width: u32,
    /// Frame height (pixels).
    pub height: u32,
    /// The detections of this frame.
    pub detections: &'a [Detection],
    /// The frame's pixels, for the appearance cue of NvDCF / NvDeepSORT configs (without
    /// it those trackers treat visual similarity as IOU and give unmatched targets no
    /// confidence).
    pub image: Option<RgbaImage<'a>>,
}

/// `TRACKER_STATE` of a target (as in `nvds_tracker_meta.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// In probation (`TENTATIVE`).
    Tentative,
    /// Validated and matched, or confidently tracked (`ACTIVE`).
    Active,
    /// Validated, in shadow tracking and not output (`INACTIVE`).
    Inactive,
}

/// A tracked object of the current frame.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedObject {
    /// Tracking id (`object_id`).
    pub object_id: u64,
    /// Class id.
    pub class_id: i32,
    /// Class label (of the last associated detection).
    pub label: String,
    /// The tracker's box (`tracker_bbox_info`; may extend past the frame).
    pub bbox: BBox,
    /// Tracker confidence (`tracker_confidence`, 0 ..= 1).
    pub tracker_confidence: f32,
    /// Index into [`FrameInput::detections`] of the associated detection; `None` for a
    /// target tracked without a detection in this frame.
    pub detection: Option<usize>,
    /// Frames since the target started (0 on its first frame).
    pub age: u32,
    /// Frames since it was last matched.
    pub shadow_tracking_age: u32,
}

/// One past frame of a target (`NvDsTargetMiscDataFrame`).
#[derive(Debug, Clone, PartialEq)]
pub struct PastFrame {
    /// `frameNum`.
    pub frame_num: u32,
    /// `tBbox` (pixels).
    pub bbox: BBox,
    /// `confidence` (tracker confidence).
    pub confidence: f32,
    /// `age`.
    pub age: u32,
    /// `trackerState`.
    pub state: TargetState,
}

/// The past frames of one target (`NvDsTargetMiscDataObject`).
#[derive(Debug, Clone, PartialEq)]
pub struct PastFrameObject {
    /// `uniqueId`.
    pub unique_id: u64,
    /// `classId`.
    pub class_id: i32,
    /// `objLabel`.
    pub label: String,
    /// The frames, oldest first.
    pub frames: Vec<PastFrame>,
}

/// What the tracker gives for one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameOutput {
    /// Objects to output (nvtracker's object meta), matched ones in detection order first.
    pub objects: Vec<TrackedObject>,
    /// Past-frame data released in this frame (`NVDS_TRACKER_PAST_FRAME_META`).
    pub past_frames: Vec<PastFrameObject>,
    /// Targets in shadow tracking and not output, one frame each, when
    /// `outputShadowTracks` is set (`NVDS_TRACKER_SHADOW_LIST_META`).
    pub shadow_tracks: Vec<PastFrameObject>,
}

#[derive(Debug, Clone)]
struct Target {
    id: u64,
    class_id: i32,
    label: String,
    bbox: BBox,
    /// Box used for association this frame.
    assoc_box: BBox,
    /// Box of the previous frame.
    last_box: BBox,
    filter: Option<BoxFilter>,
    template: Option<Appearance>,
    /// Colours around the target at its last match (NvDCF approximation).
    background: Option<Appearance>,
    age: u32,
    shadow_age: u32,
    validated: bool,
    confidence: f32,
    pending: Vec<PastFrame>,
}

#[derive(Debug, Default)]
struct Stream {
    targets: Vec<Target>,
    next_id: u64,
}

/// The tracker of every stream (one `NvMultiObjectTracker` context).
#[derive(Debug)]
pub struct Tracker {
    config: TrackerConfig,
    streams: BTreeMap<u32, Stream>,
}

impl Tracker {
    /// A tracker running `config`.
    pub fn new(config: TrackerConfig) -> Tracker {
        Tracker {
            config,
            streams: BTreeMap::new(),
        }
    }

    /// The config it runs.
    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    /// Forgets a stream's targets (stream removed or at EOS); with `reset_ids` its next id
    /// starts again from 0 (nvtracker's `tracking-id-reset-mode`).
    pub fn remove_stream(&mut self, stream_id: u32, reset_ids: bool) {
        if reset_ids {
            self.streams.remove(&stream_id);
        } else if let Some(s) = self.streams.get_mut(&stream_id) {
            s.targets.clear();
        }
    }

    /// Number of live targets (any state) of a stream.
    pub fn num_targets(&self, stream_id: u32) -> usize {
        self.streams.get(&stream_id).map_or(0, |s| s.targets.len())
    }

    /// Tracks one frame of one stream.
    pub fn track(&mut self, input: &FrameInput) -> FrameOutput {
        let cfg = &self.config;
        let stream = self.streams.entry(input.stream_id).or_default();
        let appearance = cfg.uses_appearance();
        let image = input.image.filter(|_| appearance);
        let (fw, fh) = (input.width as f32, input.height as f32);

        // 1. detections that are tracked
        let dets: Vec<usize> = (0..input.detections.len())
            .filter(|&i| {
                let d = &input.detections[i];
                d.confidence >= cfg.min_detector_confidence
                    && d.bbox.width > 0.0
                    && d.bbox.height > 0.0
            })
            .collect();
        // a detection overlapping another one mixes two objects: no template learning from it
        let overlapped: Vec<bool> = dets
            .iter()
            .map(|&i| {
                let b = &input.detections[i].bbox;
                dets.iter()
                    .any(|&j| j != i && input.detections[j].bbox.intersection(b) > 0.1 * b.area())
            })
            .collect();
        let det_app: Vec<Option<Appearance>> = dets
            .iter()
            .map(|&i| {
                image
                    .as_ref()
                    .and_then(|img| Appearance::of(img, &input.detections[i].bbox))
            })
            .collect();

        // 2. prediction
        let predict_for_assoc = cfg.association.use_prediction || cfg.kind == TrackerKind::NvDcf;
        for t in &mut stream.targets {
            let last = t.bbox;
            t.last_box = last;
            if let Some(f) = &mut t.filter {
                f.predict();
                t.bbox = f.bbox();
            }
            t.assoc_box = if predict_for_assoc { t.bbox } else { last };
        }

        // 3. association
        let nt = stream.targets.len();
        let mut t_used = vec![false; nt];
        let mut d_used = vec![false; dets.len()];
        let score = |t: &Target, k: usize, iou_only: bool| -> Option<f32> {
            let d = &input.detections[dets[k]];
            let a = &cfg.association;
            if a.check_class_match && d.class_id != t.class_id {
                return None;
            }
            let iou = t.assoc_box.iou(&d.bbox);
            if iou_only {
                return (iou > 0.0).then_some(iou);
            }
            let size = t.assoc_box.size_similarity(&d.bbox);
            if iou < a.min_iou || size < a.min_size_similarity {
                return None;
            }
            if a.threshold_mahalanobis > 0.0
                && let Some(f) = &t.filter
                && f.mahalanobis2(&d.bbox) > a.threshold_mahalanobis
            {
                return None;
            }
            let mut total = a.weight_iou * iou + a.weight_size_similarity * size;
            if appearance {
                // (similarity checked against the threshold, windowed similarity scored)
                let (vis, window) = match (&t.template, &det_app[k]) {
                    (Some(tm), Some(da)) => {
                        let b = &t.assoc_box;
                        let pad =
                            cfg.search_region_padding_scale * (b.width * b.height).max(0.0).sqrt();
                        // a correlation filter's response fades towards the edge of its
                        // search region (cosine window): so does the approximation's score
                        let window = if cfg.kind == TrackerKind::NvDcf {
                            search_window(b, &d.bbox, pad)
                        } else {
                            1.0
                        };
                        if b.padded(pad).intersection(&d.bbox) <= 0.0 || window <= 0.0 {
                            return None;
                        }
                        (tm.similarity(da), window)
                    }
                    _ => (iou, 1.0), // no frame: visual similarity treated as IOU
                };
                let (min, w) = if cfg.kind == TrackerKind::NvDcf {
                    (a.min_visual_similarity, a.weight_visual_similarity)
                } else {
                    (a.min_reid_similarity, a.weight_reid_similarity)
                };
                if vis < min {
                    return None;
                }
                total += w * vis * window;
            }
            (total >= a.min_overall && total > 0.0 && (iou > 0.0 || appearance)).then_some(total)
        };
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let candidates = |ts: &dyn Fn(usize, &Target) -> bool,
                          ds: &dyn Fn(usize) -> bool,
                          iou_only: bool,
                          min: f32| {
            let mut v = Vec::new();
            for (ti, t) in stream.targets.iter().enumerate() {
                if !ts(ti, t) {
                    continue;
                }
                for k in 0..dets.len() {
                    if !ds(k) {
                        continue;
                    }
                    if let Some(s) = score(t, k, iou_only)
                        && s >= min
                    {
                        v.push(Candidate {
                            target: ti,
                            detection: k,
                            score: s,
                        });
                    }
                }
            }
            v
        };
        match cfg.association.matcher {
            MatcherType::Greedy => {
                let c = candidates(&|_, _| true, &|_| true, false, f32::MIN);
                pairs.extend(assoc::greedy(c, &mut t_used, &mut d_used));
            }
            MatcherType::Cascaded => {
                let tent = cfg.association.tentative_detector_confidence;
                let confirmed = |k: usize| input.detections[dets[k]].confidence >= tent;
                let c = candidates(&|_, t| t.validated, &confirmed, false, f32::MIN);
                pairs.extend(assoc::greedy(c, &mut t_used, &mut d_used));
                let used_t = t_used.clone();
                let used_d = d_used.clone();
                let c = candidates(
                    &|ti, t| t.validated && !used_t[ti],
                    &|k| !confirmed(k) && !used_d[k],
                    true,
                    cfg.association.min_tentative_iou,
                );
                pairs.extend(assoc::greedy(c, &mut t_used, &mut d_used));
                let used_d = d_used.clone();
                let c = candidates(
                    &|_, t| !t.validated,
                    &|k| confirmed(k) && !used_d[k],
                    true,
                    cfg.association.min_iou,
                );
                pairs.extend(assoc::greedy(c, &mut t_used, &mut d_used));
            }
        }

        // 4. update targets
        let mut matched_det: Vec<Option<usize>> = vec![None; nt];
        for &(ti, k) in &pairs {
            matched_det[ti] = Some(k);
        }
        let mut out = FrameOutput::default();
        let mut keep = vec![true; nt];
        // what the matched detections (and older confident shadow targets) cover is not where
        // an unmatched target is
        let mut taken_boxes: Vec<BBox> = pairs
            .iter()
            .map(|&(_, k)| input.detections[dets[k]].bbox)
            .collect();
        // matched targets first, then the unmatched ones by how recently they were matched
        // (they claim image regions in that order)
        let mut order: Vec<usize> = (0..nt).collect();
        order.sort_by_key(|&i| {
            let t = &stream.targets[i];
            (
                matched_det[i].is_none(),
                t.shadow_age,
                std::cmp::Reverse(t.age),
                i,
            )
        });
        for ti in order {
            let t = &mut stream.targets[ti];
            t.age += 1;
            match matched_det[ti] {
                Some(k) => {
                    let d = &input.detections[dets[k]];
                    let measured = if cfg.enable_bbox_unclipping {
                        unclip(&d.bbox, &t.bbox, fw, fh)
                    } else {
                        d.bbox
                    };
                    match &mut t.filter {
                        Some(f) => {
                            f.update(&measured, false);
                            t.bbox = f.bbox();
                        }
                        None => t.bbox = measured,
                    }
                    t.shadow_age = 0;
                    t.label.clone_from(&d.label);
                    t.confidence = match (&t.template, &det_app[k]) {
                        (Some(tm), Some(da)) => tm.similarity(da),
                        _ => 1.0,
                    };
                    match (&mut t.template, &det_app[k]) {
                        (Some(tm), Some(da)) if !overlapped[k] => tm.learn(da, cfg.filter_lr),
                        (None, Some(da)) => t.template = Some(da.clone()),
                        _ => {}
                    }
                    if cfg.kind == TrackerKind::NvDcf
                        && !overlapped[k]
                        && let Some(img) = image.as_ref()
                        && let Some(bg) = Appearance::around(img, &t.bbox)
                    {
                        match &mut t.background {
                            Some(b) => b.learn(&bg, cfg.filter_lr),
                            None => t.background = Some(bg),
                        }
                    }
                }
                None => {
                    t.shadow_age += 1;
                    t.confidence = 0.0;
                    if let (Some(tm), Some(bg), Some(img)) =
                        (&t.template, &t.background, image.as_ref())
                        && cfg.kind == TrackerKind::NvDcf
                    {
                        // NvDCF's visual tracker, approximated: the best-looking box around
                        // the prediction (and where the target was) is its measurement
                        let taken = |b: &BBox| {
                            taken_boxes
                                .iter()
                                .any(|o| o.iou(b) > cfg.min_iou_diff_4_new_target)
                        };
                        if let Some((found, conf)) =
                            visual_search(img, tm, bg, &t.bbox, &t.last_box, &taken)
                        {
                            t.confidence = conf;
                            if conf >= cfg.min_tracker_confidence && conf > 0.0 {
                                // an older target claims it first (targets are in creation order)
                                taken_boxes.push(found);
                            }
                            match &mut t.filter {
                                Some(f) => {
                                    f.update(&found, true);
                                    t.bbox = f.bbox();
                                }
                                None => t.bbox = found,
                            }
                        }
                    }
                    let early = !t.validated
                        && cfg.early_termination_age > 0
                        && t.shadow_age >= cfg.early_termination_age;
                    let expired = t.shadow_age > cfg.max_shadow_tracking_age;
                    let gone = t.bbox.clipped(fw, fh).is_none();
                    if early || expired || gone {
                        keep[ti] = false;
                        continue;
                    }
                }
            }
            if !t.validated && t.age >= cfg.probation_age {
                t.validated = true;
            }
            let det = matched_det[ti].map(|k| dets[k]);
            emit(cfg, t, det, input.frame_num, &mut out);
        }
        let mut ti = 0;
        stream.targets.retain(|_| {
            ti += 1;
            keep[ti - 1]
        });

        // 5. new targets, most confident detections first
        // (with the cascaded matcher, tentative detections only continue targets, as in
        // NvSORT / ByteTrack: they start none)
        let cascaded = cfg.association.matcher == MatcherType::Cascaded;
        let tentative = cfg.association.tentative_detector_confidence;
        let mut fresh: Vec<usize> = (0..dets.len())
            .filter(|&k| !d_used[k])
            .filter(|&k| !cascaded || input.detections[dets[k]].confidence >= tentative)
            .collect();
        fresh.sort_by(|&a, &b| {
            input.detections[dets[b]]
                .confidence
                .total_cmp(&input.detections[dets[a]].confidence)
                .then(a.cmp(&b))
        });
        for k in fresh {
            if stream.targets.len() >= cfg.max_targets_per_stream as usize {
                break;
            }
            let d = &input.detections[dets[k]];
            if stream
                .targets
                .iter()
                .any(|t| t.bbox.iou(&d.bbox) > cfg.min_iou_diff_4_new_target)
            {
                continue;
            }
            let seq = stream.next_id;
            stream.next_id += 1;
            let id = if cfg.use_unique_id {
                ((input.stream_id as u64) << 32) | (seq & 0xffff_ffff)
            } else {
                seq
            };
            let mut t = Target {
                id,
                class_id: d.class_id,
                label: d.label.clone(),
                bbox: d.bbox,
                assoc_box: d.bbox,
                last_box: d.bbox,
                filter: BoxFilter::new(&cfg.state_estimator, &d.bbox),
                template: det_app[k].clone(),
                background: match (cfg.kind, image.as_ref()) {
                    (TrackerKind::NvDcf, Some(img)) => Appearance::around(img, &d.bbox),
                    _ => None,
                },
                age: 0,
                shadow_age: 0,
                validated: cfg.probation_age == 0,
                confidence: 1.0,
                pending: Vec::new(),
            };
            emit(cfg, &mut t, Some(dets[k]), input.frame_num, &mut out);
            stream.targets.push(t);
        }
        out.objects
            .sort_by_key(|o| (o.detection.is_none(), o.detection));
        out
    }
}

/// NvDCF's cosine (Hann) window over the search region (the box padded by `pad` on each
/// side): 1 when `cand` is centred on `b`, 0 when its centre is at the region's edge or out.
fn search_window(b: &BBox, cand: &BBox, pad: f32) -> f32 {
    let ((bx, by), (cx, cy)) = (b.center(), cand.center());
    let hann = |d: f32, half: f32| {
        let u = if half > 0.0 { (d / half).abs() } else { 1.0 };
        if u >= 1.0 {
            0.0
        } else {
            0.5 * (1.0 + (std::f32::consts::PI * u).cos())
        }
    };
    hann(cx - bx, b.width / 2.0 + pad) * hann(cy - by, b.height / 2.0 + pad)
}

/// The box near `predicted` (shifts of 0, ±20 % and ±40 % of its width, 0 and ±10 % of its
/// height) or at `last` that looks most like the target against its background, with that
/// discriminative similarity (the approximated correlation response). Boxes that `taken`
/// (another target's matched detection) are skipped: `None` when nothing is left.
fn visual_search(
    img: &RgbaImage,
    template: &Appearance,
    background: &Appearance,
    predicted: &BBox,
    last: &BBox,
    taken: &dyn Fn(&BBox) -> bool,
) -> Option<(BBox, f32)> {
    let mut best = (*predicted, -1.0f32);
    let mut consider = |b: BBox| {
        if taken(&b) {
            return;
        }
        if let Some(a) = Appearance::of(img, &b) {
            let s = template.discriminative_similarity(background, &a);
            if s > best.1 {
                best = (b, s);
            }
        }
    };
    for dy in [0.0f32, -0.1, 0.1] {
        for dx in [0.0f32, -0.2, 0.2, -0.4, 0.4] {
            consider(BBox {
                left: predicted.left + dx * predicted.width,
                top: predicted.top + dy * predicted.height,
                ..*predicted
            });
        }
    }
    consider(BBox {
        width: predicted.width,
        height: predicted.height,
        ..*last
    });
    (best.1 >= 0.0).then_some(best)
}

/// Reports a target for this frame: output object, or a pending past frame (and a shadow
/// track when configured).
fn emit(
    cfg: &TrackerConfig,
    t: &mut Target,
    det: Option<usize>,
    frame_num: u32,
    out: &mut FrameOutput,
) {
    let reported = t.validated
        && (det.is_some() || (t.confidence >= cfg.min_tracker_confidence && t.confidence > 0.0));
    let state = if !t.validated {
        TargetState::Tentative
    } else if reported {
        TargetState::Active
    } else {
        TargetState::Inactive
    };
    let frame = PastFrame {
        frame_num,
        bbox: t.bbox,
        confidence: t.confidence,
        age: t.age,
        state,
    };
    if reported {
        if !t.pending.is_empty() {
            out.past_frames.push(PastFrameObject {
                unique_id: t.id,
                class_id: t.class_id,
                label: t.label.clone(),
                frames: std::mem::take(&mut t.pending),
            });
        }
        out.objects.push(TrackedObject {
            object_id: t.id,
            class_id: t.class_id,
            label: t.label.clone(),
            bbox: t.bbox,
            tracker_confidence: t.confidence,
            detection: det,
            age: t.age,
            shadow_tracking_age: t.shadow_age,
        });
    } else {
        if state == TargetState::Inactive && cfg.output_shadow_tracks {
            out.shadow_tracks.push(PastFrameObject {
                unique_id: t.id,
                class_id: t.class_id,
                label: t.label.clone(),
                frames: vec![frame.clone()],
            });
        }
        // bounded like the library's past-frame buffer: at most maxShadowTrackingAge frames
        // of shadow tracking plus the probation
        t.pending.push(frame);
        let cap = (cfg.max_shadow_tracking_age + cfg.probation_age + 1) as usize;
        if t.pending.len() > cap {
            let excess = t.pending.len() - cap;
            t.pending.drain(..excess);
        }
    }
}

/// enableBboxUnClipping: a detection box touching a frame border is probably cut by it; keep
/// the target's size on that axis, anchored on the edge away from the border.
fn unclip(d: &BBox, prev: &BBox, fw: f32, fh: f32) -> BBox {
    let mut b = *d;
    let (at_l, at_r) = (d.left <= 1.0, d.right() >= fw - 1.0);
    let (at_t, at_b) = (d.top <= 1.0, d.bottom() >= fh - 1.0);
    if at_l != at_r && prev.width > d.width {
        b.width = prev.width;
        if at_l {
            b.left = d.right() - prev.width;
        }
    }
    if at_t != at_b && prev.height > d.height {
        b.height = prev.height;
        if at_t {
            b.top = d.bottom() - prev.height;
        }
    }
    b
}
