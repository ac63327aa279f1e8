use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use super::ProcessMode;
use super::secondary;
use crate::caps;
use crate::meta::{self, NewObject};
use crate::util::lock;
use ds_infer::{ImageRoi, InferConfig, Inference};

pub(super) static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsinfer",
        gst::DebugColorFlags::empty(),
        Some("Portable nvinfer"),
    )
});

/// Values set on the element (they win over the config file's) and the config's values.
#[derive(Default)]
struct Settings {
    config_file_path: Option<String>,
    /// The config as parsed when `config-file-path` was set (for property read-back).
    config: Option<InferConfig>,
    batch_size: Option<u32>,
    interval: Option<u32>,
    unique_id: Option<u32>,
    process_mode: Option<ProcessMode>,
    output_tensor_meta: Option<bool>,
    output_instance_mask: Option<bool>,
    operate_on_gie_id: Option<i32>,
    operate_on_class_ids: Option<Vec<u32>>,
    filter_out_class_ids: Option<Vec<u32>>,
    gpu_id: Option<u32>,
    input_tensor_meta: bool,
}

/// nvinfer's class-id list properties: integers separated by `:`, `;`, `,` or spaces
/// (`0:2:3`, `0;2;3`); negative ids are skipped, as nvinfer does. `None` for text that is
/// not such a list.
fn parse_class_ids(text: &str) -> Option<Vec<u32>> {
    let mut ids = Vec::new();
    for item in text.split(|c: char| matches!(c, ':' | ';' | ',') || c.is_whitespace()) {
        if item.is_empty() {
            continue;
        }
        let v: i64 = item.parse().ok()?;
        if v >= 0 {
            ids.push(u32::try_from(v).ok()?);
        }
    }
    Some(ids)
}

/// The read-back form of nvinfer's class-id list properties: each id followed by `sep`
/// (`"0:2:"` for `infer-on-class-ids`, in increasing order; `"0;2;"` for
/// `filter-out-class-ids`).
fn class_ids_text(ids: &[u32], sep: &str, sorted: bool) -> String {
    let mut ids = ids.to_vec();
    if sorted {
        ids.sort_unstable();
        ids.dedup();
    }
    ids.iter().map(|i| format!("{i}{sep}")).collect()
}

impl Settings {
    fn batch_size(&self) -> u32 {
        self.batch_size
            .or(self.config.as_ref().map(|c| c.batch_size))
            .unwrap_or(1)
    }
    fn interval(&self) -> u32 {
        self.interval
            .or(self.config.as_ref().map(|c| c.interval))
            .unwrap_or(0)
    }
    fn unique_id(&self) -> u32 {
        self.unique_id
            .or(self.config.as_ref().map(|c| c.gie_unique_id))
            .unwrap_or(15)
    }
    fn process_mode(&self) -> ProcessMode {
        self.process_mode
            .or(self.config.as_ref().map(|c| match c.process_mode {
                ds_infer::config::ProcessMode::Secondary => ProcessMode::Secondary,
                _ => ProcessMode::Primary,
            }))
            .unwrap_or_default()
    }
    fn output_tensor_meta(&self) -> bool {
        self.output_tensor_meta
            .or(self.config.as_ref().map(|c| c.output_tensor_meta))
            .unwrap_or(false)
    }
    fn output_instance_mask(&self) -> bool {
        self.output_instance_mask
            .or(self.config.as_ref().map(|c| c.output_instance_mask))
            .unwrap_or(false)
    }
    fn operate_on_gie_id(&self) -> i32 {
        self.operate_on_gie_id
            .or(self.config.as_ref().map(|c| c.operate_on_gie_id))
            .unwrap_or(-1)
    }
    fn operate_on_class_ids(&self) -> Vec<u32> {
        self.operate_on_class_ids
            .clone()
            .or(self.config.as_ref().map(|c| c.operate_on_class_ids.clone()))
            .unwrap_or_default()
    }
    fn filter_out_class_ids(&self) -> Vec<u32> {
        self.filter_out_class_ids
            .clone()
            .or(self.config.as_ref().map(|c| c.filter_out_class_ids.clone()))
            .unwrap_or_default()
    }
}

