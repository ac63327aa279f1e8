//! `network-mode=1` (INT8): the quantized YOLOv3-tiny of deepstream-test1's portable config
//! against the float model on every frame of `streams/vtest-5s.h264` (left out of the
//! calibration frames), and the errors when the calibration is missing or foreign.

mod common;

use common::{h264_frames, require, root, write_config};
use ds_infer::{Detection, InferConfig, Inference, NetworkMode};

fn test1_config() -> InferConfig {
    require("models/yolov3-tiny/yolov3-tiny-int8.calib");
    let path = root().join("configs/deepstream-test1/portable/dstest1_pgie_config.txt");
    InferConfig::from_file(&path).unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"))
}

fn iou(a: &Detection, b: &Detection) -> f32 {
    let (ax1, ay1) = (a.rect.left + a.rect.width, a.rect.top + a.rect.height);
    let (bx1, by1) = (b.rect.left + b.rect.width, b.rect.top + b.rect.height);
    let w = (ax1.min(bx1) - a.rect.left.max(b.rect.left)).max(0.0);
    let h = (ay1.min(by1) - a.rect.top.max(b.rect.top)).max(0.0);
    let inter = w * h;
    inter / (a.rect.width * a.rect.height + b.rect.width * b.rect.height - inter)
}

#[test]
fn int8_detections_agree_with_fp32_on_vtest_5s() {
    let int8_config = test1_config();
    assert_eq!(int8_config.network_mode, NetworkMode::Int8, "the portable test1 config asks for INT8");
    let mut fp32_config = int8_config.clone();
    fp32_config.network_mode = NetworkMode::Fp32;
    let mut int8 = Inference::new(&int8_config).expect("INT8 model");
    let mut fp32 = Inference::new(&fp32_config).expect("FP32 model");

    // the frames as deepstream-test1 infers them: scaled to its 1920x1080 muxer
    let frames = h264_frames("vtest-5s.h264", 1920, 1080);
    assert_eq!(frames.len(), 50, "vtest-5s.h264 has 50 frames");
    let (mut boxes, mut matched, mut counts_close) = (0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for (n, f) in frames.iter().enumerate() {
        let a = &fp32.infer(&[f.full()]).expect("FP32 inference")[0].detections;
        let b = &int8.infer(&[f.full()]).expect("INT8 inference")[0].detections;
        // greedy: each FP32 box takes the best unused INT8 box of its class
        let mut used = vec![false; b.len()];
        for d in a {
            boxes += 1;
            let best = (0..b.len())
                .filter(|&j| !used[j] && b[j].class_id == d.class_id)
                .map(|j| (j, iou(d, &b[j])))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            match best {
                Some((j, v)) if v >= 0.5 => {
                    used[j] = true;
                    matched += 1;
                }
                _ => misses.push(format!("frame {n}: class {} at {:?}", d.class_id, d.rect)),
            }
        }
        let people = |v: &[Detection]| v.iter().filter(|d| d.class_id == 2).count() as i64;
        if (people(a) - people(b)).abs() <= 1 {
            counts_close += 1;
        }
    }
    assert!(boxes >= 100, "FP32 found only {boxes} boxes in 50 frames of vtest");
    eprintln!(
        "INT8 vs FP32 on vtest-5s: {matched}/{boxes} FP32 boxes matched (IoU >= 0.5, same class); people count within 1 on {counts_close}/50 frames"
    );
    assert!(
        matched as f64 >= 0.95 * boxes as f64,
        "INT8 matched {matched} of {boxes} FP32 boxes (< 95 %); unmatched: {misses:?}"
    );
    assert!(counts_close as f64 >= 0.95 * 50.0, "people counts differ by more than 1 on {} frames", 50 - counts_close);
}

fn int8_config_with(name: &str, calib_line: &str) -> std::path::PathBuf {
    require("models/yolov3-tiny/yolov3-tiny.onnx");
    write_config(
        name,
        &format!(
            "[property]\nonnx-file=@ROOT@/models/yolov3-tiny/yolov3-tiny.onnx\nnetwork-mode=1\n{calib_line}\n\
             infer-dims=3;416;416\nnum-detected-classes=80\noutput-blob-names=yolo_16;yolo_23\n\
             parse-bbox-func-name=NvDsInferParseCustomYoloV3Tiny\n"
        ),
    )
}

fn error_of(path: &std::path::Path) -> String {
    let c = InferConfig::from_file(path).expect("config parses");
    match Inference::new(&c) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn int8_without_calibration_says_how_to_make_it() {
    let e = error_of(&int8_config_with("int8-no-calib.txt", ""));
    assert!(e.contains("int8-calib-file is missing") && e.contains("scripts/int8_calibrate.py"), "{e}");

    let e = error_of(&int8_config_with("int8-missing-calib.txt", "int8-calib-file=/nonexistent/yolo-int8.calib"));
    assert!(
        e.contains("int8-calib-file=/nonexistent/yolo-int8.calib") && e.contains("cannot be read") && e.contains("scripts/int8_calibrate.py"),
        "{e}"
    );
}

#[test]
fn a_tensorrt_calibration_table_is_refused() {
    let table = write_config("cal_trt.bin", "TRT-8601-EntropyCalibration2\ninput_1: 3c010a14\n");
    let e = error_of(&int8_config_with("int8-trt-calib.txt", &format!("int8-calib-file={}", table.display())));
    assert!(e.contains("not an ONNX Runtime calibration cache") && e.contains("scripts/int8_calibrate.py"), "{e}");
}

#[test]
fn fp16_runs_the_float_model_and_says_so() {
    let path = write_config(
        "fp16.txt",
        "[property]\nonnx-file=@ROOT@/models/yolov3-tiny/yolov3-tiny.onnx\nnetwork-mode=2\nnum-detected-classes=80\n",
    );
    let c = InferConfig::from_file(&path).expect("config");
    assert_eq!(c.network_mode, NetworkMode::Fp16);
    assert!(c.diagnostics.iter().any(|d| d.message.contains("network-mode=2 (FP16) runs in FP32")), "{:?}", c.diagnostics);
}
