//! deepstream-test4 run as a user runs it, on `streams/vtest-5s.h264` (50 frames) with the
//! portable backend, against real brokers started here on 127.0.0.1 (mosquitto,
//! redis-server, rabbitmq-server, librdkafka's mock cluster): every message the probe created
//! arrives (count equal), as valid JSON of the chosen schema; an outage of 10 s of each broker
//! loses nothing, keeps the order and does not stall the frames;
//! a broker that never comes up is retried for a bounded time and the MP4 is finalised;
//! bad inputs fail with messages naming them.

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ds_testkit::servers;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test4");
const LIMIT: Duration = Duration::from_secs(240);

fn cfg(name: &str) -> String {
    ds_testkit::root()
        .join("configs/deepstream-test4")
        .join(name)
        .display()
        .to_string()
}

fn out(name: &str) -> PathBuf {
    let p = ds_testkit::out_path("deepstream-test4", name);
    let _ = std::fs::remove_file(&p);
    p
}

fn run(args: &[&str]) -> Output {
    ds_testkit::run(BIN, args, &[], LIMIT)
}

/// test4 on `streams/vtest-5s.h264` (portable backend) through `proto` (`-p`), `conn`
/// (`--conn-str`) and the msgconv config `conf` (`-c`), then the arguments in `rest`.
fn run_test4(proto: &str, conn: &str, conf: &str, rest: &[&str]) -> Output {
    let input = ds_testkit::stream("vtest-5s.h264");
    let mut args = vec!["-i", input.to_str().unwrap(), "-p", proto, "--conn-str", conn, "-c", conf, "--backend", "portable"];
    args.extend_from_slice(rest);
    run(&args)
}

/// The events the probe attached (`Event message attached: frame N, class C` lines).
fn attached(stdout: &str) -> Vec<(u64, i32)> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Event message attached: frame "))
        .filter_map(|r| r.split_once(", class "))
        .map(|(f, c)| (f.parse().unwrap(), c.parse().unwrap()))
        .collect()
}

fn check_ok(o: &Output) -> (String, String) {
    let (stdout, stderr) = ds_testkit::text(o);
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        o.status
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("Frame Number = "))
            .count(),
        50,
        "{stdout}"
    );
    (stdout, stderr)
}

/// The full schema's fields for an event the probe made.
fn check_full(v: &Value, class: i32) {
    for k in [
        "messageid",
        "mdsversion",
        "@timestamp",
        "place",
        "sensor",
        "analyticsModule",
        "object",
        "event",
        "videoPath",
    ] {
        assert!(v.get(k).is_some(), "no {k}: {v}");
    }
    assert_eq!(v["sensor"]["id"], "CAMERA_ID");
    assert_eq!(
        v["sensor"]["description"],
        "\"Entrance of Garage Right Lane\""
    );
    assert_eq!(v["sensor"]["location"]["lat"], 45.293701447);
    assert_eq!(v["place"]["name"], "XYZ");
    assert_eq!(v["analyticsModule"]["source"], "OpenALR");
    let ts = v["@timestamp"].as_str().unwrap();
    assert!(
        ts.len() == 24 && ts.ends_with('Z') && &ts[10..11] == "T",
        "RFC 3339 with ms: {ts}"
    );
    let bbox = &v["object"]["bbox"];
    assert!(
        bbox["bottomrightx"].as_i64().unwrap() > bbox["topleftx"].as_i64().unwrap(),
        "{bbox}"
    );
    match class {
        0 => {
            assert_eq!(v["object"]["vehicle"]["make"], "Bugatti");
            assert_eq!(v["object"]["vehicle"]["licenseState"], "CA");
            assert_eq!(v["event"]["type"], "moving");
        }
        2 => {
            assert_eq!(v["object"]["person"]["age"], 45);
            assert_eq!(v["object"]["person"]["apparel"], "formal");
            assert_eq!(v["event"]["type"], "entry");
        }
        _ => {}
    }
}

