//! Every real-world nvdspreprocess config of the corpus (`tests/data/preprocess-corpus`,
//! copied byte-for-byte from public repositories, see `../shared/reference/config-corpus/`)
//! is read, or rejected with a precise message; and the portable reader's own checks.

use std::path::{Path, PathBuf};

use ds_infer::config::Level;
use ds_infer::preprocess_config::{PreprocessConfig, RoiRect};
use ds_infer::{ColorFormat, TensorOrder};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/preprocess-corpus").join(name)
}

const SGIE: &str = "hiennguyen9874__deepstream-sources__samples__configs__deepstream-app__config_preprocess_sgie.txt";
const OCR: &str = "levipereira__deepstream_ocr__config_preprocess.txt";
const ACTION_3D: &str =
    "hiennguyen9874__deepstream-sources__sources__apps__sample_apps__deepstream-3d-action-recognition__config_preprocess_3d_custom.txt";

#[test]
fn every_corpus_file_is_read_or_rejected_precisely() {
    let mut names: Vec<String> = std::fs::read_dir(corpus(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names, [SGIE, ACTION_3D, OCR]);

    // Object mode (process-on-frame=0), NVIDIA's default library, a mean file, three groups.
    let c = PreprocessConfig::from_file(&corpus(SGIE)).unwrap();
    assert!(!c.process_on_frame);
    assert_eq!((c.unique_id, c.operate_on_gie_id), (6, 1));
    assert_eq!(c.target_unique_ids, [3, 4, 5]);
    assert_eq!(c.network_input_shape, [32, 3, 224, 224]); // "network-input-shape= 32;3;224;224"
    assert_eq!(c.network_color_format, ColorFormat::Bgr);
    assert_eq!((c.processing_width, c.processing_height), (224, 224));
    assert_eq!(c.tensor_name, "input_1");
    assert_eq!(c.groups.len(), 3);
    let g0 = &c.groups[0];
    assert_eq!(g0.src_ids, None); // src-ids=-1
    assert_eq!(g0.rois[&0], [RoiRect { left: 300, top: 200, width: 700, height: 800 }, RoiRect { left: 1300, top: 300, width: 600, height: 700 }]);
    assert_eq!((g0.input_object_min_width, g0.input_object_max_height), (100, 500));
    assert_eq!(c.groups[2].src_ids, Some(vec![3]));
    assert!(c.groups[2].process_on_all_objects);
    let f = corpus(SGIE).display().to_string();
    let warnings: Vec<&str> = c.diagnostics.iter().filter(|d| d.level == Level::Warning).map(|d| d.message.as_str()).collect();
    assert_eq!(
        warnings,
        [format!("{f}: [user-configs] mean-file=/opt/nvidia/deepstream/deepstream/samples/models/Secondary_CarColor/mean.ppm: mean images are not supported by the portable backend; only offsets are subtracted")]
    );

    // GRAY OCR: one ROI on each of two sources, but a tensor batch of 1: two tensors per
    // batch, as nvdspreprocess makes them (gstnvdspreprocess.cpp pushes a batch whenever it
    // holds network-input-shape[0] units; meta_id numbers them).
    let c = PreprocessConfig::from_file(&corpus(OCR)).unwrap();
    assert_eq!(c.network_input_shape, [1, 1, 32, 100]);
    assert_eq!(c.units(&[0, 1]), 2);
    let info: Vec<&str> = c.diagnostics.iter().filter(|d| d.level == Level::Info).map(|d| d.message.as_str()).collect();
    assert!(
        info.contains(&format!("{}: 2 ROIs/frames for sources [0, 1] exceed the tensor's batch dimension 1 (network-input-shape): each batch makes 2 tensors, as nvdspreprocess does", corpus(OCR).display()).as_str()),
        "{info:?}"
    );

    // 3D action recognition: a 5-D tensor from NVIDIA's sequence library.
    let e = PreprocessConfig::from_file(&corpus(ACTION_3D)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] network-input-shape=4;3;32;224;224: 5 dimensions: the portable backend makes 4-D tensors (batch;channels;height;width, or batch;height;width;channels for NHWC)",
            corpus(ACTION_3D).display()
        )
    );
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ds-infer-preprocess-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const SAMPLE: &str = "[property]\nenable=1\ntarget-unique-ids=1\nnetwork-input-order=0\nprocess-on-frame=1\nmaintain-aspect-ratio=1\nsymmetric-padding=1\nprocessing-width=960\nprocessing-height=544\nnetwork-input-shape=8;3;544;960\nnetwork-color-format=0\ntensor-data-type=0\ntensor-name=input_1:0\ncustom-lib-path=/opt/nvidia/deepstream/deepstream/lib/gst-plugins/libcustom2d_preprocess.so\ncustom-tensor-preparation-function=CustomTensorPreparation\n\n[user-configs]\npixel-normalization-factor=0.003921568\n\n[group-0]\nsrc-ids=0;1;2;3\ncustom-input-transformation-function=CustomAsyncTransformation\nprocess-on-roi=1\nroi-params-src-0=0;540;900;500;960;0;900;500\nroi-params-src-1=0;540;900;500;960;0;900;500\n";

