//! dsmsgconv and dsmsgbroker in real pipelines: event metadata in, DeepStream schema JSON
//! out, received from a real redis-server on 127.0.0.1; bad settings fail at start with
//! messages naming what is wrong.
mod common;

use common::{init, launch, run};
use ds_meta::{BatchMeta, ExtObject, NvDsEventType, Person, Vehicle};
use gst::prelude::*;
use std::time::Duration;

const MSGCONV: &str = "[sensor0]\nenable=1\ntype=Camera\nid=CAMERA_ID\nlocation=45.29;-75.83;48.15\ndescription=Entrance\ncoordinate=5.2;10.1;11.2\n\
[place0]\nenable=1\nid=1\ntype=garage\nname=XYZ\nlocation=30.32;-40.55;100.0\ncoordinate=1.0;2.0;3.0\nplace-sub-field1=walsh\nplace-sub-field2=lane1\nplace-sub-field3=P2\n\
[analytics0]\nenable=1\nid=XYZ\ndescription=Detection\nsource=OpenALR\nversion=1.0\n";

fn msgconv_file() -> String {
    let p = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("msg_test_msgconv.txt");
    std::fs::write(&p, MSGCONV).unwrap();
    p.display().to_string()
}

/// Pushes 3 batches: frame 0 with a vehicle event, frame 1 without events, frame 2 with a
/// person and a vehicle event.
fn push_events(p: &gst::Pipeline) {
    let src = p
        .by_name("src")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    for n in 0..3 {
        let mut buf = gst::Buffer::with_size(16).unwrap();
        {
            let b = buf.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_mseconds(n * 33));
            let batch = BatchMeta::attach(b, 1).unwrap();
            let frame = batch.add_frame_meta().unwrap();
            frame.set_frame_num(n as i32);
            let kinds: &[bool] = match n {
                0 => &[true],
                2 => &[false, true],
                _ => &[],
            };
            for (i, &vehicle) in kinds.iter().enumerate() {
                let m = frame.add_event_msg_meta().unwrap();
                m.bbox_mut().left = 100.0 + i as f32;
                m.bbox_mut().top = 50.0;
                m.bbox_mut().width = 20.0;
                m.bbox_mut().height = 10.0;
                m.set_frame_id(n as i32);
                m.set_confidence(0.75);
                m.set_tracking_id(i as u64);
                m.set_sensor_str("sensor-0").unwrap();
                m.set_ts("2026-01-01T00:00:00.000Z").unwrap();
                if vehicle {
                    m.set_event_type(NvDsEventType::NVDS_EVENT_MOVING);
                    m.set_ext(&ExtObject::Vehicle(Vehicle {
                        type_: "sedan".into(),
                        color: "blue".into(),
                        make: "Bugatti".into(),
                        model: "M".into(),
                        license: "XX1234".into(),
                        region: "CA".into(),
                    }))
                    .unwrap();
                } else {
                    m.set_event_type(NvDsEventType::NVDS_EVENT_ENTRY);
                    m.set_ext(&ExtObject::Person(Person {
                        age: 45,
                        cap: "none".into(),
                        hair: "black".into(),
                        gender: "male".into(),
                        apparel: "formal".into(),
                    }))
                    .unwrap();
                }
            }
        }
        src.push_buffer(buf).unwrap();
    }
    src.end_of_stream().unwrap();
}

fn pipeline(conv: &str, broker: &str) -> gst::Pipeline {
    launch(&format!(
        "appsrc name=src format=time caps=video/x-raw ! dsmsgconv {conv} ! dsmsgbroker {broker}"
    ))
}

fn xrange(port: u16, stream: &str) -> Vec<serde_json::Value> {
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
            let (_, payload) = kv
                .into_iter()
                .find(|(k, _)| k == "metadata")
                .expect("metadata field");
            serde_json::from_str(&payload).unwrap_or_else(|e| panic!("not JSON ({e}): {payload}"))
        })
        .collect()
}