fn check_minimal(v: &Value, frame: u64, class: i32) {
    assert_eq!(v["version"], "4.0");
    assert_eq!(v["id"], frame.to_string());
    assert_eq!(v["sensorId"], "sensor-0");
    let objects = v["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 1, "{v}");
    let fields: Vec<&str> = objects[0].as_str().unwrap().split('|').collect();
    match class {
        0 => assert_eq!(
            &fields[5..13],
            [
                "Vehicle", "#", "sedan", "Bugatti", "M", "blue", "XX1234", "CA"
            ],
            "{v}"
        ),
        2 => assert_eq!(
            &fields[5..12],
            ["Person", "#", "male", "45", "black", "none", "formal"],
            "{v}"
        ),
        _ => {}
    }
}

fn xrange(port: u16, stream: &str) -> Vec<Value> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
    let mut c = client
        .get_connection_with_timeout(Duration::from_secs(3))
        .unwrap();
    let v: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg(stream)
        .arg("-")
        .arg("+")
        .query(&mut c)
        .unwrap();
    v.into_iter()
        .map(|(_, kv)| {
            let (_, p) = kv
                .into_iter()
                .find(|(k, _)| k == "metadata")
                .expect("metadata field");
            serde_json::from_str(&p).unwrap_or_else(|e| panic!("not JSON ({e}): {p}"))
        })
        .collect()
}

/// An MQTT subscriber collecting payloads of `topic`; returns once subscribed. With
/// `persistent`, its session outlives a restart of the broker (a persistent mosquitto): it
/// reconnects and receives what was queued for it meanwhile.
fn subscribe(port: u16, topic: &str, persistent: bool) -> Subscriber {
    let mut o = rumqttc::MqttOptions::new(format!("test4-sub-{port}"), "127.0.0.1", port);
    o.set_keep_alive(Duration::from_secs(30));
    o.set_max_packet_size(1 << 20, 1 << 20);
    o.set_clean_session(!persistent);
    let (client, mut conn) = rumqttc::Client::new(o, 16);
    client.subscribe(topic, rumqttc::QoS::AtLeastOnce).unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let g = got.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let thread = std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < LIMIT && !stop2.load(std::sync::atomic::Ordering::SeqCst) {
            match conn.recv_timeout(Duration::from_millis(500)) {
                Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_)))) => {
                    let _ = tx.send(());
                }
                Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p)))) => {
                    g.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&p.payload).into_owned());
                }
                Ok(Ok(rumqttc::Event::Outgoing(rumqttc::Outgoing::Disconnect))) => break,
                Ok(Ok(_)) | Err(rumqttc::RecvTimeoutError::Timeout) => {}
                // The broker is down: the next poll reconnects.
                Ok(Err(_)) if persistent => std::thread::sleep(Duration::from_millis(100)),
                Ok(Err(_)) | Err(rumqttc::RecvTimeoutError::Disconnected) => break,
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("SUBACK within 10 s");
    Subscriber {
        got,
        client,
        thread,
        stop,
    }
}

