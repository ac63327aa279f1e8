//! nvdspreprocess' tensor building, without GStreamer: from the frames of a batch and a
//! [`PreprocessConfig`], the units (each ROI of `roi-params-src-<id>` with
//! `process-on-roi=1`, else each whole frame) of every `[group-<n>]`, scaled into the
//! network input size and normalised as NVIDIA's default library (`libcustom2d_preprocess.so`,
//! `CustomTensorPreparation`) does: `y = pixel-normalization-factor × (x − offsets[c])`, in
//! `network-color-format` order, NCHW or NHWC.
//!
//! As nvdspreprocess (`gstnvdspreprocess.cpp`, DeepStream 9.1):
//! - units are taken group by group, and within a group frame by frame in batch order, ROI
//!   by ROI in config order;
//! - an ROI is clipped to the frame; its left and top are rounded up to even pixels, its
//!   width and height down to even pixels (a ROI starting outside the frame is an error);
//! - with `maintain-aspect-ratio=1` the ROI is scaled to fit the network size and the rest
//!   is black (`symmetric-padding=1`: centred, else at the top left); otherwise it is
//!   stretched;
//! - units are batched `network-input-shape[0]` at a time: more units than that make several
//!   tensors (`meta_id` 0, 1, …), the last one with as many items as units left.
//!
//! Scaling is [`crate::preprocess::preprocess_into`]'s bilinear filter (nvinfer's portable
//! pre-processing), so a GIE gets the same input from a whole-frame tensor as from its own
//! pre-processing.

use crate::config::TensorOrder;
use crate::preprocess::{ImageRoi, Normalization, Rect, Transform, preprocess_into};
use crate::preprocess_config::PreprocessConfig;

/// One frame of the batch: RGBA pixels and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct BatchFrame<'a> {
    /// `batch_id` of the frame in the batch.
    pub batch_id: u32,
    /// `source_id` (the muxer's pad index), matched against `src-ids`.
    pub source_id: u32,
    /// RGBA pixels, `stride × height` bytes.
    pub data: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row.
    pub stride: usize,
}

/// One batch item of a tensor: the frame it was made from and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    /// `batch_id` of the frame.
    pub batch_id: u32,
    /// `source_id` of the frame.
    pub source_id: u32,
    /// `n` of the `[group-<n>]` that made it.
    pub group: u32,
    /// Frame size (width, height), pixels.
    pub frame_size: (u32, u32),
    /// The ROI (clipped, even-aligned), scale and padding: `scale_x`/`scale_y` are
    /// `NvDsRoiMeta.scale_ratio_x/y`, `pad_x`/`pad_y` its `offset_left/top`.
    pub transform: Transform,
}

/// A tensor of up to `network-input-shape[0]` units.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// `network-input-shape` with the first dimension set to the number of units.
    pub shape: [usize; 4],
    /// The values, `shape` product of them.
    pub data: Vec<f32>,
    /// The units, one per batch item, in order.
    pub units: Vec<Unit>,
    /// Index of this tensor among those of the batch (`meta_id`).
    pub meta_id: u32,
}

/// The normalisation of a preprocess config (`pixel-normalization-factor`, `offsets`,
/// colour format, order, aspect ratio and padding).
pub fn normalization(c: &PreprocessConfig) -> Normalization {
    let mut offsets = [0.0; 3];
    for (o, v) in offsets.iter_mut().zip(&c.offsets) {
        *o = *v;
    }
    Normalization {
        scale: c.pixel_normalization_factor,
        offsets,
        color: c.network_color_format,
        order: c.network_input_order,
        maintain_aspect_ratio: c.maintain_aspect_ratio,
        symmetric_padding: c.symmetric_padding,
    }
}

