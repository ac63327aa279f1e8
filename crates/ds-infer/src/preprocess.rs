//! Pre-processing as nvinfer does it: scale a frame or an object crop to the network size
//! (optionally keeping the aspect ratio, with black padding), convert to the network's
//! colour order, and normalise each value as `y = net-scale-factor × (x − offsets[c])`.
//!
//! Scaling is bilinear with pixel centres at +0.5 (as OpenCV's `INTER_LINEAR` and
//! `cv::dnn::blobFromImage`), done in one pass from RGBA straight into the float tensor.

use crate::config::{ColorFormat, InferConfig, TensorOrder};

/// A rectangle in frame pixels (`left`, `top`, `width`, `height`), as in `NvOSD_RectParams`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left edge, pixels from the frame's left.
    pub left: f32,
    /// Top edge, pixels from the frame's top.
    pub top: f32,
    /// Width in pixels.
    pub width: f32,
    /// Height in pixels.
    pub height: f32,
}

impl Rect {
    /// A rectangle from its left, top, width and height.
    pub fn new(left: f32, top: f32, width: f32, height: f32) -> Rect {
        Rect {
            left,
            top,
            width,
            height,
        }
    }
    /// Right edge (`left + width`).
    pub fn right(&self) -> f32 {
        self.left + self.width
    }
    /// Bottom edge (`top + height`).
    pub fn bottom(&self) -> f32 {
        self.top + self.height
    }
    /// Area in square pixels (0 for an empty rectangle).
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }
}

/// One input of [`crate::Inference::infer`]: a region of an RGBA frame.
///
/// `data` holds `height` rows of `stride` bytes, each row `width` RGBA pixels (4 bytes, R
/// first), as the portable batch buffer stores frames (`docs/batch-format.md`). `roi` is
/// the region to infer on, in frame pixels: the whole frame for a primary GIE, the
/// object's rectangle for a secondary GIE. Results come back in frame pixels.
#[derive(Debug, Clone, Copy)]
pub struct ImageRoi<'a> {
    /// RGBA pixels, `stride × height` bytes (the last row may be just `width × 4`).
    pub data: &'a [u8],
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Bytes from one row to the next (at least `width × 4`).
    pub stride: usize,
    /// Region to infer on, in frame pixels.
    pub roi: Rect,
}

impl<'a> ImageRoi<'a> {
    /// The whole frame (a primary GIE's input).
    pub fn full_frame(data: &'a [u8], width: u32, height: u32, stride: usize) -> ImageRoi<'a> {
        ImageRoi {
            data,
            width,
            height,
            stride,
            roi: Rect::new(0.0, 0.0, width as f32, height as f32),
        }
    }

    /// A region of the frame (a secondary GIE's input: an object's rectangle).
    pub fn region(
        data: &'a [u8],
        width: u32,
        height: u32,
        stride: usize,
        roi: Rect,
    ) -> ImageRoi<'a> {
        ImageRoi {
            data,
            width,
            height,
            stride,
            roi,
        }
    }

    /// Checks sizes and clips the region to the frame. Returns the clipped region.
    pub fn validate(&self) -> Result<Rect, String> {
        if self.width == 0 || self.height == 0 {
            return Err(format!("empty frame {}x{}", self.width, self.height));
        }
        let row = self.width as usize * 4;
        if self.stride < row {
            return Err(format!(
                "stride {} is less than width {} x 4 bytes",
                self.stride, self.width
            ));
        }
        let need = self.stride * (self.height as usize - 1) + row;
        if self.data.len() < need {
            return Err(format!(
                "{} bytes of data; a {}x{} RGBA frame with stride {} needs {need}",
                self.data.len(),
                self.width,
                self.height,
                self.stride
            ));
        }
        let r = self.roi;
        if !(r.left.is_finite() && r.top.is_finite() && r.width.is_finite() && r.height.is_finite())
        {
            return Err(format!("region {r:?} is not finite"));
        }
        let left = r.left.max(0.0);
        let top = r.top.max(0.0);
        let right = r.right().min(self.width as f32);
        let bottom = r.bottom().min(self.height as f32);
        if right - left < 1.0 || bottom - top < 1.0 {
            return Err(format!(
                "region left={} top={} width={} height={} has less than one pixel inside the {}x{} frame",
                r.left, r.top, r.width, r.height, self.width, self.height
            ));
        }
        Ok(Rect::new(left, top, right - left, bottom - top))
    }
}

/// How the network input was made from a region, to map network pixels back to the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    /// The region (clipped to the frame), in frame pixels.
    pub roi: Rect,
    /// Network pixels per frame pixel, horizontally.
    pub scale_x: f32,
    /// Network pixels per frame pixel, vertically.
    pub scale_y: f32,
    /// Padding left of the image in the network input (symmetric padding), network pixels.
    pub pad_x: f32,
    /// Padding above the image in the network input, network pixels.
    pub pad_y: f32,
}

