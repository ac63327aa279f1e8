//! Output parsers: from the model's output layers of ONE batch item to detections,
//! classifier attributes or a segmentation map.
//!
//! Detector parsers are chosen by `parse-bbox-func-name` ([`DetectorParser::from_func_name`]);
//! without one, nvinfer's built-in DetectNet_v2 parser is used. Detector parsers return boxes
//! in network-input pixels, clipped to the network input, with the per-class
//! `pre-cluster-threshold` applied and classes at or above `num-detected-classes` dropped,
//! as nvinfer's parsers do.

use ndarray::{Array2, Array3};

use crate::output::{Attribute, Detection, Segmentation};
use crate::preprocess::Rect;

/// One output layer of one batch item.
#[derive(Debug, Clone, Copy)]
pub struct Layer<'a> {
    /// Layer name.
    pub name: &'a str,
    /// Dimensions without the batch dimension.
    pub dims: &'a [usize],
    /// Values, row-major.
    pub data: &'a [f32],
}

/// What a detector parser needs besides the layers.
#[derive(Debug, Clone)]
pub struct DetectorParams {
    /// Network input width in pixels.
    pub net_w: usize,
    /// Network input height in pixels.
    pub net_h: usize,
    /// `num-detected-classes`: classes at or above it are dropped.
    pub num_classes: u32,
    /// `pre-cluster-threshold` of each class (`num_classes` entries).
    pub thresholds: Vec<f32>,
}

impl DetectorParams {
    fn threshold(&self, class: usize) -> f32 {
        self.thresholds.get(class).copied().unwrap_or(f32::INFINITY)
    }
    fn min_threshold(&self) -> f32 {
        self.thresholds
            .iter()
            .copied()
            .fold(f32::INFINITY, f32::min)
    }
    fn clip(&self, l: f32, t: f32, r: f32, b: f32) -> Option<Rect> {
        let (w, h) = (self.net_w as f32, self.net_h as f32);
        let l = l.clamp(0.0, w);
        let r = r.clamp(0.0, w);
        let t = t.clamp(0.0, h);
        let b = b.clamp(0.0, h);
        (r > l && b > t).then(|| Rect::new(l, t, r - l, b - t))
    }
}

/// The built-in detector output parsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectorParser {
    /// nvinfer's default (no `parse-bbox-func-name`, or `NvDsInferParseCustomResnet`):
    /// DetectNet_v2 grid output, a coverage layer `[classes, gh, gw]` (name containing `cov`)
    /// and a box layer `[4 × classes, gh, gw]` (name containing `bbox`), box norm 35.
    DetectNetV2,
    /// YOLO family (any name containing `yolo`, e.g. `NvDsInferParseCustomYoloV3Tiny`,
    /// `NvDsInferParseYolo`): every output layer `[rows, 5 + classes]` with rows `[cx, cy, w,
    /// h, objectness, class scores...]` (score = objectness × class score), or `[rows, 4 +
    /// classes]` / `[4 + classes, rows]` without objectness (YOLOv8 style). Boxes are
    /// normalised to 0..1 of the network input, or network pixels when any value is above 2.
    /// YOLOv3-tiny's two output scales are two such layers.
    Yolo,
    /// SSD with a TensorRT NMS layer (`NvDsInferParseCustomSSD`, `NvDsInferParseCustomNMSTLT`):
    /// `[1, keep_top_k, 7]` rows `[image, label, confidence, xmin, ymin, xmax, ymax]`
    /// (normalised), and optionally a second layer holding the number of valid rows.
    SsdNms,
    /// TensorFlow object-detection API SSD (`NvDsInferParseCustomTfSSD`): layers named
    /// `num_detections`, `detection_boxes` (`[k, 4]`, ymin, xmin, ymax, xmax normalised),
    /// `detection_scores` and `detection_classes`.
    TfSsd,
    /// CenterFace (`NvDsInferParseCenterFace`, or any name containing `centerface`): heatmap
    /// `[1, h, w]`, scale `[2, h, w]`, offset `[2, h, w]`, landmarks `[10, h, w]`, in that
    /// order; 5 landmarks per face.
    CenterFace,
}

impl DetectorParser {
    /// Names accepted for `parse-bbox-func-name`, for messages.
    pub const KNOWN: &'static str = "NvDsInferParseCustomResnet (DetectNet_v2, the default), any name containing 'Yolo' \
        (NvDsInferParseCustomYoloV3Tiny, NvDsInferParseYolo ...), NvDsInferParseCustomSSD, NvDsInferParseCustomNMSTLT, \
        NvDsInferParseCustomTfSSD, NvDsInferParseCenterFace";

