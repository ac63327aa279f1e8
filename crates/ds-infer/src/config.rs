//! The nvinfer config file: `[property]`, `[class-attrs-all]` and `[class-attrs-<id>]`.
//!
//! The format is GKeyFile (read with glib's `KeyFile`, as nvinfer does), with DeepStream's
//! key names. Paths are relative to the config file's folder. Lists use `;` (a trailing `;`
//! is allowed). Inline comments after a value (`operate-on-gie-id=1 #Primary network`)
//! are accepted, as nvinfer accepts them after integers.
//!
//! What this parser does with each key:
//! - keys the portable backend honours: parsed, checked, and stored in [`InferConfig`];
//! - DeepStream-only keys ([`DEEPSTREAM_ONLY_KEYS`]: TensorRT engine files ...): accepted,
//!   and listed in one info line;
//! - `gpu-id`: the GPU of the CUDA provider where one is used ([`crate::device`]);
//! - `network-mode` and `int8-calib-file`: honoured as [`NetworkMode`] (INT8 runs the model
//!   quantized from the calibration file, see [`crate::int8`]);
//! - any other key: a warning that names it, and ignored (nvinfer ignores it too);
//! - a value that does not parse or is out of range: [`ConfigError::BadValue`];
//! - a missing model or label file: [`ConfigError::MissingFile`] (from
//!   [`InferConfig::from_file`]; [`InferConfig::parse_file`] reads the keys only).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use glib::{KeyFile, KeyFileFlags};

use crate::error::ConfigError;

/// The `[property]` group.
pub const PROPERTY_GROUP: &str = "property";
/// The group whose detection attributes apply to every class.
pub const CLASS_ATTRS_ALL_GROUP: &str = "class-attrs-all";

/// Keys that only make sense with TensorRT on an NVIDIA GPU. They are accepted and ignored
/// (one info line names those present).
pub const DEEPSTREAM_ONLY_KEYS: &[&str] = &[
    "model-engine-file",
    "tlt-model-key",
    "workspace-size",
    "enable-dla",
    "use-dla-core",
    "force-implicit-batch-dim",
    "scaling-filter",
    "scaling-compute-hw",
    "output-io-formats",
    "layer-device-precision",
    "disable-output-host-copy",
    "custom-lib-path",
    "engine-create-func-name",
    "uff-input-blob-name",
    "tensor-meta-pool-size",
    "enable-dbscan-gpu",
    "dump-input-tensor",
    "dump-output-tensor",
    "overwrite-input-tensor",
    "ip-tensor-file",
    "crop-objects-to-roi-boundary",
    "infer-raw-output-dir",
    "parse-bbox-instance-mask-func-name",
    "segmentation-output-order",
    "classifier-type",
    "num-extra-surfaces",
    "input-tensor-from-meta",
    "user-meta",
    "model-engine-file-path",
];

/// `[property]` keys that the portable backend reads.
pub const PROPERTY_KEYS: &[&str] = &[
    "net-scale-factor",
    "offsets",
    "model-color-format",
    "onnx-file",
    "model-file",
    "proto-file",
    "uff-file",
    "tlt-encoded-model",
    "custom-network-config",
    "labelfile-path",
    "mean-file",
    "infer-dims",
    "input-dims",
    "uff-input-dims",
    "uff-input-order",
    "network-input-order",
    "batch-size",
    "network-type",
    "is-classifier",
    "num-detected-classes",
    "process-mode",
    "gie-unique-id",
    "operate-on-gie-id",
    "operate-on-class-ids",
    "interval",
    "cluster-mode",
    "enable-dbscan",
    "classifier-threshold",
    "classifier-async-mode",
    "secondary-reinfer-interval",
    "maintain-aspect-ratio",
    "symmetric-padding",
    "output-blob-names",
    "output-tensor-meta",
    "parse-bbox-func-name",
    "parse-classifier-func-name",
    "input-object-min-width",
    "input-object-min-height",
    "input-object-max-width",
    "input-object-max-height",
    "filter-out-class-ids",
    "segmentation-threshold",
    "class-id-map",
    "output-instance-mask",
    "instance-mask-config-file",
    "instance-mask-class-ids",
    "network-mode",
    "int8-calib-file",
];

/// `[class-attrs-*]` keys that the portable backend reads.
pub const CLASS_ATTRS_KEYS: &[&str] = &[
    "threshold",
    "pre-cluster-threshold",
    "post-cluster-threshold",
    "eps",
    "group-threshold",
    "minBoxes",
    "dbscan-min-score",
    "nms-iou-threshold",
    "topk",
    "roi-top-offset",
    "roi-bottom-offset",
    "detected-min-w",
    "detected-min-h",
    "detected-max-w",
    "detected-max-h",
    "border-color",
    "bg-color",
];

/// Why `network-type=3` without `instance-mask-config-file` is refused.
pub const INSTANCE_SEG_WHY: &str = "instance segmentation is not supported by the portable backend as one model (it has no Mask R-CNN style parser): set instance-mask-config-file to the nvinfer config (network-type=2) of a mask model run on each detected box, as configs/deepstream-segmask/portable does";

/// `network-type`: what the model's outputs mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkType {
    /// 0: object detector (boxes, clustered per class).
    Detector,
    /// 1: classifier (one attribute per output layer).
    Classifier,
    /// 2: semantic segmentation (class map per pixel).
    Segmentation,
    /// 3: instance segmentation (not supported by the portable backend).
    InstanceSegmentation,
    /// 100: other: no parsing, raw output tensors only (`output-tensor-meta`).
    Other,
}

/// `process-mode`: what a GIE infers on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessMode {
    /// 1: whole frames (primary GIE).
    Primary,
    /// 2: objects found by an upstream GIE (secondary GIE).
    Secondary,
}

/// `model-color-format`: channel order of the network input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorFormat {
    /// 0: RGB (3 channels).
    Rgb,
    /// 1: BGR (3 channels).
    Bgr,
    /// 2: GRAY (1 channel, BT.601 luma).
    Gray,
}

impl ColorFormat {
    /// Number of input channels: 3, or 1 for [`ColorFormat::Gray`].
    pub fn channels(self) -> usize {
        match self {
            ColorFormat::Gray => 1,
            _ => 3,
        }
    }
}