/// An MQTT subscriber's thread and what it received.
struct Subscriber {
    got: Arc<Mutex<Vec<String>>>,
    client: rumqttc::Client,
    thread: std::thread::JoinHandle<()>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

/// Waits (at most 10 s) until the subscriber has `n` messages, then 300 ms more for
/// duplicates, and stops it.
fn mqtt_collect(sub: Subscriber, n: usize) -> Vec<Value> {
    let start = Instant::now();
    while sub.got.lock().unwrap().len() < n && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    sub.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = sub.client.disconnect();
    let _ = sub.thread.join();
    let got = sub.got.lock().unwrap().clone();
    got.iter()
        .map(|m| serde_json::from_str(m).unwrap_or_else(|e| panic!("not JSON ({e}): {m}")))
        .collect()
}

#[test]
fn mqtt_receives_every_event_in_the_full_schema() {
    let broker = servers::mosquitto();
    let sub = subscribe(broker.port, "test4", false);
    let mp4 = out("mqtt.mp4");
    let conn = format!("127.0.0.1;{}", broker.port);
    let o = run_test4(
        "libnvds_mqtt_proto.so",
        &conn,
        &cfg("cfg_mqtt.txt"),
        &["-t", "test4", "--sink", "file", "--output", mp4.to_str().unwrap()],
    );
    let (stdout, stderr) = check_ok(&o);
    let events = attached(&stdout);
    assert_eq!(
        events.iter().map(|e| e.0).collect::<Vec<_>>(),
        [0, 30],
        "first object of frames 0 and 30:\n{stdout}"
    );
    let got = mqtt_collect(sub, events.len());
    assert_eq!(
        got.len(),
        events.len(),
        "received {got:?}\nstderr:\n{stderr}"
    );
    for (v, (_, class)) in got.iter().zip(&events) {
        check_full(v, *class);
    }
    assert!(
        stderr.contains(&format!(
            "dsmsgbroker: {} messages sent, 0 dropped",
            events.len()
        )),
        "{stderr}"
    );
    assert_eq!(
        ds_testkit::decode(&mp4, &[]).0,
        50,
        "the MP4 holds every frame"
    );
}

#[test]
fn mqtt_over_mutual_tls_receives_every_event() {
    let tls = servers::tls_files(&ds_testkit::out_path("deepstream-test4", "tls"));
    // A TLS listener requiring a client certificate; the subscriber uses the plain one.
    let (broker, tls_port) = servers::mosquitto_tls(&tls, true);
    let sub = subscribe(broker.port, "test4", false);
    let conf = ds_testkit::out_path("deepstream-test4", "cfg_mqtt_tls.txt");
    std::fs::write(
        &conf,
        format!(
            "[message-broker]\nenable-tls=1\ntls-cafile={}\ntls-certfile={}\ntls-keyfile={}\n",
            tls.ca.display(),
            tls.client_cert.display(),
            tls.client_key.display()
        ),
    )
    .unwrap();
    let conn = format!("127.0.0.1;{tls_port}");
    let o = run_test4(
        "libnvds_mqtt_proto.so",
        &conn,
        conf.to_str().unwrap(),
        &["-t", "test4", "--no-display"],
    );
    let (stdout, stderr) = check_ok(&o);
    let events = attached(&stdout);
    assert_eq!(events.len(), 2, "{stdout}");
    let got = mqtt_collect(sub, events.len());
    assert_eq!(
        got.len(),
        events.len(),
        "received {got:?}\nstderr:\n{stderr}"
    );
    for (v, (_, class)) in got.iter().zip(&events) {
        check_full(v, *class);
    }
    assert!(
        stderr.contains("dsmsgbroker: 2 messages sent, 0 dropped (0 failed attempts"),
        "{stderr}"
    );
}

#[test]
fn mqtt_tls_with_the_wrong_ca_names_the_ca_file_and_the_pipeline_finishes() {
    let tls = servers::tls_files(&ds_testkit::out_path("deepstream-test4", "tls-wrong"));
    let (_broker, tls_port) = servers::mosquitto_tls(&tls, false);
    let conf = ds_testkit::out_path("deepstream-test4", "cfg_mqtt_wrong_ca.txt");
    std::fs::write(
        &conf,
        format!(
            "[message-broker]\nenable-tls=1\ntls-cafile={}\nretry-interval=1\nmax-retry-limit=2\n",
            tls.other_ca.display()
        ),
    )
    .unwrap();
    let mp4 = out("wrong-ca.mp4");
    let o = run_test4(
        "libnvds_mqtt_proto.so",
        &format!("127.0.0.1;{tls_port}"),
        conf.to_str().unwrap(),
        &["-t", "test4", "--sink", "file", "--output", mp4.to_str().unwrap()],
    );
    let (_, stderr) = check_ok(&o);
    let want = format!(
        "invalid peer certificate: UnknownIssuer (TLS: the broker's certificate was checked against tls-cafile {})",
        tls.other_ca.display()
    );
    assert!(stderr.contains(&want), "want {want}\n{stderr}");
    assert!(
        stderr.contains("dsmsgbroker: 0 messages sent, 2 dropped"),
        "{stderr}"
    );
    assert_eq!(ds_testkit::decode(&mp4, &[]).0, 50, "the MP4 is finalised");
}

#[test]
fn redis_receives_every_event_in_the_minimal_schema() {
    let broker = servers::redis(false);
    let conn = format!("127.0.0.1;{}", broker.port);
    let o = run_test4(
        "libnvds_redis_proto.so",
        &conn,
        &cfg("cfg_redis.txt"),
        &["-t", "test4", "-s", "1", "--no-display"],
    );
    let (stdout, stderr) = check_ok(&o);
    let events = attached(&stdout);
    assert_eq!(events.len(), 2, "{stdout}");
    let msgs = xrange(broker.port, "test4");
    assert_eq!(msgs.len(), events.len(), "{msgs:?}\nstderr:\n{stderr}");
    for (v, (frame, class)) in msgs.iter().zip(&events) {
        check_minimal(v, *frame, *class);
    }
}

/// What a run of deepstream-test4 through a broker outage showed.
struct Outage {
    stdout: String,
    stderr: String,
    /// The events the probe attached, in order.
    events: Vec<(u64, i32)>,
    /// Frames the pipeline passed while the broker was down.
    frames_during: usize,
    /// The longest time without a frame while the broker was down.
    longest_gap: Duration,
    /// How long the broker was unreachable (down, then starting again).
    down_for: Duration,
    /// Whether the last event was attached while the broker was down.
    last_event_during: bool,
}

/// The length of each broker outage.
const OUTAGE: Duration = Duration::from_secs(10);
/// The frame at which the broker is stopped (the probe's events are at frames 0 and 30).
const STOP_AT: u64 = 15;

/// Runs deepstream-test4 with `args` (plus the portable backend and an MP4 sink), calls
/// `stop` once frame [`STOP_AT`] went through, waits [`OUTAGE`], calls `restart` (which returns
/// once the broker is back on the same port) and waits for the run to end. Checks what every
/// outage test checks: the run succeeded with every frame in the MP4, and frames kept flowing
/// while the broker was down. Prints the figures (frames and longest frame gap during the
/// outage).
fn run_through_outage(
    name: &str,
    args: &[&str],
    stop: impl FnOnce(),
    restart: impl FnOnce(),
) -> Outage {
    let mp4 = out(&format!("outage-{name}.mp4"));
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--backend",
        "portable",
        "--sink",
        "file",
        "--output",
        mp4.to_str().unwrap(),
    ]);
    let mut child = ds_testkit::command(BIN, &all, &[]).spawn().unwrap();
    // Read stdout as it comes, with the time of each line.
    let lines: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let l2 = lines.clone();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            l2.lock().unwrap().push((Instant::now(), line));
        }
    });
    let start = Instant::now();
    let seen = |p: &str| lines.lock().unwrap().iter().any(|(_, l)| l.starts_with(p));
    // Frame 0's event goes out with the broker up; the broker goes down at frame
    // STOP_AT, before frame 30's event, whose message then meets the outage.
    let at = format!("Frame Number = {STOP_AT} ");
    while !seen(&at) && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(seen(&at), "{name}: frame {STOP_AT} within 120 s");
    let stopping = Instant::now();
    stop();
    let down = Instant::now();
    let stop_took = down - stopping;
    std::thread::sleep(OUTAGE);
    // Frames from the moment the broker began to stop (rabbitmq-server takes seconds to stop,
    // and closes its connections first) to the end of the outage.
    let frames: Vec<Instant> = lines
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, l)| *t > stopping && l.starts_with("Frame Number = "))
        .map(|(t, _)| *t)
        .collect();
    restart();
    let down_for = down.elapsed();
    let o = ds_testkit::wait(child, LIMIT, &format!("deepstream-test4 ({name} outage)"));
    let _ = reader.join();
    let stdout: String = lines
        .lock()
        .unwrap()
        .iter()
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        o.status.success(),
        "{name}: exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        o.status
    );
    let total = stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number = "))
        .count();
    assert_eq!(total, 50, "{name}: every frame\n{stdout}");
    // Gaps between frames from the stop on (after the last frame the stream had ended).
    let longest_gap = std::iter::once(stopping)
        .chain(frames.iter().copied())
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or(OUTAGE);
    let frames_during = frames.len();
    // A stalled pipeline would show no frame (or the few a queue holds) and one long gap. On a
    // loaded machine the clip runs slowly anyway, so the check is on the gaps, not on a rate:
    // from the stop on, frames came at least every OUTAGE/3 until the clip's end or the
    // broker's return.
    assert!(
        frames_during >= 2 && longest_gap <= OUTAGE / 3,
        "{name}: frames kept flowing while the broker was stopping and down: {frames_during} frames, longest gap {:.2} s\n{stdout}",
        longest_gap.as_secs_f64()
    );
    assert_eq!(
        ds_testkit::decode(&mp4, &[]).0,
        50,
        "{name}: the MP4 holds every frame"
    );
    let events = attached(&stdout);
    // Whether the last event came while the broker was down (it does unless the pipeline ran
    // frames STOP_AT to 30 in less time than the broker took to stop).
    let last_event_during = lines
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(_, l)| l.starts_with("Event message attached: "))
        .is_some_and(|(t, _)| *t > down && *t < down + OUTAGE);
    let summary = stderr
        .lines()
        .find(|l| l.starts_with("dsmsgbroker: "))
        .unwrap_or("");
    eprintln!(
        "{name} outage: stopping took {:.1} s, then unreachable {:.1} s; {frames_during} frames meanwhile, \
         longest frame gap {:.3} s; {} events attached; {summary}",
        stop_took.as_secs_f64(),
        down_for.as_secs_f64(),
        longest_gap.as_secs_f64(),
        events.len()
    );
    Outage {
        stdout,
        stderr,
        events,
        frames_during,
        longest_gap,
        down_for,
        last_event_during,
    }
}