    /// The parser for a `parse-bbox-func-name` value (`None`: the default DetectNet_v2 parser).
    pub fn from_func_name(name: Option<&str>) -> Option<DetectorParser> {
        let Some(name) = name else {
            return Some(DetectorParser::DetectNetV2);
        };
        let lower = name.to_ascii_lowercase();
        Some(match name {
            "NvDsInferParseCustomResnet" => DetectorParser::DetectNetV2,
            "NvDsInferParseCustomSSD" | "NvDsInferParseCustomNMSTLT" => DetectorParser::SsdNms,
            "NvDsInferParseCustomTfSSD" => DetectorParser::TfSsd,
            _ if lower.contains("yolo") => DetectorParser::Yolo,
            _ if lower.contains("centerface") => DetectorParser::CenterFace,
            _ => return None,
        })
    }

    /// Parses one batch item's layers into detections in network pixels.
    pub fn parse(self, layers: &[Layer], p: &DetectorParams) -> Result<Vec<Detection>, String> {
        match self {
            DetectorParser::DetectNetV2 => parse_detectnet_v2(layers, p),
            DetectorParser::Yolo => parse_yolo(layers, p),
            DetectorParser::SsdNms => parse_ssd_nms(layers, p),
            DetectorParser::TfSsd => parse_tf_ssd(layers, p),
            DetectorParser::CenterFace => parse_centerface(layers, p),
        }
    }
}

fn det(class_id: usize, confidence: f32, rect: Rect) -> Detection {
    Detection {
        class_id: class_id as u32,
        confidence,
        rect,
        label: None,
        landmarks: Vec::new(),
        mask: None,
    }
}

/// Dimensions with leading 1s removed down to `rank` (a `[1, rows, cols]` layer is
/// `[rows, cols]` at rank 2).
fn squeeze(dims: &[usize], rank: usize) -> &[usize] {
    let mut d = dims;
    while d.len() > rank && d[0] == 1 {
        d = &d[1..];
    }
    d
}

fn dims_chw(layer: &Layer) -> Result<(usize, usize, usize), String> {
    let d = squeeze(layer.dims, 3);
    match d.len() {
        3 => Ok((d[0], d[1], d[2])),
        2 => Ok((1, d[0], d[1])),
        _ => Err(format!(
            "layer '{}' has dims {:?}; expected [channels, height, width]",
            layer.name, layer.dims
        )),
    }
}

/// DetectNet_v2 grid parser (see [`DetectorParser::DetectNetV2`]).
pub fn parse_detectnet_v2(layers: &[Layer], p: &DetectorParams) -> Result<Vec<Detection>, String> {
    let find = |s: &str| layers.iter().find(|l| l.name.contains(s));
    let (cov, bbox) = match (find("cov"), find("bbox")) {
        (Some(c), Some(b)) => (c, b),
        _ => {
            // Layers renamed by the export: tell them apart by channel count.
            let mut v: Vec<&Layer> = layers.iter().collect();
            v.sort_by_key(|l| dims_chw(l).map(|d| d.0).unwrap_or(0));
            match v.as_slice() {
                [c, b] if dims_chw(c)?.0 * 4 == dims_chw(b)?.0 => (*c, *b),
                _ => {
                    return Err(
                        "DetectNet_v2 needs a coverage layer ('cov') and a box layer ('bbox')"
                            .into(),
                    );
                }
            }
        }
    };
    let (classes, gh, gw) = dims_chw(cov)?;
    let (bc, bh, bw) = dims_chw(bbox)?;
    if bc != classes * 4 || bh != gh || bw != gw {
        return Err(format!(
            "box layer '{}' {:?} does not match coverage layer '{}' {:?}",
            bbox.name, bbox.dims, cov.name, cov.dims
        ));
    }
    let grid = gh * gw;
    let norm = 35.0f32;
    let stride_x = p.net_w.div_ceil(gw) as f32;
    let stride_y = p.net_h.div_ceil(gh) as f32;
    let mut out = Vec::new();
    for c in 0..classes.min(p.num_classes as usize) {
        let thr = p.threshold(c);
        let b = &bbox.data[c * 4 * grid..(c + 1) * 4 * grid];
        for y in 0..gh {
            let cy = (y as f32 * stride_y + 0.5) / norm;
            for x in 0..gw {
                let i = y * gw + x;
                let conf = cov.data[c * grid + i];
                if conf < thr {
                    continue;
                }
                let cx = (x as f32 * stride_x + 0.5) / norm;
                let l = (b[i] - cx) * -norm;
                let t = (b[grid + i] - cy) * -norm;
                let r = (b[2 * grid + i] + cx) * norm;
                let bo = (b[3 * grid + i] + cy) * norm;
                if let Some(rect) = p.clip(l, t, r, bo) {
                    out.push(det(c, conf, rect));
                }
            }
        }
    }
    Ok(out)
}

