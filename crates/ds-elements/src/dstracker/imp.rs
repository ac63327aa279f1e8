use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use super::meta::{self, ClassInfo};
use crate::caps;
use crate::events;
use crate::util::lock;
use ds_meta::infer::PastFrameData;
use ds_tracker::{FrameInput, RgbaImage, Tracker, TrackerConfig};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dstracker",
        gst::DebugColorFlags::empty(),
        Some("Portable nvtracker"),
    )
});

/// `tracking-id-reset-mode` bit: ids restart from 0 after a stream's EOS (`FromZeroAfterEOS`).
const RESET_FROM_ZERO_AFTER_EOS: u32 = 2;

#[derive(Debug, Clone)]
struct Settings {
    tracker_width: u32,
    tracker_height: u32,
    gpu_id: u32,
    ll_lib_file: Option<String>,
    ll_config_file: Option<String>,
    display_tracking_id: bool,
    enable_batch_process: bool,
    enable_past_frame: bool,
    tracking_surface_type: u32,
    tracking_id_reset_mode: u32,
    input_tensor_meta: bool,
    tensor_meta_gie_id: u32,
    compute_hw: i32,
    user_meta_pool_size: u32,
    sub_batches: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tracker_width: 960,
            tracker_height: 544,
            gpu_id: 0,
            ll_lib_file: None,
            ll_config_file: None,
            display_tracking_id: true,
            enable_batch_process: true,
            enable_past_frame: true,
            tracking_surface_type: 0,
            tracking_id_reset_mode: 0,
            input_tensor_meta: false,
            tensor_meta_gie_id: 0,
            compute_hw: 0,
            user_meta_pool_size: 32,
            sub_batches: None,
        }
    }
}

struct State {
    tracker: Tracker,
    info: Option<gst_video::VideoInfo>,
    classes: HashMap<i32, ClassInfo>,
}

