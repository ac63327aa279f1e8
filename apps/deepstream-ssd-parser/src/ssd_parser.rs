//! `ssd_parser.py` of the sample: the TensorFlow object-detection API's four output layers
//! (`num_detections`, `detection_scores`, `detection_classes`, `detection_boxes`) turned into
//! detections, with per-class thresholds and a minimum box size, then per-class NMS
//! ([`crate::nms`]).

use crate::nms::cluster_and_fill_detection_output_nms;

/// `DetectionParam`: number of classes and a confidence threshold per class.
#[derive(Debug, Clone)]
pub struct DetectionParam {
    /// `num_classes`: class ids at or above it are dropped.
    pub num_classes: usize,
    /// `classes_threshold[c]`: detections of class `c` below it are dropped.
    pub classes_threshold: Vec<f32>,
}

impl DetectionParam {
    /// `DetectionParam(class_nb, threshold)`: the same threshold for every class.
    pub fn new(num_classes: usize, threshold: f32) -> DetectionParam {
        DetectionParam { num_classes, classes_threshold: vec![threshold; num_classes] }
    }
}

/// `BoxSizeParam`: the frame size the normalised boxes are measured against, and the
/// smallest box kept (in frame pixels, strictly larger).
#[derive(Debug, Clone, Copy)]
pub struct BoxSizeParam {
    /// Frame height (pixels).
    pub image_height: u32,
    /// Frame width (pixels).
    pub image_width: u32,
    /// A box must be wider than this (pixels).
    pub min_box_width: u32,
    /// A box must be taller than this (pixels).
    pub min_box_height: u32,
}

impl BoxSizeParam {
    /// `is_percentage_sufficiant`: whether a normalised box is larger than the minimum.
    pub fn is_percentage_sufficient(&self, percentage_height: f32, percentage_width: f32) -> bool {
        self.image_width as f32 * percentage_width > self.min_box_width as f32
            && self.image_height as f32 * percentage_height > self.min_box_height as f32
    }
}

/// `NmsParam`: `top_k` (0 = keep all) and the IoU above which a box is suppressed.
#[derive(Debug, Clone, Copy)]
pub struct NmsParam {
    /// Most objects kept per frame (all classes together); 0 = all.
    pub top_k: usize,
    /// IoU threshold of the per-class NMS.
    pub iou_threshold: f32,
}

/// `NvDsInferObjectDetectionInfo`: a detection, box normalised to 0..1 of the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectDetectionInfo {
    /// `classId` (COCO-91 id of the TF model's labels).
    pub class_id: u32,
    /// `detectionConfidence`.
    pub detection_confidence: f32,
    /// `left` (0..1).
    pub left: f32,
    /// `top` (0..1).
    pub top: f32,
    /// `width` (0..1).
    pub width: f32,
    /// `height` (0..1).
    pub height: f32,
}

/// One output layer as the probe reads it from `NvDsInferTensorMeta` (`get_nvds_LayerInfo`).
#[derive(Debug, Clone, Copy)]
pub struct Layer<'a> {
    /// `layerName`.
    pub name: &'a str,
    /// The values when the layer is FLOAT (`dataType == 0`), else `None`.
    pub data: Option<&'a [f32]>,
    /// `inferDims.d` (without the batch dimension).
    pub dims: &'a [u32],
}

/// The sample's message when a layer is missing (printed on stderr by the probe).
pub const MISSING_LAYERS: &str = "ERROR: some layers missing in output tensors";

/// The four layers the parser needs.
pub const LAYER_NAMES: [&str; 4] = ["num_detections", "detection_scores", "detection_classes", "detection_boxes"];

/// Why a frame's tensors could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// These of [`LAYER_NAMES`] are not among the FLOAT output layers.
    MissingLayers(Vec<&'static str>),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::MissingLayers(names) => write!(f, "{MISSING_LAYERS} (missing: {})", names.join(", ")),
        }
    }
}

impl std::error::Error for ParseError {}

