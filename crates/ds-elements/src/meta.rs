//! The one place that reads and writes DeepStream metadata (through ds-meta), so the
//! elements stay independent of the metadata API's shape.

use crate::draw::{ArrowHead, Color, Shape};
use ds_meta::sys;
use ds_meta::{BatchMeta, ColorParams, DisplayMeta, FrameMeta};

/// What the muxer knows about one frame of a batch.
#[derive(Debug, Clone)]
pub(crate) struct FrameInfo {
    pub batch_id: u32,
    pub pad_index: u32,
    pub source_id: u32,
    pub frame_num: i32,
    pub buf_pts: u64,
    pub ntp_timestamp: u64,
    pub source_width: u32,
    pub source_height: u32,
}

impl FrameInfo {
    fn of(f: &FrameMeta) -> FrameInfo {
        FrameInfo {
            batch_id: f.batch_id(),
            pad_index: f.pad_index(),
            source_id: f.source_id(),
            frame_num: f.frame_num(),
            buf_pts: f.buf_pts(),
            ntp_timestamp: f.ntp_timestamp(),
            source_width: f.source_frame_width(),
            source_height: f.source_frame_height(),
        }
    }
}

/// Attaches an `NvDsBatchMeta` describing `frames` to `buf`.
pub(crate) fn attach_batch_meta(
    buf: &mut gst::BufferRef,
    max_frames: u32,
    width: u32,
    height: u32,
    frames: &[FrameInfo],
) -> Result<(), String> {
    let bm =
        BatchMeta::attach(buf, max_frames.max(frames.len() as u32)).map_err(|e| e.to_string())?;
    for f in frames {
        let fm = bm.add_frame_meta().map_err(|e| e.to_string())?;
        fm.set_batch_id(f.batch_id);
        fm.set_pad_index(f.pad_index);
        fm.set_source_id(f.source_id);
        fm.set_frame_num(f.frame_num);
        fm.set_buf_pts(f.buf_pts);
        fm.set_ntp_timestamp(f.ntp_timestamp);
        fm.set_source_frame_width(f.source_width);
        fm.set_source_frame_height(f.source_height);
        fm.set_pipeline_width(width);
        fm.set_pipeline_height(height);
        fm.set_num_surfaces_per_frame(1);
    }
    Ok(())
}

/// The frames described by the batch meta of `buf` (empty without one).
pub(crate) fn read_frames(buf: &gst::BufferRef) -> Vec<FrameInfo> {
    match BatchMeta::from_buffer(buf) {
        Some(bm) => bm.frames().map(FrameInfo::of).collect(),
        None => Vec::new(),
    }
}

fn color(c: &ColorParams) -> Color {
    [c.red, c.green, c.blue, c.alpha]
}

fn rect_shape(r: &sys::NvOSD_RectParams) -> Shape {
    Shape::Rect {
        left: r.left,
        top: r.top,
        width: r.width,
        height: r.height,
        border_width: r.border_width,
        border_color: color(&r.border_color),
        bg_color: (r.has_bg_color != 0).then(|| color(&r.bg_color)),
    }
}

/// An object's instance mask over its box (`display-mask`): in the object's border colour
/// at half its alpha.
fn mask_shape(o: &ds_meta::ObjectMeta) -> Option<Shape> {
    let m = o.mask_params();
    let values = m.array()?;
    let r = o.rect_params();
    let c = color(&r.border_color);
    Some(Shape::Mask {
        left: r.left,
        top: r.top,
        width: r.width,
        height: r.height,
        mask_width: m.width(),
        mask_height: m.height(),
        values: values.iter().copied().collect(),
        threshold: m.threshold(),
        color: [c[0], c[1], c[2], c[3] * 0.5],
    })
}

fn text_shape(t: &ds_meta::TextParams) -> Option<Shape> {
    let text = t.display_text();
    if text.is_empty() {
        return None;
    }
    let fp = t.font_params();
    Some(Shape::Text {
        x: t.x_offset() as f32,
        y: t.y_offset() as f32,
        text: text.to_string(),
        font_name: fp.font_name().to_string(),
        font_size: if fp.font_size() == 0 {
            12
        } else {
            fp.font_size()
        },
        color: color(fp.font_color()),
        bg_color: t.bg_enabled().then(|| color(t.text_bg_clr())),
    })
}

