use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new("dsurisrcbin", gst::DebugColorFlags::empty(), Some("Portable nvurisrcbin"))
});

#[derive(Debug, Clone)]
struct Settings {
    uri: Option<String>,
    file_loop: bool,
    gpu_id: u32,
    cudadec_memtype: u32,
    num_extra_surfaces: u32,
    drop_frame_interval: u32,
    latency: u32,
    drop_on_latency: bool,
    rtsp_reconnect_interval: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            uri: None,
            file_loop: false,
            gpu_id: 0,
            cudadec_memtype: 0,
            num_extra_surfaces: 1,
            drop_frame_interval: 0,
            latency: 100,
            drop_on_latency: true,
            rtsp_reconnect_interval: 0,
        }
    }
}

/// Per exposed pad: where the next loop's timestamps start.
#[derive(Debug, Default)]
struct LoopState {
    /// Added to every timestamp of the current loop.
    offset: gst::ClockTime,
    /// End (PTS + duration, with the offset) of the latest buffer.
    end: Option<gst::ClockTime>,
    /// Last PTS seen (with offset), to estimate a duration when buffers have none.
    last_pts: Option<gst::ClockTime>,
    /// Between a swallowed EOS and the first buffer of the next loop.
    restarting: bool,
    /// Loops started so far.
    loops: u32,
    /// The restart failed: let the next EOS through.
    give_up: bool,
}

/// The `dsurisrcbin` implementation.
#[derive(Default)]
pub struct DsUriSrcBin {
    settings: Arc<Mutex<Settings>>,
    decodebin: OnceLock<gst::Element>,
    next_pad: AtomicU32,
    had_video: AtomicBool,
}

#[glib::object_subclass]
impl ObjectSubclass for DsUriSrcBin {
    const NAME: &'static str = "DsUriSrcBin";
    type Type = super::DsUriSrcBin;
    type ParentType = gst::Bin;
}

impl ObjectImpl for DsUriSrcBin {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("uri").nick("URI").blurb("URI of the source (file://, rtsp://, http:// ...)").build(),
                glib::ParamSpecBoolean::builder("file-loop")
                    .nick("Loop file")
                    .blurb("Restart a file:// source at its end, with continuous timestamps")
                    .default_value(false)
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id").nick("GPU ID").blurb("Accepted for compatibility; no effect").default_value(0).build(),
                glib::ParamSpecUInt::builder("cudadec-memtype")
                    .nick("CUDA decoder memory type")
                    .blurb("Accepted for compatibility; no effect (frames are in system memory)")
                    .maximum(2)
                    .default_value(0)
                    .build(),
                glib::ParamSpecUInt::builder("num-extra-surfaces").nick("Extra surfaces").blurb("Accepted for compatibility; no effect").default_value(1).build(),
                glib::ParamSpecUInt::builder("drop-frame-interval")
                    .nick("Drop frame interval")
                    .blurb("Only 0 (no dropping) is supported by the portable element")
                    .default_value(0)
                    .build(),
                glib::ParamSpecUInt::builder("latency").nick("Latency").blurb("rtspsrc jitterbuffer latency (ms), for rtsp:// URIs").default_value(100).build(),
                glib::ParamSpecBoolean::builder("drop-on-latency")
                    .nick("Drop on latency")
                    .blurb("rtspsrc drop-on-latency, for rtsp:// URIs")
                    .default_value(true)
                    .build(),
                glib::ParamSpecUInt::builder("rtsp-reconnect-interval")
                    .nick("RTSP reconnect interval")
                    .blurb("Not implemented by the portable element: only 0 is accepted")
                    .default_value(0)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "uri" => {
                s.uri = value.get().ok().flatten();
                if let Some(d) = self.decodebin.get() {
                    d.set_property("uri", s.uri.as_deref());
                }
            }
            "file-loop" => s.file_loop = value.get().unwrap_or(false),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            "cudadec-memtype" => s.cudadec_memtype = value.get().unwrap_or(0),
            "num-extra-surfaces" => s.num_extra_surfaces = value.get().unwrap_or(1),
            "drop-frame-interval" => {
                s.drop_frame_interval = value.get().unwrap_or(0);
                if s.drop_frame_interval != 0 {
                    gst::warning!(CAT, imp = self, "drop-frame-interval is not supported by dsurisrcbin: every frame is output");
                }
            }
            "latency" => s.latency = value.get().unwrap_or(100),
            "drop-on-latency" => s.drop_on_latency = value.get().unwrap_or(true),
            "rtsp-reconnect-interval" => {
                s.rtsp_reconnect_interval = value.get().unwrap_or(0);
                if s.rtsp_reconnect_interval != 0 {
                    gst::warning!(CAT, imp = self, "rtsp-reconnect-interval is not implemented by dsurisrcbin: no reconnection");
                }
            }
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "uri" => s.uri.to_value(),
            "file-loop" => s.file_loop.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            "cudadec-memtype" => s.cudadec_memtype.to_value(),
            "num-extra-surfaces" => s.num_extra_surfaces.to_value(),
            "drop-frame-interval" => s.drop_frame_interval.to_value(),
            "latency" => s.latency.to_value(),
            "drop-on-latency" => s.drop_on_latency.to_value(),
            "rtsp-reconnect-interval" => s.rtsp_reconnect_interval.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        let Ok(decodebin) = gst::ElementFactory::make("uridecodebin").name("src-elem").build() else {
            gst::error!(CAT, imp = self, "uridecodebin is missing (gstreamer1.0-plugins-base)");
            return;
        };
        let weak = obj.downgrade();
        decodebin.connect_pad_added(move |_, pad| {
            if let Some(bin) = weak.upgrade() {
                bin.imp().pad_added(pad);
            }
        });
        let weak = obj.downgrade();
        decodebin.connect("no-more-pads", false, move |_| {
            if let Some(bin) = weak.upgrade() {
                bin.imp().no_more_pads();
            }
            None
        });
        let settings = self.settings.clone();
        decodebin.connect("source-setup", false, move |args| {
            let source = args.get(1).and_then(|v| v.get::<gst::Element>().ok())?;
            let s = lock(&settings).clone();
            if source.has_property("drop-on-latency") {
                source.set_property("drop-on-latency", s.drop_on_latency);
            }
            if source.has_property("latency") && source.find_property("latency").map(|p| p.value_type()) == Some(u32::static_type()) {
                source.set_property("latency", s.latency);
            }
            None
        });
        if obj.add(&decodebin).is_ok() {
            let _ = self.decodebin.set(decodebin);
        }
    }
}