/// `network-mode`: the precision nvinfer builds its TensorRT engine in (DeepStream's
/// `NvDsInferNetworkMode`). What each does in the portable backend (ONNX Runtime, CPU):
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    /// 0 (default): the ONNX model as it is, in float32.
    Fp32,
    /// 1: the model quantized to INT8 from the calibration file `int8-calib-file` names
    /// (ONNX Runtime's quantized operators: QLinearConv on VNNI/AMX where the CPU has them).
    /// See [`crate::int8`] for the file and the command that makes it.
    Int8,
    /// 2: runs in float32. ONNX Runtime's CPU execution provider has float16 kernels for few
    /// operators, so an FP16 model runs as casts around float32 kernels: slower, and less exact.
    /// FP32 is the fastest correct choice on the CPU (an info line says so).
    Fp16,
}

/// `cluster-mode`: how detections of one class are merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterMode {
    /// 0: OpenCV `groupRectangles` (`group-threshold`, `eps`).
    GroupRectangles,
    /// 1: DBSCAN (`eps`, `minBoxes`, `dbscan-min-score`).
    Dbscan,
    /// 2: non-maximum suppression (`nms-iou-threshold`, `topk`).
    Nms,
    /// 3: DBSCAN to find clusters, then NMS inside them.
    DbscanNmsHybrid,
    /// 4: no clustering (`topk` still applies).
    None,
}

/// Memory order of the network input tensor (`network-input-order`, `uff-input-order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorOrder {
    /// `[batch, channels, height, width]`.
    Nchw,
    /// `[batch, height, width, channels]`.
    Nhwc,
}

/// Which kind of file a config was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    /// nvinfer's key file (`[property]` ...).
    KeyFile,
    /// nvinferserver's protobuf text (`infer_config { ... }`, see [`crate::inferserver`]).
    InferServer,
}

/// A file named in the config: the key, the value as written, and the resolved path.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigPath {
    /// Group that holds the key (`property`; `infer_config` for nvinferserver configs).
    pub group: String,
    /// Key that names it (`onnx-file`, `labelfile-path` ...).
    pub key: String,
    /// The value as written in the file.
    pub value: String,
    /// The path, resolved relative to the config file's folder.
    pub path: PathBuf,
}

/// The model as the config names it, in the order nvinfer looks for them.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// `onnx-file`, or `model-file` ending in `.onnx`: run by ONNX Runtime.
    Onnx(ConfigPath),
    /// Darknet: `custom-network-config` (`.cfg`) and `model-file` (`.weights`). Run through an
    /// ONNX file of the same stem next to the `.cfg` when one exists.
    Darknet {
        /// The `.cfg`.
        cfg: ConfigPath,
        /// The `.weights`, when given.
        weights: Option<ConfigPath>,
    },
    /// Caffe: `proto-file` and `model-file` (`.caffemodel`). Not supported by the portable backend.
    Caffe {
        /// The `.prototxt`, when given.
        proto: Option<ConfigPath>,
        /// The `.caffemodel`.
        model: ConfigPath,
    },
    /// `uff-file`: not supported by the portable backend.
    Uff(ConfigPath),
    /// `tlt-encoded-model` (`.etlt`): not supported by the portable backend.
    Etlt(ConfigPath),
    /// Only `model-engine-file` (a TensorRT engine): not supported by the portable backend.
    EngineOnly(ConfigPath),
    /// No model key at all.
    None,
}

/// Detection attributes of one class (`[class-attrs-all]` overridden by `[class-attrs-<id>]`).
///
/// Defaults follow nvinfer: `pre-cluster-threshold` 0.2, `post-cluster-threshold` 0,
/// `eps` 0, `group-threshold` 0, `minBoxes` 0, `dbscan-min-score` 0,
/// `nms-iou-threshold` 0.3, `topk` -1 (all), size and ROI limits 0 (none).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassAttrs {
    /// Minimum detection confidence before clustering (`pre-cluster-threshold`, older `threshold`).
    pub pre_cluster_threshold: f32,
    /// Minimum confidence after NMS/DBSCAN clustering (`post-cluster-threshold`).
    pub post_cluster_threshold: f32,
    /// `eps`: groupRectangles similarity or DBSCAN neighbourhood (1 − IoU distance).
    pub eps: f32,
    /// `group-threshold`: groupRectangles keeps groups with more than this many boxes; 0 = no grouping.
    pub group_threshold: i32,
    /// `minBoxes`: DBSCAN core-point neighbour count; 0 = no DBSCAN clustering.
    pub min_boxes: i32,
    /// `dbscan-min-score`: minimum sum of confidences in a DBSCAN cluster.
    pub dbscan_min_score: f32,
    /// `nms-iou-threshold`: boxes overlapping a kept box by more than this IoU are dropped.
    pub nms_iou_threshold: f32,
    /// `topk`: keep at most this many objects of the class after clustering; -1 = all.
    pub topk: i32,
    /// `roi-top-offset`: drop objects whose top is above this row (frame pixels).
    pub roi_top_offset: u32,
    /// `roi-bottom-offset`: drop objects whose bottom is below `frame height − offset`.
    pub roi_bottom_offset: u32,
    /// `detected-min-w` (frame pixels).
    pub detected_min_w: u32,
    /// `detected-min-h` (frame pixels).
    pub detected_min_h: u32,
    /// `detected-max-w` (frame pixels); 0 = no limit.
    pub detected_max_w: u32,
    /// `detected-max-h` (frame pixels); 0 = no limit.
    pub detected_max_h: u32,
    /// `border-color` (r;g;b;a in 0..1) for the OSD.
    pub border_color: Option<[f64; 4]>,
    /// `bg-color` (r;g;b;a in 0..1) for the OSD.
    pub bg_color: Option<[f64; 4]>,
}

impl Default for ClassAttrs {
    fn default() -> Self {
        ClassAttrs {
            pre_cluster_threshold: 0.2,
            post_cluster_threshold: 0.0,
            eps: 0.0,
            group_threshold: 0,
            min_boxes: 0,
            dbscan_min_score: 0.0,
            nms_iou_threshold: 0.3,
            topk: -1,
            roi_top_offset: 0,
            roi_bottom_offset: 0,
            detected_min_w: 0,
            detected_min_h: 0,
            detected_max_w: 0,
            detected_max_h: 0,
            border_color: None,
            bg_color: None,
        }
    }
}

/// Severity of a [`Diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Informational (DeepStream-only keys ignored ...).
    Info,
    /// Something the user should look at (unknown key, key not honoured ...).
    Warning,
}

