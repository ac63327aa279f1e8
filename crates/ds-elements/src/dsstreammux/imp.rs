use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::caps;
use crate::meta::{self, FrameInfo};
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsstreammux",
        gst::DebugColorFlags::empty(),
        Some("Portable nvstreammux"),
    )
});

const DEFAULT_BATCH_SIZE: u32 = 1;
const DEFAULT_WIDTH: u32 = 0;
const DEFAULT_HEIGHT: u32 = 0;
const DEFAULT_TIMEOUT: i32 = -1;
/// Frames held per sink pad before its streaming thread blocks.
const QUEUE_DEPTH: usize = 2;
/// Scaled frames of one source kept for reuse: its queue, the batch downstream, and the
/// frames an encoder queue after the OSD holds.
const RECYCLED_FRAMES: usize = 8;

#[derive(Debug, Clone)]
struct Settings {
    batch_size: u32,
    width: u32,
    height: u32,
    batched_push_timeout: i32,
    live_source: bool,
    enable_padding: bool,
    sync_inputs: bool,
    attach_sys_ts: bool,
    gpu_id: u32,
    nvbuf_memory_type: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            batch_size: DEFAULT_BATCH_SIZE,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            batched_push_timeout: DEFAULT_TIMEOUT,
            live_source: false,
            enable_padding: false,
            sync_inputs: false,
            attach_sys_ts: true,
            gpu_id: 0,
            nvbuf_memory_type: 0,
        }
    }
}

struct Queued {
    buffer: gst::Buffer,
    info: gst_video::VideoInfo,
    /// The frame already scaled to the output size in RGBA, done by the upstream streaming
    /// thread in `sink_chain` so that scaling overlaps with what runs downstream of the
    /// muxer (inference); `None` when it has to be done when the batch is built.
    scaled: Option<gst::Memory>,
    running_time: Option<gst::ClockTime>,
    arrived: Instant,
    ntp: u64,
    /// System time (ms) when the frame reached the sink pad: the start of its latency.
    in_ms: f64,
}

struct SinkState {
    pad: gst::Pad,
    index: u32,
    queue: VecDeque<Queued>,
    info: Option<gst_video::VideoInfo>,
    segment: gst::FormattedSegment<gst::ClockTime>,
    eos: bool,
    eos_reported: bool,
    flushing: bool,
    frame_num: u64,
    seen_data: bool,
    clock_id: Option<gst::SingleShotClockId>,
    /// The request pad was released: its queued frames still go out, then the state is
    /// dropped and `nv-pad-deleted` follows them.
    released: bool,
}

struct State {
    pads: Vec<SinkState>,
    flushing: bool,
    eos_sent: bool,
    flow: Result<gst::FlowSuccess, gst::FlowError>,
    rr_next: u32,
    headers_sent: bool,
    caps: Option<gst::Caps>,
    fps: Option<gst::Fraction>,
    last_pts: Option<gst::ClockTime>,
    events: Vec<gst::Event>,
    /// When the last batch was formed: the next batch's timeout starts at its first frame,
    /// but not before this (a frame that waited in a queue does not shorten it).
    last_batch_at: Option<Instant>,
    /// A segment must go out before the next batch (after a flushing seek).
    segment_pending: bool,
    /// `width`/`height` were 0 at start and were taken from the first input's caps (the
    /// new nvstreammux's behaviour); they go back to 0 at stop.
    auto_size: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            pads: Vec::new(),
            flushing: true,
            eos_sent: false,
            flow: Ok(gst::FlowSuccess::Ok),
            rr_next: 0,
            headers_sent: false,
            caps: None,
            fps: None,
            last_pts: None,
            events: Vec::new(),
            last_batch_at: None,
            segment_pending: false,
            auto_size: false,
        }
    }
}

impl State {
    fn pad_mut(&mut self, pad: &gst::Pad) -> Option<&mut SinkState> {
        self.pads.iter_mut().find(|p| &p.pad == pad)
    }
}

/// How one source's frames become the muxer's RGBA frames, in two steps (GStreamer's
/// converter is a third cheaper this way than in one step: colour conversion at the source's size, then
/// an RGBA-to-RGBA scale with its 4-byte fast paths; 768x576 I420 to 1080p RGBA on this
/// project's CI machine: 2.8 ms a frame against 4.0 ms).
struct Converter {
    in_info: gst_video::VideoInfo,
    /// Colour conversion to RGBA at the input size (none when the input is RGBA), and the
    /// frame it writes into (reused).
    to_rgba: Option<(gst_video::VideoConverter, gst_video::VideoInfo, gst::Buffer)>,
    /// RGBA scaling (and padding) to the output size (none when the size is the same).
    scale: Option<gst_video::VideoConverter>,
    out_info: gst_video::VideoInfo,
    /// Output frames, reused once downstream frees them (no page faults per frame).
    frames: crate::recycle::Recycler,
}

