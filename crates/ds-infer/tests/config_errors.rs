//! Every kind of bad config gives an error (or warning) naming the file, group, key and value.

mod common;

use common::{require, write_config, write_file};
use ds_infer::config::Level;
use ds_infer::{ConfigError, InferConfig, InferError, Inference, RuntimeError};

/// Parses config text written to a temporary file; returns the file and the error text.
fn error_of(name: &str, text: &str) -> (String, String) {
    let p = write_config(name, text);
    let e = InferConfig::from_file(&p).expect_err("the config must be rejected");
    (p.display().to_string(), e.to_string())
}

const GOOD: &str =
    "[property]\nonnx-file=@ROOT@/models/age-gender/gender-v1.onnx\nnetwork-type=1\n";

fn with(extra_property: &str) -> String {
    format!("{GOOD}{extra_property}\n")
}

#[test]
fn bad_numbers_name_file_group_key_and_value() {
    let cases = [
        (
            "batch-size=abc",
            "[property] batch-size=abc: expected an integer",
        ),
        (
            "class-id-map=2:0;2:1",
            "[property] class-id-map=2:0;2:1: expected ';'-separated pairs model_class:output_class of integers >= 0, each model class once",
        ),
        (
            "class-id-map=car:0",
            "[property] class-id-map=car:0: expected ';'-separated pairs model_class:output_class of integers >= 0, each model class once",
        ),
        (
            "batch-size=0",
            "[property] batch-size=0: expected an integer from 1 to 1024",
        ),
        (
            "net-scale-factor=1/255",
            "[property] net-scale-factor=1/255: expected a number",
        ),
        (
            "process-mode=3",
            "[property] process-mode=3: expected an integer from 1 to 2",
        ),
        (
            "cluster-mode=7",
            "[property] cluster-mode=7: expected an integer from 0 to 4",
        ),
        (
            "model-color-format=4",
            "[property] model-color-format=4: expected an integer from 0 to 2",
        ),
        (
            "network-type=5",
            "[property] network-type=5: expected 0 (detector), 1 (classifier), 2 (segmentation), 3 (instance segmentation) or 100 (other)",
        ),
        (
            "interval=-1",
            "[property] interval=-1: expected an integer from 0 to 4294967295",
        ),
        (
            "gie-unique-id=0",
            "[property] gie-unique-id=0: expected an integer from 1 to 2147483647",
        ),
        (
            "operate-on-gie-id=-2",
            "[property] operate-on-gie-id=-2: expected an integer from -1 to 2147483647",
        ),
        (
            "operate-on-class-ids=0;a;2",
            "[property] operate-on-class-ids=0;a;2: expected a ';'-separated list of integers >= 0",
        ),
        (
            "filter-out-class-ids=-1",
            "[property] filter-out-class-ids=-1: expected a ';'-separated list of integers >= 0",
        ),
        (
            "classifier-threshold=1.5",
            "[property] classifier-threshold=1.5: expected a number from 0 to 1",
        ),
        (
            "maintain-aspect-ratio=yes",
            "[property] maintain-aspect-ratio=yes: expected 0 or 1 (or true/false)",
        ),
        (
            "output-tensor-meta=2",
            "[property] output-tensor-meta=2: expected 0 or 1 (or true/false)",
        ),
        (
            "infer-dims=3;416",
            "[property] infer-dims=3;416: expected channels;height;width (3 positive integers)",
        ),
        (
            "infer-dims=3;0;416",
            "[property] infer-dims=3;0;416: expected channels;height;width (3 positive integers)",
        ),
        (
            "infer-dims=1;32;32",
            "[property] infer-dims=1;32;32: 1 channels do not match model-color-format (which gives 3)",
        ),
        (
            "input-dims=3;544;960;5",
            "[property] input-dims=3;544;960;5: the 4th value (input order) must be 0 (NCHW) or 1 (NHWC)",
        ),
        (
            "offsets=1;2",
            "[property] offsets=1;2: expected 3 values, one per channel of model-color-format=0",
        ),
        (
            "offsets=1;x;3",
            "[property] offsets=1;x;3: expected a ';'-separated list of numbers",
        ),
        (
            "input-object-min-width=-5",
            "[property] input-object-min-width=-5: expected an integer from 0 to 4294967295",
        ),
    ];
    for (i, (line, want)) in cases.iter().enumerate() {
        let (file, got) = error_of(&format!("bad-number-{i}.txt"), &with(line));
        assert_eq!(got, format!("{file}: {want}"), "for {line}");
    }
}