pub(super) struct State {
    /// Shared with the asynchronous worker thread (`classifier-async-mode=1`).
    pub inference: Arc<Mutex<Inference>>,
    pub config: InferConfig,
    pub unique_id: u32,
    pub interval: u32,
    pub batches: u64,
    pub info: Option<gst_video::VideoInfo>,
    /// Secondary mode (`process-mode=2`) only.
    pub secondary: Option<secondary::Secondary>,
    /// `input-tensor-meta`: infer on dspreprocess' tensors.
    pub input_tensor_meta: bool,
    /// `gpu-id` (checked against the tensor's, as nvinfer does).
    pub gpu_id: u32,
    /// The tensor name mismatch was reported (warned once).
    pub warned_tensor_name: bool,
}

/// The `dsinfer` implementation.
#[derive(Default)]
pub struct DsInfer {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    /// Objects (secondary mode) or frames (primary mode) inferred since the last start.
    pub(super) inferred: Arc<AtomicU64>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsInfer {
    const NAME: &'static str = "DsInfer";
    type Type = super::DsInfer;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsInfer {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("config-file-path")
                    .nick("Config File Path")
                    .blurb("Path to the configuration file for this instance of nvinfer")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("batch-size")
                    .nick("Batch Size")
                    .blurb("Maximum batch size for inference")
                    .minimum(1)
                    .maximum(1024)
                    .default_value(1)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("interval")
                    .nick("Interval")
                    .blurb("Specifies number of consecutive batches to be skipped for inference")
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("unique-id")
                    .nick("Unique ID")
                    .blurb(
                        "Unique ID for the element. Can be used to identify output of the element",
                    )
                    .default_value(15)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("process-mode", ProcessMode::Primary)
                    .nick("Process Mode")
                    .blurb("Infer processing mode")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("output-tensor-meta")
                    .nick("Output Tensor Meta")
                    .blurb("Attach inference tensor outputs as buffer metadata")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("output-instance-mask")
                    .nick("Output Instance Mask")
                    .blurb("Instance mask expected in network output and attach it to metadata")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("Set GPU Device ID")
                    .blurb("Accepted for compatibility; no effect (inference runs on the CPU)")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecInt::builder("infer-on-gie-id")
                    .nick("Infer on Gie ID")
                    .blurb("Infer on metadata generated by GIE with this unique ID. Set to -1 to infer on all metadata (config key operate-on-gie-id)")
                    .minimum(-1)
                    .default_value(-1)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecString::builder("infer-on-class-ids")
                    .nick("Operate on Class ids")
                    .blurb("Operate on objects with specified class ids, e.g. 0:2:3 (config key operate-on-class-ids)")
                    .default_value(Some(""))
                    .mutable_ready()
                    .build(),
                glib::ParamSpecString::builder("filter-out-class-ids")
                    .nick("Ignore metadata for class ids")
                    .blurb("Ignore metadata for objects of specified class ids, e.g. 0;2;3")
                    .default_value(Some(""))
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("input-tensor-meta")
                    .nick("Use preprocess input tensor meta")
                    .blurb("Infer on the tensor attached by nvdspreprocess (dspreprocess) for this unique-id instead of pre-processing frames")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt64::builder("inferred-objects")
                    .nick("Inferred objects")
                    .blurb("Portable extension (not in nvinfer): number of inputs inferred since the element started: objects in secondary mode, frames in primary mode")
                    .read_only()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "config-file-path" => {
                let path: Option<String> = value.get().unwrap_or(None);
                s.config = None;
                if let Some(p) = &path {
                    // parsed now so that batch-size & co read back the config's values;
                    // errors are reported when the element starts
                    match InferConfig::parse_file(std::path::Path::new(p)) {
                        Ok(c) => s.config = Some(c),
                        Err(e) => gst::warning!(CAT, imp = self, "{e}"),
                    }
                }
                s.config_file_path = path;
            }
            "batch-size" => s.batch_size = value.get().ok(),
            "interval" => s.interval = value.get().ok(),
            "unique-id" => s.unique_id = value.get().ok(),
            "process-mode" => s.process_mode = value.get().ok(),
            "output-tensor-meta" => s.output_tensor_meta = value.get().ok(),
            "output-instance-mask" => s.output_instance_mask = value.get().ok(),
            "gpu-id" => s.gpu_id = value.get().ok(),
            "input-tensor-meta" => s.input_tensor_meta = value.get().unwrap_or(false),
            "infer-on-gie-id" => s.operate_on_gie_id = value.get().ok(),
            "infer-on-class-ids" | "filter-out-class-ids" => {
                let text: Option<String> = value.get().unwrap_or(None);
                let ids = match parse_class_ids(text.as_deref().unwrap_or("")) {
                    Some(ids) => ids,
                    None => {
                        gst::warning!(
                            CAT,
                            imp = self,
                            "{}: '{}' is not a list of class ids (e.g. 0:2:3); ignored",
                            pspec.name(),
                            text.unwrap_or_default()
                        );
                        return;
                    }
                };
                if pspec.name() == "infer-on-class-ids" {
                    s.operate_on_class_ids = Some(ids);
                } else {
                    s.filter_out_class_ids = Some(ids);
                }
            }
            _ => {}
        }
        if pspec.name() == "interval" {
            let iv = s.interval();
            drop(s);
            if let Some(st) = lock(&self.state).as_mut() {
                st.interval = iv;
            }
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "config-file-path" => s.config_file_path.to_value(),
            "batch-size" => s.batch_size().to_value(),
            "interval" => s.interval().to_value(),
            "unique-id" => s.unique_id().to_value(),
            "process-mode" => s.process_mode().to_value(),
            "output-tensor-meta" => s.output_tensor_meta().to_value(),
            "output-instance-mask" => s.output_instance_mask().to_value(),
            "gpu-id" => s.gpu_id.unwrap_or(0).to_value(),
            "input-tensor-meta" => s.input_tensor_meta.to_value(),
            "infer-on-gie-id" => s.operate_on_gie_id().to_value(),
            "infer-on-class-ids" => class_ids_text(&s.operate_on_class_ids(), ":", true).to_value(),
            "filter-out-class-ids" => class_ids_text(&s.filter_out_class_ids(), ";", false).to_value(),
            "inferred-objects" => self.inferred.load(Ordering::Relaxed).to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsInfer {}

impl ElementImpl for DsInfer {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Inference (portable nvinfer)",
                "Filter/Analyzer/Video",
                "Runs an nvinfer-configured model with ONNX Runtime on the CPU and adds DeepStream object metadata",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let c = caps::batch_or_rgba_caps();
            caps::sink_src_templates(&c, &c)
        });
        T.as_ref()
    }
}