impl Transform {
    /// Maps a network-input point to frame pixels.
    pub fn to_frame(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (x - self.pad_x) / self.scale_x + self.roi.left,
            (y - self.pad_y) / self.scale_y + self.roi.top,
        )
    }

    /// Maps a rectangle in network pixels to frame pixels.
    pub fn rect_to_frame(&self, r: Rect) -> Rect {
        let (l, t) = self.to_frame(r.left, r.top);
        Rect::new(l, t, r.width / self.scale_x, r.height / self.scale_y)
    }
}

/// The pre-processing parameters of a config (`net-scale-factor`, `offsets`,
/// `model-color-format`, `maintain-aspect-ratio`, `symmetric-padding`, input order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalization {
    /// `net-scale-factor`.
    pub scale: f32,
    /// `offsets`, in network channel order (unused channels 0).
    pub offsets: [f32; 3],
    /// Network colour order.
    pub color: ColorFormat,
    /// NCHW or NHWC.
    pub order: TensorOrder,
    /// `maintain-aspect-ratio`.
    pub maintain_aspect_ratio: bool,
    /// `symmetric-padding`.
    pub symmetric_padding: bool,
}

impl Normalization {
    /// The parameters of a config.
    pub fn from_config(c: &InferConfig) -> Normalization {
        let mut offsets = [0.0; 3];
        for (o, v) in offsets.iter_mut().zip(&c.offsets) {
            *o = *v;
        }
        Normalization {
            scale: c.net_scale_factor,
            offsets,
            color: c.model_color_format,
            order: c.network_input_order,
            maintain_aspect_ratio: c.maintain_aspect_ratio,
            symmetric_padding: c.symmetric_padding,
        }
    }
}

