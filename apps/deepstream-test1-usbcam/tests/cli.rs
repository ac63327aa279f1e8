//! deepstream-test1-usbcam: no camera exists on CI machines, so the pipeline runs on the live
//! test source (`--test-source`) for a bounded time and is stopped with Ctrl-C (SIGINT).

use std::time::Duration;

use ds_testkit::live::LiveApp;
use ds_testkit::{decode, out_path, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test1-usbcam");

#[test]
fn the_live_test_source_runs_until_ctrl_c_and_the_mp4_is_complete() {
    let out = out_path("deepstream-test1-usbcam", "usbcam.mp4");
    let _ = std::fs::remove_file(&out);
    let mut app = LiveApp::spawn(
        BIN,
        &["--backend", "portable", "--test-source", "--sink", "file", "--output", out.to_str().unwrap()],
        &[],
    );
    let first = app.wait_line(Duration::from_secs(60), |l| l.starts_with("Frame Number=10 "));
    assert!(first.is_some(), "no 10 frames within 60 s\n{}\n{}", app.stdout_text(), app.stderr_text());
    std::thread::sleep(Duration::from_secs(2));
    app.interrupt();
    let (status, stdout, stderr) = app.finish(Duration::from_secs(30));
    assert!(status.success(), "exit {status:?}\n{stderr}");
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    let printed = stdout.lines().filter(|l| l.starts_with("Frame Number=")).count();
    let (frames, _) = decode(&out, &[]);
    assert!(printed > 10, "{printed} frames");
    assert_eq!(frames, printed, "the MP4 holds every frame processed");
}

#[test]
fn a_missing_camera_is_a_clear_error() {
    let o = ds_testkit::run(BIN, &["--backend", "portable", "/dev/video77"], &[], Duration::from_secs(30));
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(stderr.contains("/dev/video77") && stderr.contains("not found") && stderr.contains("--test-source"), "{stderr}");
}

#[test]
fn a_path_that_is_not_a_camera_is_a_clear_error() {
    for p in ["/dev/null", "/etc/hostname"] {
        let o = ds_testkit::run(BIN, &["--backend", "portable", p], &[], Duration::from_secs(30));
        let (_, stderr) = text(&o);
        assert!(!o.status.success());
        assert!(stderr.contains(p) && stderr.contains("not a V4L2 camera device"), "{stderr}");
    }
}
