use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use super::meta;
use crate::caps;
use crate::events;
use crate::util::lock;
use ds_analytics::{AnalyticsConfig, StreamAnalytics};
use ds_meta::BatchMeta;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsanalytics",
        gst::DebugColorFlags::empty(),
        Some("Portable nvdsanalytics"),
    )
});

const DEFAULT_UNIQUE_ID: u32 = 17;

#[derive(Debug, Clone)]
struct Settings {
    config_file: Option<String>,
    enable: bool,
    unique_id: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            config_file: None,
            enable: true,
            unique_id: DEFAULT_UNIQUE_ID,
        }
    }
}

struct State {
    config: AnalyticsConfig,
    info: Option<gst_video::VideoInfo>,
    streams: HashMap<u32, StreamAnalytics>,
    seen: BTreeSet<u32>,
}

/// The `dsanalytics` implementation.
#[derive(Default)]
pub struct DsAnalytics {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsAnalytics {
    const NAME: &'static str = "DsAnalytics";
    type Type = super::DsAnalytics;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsAnalytics {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("unique-id")
                    .blurb(
                        "Unique ID for the element. Can be used to identify output of the element",
                    )
                    .default_value(DEFAULT_UNIQUE_ID)
                    .build(),
                glib::ParamSpecBoolean::builder("enable")
                    .blurb("Enable DsAnalytics plugin, or set in passthrough mode")
                    .default_value(true)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecString::builder("config-file")
                    .blurb("DsAnalytics Config File (nvdsanalytics' key-file format)")
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "unique-id" => s.unique_id = value.get().unwrap_or(DEFAULT_UNIQUE_ID),
            "enable" => s.enable = value.get().unwrap_or(true),
            "config-file" => s.config_file = value.get().unwrap_or(None),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "unique-id" => s.unique_id.to_value(),
            "enable" => s.enable.to_value(),
            "config-file" => s.config_file.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsAnalytics {}

impl ElementImpl for DsAnalytics {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Analytics (portable nvdsanalytics)",
                "Filter/Analyzer/Video",
                "ROI filtering, overcrowding, line crossing and direction detection on the tracked objects of each frame, with nvdsanalytics' config file and metadata",
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

impl BaseTransformImpl for DsAnalytics {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let file = lock(&self.settings).config_file.clone().unwrap_or_default();
        if file.is_empty() {
            return Err(gst::error_msg!(
                gst::LibraryError::Settings,
                ["dsanalytics: configuration file not provided: set the config-file property"]
            ));
        }
        let config = AnalyticsConfig::from_file(Path::new(&file))
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ["dsanalytics: {e}"]))?;
        for w in &config.warnings {
            eprintln!("dsanalytics: {file}: {w}");
        }
        gst::info!(
            CAT,
            imp = self,
            "{file}: {} stream groups, all-streams rules: {}",
            config.streams.len(),
            !config.all.is_empty()
        );
        *lock(&self.state) = Some(State {
            config,
            info: None,
            streams: HashMap::new(),
            seen: BTreeSet::new(),
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dsanalytics: bad caps {incaps}"))?;
        if let Some(st) = lock(&self.state).as_mut() {
            // the rules are scaled to the frame size: start again at a new size
            if st
                .info
                .as_ref()
                .is_some_and(|i| (i.width(), i.height()) != (info.width(), info.height()))
            {
                st.streams.clear();
            }
            st.info = Some(info);
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let Some((name, source_id)) = events::parse(&event)
            && name == events::PAD_DELETED
            && let Some(st) = lock(&self.state).as_mut()
        {
            st.streams.remove(&source_id);
        }
        if event.type_() == gst::EventType::Eos {
            let unused = lock(&self.state).as_ref().map(|st| {
                let unused: Vec<String> = st
                    .config
                    .streams
                    .keys()
                    .filter(|s| !st.seen.contains(s))
                    .map(|s| s.to_string())
                    .collect();
                (
                    unused,
                    st.config.file.display().to_string(),
                    st.seen.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                )
            });
            if let Some((unused, file, seen)) = unused
                && !unused.is_empty()
            {
                gst::element_imp_warning!(
                    self,
                    gst::LibraryError::Settings,
                    (
                        "dsanalytics: {file}: groups for stream(s) {} matched no frame: no such stream (streams seen: {})",
                        unused.join(", "),
                        seen.join(", ")
                    )
                );
            }
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let (enable, unique_id) = {
            let s = lock(&self.settings);
            (s.enable, s.unique_id)
        };
        let mut guard = lock(&self.state);
        let Some(st) = guard.as_mut() else {
            return Err(gst::FlowError::Flushing);
        };
        if !enable || !st.config.enable {
            return Ok(gst::FlowSuccess::Ok);
        }
        let Some((w, h)) = st.info.as_ref().map(|i| (i.width(), i.height())) else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let Some(batch) = BatchMeta::from_buffer_mut(buf) else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("dsanalytics: the buffer has no NvDsBatchMeta: dsanalytics works on batches from dsstreammux")
            );
            return Err(gst::FlowError::Error);
        };
        let cfg = &st.config;
        for frame in batch.frames_mut() {
            let stream = frame.pad_index();
            st.seen.insert(stream);
            let ctx = st
                .streams
                .entry(stream)
                .or_insert_with(|| StreamAnalytics::for_stream(cfg, stream, w, h));
            let objects = meta::objects(frame);
            let res = ctx.process(frame.buf_pts(), &objects);
            if let Err(e) = meta::write_frame(
                frame,
                &res,
                ctx.rules(),
                unique_id,
                cfg.osd_mode,
                cfg.font_size,
                cfg.display_obj_cnt,
            ) {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("dsanalytics: cannot write metadata: {e}")
                );
                return Err(gst::FlowError::Error);
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