/// A non-fatal message about the config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Severity.
    pub level: Level,
    /// The message; it starts with the config file's path.
    pub message: String,
}

/// A parsed nvinfer config file.
///
/// Fields hold nvinfer's defaults where the file does not set a key. Public fields are
/// plain data: the `dsinfer` element reads them (batch size, process mode, GIE ids ...).
#[derive(Debug, Clone, PartialEq)]
pub struct InferConfig {
    /// The config file, as given.
    pub file: PathBuf,
    /// The file's format (nvinfer key file or nvinferserver protobuf text).
    pub format: ConfigFormat,
    /// `net-scale-factor`: `y = net-scale-factor × (x − offset[c])`. Default 1.
    pub net_scale_factor: f32,
    /// `offsets`: per-channel mean, in the network's channel order. Default 0.
    pub offsets: Vec<f32>,
    /// `model-color-format`. Default RGB.
    pub model_color_format: ColorFormat,
    /// The model (`onnx-file`, `model-file`, `custom-network-config` ...).
    pub model: ModelSource,
    /// `labelfile-path`, when given.
    pub labelfile_path: Option<ConfigPath>,
    /// Labels: one entry per line of the label file, each split on `;`. A detector's class
    /// `c` is `labels[c][0]`; a classifier's attribute `a`, value `v` is `labels[a][v]`.
    /// Empty until [`InferConfig::load_labels`] (done by [`InferConfig::from_file`]).
    pub labels: Vec<Vec<String>>,
    /// `infer-dims` (or the deprecated `input-dims`/`uff-input-dims`): `[channels, height, width]`.
    pub infer_dims: Option<[usize; 3]>,
    /// `network-input-order` (or `uff-input-order`, or the 4th value of `input-dims`). Default NCHW.
    pub network_input_order: TensorOrder,
    /// `batch-size`: most inputs per engine run. Default 1.
    pub batch_size: u32,
    /// `network-type` (or the deprecated `is-classifier=1`). Default detector.
    pub network_type: NetworkType,
    /// `num-detected-classes` (detectors). Default 0 (a detector config must set it).
    pub num_detected_classes: u32,
    /// `process-mode`. Default primary.
    pub process_mode: ProcessMode,
    /// `gie-unique-id`: written to the metadata this GIE adds. Default 15, as nvinfer.
    pub gie_unique_id: u32,
    /// `operate-on-gie-id`: a secondary GIE infers on objects of this GIE; -1 = any.
    pub operate_on_gie_id: i32,
    /// `operate-on-class-ids`: a secondary GIE infers on objects of these classes; empty = all.
    pub operate_on_class_ids: Vec<u32>,
    /// `interval`: batches to skip between inferences (0 = infer on every batch).
    pub interval: u32,
    /// `cluster-mode` (or the deprecated `enable-dbscan=1`). Default NMS (what DeepStream 7.1
    /// does when no mode is set, since its nvinfer is built without OpenCV).
    pub cluster_mode: ClusterMode,
    /// `[class-attrs-all]`, over the defaults.
    pub class_attrs_all: ClassAttrs,
    /// `[class-attrs-<id>]`, each over `[class-attrs-all]`.
    pub class_attrs: BTreeMap<u32, ClassAttrs>,
    /// `classifier-threshold`: a class is reported when its probability is above it. Default 0.
    pub classifier_threshold: f32,
    /// `classifier-async-mode` (the element's concern).
    pub classifier_async_mode: bool,
    /// `secondary-reinfer-interval` (frames; see [`crate::secondary`]); `None` when not set (never).
    pub secondary_reinfer_interval: Option<u32>,
    /// `maintain-aspect-ratio`: scale the input keeping its aspect ratio and pad with black.
    pub maintain_aspect_ratio: bool,
    /// `symmetric-padding`: with `maintain-aspect-ratio`, centre the image (pad both sides).
    pub symmetric_padding: bool,
    /// `output-blob-names`: the output layers to parse (empty = all outputs of the model).
    pub output_blob_names: Vec<String>,
    /// `output-tensor-meta`: also return the raw output tensors.
    pub output_tensor_meta: bool,
    /// `parse-bbox-func-name`: the detector output parser (see [`crate::parse::DetectorParser`]).
    pub parse_bbox_func_name: Option<String>,
    /// `parse-classifier-func-name`: a custom classifier parser (only the default softmax
    /// parser exists in the portable backend).
    pub parse_classifier_func_name: Option<String>,
    /// `input-object-min-width` (secondary GIE; frame pixels; 0 = none).
    pub input_object_min_width: u32,
    /// `input-object-min-height`.
    pub input_object_min_height: u32,
    /// `input-object-max-width` (0 = none).
    pub input_object_max_width: u32,
    /// `input-object-max-height` (0 = none).
    pub input_object_max_height: u32,
    /// `filter-out-class-ids`: detections of these classes are dropped.
    pub filter_out_class_ids: Vec<u32>,
    /// `class-id-map` (a portable extension; DeepStream warns about it): `model:output;...`
    /// pairs, e.g. `2:0;7:0;0:2` turns the COCO classes car and truck into 0 and person into 2,
    /// so a probe written for TrafficCamNet's four classes counts a COCO detector's output. When set, detections of model classes not
    /// in the map are dropped; the label file, `[class-attrs-<id>]` clustering attributes and
    /// the object meta use the output ids, while pre-cluster thresholds apply to the model's
    /// classes before the map. Classifiers sum mapped probabilities: see [`crate::classifier`].
    pub class_id_map: Option<BTreeMap<u32, u32>>,
    /// `segmentation-threshold`: a pixel whose best class probability is below it gets -1.
    /// Instance segmentation (`network-type=3`): the `threshold` given with each object's
    /// mask (nvinfer passes this value as `NvOSD_MaskParams.threshold`).
    pub segmentation_threshold: f32,
    /// `gpu-id`: the GPU ONNX Runtime's CUDA provider runs on where it is used
    /// ([`crate::device`]). Default 0.
    pub gpu_id: u32,
    /// `output-instance-mask`: attach each object's mask (`network-type=3`).
    pub output_instance_mask: bool,
    /// `instance-mask-config-file` (portable extension, `network-type=3`): the nvinfer config
    /// (`network-type=2`) of the mask head, run on each detected box. The portable backend
    /// has no Mask R-CNN style model: it runs instance segmentation as this config's detector
    /// (`parse-bbox-func-name`) plus a per-box mask from a semantic segmentation model; the
    /// mask is that model's probability map of its last class over the box.
    pub instance_mask_config: Option<ConfigPath>,
    /// `instance-mask-class-ids` (portable extension): the detector classes that get a mask
    /// (`0;2`); empty: every class.
    pub instance_mask_class_ids: Vec<u32>,
    /// `network-mode`: 0 FP32 (default), 1 INT8, 2 FP16 (see [`NetworkMode`]).
    pub network_mode: NetworkMode,
    /// `int8-calib-file`: the INT8 calibration file (read with `network-mode=1` only).
    pub int8_calib_file: Option<ConfigPath>,
    /// Warnings and info lines produced while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl InferConfig {
    /// Reads a config file, checks every value, checks that the model and label files
    /// exist, and loads the labels. Prints the [`InferConfig::diagnostics`] to stderr
    /// (`ds-infer: warning: ...`, `ds-infer: info: ...`).
    ///
    /// Errors name the file, group, key and value ([`ConfigError`]).
    pub fn from_file(path: &Path) -> Result<InferConfig, ConfigError> {
        let mut config = InferConfig::parse_file(path)?;
        config.check_files()?;
        config.load_labels()?;
        for d in &config.diagnostics {
            let level = match d.level {
                Level::Info => "info",
                Level::Warning => "warning",
            };
            eprintln!("ds-infer: {level}: {}", d.message);
        }
        Ok(config)
    }