impl Outage {
    /// Checks what a client of the broker received after the outage: every event's message
    /// (count equal, nothing lost, none twice), in the order of the events, each in the full
    /// (or, with `minimal`, the minimal) schema.
    fn check_received(&self, name: &str, got: &[Value], minimal: bool) {
        assert_eq!(self.events.len(), 2, "{name}: frames 0 and 30\n{}", self.stdout);
        assert_eq!(
            got.len(),
            self.events.len(),
            "{name}: no message lost, none twice: {got:?}\nstderr:\n{}",
            self.stderr
        );
        for (v, (frame, class)) in got.iter().zip(&self.events) {
            if minimal {
                // The minimal schema's id is the frame number: the order is checked here.
                check_minimal(v, *frame, *class);
            } else {
                check_full(v, *class);
            }
        }
        if !minimal {
            let ts: Vec<&str> = got
                .iter()
                .map(|v| v["@timestamp"].as_str().unwrap())
                .collect();
            assert!(ts.windows(2).all(|w| w[0] < w[1]), "{name}: in order: {ts:?}");
        }
        assert!(
            self.stderr.contains(&format!(
                "dsmsgbroker: {} messages sent, 0 dropped",
                self.events.len()
            )),
            "{name}: {}",
            self.stderr
        );
        // A message met the outage: it was kept, retried and sent once the broker was back.
        if self.last_event_during {
            assert!(
                self.stderr.contains("keeping messages and retrying")
                    && self.stderr.contains("broker reachable again"),
                "{name}: the last event's message met the outage\n{}",
                self.stderr
            );
        }
        eprintln!(
            "{name} outage: {} messages received of {} events attached (last one while down: {}; \
             {} frames, longest gap {:.3} s, while down {:.1} s)",
            got.len(),
            self.events.len(),
            self.last_event_during,
            self.frames_during,
            self.longest_gap.as_secs_f64(),
            self.down_for.as_secs_f64()
        );
    }
}

