use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

use crate::caps;
use crate::events;
use crate::meta;
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsstreamdemux",
        gst::DebugColorFlags::empty(),
        Some("Portable nvstreamdemux"),
    )
});

struct SrcState {
    pad: gst::Pad,
    headers_sent: bool,
    eos: bool,
}

#[derive(Default)]
struct State {
    pads: BTreeMap<u32, SrcState>,
    in_caps: Option<gst::Caps>,
    segment: Option<gst::Event>,
}

/// The `dsstreamdemux` implementation.
pub struct DsStreamDemux {
    sinkpad: gst::Pad,
    state: Mutex<State>,
    /// Serialises pushes so that event and buffer order holds per src pad.
    flow: Mutex<gst_base::UniqueFlowCombiner>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsStreamDemux {
    const NAME: &'static str = "DsStreamDemux";
    type Type = super::DsStreamDemux;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass.pad_template("sink").expect("sink template");
        let sinkpad = gst::Pad::builder_from_template(&templ)
            .chain_function(|pad, parent, buffer| {
                DsStreamDemux::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(pad, buffer),
                )
            })
            .event_function(|pad, parent, event| {
                DsStreamDemux::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .build();
        DsStreamDemux {
            sinkpad,
            state: Mutex::new(State::default()),
            flow: Mutex::new(gst_base::UniqueFlowCombiner::new()),
        }
    }
}

impl ObjectImpl for DsStreamDemux {
    fn constructed(&self) {
        self.parent_constructed();
        let _ = self.obj().add_pad(&self.sinkpad);
    }
}

impl GstObjectImpl for DsStreamDemux {}

impl ElementImpl for DsStreamDemux {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Stream demultiplexer (portable nvstreamdemux)",
                "Generic",
                "Splits a batch into one stream per source, with each frame's metadata",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let src = caps::batch_or_rgba_caps();
            vec![
                gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &caps::batch_caps_any(),
                )
                .expect("sink"),
                gst::PadTemplate::new(
                    "src_%u",
                    gst::PadDirection::Src,
                    gst::PadPresence::Request,
                    &src,
                )
                .expect("src"),
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
            Some(n) => match n.strip_prefix("src_").and_then(|i| i.parse::<u32>().ok()) {
                Some(i) => i,
                None => {
                    gst::error!(CAT, imp = self, "bad pad name {n}: expected src_%u");
                    return None;
                }
            },
            None => (0..).find(|i| !st.pads.contains_key(i)).unwrap_or(0),
        };
        if st.pads.contains_key(&index) {
            gst::error!(CAT, imp = self, "pad src_{index} already exists");
            return None;
        }
        let pad = gst::Pad::builder_from_template(templ)
            .name(format!("src_{index}"))
            .query_function(|pad, parent, query| {
                DsStreamDemux::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_query(pad, query),
                )
            })
            .build();
        st.pads.insert(
            index,
            SrcState {
                pad: pad.clone(),
                headers_sent: false,
                eos: false,
            },
        );
        drop(st);
        lock(&self.flow).add_pad(&pad);
        if self.obj().add_pad(&pad).is_err() {
            lock(&self.state).pads.remove(&index);
            lock(&self.flow).remove_pad(&pad);
            return None;
        }
        Some(pad)
    }

    fn release_pad(&self, pad: &gst::Pad) {
        lock(&self.state).pads.retain(|_, p| &p.pad != pad);
        lock(&self.flow).remove_pad(pad);
        let _ = pad.set_active(false);
        let _ = self.obj().remove_pad(pad);
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            let mut st = lock(&self.state);
            for p in st.pads.values_mut() {
                p.headers_sent = false;
                p.eos = false;
            }
            st.segment = None;
            lock(&self.flow).reset();
        }
        self.parent_change_state(transition)
    }
}

impl DsStreamDemux {
    /// Caps for a src pad: the batch caps when the peer takes them, else plain RGBA.
    fn caps_for(&self, pad: &gst::Pad, in_caps: &gst::Caps) -> gst::Caps {
        if pad.peer_query_accept_caps(in_caps) {
            return in_caps.clone();
        }
        let mut plain = in_caps.clone();
        if let Some(c) = plain.get_mut() {
            c.set_features_simple(None);
        }
        plain
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        if let gst::QueryViewMut::Caps(q) = query.view_mut() {
            let c = match lock(&self.state).in_caps.clone() {
                Some(c) => {
                    let mut plain = c.clone();
                    if let Some(pm) = plain.get_mut() {
                        pm.set_features_simple(None);
                    }
                    let mut all = c;
                    all.merge(plain);
                    all
                }
                None => pad.pad_template_caps(),
            };
            let res = match q.filter() {
                Some(f) => f.intersect_with_mode(&c, gst::CapsIntersectMode::First),
                None => c,
            };
            q.set_result(&res);
            return true;
        }
        gst::Pad::query_default(pad, Some(&*self.obj()), query)
    }

    /// Sends stream-start, caps and segment on a src pad that has not had them.
    fn ensure_headers(&self, index: u32) {
        let (pad, in_caps, segment) = {
            let st = lock(&self.state);
            let Some(p) = st.pads.get(&index) else { return };
            if p.headers_sent {
                return;
            }
            (p.pad.clone(), st.in_caps.clone(), st.segment.clone())
        };
        let Some(in_caps) = in_caps else { return };
        pad.push_event(
            gst::event::StreamStart::builder(&format!("dsstreamdemux-src-{index}")).build(),
        );
        let c = self.caps_for(&pad, &in_caps);
        pad.push_event(gst::event::Caps::new(&c));
        let seg = segment.unwrap_or_else(|| {
            gst::event::Segment::new(&gst::FormattedSegment::<gst::ClockTime>::new())
        });
        pad.push_event(seg);
        if let Some(p) = lock(&self.state).pads.get_mut(&index) {
            p.headers_sent = true;
        }
    }