/// YOLO parser (see [`DetectorParser::Yolo`]).
pub fn parse_yolo(layers: &[Layer], p: &DetectorParams) -> Result<Vec<Detection>, String> {
    let nc = p.num_classes as usize;
    let min_thr = p.min_threshold();
    let mut out = Vec::new();
    for layer in layers {
        let d = squeeze(layer.dims, 2);
        if d.len() != 2 {
            return Err(format!(
                "YOLO layer '{}' has dims {:?}; expected [rows, 5 + classes]",
                layer.name, layer.dims
            ));
        }
        // Layout: rows of 5 + C (objectness), rows of 4 + C, or transposed [4 + C, rows].
        let (rows, cols, transposed) = if d[0] == 4 + nc && d[1] > d[0] {
            (d[1], d[0], true)
        } else {
            (d[0], d[1], false)
        };
        let objectness = cols != 4 + nc;
        let first_class = if objectness { 5 } else { 4 };
        if cols <= first_class {
            return Err(format!(
                "YOLO layer '{}' has {cols} values per row; expected 5 + classes",
                layer.name
            ));
        }
        let at = |r: usize, k: usize| {
            if transposed {
                layer.data[k * rows + r]
            } else {
                layer.data[r * cols + k]
            }
        };
        // Normalised (0..1) or pixel coordinates?
        let pixels = (0..rows).any(|r| (0..4).any(|k| at(r, k) > 2.0));
        let (sx, sy) = if pixels {
            (1.0, 1.0)
        } else {
            (p.net_w as f32, p.net_h as f32)
        };
        for r in 0..rows {
            let obj = if objectness { at(r, 4) } else { 1.0 };
            if obj < min_thr {
                continue;
            }
            let (mut best, mut best_c) = (f32::MIN, 0);
            for k in first_class..cols {
                let s = at(r, k);
                if s > best {
                    best = s;
                    best_c = k - first_class;
                }
            }
            let score = obj * best;
            if best_c >= nc || score < p.threshold(best_c) {
                continue;
            }
            let (cx, cy, w, h) = (at(r, 0) * sx, at(r, 1) * sy, at(r, 2) * sx, at(r, 3) * sy);
            if let Some(rect) = p.clip(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0) {
                out.push(det(best_c, score, rect));
            }
        }
    }
    Ok(out)
}

/// SSD with a TensorRT NMS layer (see [`DetectorParser::SsdNms`]).
pub fn parse_ssd_nms(layers: &[Layer], p: &DetectorParams) -> Result<Vec<Detection>, String> {
    let nms = layers
        .iter()
        .find(|l| l.data.len() >= 7 && l.data.len() % 7 == 0 && l.dims.last() == Some(&7))
        .ok_or("SSD needs a layer of rows [image, label, confidence, xmin, ymin, xmax, ymax] (last dimension 7)")?;
    let rows = nms.data.len() / 7;
    let keep = layers
        .iter()
        .find(|l| l.data.len() == 1)
        .map(|l| l.data[0].max(0.0) as usize)
        .unwrap_or(rows)
        .min(rows);
    let (w, h) = (p.net_w as f32, p.net_h as f32);
    let mut out = Vec::new();
    for r in nms.data.chunks_exact(7).take(keep) {
        if r[0] < 0.0 {
            break; // -1: end of detections
        }
        let c = r[1].max(0.0) as usize;
        let conf = r[2];
        if c >= p.num_classes as usize || conf < p.threshold(c) {
            continue;
        }
        if let Some(rect) = p.clip(r[3] * w, r[4] * h, r[5] * w, r[6] * h) {
            out.push(det(c, conf, rect));
        }
    }
    Ok(out)
}

