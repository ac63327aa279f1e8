//! deepstream-test2's secondary classifier configs: the DeepStream ones read as nvinfer reads
//! them (repeated keys), the portable ones (EfficientNet-Lite0 with class-id-map) on real
//! crops: vtest's parked van, darknet's truck, and measured cost per crop.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{require, still, vtest_frame};
use ds_infer::{InferConfig, Inference, NetworkType, ProcessMode, Rect};

fn test2(rel: &str) -> PathBuf {
    common::root().join("configs/deepstream-test2").join(rel)
}

fn load(rel: &str) -> Inference {
    require("models/efficientnet-lite0/efficientnet-lite0.onnx");
    let c = InferConfig::from_file(&test2(rel)).unwrap_or_else(|e| panic!("{e}"));
    Inference::new(&c).unwrap_or_else(|e| panic!("{e}"))
}

/// The van parked at the top right of vtest.avi (768x576), frame 0.
const VAN: Rect = Rect {
    left: 648.0,
    top: 40.0,
    width: 80.0,
    height: 62.0,
};

#[test]
fn deepstream_sgie_configs_keep_the_last_of_repeated_keys() {
    for (name, gie) in [
        ("dstest2_sgie1_config.txt", 2),
        ("dstest2_sgie2_config.txt", 3),
    ] {
        let c = InferConfig::parse_file(&test2(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.process_mode, ProcessMode::Secondary);
        assert_eq!(c.network_type, NetworkType::Classifier, "is-classifier=1");
        assert_eq!(c.gie_unique_id, gie);
        assert_eq!(c.operate_on_gie_id, 1);
        assert_eq!(c.operate_on_class_ids, vec![0]);
        assert_eq!(c.batch_size, 16);
        assert!(c.classifier_async_mode);
        assert!((c.classifier_threshold - 0.51).abs() < 1e-6);
        assert_eq!(
            (c.input_object_min_width, c.input_object_min_height),
            (64, 64)
        );
        assert_eq!(c.secondary_reinfer_interval, None);
    }
    // GKeyFile keeps the last value of a repeated key, so does nvinfer, so do we
    let p = Path::new("/tmp/dup.txt");
    let c = InferConfig::parse_bytes(
        p,
        b"[property]\nis-classifier=1\nprocess-mode=1\nprocess-mode=2\n",
    )
    .unwrap();
    assert_eq!(c.process_mode, ProcessMode::Secondary);
    let c = InferConfig::parse_bytes(
        p,
        b"[property]\nis-classifier=1\nprocess-mode=2\nprocess-mode=1\n",
    )
    .unwrap();
    assert_eq!(c.process_mode, ProcessMode::Primary);
}

#[test]
fn portable_sgies_name_the_parked_van_and_the_truck() {
    let frame = vtest_frame(0);
    let mut sgie1 = load("portable/dstest2_sgie1_config.txt");
    let mut sgie2 = load("portable/dstest2_sgie2_config.txt");
    let c2 = sgie2.config();
    assert_eq!(
        c2.labels,
        vec![vec![
            "coupe",
            "largevehicle",
            "sedan",
            "suv",
            "truck",
            "van"
        ]]
    );
    assert_eq!((c2.gie_unique_id, c2.operate_on_gie_id), (3, 1));

    let van1 = sgie1.infer(&[frame.region(VAN)]).unwrap();
    let van2 = sgie2.infer(&[frame.region(VAN)]).unwrap();
    eprintln!(
        "van: sgie1 {:?}; sgie2 {:?}",
        van1[0].attributes, van2[0].attributes
    );
    assert_eq!(van1[0].attributes.len(), 1);
    assert_eq!(van1[0].attributes[0].label.as_deref(), Some("moving van"));
    assert!(van1[0].attributes[0].probability > 0.5);
    assert_eq!(van2[0].attributes[0].label.as_deref(), Some("van"));
    // summed: moving van + minibus + ambulance ... is more than moving van alone
    assert!(van2[0].attributes[0].probability > van1[0].attributes[0].probability + 0.05);

    // darknet's dog.jpg: the truck at the top right is a pickup (sgie1) and a truck (sgie2)
    let dog = still("dog.jpg");
    let truck = Rect::new(465.0, 75.0, 225.0, 95.0);
    let t1 = sgie1.infer(&[dog.region(truck)]).unwrap();
    let t2 = sgie2.infer(&[dog.region(truck)]).unwrap();
    eprintln!(
        "truck: sgie1 {:?}; sgie2 {:?}",
        t1[0].attributes, t2[0].attributes
    );
    assert_eq!(t2[0].attributes[0].label.as_deref(), Some("truck"));
    // the dog of the same photo: no vehicle class reaches the thresholds
    let the_dog = Rect::new(130.0, 220.0, 180.0, 320.0);
    let d1 = sgie1.infer(&[dog.region(the_dog)]).unwrap();
    let d2 = sgie2.infer(&[dog.region(the_dog)]).unwrap();
    assert!(d1[0].attributes.is_empty(), "{:?}", d1[0].attributes);
    assert!(d2[0].attributes.is_empty(), "{:?}", d2[0].attributes);
}

/// Measured, not asserted beyond a loose bound: the cost of one crop in a batch of 16.
#[test]
fn crop_cost_in_a_batch_of_sixteen() {
    let frame = vtest_frame(0);
    let mut sgie2 = load("portable/dstest2_sgie2_config.txt");
    let crops: Vec<_> = (0..16)
        .map(|i| {
            frame.region(Rect::new(
                600.0 - 20.0 * i as f32,
                30.0 + 10.0 * i as f32,
                120.0,
                80.0,
            ))
        })
        .collect();
    sgie2.infer(&crops[..1]).unwrap(); // warm-up
    let t = Instant::now();
    let one = sgie2.infer(&crops[..1]).unwrap();
    let single = t.elapsed();
    let t = Instant::now();
    let out = sgie2.infer(&crops).unwrap();
    let batch = t.elapsed();
    assert_eq!((one.len(), out.len()), (1, 16));
    eprintln!(
        "EfficientNet-Lite0 224x224: 1 crop {:.1} ms; 16 crops {:.1} ms = {:.1} ms per crop",
        single.as_secs_f64() * 1e3,
        batch.as_secs_f64() * 1e3,
        batch.as_secs_f64() * 1e3 / 16.0
    );
    assert!(batch.as_secs_f64() < 16.0, "16 crops took {batch:?}");
}

#[test]
fn a_classifier_map_beyond_the_labels_is_refused() {
    require("models/efficientnet-lite0/efficientnet-lite0.onnx");
    let dir = test2("portable");
    let text = std::fs::read_to_string(dir.join("dstest2_sgie2_config.txt"))
        .unwrap()
        .replace("734:5", "734:6");
    let p = dir.join("bad-map-test.txt");
    let c = InferConfig::parse_bytes(&p, text.as_bytes()).unwrap();
    let mut c = c;
    c.load_labels().unwrap();
    let err = Inference::new(&c).err().expect("refused").to_string();
    assert!(
        err.contains("class-id-map") && err.contains("class 6 has no label"),
        "{err}"
    );
}