/// The `dsstreammux` implementation.
pub struct DsStreamMux {
    srcpad: gst::Pad,
    settings: Mutex<Settings>,
    state: Mutex<State>,
    cond: Condvar,
    converters: Mutex<HashMap<u32, Converter>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsStreamMux {
    const NAME: &'static str = "DsStreamMux";
    type Type = super::DsStreamMux;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass.pad_template("src").expect("src template");
        let srcpad = gst::Pad::builder_from_template(&templ)
            .activatemode_function(|pad, parent, mode, active| {
                DsStreamMux::catch_panic_pad_function(
                    parent,
                    || Err(gst::loggable_error!(CAT, "panic in activate")),
                    |imp| imp.src_activate(pad, mode, active),
                )
            })
            .query_function(|pad, parent, query| {
                DsStreamMux::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_query(pad, query),
                )
            })
            .event_function(|pad, parent, event| {
                DsStreamMux::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_event(pad, event),
                )
            })
            .build();
        DsStreamMux {
            srcpad,
            settings: Mutex::new(Settings::default()),
            state: Mutex::new(State::default()),
            cond: Condvar::new(),
            converters: Mutex::new(HashMap::new()),
        }
    }
}

impl ObjectImpl for DsStreamMux {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("batch-size")
                    .nick("Batch Size")
                    .blurb("Maximum number of buffers in a batch")
                    .minimum(1)
                    .maximum(1024)
                    .default_value(DEFAULT_BATCH_SIZE)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("width")
                    .nick("Width")
                    .blurb("Width of each frame in output batched buffer. This property MUST be set.")
                    .maximum(i32::MAX as u32)
                    .default_value(DEFAULT_WIDTH)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("height")
                    .nick("Height")
                    .blurb("Height of each frame in output batched buffer. This property MUST be set.")
                    .maximum(i32::MAX as u32)
                    .default_value(DEFAULT_HEIGHT)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecInt::builder("batched-push-timeout")
                    .nick("Batched Push Timeout")
                    .blurb("Timeout in microseconds to wait after the first buffer is available to push the batch even if the complete batch is not formed. Set to -1 to wait infinitely")
                    .minimum(-1)
                    .default_value(DEFAULT_TIMEOUT)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("live-source")
                    .nick("Live Source")
                    .blurb("Boolean property to inform muxer that sources are live.")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("enable-padding")
                    .nick("Enable Padding")
                    .blurb("Maintain input aspect ratio when scaling by padding with black bands.")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("sync-inputs")
                    .nick("Synchronize Inputs")
                    .blurb("Boolean property to force sychronization of input frames.")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("attach-sys-ts")
                    .nick("Set system timestamp as ntp timestamp")
                    .blurb("If set to TRUE, system timestamp will be attached as ntp timestamp (FALSE: the sender's NTP time from RTCP sender reports, where the source attaches it, else 0)")
                    .default_value(true)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("Set GPU Device ID")
                    .blurb("Accepted for compatibility; no effect (scaling runs on the CPU)")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("nvbuf-memory-type")
                    .nick("Type of NvBufSurface Memory to be allocated for output buffers")
                    .blurb("Accepted for compatibility; no effect (batches are in system memory)")
                    .maximum(4)
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
            "batch-size" => s.batch_size = value.get().unwrap_or(DEFAULT_BATCH_SIZE),
            "width" => s.width = value.get().unwrap_or(DEFAULT_WIDTH),
            "height" => s.height = value.get().unwrap_or(DEFAULT_HEIGHT),
            "batched-push-timeout" => {
                s.batched_push_timeout = value.get().unwrap_or(DEFAULT_TIMEOUT);
                drop(s);
                self.cond.notify_all();
            }
            "live-source" => s.live_source = value.get().unwrap_or(false),
            "enable-padding" => s.enable_padding = value.get().unwrap_or(false),
            "sync-inputs" => s.sync_inputs = value.get().unwrap_or(false),
            "attach-sys-ts" => s.attach_sys_ts = value.get().unwrap_or(true),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            "nvbuf-memory-type" => s.nvbuf_memory_type = value.get().unwrap_or(0),
            other => gst::warning!(CAT, imp = self, "unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "batch-size" => s.batch_size.to_value(),
            "width" => s.width.to_value(),
            "height" => s.height.to_value(),
            "batched-push-timeout" => s.batched_push_timeout.to_value(),
            "live-source" => s.live_source.to_value(),
            "enable-padding" => s.enable_padding.to_value(),
            "sync-inputs" => s.sync_inputs.to_value(),
            "attach-sys-ts" => s.attach_sys_ts.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            "nvbuf-memory-type" => s.nvbuf_memory_type.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let _ = self.obj().add_pad(&self.srcpad);
    }
}

impl GstObjectImpl for DsStreamMux {}