/// The region nvdspreprocess scales for `roi` on a `width × height` frame: clipped to the
/// frame, left/top rounded up and width/height rounded down to even pixels. Errors when the
/// ROI starts outside the frame or keeps less than 2×2 pixels.
pub fn aligned_roi(roi: Rect, width: u32, height: u32) -> Result<Rect, String> {
    let (fw, fh) = (width as f32, height as f32);
    if roi.left >= fw || roi.top >= fh || roi.left < 0.0 || roi.top < 0.0 {
        return Err(format!(
            "ROI left={} top={} width={} height={} starts outside the {width}x{height} frame",
            roi.left, roi.top, roi.width, roi.height
        ));
    }
    let w = roi.width.min(fw - roi.left);
    let h = roi.height.min(fh - roi.top);
    let up2 = |v: f32| (((v as u32) + 1) & !1) as f32;
    let down2 = |v: f32| ((v as u32) & !1) as f32;
    let (l, t, w, h) = (up2(roi.left), up2(roi.top), down2(w), down2(h));
    // rounding the corner up may push the region past the frame: keep it inside
    let (w, h) = (w.min(fw - l), h.min(fh - t));
    if w < 2.0 || h < 2.0 {
        return Err(format!(
            "ROI left={} top={} width={} height={} keeps less than 2x2 pixels of the {width}x{height} frame",
            roi.left, roi.top, roi.width, roi.height
        ));
    }
    Ok(Rect::new(l, t, w, h))
}

/// The units of a batch, in nvdspreprocess' order, with their frames: `(frame index in
/// `frames`, group id, ROI in frame pixels)`.
pub fn plan(config: &PreprocessConfig, frames: &[BatchFrame]) -> Vec<(usize, u32, Rect)> {
    let mut units = Vec::new();
    for g in &config.groups {
        for (i, f) in frames.iter().enumerate() {
            if g.units_for_source(f.source_id) == 0 {
                continue;
            }
            if g.process_on_roi {
                for r in g.rois.get(&f.source_id).into_iter().flatten() {
                    units.push((i, g.id, Rect::new(r.left as f32, r.top as f32, r.width as f32, r.height as f32)));
                }
            } else {
                units.push((i, g.id, Rect::new(0.0, 0.0, f.width as f32, f.height as f32)));
            }
        }
    }
    units
}

/// Builds the tensors of one batch (none when no group applies to its frames).
///
/// Errors name the config file, the group, the source and the ROI: a ROI outside its frame,
/// or frame data too short for its size.
pub fn build(config: &PreprocessConfig, frames: &[BatchFrame]) -> Result<Vec<Tensor>, String> {
    let [batch, channels, net_h, net_w] = config.nchw();
    let batch = batch.max(1);
    let per = channels * net_h * net_w;
    let norm = normalization(config);
    let file = config.file.display();
    let mut tensors: Vec<Tensor> = Vec::new();
    for (i, group, roi) in plan(config, frames) {
        let f = &frames[i];
        let region = aligned_roi(roi, f.width, f.height)
            .map_err(|e| format!("{file}: [group-{group}] roi-params-src-{}: {e}", f.source_id))?;
        if tensors.last().is_none_or(|t| t.units.len() == batch) {
            let meta_id = tensors.len() as u32;
            tensors.push(Tensor { shape: [0; 4], data: Vec::with_capacity(batch * per), units: Vec::new(), meta_id });
        }
        let t = tensors.last_mut().expect("a tensor");
        let start = t.data.len();
        t.data.resize(start + per, 0.0);
        let image = ImageRoi::region(f.data, f.width, f.height, f.stride, region);
        let transform = preprocess_into(&image, &norm, net_w, net_h, &mut t.data[start..])
            .map_err(|e| format!("{file}: [group-{group}] source {}: {e}", f.source_id))?;
        t.units.push(Unit {
            batch_id: f.batch_id,
            source_id: f.source_id,
            group,
            frame_size: (f.width, f.height),
            transform,
        });
    }
    for t in &mut tensors {
        let n = t.units.len();
        t.shape = match config.network_input_order {
            TensorOrder::Nchw => [n, channels, net_h, net_w],
            TensorOrder::Nhwc => [n, net_h, net_w, channels],
        };
    }
    Ok(tensors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rois_are_clipped_and_even_aligned() {
        assert_eq!(aligned_roi(Rect::new(3.0, 5.0, 101.0, 51.0), 1920, 1080).unwrap(), Rect::new(4.0, 6.0, 100.0, 50.0));
        // clipped to the frame: 1900 + 100 > 1920
        assert_eq!(aligned_roi(Rect::new(1900.0, 0.0, 100.0, 100.0), 1920, 1080).unwrap(), Rect::new(1900.0, 0.0, 20.0, 100.0));
        let e = aligned_roi(Rect::new(2000.0, 0.0, 10.0, 10.0), 1920, 1080).unwrap_err();
        assert!(e.contains("starts outside the 1920x1080 frame"), "{e}");
    }
}
