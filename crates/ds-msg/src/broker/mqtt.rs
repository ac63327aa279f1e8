//! MQTT adapter (`libnvds_mqtt_proto.so`) over rumqttc: `conn-str` `host;port`; config keys
//! `username`, `password`, `client-id`, `keep-alive` (seconds, default 60), `loop-timeout`
//! (milliseconds to wait for the broker's answers, default 2000, at least 1000 here),
//! `share-connection` and `set-threaded` (accepted; each sender owns its connection and
//! thread). Messages are published with QoS 1 and a send returns once the broker's PUBACK came.
//!
//! TLS as DeepStream's adapter reads it: `enable-tls=1` turns it on; the broker's
//! certificate is checked against `tls-cafile` (PEM file of CA certificates) and/or
//! `tls-capath` (a folder of PEM CA certificate files, such as an OpenSSL hashed folder); one
//! of them is required. `tls-certfile` and `tls-keyfile` (PEM client certificate chain and its
//! private key, PKCS#8, PKCS#1 or SEC1) give a client certificate for mutual TLS; they go
//! together. The files are read and checked when the adapter is made (an error names the file
//! and the key); a broker certificate the CAs do not vouch for fails the connection with an
//! error naming the CA file or folder. TLS is rustls (TLS 1.2 and 1.3, ring), and the
//! broker's certificate must name the `conn-str` host (DNS name or IP address).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rumqttc::{Client, Connection, Event, MqttOptions, Packet, QoS, TlsConfiguration, Transport};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

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
    tls: Option<Tls>,
    live: Option<(Client, Connection)>,
}

/// The TLS settings of an MQTT adapter.
struct Tls {
    config: Arc<rustls::ClientConfig>,
    /// Where the trusted CAs came from, for errors: `tls-cafile <file>`, `tls-capath <dir>`.
    cas: String,
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
        let tls = if cfg.boolean("enable-tls", false)? {
            Some(Tls::from_config(cfg)?)
        } else {
            None
        };
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
                tls,
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
        if let Some(tls) = &self.tls {
            o.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
                tls.config.clone(),
            )));
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
            let reason = match &e {
                Error::Broker { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            let hint = match &self.tls {
                Some(tls) if reason.contains("certificate") => format!(
                    " (TLS: the broker's certificate was checked against {})",
                    tls.cas
                ),
                Some(_) => " (over TLS)".to_string(),
                None => String::new(),
            };
            return Err(err(format!(
                "cannot connect to {host}:{port}: {reason}{hint}"
            )));
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

impl Tls {
    /// Reads `tls-cafile`, `tls-capath`, `tls-certfile` and `tls-keyfile`.
    fn from_config(cfg: &BrokerConfig) -> Result<Self> {
        let bad = |key: &str, reason: String| Error::ConfigValue {
            file: cfg.file.clone(),
            group: super::BROKER_GROUP.into(),
            key: key.into(),
            reason,
        };
        let cafile = cfg.get("tls-cafile").map(PathBuf::from);
        let capath = cfg.get("tls-capath").map(PathBuf::from);
        if cafile.is_none() && capath.is_none() {
            return Err(bad(
                "tls-cafile",
                "enable-tls=1 needs the broker's CA: set tls-cafile (a PEM file) or tls-capath (a folder of PEM files)"
                    .into(),
            ));
        }
        let mut roots = rustls::RootCertStore::empty();
        let mut cas = Vec::new();
        if let Some(f) = &cafile {
            let certs = read_certs(f).map_err(|r| bad("tls-cafile", r))?;
            for c in certs {
                roots.add(c).map_err(|e| {
                    bad(
                        "tls-cafile",
                        format!("{}: not a usable CA certificate: {e}", f.display()),
                    )
                })?;
            }
            cas.push(format!("tls-cafile {}", f.display()));
        }
        if let Some(d) = &capath {
            let entries = std::fs::read_dir(d).map_err(|e| {
                bad(
                    "tls-capath",
                    format!("cannot read the CA folder {}: {e}", d.display()),
                )
            })?;
            let mut n = 0;
            for entry in entries.flatten() {
                let path = entry.path();
                if !path.is_file() {
                    continue;
                }
                // Files without certificates (CRLs, notes) are skipped, as OpenSSL does.
                for c in read_certs(&path).unwrap_or_default() {
                    if roots.add(c).is_ok() {
                        n += 1;
                    }
                }
            }
            if n == 0 {
                return Err(bad(
                    "tls-capath",
                    format!(
                        "no PEM CA certificate (-----BEGIN CERTIFICATE-----) in the folder {}",
                        d.display()
                    ),
                ));
            }
            cas.push(format!("tls-capath {}", d.display()));
        }
        // ring rather than aws-lc-rs: no C build of its own; the post-quantum key exchange
        // rustls 0.23.48 warns about is aws-lc-rs only.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("enable-tls", format!("TLS setup: {e}")))?
        .with_root_certificates(roots);
        let config = match (cfg.get("tls-certfile"), cfg.get("tls-keyfile")) {
            (None, None) => builder.with_no_client_auth(),
            (Some(_), None) => {
                return Err(bad(
                    "tls-keyfile",
                    "tls-certfile is set but tls-keyfile is not: a client certificate needs its private key".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "tls-certfile",
                    "tls-keyfile is set but tls-certfile is not: a client key needs its certificate".into(),
                ));
            }
            (Some(cert), Some(key)) => {
                let chain = read_certs(Path::new(cert)).map_err(|r| bad("tls-certfile", r))?;
                let pk = std::fs::read(key)
                    .map_err(|e| format!("cannot read {key}: {e}"))
                    .and_then(|b| {
                        PrivateKeyDer::from_pem_slice(&b).map_err(|e| {
                            format!(
                                "{key}: no PEM private key (PKCS#8, PKCS#1 or SEC1) found: {e}"
                            )
                        })
                    })
                    .map_err(|r| bad("tls-keyfile", r))?;
                builder.with_client_auth_cert(chain, pk).map_err(|e| {
                    bad(
                        "tls-keyfile",
                        format!("{key} does not go with the certificate of {cert}: {e}"),
                    )
                })?
            }
        };
        Ok(Tls {
            config: Arc::new(config),
            cas: cas.join(" and "),
        })
    }
}

/// The PEM certificates of `path` (at least one), or why not.
fn read_certs(path: &Path) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: not a PEM certificate file: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
            path.display()
        ));
    }
    Ok(certs)
}
