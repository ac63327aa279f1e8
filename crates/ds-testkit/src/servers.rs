//! Real broker servers for tests, started on 127.0.0.1 on a free port and stopped by PID
//! (on drop too): `mosquitto`, `redis-server`, `rabbitmq-server`, and librdkafka's mock
//! cluster (`ds-kafka-mock`). Each waits (bounded) until its port accepts
//! connections; a missing binary fails the test with the package to install.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// Waits until `127.0.0.1:port` accepts a TCP connection, at most `limit`.
pub fn wait_port(port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Waits until an AMQP 0-9-1 broker on 127.0.0.1:`port` answers the protocol header with a
/// method frame (`Connection.Start`), at most `limit`. rabbitmq-server listens some time
/// before it speaks AMQP and aborts connections until then; a listening port is not enough.
pub fn wait_amqp(port: u16, limit: Duration) -> bool {
    use std::io::{Read, Write};
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(mut s) = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut frame_type = [0u8; 1];
            if s.write_all(b"AMQP\x00\x00\x09\x01").is_ok() && s.read_exact(&mut frame_type).is_ok() && frame_type[0] == 1 {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn which(bin: &str, package: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"] {
        let p = PathBuf::from(dir).join(bin);
        if p.is_file() {
            return p;
        }
    }
    panic!("{bin} not found: install the Debian package {package} (scripts/setup.sh does)");
}

/// A server process on 127.0.0.1 that can be stopped and started again on the same port.
pub struct Server {
    /// What it is (for messages).
    pub name: &'static str,
    /// Its port.
    pub port: u16,
    /// Its working folder (config, data).
    pub dir: PathBuf,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    start_limit: Duration,
    child: Option<Child>,
}

impl Server {
    fn launch(
        name: &'static str,
        program: PathBuf,
        args: Vec<String>,
        port: u16,
        dir: PathBuf,
    ) -> Server {
        let mut s = Server {
            name,
            port,
            dir,
            program,
            args,
            env: Vec::new(),
            start_limit: Duration::from_secs(20),
            child: None,
        };
        s.start();
        s
    }

    /// Starts it (again) and waits for its port (at most 20 s; 60 s for rabbitmq-server).
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} already running", self.name);
        // Its output goes to `server.log` in its folder (appended to across restarts).
        let log = || {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.join("server.log"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null())
        };
        let child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log())
            .stderr(log())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.name));
        self.child = Some(child);
        let ready = if self.name == "rabbitmq-server" {
            wait_amqp(self.port, self.start_limit)
        } else {
            wait_port(self.port, self.start_limit)
        };
        assert!(
            ready,
            "{} did not listen on 127.0.0.1:{} within {} s",
            self.name,
            self.port,
            self.start_limit.as_secs()
        );
    }

    /// Stops it (SIGTERM by PID, then SIGKILL after 5 s) and waits for the process.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Whether it is running.
    pub fn running(&self) -> bool {
        self.child.is_some()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn workdir(name: &str, port: u16) -> PathBuf {
    let d = crate::root()
        .join("target/test-out/servers")
        .join(format!("{name}-{port}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("creating the server's folder");
    d
}

/// `mosquitto` on 127.0.0.1, anonymous access, no persistence.
pub fn mosquitto() -> Server {
    mosquitto_with(false, "")
}

/// `mosquitto` on 127.0.0.1, anonymous access. With `persistent`, sessions, subscriptions and
/// queued QoS 1 messages are saved in its folder when it stops and read back when it starts
/// again (a subscriber with a persistent session then misses nothing across a restart).
/// `listener_options` are lines added to the listener's settings, such as TLS's `cafile`,
/// `certfile`, `keyfile`, `require_certificate true`.
pub fn mosquitto_with(persistent: bool, listener_options: &str) -> Server {
    let program = which("mosquitto", "mosquitto");
    let port = free_port();
    let dir = workdir("mosquitto", port);
    let conf = dir.join("mosquitto.conf");
    let persistence = if persistent {
        // Run as root, mosquitto drops to its own user, which must be able to write there.
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777));
        format!(
            "persistence true\npersistence_location {}/\nautosave_interval 1\n",
            dir.display()
        )
    } else {
        "persistence false\n".to_string()
    };
    std::fs::write(
        &conf,
        format!(
            "per_listener_settings false\nallow_anonymous true\n{persistence}log_dest stderr\n\
             listener {port} 127.0.0.1\n{listener_options}\n"
        ),
    )
    .expect("writing mosquitto.conf");
    Server::launch(
        "mosquitto",
        program,
        vec!["-c".into(), conf.display().to_string()],
        port,
        dir,
    )
}

/// `redis-server` on 127.0.0.1; with `persistent`, an append-only file synced on every write
/// (data survives a stop and start).
pub fn redis(persistent: bool) -> Server {
    let program = which("redis-server", "redis-server");
    let port = free_port();
    let dir = workdir("redis", port);
    let mut args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--daemonize",
        "no",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(["--dir".to_string(), dir.display().to_string()]);
    if persistent {
        args.extend(["--appendonly", "yes", "--appendfsync", "always"].map(String::from));
    } else {
        args.extend(["--appendonly", "no"].map(String::from));
    }
    Server::launch("redis-server", program, args, port, dir)
}

/// A Kafka-protocol broker: librdkafka's mock cluster in the `ds-kafka-mock` helper process
/// (built with the workspace: `cargo build -p ds-msg --bins`), on 127.0.0.1.
pub struct KafkaMock {
    /// `host:port` list for `bootstrap.servers`.
    pub bootstrap: String,
    child: Option<Child>,
    stdin: Option<std::process::ChildStdin>,
    lines: Option<std::sync::mpsc::Receiver<String>>,
}

impl KafkaMock {
    /// `host;port` of the first broker, for `conn-str`.
    pub fn conn_host_port(&self) -> String {
        let first = self.bootstrap.split(',').next().unwrap_or("");
        first.replacen(':', ";", 1)
    }

    /// Takes every broker down (connections closed, new ones refused; ports, topics and
    /// messages kept), as an outage; panics when the helper does not confirm within 10 s.
    pub fn down(&mut self) {
        self.command("down");
    }

    /// Brings the brokers back up after [`KafkaMock::down`].
    pub fn up(&mut self) {
        self.command("up");
    }

    fn command(&mut self, cmd: &str) {
        use std::io::Write as _;
        let stdin = self.stdin.as_mut().expect("ds-kafka-mock's stdin");
        writeln!(stdin, "{cmd}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("ds-kafka-mock {cmd}: {e}"));
        let rx = self.lines.as_ref().expect("ds-kafka-mock's stdout");
        let answer = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        assert_eq!(answer.trim(), format!("ok {cmd}"), "ds-kafka-mock {cmd}");
    }
}

impl Drop for KafkaMock {
    fn drop(&mut self) {
        self.stdin = None;
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let _ = c.wait();
        }
    }
}

/// Starts `ds-kafka-mock` with `topic` created with `partitions` partitions.
pub fn kafka_mock(topic: &str, partitions: u32) -> KafkaMock {
    use std::io::BufRead as _;
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let bin = dir.join("ds-kafka-mock");
    assert!(
        bin.is_file(),
        "{} missing: cargo build -p ds-msg --bins",
        bin.display()
    );
    let mut child = Command::new(&bin)
        .args(["--topic", topic, "--partitions", &partitions.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting ds-kafka-mock");
    let stdout = child.stdout.take().expect("piped stdout");
    let stdin = child.stdin.take();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let bootstrap = line
        .trim()
        .strip_prefix("bootstrap.servers=")
        .unwrap_or("")
        .to_string();
    let mock = KafkaMock {
        bootstrap,
        child: Some(child),
        stdin,
        lines: Some(rx),
    };
    assert!(
        mock.bootstrap.starts_with("127.0.0.1:"),
        "ds-kafka-mock did not start on 127.0.0.1: {line:?}"
    );
    mock
}

/// `rabbitmq-server` on 127.0.0.1 (AMQP on `port`), with its own `epmd` on a free port of
/// 127.0.0.1 (both stopped by PID); starts in 6-20 s. `guest`/`guest` may connect.
pub struct RabbitMq {
    /// The broker.
    pub server: Server,
    _epmd: Server,
}

/// Starts `epmd` and `rabbitmq-server` on free 127.0.0.1 ports.
pub fn rabbitmq() -> RabbitMq {
    let epmd_port = free_port();
    let epmd = Server::launch(
        "epmd",
        which("epmd", "erlang-base"),
        vec![
            "-address".into(),
            "127.0.0.1".into(),
            "-port".into(),
            epmd_port.to_string(),
        ],
        epmd_port,
        workdir("epmd", epmd_port),
    );
    let program = PathBuf::from("/usr/lib/rabbitmq/bin/rabbitmq-server");
    assert!(
        program.is_file(),
        "{} not found: install the Debian package rabbitmq-server (scripts/setup.sh does)",
        program.display()
    );
    let port = free_port();
    let dist = free_port();
    let dir = workdir("rabbitmq", port);
    let d = dir.display().to_string();
    let conf = dir.join("rabbitmq.conf");
    std::fs::write(
        &conf,
        format!("listeners.tcp.default = 127.0.0.1:{port}\nloopback_users = none\n"),
    )
    .expect("rabbitmq.conf");
    let env: Vec<(String, String)> = [
        ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1".to_string()),
        ("RABBITMQ_NODE_PORT", port.to_string()),
        ("RABBITMQ_DIST_PORT", dist.to_string()),
        ("ERL_EPMD_ADDRESS", "127.0.0.1".to_string()),
        ("ERL_EPMD_PORT", epmd_port.to_string()),
        ("RABBITMQ_NODENAME", format!("rabbit{port}@localhost")),
        ("RABBITMQ_CONFIG_FILE", conf.display().to_string()),
        ("RABBITMQ_MNESIA_BASE", format!("{d}/mnesia")),
        ("RABBITMQ_LOG_BASE", format!("{d}/log")),
        (
            "RABBITMQ_ENABLED_PLUGINS_FILE",
            format!("{d}/enabled_plugins"),
        ),
        ("RABBITMQ_PID_FILE", format!("{d}/rabbit.pid")),
        ("HOME", d.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    std::fs::write(dir.join("enabled_plugins"), "[].\n").expect("enabled_plugins");
    let mut server = Server {
        name: "rabbitmq-server",
        port,
        dir,
        program,
        args: Vec::new(),
        env,
        start_limit: Duration::from_secs(60),
        child: None,
    };
    let child = Command::new(&server.program)
        .envs(server.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(&server.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting rabbitmq-server");
    server.child = Some(child);
    assert!(
        wait_amqp(port, Duration::from_secs(60)),
        "rabbitmq-server did not answer AMQP on 127.0.0.1:{port} within 60 s"
    );
    RabbitMq {
        server,
        _epmd: epmd,
    }
}

/// Certificates for TLS tests, made by the `openssl` command (Debian package `openssl`) in a
/// folder: a CA, a server certificate for `127.0.0.1` / `localhost` and a client certificate
/// signed by it, and a second CA that signed neither. PEM files, readable by everyone (a
/// server that drops privileges reads them too).
pub struct TlsFiles {
    /// The folder holding them.
    pub dir: PathBuf,
    /// The CA's certificate (`ca.crt`).
    pub ca: PathBuf,
    /// The server's certificate (`server.crt`, SAN IP 127.0.0.1 and DNS localhost).
    pub server_cert: PathBuf,
    /// The server's private key (`server.key`).
    pub server_key: PathBuf,
    /// The client's certificate (`client.crt`).
    pub client_cert: PathBuf,
    /// The client's private key (`client.key`).
    pub client_key: PathBuf,
    /// Another CA's certificate (`other-ca.crt`), which signed none of these.
    pub other_ca: PathBuf,
}

/// Makes [`TlsFiles`] in `dir` (created; P-256 keys, valid for 2 days).
pub fn tls_files(dir: &std::path::Path) -> TlsFiles {
    use std::os::unix::fs::PermissionsExt as _;
    let openssl = which("openssl", "openssl");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("creating the certificates' folder");
    let run = |args: &[&str]| {
        let o = Command::new(&openssl)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("running openssl");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    for ca in ["ca", "other-ca"] {
        let (key, crt) = (format!("{ca}.key"), format!("{ca}.crt"));
        let subj = format!("/CN=deepstream test {ca}");
        let mut a = vec!["req", "-x509"];
        a.extend(ec);
        a.extend([
            "-keyout",
            &key,
            "-out",
            &crt,
            "-days",
            "2",
            "-subj",
            &subj,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        run(&a);
    }
    for (name, usage) in [("server", "serverAuth"), ("client", "clientAuth")] {
        let ext = format!("{name}.ext");
        std::fs::write(
            dir.join(&ext),
            format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage={usage}\n\
                 subjectAltName=IP:127.0.0.1,DNS:localhost\n"
            ),
        )
        .expect("writing the extensions file");
        let mut a = vec!["req"];
        a.extend(ec);
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        let subj = format!("/CN=deepstream test {name}");
        a.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
        run(&a);
        run(&[
            "x509", "-req", "-in", &csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", &crt, "-days", "2", "-extfile", &ext,
        ]);
    }
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    for e in std::fs::read_dir(dir).expect("the certificates' folder").flatten() {
        let _ = std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o644));
    }
    TlsFiles {
        dir: dir.to_path_buf(),
        ca: dir.join("ca.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
        client_cert: dir.join("client.crt"),
        client_key: dir.join("client.key"),
        other_ca: dir.join("other-ca.crt"),
    }
}

/// `mosquitto` on 127.0.0.1 with a plain listener ([`Server::port`], anonymous) and a TLS
/// listener on the returned port with `tls`'s server certificate; with `require_client_cert`
/// the TLS listener requires a client certificate signed by `tls`'s CA (mutual TLS).
pub fn mosquitto_tls(tls: &TlsFiles, require_client_cert: bool) -> (Server, u16) {
    let tls_port = free_port();
    let opts = format!(
        "listener {tls_port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate {require_client_cert}\n",
        tls.ca.display(),
        tls.server_cert.display(),
        tls.server_key.display()
    );
    let server = mosquitto_with(false, &opts);
    assert!(
        wait_port(tls_port, Duration::from_secs(10)),
        "mosquitto's TLS listener on 127.0.0.1:{tls_port}: see {}/server.log",
        server.dir.display()
    );
    (server, tls_port)
}