impl BaseTransformImpl for DsInfer {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings);
        let Some(path) = s.config_file_path.clone() else {
            return Err(gst::error_msg!(
                gst::LibraryError::Settings,
                ["dsinfer: the config-file-path property is not set"]
            ));
        };
        let mut config = InferConfig::from_file(&PathBuf::from(&path))
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ["dsinfer: {e}"]))?;
        config.batch_size = s.batch_size();
        config.interval = s.interval();
        config.gie_unique_id = s.unique_id();
        config.output_tensor_meta = s.output_tensor_meta();
        config.output_instance_mask = s.output_instance_mask();
        config.operate_on_gie_id = s.operate_on_gie_id();
        config.operate_on_class_ids = s.operate_on_class_ids();
        config.filter_out_class_ids = s.filter_out_class_ids();
        if let Some(gpu_id) = s.gpu_id {
            config.gpu_id = gpu_id;
        }
        config.process_mode = match s.process_mode() {
            ProcessMode::Secondary => ds_infer::ProcessMode::Secondary,
            ProcessMode::Primary => ds_infer::ProcessMode::Primary,
        };
        let (unique_id, interval) = (s.unique_id(), s.interval());
        let (input_tensor_meta, gpu_id) = (s.input_tensor_meta, config.gpu_id);
        drop(s);
        let inference = Inference::new(&config).map_err(|e| {
            gst::error_msg!(
                gst::LibraryError::Init,
                ["dsinfer: cannot load the model of {path}: {e}"]
            )
        })?;
        gst::info!(
            CAT,
            imp = self,
            "loaded {path}: batch-size {}, interval {interval}, unique-id {unique_id}",
            config.batch_size
        );
        secondary::warn_async_ignored(self, &config);
        let inference = Arc::new(Mutex::new(inference));
        let secondary = if config.process_mode == ds_infer::ProcessMode::Secondary {
            Some(
                secondary::Secondary::new(&config, inference.clone(), self.inferred.clone())
                    .map_err(|e| {
                        gst::error_msg!(
                            gst::CoreError::Thread,
                            ["dsinfer: cannot start the asynchronous inference thread: {e}"]
                        )
                    })?,
            )
        } else {
            None
        };
        self.inferred.store(0, Ordering::Relaxed);
        *lock(&self.state) = Some(State {
            inference,
            config,
            unique_id,
            interval,
            batches: 0,
            info: None,
            secondary,
            input_tensor_meta,
            gpu_id,
            warned_tensor_name: false,
        });
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        // as nvinfer: a source that ended or was removed loses its object histories
        if let Some((name, source)) = crate::events::parse(&event)
            && (name == crate::events::STREAM_EOS || name == crate::events::PAD_DELETED)
            && let Some(sec) = lock(&self.state)
                .as_mut()
                .and_then(|st| st.secondary.as_mut())
        {
            sec.reset_source(source);
        }
        self.parent_sink_event(event)
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dsinfer: bad caps {incaps}"))?;
        if let Some(st) = lock(&self.state).as_mut() {
            st.info = Some(info);
        }
        Ok(())
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        // NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT: this element's in/out time per frame
        let latency = crate::latency::Component::start();
        let result = self.infer_batch(buf);
        latency.finish(&self.obj().name(), buf);
        result
    }
}

