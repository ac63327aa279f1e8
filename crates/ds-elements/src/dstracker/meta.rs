//! dstracker's metadata in and out (through ds-meta): detections from object metas, tracker
//! results into object metas, past-frame and shadow-track batch user meta.

use std::any::Any;
use std::collections::HashMap;

use ds_meta::infer::{PastFrame, PastFrameData, PastObject, PastStream};
use ds_meta::sys::{self, NvDsMetaType};
use ds_meta::{BatchMeta, CPayload, ObjectMeta};
use ds_tracker::{BBox, Detection, FrameOutput, PastFrameObject, TargetState};

/// The objects of one frame of the batch, as detections.
pub(super) struct FrameObjects {
    pub batch_id: u32,
    pub source_id: u32,
    pub frame_num: u32,
    pub detections: Vec<Detection>,
}

/// What nvtracker keeps per class to dress the objects it adds (its "class info map").
#[derive(Clone)]
pub(super) struct ClassInfo {
    unique_component_id: i32,
    label: String,
    rect: sys::NvOSD_RectParams,
}

/// Reads every frame's objects (in list order) and refreshes `classes`.
pub(super) fn read_objects(
    buf: &gst::BufferRef,
    classes: &mut HashMap<i32, ClassInfo>,
) -> Option<Vec<FrameObjects>> {
    let bm = BatchMeta::from_buffer(buf)?;
    let mut frames = Vec::new();
    for f in bm.frames() {
        let mut detections = Vec::new();
        for o in f.objects() {
            let r = o.rect_params();
            detections.push(Detection {
                class_id: o.class_id(),
                confidence: o.confidence(),
                bbox: BBox::new(r.left, r.top, r.width, r.height),
                label: o.obj_label().to_string(),
            });
            classes.insert(
                o.class_id(),
                ClassInfo {
                    unique_component_id: o.unique_component_id(),
                    label: o.obj_label().to_string(),
                    rect: *r,
                },
            );
        }
        frames.push(FrameObjects {
            batch_id: f.batch_id(),
            source_id: f.source_id(),
            frame_num: f.frame_num().max(0) as u32,
            detections,
        });
    }
    Some(frames)
}

/// nvtracker's text dressing of a tracked object: "Serif" 10 white on black at
/// (left, top - 20); the id appended to the label when `display_id`.
fn dress_text(o: &mut ObjectMeta, label: &str, display_id: bool) -> Result<(), String> {
    let id = o.object_id();
    let (left, top) = (o.rect_params().left, o.rect_params().top);
    let t = o.text_params_mut();
    let text = if display_id {
        format!("{label} {id}")
    } else {
        label.to_string()
    };
    t.set_display_text(&text).map_err(|e| e.to_string())?;
    t.set_x_offset(left.max(0.0) as u32);
    t.set_y_offset((top - 20.0).max(0.0) as u32);
    t.set_bg_enabled(true);
    t.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
    let fp = t.font_params_mut();
    fp.set_font_name("Serif").map_err(|e| e.to_string())?;
    fp.set_font_size(10);
    fp.font_color_mut().set(1.0, 1.0, 1.0, 1.0);
    Ok(())
}

fn set_boxes(o: &mut ObjectMeta, b: &BBox, clipped: &BBox, tracker_confidence: f32) {
    let r = o.rect_params_mut();
    (r.left, r.top, r.width, r.height) = (clipped.left, clipped.top, clipped.width, clipped.height);
    let t = o.tracker_bbox_mut();
    (t.left, t.top, t.width, t.height) = (b.left, b.top, b.width, b.height);
    o.set_tracker_confidence(tracker_confidence);
}