fn display_shapes(d: &DisplayMeta, display_bbox: bool, display_text: bool, out: &mut Vec<Shape>) {
    if display_bbox {
        out.extend(d.rects().iter().map(rect_shape));
    }
    for l in d.lines() {
        out.push(Shape::Line {
            x1: l.x1 as f32,
            y1: l.y1 as f32,
            x2: l.x2 as f32,
            y2: l.y2 as f32,
            width: l.line_width,
            color: color(&l.line_color),
        });
    }
    for a in d.arrows() {
        let head = match a.arrow_head {
            sys::NvOSD_Arrow_Head_Direction::START_HEAD => ArrowHead::Start,
            sys::NvOSD_Arrow_Head_Direction::BOTH_HEAD => ArrowHead::Both,
            _ => ArrowHead::End,
        };
        out.push(Shape::Arrow {
            x1: a.x1 as f32,
            y1: a.y1 as f32,
            x2: a.x2 as f32,
            y2: a.y2 as f32,
            width: a.arrow_width,
            head,
            color: color(&a.arrow_color),
        });
    }
    for c in d.circles() {
        out.push(Shape::Circle {
            xc: c.xc as f32,
            yc: c.yc as f32,
            radius: c.radius as f32,
            width: c.circle_width,
            color: color(&c.circle_color),
            bg_color: (c.has_bg_color != 0).then(|| color(&c.bg_color)),
        });
    }
    if display_text {
        out.extend(d.labels().iter().filter_map(text_shape));
    }
}

/// What dsosd draws on each frame of `buf`: (batch_id, shapes) in drawing order: objects'
/// rectangles, then their labels, then each display meta's rectangles, lines, arrows,
/// circles and texts.
pub(crate) fn draw_lists(
    buf: &gst::BufferRef,
    display_bbox: bool,
    display_text: bool,
    display_mask: bool,
) -> Vec<(u32, Vec<Shape>)> {
    let Some(bm) = BatchMeta::from_buffer(buf) else {
        return Vec::new();
    };
    let mut lists: Vec<(u32, Vec<Shape>)> = Vec::new();
    for f in bm.frames() {
        let mut shapes = Vec::new();
        if display_mask {
            shapes.extend(f.objects().filter_map(mask_shape));
        }
        if display_bbox {
            shapes.extend(f.objects().map(|o| rect_shape(o.rect_params())));
        }
        if display_text {
            shapes.extend(f.objects().filter_map(|o| text_shape(o.text_params())));
        }
        for d in f.display_metas() {
            display_shapes(d, display_bbox, display_text, &mut shapes);
        }
        match lists.iter_mut().find(|(b, _)| *b == f.batch_id()) {
            Some((_, l)) => l.extend(shapes),
            None => lists.push((f.batch_id(), shapes)),
        }
    }
    lists
}

/// Gives `buf` (one RGBA frame) a one-frame `NvDsBatchMeta` (source 0) unless it has one.
pub(crate) fn ensure_single_frame_meta(
    buf: &mut gst::BufferRef,
    width: u32,
    height: u32,
    src_width: u32,
    src_height: u32,
    frame_num: i32,
) -> Result<(), String> {
    if BatchMeta::from_buffer(buf).is_some() {
        return Ok(());
    }
    let pts = buf.pts().map(|t| t.nseconds()).unwrap_or(0);
    attach_batch_meta(
        buf,
        1,
        width,
        height,
        &[FrameInfo {
            batch_id: 0,
            pad_index: 0,
            source_id: 0,
            frame_num,
            buf_pts: pts,
            ntp_timestamp: 0,
            source_width: src_width,
            source_height: src_height,
        }],
    )
}

/// A scale and offset from one frame's coordinates to the tiled frame's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affine {
    pub sx: f64,
    pub sy: f64,
    pub ox: f64,
    pub oy: f64,
}

impl Affine {
    fn x(&self, x: f64) -> f64 {
        x * self.sx + self.ox
    }
    fn y(&self, y: f64) -> f64 {
        y * self.sy + self.oy
    }
    fn xu(&self, x: u32) -> u32 {
        self.x(x as f64).round().max(0.0) as u32
    }
    fn yu(&self, y: u32) -> u32 {
        self.y(y as f64).round().max(0.0) as u32
    }
    fn rect(&self, r: &mut sys::NvOSD_RectParams) {
        r.left = self.x(r.left as f64) as f32;
        r.top = self.y(r.top as f64) as f32;
        r.width = (r.width as f64 * self.sx) as f32;
        r.height = (r.height as f64 * self.sy) as f32;
    }
    fn text(&self, t: &mut ds_meta::TextParams) {
        let (x, y) = (self.xu(t.x_offset()), self.yu(t.y_offset()));
        t.set_x_offset(x);
        t.set_y_offset(y);
    }
}

