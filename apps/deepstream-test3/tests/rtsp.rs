//! deepstream-test3 on a live RTSP source: a real RTSP server (gst-rtsp-server) on
//! 127.0.0.1, serving a real clip; the app marks the muxer live and runs the stream to its
//! end.

use std::time::Duration;

use ds_testkit::{run, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test3");

#[test]
fn an_rtsp_source_is_live_and_runs_to_its_end() {
    // a real RTSP server (gst-rtsp-server, ds_testkit) serving streams/vtest-4s.mp4 (H.264, 40
    // frames); rtspt: RTP interleaved over the RTSP TCP connection, so no UDP packet (and so
    // no end of stream) is lost on a loaded machine
    let server = ds_testkit::live::RtspTestServer::serve_clip("vtest-4s.mp4");
    let url = server.url.replacen("rtsp://", "rtspt://", 1);
    let out = run(BIN, &["--backend", "portable", "--no-display", "-i", &url], &[], Duration::from_secs(120));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("At least one of the sources is live"), "{stdout}");
    // rtspsrc is the uridecodebin's `source` child: the sample sets drop-on-latency on it
    assert!(stdout.contains("Decodebin child added: source"), "{stdout}");
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    // a live source may lose a frame at the start; most of the 40 frames come through
    let frames = stdout.lines().filter(|l| l.starts_with("Frame Number= ")).count();
    assert!((30..=40).contains(&frames), "{frames} frames\n{stdout}");
}