/// `nvds_infer_parse_custom_tf_ssd`: the detections of one frame, thresholded, size-checked
/// and clustered by [`cluster_and_fill_detection_output_nms`].
///
/// `num_detections[0]` is clipped to `[0, detection_classes.inferDims.d[0]]` (and to what
/// the other layers hold); boxes are `[ymin, xmin, ymax, xmax]`, each clipped to 0..1.
///
/// Errors: a layer of [`LAYER_NAMES`] missing (or not FLOAT), as the sample's `None` check.
pub fn nvds_infer_parse_custom_tf_ssd(
    output_layer_info: &[Layer<'_>],
    detection_param: &DetectionParam,
    box_size_param: &BoxSizeParam,
    nms_param: &NmsParam,
) -> Result<Vec<ObjectDetectionInfo>, ParseError> {
    let find = |name: &str| output_layer_info.iter().find(|l| l.name == name && l.data.is_some());
    let layers: Vec<Option<&Layer>> = LAYER_NAMES.iter().map(|n| find(n)).collect();
    let missing: Vec<&'static str> = LAYER_NAMES.iter().zip(&layers).filter(|(_, l)| l.is_none()).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        return Err(ParseError::MissingLayers(missing));
    }
    let data = |i: usize| layers[i].and_then(|l| l.data).unwrap_or(&[]);
    let (num_layer, scores, classes, boxes) = (data(0), data(1), data(2), data(3));
    let classes_dim0 = layers[2].and_then(|l| l.dims.first()).copied().unwrap_or(0) as usize;
    let num = num_layer.first().copied().unwrap_or(0.0).max(0.0) as usize;
    let num = num.min(classes_dim0).min(scores.len()).min(classes.len()).min(boxes.len() / 4);

    let clip = |x: f32| x.clamp(0.0, 1.0);
    let mut object_list = Vec::new();
    for i in 0..num {
        let score = scores[i];
        let class_id = classes[i] as i64;
        if class_id < 0 || class_id as usize >= detection_param.num_classes {
            continue;
        }
        if score < detection_param.classes_threshold[class_id as usize] {
            continue;
        }
        let b = &boxes[i * 4..i * 4 + 4];
        let (y1, x1, y2, x2) = (clip(b[0]), clip(b[1]), clip(b[2]), clip(b[3]));
        let (width, height) = (x2 - x1, y2 - y1);
        if !box_size_param.is_percentage_sufficient(height, width) {
            continue;
        }
        object_list.push(ObjectDetectionInfo {
            class_id: class_id as u32,
            detection_confidence: score,
            left: x1,
            top: y1,
            width,
            height,
        });
    }
    Ok(cluster_and_fill_detection_output_nms(&object_list, nms_param.top_k, nms_param.iou_threshold))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> (DetectionParam, BoxSizeParam, NmsParam) {
        (
            DetectionParam::new(91, 0.5),
            BoxSizeParam { image_height: 1080, image_width: 1920, min_box_width: 32, min_box_height: 32 },
            NmsParam { top_k: 20, iou_threshold: 0.3 },
        )
    }

    #[test]
    fn thresholds_sizes_clipping_and_num_detections() {
        let num = [4.0f32];
        let scores = [0.9, 0.8, 0.4, 0.7, 0.95];
        let classes = [1.0, 3.0, 1.0, 95.0, 1.0];
        let boxes = [
            0.1, 0.1, 0.5, 0.3, // person, kept
            -0.2, 0.5, 0.01, 0.52, // car: clipped to [0, 0.01] tall: 10.8 px, dropped
            0.1, 0.1, 0.5, 0.3, // below threshold
            0.1, 0.1, 0.5, 0.3, // class 95 >= 91
            0.6, 0.6, 1.4, 0.9, // beyond num_detections
        ];
        let dims_n = [1u32];
        let dims_k = [5u32];
        let dims_b = [5u32, 4];
        let layers = [
            Layer { name: "detection_boxes", data: Some(&boxes), dims: &dims_b },
            Layer { name: "num_detections", data: Some(&num), dims: &dims_n },
            Layer { name: "detection_scores", data: Some(&scores), dims: &dims_k },
            Layer { name: "detection_classes", data: Some(&classes), dims: &dims_k },
        ];
        let (d, b, n) = params();
        let out = nvds_infer_parse_custom_tf_ssd(&layers, &d, &b, &n).unwrap();
        assert_eq!(out.len(), 1);
        let o = out[0];
        assert_eq!((o.class_id, o.detection_confidence), (1, 0.9));
        assert!((o.left - 0.1).abs() < 1e-6 && (o.top - 0.1).abs() < 1e-6);
        assert!((o.width - 0.2).abs() < 1e-6 && (o.height - 0.4).abs() < 1e-6);
    }

    #[test]
    fn a_missing_or_non_float_layer_is_named() {
        let num = [1.0f32];
        let dims = [1u32];
        let layers = [
            Layer { name: "num_detections", data: Some(&num), dims: &dims },
            Layer { name: "detection_scores", data: None, dims: &dims },
        ];
        let (d, b, n) = params();
        let e = nvds_infer_parse_custom_tf_ssd(&layers, &d, &b, &n).unwrap_err();
        assert_eq!(
            e.to_string(),
            "ERROR: some layers missing in output tensors (missing: detection_scores, detection_classes, detection_boxes)"
        );
    }
}