#[test]
fn bad_class_attributes_name_their_group() {
    let cases = [
        (
            "[class-attrs-all]\nnms-iou-threshold=1.5",
            "[class-attrs-all] nms-iou-threshold=1.5: expected a number from 0 to 1",
        ),
        (
            "[class-attrs-all]\ntopk=-2",
            "[class-attrs-all] topk=-2: expected an integer from -1 to 2147483647",
        ),
        (
            "[class-attrs-2]\npre-cluster-threshold=high",
            "[class-attrs-2] pre-cluster-threshold=high: expected a number",
        ),
        (
            "[class-attrs-0]\neps=-0.1",
            "[class-attrs-0] eps=-0.1: expected a number >= 0",
        ),
        (
            "[class-attrs-1]\nminBoxes=two",
            "[class-attrs-1] minBoxes=two: expected an integer",
        ),
        (
            "[class-attrs-all]\ndetected-min-w=-3",
            "[class-attrs-all] detected-min-w=-3: expected an integer from 0 to 4294967295",
        ),
        (
            "[class-attrs-all]\nborder-color=1;0;0",
            "[class-attrs-all] border-color=1;0;0: expected red;green;blue;alpha, each from 0 to 1",
        ),
    ];
    for (i, (group, want)) in cases.iter().enumerate() {
        let text = format!(
            "[property]\nonnx-file=@ROOT@/models/yolov3-tiny/yolov3-tiny.onnx\nnum-detected-classes=80\n{group}\n"
        );
        let (file, got) = error_of(&format!("bad-class-{i}.txt"), &text);
        assert_eq!(got, format!("{file}: {want}"), "for {group}");
    }
}

#[test]
fn missing_model_and_label_files_name_the_resolved_path() {
    let p = write_config(
        "missing-model.txt",
        "[property]\nonnx-file=no/such.onnx\nnetwork-type=1\n",
    );
    let dir = p.parent().expect("folder").display().to_string();
    let e = InferConfig::from_file(&p).expect_err("missing model");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] onnx-file=no/such.onnx: file not found: {dir}/no/such.onnx",
            p.display()
        )
    );
    assert!(matches!(e, ConfigError::MissingFile { ref key, .. } if key == "onnx-file"));

    let p = write_config(
        "missing-labels.txt",
        &with("labelfile-path=labels-that-are-not-there.txt"),
    );
    let e = InferConfig::from_file(&p).expect_err("missing labels");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] labelfile-path=labels-that-are-not-there.txt: file not found: {dir}/labels-that-are-not-there.txt",
            p.display()
        )
    );

    let p = write_config(
        "missing-cfg.txt",
        "[property]\ncustom-network-config=yolo.cfg\nmodel-file=yolo.weights\nnum-detected-classes=80\n",
    );
    let e = InferConfig::from_file(&p).expect_err("missing darknet cfg");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] custom-network-config=yolo.cfg: file not found: {dir}/yolo.cfg",
            p.display()
        )
    );

    // The file itself.
    let p = std::path::Path::new("/nonexistent/dstest1_pgie_config.txt");
    let e = InferConfig::from_file(p).expect_err("no file");
    assert_eq!(
        e.to_string(),
        "/nonexistent/dstest1_pgie_config.txt: cannot read the config file: No such file or directory (os error 2)"
    );
}

#[test]
fn structural_errors() {
    let (file, got) = error_of("no-property.txt", "[class-attrs-all]\ntopk=20\n");
    assert_eq!(
        got,
        format!("{file}: no [property] group: an nvinfer config needs one")
    );

    let (file, got) = error_of("not-a-keyfile.txt", "onnx-file=model.onnx\n");
    assert!(
        got.starts_with(&format!("{file}: not a valid nvinfer key-file config: ")),
        "{got}"
    );

    let (file, got) = error_of(
        "no-classes.txt",
        "[property]\nonnx-file=@ROOT@/models/yolov3-tiny/yolov3-tiny.onnx\n",
    );
    assert_eq!(
        got,
        format!(
            "{file}: [property] num-detected-classes is missing: a detector (network-type=0) needs the number of classes"
        )
    );

    let (file, got) = error_of("instance-seg.txt", &with("network-type=3"));
    assert_eq!(
        got,
        format!(
            "{file}: [property] network-type=3: {}", ds_infer::config::INSTANCE_SEG_WHY
        )
    );

    let p = write_config("config.yml", "property:\n  onnx-file: model.onnx\n");
    let e = InferConfig::from_file(&p).expect_err("yaml");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: YAML nvinfer configs are not supported by the portable backend; write the same keys in the key-file form ([property] and [class-attrs-all] groups)",
            p.display()
        )
    );
}

