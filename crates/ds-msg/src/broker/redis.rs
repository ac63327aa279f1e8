//! Redis streams adapter (`libnvds_redis_proto.so`) over the redis crate: `conn-str`
//! `host;port` (or config `hostname` / `port`); config keys `payloadkey` (the field of the
//! stream entry, default `metadata`), `streamsize` (approximate maximum length of the stream,
//! `XADD ... MAXLEN ~ n`, default 10000), `password`; `consumergroup`, `consumername` and
//! `share-connection` are accepted (consumer-side keys). The topic is the stream's key.

use std::time::Duration;

use super::{BrokerConfig, ConnStr, Protocol};
use crate::error::{Error, Result};

const KEYS: &[&str] = &[
    "hostname",
    "port",
    "payloadkey",
    "streamsize",
    "password",
    "consumergroup",
    "consumername",
    "share-connection",
];

/// The Redis streams adapter.
pub struct RedisAdapter {
    conn: ConnStr,
    payload_key: String,
    stream_size: u64,
    password: Option<String>,
    live: Option<redis::Connection>,
}

fn err(reason: impl std::fmt::Display) -> Error {
    Error::Broker {
        proto: "Redis",
        reason: reason.to_string(),
    }
}

impl RedisAdapter {
    /// Checks `conn-str` and the config; does not connect.
    pub fn new(conn_str: &str, cfg: &BrokerConfig) -> Result<(Self, Vec<String>)> {
        let conn = super::host_port(conn_str, cfg, Protocol::Redis, 6379)?;
        let payload_key = cfg.get("payloadkey").unwrap_or("metadata").to_string();
        let stream_size = cfg.uint("streamsize", 10000)?;
        let password = cfg.get("password").map(str::to_string);
        Ok((
            RedisAdapter {
                conn,
                payload_key,
                stream_size,
                password,
                live: None,
            },
            cfg.unknown_keys(KEYS),
        ))
    }
}

impl super::Adapter for RedisAdapter {
    fn connect(&mut self) -> Result<()> {
        use redis::IntoConnectionInfo as _;
        let mut info = redis::ConnectionAddr::Tcp(self.conn.host.clone(), self.conn.port)
            .into_connection_info()
            .map_err(err)?;
        if let Some(p) = &self.password {
            let settings = info.redis_settings().clone().set_password(p);
            info = info.set_redis_settings(settings);
        }
        let client = redis::Client::open(info).map_err(err)?;
        let c = client
            .get_connection_with_timeout(Duration::from_secs(3))
            .map_err(|e| {
                err(format!(
                    "cannot connect to {}:{}: {e}",
                    self.conn.host, self.conn.port
                ))
            })?;
        c.set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(err)?;
        c.set_write_timeout(Some(Duration::from_secs(5)))
            .map_err(err)?;
        self.live = Some(c);
        Ok(())
    }

    fn send(&mut self, topic: &str, payload: &[u8]) -> Result<()> {
        let Some(c) = self.live.as_mut() else {
            return Err(err("not connected"));
        };
        let mut cmd = redis::cmd("XADD");
        cmd.arg(topic);
        if self.stream_size > 0 {
            cmd.arg("MAXLEN").arg("~").arg(self.stream_size);
        }
        cmd.arg("*").arg(&self.payload_key).arg(payload);
        let _id: String = cmd
            .query(c)
            .map_err(|e| err(format!("XADD {topic}: {e}")))?;
        Ok(())
    }

    fn disconnect(&mut self) {
        self.live = None;
    }
}