/// Rewrites the batch meta of the tiler's output buffer (a copy of the input's): every
/// frame's coordinates go through `map` (by frame); frames that `map` hides lose their
/// objects and display meta; all frames then point at the one tiled frame (batch_id 0).
pub(crate) fn tile_meta(buf: &mut gst::BufferRef, map: &dyn Fn(&FrameInfo) -> Option<Affine>) {
    let Some(bm) = BatchMeta::from_buffer_mut(buf) else {
        return;
    };
    for f in bm.frames_mut() {
        let info = FrameInfo::of(f);
        match map(&info) {
            Some(a) => {
                for o in f.objects_mut() {
                    a.rect(o.rect_params_mut());
                    a.text(o.text_params_mut());
                }
                for d in f.display_metas_mut() {
                    for r in d.rects_mut() {
                        a.rect(r);
                    }
                    for t in d.labels_mut() {
                        a.text(t);
                    }
                    for l in d.lines_mut() {
                        (l.x1, l.y1, l.x2, l.y2) = (a.xu(l.x1), a.yu(l.y1), a.xu(l.x2), a.yu(l.y2));
                        l.line_width =
                            ((l.line_width as f64) * a.sx.min(a.sy)).round().max(1.0) as u32;
                    }
                    for ar in d.arrows_mut() {
                        (ar.x1, ar.y1, ar.x2, ar.y2) =
                            (a.xu(ar.x1), a.yu(ar.y1), a.xu(ar.x2), a.yu(ar.y2));
                    }
                    for c in d.circles_mut() {
                        (c.xc, c.yc) = (a.xu(c.xc), a.yu(c.yc));
                        c.radius = ((c.radius as f64) * a.sx.min(a.sy)).round() as u32;
                    }
                }
            }
            None => {
                f.retain_objects(|_| false);
                f.retain_display_metas(|_| false);
            }
        }
        f.set_batch_id(0);
    }
}

/// Gives `out` a batch meta holding a copy of frame `batch_id` of `src`'s batch meta (with
/// its objects, display and user meta), renumbered as frame 0.
pub(crate) fn single_frame_meta(
    out: &mut gst::BufferRef,
    src: &gst::BufferRef,
    batch_id: u32,
) -> Result<(), String> {
    let Some(sbm) = BatchMeta::from_buffer(src) else {
        return Ok(());
    };
    let Some(frame) = sbm.frame(batch_id) else {
        return Ok(());
    };
    let bm = BatchMeta::attach(out, 1).map_err(|e| e.to_string())?;
    let f = bm.add_frame_copy(frame).map_err(|e| e.to_string())?;
    f.set_batch_id(0);
    Ok(())
}

/// One detection to add as object meta (what nvinfer's detector output becomes).
pub(crate) struct NewObject<'a> {
    pub class_id: i32,
    pub confidence: f32,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
    pub label: Option<&'a str>,
    pub border_color: [f64; 4],
    pub bg_color: Option<[f64; 4]>,
    /// The instance mask, copied into the object's `mask_params` (g_malloc'd, freed with
    /// the object meta).
    pub mask: Option<&'a ds_infer::InstanceMask>,
}