/// TensorFlow object-detection API SSD (see [`DetectorParser::TfSsd`]).
pub fn parse_tf_ssd(layers: &[Layer], p: &DetectorParams) -> Result<Vec<Detection>, String> {
    let find = |s: &str| {
        layers
            .iter()
            .find(|l| l.name.contains(s))
            .ok_or(format!("TF SSD needs a layer named '{s}'"))
    };
    let boxes = find("detection_boxes")?;
    let scores = find("detection_scores")?;
    let classes = find("detection_classes")?;
    let k = scores
        .data
        .len()
        .min(classes.data.len())
        .min(boxes.data.len() / 4);
    let n = find("num_detections")
        .map(|l| l.data.first().copied().unwrap_or(0.0).max(0.0) as usize)
        .unwrap_or(k)
        .min(k);
    let (w, h) = (p.net_w as f32, p.net_h as f32);
    let mut out = Vec::new();
    for i in 0..n {
        let c = classes.data[i].max(0.0) as usize;
        let conf = scores.data[i];
        if c >= p.num_classes as usize || conf < p.threshold(c) {
            continue;
        }
        let b = &boxes.data[i * 4..i * 4 + 4];
        if let Some(rect) = p.clip(b[1] * w, b[0] * h, b[3] * w, b[2] * h) {
            out.push(det(c, conf, rect));
        }
    }
    Ok(out)
}

/// CenterFace (see [`DetectorParser::CenterFace`]). Faces are class 0.
pub fn parse_centerface(layers: &[Layer], p: &DetectorParams) -> Result<Vec<Detection>, String> {
    let by_channels = |c: usize| -> Vec<&Layer> {
        layers
            .iter()
            .filter(|l| dims_chw(l).map(|d| d.0 == c).unwrap_or(false))
            .collect()
    };
    let heat = by_channels(1);
    let two = by_channels(2);
    let lms = by_channels(10);
    let (heat, scale, offset) = match (heat.first(), two.as_slice()) {
        (Some(h), [s, o, ..]) => (*h, *s, *o),
        _ => return Err("CenterFace needs a heatmap [1,h,w], a scale [2,h,w] and an offset [2,h,w] layer, in that order".into()),
    };
    let (_, gh, gw) = dims_chw(heat)?;
    if dims_chw(scale)? != (2, gh, gw) || dims_chw(offset)? != (2, gh, gw) {
        return Err("CenterFace layers have different grid sizes".into());
    }
    let lms = lms
        .first()
        .filter(|l| dims_chw(l).map(|d| d == (10, gh, gw)).unwrap_or(false));
    let stride_x = p.net_w as f32 / gw as f32;
    let stride_y = p.net_h as f32 / gh as f32;
    let grid = gh * gw;
    let thr = p.threshold(0);
    let mut out = Vec::new();
    for y in 0..gh {
        for x in 0..gw {
            let i = y * gw + x;
            let s = heat.data[i];
            if s <= thr {
                continue;
            }
            let s0 = scale.data[i].exp() * stride_y; // height
            let s1 = scale.data[grid + i].exp() * stride_x; // width
            let (o0, o1) = (offset.data[i], offset.data[grid + i]);
            let x1 = ((x as f32 + o1 + 0.5) * stride_x - s1 / 2.0).max(0.0);
            let y1 = ((y as f32 + o0 + 0.5) * stride_y - s0 / 2.0).max(0.0);
            let Some(rect) = p.clip(x1, y1, x1 + s1, y1 + s0) else {
                continue;
            };
            let mut d = det(0, s, rect);
            if let Some(l) = lms {
                for j in 0..5 {
                    let ly = l.data[(2 * j) * grid + i] * s0 + y1;
                    let lx = l.data[(2 * j + 1) * grid + i] * s1 + x1;
                    d.landmarks.push([lx, ly]);
                }
            }
            out.push(d);
        }
    }
    Ok(out)
}

/// nvinfer's default classifier parser: each output layer is one attribute; the class with
/// the highest probability above `threshold` (strictly) is reported. Outputs with values
/// outside 0..1 (logits) get a softmax first.
pub fn parse_classifier(
    layers: &[Layer],
    threshold: f32,
    labels: &[Vec<String>],
) -> Vec<Attribute> {
    let mut out = Vec::new();
    for (l, layer) in layers.iter().enumerate() {
        let probs: Vec<f32> = if layer.data.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            softmax(layer.data)
        } else {
            layer.data.to_vec()
        };
        let mut best: Option<(usize, f32)> = None;
        for (c, &p) in probs.iter().enumerate() {
            if p > threshold && best.is_none_or(|(_, b)| p > b) {
                best = Some((c, p));
            }
        }
        if let Some((c, p)) = best {
            out.push(Attribute {
                attribute_index: l as u32,
                value: c as u32,
                probability: p,
                label: labels.get(l).and_then(|v| v.get(c)).cloned(),
            });
        }
    }
    out
}

