//! Tests of `scripts/setup.sh` and what it fetched: checksums, idempotence, the converted
//! YOLOv3-tiny model against OpenCV's Darknet reader, nothing big in git.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn need(path: &Path) {
    assert!(path.exists(), "{} missing: run scripts/setup.sh", path.display());
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

#[test]
fn converted_yolo_matches_opencv_darknet_on_a_real_frame() {
    let r = root();
    let py = r.join(".venv/bin/python");
    need(&py);
    need(&r.join("models/yolov3-tiny/yolov3-tiny.onnx"));
    let out = Command::new(&py)
        .arg(r.join("scripts/check_darknet_onnx.py"))
        .arg(r.join("models/yolov3-tiny"))
        .arg(r.join("streams/vtest.avi"))
        .args(["--frame", "200", "--tol", "1e-4"])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "check failed: {text}");
    assert!(text.contains("max abs difference"), "{text}");
}

#[test]
fn second_run_only_verifies() {
    let r = root();
    let onnx = r.join("models/yolov3-tiny/yolov3-tiny.onnx");
    need(&onnx);
    let before = std::fs::metadata(&onnx).unwrap().modified().unwrap();
    let out = Command::new(r.join("scripts/setup.sh")).args(["--no-system"]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("setup: all files present and verified"), "{text}");
    assert!(!text.contains("making "), "a second run made something again:\n{text}");
    assert!(!text.contains("fetching "), "a second run fetched something again:\n{text}");
    assert_eq!(before, std::fs::metadata(&onnx).unwrap().modified().unwrap());
}

/// Hard-links models/ and streams/ into a temporary data dir, corrupts one byte of a fetched
/// file and of a derived one, and checks that setup.sh names them and restores them.
#[test]
fn corrupted_files_are_detected_and_restored() {
    let r = root();
    need(&r.join("models/age-gender/gender-v1.onnx"));
    need(&r.join("streams/vtest-5s.h264"));
    // Under target/: on the same filesystem as models/ and streams/, so hard links work.
    let tmp = r.join("target").join(format!("ds-setup-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    for d in ["models", "streams"] {
        let st = Command::new("cp").arg("-al").arg(r.join(d)).arg(tmp.join(d)).status().unwrap();
        assert!(st.success());
    }
    let corrupt = |rel: &str| {
        let p = tmp.join(rel);
        let mut bytes = std::fs::read(&p).unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 0x55;
        std::fs::remove_file(&p).unwrap(); // break the hard link: never touch the real file
        std::fs::write(&p, bytes).unwrap();
    };
    corrupt("models/age-gender/gender-v1.onnx");
    corrupt("streams/vtest-5s.h264");
    let out = Command::new(r.join("scripts/setup.sh"))
        .arg("--no-system")
        .env("DS_DATA_DIR", &tmp)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("gender-v1.onnx: sha256 mismatch"), "{text}");
    assert!(text.contains("making vtest-5s.h264"), "{text}");
    assert_eq!(
        sha256(&tmp.join("models/age-gender/gender-v1.onnx")),
        "d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734"
    );
    assert_eq!(sha256(&r.join("models/age-gender/gender-v1.onnx")), sha256(&tmp.join("models/age-gender/gender-v1.onnx")));
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn no_model_or_media_file_is_tracked_by_git() {
    let r = root();
    let out = Command::new("git").arg("-C").arg(&r).arg("ls-files").output().unwrap();
    if !out.status.success() {
        panic!("git ls-files failed in {}: {}", r.display(), String::from_utf8_lossy(&out.stderr));
    }
    let media = [".onnx", ".weights", ".caffemodel", ".pth", ".tflite", ".engine", ".h264", ".mp4", ".avi", ".jpg", ".png", ".so"];
    let tracked: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|f| media.iter().any(|m| f.ends_with(m)))
        .map(str::to_owned)
        .collect();
    assert!(tracked.is_empty(), "model or media files in git: {tracked:?}");
}
