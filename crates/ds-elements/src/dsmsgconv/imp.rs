use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use ds_msg::config::MsgConvConfig;
use ds_msg::event as ev;
use ds_msg::schema::{self, PayloadType};

use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsmsgconv",
        gst::DebugColorFlags::empty(),
        Some("Portable nvmsgconv"),
    )
});

#[derive(Debug, Clone)]
struct Settings {
    config: Option<String>,
    msg2p_lib: Option<String>,
    payload_type: i32,
    comp_id: u32,
    debug_payload_dir: Option<String>,
    multiple_payloads: bool,
    msg2p_newapi: bool,
    frame_interval: u32,
    dummy_payload: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            config: None,
            msg2p_lib: None,
            payload_type: 0,
            comp_id: 0,
            debug_payload_dir: None,
            multiple_payloads: false,
            msg2p_newapi: false,
            frame_interval: 30,
            dummy_payload: false,
        }
    }
}

struct State {
    config: MsgConvConfig,
    payload_type: PayloadType,
    comp_id: u32,
    debug_dir: Option<PathBuf>,
    written: u64,
}

/// The `dsmsgconv` implementation.
#[derive(Default)]
pub struct DsMsgConv {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsMsgConv {
    const NAME: &'static str = "DsMsgConv";
    type Type = super::DsMsgConv;
    type ParentType = gst_base::BaseTransform;
}

/// ds-meta's event message as ds-msg's plain event.
pub(crate) fn to_event(m: &ds_meta::EventMsgMeta) -> ev::Event {
    let b = m.bbox();
    let l = m.location();
    let c = m.coordinate();
    let ext = m.ext().map(|x| match x {
        ds_meta::ExtObject::Vehicle(v) => ev::Ext::Vehicle(ev::Vehicle {
            type_: v.type_,
            make: v.make,
            model: v.model,
            color: v.color,
            region: v.region,
            license: v.license,
        }),
        ds_meta::ExtObject::Person(p) => ev::Ext::Person(ev::Person {
            gender: p.gender,
            hair: p.hair,
            cap: p.cap,
            apparel: p.apparel,
            age: p.age,
        }),
        ds_meta::ExtObject::Face(f) => ev::Ext::Face(ev::Face {
            gender: f.gender,
            hair: f.hair,
            cap: f.cap,
            glasses: f.glasses,
            facialhair: f.facialhair,
            name: f.name,
            eyecolor: f.eyecolor,
            age: f.age,
        }),
    });
    ev::Event {
        event_type: ev::EventType::from_raw(m.event_type().0),
        obj_type: ev::ObjectType::from_raw(m.obj_type().0),
        bbox: ev::Rect {
            top: b.top,
            left: b.left,
            width: b.width,
            height: b.height,
        },
        location: [l.lat, l.lon, l.alt],
        coordinate: [c.x, c.y, c.z],
        obj_class_id: m.obj_class_id(),
        sensor_id: m.sensor_id(),
        module_id: m.module_id(),
        place_id: m.place_id(),
        component_id: m.component_id(),
        frame_id: m.frame_id(),
        confidence: m.confidence(),
        tracking_id: m.tracking_id(),
        ts: m.ts().to_string(),
        object_id: m.object_id().to_string(),
        sensor_str: m.sensor_str().to_string(),
        other_attrs: m.other_attrs().to_string(),
        video_path: m.video_path().to_string(),
        ext,
    }
}

impl ObjectImpl for DsMsgConv {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("config")
                    .nick("configuration file")
                    .blurb("msgconv config file: [sensorN], [placeN], [analyticsN] groups (key file or YAML)")
                    .build(),
                glib::ParamSpecString::builder("msg2p-lib")
                    .nick("configuration file")
                    .blurb("Custom converter library (not supported by the portable backend: an error at start)")
                    .build(),
                glib::ParamSpecInt::builder("payload-type")
                    .nick("Payload type")
                    .blurb("0: DeepStream full schema, 1: DeepStream minimal schema (2 protobuf, 257 custom: not supported)")
                    .minimum(0)
                    .maximum(i32::MAX)
                    .default_value(0)
                    .build(),
                glib::ParamSpecUInt::builder("comp-id")
                    .nick("Component Id")
                    .blurb("Component id stored in each payload (componentId) for dsmsgbroker's comp-id filter")
                    .default_value(0)
                    .build(),
                glib::ParamSpecString::builder("debug-payload-dir")
                    .nick("directory to dump payload")
                    .blurb("When set, every message is also written to <dir>/<n>.json")
                    .build(),
                glib::ParamSpecBoolean::builder("multiple-payloads")
                    .nick("Multiple payloads")
                    .blurb("Accepted; the portable converter always makes one payload per event (full) or per frame (minimal)")
                    .default_value(false)
                    .build(),
                glib::ParamSpecBoolean::builder("msg2p-newapi")
                    .nick("metadata from frame/object meta")
                    .blurb("Build messages from frame and object metadata (not supported by the portable backend: an error at start)")
                    .default_value(false)
                    .build(),
                glib::ParamSpecUInt::builder("frame-interval")
                    .nick("frame interval")
                    .blurb("Frame interval of msg2p-newapi (unused without it)")
                    .minimum(1)
                    .default_value(30)
                    .build(),
                glib::ParamSpecBoolean::builder("dummy-payload")
                    .nick("dummy payload")
                    .blurb("Accepted; no dummy payloads are made")
                    .default_value(false)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        let string = |v: &glib::Value| {
            v.get::<Option<String>>()
                .ok()
                .flatten()
                .filter(|s| !s.is_empty())
        };
        match pspec.name() {
            "config" => s.config = string(value),
            "msg2p-lib" => s.msg2p_lib = string(value),
            "payload-type" => s.payload_type = value.get().unwrap_or(0),
            "comp-id" => s.comp_id = value.get().unwrap_or(0),
            "debug-payload-dir" => s.debug_payload_dir = string(value),
            "multiple-payloads" => s.multiple_payloads = value.get().unwrap_or(false),
            "msg2p-newapi" => s.msg2p_newapi = value.get().unwrap_or(false),
            "frame-interval" => s.frame_interval = value.get().unwrap_or(30),
            "dummy-payload" => s.dummy_payload = value.get().unwrap_or(false),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "config" => s.config.to_value(),
            "msg2p-lib" => s.msg2p_lib.to_value(),
            "payload-type" => s.payload_type.to_value(),
            "comp-id" => s.comp_id.to_value(),
            "debug-payload-dir" => s.debug_payload_dir.to_value(),
            "multiple-payloads" => s.multiple_payloads.to_value(),
            "msg2p-newapi" => s.msg2p_newapi.to_value(),
            "frame-interval" => s.frame_interval.to_value(),
            "dummy-payload" => s.dummy_payload.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsMsgConv {}

impl ElementImpl for DsMsgConv {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Message Converter (portable nvmsgconv)",
                "Filter/Metadata",
                "Turns event metadata into DeepStream schema JSON payloads (NVDS_PAYLOAD_META)",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            crate::caps::sink_src_templates(&gst::Caps::new_any(), &gst::Caps::new_any())
        });
        T.as_ref()
    }
}

