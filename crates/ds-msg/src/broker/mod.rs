//! nvmsgbroker's protocol adapters over well-kept client crates, and the sending queue.
//!
//! - [`Protocol::from_proto_lib`] maps DeepStream's adapter library names
//!   (`libnvds_kafka_proto.so`, `libnvds_mqtt_proto.so`, `libnvds_redis_proto.so`,
//!   `libnvds_amqp_proto.so`, with or without a folder) to ours.
//! - [`ConnStr`] reads `conn-str` as DeepStream does: `host;port` (MQTT, Redis),
//!   `host;port;topic` (Kafka), `host;port;username` (AMQP).
//! - [`BrokerConfig`] reads the adapter config file (`config` of nvmsgbroker), group
//!   `[message-broker]`, with each adapter's keys (see the adapter modules).
//! - [`Sender`] owns an adapter on a thread of its own behind a bounded queue: sending never
//!   blocks the caller; while the broker is down the thread reconnects with backoff and
//!   keeps the messages, delivering them in order once it is back; past the bound (key
//!   `queue-size`, default 1000) new messages are dropped, counted and logged.
//!
//! Reconnection keys, as DeepStream's `[message-broker]` auto-reconnect settings:
//! `auto-reconnect` (default 1), `retry-interval` (seconds between attempts at first,
//! doubling up to 8x; default 2) and `max-retry-limit` (seconds after which a failing
//! connection is given up and the queued messages are dropped, counted; default 360).

pub mod amqp;
pub mod kafka;
pub mod mqtt;
pub mod redis;
mod sender;

pub use sender::{Sender, Stats};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use glib::{KeyFile, KeyFileFlags};

use crate::error::{Error, Result};

/// The group of adapter config files.
pub const BROKER_GROUP: &str = "message-broker";

/// A broker protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Apache Kafka (`libnvds_kafka_proto.so`), through rdkafka.
    Kafka,
    /// MQTT 3.1.1 (`libnvds_mqtt_proto.so`), through rumqttc.
    Mqtt,
    /// Redis streams (`libnvds_redis_proto.so`), through redis.
    Redis,
    /// AMQP 0-9-1 (`libnvds_amqp_proto.so`), through lapin.
    Amqp,
}

impl Protocol {
    /// The protocol of a `proto-lib` value: DeepStream's library file name (any folder), or
    /// the bare names `kafka`, `mqtt`, `redis`, `amqp`.
    pub fn from_proto_lib(proto_lib: &str) -> Result<Self> {
        let base = Path::new(proto_lib.trim())
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        match base {
            "libnvds_kafka_proto.so" | "kafka" => Ok(Self::Kafka),
            "libnvds_mqtt_proto.so" | "mqtt" => Ok(Self::Mqtt),
            "libnvds_redis_proto.so" | "redis" => Ok(Self::Redis),
            "libnvds_amqp_proto.so" | "amqp" => Ok(Self::Amqp),
            "libnvds_azure_proto.so" | "libnvds_azure_edge_proto.so" => Err(Error::ProtoLib {
                name: proto_lib.into(),
                reason: "Azure IoT is not implemented by the portable backend (Kafka, MQTT, Redis and AMQP are)".into(),
            }),
            "" => Err(Error::ProtoLib { name: proto_lib.into(), reason: "empty: set proto-lib (e.g. libnvds_mqtt_proto.so)".into() }),
            _ => Err(Error::ProtoLib {
                name: proto_lib.into(),
                reason: "unknown adapter library: expected one of libnvds_kafka_proto.so, libnvds_mqtt_proto.so, \
                         libnvds_redis_proto.so, libnvds_amqp_proto.so"
                    .into(),
            }),
        }
    }

    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Kafka => "Kafka",
            Self::Mqtt => "MQTT",
            Self::Redis => "Redis",
            Self::Amqp => "AMQP",
        }
    }
}

/// A parsed `conn-str`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnStr {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The third field: Kafka's topic, AMQP's user name.
    pub third: Option<String>,
}

impl ConnStr {
    /// Parses `host;port[;third]` for `proto`: Kafka takes an optional topic, AMQP an
    /// optional user name, MQTT and Redis nothing more.
    pub fn parse(s: &str, proto: Protocol) -> Result<Self> {
        let bad = |reason: String| Error::ConnStr {
            conn_str: s.into(),
            proto: proto.name(),
            reason,
        };
        let shape = match proto {
            Protocol::Kafka => "host;port;topic",
            Protocol::Amqp => "host;port;username",
            Protocol::Mqtt | Protocol::Redis => "host;port",
        };
        let parts: Vec<&str> = s.split(';').map(str::trim).collect();
        let max = if matches!(proto, Protocol::Kafka | Protocol::Amqp) {
            3
        } else {
            2
        };
        if parts.len() < 2 || parts.len() > max {
            return Err(bad(format!("expected {shape}")));
        }
        if parts[0].is_empty() {
            return Err(bad(format!("empty host (expected {shape})")));
        }
        let port: u16 = parts[1].parse().ok().filter(|&p| p > 0).ok_or_else(|| {
            bad(format!(
                "port \"{}\" is not a number from 1 to 65535 (expected {shape})",
                parts[1]
            ))
        })?;
        let third = parts
            .get(2)
            .filter(|t| !t.is_empty())
            .map(|t| t.to_string());
        Ok(ConnStr {
            host: parts[0].into(),
            port,
            third,
        })
    }
}