impl ElementImpl for DsStreamMux {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Stream multiplexer (portable nvstreammux)",
                "Generic",
                "Batches frames of several sources into one buffer with NvDsBatchMeta",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            vec![
                gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &caps::batch_caps_any(),
                )
                .expect("src template"),
                gst::PadTemplate::new(
                    "sink_%u",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Request,
                    &caps::raw_caps_any(),
                )
                .expect("sink template"),
            ]
        });
        T.as_ref()
    }

    fn request_new_pad(
        &self,
        templ: &gst::PadTemplate,
        name: Option<&str>,
        _caps: Option<&gst::Caps>,
    ) -> Option<gst::Pad> {
        let mut st = lock(&self.state);
        let index = match name {
            Some(n) => match n.strip_prefix("sink_").and_then(|i| i.parse::<u32>().ok()) {
                Some(i) => i,
                None => {
                    gst::error!(CAT, imp = self, "bad pad name {n}: expected sink_%u");
                    return None;
                }
            },
            None => (0..)
                .find(|i| !st.pads.iter().any(|p| p.index == *i))
                .unwrap_or(0),
        };
        if let Some(old) = st.pads.iter().position(|p| p.index == index && p.released) {
            // The pad was released and its last frames are not out yet: they give way to the
            // new source on the same index.
            let p = st.pads.remove(old);
            gst::debug!(CAT, imp = self, "sink_{index} requested again: {} frames of the released pad dropped", p.queue.len());
            if p.seen_data {
                st.events.push(crate::events::new(crate::events::PAD_DELETED, index));
            }
        }
        if st.pads.iter().any(|p| p.index == index) {
            gst::error!(CAT, imp = self, "pad sink_{index} already exists");
            return None;
        }
        let pad = gst::Pad::builder_from_template(templ)
            .name(format!("sink_{index}"))
            .chain_function(|pad, parent, buffer| {
                DsStreamMux::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(pad, buffer),
                )
            })
            .event_function(|pad, parent, event| {
                DsStreamMux::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                DsStreamMux::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_query(pad, query),
                )
            })
            .build();
        st.pads.push(SinkState {
            pad: pad.clone(),
            index,
            queue: VecDeque::new(),
            info: None,
            segment: gst::FormattedSegment::new(),
            eos: false,
            eos_reported: false,
            flushing: false,
            frame_num: 0,
            seen_data: false,
            clock_id: None,
            released: false,
        });
        st.pads.sort_by_key(|p| p.index);
        drop(st);
        if let Err(e) = self.obj().add_pad(&pad) {
            gst::error!(CAT, imp = self, "cannot add pad sink_{index}: {e}");
            lock(&self.state).pads.retain(|p| p.index != index);
            return None;
        }
        gst::debug!(CAT, imp = self, "added pad sink_{index}");
        Some(pad)
    }

    fn release_pad(&self, pad: &gst::Pad) {
        let mut st = lock(&self.state);
        let mut removed = None;
        if let Some(pos) = st.pads.iter().position(|p| &p.pad == pad) {
            let p = &mut st.pads[pos];
            if let Some(id) = p.clock_id.take() {
                id.unschedule();
            }
            let index = p.index;
            if !p.queue.is_empty() && !p.flushing && !st.flushing {
                // Frames the source gave before its removal still go out (in the next
                // batches); src_loop drops the state and sends nv-pad-deleted after them.
                let p = &mut st.pads[pos];
                p.released = true;
                p.eos = true;
                p.eos_reported = true;
                gst::debug!(CAT, imp = self, "released pad {} with {} queued frames to go", pad.name(), p.queue.len());
            } else {
                let p = st.pads.remove(pos);
                gst::debug!(CAT, imp = self, "released pad {} ({} queued frames dropped)", pad.name(), p.queue.len());
                if p.seen_data {
                    st.events.push(crate::events::new(crate::events::PAD_DELETED, index));
                }
                removed = Some(index);
            }
        }
        drop(st);
        self.cond.notify_all();
        if let Some(index) = removed {
            lock(&self.converters).remove(&index);
        }
        let _ = self.obj().remove_pad(pad);
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            let s = lock(&self.settings).clone();
            let mut st = lock(&self.state);
            // width/height 0 (never set, as with USE_NEW_NVSTREAMMUX=yes): the output takes
            // the first input's size, as the new nvstreammux does not scale; other inputs
            // are scaled to it, since a portable batch holds frames of one size.
            st.auto_size = s.width == 0 || s.height == 0;
            if st.auto_size {
                gst::info!(CAT, imp = self, "width/height not set: the output takes the first input's size");
            }
            st.headers_sent = false;
            st.caps = None;
            st.fps = None;
            st.last_pts = None;
            st.rr_next = 0;
            st.eos_sent = false;
            st.events.clear();
            st.last_batch_at = None;
            for p in st.pads.iter_mut() {
                p.queue.clear();
                p.eos = false;
                p.eos_reported = false;
                p.flushing = false;
                p.frame_num = 0;
                p.seen_data = false;
                p.segment = gst::FormattedSegment::new();
            }
        }
        if transition == gst::StateChange::PausedToReady {
            let mut st = lock(&self.state);
            st.flushing = true;
            if std::mem::take(&mut st.auto_size) {
                let mut s = lock(&self.settings);
                s.width = 0;
                s.height = 0;
            }
            for p in st.pads.iter_mut() {
                if let Some(id) = p.clock_id.take() {
                    id.unschedule();
                }
            }
            drop(st);
            self.cond.notify_all();
        }
        let mut ret = self.parent_change_state(transition)?;
        match transition {
            gst::StateChange::ReadyToPaused | gst::StateChange::PlayingToPaused
                if lock(&self.settings).live_source =>
            {
                ret = gst::StateChangeSuccess::NoPreroll;
            }
            _ => (),
        }
        Ok(ret)
    }
}

impl DsStreamMux {
    fn src_activate(
        &self,
        pad: &gst::Pad,
        mode: gst::PadMode,
        active: bool,
    ) -> Result<(), gst::LoggableError> {
        if mode != gst::PadMode::Push {
            return Err(gst::loggable_error!(
                CAT,
                "dsstreammux only works in push mode"
            ));
        }
        if active {
            {
                let mut st = lock(&self.state);
                st.flushing = false;
                st.flow = Ok(gst::FlowSuccess::Ok);
                st.eos_sent = false;
            }
            let weak = self.obj().downgrade();
            pad.start_task(move || {
                if let Some(el) = weak.upgrade() {
                    el.imp().src_loop();
                }
            })
            .map_err(|e| gst::loggable_error!(CAT, "cannot start task: {e}"))?;
        } else {
            {
                let mut st = lock(&self.state);
                st.flushing = true;
            }
            self.cond.notify_all();
            pad.stop_task()
                .map_err(|e| gst::loggable_error!(CAT, "cannot stop task: {e}"))?;
        }
        Ok(())
    }