#[test]
fn redis_outage_of_10_s_loses_nothing_and_frames_keep_flowing() {
    let broker = Mutex::new(servers::redis(true));
    let conn = format!("127.0.0.1;{}", broker.lock().unwrap().port);
    let input = ds_testkit::stream("vtest-5s.h264");
    let o = run_through_outage(
        "redis",
        &[
            "-i",
            input.to_str().unwrap(),
            "-p",
            "libnvds_redis_proto.so",
            "--conn-str",
            &conn,
            "-t",
            "test4",
        ],
        || broker.lock().unwrap().stop(),
        || broker.lock().unwrap().start(),
    );
    let msgs = xrange(broker.lock().unwrap().port, "test4");
    o.check_received("redis", &msgs, false);
}

#[test]
fn mqtt_outage_of_10_s_loses_nothing_and_frames_keep_flowing() {
    // A persistent broker and subscriber session: what is published while the subscriber has
    // not reconnected yet waits for it.
    let broker = Mutex::new(servers::mosquitto_with(true, ""));
    let port = broker.lock().unwrap().port;
    let sub = subscribe(port, "test4", true);
    let conn = format!("127.0.0.1;{port}");
    let input = ds_testkit::stream("vtest-5s.h264");
    let o = run_through_outage(
        "mqtt",
        &[
            "-i",
            input.to_str().unwrap(),
            "-p",
            "libnvds_mqtt_proto.so",
            "--conn-str",
            &conn,
            "-t",
            "test4",
            "-s",
            "1",
        ],
        || broker.lock().unwrap().stop(),
        || broker.lock().unwrap().start(),
    );
    let got = mqtt_collect(sub, o.events.len());
    o.check_received("mqtt", &got, true);
}

#[test]
fn amqp_outage_of_10_s_loses_nothing_and_frames_keep_flowing() {
    let rabbit = Mutex::new(servers::rabbitmq());
    let port = rabbit.lock().unwrap().server.port;
    // A durable queue, kept across the restart with the persistent messages in it.
    amqp_bind(port, "test4-outage", true);
    let conn = format!("127.0.0.1;{port};guest");
    let input = ds_testkit::stream("vtest-5s.h264");
    let o = run_through_outage(
        "amqp",
        &[
            "-i",
            input.to_str().unwrap(),
            "-p",
            "libnvds_amqp_proto.so",
            "--conn-str",
            &conn,
            "-c",
            &cfg("cfg_amqp.txt"),
        ],
        || rabbit.lock().unwrap().server.stop(),
        || rabbit.lock().unwrap().server.start(),
    );
    let got = amqp_drain(port, "test4-outage", o.events.len());
    o.check_received("amqp", &got, false);
}

