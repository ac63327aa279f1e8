//! Kafka adapter (`libnvds_kafka_proto.so`) over rdkafka (librdkafka): `conn-str`
//! `host;port;topic` (the topic may come from the `topic` property instead); config keys
//! `partition-key` (a dotted path into the JSON message, such as `sensor.id` for the full
//! schema or `sensorId` for the minimal one: its value becomes the message key, so the
//! messages of one sensor go to one partition, in order), `proto-cfg` (librdkafka settings,
//! `"name=value;name=value"`), `share-connection` and `consumer-group-id` (accepted).
//! A send returns once the broker acknowledged the message (`acks=all` by default).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};

use super::{BrokerConfig, ConnStr, Protocol};
use crate::error::{Error, Result};

const KEYS: &[&str] = &[
    "partition-key",
    "proto-cfg",
    "share-connection",
    "consumer-group-id",
];

type Slot = Arc<Mutex<Option<std::result::Result<(), String>>>>;

struct Ctx {
    last: Slot,
}

impl ClientContext for Ctx {}

impl ProducerContext for Ctx {
    type DeliveryOpaque = ();
    fn delivery(&self, r: &DeliveryResult<'_>, _: ()) {
        let v = r.as_ref().map(|_| ()).map_err(|(e, _)| e.to_string());
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
    }
}

/// The Kafka adapter.
pub struct KafkaAdapter {
    conn: ConnStr,
    partition_key: Option<Vec<String>>,
    settings: Vec<(String, String)>,
    timeout: Duration,
    last: Slot,
    producer: Option<BaseProducer<Ctx>>,
}

fn err(reason: impl std::fmt::Display) -> Error {
    Error::Broker {
        proto: "Kafka",
        reason: reason.to_string(),
    }
}

/// The value at dotted `path` of a JSON message, as a key string.
pub fn partition_key_value(payload: &[u8], path: &[String]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let mut cur = &v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl KafkaAdapter {
    /// Checks `conn-str` and the config; does not connect.
    pub fn new(conn_str: &str, cfg: &BrokerConfig) -> Result<(Self, Vec<String>)> {
        let conn = ConnStr::parse(conn_str, Protocol::Kafka)?;
        let partition_key = cfg
            .get("partition-key")
            .map(|k| k.split('.').map(str::to_string).collect());
        let mut settings = vec![
            (
                "bootstrap.servers".to_string(),
                format!("{}:{}", conn.host, conn.port),
            ),
            ("message.timeout.ms".to_string(), "5000".to_string()),
            ("acks".to_string(), "all".to_string()),
            ("linger.ms".to_string(), "0".to_string()),
        ];
        if let Some(pc) = cfg.get("proto-cfg") {
            for kv in pc
                .trim_matches('"')
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let (k, v) = kv.split_once('=').ok_or_else(|| Error::ConfigValue {
                    file: cfg.file.clone(),
                    group: super::BROKER_GROUP.into(),
                    key: "proto-cfg".into(),
                    reason: format!("\"{kv}\": expected name=value (librdkafka setting)"),
                })?;
                settings.retain(|(n, _)| n != k.trim());
                settings.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let timeout_ms: u64 = settings
            .iter()
            .find(|(k, _)| k == "message.timeout.ms")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(5000);
        let adapter = KafkaAdapter {
            conn,
            partition_key,
            settings,
            timeout: Duration::from_millis(timeout_ms) + Duration::from_secs(1),
            last: Slot::default(),
            producer: None,
        };
        // librdkafka checks the settings when the client is made: do it now.
        adapter
            .client_config()
            .create_with_context::<_, BaseProducer<Ctx>>(Ctx {
                last: Slot::default(),
            })
            .map_err(|e| Error::ConfigValue {
                file: cfg.file.clone(),
                group: super::BROKER_GROUP.into(),
                key: "proto-cfg".into(),
                reason: e.to_string(),
            })?;
        Ok((adapter, cfg.unknown_keys(KEYS)))
    }

    fn client_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        for (k, v) in &self.settings {
            c.set(k, v);
        }
        c
    }
}

impl super::Adapter for KafkaAdapter {
    fn connect(&mut self) -> Result<()> {
        let p: BaseProducer<Ctx> = self
            .client_config()
            .create_with_context(Ctx {
                last: self.last.clone(),
            })
            .map_err(err)?;
        p.client()
            .fetch_metadata(None, Duration::from_secs(3))
            .map_err(|e| {
                err(format!(
                    "cannot reach {}:{}: {e}",
                    self.conn.host, self.conn.port
                ))
            })?;
        self.producer = Some(p);
        Ok(())
    }

    fn send(&mut self, topic: &str, payload: &[u8]) -> Result<()> {
        let Some(p) = self.producer.as_ref() else {
            return Err(err("not connected"));
        };
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let key = self
            .partition_key
            .as_ref()
            .and_then(|path| partition_key_value(payload, path));
        let mut rec: BaseRecord<'_, String, [u8]> = BaseRecord::to(topic).payload(payload);
        if let Some(k) = &key {
            rec = rec.key(k);
        }
        p.send(rec)
            .map_err(|(e, _)| err(format!("producing to {topic}: {e}")))?;
        let deadline = Instant::now() + self.timeout;
        loop {
            p.poll(Duration::from_millis(50));
            if let Some(r) = self.last.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return r.map_err(|e| err(format!("delivery to {topic}: {e}")));
            }
            if Instant::now() >= deadline {
                return Err(err(format!(
                    "no delivery report for {topic} within {} ms",
                    self.timeout.as_millis()
                )));
            }
        }
    }

    fn disconnect(&mut self) {
        if let Some(p) = self.producer.take() {
            let _ = p.flush(Duration::from_millis(500));
        }
    }

    fn default_topic(&self) -> Option<String> {
        self.conn.third.clone()
    }
}