fn settings_error(msg: String) -> gst::ErrorMessage {
    gst::error_msg!(gst::LibraryError::Settings, ("{}", msg))
}

impl BaseTransformImpl for DsMsgConv {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings).clone();
        if let Some(lib) = &s.msg2p_lib {
            return Err(settings_error(format!(
                "msg2p-lib={lib}: custom converter libraries are not supported by the portable backend (payload-type 0 and 1 are built in)"
            )));
        }
        if s.msg2p_newapi {
            return Err(settings_error("msg2p-newapi=true (messages from frame/object metadata) is not supported by the portable backend".into()));
        }
        let payload_type =
            PayloadType::from_raw(s.payload_type).map_err(|e| settings_error(e.to_string()))?;
        let config = match (&s.config, payload_type) {
            (Some(c), _) => MsgConvConfig::from_file(Path::new(c))
                .map_err(|e| settings_error(format!("dsmsgconv config: {e}")))?,
            (None, PayloadType::Minimal) => MsgConvConfig::default(),
            (None, PayloadType::Full) => {
                return Err(settings_error("config is not set: the full schema (payload-type=0) needs the msgconv config file".into()));
            }
        };
        for w in &config.warnings {
            gst::warning!(CAT, imp = self, "{w}");
            eprintln!("dsmsgconv: {w}");
        }
        let debug_dir = s.debug_payload_dir.as_ref().map(PathBuf::from);
        if let Some(d) = &debug_dir {
            std::fs::create_dir_all(d)
                .map_err(|e| settings_error(format!("debug-payload-dir {}: {e}", d.display())))?;
        }
        *lock(&self.state) = Some(State {
            config,
            payload_type,
            comp_id: s.comp_id,
            debug_dir,
            written: 0,
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        let Some(state) = guard.as_mut() else {
            return Err(gst::FlowError::Flushing);
        };
        let Some(batch) = ds_meta::BatchMeta::from_buffer_mut(buf) else {
            gst::warning!(CAT, imp = self, "NvDsBatchMeta not found for input buffer");
            return Ok(gst::FlowSuccess::Ok);
        };
        for frame in batch.frames_mut() {
            let events: Vec<ev::Event> = frame
                .user_metas()
                .filter_map(|u| u.event_msg())
                .map(to_event)
                .collect();
            if events.is_empty() {
                continue;
            }
            let messages: Vec<String> = match state.payload_type {
                PayloadType::Full => events
                    .iter()
                    .map(|e| schema::full_message(&state.config, e))
                    .collect(),
                PayloadType::Minimal => schema::minimal_message(&state.config, &events)
                    .into_iter()
                    .collect(),
            };
            for m in messages {
                if let Some(d) = &state.debug_dir {
                    let p = d.join(format!("{}.json", state.written));
                    if let Err(e) = std::fs::write(&p, &m) {
                        gst::warning!(CAT, imp = self, "writing {}: {e}", p.display());
                    }
                }
                state.written += 1;
                let payload = ds_meta::Payload {
                    bytes: m.into_bytes(),
                    component_id: state.comp_id,
                };
                if let Err(e) = frame.add_c_user_meta(payload) {
                    gst::element_imp_error!(
                        self,
                        gst::LibraryError::Failed,
                        ["attaching the payload: {e}"]
                    );
                    return Err(gst::FlowError::Error);
                }
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