/// Writes one frame's tracker output into its object metas: matched objects updated,
/// objects without output removed, targets tracked without a detection added.
pub(super) fn apply_frame(
    buf: &mut gst::BufferRef,
    frame_index: usize,
    out: &FrameOutput,
    frame_size: (f32, f32),
    classes: &HashMap<i32, ClassInfo>,
    display_id: bool,
) -> Result<(), String> {
    let bm = BatchMeta::from_buffer_mut(buf).ok_or("the buffer lost its NvDsBatchMeta")?;
    let f = bm
        .frames_mut()
        .nth(frame_index)
        .ok_or("the batch meta lost a frame")?;
    let (fw, fh) = frame_size;
    let by_det: HashMap<usize, &ds_tracker::TrackedObject> = out
        .objects
        .iter()
        .filter_map(|o| o.detection.map(|d| (d, o)))
        .collect();
    let mut keep = Vec::new();
    for (i, o) in f.objects_mut().enumerate() {
        let Some(t) = by_det.get(&i) else {
            keep.push(false);
            continue;
        };
        let Some(clipped) = t.bbox.clipped(fw, fh) else {
            keep.push(false);
            continue;
        };
        o.set_object_id(t.object_id);
        set_boxes(o, &t.bbox, &clipped, t.tracker_confidence);
        let label = o.text_params().display_text().to_string();
        let label = if label.is_empty() {
            o.obj_label().to_string()
        } else {
            label
        };
        dress_text(o, &label, display_id)?;
        keep.push(true);
    }
    let mut i = 0;
    f.retain_objects(|_| {
        i += 1;
        keep.get(i - 1).copied().unwrap_or(false)
    });
    for t in out.objects.iter().filter(|o| o.detection.is_none()) {
        let Some(clipped) = t.bbox.clipped(fw, fh) else {
            continue;
        };
        let o = f.add_obj_meta(None).map_err(|e| e.to_string())?;
        let info = classes.get(&t.class_id);
        if let Some(c) = info {
            *o.rect_params_mut() = c.rect;
            o.set_unique_component_id(c.unique_component_id);
        }
        let label = info.map_or(t.label.as_str(), |c| c.label.as_str());
        o.set_obj_label(label).map_err(|e| e.to_string())?;
        o.set_class_id(t.class_id);
        o.set_confidence(-0.1);
        let d = o.detector_bbox_mut();
        (d.left, d.top, d.width, d.height) = (0.0, 0.0, 0.0, 0.0);
        o.set_object_id(t.object_id);
        set_boxes(o, &t.bbox, &clipped, t.tracker_confidence);
        dress_text(o, label, display_id)?;
    }
    Ok(())
}

/// Past-frame or shadow-track objects of one stream, in ds-meta's owned form.
pub(super) fn past_stream(source_id: u32, objects: &[PastFrameObject]) -> PastStream {
    PastStream {
        stream_id: source_id,
        surface_stream_id: (source_id as u64) << 32,
        objects: objects
            .iter()
            .map(|o| PastObject {
                unique_id: o.unique_id,
                class_id: o.class_id.clamp(0, u16::MAX as i32) as u16,
                label: o.label.clone(),
                frames: o
                    .frames
                    .iter()
                    .map(|f| PastFrame {
                        frame_num: f.frame_num,
                        bbox: sys::NvOSD_RectParams {
                            left: f.bbox.left,
                            top: f.bbox.top,
                            width: f.bbox.width,
                            height: f.bbox.height,
                            ..Default::default()
                        },
                        confidence: f.confidence,
                        age: f.age,
                        state: Some(match f.state {
                            TargetState::Tentative => sys::TRACKER_STATE::TENTATIVE,
                            TargetState::Active => sys::TRACKER_STATE::ACTIVE,
                            TargetState::Inactive => sys::TRACKER_STATE::INACTIVE,
                        }),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// `NVDS_TRACKER_SHADOW_LIST_META`: the same C struct as the past-frame data.
#[derive(Clone)]
pub(super) struct ShadowTracks(pub PastFrameData);

// SAFETY: the C view is PastFrameData's, which points into its own scratch storage only.
unsafe impl CPayload for ShadowTracks {
    type C = sys::NvDsTargetMiscDataBatch;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_TRACKER_SHADOW_LIST_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        self.0.to_c()
    }
}

/// Attaches past-frame data and shadow tracks as batch user meta (skipping empty ones).
pub(super) fn attach_batch_user_meta(
    buf: &mut gst::BufferRef,
    past: PastFrameData,
    shadow: PastFrameData,
) -> Result<(), String> {
    let bm = BatchMeta::from_buffer_mut(buf).ok_or("the buffer lost its NvDsBatchMeta")?;
    if past.streams.iter().any(|s| !s.objects.is_empty()) {
        bm.add_c_user_meta(past).map_err(|e| e.to_string())?;
    }
    if shadow.streams.iter().any(|s| !s.objects.is_empty()) {
        bm.add_c_user_meta(ShadowTracks(shadow))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