/// The `dstracker` implementation.
#[derive(Default)]
pub struct DsTracker {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsTracker {
    const NAME: &'static str = "DsTracker";
    type Type = super::DsTracker;
    type ParentType = gst_base::BaseTransform;
}

fn uint(name: &str, blurb: &str, min: u32, max: u32, default: u32) -> glib::ParamSpec {
    glib::ParamSpecUInt::builder(name)
        .blurb(blurb)
        .minimum(min)
        .maximum(max)
        .default_value(default)
        .mutable_ready()
        .build()
}

fn boolean(name: &str, blurb: &str, default: bool) -> glib::ParamSpec {
    glib::ParamSpecBoolean::builder(name)
        .blurb(blurb)
        .default_value(default)
        .mutable_ready()
        .build()
}

fn string(name: &str, blurb: &str) -> glib::ParamSpec {
    glib::ParamSpecString::builder(name)
        .blurb(blurb)
        .mutable_ready()
        .build()
}

const NO_EFFECT: &str = "; accepted for compatibility, no effect in the portable tracker";

impl ObjectImpl for DsTracker {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                uint(
                    "tracker-width",
                    &format!(
                        "Frame width at which the tracker should operate, in pixels{NO_EFFECT} (it tracks at the batch size)"
                    ),
                    0,
                    u32::MAX,
                    960,
                ),
                uint(
                    "tracker-height",
                    &format!(
                        "Frame height at which the tracker should operate, in pixels{NO_EFFECT}"
                    ),
                    0,
                    u32::MAX,
                    544,
                ),
                uint(
                    "gpu-id",
                    &format!("Set GPU Device ID{NO_EFFECT}"),
                    0,
                    u32::MAX,
                    0,
                ),
                string(
                    "ll-lib-file",
                    "Low-level library file path: NVIDIA's libnvds_nvmultiobjecttracker.so or libds_tracker (both run the portable tracker)",
                ),
                string(
                    "ll-config-file",
                    "Low-level library config file path (NvMultiObjectTracker YAML)",
                ),
                boolean(
                    "display-tracking-id",
                    "Display tracking id in object text",
                    true,
                ),
                boolean(
                    "enable-batch-process",
                    &format!(
                        "Enable batch processing across multiple streams{NO_EFFECT} (always batched)"
                    ),
                    true,
                ),
                boolean(
                    "enable-past-frame",
                    "Attach past-frame data (NVDS_TRACKER_PAST_FRAME_META) when there is any",
                    true,
                ),
                uint(
                    "tracking-surface-type",
                    &format!("Set Tracking Surface Type{NO_EFFECT}"),
                    0,
                    u32::MAX,
                    0,
                ),
                uint(
                    "tracking-id-reset-mode",
                    "Tracking ID reset mode when stream reset or EOS happens (bit 0: new ids after a stream is removed; bit 1: ids restart from 0 after EOS)",
                    0,
                    3,
                    0,
                ),
                boolean(
                    "input-tensor-meta",
                    &format!(
                        "Use preprocess tensormeta if available for tensor-meta-gie-id{NO_EFFECT}"
                    ),
                    false,
                ),
                uint(
                    "tensor-meta-gie-id",
                    &format!("Tensor Meta GIE ID to be used{NO_EFFECT}"),
                    0,
                    u32::MAX,
                    0,
                ),
                glib::ParamSpecInt::builder("compute-hw")
                    .blurb(&format!(
                        "Compute hardware for scaling (0 default, 1 GPU, 2 VIC){NO_EFFECT}"
                    ))
                    .minimum(0)
                    .maximum(2)
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                uint(
                    "user-meta-pool-size",
                    &format!("Tracker user meta buffer pool size{NO_EFFECT}"),
                    1,
                    u32::MAX,
                    32,
                ),
                string(
                    "sub-batches",
                    &format!(
                        "Configuration of sub-batches{NO_EFFECT} (all streams share one tracker)"
                    ),
                ),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "tracker-width" => s.tracker_width = value.get().unwrap_or(960),
            "tracker-height" => s.tracker_height = value.get().unwrap_or(544),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            "ll-lib-file" => s.ll_lib_file = value.get().unwrap_or(None),
            "ll-config-file" => s.ll_config_file = value.get().unwrap_or(None),
            "display-tracking-id" => s.display_tracking_id = value.get().unwrap_or(true),
            "enable-batch-process" => s.enable_batch_process = value.get().unwrap_or(true),
            "enable-past-frame" => s.enable_past_frame = value.get().unwrap_or(true),
            "tracking-surface-type" => s.tracking_surface_type = value.get().unwrap_or(0),
            "tracking-id-reset-mode" => s.tracking_id_reset_mode = value.get().unwrap_or(0),
            "input-tensor-meta" => s.input_tensor_meta = value.get().unwrap_or(false),
            "tensor-meta-gie-id" => s.tensor_meta_gie_id = value.get().unwrap_or(0),
            "compute-hw" => s.compute_hw = value.get().unwrap_or(0),
            "user-meta-pool-size" => s.user_meta_pool_size = value.get().unwrap_or(32),
            "sub-batches" => s.sub_batches = value.get().unwrap_or(None),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "tracker-width" => s.tracker_width.to_value(),
            "tracker-height" => s.tracker_height.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            "ll-lib-file" => s.ll_lib_file.to_value(),
            "ll-config-file" => s.ll_config_file.to_value(),
            "display-tracking-id" => s.display_tracking_id.to_value(),
            "enable-batch-process" => s.enable_batch_process.to_value(),
            "enable-past-frame" => s.enable_past_frame.to_value(),
            "tracking-surface-type" => s.tracking_surface_type.to_value(),
            "tracking-id-reset-mode" => s.tracking_id_reset_mode.to_value(),
            "input-tensor-meta" => s.input_tensor_meta.to_value(),
            "tensor-meta-gie-id" => s.tensor_meta_gie_id.to_value(),
            "compute-hw" => s.compute_hw.to_value(),
            "user-meta-pool-size" => s.user_meta_pool_size.to_value(),
            "sub-batches" => s.sub_batches.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsTracker {}

impl ElementImpl for DsTracker {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Tracker (portable nvtracker)",
                "Filter/Analyzer/Video",
                "Tracks the objects of each frame with NvMultiObjectTracker's configs on the CPU and sets DeepStream tracking metadata",
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

/// Reads and checks the element's low-level library and config (what `start` runs).
fn load_config(s: &Settings) -> Result<TrackerConfig, String> {
    let Some(lib) = s.ll_lib_file.as_deref().filter(|l| !l.is_empty()) else {
        return Err(format!(
            "the ll-lib-file property is not set: set it to {} (this project's tracker) or NVIDIA's {}",
            ds_tracker::PORTABLE_LIB,
            ds_tracker::NVIDIA_LIB
        ));
    };
    ds_tracker::check_ll_lib_file(lib, Path::new("<ll-lib-file property>"))
        .map_err(|e| e.to_string())?;
    let Some(cfg) = s.ll_config_file.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(TrackerConfig::default());
    };
    if cfg.contains(';') {
        return Err(format!(
            "ll-config-file={cfg}: one config per sub-batch is not implemented in the portable tracker: give one file"
        ));
    }
    TrackerConfig::from_file(Path::new(cfg)).map_err(|e| e.to_string())
}

impl BaseTransformImpl for DsTracker {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings).clone();
        let config = load_config(&s)
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ["dstracker: {e}"]))?;
        let file = config
            .file
            .as_ref()
            .map_or("<no ll-config-file: IOU defaults>".to_string(), |f| {
                f.display().to_string()
            });
        let r = &config.report;
        let names = |v: &[(String, String)]| {
            v.iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!(
            "dstracker: {file}: {:?} tracker; {} keys honoured; approximated: [{}]; ignored: [{}]; unknown: [{}]",
            config.kind,
            r.honoured.len(),
            names(&r.approximated),
            names(&r.ignored),
            r.unknown.join(", ")
        );
        for line in r.lines() {
            gst::info!(CAT, imp = self, "{file}: {line}");
        }
        if s.sub_batches
            .as_deref()
            .is_some_and(|b| !b.trim().is_empty())
        {
            gst::info!(
                CAT,
                imp = self,
                "sub-batches has no effect: all streams share one tracker"
            );
        }
        *lock(&self.state) = Some(State {
            tracker: Tracker::new(config),
            info: None,
            classes: HashMap::new(),
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dstracker: bad caps {incaps}"))?;
        if let Some(st) = lock(&self.state).as_mut() {
            st.info = Some(info);
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let Some((name, source_id)) = events::parse(&event) {
            let mode = lock(&self.settings).tracking_id_reset_mode;
            if let Some(st) = lock(&self.state).as_mut() {
                match name {
                    events::STREAM_EOS => st
                        .tracker
                        .remove_stream(source_id, mode & RESET_FROM_ZERO_AFTER_EOS != 0),
                    // the targets end, the id counter goes on (new ids after a stream reset)
                    events::PAD_DELETED => st.tracker.remove_stream(source_id, false),
                    _ => {}
                }
            }
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let (display_id, past_frame) = {
            let s = lock(&self.settings);
            (s.display_tracking_id, s.enable_past_frame)
        };
        let mut guard = lock(&self.state);
        let Some(st) = guard.as_mut() else {
            return Err(gst::FlowError::Flushing);
        };
        let Some(info) = st.info.clone() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let Some(frames) = meta::read_objects(buf, &mut st.classes) else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("dstracker: the buffer has no NvDsBatchMeta: dstracker works on batches from dsstreammux")
            );
            return Err(gst::FlowError::Error);
        };
        let (w, h) = (info.width(), info.height());
        let stride = info.stride()[0] as usize;
        let appearance = st.tracker.config().uses_appearance();
        let mut outputs = Vec::with_capacity(frames.len());
        for f in &frames {
            let map = (appearance && (f.batch_id as usize) < buf.n_memory())
                .then(|| buf.peek_memory(f.batch_id as usize).map_readable().ok())
                .flatten();
            let image = map.as_ref().map(|m| RgbaImage {
                data: m.as_slice(),
                width: w,
                height: h,
                stride,
            });
            outputs.push(st.tracker.track(&FrameInput {
                stream_id: f.source_id,
                frame_num: f.frame_num,
                width: w,
                height: h,
                detections: &f.detections,
                image,
            }));
        }
        let mut past = PastFrameData::default();
        let mut shadow = PastFrameData::default();
        for (i, (f, out)) in frames.iter().zip(&outputs).enumerate() {
            if let Err(e) =
                meta::apply_frame(buf, i, out, (w as f32, h as f32), &st.classes, display_id)
            {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("dstracker: cannot write object meta: {e}")
                );
                return Err(gst::FlowError::Error);
            }
            if past_frame && !out.past_frames.is_empty() {
                past.streams
                    .push(meta::past_stream(f.source_id, &out.past_frames));
            }
            if !out.shadow_tracks.is_empty() {
                shadow
                    .streams
                    .push(meta::past_stream(f.source_id, &out.shadow_tracks));
            }
        }
        if let Err(e) = meta::attach_batch_user_meta(buf, past, shadow) {
            gst::element_imp_error!(
                self,
                gst::LibraryError::Failed,
                ("dstracker: cannot attach tracker user meta: {e}")
            );
            return Err(gst::FlowError::Error);
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