    /// Reads and checks the keys of a config file, without touching the model and label
    /// files and without printing anything.
    pub fn parse_file(path: &Path) -> Result<InferConfig, ConfigError> {
        let file = path.to_path_buf();
        if let Some(ext) = path.extension().and_then(|e| e.to_str())
            && (ext.eq_ignore_ascii_case("yml") || ext.eq_ignore_ascii_case("yaml"))
        {
            return Err(ConfigError::UnsupportedFile {
                file,
                why: "YAML nvinfer configs are not supported by the portable backend; write the same keys \
                      in the key-file form ([property] and [class-attrs-all] groups)"
                    .into(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        InferConfig::parse_bytes(path, &bytes)
    }

    /// Parses config text as if it were the file `path` (paths resolve relative to its folder).
    ///
    /// nvinferserver's protobuf-text configs (`infer_config { ... }`) are recognised by their
    /// first token and read by [`crate::inferserver`].
    pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<InferConfig, ConfigError> {
        let file = path.to_path_buf();
        if let Ok(text) = std::str::from_utf8(bytes)
            && crate::prototext::looks_like_prototext(text)
        {
            return crate::inferserver::parse_text(path, text);
        }
        let kf = KeyFile::new();
        kf.load_from_bytes(&glib::Bytes::from(bytes), KeyFileFlags::NONE)
            .map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                message: e.message().to_string(),
            })?;
        if !kf.has_group(PROPERTY_GROUP) {
            return Err(ConfigError::NoPropertyGroup { file });
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Parser {
            file: &file,
            kf: &kf,
            base: &base,
            diagnostics: Vec::new(),
        }
        .parse()
    }

    /// A config with nvinfer's defaults for every key, as if `file` had an empty `[property]`.
    pub fn defaults(file: &Path) -> InferConfig {
        InferConfig {
            file: file.to_path_buf(),
            format: ConfigFormat::KeyFile,
            net_scale_factor: 1.0,
            offsets: Vec::new(),
            model_color_format: ColorFormat::Rgb,
            model: ModelSource::None,
            labelfile_path: None,
            labels: Vec::new(),
            infer_dims: None,
            network_input_order: TensorOrder::Nchw,
            batch_size: 1,
            network_type: NetworkType::Detector,
            num_detected_classes: 0,
            process_mode: ProcessMode::Primary,
            gie_unique_id: 15,
            operate_on_gie_id: -1,
            operate_on_class_ids: Vec::new(),
            interval: 0,
            cluster_mode: ClusterMode::Nms,
            class_attrs_all: ClassAttrs::default(),
            class_attrs: BTreeMap::new(),
            classifier_threshold: 0.0,
            classifier_async_mode: false,
            secondary_reinfer_interval: None,
            maintain_aspect_ratio: false,
            symmetric_padding: false,
            output_blob_names: Vec::new(),
            output_tensor_meta: false,
            parse_bbox_func_name: None,
            parse_classifier_func_name: None,
            input_object_min_width: 0,
            input_object_min_height: 0,
            input_object_max_width: 0,
            input_object_max_height: 0,
            filter_out_class_ids: Vec::new(),
            class_id_map: None,
            segmentation_threshold: 0.0,
            gpu_id: 0,
            output_instance_mask: false,
            instance_mask_config: None,
            instance_mask_class_ids: Vec::new(),
            network_mode: NetworkMode::Fp32,
            int8_calib_file: None,
            diagnostics: Vec::new(),
        }
    }

    /// The attributes of class `class_id`: `[class-attrs-<id>]` if present, else `[class-attrs-all]`.
    pub fn class_attrs(&self, class_id: u32) -> &ClassAttrs {
        self.class_attrs
            .get(&class_id)
            .unwrap_or(&self.class_attrs_all)
    }

    /// The label of detector class `class_id` (first `;` field of its line), if any.
    pub fn class_label(&self, class_id: u32) -> Option<&str> {
        self.labels
            .get(class_id as usize)
            .and_then(|l| l.first())
            .map(String::as_str)
    }

    /// Whether a secondary GIE with this config infers on an object: nvinfer's checks of
    /// `operate-on-gie-id`, `operate-on-class-ids` and `input-object-min/max-width/height`.
    /// `width`/`height` are the object's size in frame pixels.
    pub fn accepts_object(
        &self,
        unique_component_id: i32,
        class_id: i32,
        width: f32,
        height: f32,
    ) -> bool {
        if self.operate_on_gie_id >= 0 && unique_component_id != self.operate_on_gie_id {
            return false;
        }
        if !self.operate_on_class_ids.is_empty()
            && !self
                .operate_on_class_ids
                .iter()
                .any(|&c| c as i32 == class_id)
        {
            return false;
        }
        if width < self.input_object_min_width as f32
            || height < self.input_object_min_height as f32
        {
            return false;
        }
        if self.input_object_max_width > 0 && width > self.input_object_max_width as f32 {
            return false;
        }
        if self.input_object_max_height > 0 && height > self.input_object_max_height as f32 {
            return false;
        }
        true
    }

    /// Checks that the model files and the label file exist (a TensorRT engine is not
    /// checked: the portable backend cannot use one anyway).
    pub fn check_files(&self) -> Result<(), ConfigError> {
        let mut paths: Vec<&ConfigPath> = Vec::new();
        match &self.model {
            ModelSource::Onnx(p) | ModelSource::Uff(p) | ModelSource::Etlt(p) => paths.push(p),
            // A TensorRT engine is DeepStream-only: Inference::new refuses it, whether it exists or not.
            ModelSource::EngineOnly(_) => {}
            ModelSource::Darknet { cfg, weights } => {
                paths.push(cfg);
                paths.extend(weights.iter());
            }
            ModelSource::Caffe { proto, model } => {
                paths.extend(proto.iter());
                paths.push(model);
            }
            ModelSource::None => {}
        }
        paths.extend(self.labelfile_path.iter());
        for p in paths {
            if !p.path.is_file() {
                return Err(ConfigError::MissingFile {
                    file: self.file.clone(),
                    group: p.group.clone(),
                    key: p.key.clone(),
                    value: p.value.clone(),
                    resolved: p.path.clone(),
                });
            }
        }
        Ok(())
    }

    /// Reads `labelfile-path` into [`InferConfig::labels`] (nothing to do without one).
    ///
    /// As nvinfer: one entry per line, each line split on `;` (classifier attributes), `\r`
    /// and surrounding spaces removed, trailing empty lines dropped.
    pub fn load_labels(&mut self) -> Result<(), ConfigError> {
        let Some(p) = &self.labelfile_path else {
            return Ok(());
        };
        let text = std::fs::read_to_string(&p.path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ConfigError::MissingFile {
                    file: self.file.clone(),
                    group: p.group.clone(),
                    key: p.key.clone(),
                    value: p.value.clone(),
                    resolved: p.path.clone(),
                }
            } else {
                ConfigError::UnreadableFile {
                    file: self.file.clone(),
                    group: p.group.clone(),
                    key: p.key.clone(),
                    value: p.value.clone(),
                    resolved: p.path.clone(),
                    message: e.to_string(),
                }
            }
        })?;
        self.labels = parse_labels(&text);
        Ok(())
    }
}

/// Splits label file text as nvinfer does: a line per class (detector) or per attribute
/// (classifier), each line's `;`-separated fields trimmed; trailing blank lines dropped.
pub fn parse_labels(text: &str) -> Vec<Vec<String>> {
    let mut labels: Vec<Vec<String>> = text
        .lines()
        .map(|line| {
            let line = line.trim_end_matches('\r').trim();
            if line.is_empty() {
                Vec::new()
            } else {
                let mut fields: Vec<String> =
                    line.split(';').map(|f| f.trim().to_string()).collect();
                while fields.len() > 1 && fields.last().is_some_and(|f| f.is_empty()) {
                    fields.pop();
                }
                fields
            }
        })
        .collect();
    while labels.last().is_some_and(|l| l.is_empty()) {
        labels.pop();
    }
    labels
}

struct Parser<'a> {
    file: &'a Path,
    kf: &'a KeyFile,
    base: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

/// Removes an inline comment (`value  # comment`) and surrounding white space.
fn strip_inline_comment(raw: &str) -> &str {
    let bytes = raw.as_bytes();
    let mut cut = raw.len();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            cut = i;
            break;
        }
    }
    raw[..cut].trim()
}