#[test]
fn unknown_keys_warn_and_deepstream_keys_give_one_info_line() {
    require("models/age-gender/gender-v1.onnx");
    let p = write_config(
        "warnings.txt",
        &with(
            "gpu-id=0\nmodel-engine-file=gender.engine\nint8-calib-file=cal.bin\nnetwork-mode=1\nfancy-new-key=1\n[class-attrs-all]\nthreshold=0.3\nsparkle=2\n[class-attrs-x]\ntopk=1\n[tracker]\nenable=1",
        ),
    );
    let c = InferConfig::from_file(&p).expect("valid config");
    let f = p.display().to_string();
    let msgs: Vec<(Level, String)> = c
        .diagnostics
        .iter()
        .map(|d| (d.level, d.message.clone()))
        .collect();
    assert_eq!(
        msgs,
        vec![
            (
                Level::Warning,
                format!("{f}: [property] unknown key 'fancy-new-key' ignored")
            ),
            (
                Level::Warning,
                format!("{f}: [class-attrs-all] unknown key 'sparkle' ignored")
            ),
            (
                Level::Warning,
                format!(
                    "{f}: group [class-attrs-x] ignored: expected class-attrs-all or class-attrs-<class id>"
                )
            ),
            (
                Level::Warning,
                format!("{f}: group [tracker] is not an nvinfer group; ignored")
            ),
            (
                Level::Info,
                format!(
                    "{f}: DeepStream-only keys ignored by the portable backend: model-engine-file"
                )
            ),
        ]
    );
    assert_eq!(c.class_attrs_all.pre_cluster_threshold, 0.3); // "threshold" is the old name
}

/// A dummy file that exists, so that from_file passes and Inference::new decides.
fn dummy(name: &str) -> String {
    write_file(name, "not a model").display().to_string()
}

#[test]
fn formats_onnx_runtime_cannot_read_are_refused() {
    let etlt = dummy("model.etlt");
    let caffe = dummy("model.caffemodel");
    let uff = dummy("model.uff");
    let cfg = dummy("yolov2.cfg");
    let cases = [
        (format!("tlt-encoded-model={etlt}"), format!("[property] tlt-encoded-model={etlt}: TAO .etlt models are not supported in the portable backend: convert to ONNX and set onnx-file")),
        (format!("model-file={caffe}"), format!("[property] model-file={caffe}: Caffe models are not supported in the portable backend: convert to ONNX and set onnx-file")),
        (format!("uff-file={uff}"), format!("[property] uff-file={uff}: UFF models are not supported in the portable backend: convert to ONNX and set onnx-file")),
        (
            format!("custom-network-config={cfg}"),
            format!(
                "[property] custom-network-config={cfg}: Darknet models are not supported in the portable backend: convert to ONNX ({} was not found) and set onnx-file",
                cfg.replace(".cfg", ".onnx")
            ),
        ),
        (
            "model-engine-file=model_b1_gpu0_int8.engine".to_string(),
            "[property] model-engine-file=model_b1_gpu0_int8.engine: a TensorRT engine cannot run in the portable backend: set onnx-file to the model it was built from".to_string(),
        ),
        ("gpu-id=0".to_string(), "[property] onnx-file is missing: no model is named (onnx-file, model-file or custom-network-config)".to_string()),
    ];
    for (i, (line, want)) in cases.iter().enumerate() {
        let p = write_config(
            &format!("format-{i}.txt"),
            &format!("[property]\n{line}\nnum-detected-classes=4\n"),
        );
        let c = InferConfig::from_file(&p).unwrap_or_else(|e| panic!("{line}: {e}"));
        let e = Inference::new(&c).err().expect("refused");
        assert_eq!(
            e.to_string(),
            format!("{}: {want}", p.display()),
            "for {line}"
        );
    }
}