/// Adds object metas to frame `batch_id` of `buf` with nvinfer's defaults: border width 3,
/// the class's border colour (red unless the config's `border-color`), its `bg-color` if
/// any; label text at (left, top - 10) in white "Serif" 11 on black; untracked object id;
/// `unique_component_id` = `unique_id`; marks the frame `bInferDone`; an instance mask goes
/// into `mask_params` (`data` of `width × height` floats, `size` in bytes, `threshold`),
/// owned by the object meta and freed with it. With `parent` (the
/// index of an object of the frame, for a secondary detector), each new object's `parent`
/// is that object.
pub(crate) fn add_objects(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    unique_id: u32,
    parent: Option<usize>,
    objects: &[NewObject],
) -> Result<(), String> {
    let fm = frame_mut(buf, batch_id)?;
    fm.set_infer_done(true);
    let parent_key = match parent {
        Some(i) => Some(
            fm.objects()
                .nth(i)
                .map(|o| o.key())
                .ok_or_else(|| format!("frame {batch_id} has no object {i}"))?,
        ),
        None => None,
    };
    for o in objects {
        let om = fm.add_obj_meta(parent_key).map_err(|e| e.to_string())?;
        om.set_unique_component_id(unique_id as i32);
        om.set_class_id(o.class_id);
        om.set_confidence(o.confidence);
        om.set_object_id(sys::UNTRACKED_OBJECT_ID);
        {
            let r = om.rect_params_mut();
            r.left = o.left;
            r.top = o.top;
            r.width = o.width;
            r.height = o.height;
            r.border_width = 3;
            let c = o.border_color;
            r.border_color.set(c[0], c[1], c[2], c[3]);
            match o.bg_color {
                Some(b) => {
                    r.has_bg_color = 1;
                    r.bg_color.set(b[0], b[1], b[2], b[3]);
                }
                None => r.has_bg_color = 0,
            }
        }
        {
            let d = om.detector_bbox_mut();
            d.left = o.left;
            d.top = o.top;
            d.width = o.width;
            d.height = o.height;
        }
        if let Some(label) = o.label {
            om.set_obj_label(label).map_err(|e| e.to_string())?;
        }
        if let Some(m) = o.mask
            && m.data.len() == m.width as usize * m.height as usize
        {
            let mp = om.mask_params_mut();
            mp.alloc(m.width, m.height).copy_from_slice(&m.data);
            mp.set_threshold(m.threshold);
        }
        set_label_text(om, o.label.unwrap_or(""))?;
    }
    Ok(())
}

/// nvinfer's label text of an object: `text` at (left, top - 10), white "Serif" 11 on black.
fn set_label_text(om: &mut ds_meta::ObjectMeta, text: &str) -> Result<(), String> {
    let (left, top) = (om.rect_params().left, om.rect_params().top);
    let t = om.text_params_mut();
    t.set_display_text(text).map_err(|e| e.to_string())?;
    t.set_x_offset(left.max(0.0) as u32);
    t.set_y_offset((top - 10.0).max(0.0) as u32);
    t.set_bg_enabled(true);
    t.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
    let fp = t.font_params_mut();
    fp.set_font_name("Serif").map_err(|e| e.to_string())?;
    fp.set_font_size(11);
    fp.font_color_mut().set(1.0, 1.0, 1.0, 1.0);
    Ok(())
}

fn frame_mut(buf: &mut gst::BufferRef, batch_id: u32) -> Result<&mut FrameMeta, String> {
    let Some(bm) = BatchMeta::from_buffer_mut(buf) else {
        return Err("the buffer has no NvDsBatchMeta (is dsstreammux upstream?)".into());
    };
    bm.frame_mut(batch_id)
        .ok_or_else(|| format!("the batch meta has no frame with batch_id {batch_id}"))
}

fn object_mut(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    index: usize,
) -> Result<&mut ds_meta::ObjectMeta, String> {
    frame_mut(buf, batch_id)?
        .objects_mut()
        .nth(index)
        .ok_or_else(|| format!("frame {batch_id} has no object {index}"))
}

/// An object of a batch as a secondary GIE reads it: its frame, its place in the frame's
/// object list, and what decides whether to infer on it.
#[derive(Debug, Clone)]
pub(crate) struct BatchObject {
    pub batch_id: u32,
    pub index: usize,
    pub info: ds_infer::secondary::ObjectInfo,
}

/// Every object of every frame of `buf`, in list order.
pub(crate) fn read_objects(buf: &gst::BufferRef) -> Vec<BatchObject> {
    let Some(bm) = BatchMeta::from_buffer(buf) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in bm.frames() {
        for (index, o) in f.objects().enumerate() {
            let r = o.rect_params();
            out.push(BatchObject {
                batch_id: f.batch_id(),
                index,
                info: ds_infer::secondary::ObjectInfo {
                    source: f.pad_index(),
                    frame_num: f.frame_num().max(0) as u64,
                    object_id: o.object_id(),
                    unique_component_id: o.unique_component_id(),
                    class_id: o.class_id(),
                    rect: ds_infer::Rect::new(r.left, r.top, r.width, r.height),
                },
            });
        }
    }
    out
}

