//! MQTT adapter (`libnvds_mqtt_proto.so`) over rumqttc: `conn-str` `host;port`; config keys
//! `username`, `password`, `client-id`, `keep-alive` (seconds, default 60), `loop-timeout`
//! (milliseconds to wait for the broker's answers, default 2000, at least 1000 here),
//! `share-connection` and `set-threaded` (accepted; each sender owns its connection and
//! thread). Messages are published with QoS 1 and a send returns once the broker's PUBACK came.
//!
//! `enable-tls=1` (`tls-cafile`, `tls-capath`, `tls-certfile`, `tls-keyfile`) is rejected
//! with an error: TLS is not built into this adapter.

use std::time::{Duration, Instant};

use rumqttc::{Client, Connection, Event, MqttOptions, Packet, QoS};

use super::{BrokerConfig, ConnStr, Protocol};
use crate::error::{Error, Result};

const KEYS: &[&str] = &[
    "username",
    "password",
    "client-id",
    "keep-alive",
    "loop-timeout",
    "enable-tls",
    "tls-cafile",
    "tls-capath",
    "tls-certfile",
    "tls-keyfile",
    "share-connection",
    "set-threaded",
];

/// The MQTT adapter.
pub struct MqttAdapter {
    conn: ConnStr,
    client_id: String,
    credentials: Option<(String, String)>,
    keep_alive: Duration,
    wait: Duration,
    live: Option<(Client, Connection)>,
}

fn err(reason: impl std::fmt::Display) -> Error {
    Error::Broker {
        proto: "MQTT",
        reason: reason.to_string(),
    }
}

impl MqttAdapter {
    /// Checks `conn-str` and the config; does not connect.
    pub fn new(conn_str: &str, cfg: &BrokerConfig) -> Result<(Self, Vec<String>)> {
        let conn = ConnStr::parse(conn_str, Protocol::Mqtt)?;
        if cfg.boolean("enable-tls", false)? {
            return Err(Error::NotSupported(format!(
                "{}: [message-broker] enable-tls=1: TLS is not built into the portable MQTT adapter",
                cfg.file.display()
            )));
        }
        let client_id = cfg.get("client-id").map(str::to_string).unwrap_or_else(|| {
            format!(
                "ds-msg-{}-{}",
                std::process::id(),
                crate::schema::uuid_v4().get(..8).unwrap_or("0")
            )
        });
        let credentials = match (cfg.get("username"), cfg.get("password")) {
            (Some(u), p) => Some((u.to_string(), p.unwrap_or("").to_string())),
            _ => None,
        };
        let keep_alive = Duration::from_secs(cfg.uint("keep-alive", 60)?.max(5));
        let wait = Duration::from_millis(cfg.uint("loop-timeout", 2000)?.max(1000));
        let warnings = cfg.unknown_keys(KEYS);
        Ok((
            MqttAdapter {
                conn,
                client_id,
                credentials,
                keep_alive,
                wait,
                live: None,
            },
            warnings,
        ))
    }

    /// Polls the event loop until `done` accepts an incoming packet, at most `self.wait`.
    fn wait_for(
        &mut self,
        what: &str,
        mut done: impl FnMut(&Packet) -> Result<bool>,
    ) -> Result<()> {
        let wait = self.wait;
        let Some((_, conn)) = self.live.as_mut() else {
            return Err(err("not connected"));
        };
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(err(format!(
                    "no {what} from the broker within {} ms",
                    wait.as_millis()
                )));
            }
            match conn.recv_timeout(left) {
                Ok(Ok(Event::Incoming(p))) => {
                    if done(&p)? {
                        return Ok(());
                    }
                }
                Ok(Ok(Event::Outgoing(_))) => {}
                Ok(Err(e)) => return Err(err(e)),
                Err(_) => {
                    return Err(err(format!(
                        "no {what} from the broker within {} ms",
                        wait.as_millis()
                    )));
                }
            }
        }
    }
}

impl super::Adapter for MqttAdapter {
    fn connect(&mut self) -> Result<()> {
        let mut o = MqttOptions::new(
            self.client_id.clone(),
            self.conn.host.clone(),
            self.conn.port,
        );
        o.set_keep_alive(self.keep_alive);
        o.set_clean_session(true);
        o.set_max_packet_size(16 << 20, 16 << 20);
        if let Some((u, p)) = &self.credentials {
            o.set_credentials(u.clone(), p.clone());
        }
        self.live = Some(Client::new(o, 16));
        let (host, port) = (self.conn.host.clone(), self.conn.port);
        let r = self.wait_for("CONNACK", |p| match p {
            Packet::ConnAck(a) if a.code == rumqttc::ConnectReturnCode::Success => Ok(true),
            Packet::ConnAck(a) => Err(err(format!(
                "{host}:{port} refused the connection: {:?}",
                a.code
            ))),
            _ => Ok(false),
        });
        if let Err(e) = r {
            self.live = None;
            return Err(err(format!("cannot connect to {host}:{port}: {e}")));
        }
        Ok(())
    }

    fn send(&mut self, topic: &str, payload: &[u8]) -> Result<()> {
        let Some((client, _)) = self.live.as_mut() else {
            return Err(err("not connected"));
        };
        client
            .publish(topic, QoS::AtLeastOnce, false, payload.to_vec())
            .map_err(err)?;
        self.wait_for("PUBACK", |p| Ok(matches!(p, Packet::PubAck(_))))
    }

    fn disconnect(&mut self) {
        if let Some((client, mut conn)) = self.live.take() {
            let _ = client.disconnect();
            // Let the event loop write the DISCONNECT (bounded).
            let _ = conn.recv_timeout(Duration::from_millis(200));
        }
    }
}