#[test]
fn kafka_outage_of_10_s_loses_nothing_and_frames_keep_flowing() {
    let mock = Mutex::new(servers::kafka_mock("test4-outage", 1));
    let (conn, bootstrap) = {
        let m = mock.lock().unwrap();
        (format!("{};test4-outage", m.conn_host_port()), m.bootstrap.clone())
    };
    let input = ds_testkit::stream("vtest-5s.h264");
    let o = run_through_outage(
        "kafka",
        &[
            "-i",
            input.to_str().unwrap(),
            "-p",
            "libnvds_kafka_proto.so",
            "--conn-str",
            &conn,
            "-c",
            &cfg("cfg_kafka.txt"),
            "-s",
            "1",
        ],
        || mock.lock().unwrap().down(),
        || mock.lock().unwrap().up(),
    );
    let got: Vec<Value> = kafka_consume(&bootstrap, "test4-outage", o.events.len())
        .into_iter()
        .map(|(_, _, v)| v)
        .collect();
    o.check_received("kafka", &got, true);
}

#[test]
fn a_broker_that_never_comes_up_is_retried_then_the_pipeline_finishes() {
    let port = servers::free_port();
    let conf = ds_testkit::out_path("deepstream-test4", "cfg_redis_retry.txt");
    std::fs::write(
        &conf,
        "[message-broker]\nretry-interval=1\nmax-retry-limit=3\n",
    )
    .unwrap();
    let mp4 = out("never.mp4");
    let t0 = Instant::now();
    let o = run_test4(
        "libnvds_redis_proto.so",
        &format!("127.0.0.1;{port}"),
        conf.to_str().unwrap(),
        &["-t", "test4", "--sink", "file", "--output", mp4.to_str().unwrap()],
    );
    let (_, stderr) = check_ok(&o);
    assert!(stderr.contains("giving up after"), "{stderr}");
    assert!(
        stderr.contains("dsmsgbroker: 0 messages sent, 2 dropped"),
        "{stderr}"
    );
    assert!(t0.elapsed() < Duration::from_secs(200));
    assert_eq!(ds_testkit::decode(&mp4, &[]).0, 50, "the MP4 is finalised");
}