/// Attaches a classifier result to object `index` of frame `batch_id` as nvinfer does
/// (`attach_metadata_classifier`): nothing when no attribute has a label; else one
/// `NvDsClassifierMeta` (`unique_component_id` = `unique_id`) with an `NvDsLabelInfo` per
/// attribute (`label_id` = attribute index, `result_class_id`, `result_prob`,
/// `result_label`), and the labels appended to the object's `display_text` after a space
/// (the text set up as nvinfer's when the object had none).
pub(crate) fn attach_classifier(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    index: usize,
    unique_id: u32,
    attributes: &[ds_infer::Attribute],
) -> Result<(), String> {
    let label = ds_infer::classifier::result_label(attributes);
    if attributes.is_empty() || label.is_empty() {
        return Ok(());
    }
    let om = object_mut(buf, batch_id, index)?;
    {
        let cm = om.add_classifier_meta().map_err(|e| e.to_string())?;
        cm.set_unique_component_id(unique_id as i32);
        for a in attributes {
            let li = cm.add_label_info().map_err(|e| e.to_string())?;
            li.set_label_id(a.attribute_index);
            li.set_result_class_id(a.value);
            li.set_result_prob(a.probability);
            if let Some(l) = &a.label {
                li.set_result_label(l).map_err(|e| e.to_string())?;
            }
        }
    }
    let old = om.text_params().display_text().to_string();
    let text = ds_infer::classifier::append_display_text(&old, &label);
    if old.is_empty() {
        set_label_text(om, &text)
    } else {
        om.text_params_mut()
            .set_display_text(&text)
            .map_err(|e| e.to_string())
    }
}

