//! Every real-world msgconv and broker config of the corpus (`tests/data/corpus`, copied
//! byte-for-byte from public repositories; `../shared/reference/config-corpus` when present)
//! is read, or rejected with a precise message.

use std::path::{Path, PathBuf};

use ds_msg::broker::{BrokerConfig, BrokerSettings};
use ds_msg::config::MsgConvConfig;

fn corpus_dir(kind: &str) -> PathBuf {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/config-corpus")
        .join(kind);
    if shared.is_dir() {
        shared
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/corpus")
            .join(kind)
    }
}

fn files(kind: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir(kind))
        .expect("corpus folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

fn msgconv(name: &str) -> MsgConvConfig {
    MsgConvConfig::from_file(&corpus_dir("msgconv").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_msgconv_file_is_read() {
    let names = files("msgconv");
    assert_eq!(names.len(), 4, "{names:?}");
    for n in &names {
        let c = msgconv(n);
        assert!(!c.sensors.is_empty(), "{n}: no sensor read");
        assert!(c.warnings.is_empty(), "{n}: {:?}", c.warnings);
    }
}

#[test]
fn test4_config_as_deepstream_reads_it() {
    let c = msgconv("KamoliddinS__ds_yolov5-nvdsa-nvdsmsg__dstest4_msgconv_config.txt");
    let s = &c.sensors[&0];
    assert_eq!(s.id, "CAMERA_ID");
    assert_eq!(s.type_, "Camera");
    // GKeyFile keeps the double quotes, so DeepStream's JSON has them too.
    assert_eq!(s.description, "\"Entrance of Garage Right Lane\"");
    assert_eq!(s.location, [45.293701447, -75.8303914499, 48.1557479338]);
    assert_eq!(s.coordinate, [5.2, 10.1, 11.2]);
    assert_eq!(c.places.keys().copied().collect::<Vec<_>>(), [0, 1]);
    assert_eq!(
        c.places[&1].sub_fields,
        ["\"C-76-2\"", "\"LEV/EV/CP/ADA\"", "P2"]
    );
    assert_eq!(c.places[&0].location, [30.32, -40.55, 100.0]);
    // No final newline: the last value is whole.
    assert_eq!(c.analytics[&0].version, "1.0");
    assert_eq!(c.analytics[&0].source, "OpenALR");
}

#[test]
fn yaml_form_gives_the_same_groups_unquoted() {
    let y = msgconv("KamoliddinS__ds_yolov5-nvdsa-nvdsmsg__dstest4_msgconv_config.yml");
    let t = msgconv("KamoliddinS__ds_yolov5-nvdsa-nvdsmsg__dstest4_msgconv_config.txt");
    assert_eq!(y.sensors[&0].description, "Entrance of Garage Right Lane");
    assert_eq!(y.sensors[&0].location, t.sensors[&0].location);
    assert_eq!(y.places[&1].sub_fields, ["C-76-2", "LEV/EV/CP/ADA", "P2"]);
    assert_eq!(y.places[&0].id, "1");
    // `version: 1.0` is a YAML float: still written "1.0".
    assert_eq!(y.analytics[&0].version, "1.0");
}

#[test]
fn large_and_old_configs() {
    let big =
        msgconv("NVIDIA-AI-IOT__deepstream-occupancy-analytics__config__msgconv_sample_config.txt");
    assert_eq!(big.sensors.len(), 100);
    assert_eq!(big.places.len(), 100);
    assert_eq!(big.analytics.len(), 2);
    assert_eq!(
        big.sensors[&0].id,
        "HWY_20_AND_LOCUST__EBA__4_11_2018_4_59_59_508_AM_UTC-07_00"
    );
    let old = msgconv("ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest4_msgconv_config.txt");
    assert_eq!(old.places[&0].name, "Oulu crossroad");
    assert_eq!(
        old.places[&0].coordinate, [0.0; 3],
        "commented-out coordinate: zeros"
    );
    assert_eq!(old.places[&0].sub_fields[2], "");
    assert_eq!(old.analytics.len(), 2);
    assert_eq!(old.analytics[&1].description, "Traffic Statistics");
}

#[test]
fn every_broker_file_is_read_with_its_adapter() {
    let names = files("broker");
    assert_eq!(names.len(), 4, "{names:?}");
    for n in &names {
        let path = corpus_dir("broker").join(n);
        let cfg = BrokerConfig::from_file(&path).unwrap_or_else(|e| panic!("{n}: {e}"));
        if n.contains("mqtt") {
            assert_eq!(cfg.get("username"), Some("user"), "{n}");
            let (adapter, warnings) =
                BrokerSettings::new("libnvds_mqtt_proto.so", "127.0.0.1;1883", Some(&path))
                    .and_then(|s| s.adapter())
                    .unwrap_or_else(|e| panic!("{n}: {e}"));
            drop(adapter);
            assert!(warnings.is_empty(), "{n}: {warnings:?}");
        } else {
            // Kafka configs: the partition key is a path into the message.
            let key = cfg
                .get("partition-key")
                .unwrap_or_else(|| panic!("{n}: no partition-key"));
            assert!(key == "sensor.id" || key == "camera.id", "{n}: {key}");
        }
    }
}

#[test]
fn bad_msgconv_inputs_name_file_group_and_key() {
    let dir = std::env::temp_dir().join(format!("ds-msg-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("nope.txt");
    let e = MsgConvConfig::from_file(&missing).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}: cannot read the msgconv config",
            missing.display()
        )),
        "{e}"
    );
    let f = dir.join("bad_group.txt");
    std::fs::write(&f, "[sensor0]\nenable=1\n[placeX]\nenable=1\n").unwrap();
    let e = MsgConvConfig::from_file(&f).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}: [placeX]: wrong place group name",
            f.display()
        )),
        "{e}"
    );
    let f = dir.join("bad_key.txt");
    std::fs::write(&f, "[sensor0]\nenable=1\ncoordinate=1;2;x\n").unwrap();
    let e = MsgConvConfig::from_file(&f).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}: [sensor0] coordinate: \"1;2;x\": \"x\" is not a number",
            f.display()
        )),
        "{e}"
    );
    let f = dir.join("bad.yml");
    std::fs::write(&f, "sensor0:\n  enable: 1\n  location: [1, 2, 3]\n").unwrap();
    let e = MsgConvConfig::from_file(&f).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}: [sensor0] location: expected a single value",
            f.display()
        )),
        "{e}"
    );
    let f = dir.join("broker.txt");
    std::fs::write(&f, "[broker]\nx=1\n").unwrap();
    let e = BrokerConfig::from_file(&f).unwrap_err().to_string();
    assert!(e.contains("no [message-broker] group"), "{e}");
    std::fs::write(&f, "[message-broker]\nretry-interval=soon\n").unwrap();
    let e = BrokerSettings::new("libnvds_redis_proto.so", "127.0.0.1;6379", Some(&f))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{}: [message-broker] retry-interval: \"soon\" is not a non-negative integer",
            f.display()
        )
    );
}
