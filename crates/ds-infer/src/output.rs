//! What inference returns for one input ([`InferOutput`]).

use ndarray::{Array2, Array3};

use crate::preprocess::Rect;

/// One detected object (nvinfer's `NvDsInferObject`, which becomes an `NvDsObjectMeta`).
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Class index (a line of the label file).
    pub class_id: u32,
    /// Detection confidence (0..1 for the built-in parsers).
    pub confidence: f32,
    /// Box in FRAME pixels (left, top, width, height), clipped to the frame.
    /// (Inside the parsers, before mapping, it is in network-input pixels.)
    pub rect: Rect,
    /// The class's label (first `;` field of its label line), when there is a label file.
    pub label: Option<String>,
    /// Landmarks (x, y) in frame pixels, for models that give them (CenterFace: eyes, nose,
    /// mouth corners).
    pub landmarks: Vec<[f32; 2]>,
    /// The object's instance mask (`network-type=3` with `output-instance-mask=1`), which
    /// becomes its `NvOSD_MaskParams`.
    pub mask: Option<InstanceMask>,
}

/// One object's instance mask (nvinfer's `NvDsInferObject.mask`, which becomes the object
/// meta's `NvOSD_MaskParams`): `height × width` values over the object's box (the mask's
/// (0, 0) is the box's top-left corner, its (width, height) the bottom-right one), each the
/// probability that the pixel belongs to the object.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceMask {
    /// Values per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width × height` values, row-major, 0..1.
    pub data: Vec<f32>,
    /// Values above it are inside the object (the config's `segmentation-threshold`, which
    /// nvinfer gives as `NvOSD_MaskParams.threshold`).
    pub threshold: f32,
}

/// One classifier result (nvinfer's `NvDsInferAttribute`, which becomes an `NvDsLabelInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Attribute index: the output layer it came from (the line of the label file).
    pub attribute_index: u32,
    /// Value: the winning class within the attribute.
    pub value: u32,
    /// Probability of that class.
    pub probability: f32,
    /// Its label (`labels[attribute_index][value]`), when there is one.
    pub label: Option<String>,
}

/// Semantic segmentation of one input (nvinfer's `NvDsInferSegmentationMeta`).
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    /// Class of each output pixel, `[height, width]` of the model's output; -1 where the best
    /// probability is below `segmentation-threshold`.
    pub class_map: Array2<i32>,
    /// Per-class probabilities, `[classes, height, width]`, as the model gave them.
    pub probabilities: Array3<f32>,
}

/// One raw output layer (`output-tensor-meta=1`; nvinfer's `NvDsInferTensorMeta`): for one
/// input in [`InferOutput::tensors`], for a whole batch from [`crate::engine::Engine::run`].
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTensor {
    /// Layer name as in the model.
    pub name: String,
    /// Dimensions: without the batch dimension in [`InferOutput::tensors`] (e.g. `[507, 85]`),
    /// batch first from an engine.
    pub dims: Vec<usize>,
    /// Values, row-major, converted to f32.
    pub data: Vec<f32>,
}

/// Everything inference produced for one input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InferOutput {
    /// Detector results, in frame pixels (empty for other network types).
    pub detections: Vec<Detection>,
    /// Classifier results (empty for other network types, or when nothing passed
    /// `classifier-threshold`).
    pub attributes: Vec<Attribute>,
    /// Segmentation result (segmentation networks only).
    pub segmentation: Option<Segmentation>,
    /// Raw output tensors, when `output-tensor-meta=1` (or `network-type=100`).
    pub tensors: Vec<OutputTensor>,
}

impl InferOutput {
    /// The classifier result string nvinfer builds: the labels of all attributes, separated
    /// by spaces (e.g. `"female "`, as nvinfer appends a space after each).
    pub fn classifier_label(&self) -> String {
        let mut s = String::new();
        for a in &self.attributes {
            if let Some(l) = &a.label {
                s.push_str(l);
                s.push(' ');
            }
        }
        s
    }
}