impl GstObjectImpl for DsUriSrcBin {}

impl ElementImpl for DsUriSrcBin {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "URI source bin (portable nvurisrcbin)",
                "Source/Bin/Video",
                "Decodes the video of a URI (file, RTSP, HTTP), optionally looping files",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst::Caps::builder("video/x-raw").build();
            vec![
                gst::PadTemplate::new("vsrc_%u", gst::PadDirection::Src, gst::PadPresence::Sometimes, &caps)
                    .expect("valid pad template"),
            ]
        });
        T.as_ref()
    }

    fn change_state(&self, transition: gst::StateChange) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::NullToReady {
            let s = lock(&self.settings).clone();
            if self.decodebin.get().is_none() {
                gst::element_imp_error!(self, gst::CoreError::MissingPlugin, ("dsurisrcbin: uridecodebin is missing (install gstreamer1.0-plugins-base)"));
                return Err(gst::StateChangeError);
            }
            if s.uri.as_deref().unwrap_or("").is_empty() {
                gst::element_imp_error!(self, gst::ResourceError::NotFound, ("dsurisrcbin: the uri property is not set"));
                return Err(gst::StateChangeError);
            }
            self.had_video.store(false, Ordering::SeqCst);
        }
        self.parent_change_state(transition)
    }
}

impl BinImpl for DsUriSrcBin {}

/// What the loop probe returns for an event it keeps from downstream: `Handled` (the probe
/// consumed it; the Rust side releases it). `Drop` would release it twice with
/// gstreamer-rs 0.25, which takes the event out of the probe info (GLib critical
/// `gst_mini_object_unref: assertion 'mini_object != NULL'`).
fn swallow() -> gst::PadProbeReturn {
    gst::PadProbeReturn::Handled
}

impl DsUriSrcBin {
    fn uri(&self) -> String {
        lock(&self.settings).uri.clone().unwrap_or_default()
    }

    fn pad_added(&self, pad: &gst::Pad) {
        let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
        let is_video = caps.structure(0).map(|s| s.name().starts_with("video/")).unwrap_or(false);
        let obj = self.obj();
        if !is_video {
            // Audio and other streams are not exposed; a fakesink takes them so that the
            // demuxer never sees not-linked.
            if let Ok(sink) = gst::ElementFactory::make("fakesink").property("sync", false).property("async", false).build()
                && obj.add(&sink).is_ok()
            {
                let _ = sink.sync_state_with_parent();
                if let Some(sp) = sink.static_pad("sink") {
                    let _ = pad.link(&sp);
                }
            }
            return;
        }
        self.had_video.store(true, Ordering::SeqCst);
        let n = self.next_pad.fetch_add(1, Ordering::SeqCst);
        let templ = obj.pad_template("vsrc_%u");
        let Some(templ) = templ else { return };
        let ghost = match gst::GhostPad::builder_from_template_with_target(&templ, pad) {
            Ok(b) => b.name(format!("vsrc_{n}")).build(),
            Err(e) => {
                gst::element_imp_error!(self, gst::CoreError::Pad, ("dsurisrcbin: cannot expose {}: {e}", pad.name()));
                return;
            }
        };
        let file_uri = self.uri().starts_with("file:");
        if file_uri {
            self.add_loop_probe(pad, &ghost);
        }
        let _ = ghost.set_active(true);
        if let Err(e) = obj.add_pad(&ghost) {
            gst::element_imp_error!(self, gst::CoreError::Pad, ("dsurisrcbin: cannot add {}: {e}", ghost.name()));
        }
    }

