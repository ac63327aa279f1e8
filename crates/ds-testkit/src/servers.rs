//! Real broker servers for tests, started on 127.0.0.1 on a free port and stopped by PID
//! (on drop too): `mosquitto`, `redis-server`. Each waits (bounded) until its port accepts
//! connections; a missing binary fails the test with the package to install.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port on 127.0.0.1")
}

/// Waits until `127.0.0.1:port` accepts a TCP connection, at most `limit`.
pub fn wait_port(port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
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
    child: Option<Child>,
}

impl Server {
    fn launch(name: &'static str, program: PathBuf, args: Vec<String>, port: u16, dir: PathBuf) -> Server {
        let mut s = Server { name, port, dir, program, args, child: None };
        s.start();
        s
    }

    /// Starts it (again) and waits for its port (at most 20 s).
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} already running", self.name);
        let child = Command::new(&self.program)
            .args(&self.args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.name));
        self.child = Some(child);
        assert!(wait_port(self.port, Duration::from_secs(20)), "{} did not listen on 127.0.0.1:{} within 20 s", self.name, self.port);
    }

    /// Stops it (SIGTERM by PID, then SIGKILL after 5 s) and waits for the process.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
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
    let d = crate::root().join("target/test-out/servers").join(format!("{name}-{port}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("creating the server's folder");
    d
}

/// `mosquitto` on 127.0.0.1, anonymous access, no persistence.
pub fn mosquitto() -> Server {
    let program = which("mosquitto", "mosquitto");
    let port = free_port();
    let dir = workdir("mosquitto", port);
    let conf = dir.join("mosquitto.conf");
    std::fs::write(&conf, format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n"))
        .expect("writing mosquitto.conf");
    Server::launch("mosquitto", program, vec!["-c".into(), conf.display().to_string()], port, dir)
}

/// `redis-server` on 127.0.0.1; with `persistent`, an append-only file synced on every write
/// (data survives a stop and start).
pub fn redis(persistent: bool) -> Server {
    let program = which("redis-server", "redis-server");
    let port = free_port();
    let dir = workdir("redis", port);
    let mut args: Vec<String> = ["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no"]
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
}

impl KafkaMock {
    /// `host;port` of the first broker, for `conn-str`.
    pub fn conn_host_port(&self) -> String {
        let first = self.bootstrap.split(',').next().unwrap_or("");
        first.replacen(':', ";", 1)
    }
}

impl Drop for KafkaMock {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }
}

/// Starts `ds-kafka-mock` with `topic` created with `partitions` partitions.
pub fn kafka_mock(topic: &str, partitions: u32) -> KafkaMock {
    use std::io::BufRead as _;
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/<profile>");
    let bin = dir.join("ds-kafka-mock");
    assert!(bin.is_file(), "{} missing: cargo build -p ds-msg --bins", bin.display());
    let mut child = Command::new(&bin)
        .args(["--topic", topic, "--partitions", &partitions.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting ds-kafka-mock");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let bootstrap = line.trim().strip_prefix("bootstrap.servers=").unwrap_or("").to_string();
    let mock = KafkaMock { bootstrap, child: Some(child) };
    assert!(mock.bootstrap.starts_with("127.0.0.1:"), "ds-kafka-mock did not start on 127.0.0.1: {line:?}");
    mock
}
