//! Milliseconds per batch of YOLOv3-tiny (416x416, ONNX Runtime on the CPU, one thread) on
//! frame 200 of vtest.avi, batch 1 and batch 4, including pre-processing, output parsing and
//! NMS; and pre-processing alone. Run: `cargo bench -p ds-infer --bench infer`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ds_infer::{InferConfig, Inference};

fn bench(c: &mut Criterion) {
    common::require("models/yolov3-tiny/yolov3-tiny.onnx");
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/configs/yolov3_tiny_pgie.txt");
    let config = InferConfig::from_file(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let mut infer = Inference::new(&config).unwrap_or_else(|e| panic!("{e}"));
    let frame = common::vtest_frame(200);

    let mut group = c.benchmark_group("yolov3-tiny");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("batch 1", |b| {
        b.iter(|| infer.infer(&[frame.full()]).expect("infer"))
    });
    let four = [frame.full(), frame.full(), frame.full(), frame.full()];
    group.bench_function("batch 4", |b| b.iter(|| infer.infer(&four).expect("infer")));
    group.bench_function("preprocess 768x576 -> 416x416", |b| {
        b.iter(|| infer.preprocess(&[frame.full()]).expect("preprocess"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
