//! nvinferserver's config files (protobuf text, `nvdsinferserver_config.proto`'s
//! `PluginControl`) mapped onto [`InferConfig`], so the portable `dsinfer` runs them with the
//! same engine as nvinfer's key files.
//!
//! What each part becomes (DeepStream manual, "Gst-nvinferserver", config file fields):
//! - `infer_config.unique_id` → `gie-unique-id`; `max_batch_size` → `batch-size` (0 = 1);
//! - `backend.inputs[].dims` → `infer-dims` (in `tensor_order`'s order), `backend.outputs[].name`
//!   → `output-blob-names` (and, as Triton returns only those, the only raw tensors attached
//!   with `output_tensor_meta` or `other {}`);
//! - `backend.triton` (or the older `trt_is`) `model_name`, `version`, `model_repo.root`: the
//!   model is looked for as Triton lays out its repository, `<root>/<name>/<version>/model.onnx`
//!   (the highest numbered version for `version: -1` or `0`), then `<root>/<name>/<name>.onnx`,
//!   then `<root>/<name>.onnx`. ONNX Runtime runs it in process: **no Triton server is needed**
//!   on the portable backend. `grpc { url }` next to a `model_repo` is ignored (info line);
//!   `grpc` alone (a remote server) is refused;
//! - `preprocess`: `network_format` → `model-color-format`, `tensor_order` → `network-input-order`
//!   (`TENSOR_ORDER_NONE`: NCHW, the order of ONNX models), `maintain_aspect_ratio`,
//!   `symmetric_padding`, `normalize.scale_factor` → `net-scale-factor`,
//!   `normalize.channel_offsets` → `offsets`;
//! - `postprocess`: `labelfile_path`; `detection` (`num_detected_classes`,
//!   `custom_parse_bbox_func` → `parse-bbox-func-name`, `per_class_params { key value {
//!   pre_threshold } }`, one of `nms` / `dbscan` / `group_rectangle` / `simple_cluster` →
//!   `cluster-mode` and `[class-attrs-all]`), `classification`, `triton_classification`,
//!   `segmentation`, `other {}` (`network-type=100`: no parsing, raw tensors only);
//!   the portable extension `class_id_map { key: <model class> value: <output class> }`
//!   (repeated) is nvinfer's portable `class-id-map` (DeepStream's nvinferserver refuses it: it
//!   belongs only in the configs under `configs/<sample>/portable/`);
//! - `input_control`: `process_mode`, `operate_on_gie_id`, `operate_on_class_ids`, `interval`,
//!   `async_mode`, `secondary_reinfer_interval`, `object_control.bbox_filter` (object size limits);
//! - `output_control`: `output_tensor_meta`, `detect_control.default_filter` (`bbox_filter`,
//!   `roi_top_offset`, `roi_bottom_offset`, colours);
//! - GPU-only fields (`gpu_ids`, `extra`, `custom_lib`, `frame_scaling_hw`, model repository
//!   tuning ...): accepted, named in one info line;
//! - any other field: a warning naming it with its line and column; a malformed file or a bad
//!   value: an error with the line and column ([`ConfigError::ProtoSyntax`],
//!   [`ConfigError::ProtoValue`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{
    ClassAttrs, ClusterMode, ColorFormat, ConfigFormat, ConfigPath, Diagnostic, InferConfig, Level,
    ModelSource, NetworkType, ProcessMode, TensorOrder,
};
use crate::error::ConfigError;
use crate::prototext::{self, Field, Message, Pos, ScalarKind, Value};

/// The group name that [`ConfigPath::group`] and key errors of an nvinferserver config carry.
pub const INFER_CONFIG: &str = "infer_config";

