//! AMQP 0-9-1 adapter (`libnvds_amqp_proto.so`) over lapin: `conn-str` `host;port;username`
//! (or config `hostname`, `port`, `username`); config keys `password` (default `guest`),
//! `exchange` (default `amq.topic`), `topic` (the routing key when the `topic` property is
//! not set), `amqp-framesize` (frame_max, default 131072), `amqp-heartbeat` (seconds, default
//! 0: none), `share-connection` (accepted). Messages are published as DeepStream's adapter
//! publishes them (content type `application/json`, delivery mode 2: persistent, so a durable
//! queue keeps them across a broker restart) with publisher confirms: a send returns once the
//! broker acknowledged it.

use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

use super::{BrokerConfig, ConnStr, Protocol};
use crate::error::{Error, Result};

const KEYS: &[&str] = &[
    "hostname",
    "port",
    "username",
    "password",
    "exchange",
    "topic",
    "amqp-framesize",
    "amqp-heartbeat",
    "share-connection",
];
const WAIT: Duration = Duration::from_secs(5);

/// The AMQP adapter.
pub struct AmqpAdapter {
    conn: ConnStr,
    user: String,
    password: String,
    exchange: String,
    frame_max: u64,
    heartbeat: u64,
    rt: Option<tokio::runtime::Runtime>,
    live: Option<(Connection, Channel)>,
}

fn err(reason: impl std::fmt::Display) -> Error {
    Error::Broker {
        proto: "AMQP",
        reason: reason.to_string(),
    }
}

/// Percent-encodes a URI user-info part.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl AmqpAdapter {
    /// Checks `conn-str` and the config; does not connect.
    pub fn new(conn_str: &str, cfg: &BrokerConfig) -> Result<(Self, Vec<String>)> {
        let conn = if conn_str.is_empty() {
            super::host_port("", cfg, Protocol::Amqp, 5672)?
        } else {
            ConnStr::parse(conn_str, Protocol::Amqp)?
        };
        let user = conn
            .third
            .clone()
            .or_else(|| cfg.get("username").map(str::to_string))
            .unwrap_or_else(|| "guest".into());
        let adapter = AmqpAdapter {
            user,
            password: cfg.get("password").unwrap_or("guest").to_string(),
            exchange: cfg.get("exchange").unwrap_or("amq.topic").to_string(),
            frame_max: cfg.uint("amqp-framesize", 131072)?,
            heartbeat: cfg.uint("amqp-heartbeat", 0)?,
            conn,
            rt: None,
            live: None,
        };
        Ok((adapter, cfg.unknown_keys(KEYS)))
    }

    fn runtime(&mut self) -> Result<&tokio::runtime::Runtime> {
        if self.rt.is_none() {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("ds-msg-amqp-io")
                .enable_all()
                .build()
                .map_err(|e| err(format!("starting the I/O runtime: {e}")))?;
            self.rt = Some(rt);
        }
        self.rt.as_ref().ok_or_else(|| err("no runtime"))
    }
}

impl super::Adapter for AmqpAdapter {
    fn connect(&mut self) -> Result<()> {
        let uri = format!(
            "amqp://{}:{}@{}:{}/%2f?frame_max={}&heartbeat={}",
            enc(&self.user),
            enc(&self.password),
            self.conn.host,
            self.conn.port,
            self.frame_max,
            self.heartbeat
        );
        let (host, port) = (self.conn.host.clone(), self.conn.port);
        let rt = self.runtime()?;
        let live = rt.block_on(async {
            let c = tokio::time::timeout(
                WAIT,
                Connection::connect(&uri, ConnectionProperties::default()),
            )
            .await
            .map_err(|_| {
                err(format!(
                    "cannot connect to {host}:{port}: no answer within 5 s"
                ))
            })?
            .map_err(|e| err(format!("cannot connect to {host}:{port}: {e}")))?;
            let ch = c.create_channel().await.map_err(err)?;
            ch.confirm_select(ConfirmSelectOptions::default())
                .await
                .map_err(err)?;
            Ok::<_, Error>((c, ch))
        })?;
        self.live = Some(live);
        Ok(())
    }

    fn send(&mut self, topic: &str, payload: &[u8]) -> Result<()> {
        let Some((_, ch)) = self.live.as_ref() else {
            return Err(err("not connected"));
        };
        let ch = ch.clone();
        let exchange = self.exchange.clone();
        let rt = self.rt.as_ref().ok_or_else(|| err("not connected"))?;
        rt.block_on(async {
            let publish = async {
                let confirm = ch
                    .basic_publish(
                        exchange.as_str().into(),
                        topic.into(),
                        BasicPublishOptions::default(),
                        payload,
                        BasicProperties::default()
                            .with_content_type("application/json".into())
                            .with_delivery_mode(2),
                    )
                    .await
                    .map_err(err)?
                    .await
                    .map_err(err)?;
                if confirm.is_ack() {
                    Ok(())
                } else {
                    Err(err(format!(
                        "the broker refused the message for {exchange}/{topic}"
                    )))
                }
            };
            tokio::time::timeout(WAIT, publish)
                .await
                .map_err(|_| err("no publisher confirm within 5 s"))?
        })
    }

    fn disconnect(&mut self) {
        if let (Some((c, _)), Some(rt)) = (self.live.take(), self.rt.as_ref()) {
            let _ = rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(1), c.close(200, "bye".into())).await
            });
        }
    }
}