    fn sink_chain(
        &self,
        pad: &gst::Pad,
        buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let in_ms = if crate::latency::frame_latency_enabled() {
            ds_meta::latency::system_time_ms()
        } else {
            0.0
        };
        let (sync, sys_ts) = {
            let s = lock(&self.settings);
            (s.sync_inputs, s.attach_sys_ts)
        };
        let mut st = lock(&self.state);
        let Some(p) = st.pad_mut(pad) else {
            return Err(gst::FlowError::Flushing);
        };
        let Some(info) = p.info.clone() else {
            drop(st);
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                ("dsstreammux: buffer on {} before caps", pad.name())
            );
            return Err(gst::FlowError::NotNegotiated);
        };
        let running_time = p.segment.to_running_time(buffer.pts());
        let index = p.index;
        if !p.seen_data {
            p.seen_data = true;
            st.events
                .push(crate::events::new(crate::events::PAD_ADDED, index));
        }

        if sync {
            let obj = self.obj();
            if let (Some(clock), Some(base), Some(rt)) =
                (obj.clock(), obj.base_time(), running_time)
            {
                let id = clock.new_single_shot_id(base + rt);
                if let Some(p) = st.pad_mut(pad) {
                    p.clock_id = Some(id.clone());
                }
                drop(st);
                let _ = id.wait();
                st = lock(&self.state);
                if let Some(p) = st.pad_mut(pad) {
                    p.clock_id = None;
                }
            }
        }

        // Scale in this (upstream) thread, without the state lock.
        let (w, h, padding) = {
            let s = lock(&self.settings);
            (s.width, s.height, s.enable_padding)
        };
        drop(st);
        let scaled = Some(self.scale(index, &buffer, &info, w, h, padding)?);
        let mut st = lock(&self.state);

