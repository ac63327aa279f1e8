//! deepstream-opticalflow run as a user runs it, portable backend: two real clips, the
//! probe's flow renderings per stream and the tiled MP4; bad inputs.

use std::path::PathBuf;
use std::time::Duration;

use ds_testkit::{decode, out_path, stream, stream_uri, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-opticalflow");
const LIMIT: Duration = Duration::from_secs(300);

fn folder(name: &str) -> PathBuf {
    let p = out_path("deepstream-opticalflow", name);
    let _ = std::fs::remove_dir_all(&p);
    p
}

#[test]
fn two_clips_give_renderings_per_stream_and_a_tiled_mp4() {
    let out = folder("frames");
    let mp4 = out_path("deepstream-opticalflow", "out.mp4");
    let _ = std::fs::remove_file(&mp4);
    let (a, b) = (stream_uri("vtest-4s.mp4"), stream_uri("market-2s.mp4"));
    let o = ds_testkit::run(
        BIN,
        &["--backend", "portable", "--output", &mp4.display().to_string(), &a, &b, &out.display().to_string()],
        &[],
        LIMIT,
    );
    let (so, se) = text(&o);
    assert!(o.status.success(), "stdout:\n{so}\nstderr:\n{se}");
    assert!(so.contains("End-of-stream"), "{so}");
    let (n_a, _) = decode(&stream("vtest-4s.mp4"), &[]);
    let (n_b, _) = decode(&stream("market-2s.mp4"), &[]);
    assert_eq!(so.lines().filter(|l| l.starts_with("Frame Number= ")).count(), n_a + n_b, "a line per frame");
    for (i, n) in [(0, n_a), (1, n_b)] {
        let dir = out.join(format!("stream_{i}"));
        let count = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(count, n, "{}: one rendering per frame", dir.display());
        // a rendering decodes, one pixel per 4x4 block of the 1920x1080 muxer frame
        let (pics, frames) = decode(&dir.join("frame_10.jpg"), &[0]);
        assert_eq!(pics, 1);
        assert_eq!((frames[0].1.width, frames[0].1.height), (480, 270));
    }
    // frame 10 of vtest: people walking (coloured) on a still square (white: the sample
    // inverts the HSV picture, so no motion is white)
    let (_, frames) = decode(&out.join("stream_0/frame_10.jpg"), &[0]);
    let f = &frames[0].1;
    let px: Vec<&[u8]> = f.rgba.chunks_exact(4).collect();
    let white = px.iter().filter(|p| p[..3].iter().all(|&c| c > 225)).count();
    let coloured = px.iter().filter(|p| p[..3].iter().max().unwrap() - p[..3].iter().min().unwrap() > 60).count();
    eprintln!("vtest frame 10 rendering: {white} white, {coloured} coloured of {}", px.len());
    assert!(white as f64 > 0.8 * px.len() as f64, "still background white");
    assert!(coloured > 200, "moving people coloured ({coloured} pixels)");
    // the tiled MP4: 1280x720, one frame per batch: at least the longer clip's frames, at
    // most both clips' (when the muxer's timeout sends a stream's frame alone)
    let (n, frames) = decode(&mp4, &[5]);
    assert!(n >= n_a.max(n_b) && n <= n_a + n_b, "{}: {n} frames", mp4.display());
    assert_eq!((frames[0].1.width, frames[0].1.height), (1280, 720));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let out = folder("exists");
    std::fs::create_dir_all(&out).unwrap();
    let a = stream_uri("vtest-4s.mp4");
    let o = ds_testkit::run(BIN, &["--backend", "portable", &a, &out.display().to_string()], &[], LIMIT);
    let (_, se) = text(&o);
    assert!(!o.status.success());
    assert!(se.contains(&format!("The output folder {} already exists. Please remove it first.", out.display())), "{se}");

    let out = folder("missing");
    let o = ds_testkit::run(BIN, &["--backend", "portable", "/nonexistent/clip.mp4", &out.display().to_string()], &[], LIMIT);
    let (_, se) = text(&o);
    assert!(!o.status.success());
    assert!(se.contains("/nonexistent/clip.mp4") && !se.contains("panicked"), "{se}");
    assert!(!out.exists(), "no folder made for a bad input");

    let o = ds_testkit::run(BIN, &["--backend", "portable", &a], &[], LIMIT);
    assert!(!o.status.success(), "one argument: the folder is missing");
}