#[test]
fn bad_inputs_fail_with_messages_naming_them() {
    let input = ds_testkit::stream("vtest-5s.h264");
    let input = input.to_str().unwrap();
    let o = run(&["-i", input]);
    let (stdout, _) = ds_testkit::text(&o);
    assert!(!o.status.success());
    assert!(
        stdout.contains("Usage: deepstream-test4 -i <H264 filename> -p <Proto adaptor library>"),
        "{stdout}"
    );
    // A msgconv config with a bad group, and one with a bad value (file, group and key named).
    let bad_group = ds_testkit::out_path("deepstream-test4", "msgconv_bad_group.txt");
    std::fs::write(&bad_group, "[sensor0]\nenable=1\n[placeX]\nenable=1\n").unwrap();
    let bad_key = ds_testkit::out_path("deepstream-test4", "msgconv_bad_key.txt");
    std::fs::write(
        &bad_key,
        "[sensor0]\nenable=1\nlocation=45.29;-75.83\n",
    )
    .unwrap();
    let want_group = format!("{}: [placeX]: wrong place group name", bad_group.display());
    let want_key = format!(
        "{}: [sensor0] location: \"45.29;-75.83\": wrong values provided",
        bad_key.display()
    );
    // MQTT over TLS with a CA file that holds no certificate.
    let not_pem = ds_testkit::out_path("deepstream-test4", "not-a-ca.pem");
    std::fs::write(&not_pem, "no certificate here\n").unwrap();
    let tls_conf = ds_testkit::out_path("deepstream-test4", "cfg_mqtt_bad_ca.txt");
    std::fs::write(
        &tls_conf,
        format!("[message-broker]\nenable-tls=1\ntls-cafile={}\n", not_pem.display()),
    )
    .unwrap();
    let want_tls = format!(
        "{}: [message-broker] tls-cafile: {}: no PEM certificate",
        tls_conf.display(),
        not_pem.display()
    );
    let cases: [(&[&str], &str); 8] = [
        (
            &[
                "-p",
                "libnvds_nope_proto.so",
                "--conn-str",
                "127.0.0.1;1",
                "-t",
                "x",
            ],
            "proto-lib \"libnvds_nope_proto.so\": unknown adapter library",
        ),
        (
            &[
                "-p",
                "libnvds_mqtt_proto.so",
                "--conn-str",
                "127.0.0.1:1883",
                "-t",
                "x",
            ],
            "conn-str \"127.0.0.1:1883\" for MQTT: expected host;port",
        ),
        (
            &[
                "-p",
                "libnvds_redis_proto.so",
                "--conn-str",
                "127.0.0.1;1",
                "-c",
                "/nonexistent/cfg_redis.txt",
            ],
            "adaptor config file /nonexistent/cfg_redis.txt not found",
        ),
        (
            &[
                "-p",
                "libnvds_azure_proto.so",
                "--conn-str",
                "x;1",
                "-t",
                "x",
            ],
            "Azure IoT is not implemented by the portable backend",
        ),
        (
            &[
                "-p",
                "libnvds_redis_proto.so",
                "--conn-str",
                "127.0.0.1;1",
                "-t",
                "x",
                "--msgconv-config",
                bad_group.to_str().unwrap(),
            ],
            &want_group,
        ),
        (
            &[
                "-p",
                "libnvds_redis_proto.so",
                "--conn-str",
                "127.0.0.1;1",
                "-t",
                "x",
                "--msgconv-config",
                bad_key.to_str().unwrap(),
            ],
            &want_key,
        ),
        (
            &[
                "-p",
                "libnvds_redis_proto.so",
                "--conn-str",
                "127.0.0.1;1",
                "-t",
                "x",
                "--msgconv-config",
                "/nonexistent/msgconv.txt",
            ],
            "msgconv config file /nonexistent/msgconv.txt not found (--msgconv-config)",
        ),
        (
            &[
                "-p",
                "libnvds_mqtt_proto.so",
                "--conn-str",
                "127.0.0.1;8883",
                "-t",
                "x",
                "-c",
                tls_conf.to_str().unwrap(),
            ],
            &want_tls,
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["-i", input, "--backend", "portable", "--no-display"];
        args.extend_from_slice(extra);
        let o = run(&args);
        let (stdout, stderr) = ds_testkit::text(&o);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(want) || stdout.contains(want),
            "{args:?}: want {want}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
    }
}

/// Every message of `topic` from the beginning as (partition, key, payload), until `n`
/// arrived or 20 s passed, then 1 s more to catch duplicates.
fn kafka_consume(bootstrap: &str, topic: &str, n: usize) -> Vec<(i32, Option<String>, Value)> {
    use rdkafka::Message as _;
    use rdkafka::consumer::{BaseConsumer, Consumer as _};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "test4-consumer")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    let start = Instant::now();
    let mut extra: Option<Instant> = None;
    while start.elapsed() < Duration::from_secs(30) {
        if got.len() >= n
            && *extra.get_or_insert_with(Instant::now) + Duration::from_secs(1) < Instant::now()
        {
            break;
        }
        if let Some(Ok(m)) = c.poll(Duration::from_millis(100)) {
            let key = m.key().map(|k| String::from_utf8_lossy(k).into_owned());
            let p = String::from_utf8_lossy(m.payload().unwrap_or(&[])).into_owned();
            got.push((
                m.partition(),
                key,
                serde_json::from_str(&p).unwrap_or_else(|e| panic!("not JSON ({e}): {p}")),
            ));
        }
    }
    got
}

#[test]
fn kafka_receives_every_event_with_the_partition_key() {
    let mock = servers::kafka_mock("test4", 3);
    let conn = format!("{};test4", mock.conn_host_port());
    let o = run_test4(
        "libnvds_kafka_proto.so",
        &conn,
        &cfg("cfg_kafka.txt"),
        &["--no-display"],
    );
    let (stdout, stderr) = check_ok(&o);
    let events = attached(&stdout);
    assert_eq!(events.len(), 2, "{stdout}");
    let got = kafka_consume(&mock.bootstrap, "test4", events.len());
    assert_eq!(got.len(), events.len(), "{got:?}\nstderr:\n{stderr}");
    for ((_, key, v), (_, class)) in got.iter().zip(&events) {
        assert_eq!(
            key.as_deref(),
            Some("CAMERA_ID"),
            "partition-key = sensor.id"
        );
        check_full(v, *class);
    }
}

