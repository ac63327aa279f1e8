//! Cost of `Tracker::track` per frame for 10 and 100 objects moving in a 1280x720 frame
//! (steady state: every target validated and matched), for the NvDCF perf config of
//! deepstream-test2 (Kalman filter type 1, greedy matching, colour-histogram appearance on a
//! synthetic RGBA frame) and the IOU defaults. Run: `cargo bench -p ds-tracker --bench track`.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ds_tracker::{BBox, Detection, FrameInput, RgbaImage, Tracker, TrackerConfig};

const W: u32 = 1280;
const H: u32 = 720;

/// Back and forth by 1 pixel per frame over 40 pixels (continuous motion, forever).
fn sway(frame: u32) -> f32 {
    40.0 - ((frame % 80) as f32 - 40.0).abs()
}

/// `n` boxes on a grid, swaying left and right by 1 px per frame, with slight size jitter.
fn detections(n: usize, frame: u32) -> Vec<Detection> {
    let cols = (n as f32).sqrt().ceil() as usize;
    (0..n)
        .map(|i| {
            let (cx, cy) = ((i % cols) as f32, (i / cols) as f32);
            let jitter = ((frame as usize + i) % 3) as f32;
            Detection {
                class_id: 2,
                confidence: 0.8,
                bbox: BBox::new(
                    20.0 + cx * (W as f32 - 120.0) / cols as f32 + sway(frame),
                    10.0 + cy * (H as f32 - 100.0) / cols as f32,
                    40.0 + jitter,
                    80.0 - jitter,
                ),
                label: "Person".into(),
            }
        })
        .collect()
}

/// An RGBA frame with coloured stripes (so histograms differ from box to box).
fn frame() -> Vec<u8> {
    let mut v = vec![0u8; (W * H * 4) as usize];
    for y in 0..H {
        for x in 0..W {
            let o = ((y * W + x) * 4) as usize;
            v[o] = (x / 7 % 256) as u8;
            v[o + 1] = (y / 3 % 256) as u8;
            v[o + 2] = ((x + y) / 11 % 256) as u8;
            v[o + 3] = 255;
        }
    }
    v
}

fn bench(c: &mut Criterion) {
    let nvdcf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs/deepstream-test2/config_tracker_NvDCF_perf.yml");
    let nvdcf = TrackerConfig::from_file(&nvdcf).unwrap_or_else(|e| panic!("{e}"));
    let pixels = frame();
    let mut g = c.benchmark_group("track_frame");
    for (name, cfg, with_image) in [
        ("NvDCF_perf", nvdcf.clone(), true),
        ("IOU_default", TrackerConfig::default(), false),
    ] {
        for n in [10usize, 100] {
            let mut tracker = Tracker::new(cfg.clone());
            let mut f = 0u32;
            // warm up to steady state (past probation)
            for _ in 0..10 {
                let d = detections(n, f);
                tracker.track(&input(&d, f, with_image.then_some(&pixels[..])));
                f += 1;
            }
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, &n| {
                b.iter(|| {
                    let d = detections(n, f);
                    let out = tracker.track(&input(&d, f, with_image.then_some(&pixels[..])));
                    f += 1;
                    out.objects.len()
                })
            });
        }
    }
    g.finish();
}

fn input<'a>(d: &'a [Detection], f: u32, pixels: Option<&'a [u8]>) -> FrameInput<'a> {
    FrameInput {
        stream_id: 0,
        frame_num: f,
        width: W,
        height: H,
        detections: d,
        image: pixels.map(|data| RgbaImage {
            data,
            width: W,
            height: H,
            stride: W as usize * 4,
        }),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