    fn sink_chain(
        &self,
        _pad: &gst::Pad,
        buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut frames = meta::read_frames(buffer.as_ref());
        if frames.is_empty() {
            // no metadata: memory i is source i
            frames = (0..buffer.n_memory() as u32)
                .map(|i| meta::FrameInfo {
                    batch_id: i,
                    pad_index: i,
                    source_id: i,
                    frame_num: 0,
                    buf_pts: buffer.pts().map(|t| t.nseconds()).unwrap_or(0),
                    ntp_timestamp: 0,
                    source_width: 0,
                    source_height: 0,
                })
                .collect();
        }
        let mut last = Ok(gst::FlowSuccess::Ok);
        for f in frames {
            let i = f.batch_id as usize;
            if i >= buffer.n_memory() {
                gst::warning!(
                    CAT,
                    imp = self,
                    "frame meta batch_id {i} but the buffer has {} frames",
                    buffer.n_memory()
                );
                continue;
            }
            let pad = {
                let st = lock(&self.state);
                match st.pads.get(&f.source_id) {
                    Some(p) if !p.eos => p.pad.clone(),
                    _ => continue,
                }
            };
            self.ensure_headers(f.source_id);
            let mut out = gst::Buffer::new();
            {
                let o = out.get_mut().ok_or(gst::FlowError::Error)?;
                // the frame's memory shared, not copied (`MemoryRef::to_owned` copies): an
                // element that writes into it gets its own copy from GStreamer
                o.append_memory(buffer.memory(i).ok_or(gst::FlowError::Error)?);
                let _ = buffer.copy_into(o, gst::BufferCopyFlags::FLAGS, ..);
                o.set_pts(gst::ClockTime::from_nseconds(f.buf_pts));
                o.set_duration(buffer.duration());
                if let Err(e) = meta::single_frame_meta(o, buffer.as_ref(), f.batch_id) {
                    gst::element_imp_error!(
                        self,
                        gst::LibraryError::Failed,
                        (
                            "dsstreamdemux: cannot copy the frame meta of source {}: {e}",
                            f.source_id
                        )
                    );
                    return Err(gst::FlowError::Error);
                }
            }
            let res = pad.push(out);
            last = lock(&self.flow).update_pad_flow(&pad, res);
            if let Err(e) = last
                && e != gst::FlowError::NotLinked
            {
                return last;
            }
        }
        last
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        use gst::EventView;
        if let Some((name, id)) = events::parse(&event) {
            if name == events::STREAM_EOS {
                let target = {
                    let mut st = lock(&self.state);
                    match st.pads.get_mut(&id) {
                        Some(p) if !p.eos => {
                            p.eos = true;
                            Some(p.pad.clone())
                        }
                        _ => None,
                    }
                };
                if let Some(t) = target {
                    self.ensure_headers(id);
                    gst::debug!(CAT, imp = self, "EOS on src_{id}");
                    t.push_event(gst::event::Eos::new());
                }
            }
            return true;
        }
        match event.view() {
            EventView::Caps(c) => {
                let caps = c.caps_owned();
                let mut st = lock(&self.state);
                st.in_caps = Some(caps.clone());
                let sent = started_pads(&st);
                drop(st);
                for p in sent {
                    let c = self.caps_for(&p, &caps);
                    p.push_event(gst::event::Caps::new(&c));
                }
                true
            }
            EventView::Segment(_) => {
                let mut st = lock(&self.state);
                st.segment = Some(event.clone());
                let sent = started_pads(&st);
                drop(st);
                for p in sent {
                    p.push_event(event.clone());
                }
                true
            }
            EventView::StreamStart(_) => true,
            EventView::Eos(_) => {
                let ids: Vec<u32> = {
                    let mut st = lock(&self.state);
                    st.pads
                        .iter_mut()
                        .filter(|(_, p)| !p.eos)
                        .map(|(i, p)| {
                            p.eos = true;
                            *i
                        })
                        .collect()
                };
                for id in &ids {
                    self.ensure_headers(*id);
                }
                let pads: Vec<gst::Pad> = {
                    let st = lock(&self.state);
                    ids.iter()
                        .filter_map(|i| st.pads.get(i).map(|p| p.pad.clone()))
                        .collect()
                };
                for p in pads {
                    p.push_event(gst::event::Eos::new());
                }
                true
            }
            EventView::FlushStop(_) => {
                {
                    let mut st = lock(&self.state);
                    for p in st.pads.values_mut() {
                        p.eos = false;
                    }
                }
                lock(&self.flow).reset();
                gst::Pad::event_default(pad, Some(&*self.obj()), event)
            }
            _ => gst::Pad::event_default(pad, Some(&*self.obj()), event),
        }
    }
}

/// The source pads that have had their stream-start, caps and segment: later caps and
/// segments go to them at once (the others get them with their first buffer).
fn started_pads(st: &State) -> Vec<gst::Pad> {
    st.pads.values().filter(|p| p.headers_sent).map(|p| p.pad.clone()).collect()
}
