//! The adapters against real servers on 127.0.0.1 (mosquitto, redis-server), started and
//! stopped by PID: delivery in order, an outage with messages kept and delivered after it,
//! a broker that never comes up (bounded retries, drops counted), and the queue bound.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ds_msg::broker::{BrokerSettings, Stats};
use ds_testkit::servers;

fn cfg_file(name: &str, text: &str) -> std::path::PathBuf {
    let p = ds_testkit::out_path("ds-msg", name);
    std::fs::write(&p, text).unwrap();
    p
}

fn xrange(port: u16, stream: &str) -> Vec<String> {
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
            kv.into_iter()
                .find(|(k, _)| k == "metadata")
                .map(|(_, v)| v)
                .unwrap_or_default()
        })
        .collect()
}

/// A subscriber on `topic` that collects payloads; returns once subscribed.
fn mqtt_subscriber(
    port: u16,
    topic: &str,
) -> (
    Arc<Mutex<Vec<String>>>,
    std::thread::JoinHandle<()>,
    rumqttc::Client,
) {
    let mut o = rumqttc::MqttOptions::new(format!("sub-{port}"), "127.0.0.1", port);
    o.set_keep_alive(Duration::from_secs(30));
    let (client, mut conn) = rumqttc::Client::new(o, 16);
    client.subscribe(topic, rumqttc::QoS::AtLeastOnce).unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let g = got.clone();
    let t = std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(120) {
            match conn.recv_timeout(Duration::from_millis(500)) {
                Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_)))) => {
                    let _ = tx.send(());
                }
                Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p)))) => {
                    g.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&p.payload).into_owned());
                }
                Ok(Ok(_)) | Err(rumqttc::RecvTimeoutError::Timeout) => {}
                Ok(Err(_)) | Err(rumqttc::RecvTimeoutError::Disconnected) => break,
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("SUBACK within 10 s");
    (got, t, client)
}

#[test]
fn mqtt_delivers_every_message_in_order() {
    let broker = servers::mosquitto();
    let (got, t, sub) = mqtt_subscriber(broker.port, "ds/test");
    let s = BrokerSettings::new(
        "libnvds_mqtt_proto.so",
        &format!("127.0.0.1;{}", broker.port),
        None,
    )
    .unwrap();
    let mut sender = s.start().unwrap();
    for i in 0..20 {
        assert!(sender.send("ds/test", format!("{{\"n\":{i}}}").into_bytes()));
    }
    let st = sender.close(Duration::from_secs(20));
    assert_eq!((st.sent, st.dropped, st.pending), (20, 0, 0), "{st:?}");
    let start = Instant::now();
    while got.lock().unwrap().len() < 20 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = sub.disconnect();
    let _ = t.join();
    let got = got.lock().unwrap().clone();
    let expected: Vec<String> = (0..20).map(|i| format!("{{\"n\":{i}}}")).collect();
    assert_eq!(got, expected);
}

#[test]
fn redis_keeps_messages_through_an_outage_and_delivers_them_in_order() {
    let mut broker = servers::redis(true);
    let cfg = cfg_file(
        "redis-outage.txt",
        "[message-broker]\nretry-interval=1\nmax-retry-limit=60\n",
    );
    let s = BrokerSettings::new(
        "libnvds_redis_proto.so",
        &format!("127.0.0.1;{}", broker.port),
        Some(&cfg),
    )
    .unwrap();
    let mut sender = s.start().unwrap();
    assert!(sender.send("ds-test", b"0".to_vec()));
    assert_eq!(sender.flush(Duration::from_secs(10)).sent, 1);
    broker.stop();
    // Sending does not block while the broker is down.
    let t0 = Instant::now();
    for i in 1..10 {
        assert!(sender.send("ds-test", i.to_string().into_bytes()));
    }
    assert!(
        t0.elapsed() < Duration::from_millis(100),
        "send blocked for {:?}",
        t0.elapsed()
    );
    std::thread::sleep(Duration::from_secs(3));
    let st = sender.stats();
    assert_eq!(
        st.sent, 1,
        "nothing can be sent while the broker is down: {st:?}"
    );
    assert!(st.failed_attempts >= 1, "{st:?}");
    broker.start();
    let st: Stats = sender.close(Duration::from_secs(30));
    assert_eq!((st.sent, st.dropped), (10, 0), "{st:?}");
    assert!(st.reconnects >= 1, "{st:?}");
    let got = xrange(broker.port, "ds-test");
    assert_eq!(got, (0..10).map(|i| i.to_string()).collect::<Vec<_>>());
}