#[test]
fn model_and_config_disagreements_are_named() {
    require("models/age-gender/age-v1.onnx");
    // infer-dims against a model with a fixed 64x64 input.
    let p = write_config(
        "age-dims.txt",
        "[property]\nonnx-file=@ROOT@/models/age-gender/age-v1.onnx\nnetwork-type=1\ninfer-dims=3;32;32\n",
    );
    let c = InferConfig::from_file(&p).expect("config");
    let e = Inference::new(&c).err().expect("mismatch");
    let model = common::root().join("models/age-gender/age-v1.onnx");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: input 'images' has dims [-1, 3, 64, 64] but infer-dims in {} is 3;32;32 (height differs); use a model with that input size or fix infer-dims",
            model.display(),
            p.display()
        )
    );
    // output-blob-names that the model does not have.
    let p = write_config(
        "age-blobs.txt",
        "[property]\nonnx-file=@ROOT@/models/age-gender/age-v1.onnx\nnetwork-type=1\noutput-blob-names=predictions/Softmax\n",
    );
    let e = Inference::new(&InferConfig::from_file(&p).expect("config"))
        .err()
        .expect("mismatch");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] output-blob-names=predictions/Softmax: the model {} has no output 'predictions/Softmax'; its outputs are: probabilities",
            p.display(),
            model.display()
        )
    );
    // A parser the portable backend does not have.
    let p = write_config(
        "detr.txt",
        "[property]\nonnx-file=@ROOT@/models/yolov3-tiny/yolov3-tiny.onnx\nnum-detected-classes=91\nparse-bbox-func-name=NvDsInferParseCustomDETR\n",
    );
    let e = Inference::new(&InferConfig::from_file(&p).expect("config"))
        .err()
        .expect("unknown parser");
    assert!(
        matches!(e, InferError::Config(ConfigError::Unsupported { ref key, .. }) if key == "parse-bbox-func-name")
    );
    assert!(
        e.to_string().starts_with(&format!(
            "{}: [property] parse-bbox-func-name=NvDsInferParseCustomDETR: no built-in parser of that name in the portable backend; built-in parsers: ",
            p.display()
        )),
        "{e}"
    );
    // A custom classifier parser.
    let p = write_config(
        "lpr.txt",
        &with("parse-classifier-func-name=NvDsInferParseCustomNVPlate"),
    );
    let e = Inference::new(&InferConfig::from_file(&p).expect("config"))
        .err()
        .expect("custom classifier parser");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] parse-classifier-func-name=NvDsInferParseCustomNVPlate: custom classifier parsers are not supported in the portable backend; remove the key to use the softmax parser",
            p.display()
        )
    );
    // A dynamic input without infer-dims.
    require("models/centerface/centerface-dynamic.onnx");
    let p = write_config(
        "cf-nodims.txt",
        "[property]\nonnx-file=@ROOT@/models/centerface/centerface-dynamic.onnx\nnum-detected-classes=1\nparse-bbox-func-name=NvDsInferParseCenterFace\n",
    );
    let e = Inference::new(&InferConfig::from_file(&p).expect("config"))
        .err()
        .expect("no dims");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: [property] infer-dims is missing: the model's input 'input.1' has open dimensions [-1, 3, -1, -1]; set channels;height;width",
            p.display()
        )
    );
}

#[test]
fn missing_runtime_library_says_run_setup() {
    let e = RuntimeError::LibraryNotFound {
        name: "libonnxruntime.so.1.32.0".into(),
        tried: vec![
            "/a/models/onnxruntime/libonnxruntime.so.1.32.0".into(),
            "/models/onnxruntime/libonnxruntime.so.1.32.0".into(),
        ],
    };
    assert_eq!(
        e.to_string(),
        "ONNX Runtime library libonnxruntime.so.1.32.0 not found; tried: /a/models/onnxruntime/libonnxruntime.so.1.32.0, /models/onnxruntime/libonnxruntime.so.1.32.0; run scripts/setup.sh (or set DS_ORT_LIB to the library's path)"
    );
    // On this machine the library is found under the workspace root.
    let lib = ds_infer::runtime::find_library().expect("run scripts/setup.sh");
    assert!(
        lib.ends_with("models/onnxruntime/libonnxruntime.so.1.32.0"),
        "{}",
        lib.display()
    );
    assert!(ds_infer::runtime::find_root().is_some());
}