impl DsInfer {
    /// Primary or secondary inference on one batch (the body of `transform_ip`).
    fn infer_batch(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        let Some(st) = guard.as_mut() else {
            return Err(gst::FlowError::Flushing);
        };
        let Some(info) = st.info.clone() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        if st.secondary.is_some() {
            // `interval` is for primary mode only, as in nvinfer
            return secondary::process(self, st, buf, &info);
        }
        let batch_no = st.batches;
        st.batches += 1;
        if st.interval > 0 && batch_no % (st.interval as u64 + 1) != 0 {
            return Ok(gst::FlowSuccess::Ok);
        }
        let frames = meta::read_frames(buf);
        if frames.is_empty() {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("dsinfer: the buffer has no NvDsBatchMeta: dsinfer works on batches from dsstreammux")
            );
            return Err(gst::FlowError::Error);
        }
        if st.input_tensor_meta {
            return self.infer_tensors(st, buf, &info);
        }
        let (w, h) = (info.width(), info.height());
        let stride = info.stride()[0] as usize;
        let n_mem = buf.n_memory();
        let frame_ids: Vec<u32> = frames
            .iter()
            .map(|f| f.batch_id)
            .filter(|b| (*b as usize) < n_mem)
            .collect();
        let outputs = {
            let maps = frame_ids
                .iter()
                .map(|b| buf.peek_memory(*b as usize).map_readable())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    gst::element_imp_error!(
                        self,
                        gst::ResourceError::Read,
                        ("dsinfer: cannot map a frame of the batch")
                    );
                    gst::FlowError::Error
                })?;
            let rois: Vec<ImageRoi> = maps
                .iter()
                .map(|m| ImageRoi::full_frame(m.as_slice(), w, h, stride))
                .collect();
            lock(&st.inference).infer(&rois).map_err(|e| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Failed,
                    ("dsinfer: inference failed: {e}")
                );
                gst::FlowError::Error
            })?
        };
        self.inferred
            .fetch_add(outputs.len() as u64, Ordering::Relaxed);
        for (batch_id, out) in frame_ids.iter().zip(outputs.iter()) {
            let objects = new_objects(&st.config, &out.detections);
            if let Err(e) = meta::add_objects(buf, *batch_id, st.unique_id, None, &objects) {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("dsinfer: cannot add object meta: {e}")
                );
                return Err(gst::FlowError::Error);
            }
            if let Some(seg) = &out.segmentation
                && let Err(e) = meta::add_segmentation_meta(buf, *batch_id, st.unique_id, seg)
            {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("dsinfer: cannot add segmentation meta: {e}")
                );
                return Err(gst::FlowError::Error);
            }
            if st.config.output_tensor_meta && !out.tensors.is_empty() {
                let tensors = tensor_output(st, &out.tensors);
                if let Err(e) = meta::add_tensor_meta(buf, *batch_id, tensors) {
                    gst::element_imp_error!(
                        self,
                        gst::LibraryError::Failed,
                        ("dsinfer: cannot add tensor meta: {e}")
                    );
                    return Err(gst::FlowError::Error);
                }
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

impl DsInfer {
    /// `input-tensor-meta=true`: infers on the preprocess tensors meant for this GIE and puts
    /// the detections into the frames of their ROIs, in frame pixels (nvinfer's
    /// `gst_nvinfer_process_tensor_input` and `attach_metadata_detector`: scale and padding
    /// undone, boxes clipped to the ROI).
    fn infer_tensors(&self, st: &mut State, buf: &mut gst::BufferRef, info: &gst_video::VideoInfo) -> Result<gst::FlowSuccess, gst::FlowError> {
        let fail = |what: &str, e: String| {
            gst::element_imp_error!(self, gst::StreamError::Failed, ("dsinfer: {what}: {e}"));
            gst::FlowError::Error
        };
        let tensors = meta::read_preprocess_tensors(buf, st.unique_id).map_err(|e| fail("input-tensor-meta", e))?;
        let frame = (info.width(), info.height());
        for t in tensors {
            if t.gpu_id != st.gpu_id {
                return Err(fail(
                    "input-tensor-meta",
                    format!("dsinfer configured with gpu-id {} but received input tensor allocated on gpu {}", st.gpu_id, t.gpu_id),
                ));
            }
            let model_input = lock(&st.inference).input_name().to_string();
            if t.name != model_input {
                // nvinfer: a warning, and the tensor is skipped
                if !st.warned_tensor_name {
                    st.warned_tensor_name = true;
                    gst::element_imp_warning!(
                        self,
                        gst::StreamError::Failed,
                        ("dsinfer could not find input layer with name = {} (the model's input is '{model_input}'; set tensor-name in the preprocess config)", t.name)
                    );
                }
                continue;
            }
            let items: Vec<((u32, u32), ds_infer::preprocess::Transform)> = t.items.iter().map(|i| (frame, i.transform)).collect();
            let outputs = lock(&st.inference)
                .infer_tensor(&t.shape, &t.data, &items)
                .map_err(|e| fail(&format!("inference on the preprocess tensor '{}' (meta_id {})", t.name, t.meta_id), e.to_string()))?;
            self.inferred.fetch_add(outputs.len() as u64, Ordering::Relaxed);
            for (item, out) in t.items.iter().zip(&outputs) {
                let objects = new_objects(&st.config, &out.detections);
                meta::add_objects(buf, item.batch_id, st.unique_id, None, &objects).map_err(|e| fail("cannot add object meta", e))?;
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

/// nvinfer's `NvDsInferTensorMeta` for one input's raw output layers (FLOAT host buffers,
/// `gpu_id` -1).
/// Object metas for `detections`, with their class's colours from `config` (nvinfer's red
/// border unless the class has `border-color`).
pub(super) fn new_objects<'a>(config: &InferConfig, detections: &'a [ds_infer::Detection]) -> Vec<NewObject<'a>> {
    detections
        .iter()
        .map(|d| {
            let attrs = config.class_attrs(d.class_id);
            NewObject {
                class_id: d.class_id as i32,
                confidence: d.confidence,
                left: d.rect.left,
                top: d.rect.top,
                width: d.rect.width,
                height: d.rect.height,
                label: d.label.as_deref(),
                border_color: attrs.border_color.unwrap_or([1.0, 0.0, 0.0, 1.0]),
                bg_color: attrs.bg_color,
                mask: d.mask.as_ref(),
            }
        })
        .collect()
}

pub(super) fn tensor_output(
    st: &State,
    tensors: &[ds_infer::OutputTensor],
) -> ds_meta::infer::TensorOutput {
    let [c, h, w] = lock(&st.inference).input_dims();
    ds_meta::infer::TensorOutput {
        unique_id: st.unique_id,
        network_info: ds_meta::sys::NvDsInferNetworkInfo {
            width: w as u32,
            height: h as u32,
            channels: c as u32,
        },
        gpu_id: -1,
        maintain_aspect_ratio: st.config.maintain_aspect_ratio,
        symmetric_padding: st.config.symmetric_padding,
        layers: tensors
            .iter()
            .map(|t| ds_meta::infer::OutputLayer {
                name: t.name.clone(),
                dims: t.dims.iter().map(|d| *d as u32).collect(),
                data: t.data.clone(),
            })
            .collect(),
    }
}
