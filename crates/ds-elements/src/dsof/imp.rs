use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use ds_flow::{FlowEstimator, FlowGrid, Preset};

use crate::caps;
use crate::events;
use crate::meta;
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new("dsof", gst::DebugColorFlags::empty(), Some("Portable nvof"))
});

#[derive(Debug, Clone)]
struct Settings {
    preset_level: i32,
    grid_size: i32,
    pool_size: u32,
    dump_of_meta: bool,
    gpu_id: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { preset_level: 0, grid_size: 0, pool_size: 7, dump_of_meta: false, gpu_id: 0 }
    }
}

#[derive(Default)]
struct State {
    info: Option<gst_video::VideoInfo>,
    /// One estimator per source_id.
    streams: HashMap<u32, FlowEstimator>,
}

/// The `dsof` implementation.
#[derive(Default)]
pub struct DsOf {
    settings: Mutex<Settings>,
    state: Mutex<State>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsOf {
    const NAME: &'static str = "DsOf";
    type Type = super::DsOf;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsOf {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecInt::builder("preset-level")
                    .nick("Preset level")
                    .blurb("0: fast (DIS FAST), 1: medium (DIS MEDIUM), 2: slow (DIS MEDIUM at full resolution)")
                    .minimum(0)
                    .maximum(2)
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecInt::builder("grid-size")
                    .nick("Grid size")
                    .blurb("0: 4x4 blocks (the only grid)")
                    .minimum(0)
                    .maximum(0)
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("pool-size")
                    .nick("Pool size")
                    .blurb("Size of the optical flow memory pool (accepted; no effect)")
                    .default_value(7)
                    .build(),
                glib::ParamSpecBoolean::builder("dump-of-meta")
                    .nick("Dump optical flow meta")
                    .blurb("Write each frame's flow vectors to of_dump_stream<S>_frame<N>.bin")
                    .default_value(false)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("GPU ID")
                    .blurb("Accepted for compatibility; no effect")
                    .default_value(0)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "preset-level" => s.preset_level = value.get().unwrap_or(0),
            "grid-size" => s.grid_size = value.get().unwrap_or(0),
            "pool-size" => s.pool_size = value.get().unwrap_or(7),
            "dump-of-meta" => s.dump_of_meta = value.get().unwrap_or(false),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "preset-level" => s.preset_level.to_value(),
            "grid-size" => s.grid_size.to_value(),
            "pool-size" => s.pool_size.to_value(),
            "dump-of-meta" => s.dump_of_meta.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsOf {}

impl ElementImpl for DsOf {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Optical flow (portable nvof)",
                "Filter/Analyzer/Video",
                "Dense optical flow between consecutive frames of each source (OpenCV DIS), attached as NvDsOpticalFlowMeta on a 4x4 block grid",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let c = caps::batch_caps_any();
            caps::sink_src_templates(&c, &c)
        });
        T.as_ref()
    }
}

fn preset(level: i32) -> Preset {
    match level {
        1 => Preset::Medium,
        2 => Preset::Slow,
        _ => Preset::Fast,
    }
}

impl BaseTransformImpl for DsOf {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dsof: bad caps {incaps}"))?;
        let mut st = lock(&self.state);
        if st.info.as_ref().is_some_and(|i| (i.width(), i.height()) != (info.width(), info.height())) {
            st.streams.clear();
        }
        st.info = Some(info);
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = State::default();
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let Some((name, source_id)) = events::parse(&event)
            && name == events::PAD_DELETED
        {
            lock(&self.state).streams.remove(&source_id);
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let s = lock(&self.settings).clone();
        let mut st = lock(&self.state);
        let Some(info) = st.info.clone() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let (w, h, stride) = (info.width() as usize, info.height() as usize, info.stride()[0] as usize);
        let frames = meta::read_frames(buf);
        if frames.is_empty() {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("dsof: the buffer has no NvDsBatchMeta: dsof works on batches from dsstreammux")
            );
            return Err(gst::FlowError::Error);
        }
        let mut grids: Vec<(u32, i32, u32, FlowGrid)> = Vec::new();
        for f in &frames {
            let i = f.batch_id as usize;
            if i >= buf.n_memory() {
                continue;
            }
            let map = buf.peek_memory(i).map_readable().map_err(|_| gst::FlowError::Error)?;
            if map.size() < stride * h {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("dsof: frame {i} has {} bytes, expected {}", map.size(), stride * h)
                );
                return Err(gst::FlowError::Error);
            }
            let gray = ds_flow::rgba_to_gray(map.as_slice(), w, h, stride);
            let est = match st.streams.entry(f.source_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(FlowEstimator::new(preset(s.preset_level)).map_err(|e| {
                        gst::element_imp_error!(self, gst::LibraryError::Init, ("dsof: {e}"));
                        gst::FlowError::Error
                    })?)
                }
            };
            let grid = est.push_gray(&gray, w, h).map_err(|e| {
                gst::element_imp_error!(self, gst::LibraryError::Failed, ("dsof: optical flow failed: {e}"));
                gst::FlowError::Error
            })?;
            grids.push((f.batch_id, f.frame_num, f.source_id, grid));
        }
        drop(st);
        for (batch_id, frame_num, source_id, grid) in grids {
            if s.dump_of_meta {
                let path = format!("of_dump_stream{source_id}_frame{frame_num}.bin");
                let bytes: Vec<u8> = grid
                    .vectors
                    .iter()
                    .flat_map(|v| [v.flowx.to_le_bytes(), v.flowy.to_le_bytes()].concat())
                    .collect();
                if let Err(e) = std::fs::write(&path, bytes) {
                    gst::element_imp_warning!(self, gst::ResourceError::Write, ("dsof: cannot write {path}: {e}"));
                }
            }
            meta::add_optical_flow_meta(buf, batch_id, frame_num, &grid).map_err(|e| {
                gst::element_imp_error!(self, gst::LibraryError::Failed, ("dsof: cannot add optical flow meta: {e}"));
                gst::FlowError::Error
            })?;
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