impl Parser<'_> {
    fn raw(&self, group: &str, key: &str) -> String {
        // A key listed by `keys()` always has a value; an empty string otherwise.
        self.kf
            .value(group, key)
            .map(|v| strip_inline_comment(v.as_str()).to_string())
            .unwrap_or_default()
    }

    fn bad(&self, group: &str, key: &str, value: &str, expected: &str) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.to_path_buf(),
            group: group.into(),
            key: key.into(),
            value: value.into(),
            expected: expected.into(),
        }
    }

    fn warn(&mut self, message: String) {
        self.diagnostics.push(Diagnostic {
            level: Level::Warning,
            message,
        });
    }

    fn int(&self, group: &str, key: &str, min: i64, max: i64) -> Result<i64, ConfigError> {
        let v = self.raw(group, key);
        let parsed: Option<i64> = v.parse().ok();
        match parsed {
            Some(n) if n >= min && n <= max => Ok(n),
            Some(_) => Err(self.bad(
                group,
                key,
                &v,
                &format!("expected an integer from {min} to {max}"),
            )),
            None => Err(self.bad(group, key, &v, "expected an integer")),
        }
    }

    fn uint(&self, group: &str, key: &str) -> Result<u32, ConfigError> {
        self.int(group, key, 0, u32::MAX as i64).map(|n| n as u32)
    }

    fn float(&self, group: &str, key: &str) -> Result<f64, ConfigError> {
        let v = self.raw(group, key);
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.bad(group, key, &v, "expected a number")),
        }
    }

    fn float_in(&self, group: &str, key: &str, min: f64, max: f64) -> Result<f32, ConfigError> {
        let x = self.float(group, key)?;
        if x < min || x > max {
            let v = self.raw(group, key);
            return Err(self.bad(
                group,
                key,
                &v,
                &format!("expected a number from {min} to {max}"),
            ));
        }
        Ok(x as f32)
    }

    fn float_min(&self, group: &str, key: &str, min: f64) -> Result<f32, ConfigError> {
        let x = self.float(group, key)?;
        if x < min {
            let v = self.raw(group, key);
            return Err(self.bad(group, key, &v, &format!("expected a number >= {min}")));
        }
        Ok(x as f32)
    }

    fn boolean(&self, group: &str, key: &str) -> Result<bool, ConfigError> {
        let v = self.raw(group, key);
        match v.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(self.bad(group, key, &v, "expected 0 or 1 (or true/false)")),
        }
    }

    fn list(&self, group: &str, key: &str) -> Vec<String> {
        self.raw(group, key)
            .split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn int_list(&self, group: &str, key: &str, min: i64) -> Result<Vec<i64>, ConfigError> {
        let v = self.raw(group, key);
        self.list(group, key)
            .iter()
            .map(|s| match s.parse::<i64>() {
                Ok(n) if n >= min => Ok(n),
                _ => Err(self.bad(
                    group,
                    key,
                    &v,
                    &format!("expected a ';'-separated list of integers >= {min}"),
                )),
            })
            .collect()
    }

    /// `model:output;model:output;...`, each id an integer >= 0, each model id once.
    fn class_id_map(&self, group: &str, key: &str) -> Result<BTreeMap<u32, u32>, ConfigError> {
        let v = self.raw(group, key);
        let expected = "expected ';'-separated pairs model_class:output_class of integers >= 0, each model class once";
        let mut map = BTreeMap::new();
        for item in self.list(group, key) {
            let pair = item.split_once(':').and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)));
            match pair {
                Some((from, to)) if map.insert(from, to).is_none() => {}
                _ => return Err(self.bad(group, key, &v, expected)),
            }
        }
        if map.is_empty() {
            return Err(self.bad(group, key, &v, expected));
        }
        Ok(map)
    }

    fn float_list(&self, group: &str, key: &str) -> Result<Vec<f64>, ConfigError> {
        let v = self.raw(group, key);
        self.list(group, key)
            .iter()
            .map(|s| match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(self.bad(group, key, &v, "expected a ';'-separated list of numbers")),
            })
            .collect()
    }

    fn path(&self, group: &str, key: &str) -> Result<ConfigPath, ConfigError> {
        let value = self.raw(group, key);
        if value.is_empty() {
            return Err(self.bad(group, key, &value, "expected a file path"));
        }
        let p = Path::new(&value);
        let path = if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        };
        Ok(ConfigPath {
            group: PROPERTY_GROUP.into(),
            key: key.into(),
            value,
            path,
        })
    }

    fn keys(&self, group: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        self.kf
            .keys(group)
            .map(|ks| {
                ks.iter()
                    .map(|k| k.to_string())
                    .filter(|k| seen.insert(k.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn parse(mut self) -> Result<InferConfig, ConfigError> {
        let g = PROPERTY_GROUP;
        let mut c = InferConfig::defaults(self.file);

        let mut ds_only: Vec<String> = Vec::new();
        let mut onnx = None;
        let mut model_file = None;
        let mut proto = None;
        let mut uff = None;
        let mut etlt = None;
        let mut darknet_cfg = None;
        let mut engine = None;
        let mut network_type_set = false;
        let mut is_classifier = false;
        let mut enable_dbscan = false;
        let mut cluster_mode_set = false;
        let mut dims_key: Option<String> = None;

        for key in self.keys(g) {
            let k = key.as_str();
            match k {
                "net-scale-factor" => c.net_scale_factor = self.float(g, k)? as f32,
                "offsets" => {
                    c.offsets = self
                        .float_list(g, k)?
                        .into_iter()
                        .map(|x| x as f32)
                        .collect()
                }
                "model-color-format" => {
                    c.model_color_format = match self.int(g, k, 0, 2)? {
                        0 => ColorFormat::Rgb,
                        1 => ColorFormat::Bgr,
                        _ => ColorFormat::Gray,
                    }
                }
                "onnx-file" => onnx = Some(self.path(g, k)?),
                "model-file" => model_file = Some(self.path(g, k)?),
                "proto-file" => proto = Some(self.path(g, k)?),
                "uff-file" => uff = Some(self.path(g, k)?),
                "tlt-encoded-model" => etlt = Some(self.path(g, k)?),
                "custom-network-config" => darknet_cfg = Some(self.path(g, k)?),
                "model-engine-file" => {
                    engine = Some(self.path(g, k)?);
                    ds_only.push(key.clone());
                }
                "labelfile-path" => c.labelfile_path = Some(self.path(g, k)?),
                "gpu-id" => c.gpu_id = self.int(g, k, 0, 1023)? as u32,
                "mean-file" => {
                    let v = self.raw(g, k);
                    self.warn(format!(
                        "{}: [{g}] {k}={v}: mean images are not supported by the portable backend; only 'offsets' is subtracted",
                        self.file.display()
                    ));
                }
                "infer-dims" | "input-dims" | "uff-input-dims" => {
                    let v = self.raw(g, k);
                    let d = self.int_list(g, k, 0)?;
                    let ok = if k == "infer-dims" {
                        d.len() == 3
                    } else {
                        d.len() == 3 || d.len() == 4
                    };
                    if !ok || d[..3].contains(&0) {
                        let what = if k == "infer-dims" {
                            "expected channels;height;width (3 positive integers)"
                        } else {
                            "expected channels;height;width[;order] (positive integers)"
                        };
                        return Err(self.bad(g, k, &v, what));
                    }
                    if k == "infer-dims"
                        || c.infer_dims.is_none()
                        || dims_key.as_deref() != Some("infer-dims")
                    {
                        c.infer_dims = Some([d[0] as usize, d[1] as usize, d[2] as usize]);
                        dims_key = Some(key.clone());
                    }
                    if d.len() == 4 {
                        c.network_input_order = match d[3] {
                            0 => TensorOrder::Nchw,
                            1 => TensorOrder::Nhwc,
                            _ => {
                                return Err(self.bad(
                                    g,
                                    k,
                                    &v,
                                    "the 4th value (input order) must be 0 (NCHW) or 1 (NHWC)",
                                ));
                            }
                        };
                    }
                    if k != "infer-dims" {
                        let file = self.file.display().to_string();
                        self.warn(format!(
                            "{file}: [{g}] {k} is deprecated; use infer-dims (read as infer-dims)"
                        ));
                    }
                }
                "uff-input-order" | "network-input-order" => {
                    c.network_input_order = match self.int(g, k, 0, 2)? {
                        0 => TensorOrder::Nchw,
                        1 => TensorOrder::Nhwc,
                        _ => {
                            let v = self.raw(g, k);
                            return Err(ConfigError::Unsupported {
                                file: self.file.to_path_buf(),
                                group: g.into(),
                                key: key.clone(),
                                value: v,
                                why: "input order 2 (NC) is not supported by the portable backend"
                                    .into(),
                            });
                        }
                    }
                }
                "batch-size" => c.batch_size = self.int(g, k, 1, 1024)? as u32,
                "network-type" => {
                    network_type_set = true;
                    c.network_type = match self.int(g, k, 0, 100)? {
                        0 => NetworkType::Detector,
                        1 => NetworkType::Classifier,
                        2 => NetworkType::Segmentation,
                        3 => NetworkType::InstanceSegmentation,
                        100 => NetworkType::Other,
                        _ => {
                            let v = self.raw(g, k);
                            return Err(self.bad(
                                g,
                                k,
                                &v,
                                "expected 0 (detector), 1 (classifier), 2 (segmentation), 3 (instance segmentation) or 100 (other)",
                            ));
                        }
                    }
                }
                "is-classifier" => is_classifier = self.boolean(g, k)?,
                "num-detected-classes" => {
                    c.num_detected_classes = self.int(g, k, 1, 100_000)? as u32
                }
                "process-mode" => {
                    c.process_mode = match self.int(g, k, 1, 2)? {
                        1 => ProcessMode::Primary,
                        _ => ProcessMode::Secondary,
                    }
                }
                "gie-unique-id" => c.gie_unique_id = self.int(g, k, 1, i32::MAX as i64)? as u32,
                "operate-on-gie-id" => {
                    c.operate_on_gie_id = self.int(g, k, -1, i32::MAX as i64)? as i32
                }
                "operate-on-class-ids" => {
                    c.operate_on_class_ids = self
                        .int_list(g, k, 0)?
                        .into_iter()
                        .map(|x| x as u32)
                        .collect()
                }
                "interval" => c.interval = self.uint(g, k)?,
                "cluster-mode" => {
                    cluster_mode_set = true;
                    c.cluster_mode = match self.int(g, k, 0, 4)? {
                        0 => ClusterMode::GroupRectangles,
                        1 => ClusterMode::Dbscan,
                        2 => ClusterMode::Nms,
                        3 => ClusterMode::DbscanNmsHybrid,
                        _ => ClusterMode::None,
                    }
                }
                "enable-dbscan" => enable_dbscan = self.boolean(g, k)?,
                "classifier-threshold" => c.classifier_threshold = self.float_in(g, k, 0.0, 1.0)?,
                "classifier-async-mode" => c.classifier_async_mode = self.boolean(g, k)?,
                "secondary-reinfer-interval" => c.secondary_reinfer_interval = Some(self.uint(g, k)?),
                "maintain-aspect-ratio" => c.maintain_aspect_ratio = self.boolean(g, k)?,
                "symmetric-padding" => c.symmetric_padding = self.boolean(g, k)?,
                "output-blob-names" => c.output_blob_names = self.list(g, k),
                "output-tensor-meta" => c.output_tensor_meta = self.boolean(g, k)?,
                "parse-bbox-func-name" => {
                    c.parse_bbox_func_name = Some(self.raw(g, k)).filter(|s| !s.is_empty())
                }
                "parse-classifier-func-name" => {
                    c.parse_classifier_func_name = Some(self.raw(g, k)).filter(|s| !s.is_empty())
                }
                "input-object-min-width" => c.input_object_min_width = self.uint(g, k)?,
                "input-object-min-height" => c.input_object_min_height = self.uint(g, k)?,
                "input-object-max-width" => c.input_object_max_width = self.uint(g, k)?,
                "input-object-max-height" => c.input_object_max_height = self.uint(g, k)?,
                "filter-out-class-ids" => {
                    c.filter_out_class_ids = self
                        .int_list(g, k, 0)?
                        .into_iter()
                        .map(|x| x as u32)
                        .collect()
                }
                "segmentation-threshold" => c.segmentation_threshold = self.float(g, k)? as f32,
                "class-id-map" => c.class_id_map = Some(self.class_id_map(g, k)?),
                "output-instance-mask" => c.output_instance_mask = self.boolean(g, k)?,
                "instance-mask-config-file" => c.instance_mask_config = Some(self.path(g, k)?),
                "instance-mask-class-ids" => {
                    c.instance_mask_class_ids = self
                        .int_list(g, k, 0)?
                        .into_iter()
                        .map(|x| x as u32)
                        .collect()
                }
                "network-mode" => {
                    c.network_mode = match self.uint(g, k) {
                        Ok(0) => NetworkMode::Fp32,
                        Ok(1) => NetworkMode::Int8,
                        Ok(2) => NetworkMode::Fp16,
                        _ => {
                            let v = self.raw(g, k);
                            return Err(self.bad(g, k, &v, "expected 0 (FP32), 1 (INT8) or 2 (FP16)"));
                        }
                    }
                }
                "int8-calib-file" => c.int8_calib_file = Some(self.path(g, k)?),
                _ if DEEPSTREAM_ONLY_KEYS.contains(&k) => ds_only.push(key.clone()),
                _ => {
                    let file = self.file.display().to_string();
                    self.warn(format!("{file}: [{g}] unknown key '{k}' ignored"));
                }
            }
        }

        if !network_type_set && is_classifier {
            c.network_type = NetworkType::Classifier;
        }
        if !cluster_mode_set && enable_dbscan {
            c.cluster_mode = ClusterMode::Dbscan;
        }
        if !c.offsets.is_empty() && c.offsets.len() != c.model_color_format.channels() {
            let v = self.raw(g, "offsets");
            return Err(self.bad(
                g,
                "offsets",
                &v,
                &format!(
                    "expected {} values, one per channel of model-color-format={}",
                    c.model_color_format.channels(),
                    match c.model_color_format {
                        ColorFormat::Rgb => 0,
                        ColorFormat::Bgr => 1,
                        ColorFormat::Gray => 2,
                    }
                ),
            ));
        }
        if let Some([ch, _, _]) = c.infer_dims
            && ch != c.model_color_format.channels()
        {
            let key = dims_key.clone().unwrap_or_else(|| "infer-dims".into());
            let v = self.raw(g, &key);
            return Err(self.bad(
                g,
                &key,
                &v,
                &format!(
                    "{ch} channels do not match model-color-format (which gives {})",
                    c.model_color_format.channels()
                ),
            ));
        }
        if c.network_type == NetworkType::Detector && c.num_detected_classes == 0 {
            return Err(ConfigError::MissingKey {
                file: self.file.to_path_buf(),
                group: g.into(),
                key: "num-detected-classes".into(),
                why: "a detector (network-type=0) needs the number of classes".into(),
            });
        }
        if c.network_type == NetworkType::InstanceSegmentation && c.instance_mask_config.is_none() {
            let v = self.raw(g, "network-type");
            return Err(ConfigError::Unsupported {
                file: self.file.to_path_buf(),
                group: g.into(),
                key: "network-type".into(),
                value: v,
                why: INSTANCE_SEG_WHY.into(),
            });
        }
        if c.network_type == NetworkType::InstanceSegmentation && c.num_detected_classes == 0 {
            return Err(ConfigError::MissingKey {
                file: self.file.to_path_buf(),
                group: g.into(),
                key: "num-detected-classes".into(),
                why: "instance segmentation (network-type=3) needs the detector's number of classes".into(),
            });
        }

        // The model, in nvinfer's order of preference.
        c.model = if let Some(p) = onnx {
            ModelSource::Onnx(p)
        } else if let Some(cfg) = darknet_cfg {
            ModelSource::Darknet {
                cfg,
                weights: model_file,
            }
        } else if let Some(m) = model_file {
            let ext = m
                .path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ext == "onnx" {
                ModelSource::Onnx(m)
            } else {
                ModelSource::Caffe { proto, model: m }
            }
        } else if let Some(p) = uff {
            ModelSource::Uff(p)
        } else if let Some(p) = etlt {
            ModelSource::Etlt(p)
        } else if let Some(p) = engine {
            ModelSource::EngineOnly(p)
        } else {
            ModelSource::None
        };

        // Class attributes: [class-attrs-all] first, then each [class-attrs-<id>] over it.
        if self.kf.has_group(CLASS_ATTRS_ALL_GROUP) {
            let mut all = ClassAttrs::default();
            self.class_attrs_group(CLASS_ATTRS_ALL_GROUP, &mut all)?;
            c.class_attrs_all = all;
        }
        let groups: Vec<String> = self.kf.groups().iter().map(|s| s.to_string()).collect();
        for group in &groups {
            if group == PROPERTY_GROUP || group == CLASS_ATTRS_ALL_GROUP {
                continue;
            }
            if let Some(id) = group.strip_prefix("class-attrs-") {
                let Ok(id) = id.parse::<u32>() else {
                    let file = self.file.display().to_string();
                    self.warn(format!("{file}: group [{group}] ignored: expected class-attrs-all or class-attrs-<class id>"));
                    continue;
                };
                if c.network_type == NetworkType::Detector && id >= c.num_detected_classes {
                    let file = self.file.display().to_string();
                    let n = c.num_detected_classes;
                    self.warn(format!("{file}: group [{group}] is for a class beyond num-detected-classes={n}; it has no effect"));
                }
                let mut attrs = c.class_attrs_all.clone();
                self.class_attrs_group(group, &mut attrs)?;
                c.class_attrs.insert(id, attrs);
            } else {
                let file = self.file.display().to_string();
                self.warn(format!(
                    "{file}: group [{group}] is not an nvinfer group; ignored"
                ));
            }
        }

        if !ds_only.is_empty() {
            let file = self.file.display().to_string();
            self.diagnostics.push(Diagnostic {
                level: Level::Info,
                message: format!(
                    "{file}: DeepStream-only keys ignored by the portable backend: {}",
                    ds_only.join(", ")
                ),
            });
        }
        if c.network_mode == NetworkMode::Fp16 {
            let file = self.file.display().to_string();
            self.diagnostics.push(Diagnostic {
                level: Level::Info,
                message: format!(
                    "{file}: [{g}] network-mode=2 (FP16) runs in FP32 on the portable backend (ONNX Runtime's CPU kernels are float32; FP32 is faster there than FP16)"
                ),
            });
        }
        c.diagnostics = self.diagnostics;
        Ok(c)
    }

    fn class_attrs_group(&mut self, g: &str, a: &mut ClassAttrs) -> Result<(), ConfigError> {
        for key in self.keys(g) {
            let k = key.as_str();
            match k {
                "threshold" | "pre-cluster-threshold" => {
                    a.pre_cluster_threshold = self.float(g, k)? as f32
                }
                "post-cluster-threshold" => a.post_cluster_threshold = self.float(g, k)? as f32,
                "eps" => a.eps = self.float_min(g, k, 0.0)?,
                "group-threshold" => a.group_threshold = self.int(g, k, 0, i32::MAX as i64)? as i32,
                "minBoxes" => a.min_boxes = self.int(g, k, 0, i32::MAX as i64)? as i32,
                "dbscan-min-score" => a.dbscan_min_score = self.float(g, k)? as f32,
                "nms-iou-threshold" => a.nms_iou_threshold = self.float_in(g, k, 0.0, 1.0)?,
                "topk" => a.topk = self.int(g, k, -1, i32::MAX as i64)? as i32,
                "roi-top-offset" => a.roi_top_offset = self.uint(g, k)?,
                "roi-bottom-offset" => a.roi_bottom_offset = self.uint(g, k)?,
                "detected-min-w" => a.detected_min_w = self.uint(g, k)?,
                "detected-min-h" => a.detected_min_h = self.uint(g, k)?,
                "detected-max-w" => a.detected_max_w = self.uint(g, k)?,
                "detected-max-h" => a.detected_max_h = self.uint(g, k)?,
                "border-color" | "bg-color" => {
                    let v = self.raw(g, k);
                    let l = self.float_list(g, k)?;
                    if l.len() != 4 || l.iter().any(|&x| !(0.0..=1.0).contains(&x)) {
                        return Err(self.bad(
                            g,
                            k,
                            &v,
                            "expected red;green;blue;alpha, each from 0 to 1",
                        ));
                    }
                    let col = [l[0], l[1], l[2], l[3]];
                    if k == "border-color" {
                        a.border_color = Some(col);
                    } else {
                        a.bg_color = Some(col);
                    }
                }
                _ => {
                    let file = self.file.display().to_string();
                    self.warn(format!("{file}: [{g}] unknown key '{k}' ignored"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_comments_are_stripped() {
        assert_eq!(strip_inline_comment("1 #Primary network"), "1");
        assert_eq!(strip_inline_comment("3 ## comment"), "3");
        assert_eq!(strip_inline_comment("a#b"), "a#b");
        assert_eq!(strip_inline_comment("  2  "), "2");
    }

    #[test]
    fn labels_split_like_nvinfer() {
        let l = parse_labels("car\r\nbicycle\nperson\n\n");
        assert_eq!(l, vec![vec!["car"], vec!["bicycle"], vec!["person"]]);
        let l = parse_labels("female;male\n");
        assert_eq!(l, vec![vec!["female", "male"]]);
        let l = parse_labels("a ; b;\n");
        assert_eq!(l, vec![vec!["a", "b"]]);
    }
}
