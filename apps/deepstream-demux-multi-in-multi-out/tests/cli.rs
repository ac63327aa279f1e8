//! deepstream-demux-multi-in-multi-out on real clips, portable backend: one MP4 per stream,
//! each with its stream's frames, its own picture and its own boxes; bad inputs.

use std::time::Duration;

use ds_testkit::{correlation, decode, out_path, run, stream, stream_uri, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-demux-multi-in-multi-out");

/// Red pixels (the OSD's default box colour) in a frame.
fn red_pixels(f: &ds_testkit::Frame) -> usize {
    f.rgba.chunks_exact(4).filter(|p| p[0] > 200 && p[1] < 60 && p[2] < 60).count()
}

#[test]
fn one_mp4_per_stream_with_its_frames_and_boxes() {
    let base = out_path("deepstream-demux-multi-in-multi-out", "demux.mp4");
    let outs: Vec<_> = (0..2)
        .map(|i| out_path("deepstream-demux-multi-in-multi-out", &format!("demux-stream{i}.mp4")))
        .collect();
    for o in &outs {
        let _ = std::fs::remove_file(o);
    }
    let clips = ["vtest-4s.mp4", "market-2s.mp4"];
    let (a, b) = (stream_uri(clips[0]), stream_uri(clips[1]));
    let base_s = base.to_string_lossy().into_owned();
    let out = run(
        BIN,
        &["--backend", "portable", "--sink", "file", "--output", &base_s, "-i", &a, &b],
        &[],
        Duration::from_secs(300),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    for (i, clip) in clips.iter().enumerate() {
        assert!(stdout.contains(&format!("Output written to {}", outs[i].display())), "{stdout}");
        let (src_n, src) = decode(&stream(clip), &[10]);
        let (n, frames) = decode(&outs[i], &[10]);
        // every frame of the stream, none of the other's
        assert_eq!(n, src_n, "stream {i} ({clip}): {n} frames in its MP4, {src_n} in the clip");
        let f = &frames[0].1;
        // the muxer's size (960x540), the stream's own picture
        assert_eq!((f.width, f.height), (960, 540));
        let s = &src[0].1;
        let own = correlation(&f.grey_thumbnail(0, 0, 960, 540, 16, 9), &s.grey_thumbnail(0, 0, s.width, s.height, 16, 9));
        assert!(own > 0.9, "stream {i}: frame 10 correlates {own:.2} with its clip");
        // its own boxes: drawn (red) on the output, not on the clip
        assert!(red_pixels(f) > 200, "stream {i}: no boxes drawn ({} red pixels)", red_pixels(f));
        ds_testkit::write_png(&out_path("deepstream-demux-multi-in-multi-out", &format!("stream{i}-frame10.png")), f);
    }
    let probe_lines = stdout.lines().filter(|l| l.starts_with("Frame Number= ")).count();
    let total: usize = clips.iter().map(|c| decode(&stream(c), &[]).0).sum();
    assert_eq!(probe_lines, total);
}

#[test]
fn a_missing_input_is_named() {
    let good = stream_uri("vtest-4s.mp4");
    let out = run(
        BIN,
        &["--backend", "portable", "--sink", "fake", "-i", &good, "file:///nonexistent.mp4"],
        &[],
        Duration::from_secs(60),
    );
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("source 1") && stderr.contains("file:///nonexistent.mp4"), "{stdout}\n{stderr}");
}
