use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::path::Path;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use ds_msg::broker::{BrokerSettings, RetryPolicy, Sender};

use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsmsgbroker",
        gst::DebugColorFlags::empty(),
        Some("Portable nvmsgbroker"),
    )
});

#[derive(Debug, Clone, Default)]
struct Settings {
    proto_lib: Option<String>,
    conn_str: Option<String>,
    config: Option<String>,
    topic: Option<String>,
    comp_id: u32,
    new_api: bool,
    sync: bool,
}

struct State {
    sender: Sender,
    topic: String,
    comp_id: u32,
    flush_limit: Duration,
}

/// The `dsmsgbroker` implementation: a plain element with one sink pad (flagged as a sink),
/// not a `GstBaseSink`, so it never waits for preroll: behind a tee, a base sink holding its
/// first buffer in PAUSED blocks the tee while another branch (an encoder that needs several
/// frames before its own sink prerolls) starves.
pub struct DsMsgBroker {
    sinkpad: gst::Pad,
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsMsgBroker {
    const NAME: &'static str = "DsMsgBroker";
    type Type = super::DsMsgBroker;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass.pad_template("sink").expect("sink template");
        let sinkpad = gst::Pad::builder_from_template(&templ)
            .chain_function(|pad, parent, buffer| {
                DsMsgBroker::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.render(pad, &buffer),
                )
            })
            .event_function(|pad, parent, event| {
                DsMsgBroker::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .build();
        DsMsgBroker {
            sinkpad,
            settings: Mutex::default(),
            state: Mutex::default(),
        }
    }
}

impl ObjectImpl for DsMsgBroker {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("proto-lib")
                    .nick("Protocol library name")
                    .blurb("DeepStream adapter library (libnvds_kafka_proto.so, libnvds_mqtt_proto.so, libnvds_redis_proto.so, libnvds_amqp_proto.so): selects the portable adapter")
                    .build(),
                glib::ParamSpecString::builder("conn-str")
                    .nick("Connection string")
                    .blurb("host;port (MQTT, Redis), host;port;topic (Kafka), host;port;username (AMQP)")
                    .build(),
                glib::ParamSpecString::builder("config")
                    .nick("Configuration file")
                    .blurb("Adapter config file with a [message-broker] group")
                    .build(),
                glib::ParamSpecString::builder("topic")
                    .nick("topic")
                    .blurb("Topic (MQTT, Kafka, AMQP routing key) or stream key (Redis)")
                    .build(),
                glib::ParamSpecUInt::builder("comp-id")
                    .nick("Component Id")
                    .blurb("When non-zero, only payloads with this componentId are sent")
                    .default_value(0)
                    .build(),
                glib::ParamSpecBoolean::builder("sync")
                    .nick("Sync")
                    .blurb("Accepted (nvmsgbroker's base-sink property); messages are never synchronised to the clock")
                    .default_value(false)
                    .build(),
                glib::ParamSpecBoolean::builder("new-api")
                    .nick("use new API")
                    .blurb("Accepted; the portable adapters always send asynchronously from their own thread")
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
            "proto-lib" => s.proto_lib = string(value),
            "conn-str" => s.conn_str = string(value),
            "config" => s.config = string(value),
            "topic" => s.topic = string(value),
            "comp-id" => s.comp_id = value.get().unwrap_or(0),
            "new-api" => s.new_api = value.get().unwrap_or(false),
            "sync" => s.sync = value.get().unwrap_or(false),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "proto-lib" => s.proto_lib.to_value(),
            "conn-str" => s.conn_str.to_value(),
            "config" => s.config.to_value(),
            "topic" => s.topic.to_value(),
            "comp-id" => s.comp_id.to_value(),
            "new-api" => s.new_api.to_value(),
            "sync" => s.sync.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.add_pad(&self.sinkpad).expect("adding the sink pad");
        obj.set_element_flags(gst::ElementFlags::SINK);
    }
}

impl GstObjectImpl for DsMsgBroker {}