    fn no_more_pads(&self) {
        if !self.had_video.load(Ordering::SeqCst) {
            let uri = self.uri();
            gst::element_imp_error!(
                self,
                gst::StreamError::WrongType,
                ("No video stream in {uri}"),
                ["dsurisrcbin: the URI's streams were decoded but none is video"]
            );
        }
        self.obj().no_more_pads();
    }

    /// The file-loop probe on the decoded pad `pad` (exposed as `ghost`); it does nothing
    /// while `file-loop` is false.
    fn add_loop_probe(&self, pad: &gst::Pad, ghost: &gst::GhostPad) {
        let state = Arc::new(Mutex::new(LoopState::default()));
        let settings = self.settings.clone();
        let weak_ghost = ghost.downgrade();
        let weak_bin = self.obj().downgrade();
        let types = gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM | gst::PadProbeType::EVENT_FLUSH;
        pad.add_probe(types, move |pad, info| {
            let mut ls = lock(&state);
            match &mut info.data {
                Some(gst::PadProbeData::Buffer(buffer)) => {
                    ls.restarting = false;
                    if ls.offset > gst::ClockTime::ZERO {
                        let off = ls.offset;
                        let b = buffer.make_mut();
                        b.set_pts(b.pts().map(|p| p + off));
                        b.set_dts(b.dts().map(|d| d + off));
                    }
                    if let Some(pts) = buffer.pts() {
                        let dur = buffer
                            .duration()
                            .or_else(|| ls.last_pts.and_then(|l| pts.checked_sub(l)))
                            .unwrap_or(gst::ClockTime::ZERO);
                        ls.last_pts = Some(pts);
                        let end = pts + dur;
                        ls.end = Some(ls.end.map_or(end, |e| e.max(end)));
                    }
                    gst::PadProbeReturn::Ok
                }
                Some(gst::PadProbeData::Event(ev)) => match ev.type_() {
                    gst::EventType::Eos => {
                        let looping = lock(&settings).file_loop && !ls.give_up;
                        if !looping {
                            return gst::PadProbeReturn::Ok;
                        }
                        ls.offset = ls.end.unwrap_or(ls.offset);
                        ls.restarting = true;
                        ls.loops += 1;
                        gst::debug!(CAT, "end of file: loop {} from {}", ls.loops, ls.offset);
                        let pad = pad.clone();
                        let state = state.clone();
                        let weak_ghost = weak_ghost.clone();
                        let weak_bin = weak_bin.clone();
                        std::thread::spawn(move || {
                            let seek = gst::event::Seek::new(
                                1.0,
                                gst::SeekFlags::FLUSH,
                                gst::SeekType::Set,
                                gst::ClockTime::ZERO,
                                gst::SeekType::None,
                                gst::ClockTime::NONE,
                            );
                            if !pad.send_event(seek) {
                                // Could not restart: end the stream for real.
                                lock(&state).give_up = true;
                                if let Some(bin) = weak_bin.upgrade() {
                                    gst::element_warning!(
                                        bin,
                                        gst::StreamError::Failed,
                                        ("dsurisrcbin: cannot seek {} back to its start: file-loop stops here", bin.imp().uri())
                                    );
                                }
                                if let Some(g) = weak_ghost.upgrade() {
                                    let _ = g.push_event(gst::event::Eos::new());
                                }
                            }
                        });
                        swallow()
                    }
                    gst::EventType::FlushStart | gst::EventType::FlushStop if ls.restarting => swallow(),
                    gst::EventType::Segment | gst::EventType::StreamStart if ls.loops > 0 => swallow(),
                    gst::EventType::Segment if lock(&settings).file_loop => {
                        // The file's segment ends at its duration: downstream would clip the
                        // next loops' (offset) timestamps. Open its end.
                        if let gst::EventView::Segment(seg) = ev.view()
                            && let Ok(time) = seg.segment().clone().downcast::<gst::ClockTime>()
                        {
                            let mut open = time;
                            open.set_stop(gst::ClockTime::NONE);
                            open.set_duration(gst::ClockTime::NONE);
                            let seqnum = ev.seqnum();
                            *ev = gst::event::Segment::builder(&open).seqnum(seqnum).build();
                        }
                        gst::PadProbeReturn::Ok
                    }
                    _ => gst::PadProbeReturn::Ok,
                },
                _ => gst::PadProbeReturn::Ok,
            }
        });
    }
}