#[test]
fn a_broker_that_never_comes_up_is_retried_for_a_bounded_time() {
    let port = servers::free_port();
    let cfg = cfg_file(
        "redis-never.txt",
        "[message-broker]\nretry-interval=1\nmax-retry-limit=2\nqueue-size=5\n",
    );
    let s = BrokerSettings::new(
        "libnvds_redis_proto.so",
        &format!("127.0.0.1;{port}"),
        Some(&cfg),
    )
    .unwrap();
    let mut sender = s.start().unwrap();
    let accepted = (0..8)
        .filter(|i| sender.send("x", i.to_string().into_bytes()))
        .count();
    assert_eq!(accepted, 5, "queue-size=5 keeps 5 messages");
    let t0 = Instant::now();
    let st = sender.flush(Duration::from_secs(20));
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "gave up after {:?}",
        t0.elapsed()
    );
    assert_eq!((st.sent, st.dropped, st.pending), (0, 8, 0), "{st:?}");
    let st = sender.close(Duration::from_secs(1));
    assert_eq!(st.dropped, 8);
}

/// Every message of `topic` from the beginning, as (partition, key, payload), until `n`
/// arrived or 20 s passed.
pub fn kafka_consume(bootstrap: &str, topic: &str, n: usize) -> Vec<(i32, Option<String>, String)> {
    use rdkafka::Message as _;
    use rdkafka::consumer::{BaseConsumer, Consumer as _};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("test-{}", ds_msg::schema::uuid_v4()))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    let start = Instant::now();
    while got.len() < n && start.elapsed() < Duration::from_secs(20) {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            let key = m.key().map(|k| String::from_utf8_lossy(k).into_owned());
            got.push((
                m.partition(),
                key,
                String::from_utf8_lossy(m.payload().unwrap_or(&[])).into_owned(),
            ));
        }
    }
    // Anything more (a duplicate) within a short while?
    let extra = Instant::now();
    while extra.elapsed() < Duration::from_millis(500) {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(100)) {
            got.push((
                m.partition(),
                None,
                String::from_utf8_lossy(m.payload().unwrap_or(&[])).into_owned(),
            ));
        }
    }
    got
}