        loop {
            if st.flushing {
                return Err(gst::FlowError::Flushing);
            }
            st.flow?;
            let Some(p) = st.pad_mut(pad) else {
                return Err(gst::FlowError::Flushing);
            };
            if p.flushing {
                return Err(gst::FlowError::Flushing);
            }
            if p.eos {
                return Err(gst::FlowError::Eos);
            }
            // A source shutting down (its pad deactivated: a source bin set to NULL before
            // its mux pad is released) must not stay blocked here: its last frame is taken
            // above the queue depth, so every frame it gave goes out.
            if p.queue.len() < QUEUE_DEPTH || upstream_flushing(pad) {
                let ntp = if sys_ts {
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(0)
                } else {
                    super::ntp::from_rtcp(&buffer).unwrap_or(0)
                };
                p.queue.push_back(Queued {
                    buffer,
                    info,
                    scaled,
                    running_time,
                    arrived: Instant::now(),
                    ntp,
                    in_ms,
                });
                break;
            }
            st = self
                .cond
                .wait_timeout(st, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        drop(st);
        self.cond.notify_all();
        Ok(gst::FlowSuccess::Ok)
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        use gst::EventView;
        gst::log!(CAT, obj = pad, "event {:?}", event.type_());
        match event.view() {
            EventView::Caps(c) => {
                let caps = c.caps();
                if caps::is_batch(caps) {
                    gst::element_imp_error!(
                        self,
                        gst::CoreError::Negotiation,
                        (
                            "dsstreammux: {} got batch caps {caps}; the muxer takes plain video/x-raw",
                            pad.name()
                        )
                    );
                    return false;
                }
                let info = match gst_video::VideoInfo::from_caps(caps) {
                    Ok(i) => i,
                    Err(_) => {
                        gst::element_imp_error!(
                            self,
                            gst::CoreError::Negotiation,
                            (
                                "dsstreammux: {} cannot use caps {caps}: expected video/x-raw with a known format, width, height",
                                pad.name()
                            )
                        );
                        return false;
                    }
                };
                let mut st = lock(&self.state);
                if st.auto_size {
                    let mut s = lock(&self.settings);
                    if s.width == 0 || s.height == 0 {
                        s.width = info.width();
                        s.height = info.height();
                    }
                }
                if st.fps.is_none() {
                    st.fps = Some(info.fps());
                }
                if let Some(p) = st.pad_mut(pad) {
                    p.info = Some(info);
                }
                true
            }
            EventView::Segment(s) => {
                let seg = s.segment();
                match seg.downcast_ref::<gst::ClockTime>() {
                    Some(seg) => {
                        if let Some(p) = lock(&self.state).pad_mut(pad) {
                            p.segment = seg.clone();
                        }
                        true
                    }
                    None => {
                        gst::element_imp_error!(
                            self,
                            gst::StreamError::Format,
                            (
                                "dsstreammux: {} needs a TIME segment, got {:?}",
                                pad.name(),
                                seg.format()
                            )
                        );
                        false
                    }
                }
            }
            EventView::Eos(_) => {
                let index = {
                    let mut st = lock(&self.state);
                    let Some(p) = st.pad_mut(pad) else {
                        return true;
                    };
                    p.eos = true;
                    p.index
                };
                self.cond.notify_all();
                gst::debug!(CAT, imp = self, "EOS on sink_{index}");
                let msg = gst::message::Element::builder(
                    gst::Structure::builder("stream-eos")
                        .field("stream-id", index)
                        .build(),
                )
                .src(&*self.obj())
                .build();
                let _ = self.obj().post_message(msg);
                true
            }
            EventView::FlushStart(_) => {
                {
                    let mut st = lock(&self.state);
                    if let Some(p) = st.pad_mut(pad) {
                        p.flushing = true;
                        if let Some(id) = p.clock_id.take() {
                            id.unschedule();
                        }
                    }
                }
                self.cond.notify_all();
                true
            }
            EventView::FlushStop(_) => {
                {
                    let mut st = lock(&self.state);
                    if let Some(p) = st.pad_mut(pad) {
                        if !p.flushing {
                            // A flush-stop without a flush-start (what runtime_source_add_delete
                            // sends before releasing a pad) flushes nothing: the frames the
                            // source already gave still go out.
                            gst::debug!(CAT, obj = pad, "flush-stop without flush-start: nothing to flush");
                            return true;
                        }
                        p.flushing = false;
                        p.queue.clear();
                        p.eos = false;
                        p.eos_reported = false;
                        p.segment = gst::FormattedSegment::new();
                    }
                }
                self.cond.notify_all();
                true
            }
            EventView::StreamStart(_) => {
                // a source that starts a new stream after its EOS (a looping source) is live
                // again
                let restarted = {
                    let mut st = lock(&self.state);
                    match st.pad_mut(pad) {
                        Some(p) if p.eos => {
                            p.eos = false;
                            p.eos_reported = false;
                            true
                        }
                        _ => false,
                    }
                };
                if restarted {
                    self.cond.notify_all();
                }
                true
            }
            // tags, gaps ...: per-source events end here; the muxer sends its own.
            _ => true,
        }
    }

    fn sink_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        use gst::QueryViewMut;
        match query.view_mut() {
            QueryViewMut::Caps(q) => {
                let templ = pad.pad_template_caps();
                let res = match q.filter() {
                    Some(f) => f.intersect_with_mode(&templ, gst::CapsIntersectMode::First),
                    None => templ,
                };
                q.set_result(&res);
                true
            }
            QueryViewMut::AcceptCaps(q) => {
                let ok =
                    !caps::is_batch(q.caps()) && q.caps().can_intersect(&pad.pad_template_caps());
                q.set_result(ok);
                true
            }
            QueryViewMut::Allocation(_) => false,
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        use gst::QueryViewMut;
        match query.view_mut() {
            QueryViewMut::Latency(q) => {
                let s = lock(&self.settings).clone();
                let min = if s.batched_push_timeout > 0 {
                    gst::ClockTime::from_useconds(s.batched_push_timeout as u64)
                } else {
                    gst::ClockTime::ZERO
                };
                q.set(s.live_source, min, gst::ClockTime::NONE);
                true
            }
            QueryViewMut::Caps(q) => {
                let c = lock(&self.state).caps.clone().unwrap_or_else(|| {
                    let s = lock(&self.settings);
                    if s.width > 0 && s.height > 0 {
                        gst_video::VideoCapsBuilder::new()
                            .features([caps::CAPS_FEATURE_BATCH])
                            .format(gst_video::VideoFormat::Rgba)
                            .width(s.width as i32)
                            .height(s.height as i32)
                            .build()
                    } else {
                        caps::batch_caps_any()
                    }
                });
                let res = match q.filter() {
                    Some(f) => f.intersect_with_mode(&c, gst::CapsIntersectMode::First),
                    None => c,
                };
                q.set_result(&res);
                true
            }
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    fn src_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        if let gst::EventView::Seek(seek) = event.view() {
            let flush = seek.get().1.contains(gst::SeekFlags::FLUSH);
            let pads: Vec<gst::Pad> = lock(&self.state)
                .pads
                .iter()
                .map(|p| p.pad.clone())
                .collect();
            if flush {
                // flush downstream and stop forming batches while the sources flush
                self.srcpad.push_event(gst::event::FlushStart::new());
                lock(&self.state).flushing = true;
                self.cond.notify_all();
            }
            let mut ok = !pads.is_empty();
            for p in &pads {
                ok &= p.push_event(event.clone());
            }
            if flush {
                // the task has paused (it holds the stream lock while it runs)
                let stream_lock = self.srcpad.stream_lock();
                {
                    let mut st = lock(&self.state);
                    st.flushing = false;
                    st.flow = Ok(gst::FlowSuccess::Ok);
                    st.eos_sent = false;
                    st.last_pts = None;
                    st.last_batch_at = None;
                    st.segment_pending = true;
                    st.events.clear();
                    for p in st.pads.iter_mut() {
                        p.queue.clear();
                    }
                }
                self.srcpad.push_event(gst::event::FlushStop::new(true));
                drop(stream_lock);
                let weak = self.obj().downgrade();
                if let Err(e) = self.srcpad.start_task(move || {
                    if let Some(el) = weak.upgrade() {
                        el.imp().src_loop();
                    }
                }) {
                    gst::error!(CAT, imp = self, "cannot restart the task after a seek: {e}");
                    return false;
                }
                self.cond.notify_all();
            }
            return ok;
        }
        gst::Pad::event_default(pad, Some(&*self.obj()), event)
    }

    /// One iteration of the src pad task: wait for a batch, build it, push it.
    fn src_loop(&self) {
        let settings = lock(&self.settings).clone();
        let mut st = lock(&self.state);
        let batch: Vec<(u32, u64, Queued)>;
        loop {
            if st.flushing {
                drop(st);
                let _ = self.srcpad.pause_task();
                return;
            }
            // Released pads whose last frames went out: gone, then nv-pad-deleted
            let drained: Vec<(u32, bool)> = st
                .pads
                .iter()
                .filter(|p| p.released && p.queue.is_empty())
                .map(|p| (p.index, p.seen_data))
                .collect();
            if !drained.is_empty() {
                st.pads.retain(|p| !(p.released && p.queue.is_empty()));
                let mut conv = lock(&self.converters);
                for (index, seen) in drained {
                    conv.remove(&index);
                    if seen {
                        st.events.push(crate::events::new(crate::events::PAD_DELETED, index));
                    }
                }
            }
            // EOS of sources whose frames all went out
            let mut ev = Vec::new();
            for p in st.pads.iter_mut() {
                if p.eos && p.queue.is_empty() && !p.eos_reported {
                    p.eos_reported = true;
                    ev.push(crate::events::new(crate::events::STREAM_EOS, p.index));
                }
            }
            st.events.extend(ev);
            if !st.events.is_empty() && st.headers_sent {
                let events = std::mem::take(&mut st.events);
                drop(st);
                for e in events {
                    self.srcpad.push_event(e);
                }
                st = lock(&self.state);
                continue;
            }
            let with_data = st.pads.iter().filter(|p| !p.queue.is_empty()).count();
            if with_data == 0 {
                if !st.pads.is_empty() && st.pads.iter().all(|p| p.eos) && !st.eos_sent {
                    st.eos_sent = true;
                    st.events.clear();
                    let need_headers = !st.headers_sent;
                    drop(st);
                    if need_headers {
                        let _ = self.send_headers(&settings);
                    }
                    gst::debug!(CAT, imp = self, "all sources at EOS: sending EOS");
                    self.srcpad.push_event(gst::event::Eos::new());
                    st = lock(&self.state);
                    continue;
                }
                st = self.cond.wait(st).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            let waiting = st
                .pads
                .iter()
                .filter(|p| p.queue.is_empty() && !p.eos && !p.flushing)
                .count();
            let full = with_data as u32 >= settings.batch_size;
            let mut go = full || waiting == 0;
            let mut wait_for = None;
            if !go && settings.batched_push_timeout >= 0 {
                let first = st
                    .pads
                    .iter()
                    .filter_map(|p| p.queue.front().map(|q| q.arrived))
                    .min();
                if let Some(first) = first {
                    let first = st.last_batch_at.map_or(first, |l| l.max(first));
                    let deadline =
                        first + Duration::from_micros(settings.batched_push_timeout as u64);
                    let now = Instant::now();
                    if now >= deadline {
                        go = true;
                    } else {
                        wait_for = Some(deadline - now);
                    }
                }
            }
            if go {
                let n = st.pads.len();
                let start = st
                    .pads
                    .iter()
                    .position(|p| p.index >= st.rr_next)
                    .unwrap_or(0);
                let mut taken = Vec::new();
                for k in 0..n {
                    if taken.len() as u32 >= settings.batch_size {
                        break;
                    }
                    let p = &mut st.pads[(start + k) % n];
                    if let Some(q) = p.queue.pop_front() {
                        let num = p.frame_num;
                        p.frame_num += 1;
                        taken.push((p.index, num, q));
                    }
                }
                if let Some(last) = taken.last() {
                    let last_index = last.0;
                    st.rr_next = st
                        .pads
                        .iter()
                        .map(|p| p.index)
                        .find(|i| *i > last_index)
                        .unwrap_or(0);
                }
                st.last_batch_at = Some(Instant::now());
                batch = taken;
                break;
            }
            st = match wait_for {
                Some(d) => {
                    self.cond
                        .wait_timeout(st, d)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => self.cond.wait(st).unwrap_or_else(|e| e.into_inner()),
            };
        }
        let need_headers = !st.headers_sent;
        let mut events = std::mem::take(&mut st.events);
        if std::mem::take(&mut st.segment_pending) && !need_headers {
            events.insert(
                0,
                gst::event::Segment::new(&gst::FormattedSegment::<gst::ClockTime>::new()),
            );
        }
        drop(st);
        // room in the queues: wake the upstream threads
        self.cond.notify_all();
        // Read again: with width/height 0 the size comes from the first input's caps, which
        // may have arrived while this loop waited.
        let settings = lock(&self.settings).clone();

        let res = if need_headers && !self.send_headers(&settings) {
            Err(gst::FlowError::NotNegotiated)
        } else {
            for e in events {
                self.srcpad.push_event(e);
            }
            match self.build_batch(&settings, batch) {
                Ok(Some(buf)) => self.srcpad.push(buf),
                Ok(None) => Ok(gst::FlowSuccess::Ok),
                Err(e) => Err(e),
            }
        };
        if let Err(err) = res {
            gst::debug!(CAT, imp = self, "pausing after flow {err:?}");
            let _ = self.srcpad.pause_task();
            if err == gst::FlowError::NotNegotiated {
                let caps = lock(&self.state).caps.clone();
                let peer = self
                    .srcpad
                    .peer()
                    .and_then(|p| p.parent_element())
                    .map(|e| e.name().to_string());
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    (
                        "dsstreammux: pad src: downstream {} does not accept the batch caps {}; a batch links only to batch-aware elements (dsinfer, dsosd, dstiler, dsstreamdemux, dsvideoconvert): put dsvideoconvert (with dstiler or dsstreamdemux for batches of several frames) before plain video elements",
                        peer.as_deref().unwrap_or("(none)"),
                        caps.map(|c| c.to_string()).unwrap_or_default()
                    ),
                    ["not-negotiated"]
                );
                self.srcpad.push_event(gst::event::Eos::new());
            } else if !matches!(err, gst::FlowError::Flushing | gst::FlowError::Eos) {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Failed,
                    ("Internal data stream error."),
                    ["dsstreammux: streaming stopped, reason {err:?}"]
                );
                self.srcpad.push_event(gst::event::Eos::new());
            }
        }
        // stored after any error message, so that the muxer's message is the first one
        let mut st = lock(&self.state);
        st.flow = res;
        drop(st);
        self.cond.notify_all();
    }

    /// Sends stream-start, caps and segment; false when downstream refused the caps.
    fn send_headers(&self, settings: &Settings) -> bool {
        let fps = lock(&self.state).fps.unwrap_or(gst::Fraction::new(0, 1));
        let out_caps = caps::batch_caps(settings.width, settings.height, fps);
        let stream_id = format!("dsstreammux-{:08x}", rand_id());
        self.srcpad.push_event(
            gst::event::StreamStart::builder(&stream_id)
                .group_id(gst::GroupId::next())
                .build(),
        );
        let accepted = self.srcpad.push_event(gst::event::Caps::new(&out_caps));
        if !accepted {
            gst::debug!(CAT, imp = self, "downstream refused caps {out_caps}");
        }
        let seg = gst::FormattedSegment::<gst::ClockTime>::new();
        self.srcpad.push_event(gst::event::Segment::new(&seg));
        let mut st = lock(&self.state);
        st.headers_sent = true;
        st.caps = Some(out_caps);
        accepted
    }

    fn build_batch(
        &self,
        settings: &Settings,
        frames: Vec<(u32, u64, Queued)>,
    ) -> Result<Option<gst::Buffer>, gst::FlowError> {
        if frames.is_empty() {
            return Ok(None);
        }
        let (w, h) = (settings.width, settings.height);
        let mut out = gst::Buffer::new();
        let mut infos = Vec::with_capacity(frames.len());
        let mut arrivals = Vec::with_capacity(frames.len());
        let mut first_pts = None;
        let mut first_dur = None;
        {
            let outb = out.get_mut().ok_or(gst::FlowError::Error)?;
            for (batch_id, (index, num, q)) in frames.into_iter().enumerate() {
                if batch_id == 0 {
                    first_pts = q.running_time.or(q.buffer.pts());
                    first_dur = q.buffer.duration();
                }
                infos.push(FrameInfo {
                    batch_id: batch_id as u32,
                    pad_index: index,
                    source_id: index,
                    frame_num: num as i32,
                    buf_pts: q.buffer.pts().map(|t| t.nseconds()).unwrap_or(0),
                    ntp_timestamp: q.ntp,
                    source_width: q.info.width(),
                    source_height: q.info.height(),
                });
                arrivals.push(q.in_ms);
                let mem = match q.scaled {
                    Some(m) if m.size() == (w * h * 4) as usize => m,
                    _ => self.scale(index, &q.buffer, &q.info, w, h, settings.enable_padding)?,
                };
                outb.append_memory(mem);
            }
        }
        let pts = {
            let mut st = lock(&self.state);
            // Strictly increasing: a batch whose first frame is not later than the previous
            // batch's (a source that starts late, round-robin order) goes out 1 ms after it,
            // so encoders downstream of a tiler never see a repeated timestamp.
            let pts = match (first_pts, st.last_pts) {
                (Some(p), Some(l)) if p <= l => Some(l + gst::ClockTime::from_mseconds(1)),
                (p, _) => p,
            };
            if pts.is_some() {
                st.last_pts = pts;
            }
            pts
        };
        {
            let outb = out.get_mut().ok_or(gst::FlowError::Error)?;
            outb.set_pts(pts);
            outb.set_duration(first_dur);
            if let Err(e) = meta::attach_batch_meta(outb, settings.batch_size, w, h, &infos) {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("dsstreammux: cannot attach NvDsBatchMeta: {e}")
                );
                return Err(gst::FlowError::Error);
            }
            if crate::latency::frame_latency_enabled()
                && let Some(batch) = ds_meta::BatchMeta::from_buffer_mut(outb)
            {
                let name = self.obj().name();
                crate::latency::add_records(batch, &name, 0.0, Some(&arrivals));
            }
        }
        gst::trace!(
            CAT,
            imp = self,
            "batch of {} frames pts {:?}",
            infos.len(),
            pts
        );
        Ok(Some(out))
    }

    /// Scales one input frame to `w` x `h` RGBA; returns the frame's memory.
    fn scale(
        &self,
        index: u32,
        buffer: &gst::Buffer,
        in_info: &gst_video::VideoInfo,
        w: u32,
        h: u32,
        padding: bool,
    ) -> Result<gst::Memory, gst::FlowError> {
        if in_info.format() == gst_video::VideoFormat::Rgba
            && in_info.width() == w
            && in_info.height() == h
            && in_info.stride()[0] as u32 == w * 4
            && buffer.n_memory() == 1
            && buffer.size() == (w * h * 4) as usize
        {
            // shared with the upstream buffer, not copied (`MemoryRef::to_owned` copies)
            return buffer.memory(0).ok_or(gst::FlowError::Error);
        }
        let mut convs = lock(&self.converters);
        let stale = convs.get(&index).is_none_or(|c| &c.in_info != in_info);
        if stale {
            let c = self.converter(index, in_info, w, h, padding)?;
            convs.insert(index, c);
        }
        let c = convs.get_mut(&index).ok_or(gst::FlowError::Error)?;
        let src = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer.as_ref(), in_info)
            .map_err(|_| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("dsstreammux: sink_{index}: buffer does not match its caps")
                );
                gst::FlowError::Error
            })?;
        let mut dst = gst_video::VideoFrame::from_buffer_writable(c.frames.buffer(), &c.out_info)
            .map_err(|_| gst::FlowError::Error)?;
        {
            let mut dst_ref = dst.as_mut_video_frame_ref();
            match (&mut c.to_rgba, &c.scale) {
                (Some((conv, info, mid)), Some(scale)) => {
                    let mid = mid.get_mut().ok_or(gst::FlowError::Error)?;
                    let mut mid_frame = gst_video::VideoFrameRef::from_buffer_ref_writable(mid, info)
                        .map_err(|_| gst::FlowError::Error)?;
                    conv.frame_ref(&src, &mut mid_frame);
                    scale.frame_ref(&*mid_frame, &mut dst_ref);
                }
                (Some((conv, _, _)), None) => conv.frame_ref(&src, &mut dst_ref),
                (None, Some(scale)) => scale.frame_ref(&src, &mut dst_ref),
                (None, None) => src.copy(&mut dst_ref).map_err(|_| gst::FlowError::Error)?,
            }
        }
        let buf = dst.into_buffer();
        // the frame's memory itself (`MemoryRef::to_owned` would copy its 8 MB)
        buf.memory(0).ok_or(gst::FlowError::Error)
    }

    /// The two-step conversion of `in_info` frames to `w` x `h` RGBA (bilinear, as
    /// nvstreammux's default `interpolation-method`; letterboxed on black with `padding`).
    fn converter(
        &self,
        index: u32,
        in_info: &gst_video::VideoInfo,
        w: u32,
        h: u32,
        padding: bool,
    ) -> Result<Converter, gst::FlowError> {
        let rgba_info = |w: u32, h: u32| {
            gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgba, w, h)
                .fps(in_info.fps())
                .interlace_mode(in_info.interlace_mode())
                .build()
                .map_err(|_| gst::FlowError::Error)
        };
        let failed = |e: glib::BoolError| {
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                ("dsstreammux: cannot convert sink_{index} caps {:?} to RGBA {w}x{h}: {e}", in_info.to_caps().ok()));
            gst::FlowError::NotNegotiated
        };
        let out_info = rgba_info(w, h)?;
        // the source's frame as RGBA: what the first step writes and the second reads
        let src_rgba = rgba_info(in_info.width(), in_info.height())?;
        let to_rgba = if in_info.format() == gst_video::VideoFormat::Rgba {
            None
        } else {
            let mut cfg = gst_video::VideoConverterConfig::new();
            // RGBA out of 8-bit YUV needs no dithering
            cfg.set_dither_method(gst_video::VideoDitherMethod::None);
            let conv = gst_video::VideoConverter::new(in_info, &src_rgba, Some(cfg)).map_err(failed)?;
            let mid = gst::Buffer::with_size(src_rgba.size()).map_err(|_| gst::FlowError::Error)?;
            Some((conv, src_rgba.clone(), mid))
        };
        let scale = if (in_info.width(), in_info.height()) == (w, h) {
            None
        } else {
            let mut cfg = gst_video::VideoConverterConfig::new();
            // the larger step in bands on two threads, as before the split (no difference on
            // 2 cores; a single stream on a many-core machine waits on this thread)
            cfg.set_threads(2);
            cfg.set_resampler_method(gst_video::VideoResamplerMethod::Linear);
            if padding {
                let (iw, ih) = (in_info.width() as f64, in_info.height() as f64);
                let s = (w as f64 / iw).min(h as f64 / ih);
                let dw = ((iw * s).round() as i32).clamp(1, w as i32);
                let dh = ((ih * s).round() as i32).clamp(1, h as i32);
                cfg.set_dest_x((w as i32 - dw) / 2);
                cfg.set_dest_y((h as i32 - dh) / 2);
                cfg.set_dest_width(Some(dw));
                cfg.set_dest_height(Some(dh));
                cfg.set_fill_border(true);
                cfg.set_border_argb(0xff00_0000);
            }
            Some(gst_video::VideoConverter::new(&src_rgba, &out_info, Some(cfg)).map_err(failed)?)
        };
        Ok(Converter {
            in_info: in_info.clone(),
            to_rgba,
            scale,
            frames: crate::recycle::Recycler::new(out_info.size(), RECYCLED_FRAMES),
            out_info,
        })
    }
}

/// Whether the pad feeding `pad` (through ghost pads) is flushing.
fn upstream_flushing(pad: &gst::Pad) -> bool {
    let mut p = pad.peer();
    for _ in 0..8 {
        let Some(cur) = p else { return false };
        if cur.pad_flags().contains(gst::PadFlags::FLUSHING) {
            return true;
        }
        p = cur.downcast_ref::<gst::GhostPad>().and_then(|g| g.target());
    }
    false
}

fn rand_id() -> u32 {
    let t = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    t ^ std::process::id()
}
