//! # ds-msg: DeepStream messaging without GStreamer
//!
//! What nvmsgconv and nvmsgbroker do, as a library:
//! - [`config`]: the msgconv config (`[sensorN]`, `[placeN]`, `[analyticsN]`; key file or YAML);
//! - [`event`]: event data (`NvDsEventMsgMeta` with its vehicle / person / face extension) as
//!   plain values;
//! - [`schema`]: DeepStream's JSON schemas, full (`payload-type=0`) and minimal (`1`);
//! - [`broker`]: protocol adapters (MQTT, Redis streams, Kafka, AMQP) with DeepStream's
//!   `proto-lib`, `conn-str` and `[message-broker]` keys, behind a bounded, retrying,
//!   ordered sending queue on its own thread.
//!
//! ```
//! use ds_msg::{broker::BrokerSettings, config::MsgConvConfig, event::*, schema};
//! let cfg = MsgConvConfig::from_bytes(std::path::Path::new("msgconv.txt"),
//!     b"[sensor0]\nenable=1\nid=CAM_0\ntype=Camera\n", false)?;
//! let ev = Event { obj_type: ObjectType::Person, ts: "2026-01-01T00:00:00.000Z".into(), ..Default::default() };
//! let json = schema::full_message(&cfg, &ev);
//! assert!(json.contains("\"CAM_0\""));
//! // A sender (connects on the first message):
//! let s = BrokerSettings::new("libnvds_mqtt_proto.so", "127.0.0.1;1883", None)?;
//! # let _ = s;
//! # Ok::<(), ds_msg::Error>(())
//! ```

#![warn(missing_docs)]

pub mod broker;
pub mod config;
pub mod error;
pub mod event;
pub mod schema;

pub use error::{Error, Result};