#[test]
fn the_samples_config_and_its_errors() {
    let c = PreprocessConfig::from_file(&write("ok.txt", SAMPLE)).unwrap();
    assert_eq!(c.nchw(), [8, 3, 544, 960]);
    assert_eq!(c.network_input_order, TensorOrder::Nchw);
    assert!(c.maintain_aspect_ratio && c.symmetric_padding);
    assert!((c.pixel_normalization_factor - 0.003_921_568).abs() < 1e-9);
    assert_eq!(c.units(&[0, 1, 2, 3]), 4); // sources 2 and 3 have no ROI
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);

    // more ROIs than the batch dimension: several tensors per batch, not an error
    let p = write("many.txt", &SAMPLE.replace("8;3;544;960", "3;3;544;960"));
    let c = PreprocessConfig::from_file(&p).unwrap();
    assert!(c.diagnostics.iter().any(|d| d.level == Level::Info
        && d.message.ends_with("4 ROIs/frames for sources [0, 1, 2, 3] exceed the tensor's batch dimension 3 (network-input-shape): each batch makes 2 tensors, as nvdspreprocess does")), "{:?}", c.diagnostics);
    // another custom library
    let p = write("lib.txt", &SAMPLE.replace("gst-plugins/libcustom2d_preprocess.so", "libmy_preprocess.so"));
    let e = PreprocessConfig::from_file(&p).unwrap_err().to_string();
    assert!(e.contains("[property] custom-lib-path=/opt/nvidia/deepstream/deepstream/lib/libmy_preprocess.so: only NVIDIA's default library (libcustom2d_preprocess.so) has a portable implementation"), "{e}");
    // channels that do not match the colour format; a bad ROI; FP16
    let p = write("ch.txt", &SAMPLE.replace("network-color-format=0", "network-color-format=2"));
    let e = PreprocessConfig::from_file(&p).unwrap_err().to_string();
    assert!(e.contains("[property] network-input-shape=8;3;544;960: 3 channels do not match network-color-format (which gives 1)"), "{e}");
    let p = write("roi.txt", &SAMPLE.replace("roi-params-src-1=0;540;900;500;960;0;900;500", "roi-params-src-1=0;540;900"));
    let e = PreprocessConfig::from_file(&p).unwrap_err().to_string();
    assert!(e.contains("[group-0] roi-params-src-1=0;540;900: expected left;top;width;height for each ROI"), "{e}");
    let p = write("fp16.txt", &SAMPLE.replace("tensor-data-type=0", "tensor-data-type=5"));
    let e = PreprocessConfig::from_file(&p).unwrap_err().to_string();
    assert!(e.contains("[property] tensor-data-type=5: the portable backend makes FP32 tensors only"), "{e}");
}