#[test]
fn kafka_delivers_with_the_partition_key() {
    let mock = servers::kafka_mock("ds-test", 3);
    let cfg = cfg_file("kafka.txt", "[message-broker]\npartition-key = sensor.id\n");
    let s = BrokerSettings::new(
        "libnvds_kafka_proto.so",
        &format!("{};ds-test", mock.conn_host_port()),
        Some(&cfg),
    )
    .unwrap();
    let mut sender = s.start().unwrap();
    assert_eq!(sender.default_topic(), Some("ds-test"));
    for i in 0..12 {
        let sensor = ["A", "B", "C"][i % 3];
        assert!(sender.send(
            "ds-test",
            format!("{{\"sensor\":{{\"id\":\"{sensor}\"}},\"n\":{i}}}").into_bytes()
        ));
    }
    let st = sender.close(Duration::from_secs(30));
    assert_eq!((st.sent, st.dropped), (12, 0), "{st:?}");
    let got = kafka_consume(&mock.bootstrap, "ds-test", 12);
    assert_eq!(got.len(), 12, "{got:?}");
    for sensor in ["A", "B", "C"] {
        let mine: Vec<&(i32, Option<String>, String)> = got
            .iter()
            .filter(|(_, k, _)| k.as_deref() == Some(sensor))
            .collect();
        assert_eq!(mine.len(), 4, "{sensor}: {got:?}");
        assert!(
            mine.iter().all(|m| m.0 == mine[0].0),
            "one partition per key: {mine:?}"
        );
        let ns: Vec<u64> = mine
            .iter()
            .map(|m| {
                serde_json::from_str::<serde_json::Value>(&m.2).unwrap()["n"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert!(
            ns.windows(2).all(|w| w[0] < w[1]),
            "in order within the partition: {ns:?}"
        );
    }
}

#[test]
fn bad_kafka_settings_are_named() {
    let cfg = cfg_file(
        "kafka-bad.txt",
        "[message-broker]\nproto-cfg = \"message.timeout.ms=abc\"\n",
    );
    let e = BrokerSettings::new("libnvds_kafka_proto.so", "127.0.0.1;9092;t", Some(&cfg))
        .expect_err("bad proto-cfg")
        .to_string();
    assert!(
        e.contains("[message-broker] proto-cfg") && e.contains("message.timeout.ms"),
        "{e}"
    );
}

#[test]
fn amqp_delivers_every_message_in_order_to_a_bound_queue() {
    use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
    let rabbit = servers::rabbitmq();
    let port = rabbit.server.port;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // A consumer queue bound to amq.topic with routing key ds.test, declared before sending.
    let (conn, ch) = rt.block_on(async {
        let c = lapin::Connection::connect(
            &format!("amqp://guest:guest@127.0.0.1:{port}/%2f"),
            lapin::ConnectionProperties::default(),
        )
        .await
        .unwrap();
        let ch = c.create_channel().await.unwrap();
        ch.queue_declare(
            "q".into(),
            QueueDeclareOptions::default(),
            Default::default(),
        )
        .await
        .unwrap();
        ch.queue_bind(
            "q".into(),
            "amq.topic".into(),
            "ds.test".into(),
            QueueBindOptions::default(),
            Default::default(),
        )
        .await
        .unwrap();
        (c, ch)
    });
    let cfg = cfg_file(
        "amqp.txt",
        "[message-broker]\npassword = guest\nexchange = amq.topic\ntopic = ds.test\namqp-framesize = 131072\n",
    );
    let s = BrokerSettings::new(
        "libnvds_amqp_proto.so",
        &format!("127.0.0.1;{port};guest"),
        Some(&cfg),
    )
    .unwrap();
    let mut sender = s.start().unwrap();
    for i in 0..10 {
        assert!(sender.send("ds.test", i.to_string().into_bytes()));
    }
    let st = sender.close(Duration::from_secs(30));
    assert_eq!((st.sent, st.dropped), (10, 0), "{st:?}");
    let got: Vec<String> = rt.block_on(async {
        let mut out = Vec::new();
        let start = Instant::now();
        while out.len() < 10 && start.elapsed() < Duration::from_secs(10) {
            match ch
                .basic_get("q".into(), lapin::options::BasicGetOptions { no_ack: true })
                .await
                .unwrap()
            {
                Some(m) => out.push(String::from_utf8_lossy(&m.delivery.data).into_owned()),
                None => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let _ = BasicConsumeOptions::default();
        let _ = conn.close(200, "bye".into()).await;
        out
    });
    assert_eq!(got, (0..10).map(|i| i.to_string()).collect::<Vec<_>>());
}

/// The MQTT adapter over TLS against mosquitto's TLS listener requiring a client certificate
/// (mutual TLS), with certificates made here: `tls-cafile` and `tls-capath` each deliver
/// (seen by a subscriber on the plain listener); a CA that did not sign the broker's
/// certificate, or no client certificate, fails the connection with an error naming the
/// CA file (the messages are retried for the bounded time, then dropped and counted).
#[test]
fn mqtt_over_mutual_tls_with_cafile_or_capath() {
    let tls = servers::tls_files(&ds_testkit::out_path("ds-msg", "tls"));
    let (broker, tls_port) = servers::mosquitto_tls(&tls, true);
    let (got, t, sub) = mqtt_subscriber(broker.port, "ds/tls");
    let capath = ds_testkit::out_path("ds-msg", "tls-capath");
    let _ = std::fs::remove_dir_all(&capath);
    std::fs::create_dir_all(&capath).unwrap();
    std::fs::copy(&tls.ca, capath.join("test-ca.pem")).unwrap();
    std::fs::write(capath.join("README"), "not a certificate\n").unwrap();
    let client = format!(
        "tls-certfile={}\ntls-keyfile={}\n",
        tls.client_cert.display(),
        tls.client_key.display()
    );
    let conn = format!("127.0.0.1;{tls_port}");
    let send = |name: &str, keys: &str, n: usize| {
        let conf = cfg_file(
            name,
            &format!("[message-broker]\nenable-tls=1\nretry-interval=1\nmax-retry-limit=2\n{keys}"),
        );
        let s = BrokerSettings::new("libnvds_mqtt_proto.so", &conn, Some(&conf))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut sender = s.start().unwrap();
        for i in 0..n {
            assert!(sender.send("ds/tls", format!("{{\"{name}\":{i}}}").into_bytes()));
        }
        sender.close(Duration::from_secs(20))
    };
    let with_cafile = format!("tls-cafile={}\n{client}", tls.ca.display());
    let st = send("cafile", &with_cafile, 3);
    assert_eq!((st.sent, st.dropped), (3, 0), "tls-cafile: {st:?}");
    let with_capath = format!("tls-capath={}\n{client}", capath.display());
    let st = send("capath", &with_capath, 2);
    assert_eq!((st.sent, st.dropped), (2, 0), "tls-capath: {st:?}");
    let start = Instant::now();
    while got.lock().unwrap().len() < 5 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let _ = sub.disconnect();
    let _ = t.join();
    let expected = [
        "{\"cafile\":0}",
        "{\"cafile\":1}",
        "{\"cafile\":2}",
        "{\"capath\":0}",
        "{\"capath\":1}",
    ];
    assert_eq!(*got.lock().unwrap(), expected);

    // The wrong CA: the broker's certificate is refused, the error names the CA file.
    let wrong = format!("tls-cafile={}\n{client}", tls.other_ca.display());
    let s = BrokerSettings::new(
        "libnvds_mqtt_proto.so",
        &conn,
        Some(&cfg_file("wrong-ca.txt", &format!("[message-broker]\nenable-tls=1\n{wrong}"))),
    )
    .unwrap();
    let (mut adapter, _) = s.adapter().unwrap();
    let e = adapter.connect().unwrap_err().to_string();
    assert!(
        e.contains("certificate") && e.contains(&tls.other_ca.display().to_string()),
        "{e}"
    );
    // Through the sender: retried for max-retry-limit, then dropped and counted.
    let st = send("wrongca", &wrong, 2);
    assert_eq!((st.sent, st.dropped), (0, 2), "{st:?}");

    // No client certificate where the broker requires one: refused.
    let s = BrokerSettings::new(
        "libnvds_mqtt_proto.so",
        &conn,
        Some(&cfg_file(
            "no-client-cert.txt",
            &format!("[message-broker]\nenable-tls=1\ntls-cafile={}\n", tls.ca.display()),
        )),
    )
    .unwrap();
    let (mut adapter, _) = s.adapter().unwrap();
    let e = adapter.connect().unwrap_err().to_string();
    assert!(e.contains("over TLS") || e.contains("certificate"), "{e}");
}

/// Bad TLS settings fail when the adapter is made, naming the config file, the key and the
/// file at fault.
#[test]
fn bad_mqtt_tls_settings_are_named() {
    let tls = servers::tls_files(&ds_testkit::out_path("ds-msg", "tls-bad"));
    let not_pem = ds_testkit::out_path("ds-msg", "not-a-ca.pem");
    std::fs::write(&not_pem, "this is no certificate\n").unwrap();
    let empty_dir = ds_testkit::out_path("ds-msg", "empty-capath");
    let _ = std::fs::remove_dir_all(&empty_dir);
    std::fs::create_dir_all(&empty_dir).unwrap();
    let cases = [
        ("", "tls-cafile: enable-tls=1 needs the broker's CA".to_string()),
        (
            "tls-cafile=/nonexistent/ca.crt\n",
            "tls-cafile: cannot read /nonexistent/ca.crt".to_string(),
        ),
        (
            &*format!("tls-cafile={}\n", not_pem.display()),
            format!("tls-cafile: {}: no PEM certificate", not_pem.display()),
        ),
        (
            &*format!("tls-capath={}\n", empty_dir.display()),
            format!(
                "tls-capath: no PEM CA certificate (-----BEGIN CERTIFICATE-----) in the folder {}",
                empty_dir.display()
            ),
        ),
        (
            &*format!(
                "tls-cafile={}\ntls-certfile={}\n",
                tls.ca.display(),
                tls.client_cert.display()
            ),
            "tls-keyfile: tls-certfile is set but tls-keyfile is not".to_string(),
        ),
        (
            &*format!(
                "tls-cafile={}\ntls-certfile={}\ntls-keyfile={}\n",
                tls.ca.display(),
                tls.client_cert.display(),
                tls.ca.display()
            ),
            format!("tls-keyfile: {}: no PEM private key", tls.ca.display()),
        ),
        (
            &*format!(
                "tls-cafile={}\ntls-certfile={}\ntls-keyfile={}\n",
                tls.ca.display(),
                tls.client_cert.display(),
                tls.server_key.display()
            ),
            format!("tls-keyfile: {} does not go with the certificate", tls.server_key.display()),
        ),
    ];
    for (i, (keys, want)) in cases.iter().enumerate() {
        let conf = cfg_file(
            &format!("bad-tls-{i}.txt"),
            &format!("[message-broker]\nenable-tls=1\n{keys}"),
        );
        let e = match BrokerSettings::new("libnvds_mqtt_proto.so", "127.0.0.1;8883", Some(&conf)) {
            Ok(_) => panic!("{keys}: accepted"),
            Err(e) => e.to_string(),
        };
        let want = format!("{}: [message-broker] {want}", conf.display());
        assert!(e.contains(&want), "want {want}\ngot  {e}");
    }
}