#[test]
fn scale_out_three_pipelines_one_topic_every_message_once() {
    let mock = servers::kafka_mock("test4-scale", 3);
    let conn = format!("{};test4-scale", mock.conn_host_port());
    let input = ds_testkit::stream("vtest-5s.h264");
    let base = std::fs::read_to_string(cfg("dstest4_msgconv_config.txt")).unwrap();
    let mut children = Vec::new();
    for node in ["A", "B", "C"] {
        let conf = ds_testkit::out_path("deepstream-test4", &format!("msgconv_node_{node}.txt"));
        std::fs::write(
            &conf,
            base.replace("id=CAMERA_ID", &format!("id=CAMERA_{node}")),
        )
        .unwrap();
        let child = ds_testkit::command(
            BIN,
            &[
                "-i",
                input.to_str().unwrap(),
                "-p",
                "libnvds_kafka_proto.so",
                "--conn-str",
                &conn,
                "-c",
                &cfg("cfg_kafka.txt"),
                "--msgconv-config",
                conf.to_str().unwrap(),
                "--backend",
                "portable",
                "--no-display",
            ],
            &[],
        )
        .spawn()
        .unwrap();
        children.push((node, child));
    }
    let mut expected = 0;
    for (node, child) in children {
        let o = ds_testkit::wait(child, LIMIT, &format!("deepstream-test4 node {node}"));
        let (stdout, _) = check_ok(&o);
        expected += attached(&stdout).len();
    }
    assert_eq!(expected, 6, "2 events per node");
    let got = kafka_consume(&mock.bootstrap, "test4-scale", expected);
    assert_eq!(
        got.len(),
        expected,
        "all consumed, none duplicated: {got:?}"
    );
    let ids: std::collections::BTreeSet<&str> = got
        .iter()
        .map(|(_, _, v)| v["messageid"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), expected, "no duplicate messageid");
    for node in ["A", "B", "C"] {
        let key = format!("CAMERA_{node}");
        let mine: Vec<_> = got
            .iter()
            .filter(|(_, k, _)| k.as_deref() == Some(key.as_str()))
            .collect();
        assert_eq!(mine.len(), 2, "{key}: {got:?}");
        assert!(
            mine.iter().all(|m| m.0 == mine[0].0),
            "{key} in one partition: {mine:?}"
        );
        assert!(mine.iter().all(|m| m.2["sensor"]["id"] == key.as_str()));
        let ts: Vec<&str> = mine
            .iter()
            .map(|m| m.2["@timestamp"].as_str().unwrap())
            .collect();
        assert!(
            ts.windows(2).all(|w| w[0] <= w[1]),
            "{key} in order: {ts:?}"
        );
    }
}

/// Declares `queue` and binds it to `amq.topic` with cfg_amqp.txt's routing key `topicname`.
fn amqp_bind(port: u16, queue: &str, durable: bool) {
    use lapin::options::{QueueBindOptions, QueueDeclareOptions};
    amqp_runtime().block_on(async {
        let c = lapin::Connection::connect(
            &format!("amqp://guest:guest@127.0.0.1:{port}/%2f"),
            lapin::ConnectionProperties::default(),
        )
        .await
        .unwrap();
        let ch = c.create_channel().await.unwrap();
        ch.queue_declare(
            queue.into(),
            QueueDeclareOptions {
                durable,
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
        ch.queue_bind(
            queue.into(),
            "amq.topic".into(),
            "topicname".into(),
            QueueBindOptions::default(),
            Default::default(),
        )
        .await
        .unwrap();
        let _ = c.close(200, "bound".into()).await;
    });
}

/// Every message of `queue`, until `n` arrived or 5 s passed (then until it is empty).
fn amqp_drain(port: u16, queue: &str, n: usize) -> Vec<Value> {
    use lapin::options::BasicGetOptions;
    amqp_runtime().block_on(async {
        let c = lapin::Connection::connect(
            &format!("amqp://guest:guest@127.0.0.1:{port}/%2f"),
            lapin::ConnectionProperties::default(),
        )
        .await
        .unwrap();
        let ch = c.create_channel().await.unwrap();
        let mut out = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            match ch
                .basic_get(queue.into(), BasicGetOptions { no_ack: true })
                .await
                .unwrap()
            {
                Some(m) => out.push(serde_json::from_slice(&m.delivery.data).unwrap()),
                None if out.len() >= n => break,
                None => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let _ = c.close(200, "drained".into()).await;
        out
    })
}

fn amqp_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn amqp_receives_every_event_in_the_minimal_schema() {
    let rabbit = servers::rabbitmq();
    let port = rabbit.server.port;
    // cfg_amqp.txt: exchange amq.topic, topic (routing key) topicname, guest/guest.
    amqp_bind(port, "test4", false);
    let conn = format!("127.0.0.1;{port};guest");
    let o = run_test4(
        "libnvds_amqp_proto.so",
        &conn,
        &cfg("cfg_amqp.txt"),
        &["-s", "1", "--no-display"],
    );
    let (stdout, stderr) = check_ok(&o);
    let events = attached(&stdout);
    assert_eq!(events.len(), 2, "{stdout}");
    let got = amqp_drain(port, "test4", events.len());
    assert_eq!(got.len(), events.len(), "{got:?}\nstderr:\n{stderr}");
    for (v, (frame, class)) in got.iter().zip(&events) {
        check_minimal(v, *frame, *class);
    }
}