/// Parses nvinferserver protobuf text as if it were the file `path` (relative paths resolve
/// against its folder).
pub fn parse_text(path: &Path, text: &str) -> Result<InferConfig, ConfigError> {
    let msg = prototext::parse(text).map_err(|e| ConfigError::ProtoSyntax {
        file: path.to_path_buf(),
        line: e.pos.line,
        column: e.pos.column,
        message: e.message,
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut m = Mapper {
        file: path,
        base: &base,
        c: InferConfig { format: ConfigFormat::InferServer, ..InferConfig::defaults(path) },
        diagnostics: Vec::new(),
        ds_only: Vec::new(),
        dims: None,
        per_class: Vec::new(),
        repo: Repo::default(),
        num_classes_pos: None,
        offsets_pos: None,
        infer_config_seen: false,
    };
    m.plugin_control(&msg)?;
    m.finish()
}

#[derive(Default)]
struct Repo {
    model_name: Option<(String, Pos)>,
    version: i64,
    root: Option<(String, Pos)>,
    grpc: Option<(String, Pos)>,
    backend_pos: Option<Pos>,
}

struct Mapper<'a> {
    file: &'a Path,
    base: &'a Path,
    c: InferConfig,
    diagnostics: Vec<Diagnostic>,
    ds_only: Vec<String>,
    dims: Option<(Vec<i64>, Pos, String)>,
    per_class: Vec<(u32, f32)>,
    repo: Repo,
    num_classes_pos: Option<Pos>,
    offsets_pos: Option<Pos>,
    infer_config_seen: bool,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

impl Mapper<'_> {
    fn err(&self, pos: Pos, field: &str, value: &str, expected: &str) -> ConfigError {
        ConfigError::ProtoValue {
            file: self.file.to_path_buf(),
            line: pos.line,
            column: pos.column,
            field: field.into(),
            value: value.into(),
            expected: expected.into(),
        }
    }

    fn warn(&mut self, pos: Pos, message: String) {
        let file = self.file.display();
        self.diagnostics.push(Diagnostic { level: Level::Warning, message: format!("{file}:{pos}: {message}") });
    }

    fn unknown(&mut self, f: &Field, path: &str) {
        let name = join(path, &f.name);
        self.warn(f.pos, format!("unknown field '{name}' ignored"));
    }

    fn gpu_only(&mut self, f: &Field, path: &str) {
        let name = join(path, &f.name);
        if !self.ds_only.contains(&name) {
            self.ds_only.push(name);
        }
    }

    fn sub<'m>(&self, f: &'m Field, path: &str) -> Result<&'m Message, ConfigError> {
        match &f.value {
            Value::Message(m) => Ok(m),
            Value::Scalar(s) => Err(self.err(s.pos, &join(path, &f.name), &s.text, "expected a message: { ... }")),
        }
    }

    fn scalar<'m>(&self, f: &'m Field, path: &str) -> Result<&'m prototext::Scalar, ConfigError> {
        match &f.value {
            Value::Scalar(s) => Ok(s),
            Value::Message(_) => Err(self.err(f.pos, &join(path, &f.name), "{ ... }", "expected a value, not a message")),
        }
    }

    fn int(&self, f: &Field, path: &str, min: i64, max: i64) -> Result<i64, ConfigError> {
        let s = self.scalar(f, path)?;
        let n = if s.kind == ScalarKind::Number { s.text.parse::<i64>().ok() } else { None };
        match n {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            Some(_) => Err(self.err(s.pos, &join(path, &f.name), &s.text, &format!("expected an integer from {min} to {max}"))),
            None => Err(self.err(s.pos, &join(path, &f.name), &s.text, "expected an integer")),
        }
    }

    fn float(&self, f: &Field, path: &str, min: f64, max: f64) -> Result<f32, ConfigError> {
        let s = self.scalar(f, path)?;
        let x = if s.kind == ScalarKind::Number { s.text.trim_end_matches(['f', 'F']).parse::<f64>().ok() } else { None };
        match x {
            Some(x) if x.is_finite() && x >= min && x <= max => Ok(x as f32),
            Some(_) => Err(self.err(s.pos, &join(path, &f.name), &s.text, &format!("expected a number from {min} to {max}"))),
            None => Err(self.err(s.pos, &join(path, &f.name), &s.text, "expected a number")),
        }
    }

    fn boolean(&self, f: &Field, path: &str) -> Result<bool, ConfigError> {
        let s = self.scalar(f, path)?;
        match s.text.as_str() {
            "1" | "true" | "True" | "t" => Ok(true),
            "0" | "false" | "False" | "f" => Ok(false),
            _ => Err(self.err(s.pos, &join(path, &f.name), &s.text, "expected true or false (or 1 or 0)")),
        }
    }

    fn string(&self, f: &Field, path: &str) -> Result<String, ConfigError> {
        let s = self.scalar(f, path)?;
        if s.kind != ScalarKind::String {
            return Err(self.err(s.pos, &join(path, &f.name), &s.text, "expected a quoted string"));
        }
        Ok(s.text.clone())
    }

    /// An enum value by name or number: `values` lists (name, number).
    fn enumeration(&self, f: &Field, path: &str, values: &[(&str, i64)]) -> Result<i64, ConfigError> {
        let s = self.scalar(f, path)?;
        let found = match s.kind {
            ScalarKind::Ident => values.iter().find(|(n, _)| *n == s.text).map(|&(_, v)| v),
            ScalarKind::Number => s.text.parse::<i64>().ok().filter(|v| values.iter().any(|&(_, x)| x == *v)),
            ScalarKind::String => None,
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
            self.err(s.pos, &join(path, &f.name), &s.text, &format!("expected one of {}", names.join(", ")))
        })
    }

    fn config_path(&self, f: &Field, path: &str) -> Result<ConfigPath, ConfigError> {
        let value = self.string(f, path)?;
        Ok(ConfigPath {
            group: INFER_CONFIG.into(),
            key: join(path.strip_prefix("infer_config.").unwrap_or(path), &f.name),
            path: self.base.join(&value),
            value,
        })
    }

    fn plugin_control(&mut self, msg: &Message) -> Result<(), ConfigError> {
        for f in &msg.fields {
            match f.name.as_str() {
                "infer_config" => {
                    self.infer_config_seen = true;
                    self.infer_config(self.sub(f, "")?)?
                }
                "input_control" => self.input_control(self.sub(f, "")?)?,
                "output_control" => self.output_control(self.sub(f, "")?)?,
                _ => self.unknown(f, ""),
            }
        }
        Ok(())
    }

    fn infer_config(&mut self, msg: &Message) -> Result<(), ConfigError> {
        let p = "infer_config";
        for f in &msg.fields {
            match f.name.as_str() {
                "unique_id" => self.c.gie_unique_id = self.int(f, p, 1, i32::MAX as i64)? as u32,
                "max_batch_size" => self.c.batch_size = self.int(f, p, 0, 1024)?.max(1) as u32,
                "backend" => self.backend(self.sub(f, p)?, f.pos)?,
                "preprocess" => self.preprocess(self.sub(f, p)?)?,
                "postprocess" => self.postprocess(self.sub(f, p)?)?,
                "gpu_ids" | "extra" | "custom_lib" | "clip_object_outside_roi" => self.gpu_only(f, p),
                "lstm" => {
                    return Err(self.err(f.pos, "infer_config.lstm", "{ ... }", "LSTM loops are not supported by the portable backend"));
                }
                "input_tensor_from_meta" => {
                    self.warn(f.pos, "infer_config.input_tensor_from_meta is not supported by the portable backend yet; frames are inferred as usual".into());
                }
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    fn backend(&mut self, msg: &Message, pos: Pos) -> Result<(), ConfigError> {
        let p = "infer_config.backend";
        self.repo.backend_pos = Some(pos);
        for f in &msg.fields {
            match f.name.as_str() {
                "inputs" => {
                    let m = self.sub(f, p)?;
                    let q = "infer_config.backend.inputs";
                    for g in &m.fields {
                        match g.name.as_str() {
                            "name" => {
                                self.string(g, q)?;
                            }
                            "dims" => {
                                let d = self.int(g, q, -1, 1 << 20)?;
                                let entry = self.dims.get_or_insert_with(|| (Vec::new(), g.pos, String::new()));
                                entry.0.push(d);
                                entry.2 = if entry.2.is_empty() { d.to_string() } else { format!("{}, {d}", entry.2) };
                            }
                            "data_type" => self.gpu_only(g, q),
                            _ => self.unknown(g, q),
                        }
                    }
                }
                "outputs" => {
                    let m = self.sub(f, p)?;
                    let q = "infer_config.backend.outputs";
                    for g in &m.fields {
                        match g.name.as_str() {
                            "name" => {
                                let name = self.string(g, q)?;
                                self.c.output_blob_names.push(name);
                            }
                            "max_buffer_bytes" => self.gpu_only(g, q),
                            _ => self.unknown(g, q),
                        }
                    }
                }
                "triton" | "trt_is" => self.triton(self.sub(f, p)?, &join(p, &f.name))?,
                "output_mem_type" | "disable_warmup" | "inputs_from_meta" => self.gpu_only(f, p),
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    fn triton(&mut self, msg: &Message, p: &str) -> Result<(), ConfigError> {
        for f in &msg.fields {
            match f.name.as_str() {
                "model_name" => self.repo.model_name = Some((self.string(f, p)?, f.pos)),
                "version" => self.repo.version = self.int(f, p, -1, i32::MAX as i64)?,
                "model_repo" => {
                    let m = self.sub(f, p)?;
                    let q = join(p, "model_repo");
                    for g in &m.fields {
                        match g.name.as_str() {
                            "root" => self.repo.root = Some((self.string(g, &q)?, g.pos)),
                            "log_level" | "strict_model_config" | "tf_gpu_memory_fraction"
                            | "tf_disable_soft_placement" | "min_compute_capacity" | "backend_dir"
                            | "pinned_memory_pool_byte_size" | "cuda_device_memory" | "backend_configs"
                            | "debug_level" | "model_control_mode" => self.gpu_only(g, &q),
                            _ => self.unknown(g, &q),
                        }
                    }
                }
                "grpc" => {
                    let m = self.sub(f, p)?;
                    let q = join(p, "grpc");
                    let mut url = String::new();
                    for g in &m.fields {
                        match g.name.as_str() {
                            "url" => url = self.string(g, &q)?,
                            "enable_cuda_buffer_sharing" => self.gpu_only(g, &q),
                            _ => self.unknown(g, &q),
                        }
                    }
                    self.repo.grpc = Some((url, f.pos));
                }
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    fn preprocess(&mut self, msg: &Message) -> Result<(), ConfigError> {
        let p = "infer_config.preprocess";
        for f in &msg.fields {
            match f.name.as_str() {
                "network_format" => {
                    let v = self.enumeration(f, p, &[("MEDIA_FORMAT_NONE", 0), ("IMAGE_FORMAT_RGB", 1), ("IMAGE_FORMAT_BGR", 2), ("IMAGE_FORMAT_GRAY", 3)])?;
                    self.c.model_color_format = match v {
                        1 => ColorFormat::Rgb,
                        2 => ColorFormat::Bgr,
                        3 => ColorFormat::Gray,
                        _ => {
                            let s = self.scalar(f, p)?;
                            return Err(self.err(s.pos, "infer_config.preprocess.network_format", &s.text, "non-image inputs are not supported by the portable backend; use IMAGE_FORMAT_RGB, IMAGE_FORMAT_BGR or IMAGE_FORMAT_GRAY"));
                        }
                    };
                }
                "tensor_order" => {
                    let v = self.enumeration(f, p, &[("TENSOR_ORDER_NONE", 0), ("TENSOR_ORDER_LINEAR", 1), ("TENSOR_ORDER_NHWC", 2)])?;
                    self.c.network_input_order = if v == 2 { TensorOrder::Nhwc } else { TensorOrder::Nchw };
                }
                "tensor_name" => {
                    self.string(f, p)?;
                }
                "maintain_aspect_ratio" => self.c.maintain_aspect_ratio = self.boolean(f, p)?,
                "symmetric_padding" => self.c.symmetric_padding = self.boolean(f, p)?,
                "frame_scaling_hw" | "frame_scaling_filter" => self.gpu_only(f, p),
                "normalize" => {
                    let m = self.sub(f, p)?;
                    let q = "infer_config.preprocess.normalize";
                    for g in &m.fields {
                        match g.name.as_str() {
                            "scale_factor" => self.c.net_scale_factor = self.float(g, q, f64::MIN, f64::MAX)?,
                            "channel_offsets" => {
                                let x = self.float(g, q, f64::MIN, f64::MAX)?;
                                self.offsets_pos.get_or_insert(g.pos);
                                self.c.offsets.push(x);
                            }
                            "mean_file" => {
                                let v = self.string(g, q)?;
                                self.warn(g.pos, format!("{q}.mean_file \"{v}\": mean images are not supported by the portable backend; only channel_offsets are subtracted"));
                            }
                            _ => self.unknown(g, q),
                        }
                    }
                }
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    fn postprocess(&mut self, msg: &Message) -> Result<(), ConfigError> {
        let p = "infer_config.postprocess";
        for f in &msg.fields {
            match f.name.as_str() {
                "labelfile_path" => self.c.labelfile_path = Some(self.config_path(f, p)?),
                "detection" => {
                    self.c.network_type = NetworkType::Detector;
                    self.detection(self.sub(f, p)?)?;
                }
                "classification" | "triton_classification" | "trtis_classification" => {
                    self.c.network_type = NetworkType::Classifier;
                    let m = self.sub(f, p)?;
                    let q = join(p, &f.name);
                    for g in &m.fields {
                        match g.name.as_str() {
                            "threshold" => self.c.classifier_threshold = self.float(g, &q, 0.0, 1.0)?,
                            "custom_parse_classifier_func" => self.c.parse_classifier_func_name = Some(self.string(g, &q)?).filter(|s| !s.is_empty()),
                            "topk" | "tensor_name" => self.warn(g.pos, format!("{q}.{} is not honoured by the portable backend (the best class of each output layer is reported)", g.name)),
                            _ => self.unknown(g, &q),
                        }
                    }
                }
                "segmentation" => {
                    self.c.network_type = NetworkType::Segmentation;
                    let m = self.sub(f, p)?;
                    let q = "infer_config.postprocess.segmentation";
                    for g in &m.fields {
                        match g.name.as_str() {
                            "threshold" => self.c.segmentation_threshold = self.float(g, q, f64::MIN, f64::MAX)?,
                            "custom_parse_segmentation_func" => self.gpu_only(g, q),
                            _ => self.unknown(g, q),
                        }
                    }
                }
                "other" => {
                    self.c.network_type = NetworkType::Other;
                    let m = self.sub(f, p)?;
                    for g in &m.fields {
                        self.unknown(g, "infer_config.postprocess.other");
                    }
                }
                "class_id_map" => {
                    let m = self.sub(f, p)?;
                    let q = "infer_config.postprocess.class_id_map";
                    let (mut key, mut value) = (None, None);
                    for g in &m.fields {
                        match g.name.as_str() {
                            "key" => key = Some(self.int(g, q, 0, u32::MAX as i64)? as u32),
                            "value" => value = Some(self.int(g, q, 0, u32::MAX as i64)? as u32),
                            _ => self.unknown(g, q),
                        }
                    }
                    let (Some(k), Some(v)) = (key, value) else {
                        return Err(self.err(f.pos, q, "{ ... }", "expected { key: <model class> value: <output class> }"));
                    };
                    if self.c.class_id_map.get_or_insert_with(BTreeMap::new).insert(k, v).is_some() {
                        return Err(self.err(f.pos, q, &k.to_string(), "each model class may be mapped once"));
                    }
                }
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    fn detection(&mut self, msg: &Message) -> Result<(), ConfigError> {
        let p = "infer_config.postprocess.detection";
        let all = &mut ClassAttrs::default();
        for f in &msg.fields {
            let q = join(p, &f.name);
            match f.name.as_str() {
                "num_detected_classes" => {
                    self.num_classes_pos = Some(f.pos);
                    self.c.num_detected_classes = self.int(f, p, 1, 100_000)? as u32
                }
                "custom_parse_bbox_func" => self.c.parse_bbox_func_name = Some(self.string(f, p)?).filter(|s| !s.is_empty()),
                "per_class_params" => {
                    let m = self.sub(f, p)?;
                    let (mut key, mut thr) = (None, None);
                    for g in &m.fields {
                        match g.name.as_str() {
                            "key" => key = Some(self.int(g, &q, 0, u32::MAX as i64)? as u32),
                            "value" => {
                                let v = self.sub(g, &q)?;
                                let r = join(&q, "value");
                                for h in &v.fields {
                                    match h.name.as_str() {
                                        "pre_threshold" => thr = Some(self.float(h, &r, f64::MIN, f64::MAX)?),
                                        _ => self.unknown(h, &r),
                                    }
                                }
                            }
                            _ => self.unknown(g, &q),
                        }
                    }
                    let Some(key) = key else {
                        return Err(self.err(f.pos, &q, "{ ... }", "expected { key: <class id> value { pre_threshold: <x> } }"));
                    };
                    self.per_class.push((key, thr.unwrap_or(all.pre_cluster_threshold)));
                }
                "nms" | "dbscan" | "group_rectangle" | "simple_cluster" => {
                    let m = self.sub(f, p)?;
                    self.c.cluster_mode = match f.name.as_str() {
                        "nms" => ClusterMode::Nms,
                        "dbscan" => ClusterMode::Dbscan,
                        "group_rectangle" => ClusterMode::GroupRectangles,
                        _ => ClusterMode::None,
                    };
                    for g in &m.fields {
                        match (f.name.as_str(), g.name.as_str()) {
                            ("nms" | "group_rectangle", "confidence_threshold") | ("dbscan", "pre_threshold") | ("simple_cluster", "threshold") => {
                                all.pre_cluster_threshold = self.float(g, &q, f64::MIN, f64::MAX)?
                            }
                            ("nms", "iou_threshold") => all.nms_iou_threshold = self.float(g, &q, 0.0, 1.0)?,
                            ("nms", "topk") => all.topk = self.int(g, &q, -1, i32::MAX as i64)? as i32,
                            ("dbscan" | "group_rectangle", "eps") => all.eps = self.float(g, &q, 0.0, f64::MAX)?,
                            ("dbscan", "min_boxes") => all.min_boxes = self.int(g, &q, 0, i32::MAX as i64)? as i32,
                            ("dbscan", "min_score") => all.dbscan_min_score = self.float(g, &q, f64::MIN, f64::MAX)?,
                            ("group_rectangle", "group_threshold") => all.group_threshold = self.int(g, &q, 0, i32::MAX as i64)? as i32,
                            _ => self.unknown(g, &q),
                        }
                    }
                }
                _ => self.unknown(f, p),
            }
        }
        let keep = &self.c.class_attrs_all;
        // Filters from output_control (read before or after) stay as they are.
        all.roi_top_offset = keep.roi_top_offset;
        all.roi_bottom_offset = keep.roi_bottom_offset;
        all.detected_min_w = keep.detected_min_w;
        all.detected_min_h = keep.detected_min_h;
        all.detected_max_w = keep.detected_max_w;
        all.detected_max_h = keep.detected_max_h;
        all.border_color = keep.border_color;
        all.bg_color = keep.bg_color;
        self.c.class_attrs_all = all.clone();
        Ok(())
    }

    fn bbox_filter(&mut self, m: &Message, q: &str, a: &mut ClassAttrs) -> Result<(), ConfigError> {
        for g in &m.fields {
            match g.name.as_str() {
                "min_width" => a.detected_min_w = self.int(g, q, 0, u32::MAX as i64)? as u32,
                "min_height" => a.detected_min_h = self.int(g, q, 0, u32::MAX as i64)? as u32,
                "max_width" => a.detected_max_w = self.int(g, q, 0, u32::MAX as i64)? as u32,
                "max_height" => a.detected_max_h = self.int(g, q, 0, u32::MAX as i64)? as u32,
                _ => self.unknown(g, q),
            }
        }
        Ok(())
    }

    fn input_control(&mut self, msg: &Message) -> Result<(), ConfigError> {
        let p = "input_control";
        for f in &msg.fields {
            match f.name.as_str() {
                "process_mode" => {
                    let v = self.enumeration(f, p, &[("PROCESS_MODE_DEFAULT", 0), ("PROCESS_MODE_FULL_FRAME", 1), ("PROCESS_MODE_CLIP_OBJECTS", 2)])?;
                    self.c.process_mode = if v == 2 { ProcessMode::Secondary } else { ProcessMode::Primary };
                }
                "operate_on_gie_id" => self.c.operate_on_gie_id = self.int(f, p, -1, i32::MAX as i64)? as i32,
                "operate_on_class_ids" => {
                    let id = self.int(f, p, 0, u32::MAX as i64)? as u32;
                    self.c.operate_on_class_ids.push(id);
                }
                "interval" => self.c.interval = self.int(f, p, 0, u32::MAX as i64)? as u32,
                "async_mode" => self.c.classifier_async_mode = self.boolean(f, p)?,
                "secondary_reinfer_interval" => self.c.secondary_reinfer_interval = Some(self.int(f, p, 0, u32::MAX as i64)? as u32),
                "object_control" => {
                    let m = self.sub(f, p)?;
                    let q = "input_control.object_control";
                    for g in &m.fields {
                        match g.name.as_str() {
                            "bbox_filter" => {
                                let b = self.sub(g, q)?;
                                let mut a = ClassAttrs::default();
                                self.bbox_filter(b, "input_control.object_control.bbox_filter", &mut a)?;
                                self.c.input_object_min_width = a.detected_min_w;
                                self.c.input_object_min_height = a.detected_min_h;
                                self.c.input_object_max_width = a.detected_max_w;
                                self.c.input_object_max_height = a.detected_max_h;
                            }
                            _ => self.unknown(g, q),
                        }
                    }
                }
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    fn output_control(&mut self, msg: &Message) -> Result<(), ConfigError> {
        let p = "output_control";
        for f in &msg.fields {
            match f.name.as_str() {
                "output_tensor_meta" => self.c.output_tensor_meta = self.boolean(f, p)?,
                "classifier_type" => self.gpu_only(f, p),
                "detect_control" => {
                    let m = self.sub(f, p)?;
                    let q = "output_control.detect_control";
                    for g in &m.fields {
                        match g.name.as_str() {
                            "default_filter" => {
                                let d = self.sub(g, q)?;
                                let r = "output_control.detect_control.default_filter";
                                let mut a = self.c.class_attrs_all.clone();
                                for h in &d.fields {
                                    match h.name.as_str() {
                                        "bbox_filter" => {
                                            let b = self.sub(h, r)?;
                                            self.bbox_filter(b, "output_control.detect_control.default_filter.bbox_filter", &mut a)?;
                                        }
                                        "roi_top_offset" => a.roi_top_offset = self.int(h, r, 0, u32::MAX as i64)? as u32,
                                        "roi_bottom_offset" => a.roi_bottom_offset = self.int(h, r, 0, u32::MAX as i64)? as u32,
                                        "border_color" | "bg_color" => self.gpu_only(h, r),
                                        _ => self.unknown(h, r),
                                    }
                                }
                                self.c.class_attrs_all = a;
                            }
                            "specific_class_filters" | "color_filters" => self.gpu_only(g, q),
                            _ => self.unknown(g, q),
                        }
                    }
                }
                _ => self.unknown(f, p),
            }
        }
        Ok(())
    }

    /// The model file for `model_name` in the Triton repository `root`.
    fn resolve_model(&self, root: &Path, name: &str, version: i64) -> PathBuf {
        let dir = root.join(name);
        let mut candidates = Vec::new();
        if version > 0 {
            candidates.push(dir.join(version.to_string()).join("model.onnx"));
        } else if let Ok(entries) = std::fs::read_dir(&dir) {
            let best = entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u64>().ok()))
                .max();
            if let Some(v) = best {
                candidates.push(dir.join(v.to_string()).join("model.onnx"));
            }
        }
        candidates.push(dir.join(format!("{name}.onnx")));
        candidates.push(root.join(format!("{name}.onnx")));
        candidates.iter().find(|p| p.is_file()).cloned().unwrap_or_else(|| candidates[0].clone())
    }

    fn finish(mut self) -> Result<InferConfig, ConfigError> {
        if !self.infer_config_seen {
            return Err(ConfigError::UnsupportedFile {
                file: self.file.to_path_buf(),
                why: "no infer_config { ... } message: an nvinferserver config needs one".into(),
            });
        }
        let file = self.file.to_path_buf();
        // The model, from the Triton repository.
        let backend_pos = self.repo.backend_pos.unwrap_or(Pos { line: 1, column: 1 });
        let Some((name, name_pos)) = self.repo.model_name.clone() else {
            return Err(self.err(backend_pos, "infer_config.backend.triton.model_name", "", "missing: the model to run (a Triton model name)"));
        };
        match (&self.repo.root, &self.repo.grpc) {
            (Some((root, _)), grpc) => {
                if let Some((url, _)) = grpc {
                    self.diagnostics.push(Diagnostic {
                        level: Level::Info,
                        message: format!("{}: grpc {{ url: \"{url}\" }} ignored: the portable backend runs the model in process, from model_repo", file.display()),
                    });
                }
                let root_path = self.base.join(root);
                let path = self.resolve_model(&root_path, &name, self.repo.version);
                self.c.model = ModelSource::Onnx(ConfigPath {
                    group: INFER_CONFIG.into(),
                    key: "backend.triton.model_name".into(),
                    value: name,
                    path,
                });
            }
            (None, Some((url, pos))) => {
                return Err(self.err(*pos, "infer_config.backend.triton.grpc", url, "a remote Triton server is not used by the portable backend; give model_repo { root: \"<folder>\" } holding <model_name>/<version>/model.onnx (or <model_name>.onnx)"));
            }
            (None, None) => {
                return Err(self.err(name_pos, "infer_config.backend.triton.model_repo", "", "missing: the model repository folder (root) to find the model in"));
            }
        }
        if let Some((dims, pos, text)) = self.dims.take() {
            let [a, b, cc] = dims[..] else {
                return Err(self.err(pos, "infer_config.backend.inputs.dims", &text, "expected 3 dims (channels, height, width in tensor_order)"));
            };
            if a > 0 && b > 0 && cc > 0 {
                self.c.infer_dims = Some(match self.c.network_input_order {
                    TensorOrder::Nchw => [a as usize, b as usize, cc as usize],
                    TensorOrder::Nhwc => [cc as usize, a as usize, b as usize],
                });
            }
        }
        if !self.c.offsets.is_empty() && self.c.offsets.len() != self.c.model_color_format.channels() {
            let pos = self.offsets_pos.unwrap_or(Pos { line: 1, column: 1 });
            let value = self.c.offsets.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
            let expected = format!("expected {} values, one per channel of network_format", self.c.model_color_format.channels());
            return Err(self.err(pos, "infer_config.preprocess.normalize.channel_offsets", &format!("[{value}]"), &expected));
        }
        if self.c.network_type == NetworkType::Detector && self.c.num_detected_classes == 0 {
            return Err(ConfigError::MissingKey {
                file,
                group: INFER_CONFIG.into(),
                key: "postprocess.detection.num_detected_classes".into(),
                why: "a detector needs the number of classes (or use postprocess { other {} } for raw tensors)".into(),
            });
        }
        for (id, thr) in std::mem::take(&mut self.per_class) {
            let mut a = self.c.class_attrs_all.clone();
            a.pre_cluster_threshold = thr;
            self.c.class_attrs.insert(id, a);
        }
        if !self.ds_only.is_empty() {
            self.diagnostics.push(Diagnostic {
                level: Level::Info,
                message: format!("{}: DeepStream-only fields ignored by the portable backend: {}", file.display(), self.ds_only.join(", ")),
            });
        }
        self.c.diagnostics = self.diagnostics;
        Ok(self.c)
    }
}
