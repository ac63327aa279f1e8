use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use crate::caps;
use crate::meta;
use crate::util::lock;
use ds_infer::preprocess_config::PreprocessConfig;
use ds_infer::preprocess_tensor::{self, BatchFrame};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new("dspreprocess", gst::DebugColorFlags::empty(), Some("Portable nvdspreprocess"))
});

const DEFAULT_UNIQUE_ID: u32 = 15;

/// Values set on the element (they win over the config file's).
#[derive(Debug, Clone, Default)]
struct Settings {
    config_file: Option<String>,
    unique_id: Option<u32>,
    enable: Option<bool>,
    process_on_frame: Option<bool>,
    target_unique_ids: Option<Vec<u32>>,
    operate_on_gie_id: Option<i32>,
    gpu_id: u32,
}

struct State {
    config: PreprocessConfig,
    enable: bool,
    unique_id: u32,
    target_unique_ids: Vec<u32>,
    gpu_id: u32,
    info: Option<gst_video::VideoInfo>,
}

/// The `dspreprocess` implementation.
#[derive(Default)]
pub struct DsPreprocess {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsPreprocess {
    const NAME: &'static str = "DsPreprocess";
    type Type = super::DsPreprocess;
    type ParentType = gst_base::BaseTransform;
}

fn parse_ids(text: &str) -> Option<Vec<u32>> {
    text.split([';', ':', ',', ' ']).filter(|s| !s.is_empty()).map(|s| s.parse().ok()).collect()
}

impl ObjectImpl for DsPreprocess {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("config-file")
                    .nick("Preprocess Config File")
                    .blurb("Preprocess Config File (nvdspreprocess' key-file format)")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("unique-id")
                    .nick("Unique ID")
                    .blurb("Unique ID for the element. Can be used to identify output of the element")
                    .default_value(DEFAULT_UNIQUE_ID)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("enable")
                    .nick("Enable")
                    .blurb("Enable the preprocessing, or pass buffers through")
                    .default_value(true)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("process-on-frame")
                    .nick("Process on Frame")
                    .blurb("Process on frames (true) or objects (false: not implemented in the portable backend)")
                    .default_value(true)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecString::builder("target-unique-ids")
                    .nick("Target Unique Ids")
                    .blurb("unique-ids of the GIEs the tensor is for, separated by ';'")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecInt::builder("operate-on-gie-id")
                    .nick("Operate on GIE id")
                    .blurb("Object mode: the GIE whose objects are processed (-1: any)")
                    .minimum(-1)
                    .default_value(-1)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("Set GPU Device ID")
                    .blurb("Written to the tensor meta (the portable tensor is host memory)")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "config-file" => s.config_file = value.get().unwrap_or(None),
            "unique-id" => s.unique_id = value.get().ok(),
            "enable" => s.enable = value.get().ok(),
            "process-on-frame" => s.process_on_frame = value.get().ok(),
            "target-unique-ids" => {
                let text: Option<String> = value.get().unwrap_or(None);
                match parse_ids(text.as_deref().unwrap_or("")) {
                    Some(ids) => s.target_unique_ids = Some(ids),
                    None => gst::warning!(CAT, imp = self, "target-unique-ids: '{}' is not a list of ids (e.g. 1;2); ignored", text.unwrap_or_default()),
                }
            }
            "operate-on-gie-id" => s.operate_on_gie_id = value.get().ok(),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "config-file" => s.config_file.to_value(),
            "unique-id" => s.unique_id.unwrap_or(DEFAULT_UNIQUE_ID).to_value(),
            "enable" => s.enable.unwrap_or(true).to_value(),
            "process-on-frame" => s.process_on_frame.unwrap_or(true).to_value(),
            "target-unique-ids" => s
                .target_unique_ids
                .as_ref()
                .map(|ids| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(";"))
                .to_value(),
            "operate-on-gie-id" => s.operate_on_gie_id.unwrap_or(-1).to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsPreprocess {}

impl ElementImpl for DsPreprocess {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Preprocess (portable nvdspreprocess)",
                "Filter/Video",
                "Builds a GIE's input tensor from ROIs or frames and attaches it as DeepStream preprocess batch meta",
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

impl BaseTransformImpl for DsPreprocess {
    const MODE: gst_base::subclass::BaseTransformMode = gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings).clone();
        let Some(path) = s.config_file.clone() else {
            return Err(gst::error_msg!(gst::LibraryError::Settings, ["dspreprocess: the config-file property is not set"]));
        };
        let config = PreprocessConfig::from_file(Path::new(&path))
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ["dspreprocess: {e}"]))?;
        for d in &config.diagnostics {
            match d.level {
                ds_infer::config::Level::Warning => gst::warning!(CAT, imp = self, "{}", d.message),
                _ => gst::info!(CAT, imp = self, "{}", d.message),
            }
        }
        if !s.process_on_frame.unwrap_or(config.process_on_frame) {
            return Err(gst::error_msg!(
                gst::LibraryError::Settings,
                ["dspreprocess: {path}: [property] process-on-frame=0 (object mode) is not implemented yet in the portable backend; use process-on-frame=1 (frames or ROIs)"]
            ));
        }
        let [_, _, net_h, net_w] = config.nchw();
        for (key, v, net) in [("processing-width", config.processing_width, net_w), ("processing-height", config.processing_height, net_h)] {
            if v != 0 && v as usize != net {
                return Err(gst::error_msg!(
                    gst::LibraryError::Settings,
                    ["dspreprocess: {path}: [property] {key}={v}: the default library's tensor is made at the processing size, which must equal the network-input-shape's ({net})"]
                ));
            }
        }
        let unique_id = s.unique_id.unwrap_or(config.unique_id);
        let target_unique_ids = s.target_unique_ids.clone().unwrap_or_else(|| config.target_unique_ids.clone());
        if target_unique_ids.is_empty() {
            gst::warning!(CAT, imp = self, "{path}: no target-unique-ids: no GIE will use the tensor");
        }
        *lock(&self.state) = Some(State {
            enable: s.enable.unwrap_or(true) && config.enable,
            unique_id,
            target_unique_ids,
            gpu_id: s.gpu_id,
            config,
            info: None,
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps).map_err(|_| gst::loggable_error!(CAT, "dspreprocess: bad caps {incaps}"))?;
        if let Some(st) = lock(&self.state).as_mut() {
            st.info = Some(info);
        }
        Ok(())
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let latency = crate::latency::Component::start();
        let result = self.process(buf);
        latency.finish(&self.obj().name(), buf);
        result
    }
}