/// Softmax of a vector (numerically stable).
pub fn softmax(v: &[f32]) -> Vec<f32> {
    let m = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = v.iter().map(|&x| (x - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.into_iter().map(|x| x / s).collect()
}

/// Semantic segmentation: the layer is `[classes, height, width]` (or `[height, width]` for
/// one class); each pixel gets the class of highest probability, or -1 when that probability
/// is below `threshold`.
pub fn parse_segmentation(layer: &Layer, threshold: f32) -> Result<Segmentation, String> {
    let (c, h, w) = dims_chw(layer)?;
    let probabilities =
        Array3::from_shape_vec((c, h, w), layer.data.to_vec()).map_err(|e| e.to_string())?;
    let plane = h * w;
    let mut class_map = Array2::from_elem((h, w), -1i32);
    if let Some(map) = class_map.as_slice_mut() {
        for (i, m) in map.iter_mut().enumerate() {
            let (mut best, mut best_c) = (f32::NEG_INFINITY, -1i32);
            for k in 0..c {
                let v = layer.data[k * plane + i];
                if v > best {
                    best = v;
                    best_c = k as i32;
                }
            }
            *m = if best >= threshold { best_c } else { -1 };
        }
    }
    Ok(Segmentation {
        class_map,
        probabilities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(w: usize, h: usize, classes: u32, thr: f32) -> DetectorParams {
        DetectorParams {
            net_w: w,
            net_h: h,
            num_classes: classes,
            thresholds: vec![thr; classes as usize],
        }
    }

    #[test]
    fn names_choose_parsers() {
        use DetectorParser::*;
        assert_eq!(DetectorParser::from_func_name(None), Some(DetectNetV2));
        assert_eq!(
            DetectorParser::from_func_name(Some("NvDsInferParseCustomYoloV3Tiny")),
            Some(Yolo)
        );
        assert_eq!(
            DetectorParser::from_func_name(Some("NvDsInferParseYolo")),
            Some(Yolo)
        );
        assert_eq!(
            DetectorParser::from_func_name(Some("NvDsInferParseCustomNMSTLT")),
            Some(SsdNms)
        );
        assert_eq!(
            DetectorParser::from_func_name(Some("NvDsInferParseCustomTfSSD")),
            Some(TfSsd)
        );
        assert_eq!(
            DetectorParser::from_func_name(Some("NvDsInferParseCenterFace")),
            Some(CenterFace)
        );
        assert_eq!(
            DetectorParser::from_func_name(Some("NvDsInferParseCustomDDETRTAO")),
            None
        );
    }

    #[test]
    fn yolo_two_scales_objectness_times_class() {
        // 2 classes; network 100x50. Layer A: 2 rows; layer B: 1 row.
        // Row A0: centre (0.5,0.5) size (0.2,0.4) obj 0.9, classes (0.1, 0.8) -> class 1, 0.72,
        //         box cx=50 cy=25 w=20 h=20 -> (40, 15, 20, 20).
        // Row A1: obj 0.3 -> below 0.5 -> dropped before classes.
        // Row B0: obj 0.8 class0 0.7 -> 0.56, box (0.1,0.1,0.4,0.4) -> cx 10 w 40 -> left -10 clipped to 0.
        let a = [
            0.5, 0.5, 0.2, 0.4, 0.9, 0.1, 0.8, 0.5, 0.5, 0.2, 0.2, 0.3, 0.9, 0.9,
        ];
        let b = [0.1, 0.1, 0.4, 0.4, 0.8, 0.7, 0.1];
        let layers = [
            Layer {
                name: "coarse",
                dims: &[2, 7],
                data: &a,
            },
            Layer {
                name: "fine",
                dims: &[1, 1, 7],
                data: &b,
            },
        ];
        let d = parse_yolo(&layers, &params(100, 50, 2, 0.5)).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].class_id, 1);
        assert!((d[0].confidence - 0.72).abs() < 1e-6);
        assert_eq!(d[0].rect, Rect::new(40.0, 15.0, 20.0, 20.0));
        assert_eq!(d[1].class_id, 0);
        assert!((d[1].confidence - 0.56).abs() < 1e-6);
        // cx=10, cy=5, w=40, h=20: left -10 -> 0, right 30, top -5 -> 0, bottom 15.
        assert_eq!(d[1].rect, Rect::new(0.0, 0.0, 30.0, 15.0));
        // Classes at or above num-detected-classes are dropped.
        let d = parse_yolo(&layers, &params(100, 50, 1, 0.5)).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].class_id, 0);
    }

    #[test]
    fn yolo_v8_transposed_pixels() {
        // [4 + 1, 6 rows]: cx row, cy row, w row, h row, class row; pixel coordinates.
        let mut data = [0.0f32; 30];
        data[0] = 50.0; // cx of row 0
        data[6] = 40.0; // cy
        data[12] = 20.0; // w
        data[18] = 10.0; // h
        data[24] = 0.9; // class 0 score of row 0
        data[25] = 0.2; // class 0 score of row 1: below threshold
        let layers = [Layer {
            name: "output0",
            dims: &[1, 5, 6],
            data: &data,
        }];
        let d = parse_yolo(&layers, &params(100, 100, 1, 0.5)).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rect, Rect::new(40.0, 35.0, 20.0, 10.0));
        assert_eq!(d[0].confidence, 0.9);
    }

    #[test]
    fn detectnet_v2_grid_by_hand() {
        // One class, 1x2 grid, network 32x16: stride_x = 16, stride_y = 16.
        // Cell (0,1): centre cx = (16 + 0.5)/35, cy = 0.5/35. Box offsets o = [x1, y1, x2, y2]
        // give left = (cx - o1) * 35 = 16.5 - 35*o1 ... pick o1 = 0.1 -> left = 16.5 - 3.5 = 13.
        let cov = [0.1, 0.9];
        // bbox planes [x1(2), y1(2), x2(2), y2(2)]
        let bbox = [0.0, 0.1, 0.0, 0.0, 0.0, 0.1, 0.0, 0.2];
        let layers = [
            Layer {
                name: "output_cov/Sigmoid",
                dims: &[1, 1, 2],
                data: &cov,
            },
            Layer {
                name: "output_bbox/BiasAdd",
                dims: &[4, 1, 2],
                data: &bbox,
            },
        ];
        let d = parse_detectnet_v2(&layers, &params(32, 16, 1, 0.5)).unwrap();
        assert_eq!(d.len(), 1);
        let r = d[0].rect;
        assert!((r.left - 13.0).abs() < 1e-4, "{r:?}");
        // top = (0 - 0.5/35) * -35 = 0.5; right = (0.1 + 16.5/35) * 35 = 20;
        // bottom = (0.2 + 0.5/35) * 35 = 7.5.
        assert!((r.top - 0.5).abs() < 1e-4);
        assert!((r.right() - 20.0).abs() < 1e-4);
        assert!((r.bottom() - 7.5).abs() < 1e-4);
        assert_eq!(d[0].confidence, 0.9);
    }

    #[test]
    fn ssd_nms_rows_and_keep_count() {
        let rows = [
            0.0, 1.0, 0.9, 0.1, 0.2, 0.5, 0.6, // class 1, box (10, 20) - (50, 60)
            0.0, 2.0, 0.3, 0.0, 0.0, 1.0, 1.0, // below threshold
            0.0, 1.0, 0.8, 0.0, 0.0, 0.1, 0.1, // beyond keep count
        ];
        let count = [2.0];
        let layers = [
            Layer {
                name: "NMS",
                dims: &[1, 3, 7],
                data: &rows,
            },
            Layer {
                name: "NMS_1",
                dims: &[1],
                data: &count,
            },
        ];
        let d = parse_ssd_nms(&layers, &params(100, 100, 3, 0.5)).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].class_id, d[0].confidence), (1, 0.9));
        let r = d[0].rect;
        assert!(
            (r.left - 10.0).abs() < 1e-4
                && (r.top - 20.0).abs() < 1e-4
                && (r.width - 40.0).abs() < 1e-4
        );
    }

    #[test]
    fn tf_ssd_yx_order() {
        let boxes = [0.1, 0.2, 0.5, 0.6, 0.0, 0.0, 1.0, 1.0];
        let scores = [0.9, 0.8];
        let classes = [3.0, 1.0];
        let num = [1.0];
        let layers = [
            Layer {
                name: "detection_boxes",
                dims: &[2, 4],
                data: &boxes,
            },
            Layer {
                name: "detection_scores",
                dims: &[2],
                data: &scores,
            },
            Layer {
                name: "detection_classes",
                dims: &[2],
                data: &classes,
            },
            Layer {
                name: "num_detections",
                dims: &[],
                data: &num,
            },
        ];
        let d = parse_tf_ssd(&layers, &params(100, 100, 91, 0.5)).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].class_id, 3);
        let r = d[0].rect;
        assert!(
            (r.left - 20.0).abs() < 1e-4
                && (r.top - 10.0).abs() < 1e-4
                && (r.right() - 60.0).abs() < 1e-4
        );
    }

    #[test]
    fn centerface_decode_by_hand() {
        // 1x2 grid on a 8x4 network: stride 4. Cell (0,1): heat 0.8, scale ln(2) -> size 8x8,
        // offsets 0 -> centre ((1 + 0.5) * 4, 0.5 * 4) = (6, 2) -> x1 = 2, y1 = 0 (from -2).
        let heat = [0.1, 0.8];
        let ln2 = 2f32.ln();
        let scale = [0.0, ln2, 0.0, ln2];
        let offset = [0.0; 4];
        let mut lms = [0.0f32; 20];
        lms[1] = 0.5; // landmark 0 y at cell 1: 0.5 * 8 + 0 = 4
        lms[3] = 0.25; // landmark 0 x at cell 1: 0.25 * 8 + 2 = 4
        let layers = [
            Layer {
                name: "537",
                dims: &[1, 1, 2],
                data: &heat,
            },
            Layer {
                name: "538",
                dims: &[2, 1, 2],
                data: &scale,
            },
            Layer {
                name: "539",
                dims: &[2, 1, 2],
                data: &offset,
            },
            Layer {
                name: "540",
                dims: &[10, 1, 2],
                data: &lms,
            },
        ];
        let d = parse_centerface(&layers, &params(8, 4, 1, 0.5)).unwrap();
        assert_eq!(d.len(), 1);
        let r = d[0].rect;
        assert!(
            (r.left - 2.0).abs() < 1e-4
                && r.top == 0.0
                && (r.right() - 8.0).abs() < 1e-4
                && (r.bottom() - 4.0).abs() < 1e-4,
            "{r:?}"
        );
        assert!(
            (d[0].landmarks[0][0] - 4.0).abs() < 1e-4 && (d[0].landmarks[0][1] - 4.0).abs() < 1e-4
        );
    }

    #[test]
    fn classifier_threshold_and_labels() {
        let gender = [0.07, 0.93];
        let colour = [0.3, 0.3, 0.4];
        let labels = vec![
            vec!["female".to_string(), "male".to_string()],
            vec!["red".into(), "green".into(), "blue".into()],
        ];
        let layers = [
            Layer {
                name: "g",
                dims: &[2],
                data: &gender,
            },
            Layer {
                name: "c",
                dims: &[3],
                data: &colour,
            },
        ];
        let a = parse_classifier(&layers, 0.5, &labels);
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0].attribute_index, a[0].value, a[0].label.as_deref()),
            (0, 1, Some("male"))
        );
        let a = parse_classifier(&layers, 0.35, &labels);
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].label.as_deref(), Some("blue"));
        // Logits get a softmax: [0, ln 3] -> [0.25, 0.75].
        let logits = [0.0, 3f32.ln()];
        let a = parse_classifier(
            &[Layer {
                name: "x",
                dims: &[2],
                data: &logits,
            }],
            0.5,
            &[],
        );
        assert!((a[0].probability - 0.75).abs() < 1e-6);
        assert_eq!(a[0].label, None);
    }

    #[test]
    fn segmentation_argmax_and_threshold() {
        // 2 classes, 1x3 pixels.
        let data = [0.9, 0.2, 0.4, 0.1, 0.8, 0.45];
        let s = parse_segmentation(
            &Layer {
                name: "seg",
                dims: &[2, 1, 3],
                data: &data,
            },
            0.5,
        )
        .unwrap();
        assert_eq!(s.class_map.as_slice().unwrap(), &[0, 1, -1]);
        assert_eq!(s.probabilities.shape(), &[2, 1, 3]);
    }
}