#[test]
fn full_and_minimal_payloads_reach_redis() {
    init();
    let server = ds_testkit::servers::redis(false);
    let cfg = msgconv_file();
    for (payload_type, expected) in [(0, 3), (1, 2)] {
        let stream = format!("test4-{payload_type}");
        let p = pipeline(
            &format!("config={cfg} payload-type={payload_type}"),
            &format!(
                "proto-lib=libnvds_redis_proto.so conn-str=127.0.0.1;{} topic={stream}",
                server.port
            ),
        );
        let bus_ok = std::thread::scope(|s| {
            let h = s.spawn(|| run(&p, Duration::from_secs(30)));
            std::thread::sleep(Duration::from_millis(300));
            push_events(&p);
            h.join().unwrap()
        });
        bus_ok.unwrap();
        let msgs = xrange(server.port, &stream);
        assert_eq!(
            msgs.len(),
            expected,
            "payload-type={payload_type}: {msgs:?}"
        );
        if payload_type == 0 {
            let v = &msgs[0];
            assert_eq!(v["sensor"]["id"], "CAMERA_ID");
            assert_eq!(v["place"]["aisle"]["name"], "lane1", "moving event: aisle");
            assert_eq!(v["analyticsModule"]["source"], "OpenALR");
            assert_eq!(v["object"]["vehicle"]["make"], "Bugatti");
            assert_eq!(v["object"]["bbox"]["topleftx"], 100);
            assert_eq!(v["event"]["type"], "moving");
            assert_eq!(v["@timestamp"], "2026-01-01T00:00:00.000Z");
            assert_eq!(msgs[1]["object"]["person"]["age"], 45);
            assert_eq!(
                msgs[1]["place"]["entrance"]["name"], "walsh",
                "person entry: entrance"
            );
        } else {
            assert_eq!(msgs[0]["objects"].as_array().unwrap().len(), 1);
            assert_eq!(msgs[1]["objects"].as_array().unwrap().len(), 2);
            assert_eq!(msgs[1]["id"], "2");
            assert_eq!(msgs[1]["sensorId"], "sensor-0");
            assert_eq!(
                msgs[1]["objects"][0],
                "0|100|50|120|60|Person|#|male|45|black|none|formal|0.75"
            );
        }
    }
}

#[test]
fn bad_settings_fail_at_start_naming_what_is_wrong() {
    init();
    let cfg = msgconv_file();
    let cases = [
        (format!("config={cfg}"), "proto-lib=libnvds_nope_proto.so conn-str=127.0.0.1;1 topic=t".to_string(),
         "proto-lib \"libnvds_nope_proto.so\": unknown adapter library"),
        (format!("config={cfg}"), "proto-lib=libnvds_mqtt_proto.so conn-str=127.0.0.1 topic=t".into(),
         "conn-str \"127.0.0.1\" for MQTT: expected host;port"),
        (format!("config={cfg}"), "proto-lib=libnvds_mqtt_proto.so conn-str=127.0.0.1;1883".into(), "no topic for MQTT"),
        (format!("config={cfg}"), "proto-lib=libnvds_redis_proto.so conn-str=127.0.0.1;1 topic=t config=/nonexistent/cfg_redis.txt".into(),
         "/nonexistent/cfg_redis.txt: cannot read the broker config"),
        ("config=/nonexistent/msgconv.txt".to_string(), "proto-lib=libnvds_redis_proto.so conn-str=127.0.0.1;1 topic=t".into(),
         "/nonexistent/msgconv.txt: cannot read the msgconv config"),
        (format!("config={cfg} payload-type=2"), "proto-lib=libnvds_redis_proto.so conn-str=127.0.0.1;1 topic=t".into(),
         "payload-type=2 (protobuf schema) is not implemented"),
        (format!("config={cfg} msg2p-lib=libcustom.so"), "proto-lib=libnvds_redis_proto.so conn-str=127.0.0.1;1 topic=t".into(),
         "msg2p-lib=libcustom.so: custom converter libraries are not supported"),
    ];
    for (conv, broker, want) in cases {
        let p = pipeline(&conv, &broker);
        let e = run(&p, Duration::from_secs(10)).expect_err(want);
        let e = e.replace("\\\"", "\"");
        assert!(e.contains(want), "{conv} | {broker}: {e}");
    }
}