impl DsPreprocess {
    fn process(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let guard = lock(&self.state);
        let Some(st) = guard.as_ref() else {
            return Err(gst::FlowError::Flushing);
        };
        if !st.enable {
            return Ok(gst::FlowSuccess::Ok);
        }
        let Some(info) = st.info.as_ref() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let frames = meta::read_frames(buf);
        if frames.is_empty() {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("dspreprocess: the buffer has no NvDsBatchMeta: dspreprocess works on batches from dsstreammux")
            );
            return Err(gst::FlowError::Error);
        }
        let (w, h, stride) = (info.width(), info.height(), info.stride()[0] as usize);
        let frames: Vec<_> = frames.into_iter().filter(|f| (f.batch_id as usize) < buf.n_memory()).collect();
        let tensors = {
            let maps = frames
                .iter()
                .map(|f| buf.peek_memory(f.batch_id as usize).map_readable())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    gst::element_imp_error!(self, gst::ResourceError::Read, ("dspreprocess: cannot map a frame of the batch"));
                    gst::FlowError::Error
                })?;
            let batch: Vec<BatchFrame> = frames
                .iter()
                .zip(&maps)
                .map(|(f, m)| BatchFrame { batch_id: f.batch_id, source_id: f.source_id, data: m.as_slice(), width: w, height: h, stride })
                .collect();
            preprocess_tensor::build(&st.config, &batch).map_err(|e| {
                gst::element_imp_error!(self, gst::StreamError::Failed, ("dspreprocess: {e}"));
                gst::FlowError::Error
            })?
        };
        let c = &st.config;
        for t in tensors {
            if c.groups.iter().any(|g| g.draw_roi) {
                for u in &t.units {
                    let g = c.groups.iter().find(|g| g.id == u.group);
                    if let Some(g) = g.filter(|g| g.draw_roi) {
                        let color = g.roi_color.unwrap_or([0.0, 1.0, 1.0, 1.0]);
                        if let Err(e) = meta::add_roi_rect(buf, u.batch_id, u.transform.roi, color) {
                            gst::warning!(CAT, imp = self, "draw-roi: {e}");
                        }
                    }
                }
            }
            gst::trace!(CAT, imp = self, "tensor {} of shape {:?} for unique-id {}", t.meta_id, t.shape, st.unique_id);
            if let Err(e) = meta::add_preprocess_tensor(buf, &st.target_unique_ids, &c.tensor_name, st.gpu_id, c.maintain_aspect_ratio, t) {
                gst::element_imp_error!(self, gst::LibraryError::Failed, ("dspreprocess: cannot attach the preprocess batch meta: {e}"));
                return Err(gst::FlowError::Error);
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
