//! deepstream-imagedata-multistream-redaction end to end on a clip with a face (carphone):
//! an RTSP client receives the redacted stream, black where the faces were detected; the
//! face crops decode. Bad input. Portable backend.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ds_testkit::live::{LiveApp, rtsp_client};
use opencv::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-imagedata-multistream-redaction");
const APP: &str = "deepstream-imagedata-multistream-redaction";

/// A fresh working directory for a run (the app writes `out_crops/` there).
fn workdir(name: &str) -> PathBuf {
    let d = ds_testkit::out_path(APP, name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// "Face in stream_0 frame <n>: left=.. top=.. width=.. height=.." → (n, [l, t, w, h]).
fn faces(stdout: &str) -> Vec<(usize, [f64; 4])> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Face in stream_0 frame "))
        .map(|l| {
            let (n, rest) = l.split_once(": ").unwrap();
            let v = |k: &str| rest.split(' ').find_map(|w| w.strip_prefix(k)).unwrap().parse::<f64>().unwrap();
            (n.parse().unwrap(), [v("left="), v("top="), v("width="), v("height=")])
        })
        .collect()
}

fn luma(f: &ds_testkit::Frame, x: u32, y: u32, w: u32, h: u32) -> f64 {
    let [r, g, b] = f.mean_rgb(x, y, w, h);
    0.299 * r + 0.587 * g + 0.114 * b
}

#[test]
fn faces_are_black_in_the_rtsp_stream_and_crops_decode() {
    let dir = workdir("run");
    let clip = "carphone_pristine.mp4";
    let mut cmd = ds_testkit::command(BIN, &["-i", &ds_testkit::stream_uri(clip), "--backend", "portable", "--rtsp-port", "0"], &[]);
    cmd.current_dir(&dir);
    let mut app = LiveApp::spawn_command(cmd);
    let url = app
        .rtsp_url(Duration::from_secs(60))
        .unwrap_or_else(|| panic!("no RTSP URL\n{}\n{}", app.stdout_text(), app.stderr_text()));
    let keep = [5, 15, 25, 35];
    let got = rtsp_client(&url, 40, &keep, Duration::from_secs(240));
    let (status, stdout, stderr) = app.finish(Duration::from_secs(300));
    assert!(got.errors.is_empty(), "client errors: {:?}\n{stderr}", got.errors);
    assert!(got.frames >= 40, "the client decoded {} frames\n{stderr}", got.frames);
    assert!(status.success(), "exit {status:?}\n{stderr}");
    assert!(stdout.contains("End-of-stream"), "{stdout}");

    // The face (muxer coordinates, 1920 x 1080) as the tiler shows it (720 x 576): the part
    // that every detected face box covers.
    let found = faces(&stdout);
    let frames = stdout.lines().filter(|l| l.starts_with("Frame Number=")).count();
    assert!(found.len() * 10 >= frames * 8, "a face in {} of {frames} frames", found.len());
    let (sx, sy) = (720.0 / 1920.0, 576.0 / 1080.0);
    let l = found.iter().map(|f| f.1[0]).fold(f64::MIN, f64::max) * sx;
    let t = found.iter().map(|f| f.1[1]).fold(f64::MIN, f64::max) * sy;
    let r = found.iter().map(|f| f.1[0] + f.1[2]).fold(f64::MAX, f64::min) * sx;
    let b = found.iter().map(|f| f.1[1] + f.1[3]).fold(f64::MAX, f64::min) * sy;
    assert!(r - l > 12.0 && b - t > 12.0, "the face boxes share no region: {l} {t} {r} {b}");
    let (x, y, w, h) = (l as u32 + 2, t as u32 + 2, (r - l) as u32 - 4, (b - t) as u32 - 4);
    // In the clip that region is the face (not dark) ...
    let (_, src) = ds_testkit::decode(&ds_testkit::stream(clip), &[10]);
    let s = &src[0].1;
    let (cx, cy) = (s.width as f64 / 720.0, s.height as f64 / 576.0);
    let before = luma(s, (x as f64 * cx) as u32, (y as f64 * cy) as u32, ((w as f64 * cx) as u32).max(1), ((h as f64 * cy) as u32).max(1));
    assert!(before > 60.0, "the face region of the clip is dark already ({before:.0})");
    // ... and in the redacted stream it is black.
    for (i, f) in &got.kept {
        assert_eq!((f.width, f.height), (720, 576));
        let png = ds_testkit::out_path(APP, &format!("client-{i}.png"));
        ds_testkit::write_png(&png, f);
        let after = luma(f, x, y, w, h);
        assert!(after < 30.0, "client frame {i} ({}): face region ({x}, {y}, {w}, {h}) has luma {after:.0}", png.display());
    }

    // The crops: the first face of frames 0, 10, 20 ... that had one, decodable.
    let crops = dir.join("out_crops/stream_0");
    let mut n = 0;
    for e in std::fs::read_dir(&crops).unwrap() {
        let p = e.unwrap().path();
        let k: usize = p.file_stem().unwrap().to_str().unwrap().strip_prefix("frame_").unwrap().parse().unwrap();
        assert_eq!(k % 10, 0, "{}", p.display());
        let img = opencv::imgcodecs::imread(p.to_str().unwrap(), opencv::imgcodecs::IMREAD_COLOR).unwrap();
        assert!(img.cols() > 20 && img.rows() > 20, "{}: {}x{}", p.display(), img.cols(), img.rows());
        n += 1;
    }
    assert!(n >= 8, "{n} crops in {}", crops.display());
}

#[test]
fn bad_input_is_an_error() {
    let dir = workdir("exists");
    std::fs::create_dir(dir.join("out_crops")).unwrap();
    let mut cmd = ds_testkit::command(BIN, &["-i", &ds_testkit::stream_uri("carphone_pristine.mp4"), "--backend", "portable"], &[]);
    cmd.current_dir(&dir);
    let out = ds_testkit::wait(cmd.spawn().unwrap(), Duration::from_secs(60), "redaction with out_crops present");
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("The output folder out_crops already exists. Please remove it first."), "{stderr}");

    let dir = workdir("not-a-uri");
    let mut cmd = ds_testkit::command(BIN, &["-i", "no-such-clip.mp4", "--backend", "portable"], &[]);
    cmd.current_dir(&dir);
    let out = ds_testkit::wait(cmd.spawn().unwrap(), Duration::from_secs(60), "redaction with a bad URI");
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("'no-such-clip.mp4' is not a URI"), "{stderr}");
    assert!(!Path::new(&dir.join("out_crops")).exists());

    let out = ds_testkit::run(BIN, &[], &[], Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1));
    assert!(ds_testkit::text(&out).1.contains("--uri_inputs"));
}