/// The adapter config file: the keys of `[message-broker]`.
#[derive(Debug, Clone, Default)]
pub struct BrokerConfig {
    /// The file (empty when no file was given).
    pub file: PathBuf,
    /// `key → value`, as GKeyFile reads them.
    pub keys: BTreeMap<String, String>,
}

impl BrokerConfig {
    /// Reads `path`, which must have a `[message-broker]` group (DeepStream's adapters
    /// require it too).
    pub fn from_file(path: &Path) -> Result<Self> {
        let file = path.to_path_buf();
        let bytes = std::fs::read(path).map_err(|e| Error::ConfigFile {
            file: file.clone(),
            reason: format!("cannot read the broker config: {e}"),
        })?;
        let kf = KeyFile::new();
        kf.load_from_bytes(&glib::Bytes::from(&bytes[..]), KeyFileFlags::NONE)
            .map_err(|e| Error::ConfigFile {
                file: file.clone(),
                reason: format!("not a key file: {}", e.message()),
            })?;
        if !kf.has_group(BROKER_GROUP) {
            return Err(Error::ConfigFile {
                file,
                reason: format!("no [{BROKER_GROUP}] group (the adapters read their keys from it)"),
            });
        }
        let mut keys = BTreeMap::new();
        if let Ok(ks) = kf.keys(BROKER_GROUP) {
            for k in ks.iter() {
                let k = k.to_string();
                if let Ok(v) = kf.string(BROKER_GROUP, &k) {
                    keys.insert(k, v.trim().to_string());
                }
            }
        }
        Ok(BrokerConfig { file, keys })
    }

    /// A string value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn bad(&self, key: &str, reason: String) -> Error {
        Error::ConfigValue {
            file: self.file.clone(),
            group: BROKER_GROUP.into(),
            key: key.into(),
            reason,
        }
    }

    /// An unsigned number, `default` when absent.
    pub fn uint(&self, key: &str, default: u64) -> Result<u64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| self.bad(key, format!("\"{v}\" is not a non-negative integer"))),
        }
    }

    /// A boolean (`0`/`1`/`true`/`false`), `default` when absent.
    pub fn boolean(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("1" | "true") => Ok(true),
            Some("0" | "false") => Ok(false),
            Some(v) => Err(self.bad(key, format!("\"{v}\": expected 0 or 1"))),
        }
    }

    /// Warnings for keys no adapter of `proto` reads.
    pub fn unknown_keys(&self, known: &[&str]) -> Vec<String> {
        const COMMON: &[&str] = &[
            "auto-reconnect",
            "retry-interval",
            "max-retry-limit",
            "queue-size",
            "share-connection",
        ];
        self.keys
            .keys()
            .filter(|k| !known.contains(&k.as_str()) && !COMMON.contains(&k.as_str()))
            .map(|k| {
                format!(
                    "{}: [{BROKER_GROUP}] {k}: unknown key, ignored",
                    self.file.display()
                )
            })
            .collect()
    }
}

/// How the sending thread retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// `auto-reconnect`: reconnect after a failure at all.
    pub auto_reconnect: bool,
    /// `retry-interval`: first wait between attempts (doubles up to 8x).
    pub retry_interval: Duration,
    /// `max-retry-limit`: how long a failing connection is retried before the queued
    /// messages are dropped.
    pub max_retry: Duration,
    /// `queue-size`: messages kept while the broker is unreachable.
    pub queue_size: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            auto_reconnect: true,
            retry_interval: Duration::from_secs(2),
            max_retry: Duration::from_secs(360),
            queue_size: 1000,
        }
    }
}

impl RetryPolicy {
    /// From the `[message-broker]` keys.
    pub fn from_config(cfg: &BrokerConfig) -> Result<Self> {
        let d = Self::default();
        let queue_size = cfg.uint("queue-size", d.queue_size as u64)?;
        if queue_size == 0 {
            return Err(cfg.bad("queue-size", "must be at least 1".into()));
        }
        Ok(RetryPolicy {
            auto_reconnect: cfg.boolean("auto-reconnect", d.auto_reconnect)?,
            retry_interval: Duration::from_secs(cfg.uint("retry-interval", 2)?.max(1)),
            max_retry: Duration::from_secs(cfg.uint("max-retry-limit", 360)?),
            queue_size: queue_size as usize,
        })
    }
}