impl ElementImpl for DsMsgBroker {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Message Broker (portable nvmsgbroker)",
                "Sink/Metadata",
                "Sends NVDS_PAYLOAD_META payloads to Kafka, MQTT, Redis or AMQP",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            vec![
                gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &gst::Caps::new_any(),
                )
                .expect("static pad template"),
            ]
        });
        T.as_ref()
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused
            && let Err(e) = self.start()
        {
            self.post_error_message(e);
            return Err(gst::StateChangeError);
        }
        let ret = self.parent_change_state(transition)?;
        if transition == gst::StateChange::PausedToReady {
            self.stop();
        }
        Ok(ret)
    }
}

fn settings_error(msg: String) -> gst::ErrorMessage {
    gst::error_msg!(gst::LibraryError::Settings, ("{}", msg))
}

impl DsMsgBroker {
    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        if let gst::EventView::Eos(_) = event.view() {
            self.flush();
            // A sink element posts EOS; the bin collects it from every sink.
            let obj = self.obj();
            let _ = obj.post_message(gst::message::Eos::builder().src(&*obj).build());
            return true;
        }
        gst::Pad::event_default(pad, Some(&*self.obj()), event)
    }

    fn flush(&self) {
        let guard = lock(&self.state);
        if let Some(st) = guard.as_ref() {
            let stats = st.sender.flush(st.flush_limit);
            gst::info!(CAT, imp = self, "flushed at EOS: {stats:?}");
        }
    }
}

impl DsMsgBroker {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings).clone();
        let proto_lib = s.proto_lib.clone().unwrap_or_default();
        let settings = BrokerSettings::new(
            &proto_lib,
            s.conn_str.as_deref().unwrap_or(""),
            s.config.as_deref().map(Path::new),
        )
        .map_err(|e| settings_error(format!("dsmsgbroker: {e}")))?;
        let policy = RetryPolicy::from_config(&settings.config)
            .map_err(|e| settings_error(e.to_string()))?;
        let sender = settings
            .start()
            .map_err(|e| settings_error(format!("dsmsgbroker: {e}")))?;
        let topic = s
            .topic
            .clone()
            .or_else(|| sender.default_topic().map(str::to_string))
            .or_else(|| settings.config.get("topic").map(str::to_string))
            .ok_or_else(|| {
                settings_error(format!(
                    "dsmsgbroker: no topic for {}: set the topic property{}",
                    settings.protocol.name(),
                    if settings.protocol == ds_msg::broker::Protocol::Kafka {
                        " or the conn-str's third field (host;port;topic)"
                    } else {
                        ""
                    }
                ))
            })?;
        let flush_limit = (policy.max_retry + Duration::from_secs(2)).min(Duration::from_secs(60));
        gst::info!(
            CAT,
            imp = self,
            "{} adapter, topic {topic}",
            settings.protocol.name()
        );
        *lock(&self.state) = Some(State {
            sender,
            topic,
            comp_id: s.comp_id,
            flush_limit,
        });
        Ok(())
    }

    fn stop(&self) {
        if let Some(mut st) = lock(&self.state).take() {
            let stats = st.sender.close(Duration::from_secs(2));
            eprintln!(
                "dsmsgbroker: {} messages sent, {} dropped ({} failed attempts, {} reconnections)",
                stats.sent, stats.dropped, stats.failed_attempts, stats.reconnects
            );
        }
    }

    fn render(
        &self,
        _pad: &gst::Pad,
        buf: &gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let guard = lock(&self.state);
        let Some(st) = guard.as_ref() else {
            return Err(gst::FlowError::Flushing);
        };
        let Some(batch) = ds_meta::BatchMeta::from_buffer(buf) else {
            gst::warning!(CAT, imp = self, "NvDsBatchMeta not found for input buffer");
            return Ok(gst::FlowSuccess::Ok);
        };
        let send = |u: &ds_meta::UserMeta| {
            if let Some((bytes, comp)) = u.nvds_payload()
                && (st.comp_id == 0 || st.comp_id == comp)
                && !bytes.is_empty()
            {
                st.sender.send(&st.topic, bytes.to_vec());
            }
        };
        for u in batch.user_metas() {
            send(u);
        }
        for f in batch.frames() {
            for u in f.user_metas() {
                send(u);
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