/// Attaches raw tensor output to object `index` of frame `batch_id` (object user meta of
/// type `NVDSINFER_TENSOR_OUTPUT_META`, as nvinfer's secondary mode with
/// `output-tensor-meta=1`).
pub(crate) fn add_object_tensor_meta(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    index: usize,
    tensors: ds_meta::infer::TensorOutput,
) -> Result<(), String> {
    object_mut(buf, batch_id, index)?
        .add_c_user_meta(tensors)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Marks frame `batch_id` of `buf` `bInferDone`.
pub(crate) fn set_infer_done(buf: &mut gst::BufferRef, batch_id: u32) -> Result<(), String> {
    frame_mut(buf, batch_id)?.set_infer_done(true);
    Ok(())
}

/// Attaches nvinfer's raw tensor output (`NvDsInferTensorMeta`, user meta of type
/// `NVDSINFER_TENSOR_OUTPUT_META`) to frame `batch_id` of `buf`.
pub(crate) fn add_tensor_meta(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    tensors: ds_meta::infer::TensorOutput,
) -> Result<(), String> {
    frame_mut(buf, batch_id)?
        .add_c_user_meta(tensors)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Attaches nvinfer's segmentation output (`NvDsInferSegmentationMeta`, frame user meta of
/// type `NVDSINFER_SEGMENTATION_META`, as `network-type=2`) to frame `batch_id` of `buf`:
/// the class map at the model's output size and the per-class probabilities.
pub(crate) fn add_segmentation_meta(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    unique_id: u32,
    seg: &ds_infer::Segmentation,
) -> Result<(), String> {
    let (h, w) = seg.class_map.dim();
    let map = ds_meta::infer::SegmentationMap {
        classes: seg.probabilities.dim().0 as u32,
        width: w as u32,
        height: h as u32,
        class_map: seg.class_map.iter().copied().collect(),
        class_probabilities: seg.probabilities.iter().copied().collect(),
        unique_id: unique_id as i32,
    };
    frame_mut(buf, batch_id)?
        .add_c_user_meta(map)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Attaches `grid` as `NvDsOpticalFlowMeta` (frame user meta of type
/// `NVDS_OPTICAL_FLOW_META`, as nvof) to frame `batch_id` of `buf`.
pub(crate) fn add_optical_flow_meta(
    buf: &mut gst::BufferRef,
    batch_id: u32,
    frame_num: i32,
    grid: &ds_flow::FlowGrid,
) -> Result<(), String> {
    let of = ds_meta::infer::OpticalFlow {
        rows: grid.rows as u32,
        cols: grid.cols as u32,
        frame_num: frame_num.max(0) as u64,
        vectors: grid
            .vectors
            .iter()
            .map(|v| sys::NvOFFlowVector { flowx: v.flowx, flowy: v.flowy })
            .collect(),
    };
    frame_mut(buf, batch_id)?
        .add_c_user_meta(of)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Attaches one tensor of `dspreprocess` as a preprocess batch meta (`NVDS_PREPROCESS_BATCH_META`)
/// with one ROI per batch item.
pub(crate) fn add_preprocess_tensor(
    buf: &mut gst::BufferRef,
    target_unique_ids: &[u32],
    tensor_name: &str,
    gpu_id: u32,
    maintain_aspect_ratio: bool,
    t: ds_infer::preprocess_tensor::Tensor,
) -> Result<(), String> {
    use ds_meta::preprocess::{PreprocessBatch, PreprocessRoi, PreprocessTensor};
    let Some(bm) = BatchMeta::from_buffer_mut(buf) else {
        return Err("the buffer has no NvDsBatchMeta (is dsstreammux upstream?)".into());
    };
    let rois = t
        .units
        .iter()
        .map(|u| {
            let x = &u.transform;
            PreprocessRoi {
                batch_id: u.batch_id,
                left: x.roi.left,
                top: x.roi.top,
                width: x.roi.width,
                height: x.roi.height,
                scale_ratio_x: x.scale_x as f64,
                scale_ratio_y: x.scale_y as f64,
                offset_left: x.pad_x as f64,
                offset_top: x.pad_y as f64,
            }
        })
        .collect();
    let tensor = PreprocessTensor {
        data: t.data,
        shape: t.shape.iter().map(|&d| d as i32).collect(),
        tensor_name: tensor_name.to_string(),
        gpu_id,
        meta_id: t.meta_id,
        maintain_aspect_ratio,
    };
    let batch = PreprocessBatch::new(target_unique_ids.iter().map(|&u| u as u64).collect(), Some(tensor), rois);
    bm.add_preprocess_batch_meta(batch).map_err(|e| e.to_string())?;
    Ok(())
}

/// Adds a display rectangle (border width 2, `color`) to frame `batch_id`: nvdspreprocess'
/// `draw-roi`.
pub(crate) fn add_roi_rect(buf: &mut gst::BufferRef, batch_id: u32, r: ds_infer::Rect, color: [f64; 4]) -> Result<(), String> {
    let fm = frame_mut(buf, batch_id)?;
    let dm = fm.add_display_meta().map_err(|e| e.to_string())?;
    let rect = dm.add_rect().map_err(|e| e.to_string())?;
    rect.left = r.left;
    rect.top = r.top;
    rect.width = r.width;
    rect.height = r.height;
    rect.border_width = 2;
    rect.border_color.set(color[0], color[1], color[2], color[3]);
    Ok(())
}

/// One item of a preprocess tensor: its frame and how it was made from it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TensorItem {
    pub batch_id: u32,
    pub transform: ds_infer::preprocess::Transform,
}

/// A preprocess tensor copied out of the batch meta, for a GIE's `input-tensor-meta`.
#[derive(Debug, Clone)]
pub(crate) struct TensorIn {
    pub meta_id: u32,
    pub gpu_id: u32,
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
    pub items: Vec<TensorItem>,
}

/// The preprocess tensors of `buf` meant for the GIE `unique_id` (its id in
/// `target_unique_ids`), in list order. Errors for a tensor that is not host FP32 memory (NVIDIA's
/// nvdspreprocess) or whose ROIs do not point at frames of the batch.
pub(crate) fn read_preprocess_tensors(buf: &gst::BufferRef, unique_id: u32) -> Result<Vec<TensorIn>, String> {
    let Some(bm) = BatchMeta::from_buffer(buf) else {
        return Err("the buffer has no NvDsBatchMeta (is dsstreammux upstream?)".into());
    };
    let mut out = Vec::new();
    for m in bm.preprocess_batch_metas() {
        if !m.target_unique_ids().contains(&(unique_id as u64)) {
            continue;
        }
        let Some(t) = m.tensor_meta() else { continue };
        let data = t.host_data().ok_or_else(|| {
            format!("the preprocess tensor '{}' is not FP32 host memory (made by NVIDIA's nvdspreprocess?): the portable GIE reads dspreprocess' tensors", t.tensor_name())
        })?;
        let mut items = Vec::new();
        for r in m.roi_vector() {
            let f = r.frame_meta().ok_or("a preprocess ROI has no frame meta")?;
            let roi = r.roi();
            items.push(TensorItem {
                batch_id: f.batch_id(),
                transform: ds_infer::preprocess::Transform {
                    roi: ds_infer::Rect::new(roi.left, roi.top, roi.width, roi.height),
                    scale_x: r.scale_ratio_x() as f32,
                    scale_y: r.scale_ratio_y() as f32,
                    pad_x: r.offset_left() as f32,
                    pad_y: r.offset_top() as f32,
                },
            });
        }
        out.push(TensorIn {
            meta_id: t.meta_id(),
            gpu_id: t.gpu_id(),
            name: t.tensor_name().to_string(),
            shape: t.tensor_shape().iter().map(|&d| d.max(0) as usize).collect(),
            data: data.to_vec(),
            items,
        });
    }
    Ok(out)
}
