//! deepstream-custom-binding-test run as a user runs it, on a real H.264 clip and with bad
//! input. Portable backend.

use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-custom-binding-test");

#[test]
fn every_frame_carries_the_custom_struct_and_the_rust_payloads() {
    let clip = ds_testkit::stream("vtest-5s.h264");
    let (frames, _) = ds_testkit::decode(&clip, &[]);
    let out = ds_testkit::run(BIN, &[clip.to_str().unwrap(), "--backend", "portable"], &[], Duration::from_secs(120));
    let (stdout, stderr) = ds_testkit::text(&out);
    assert!(out.status.success(), "exit {:?}\nstdout tail:\n{}\nstderr:\n{stderr}", out.status, tail(&stdout));
    for l in ["reading input", "Playing file", "pipeline playing", "End-of-stream"] {
        assert!(stdout.contains(l), "no '{l}' in:\n{}", tail(&stdout));
    }
    let ids: Vec<i32> = stdout.lines().filter_map(|l| l.strip_prefix("custom meta structId::  ")).map(|v| v.parse().unwrap()).collect();
    assert_eq!(ids.len(), frames, "one struct per frame of the clip ({frames} frames)");
    assert_eq!(ids, (0..frames as i32).collect::<Vec<_>>(), "structId = frame_num, in order");
    assert_eq!(stdout.matches("adding user meta").count(), frames);
    // The three lines of each frame, as the sample prints them, then the Rust payloads.
    let lines: Vec<&str> = stdout.lines().collect();
    for n in [0, frames / 2, frames - 1] {
        let i = lines.iter().position(|l| *l == format!("custom meta structId::  {n}")).unwrap();
        assert_eq!(lines[i + 1], format!("custom meta msg::  test message {n}"));
        assert_eq!(lines[i + 2], format!("custom meta sampleInt::  {}", n + 1));
        assert!(lines[i + 3].starts_with(&format!("rust meta FrameNote::  note of frame {n} ")), "{}", lines[i + 3]);
        assert!(lines[i + 4].starts_with("rust meta MuxerTiming::  buf_pts="), "{}", lines[i + 4]);
    }
}

#[test]
fn bad_input_is_an_error_not_a_crash() {
    let out = ds_testkit::run(BIN, &[], &[], Duration::from_secs(20));
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("Usage: deepstream-custom-binding-test <h264 stream file or uri>"), "{stderr}");

    let out = ds_testkit::run(BIN, &["/nonexistent/clip.h264", "--backend", "portable"], &[], Duration::from_secs(20));
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("/nonexistent/clip.h264"), "{stderr}");

    let mp4 = ds_testkit::stream("vtest-4s.mp4");
    let out = ds_testkit::run(BIN, &[mp4.to_str().unwrap(), "--backend", "portable"], &[], Duration::from_secs(20));
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("vtest-4s.mp4"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