/// Scales `image.roi` into one network input and normalises it.
///
/// `out` is one batch item: `channels × net_h × net_w` floats, laid out `[channels, height,
/// width]` (NCHW) or `[height, width, channels]` (NHWC). Padding (with
/// `maintain-aspect-ratio`) is black: `scale × (0 − offset)`. Returns how network pixels map
/// back to the frame.
pub fn preprocess_into(
    image: &ImageRoi,
    norm: &Normalization,
    net_w: usize,
    net_h: usize,
    out: &mut [f32],
) -> Result<Transform, String> {
    let roi = image.validate()?;
    let channels = norm.color.channels();
    if out.len() != channels * net_w * net_h {
        return Err(format!(
            "output buffer of {} floats for a {channels}x{net_h}x{net_w} input",
            out.len()
        ));
    }
    // Size of the scaled image inside the network input.
    let (cw, ch) = if norm.maintain_aspect_ratio {
        let ratio = (net_w as f32 / roi.width).min(net_h as f32 / roi.height);
        (
            ((roi.width * ratio).round() as usize).clamp(1, net_w),
            ((roi.height * ratio).round() as usize).clamp(1, net_h),
        )
    } else {
        (net_w, net_h)
    };
    let (px, py) = if norm.maintain_aspect_ratio && norm.symmetric_padding {
        ((net_w - cw) / 2, (net_h - ch) / 2)
    } else {
        (0, 0)
    };
    let transform = Transform {
        roi,
        scale_x: cw as f32 / roi.width,
        scale_y: ch as f32 / roi.height,
        pad_x: px as f32,
        pad_y: py as f32,
    };

    // Source pixel range that the region covers (whole pixels).
    let x_lo = roi.left.floor() as usize;
    let x_hi = ((roi.right().ceil() as usize).min(image.width as usize)).max(x_lo + 1) - 1;
    let y_lo = roi.top.floor() as usize;
    let y_hi = ((roi.bottom().ceil() as usize).min(image.height as usize)).max(y_lo + 1) - 1;

    // Column tables: byte offsets of the two neighbours and the weight of the right one.
    let mut col0 = Vec::with_capacity(cw);
    let mut col1 = Vec::with_capacity(cw);
    let mut colw = Vec::with_capacity(cw);
    let sx = roi.width / cw as f32;
    for ox in 0..cw {
        let s = (roi.left + (ox as f32 + 0.5) * sx - 0.5).clamp(x_lo as f32, x_hi as f32);
        let x0 = s.floor() as usize;
        let x1 = (x0 + 1).min(x_hi);
        col0.push(x0 * 4);
        col1.push(x1 * 4);
        colw.push(s - x0 as f32);
    }

    let scale = norm.scale;
    let plane = net_w * net_h;
    // Per network channel: which RGBA byte it reads, and its additive term.
    let src_ch: [usize; 3] = match norm.color {
        ColorFormat::Bgr => [2, 1, 0],
        _ => [0, 1, 2],
    };
    let add = [
        -scale * norm.offsets[0],
        -scale * norm.offsets[1],
        -scale * norm.offsets[2],
    ];
    let (cstride, pstride) = match norm.order {
        TensorOrder::Nchw => (plane, 1usize),
        TensorOrder::Nhwc => (1usize, channels),
    };

    // Padding value (black) everywhere the image does not cover.
    if cw != net_w || ch != net_h {
        for c in 0..channels {
            let v = add[c];
            match norm.order {
                TensorOrder::Nchw => out[c * plane..(c + 1) * plane].fill(v),
                TensorOrder::Nhwc => out
                    .iter_mut()
                    .skip(c)
                    .step_by(channels)
                    .for_each(|o| *o = v),
            }
        }
    }

    let sy = roi.height / ch as f32;
    let data = image.data;
    let stride = image.stride;
    for oy in 0..ch {
        let s = (roi.top + (oy as f32 + 0.5) * sy - 0.5).clamp(y_lo as f32, y_hi as f32);
        let y0 = s.floor() as usize;
        let y1 = (y0 + 1).min(y_hi);
        let wy = s - y0 as f32;
        let row0 = &data[y0 * stride..];
        let row1 = &data[y1 * stride..];
        let base = ((oy + py) * net_w + px) * pstride;
        for ox in 0..cw {
            let (a, b, wx) = (col0[ox], col1[ox], colw[ox]);
            let w00 = (1.0 - wx) * (1.0 - wy);
            let w01 = wx * (1.0 - wy);
            let w10 = (1.0 - wx) * wy;
            let w11 = wx * wy;
            let px_at = |c: usize| -> f32 {
                row0[a + c] as f32 * w00
                    + row0[b + c] as f32 * w01
                    + row1[a + c] as f32 * w10
                    + row1[b + c] as f32 * w11
            };
            let o = base + ox * pstride;
            if channels == 1 {
                let luma = 0.299 * px_at(0) + 0.587 * px_at(1) + 0.114 * px_at(2);
                out[o] = scale * luma + add[0];
            } else {
                out[o] = scale * px_at(src_ch[0]) + add[0];
                out[o + cstride] = scale * px_at(src_ch[1]) + add[1];
                out[o + 2 * cstride] = scale * px_at(src_ch[2]) + add[2];
            }
        }
    }
    Ok(transform)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(color: ColorFormat) -> Normalization {
        Normalization {
            scale: 1.0,
            offsets: [0.0; 3],
            color,
            order: TensorOrder::Nchw,
            maintain_aspect_ratio: false,
            symmetric_padding: false,
        }
    }

    /// A 4x2 frame: left half red (255,0,0), right half blue (0,0,255).
    fn frame() -> Vec<u8> {
        let mut f = Vec::new();
        for _y in 0..2 {
            for x in 0..4 {
                if x < 2 {
                    f.extend_from_slice(&[255, 0, 0, 255]);
                } else {
                    f.extend_from_slice(&[0, 0, 255, 255]);
                }
            }
        }
        f
    }

    #[test]
    fn identity_size_copies_pixels_in_rgb_and_bgr() {
        let f = frame();
        let img = ImageRoi::full_frame(&f, 4, 2, 16);
        let mut out = vec![0.0; 3 * 8];
        let t = preprocess_into(&img, &norm(ColorFormat::Rgb), 4, 2, &mut out).unwrap();
        assert_eq!(t.scale_x, 1.0);
        // R plane: 255 255 0 0 ; B plane: 0 0 255 255
        assert_eq!(&out[0..4], &[255.0, 255.0, 0.0, 0.0]);
        assert_eq!(&out[16..20], &[0.0, 0.0, 255.0, 255.0]);
        preprocess_into(&img, &norm(ColorFormat::Bgr), 4, 2, &mut out).unwrap();
        assert_eq!(&out[0..4], &[0.0, 0.0, 255.0, 255.0]);
    }

    #[test]
    fn downscale_by_two_averages_neighbours() {
        let f = frame();
        let img = ImageRoi::full_frame(&f, 4, 2, 16);
        let mut out = vec![0.0; 3 * 2];
        preprocess_into(&img, &norm(ColorFormat::Rgb), 2, 1, &mut out).unwrap();
        // Source x = 0.5 and 2.5: halfway between two equal pixels.
        assert_eq!(&out[0..2], &[255.0, 0.0]);
        assert_eq!(&out[4..6], &[0.0, 255.0]);
    }

    #[test]
    fn scale_and_offsets_follow_nvinfer_formula() {
        let f = frame();
        let img = ImageRoi::full_frame(&f, 4, 2, 16);
        let mut n = norm(ColorFormat::Rgb);
        n.scale = 0.5;
        n.offsets = [100.0, 10.0, 1.0];
        let mut out = vec![0.0; 3 * 8];
        preprocess_into(&img, &n, 4, 2, &mut out).unwrap();
        assert_eq!(out[0], 0.5 * (255.0 - 100.0));
        assert_eq!(out[8], 0.5 * (0.0 - 10.0));
        assert_eq!(out[16 + 3], 0.5 * (255.0 - 1.0));
    }

    #[test]
    fn aspect_ratio_with_symmetric_padding_and_mapping_back() {
        // 4x2 frame into a 4x4 network: image 4x2 centred, rows 1..3; padding rows 0 and 3.
        let f = frame();
        let img = ImageRoi::full_frame(&f, 4, 2, 16);
        let mut n = norm(ColorFormat::Rgb);
        n.maintain_aspect_ratio = true;
        n.symmetric_padding = true;
        n.offsets = [1.0, 1.0, 1.0];
        let mut out = vec![9.0; 3 * 16];
        let t = preprocess_into(&img, &n, 4, 4, &mut out).unwrap();
        assert_eq!(
            (t.pad_x, t.pad_y, t.scale_x, t.scale_y),
            (0.0, 1.0, 1.0, 1.0)
        );
        assert_eq!(&out[0..4], &[-1.0; 4]); // padding = scale * (0 - offset)
        assert_eq!(&out[4..8], &[254.0, 254.0, -1.0, -1.0]);
        assert_eq!(&out[12..16], &[-1.0; 4]);
        assert_eq!(t.to_frame(2.0, 2.0), (2.0, 1.0));
        // Without symmetric padding the image sits at the top.
        n.symmetric_padding = false;
        let t = preprocess_into(&img, &n, 4, 4, &mut out).unwrap();
        assert_eq!(t.pad_y, 0.0);
        assert_eq!(&out[0..4], &[254.0, 254.0, -1.0, -1.0]);
        assert_eq!(&out[8..12], &[-1.0; 4]);
    }

    #[test]
    fn crop_reads_only_the_region_and_maps_back() {
        let f = frame();
        let img = ImageRoi::region(&f, 4, 2, 16, Rect::new(2.0, 0.0, 2.0, 2.0));
        let mut out = vec![0.0; 3 * 4];
        let t = preprocess_into(&img, &norm(ColorFormat::Rgb), 2, 2, &mut out).unwrap();
        assert_eq!(&out[0..4], &[0.0; 4]); // no red inside the blue half
        assert_eq!(&out[8..12], &[255.0; 4]);
        assert_eq!(
            t.rect_to_frame(Rect::new(0.0, 0.0, 2.0, 2.0)),
            Rect::new(2.0, 0.0, 2.0, 2.0)
        );
    }

    #[test]
    fn gray_and_nhwc() {
        let f = frame();
        let img = ImageRoi::full_frame(&f, 4, 2, 16);
        let mut out = vec![0.0; 8];
        preprocess_into(&img, &norm(ColorFormat::Gray), 4, 2, &mut out).unwrap();
        assert!((out[0] - 0.299 * 255.0).abs() < 1e-3);
        assert!((out[3] - 0.114 * 255.0).abs() < 1e-3);
        let mut n = norm(ColorFormat::Rgb);
        n.order = TensorOrder::Nhwc;
        let mut out = vec![0.0; 24];
        preprocess_into(&img, &n, 4, 2, &mut out).unwrap();
        assert_eq!(&out[0..3], &[255.0, 0.0, 0.0]);
        assert_eq!(&out[9..12], &[0.0, 0.0, 255.0]);
    }

    #[test]
    fn bad_inputs_are_reported() {
        let f = frame();
        let img = ImageRoi::full_frame(&f[..20], 4, 2, 16);
        let mut out = vec![0.0; 24];
        let e = preprocess_into(&img, &norm(ColorFormat::Rgb), 4, 2, &mut out).unwrap_err();
        assert_eq!(
            e,
            "20 bytes of data; a 4x2 RGBA frame with stride 16 needs 32"
        );
        let img = ImageRoi::region(&f, 4, 2, 16, Rect::new(10.0, 0.0, 2.0, 2.0));
        let e = preprocess_into(&img, &norm(ColorFormat::Rgb), 4, 2, &mut out).unwrap_err();
        assert_eq!(
            e,
            "region left=10 top=0 width=2 height=2 has less than one pixel inside the 4x2 frame"
        );
    }
}