/// One protocol adapter: a connection to a broker with synchronous, confirmed sends. Runs
/// on the [`Sender`]'s thread only.
pub trait Adapter: Send {
    /// Connects (again); called before the first send and after a failure.
    fn connect(&mut self) -> Result<()>;
    /// Sends `payload` to `topic` and returns once the broker confirmed it (or failed).
    fn send(&mut self, topic: &str, payload: &[u8]) -> Result<()>;
    /// Closes the connection.
    fn disconnect(&mut self);
    /// The topic used when the message names none (from `conn-str` or the config), if any.
    fn default_topic(&self) -> Option<String> {
        None
    }
}

/// Everything needed to open one adapter.
#[derive(Debug, Clone)]
pub struct BrokerSettings {
    /// The protocol (from `proto-lib`).
    pub protocol: Protocol,
    /// `conn-str` (may be empty where the config gives host and port).
    pub conn_str: String,
    /// The adapter config (`config` of nvmsgbroker), possibly empty.
    pub config: BrokerConfig,
}

impl BrokerSettings {
    /// Reads `proto-lib`, `conn-str` and the optional config file, and checks them.
    pub fn new(proto_lib: &str, conn_str: &str, config: Option<&Path>) -> Result<Self> {
        let protocol = Protocol::from_proto_lib(proto_lib)?;
        let config = match config {
            Some(p) => BrokerConfig::from_file(p)?,
            None => BrokerConfig::default(),
        };
        let s = BrokerSettings {
            protocol,
            conn_str: conn_str.trim().to_string(),
            config,
        };
        // Building the adapter checks conn-str and the config keys without connecting.
        s.adapter()?;
        RetryPolicy::from_config(&s.config)?;
        Ok(s)
    }

    /// Builds (does not connect) the adapter, with warnings for unknown config keys.
    pub fn adapter(&self) -> Result<(Box<dyn Adapter>, Vec<String>)> {
        match self.protocol {
            Protocol::Mqtt => mqtt::MqttAdapter::new(&self.conn_str, &self.config)
                .map(|(a, w)| (Box::new(a) as Box<dyn Adapter>, w)),
            Protocol::Redis => redis::RedisAdapter::new(&self.conn_str, &self.config)
                .map(|(a, w)| (Box::new(a) as Box<dyn Adapter>, w)),
            Protocol::Amqp => amqp::AmqpAdapter::new(&self.conn_str, &self.config)
                .map(|(a, w)| (Box::new(a) as Box<dyn Adapter>, w)),
            Protocol::Kafka => kafka::KafkaAdapter::new(&self.conn_str, &self.config)
                .map(|(a, w)| (Box::new(a) as Box<dyn Adapter>, w)),
        }
    }

    /// Starts a [`Sender`] for these settings.
    pub fn start(&self) -> Result<Sender> {
        let (adapter, warnings) = self.adapter()?;
        for w in warnings {
            eprintln!("dsmsgbroker: {w}");
        }
        Ok(Sender::start(
            adapter,
            self.protocol,
            RetryPolicy::from_config(&self.config)?,
        ))
    }
}

/// `host;port` for adapters that also take `hostname` / `port` from the config: conn-str
/// first, then the config, then the protocol's default.
pub(crate) fn host_port(
    conn_str: &str,
    cfg: &BrokerConfig,
    proto: Protocol,
    default_port: u16,
) -> Result<ConnStr> {
    if !conn_str.is_empty() {
        return ConnStr::parse(conn_str, proto);
    }
    let host = cfg.get("hostname").unwrap_or("localhost").to_string();
    let port = cfg.uint("port", default_port as u64)?;
    let port = u16::try_from(port)
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| cfg.bad("port", format!("{port} is not a port (1-65535)")))?;
    Ok(ConnStr {
        host,
        port,
        third: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_lib_names() {
        assert_eq!(
            Protocol::from_proto_lib(
                "/opt/nvidia/deepstream/deepstream/lib/libnvds_kafka_proto.so"
            )
            .unwrap(),
            Protocol::Kafka
        );
        assert_eq!(
            Protocol::from_proto_lib("libnvds_redis_proto.so").unwrap(),
            Protocol::Redis
        );
        let e = Protocol::from_proto_lib("libnvds_foo_proto.so")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("libnvds_foo_proto.so") && e.contains("unknown adapter library"),
            "{e}"
        );
        assert!(
            Protocol::from_proto_lib("libnvds_azure_proto.so")
                .unwrap_err()
                .to_string()
                .contains("Azure")
        );
    }

    #[test]
    fn conn_str_shapes() {
        let c = ConnStr::parse("localhost;9092;test", Protocol::Kafka).unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.third.as_deref()),
            ("localhost", 9092, Some("test"))
        );
        assert!(
            ConnStr::parse("localhost", Protocol::Mqtt)
                .unwrap_err()
                .to_string()
                .contains("expected host;port")
        );
        assert!(
            ConnStr::parse("localhost;x", Protocol::Redis)
                .unwrap_err()
                .to_string()
                .contains("port \"x\"")
        );
        assert!(ConnStr::parse("a;1;b", Protocol::Mqtt).is_err());
        assert!(
            ConnStr::parse(";1", Protocol::Mqtt)
                .unwrap_err()
                .to_string()
                .contains("empty host")
        );
    }
}
