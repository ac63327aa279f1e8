//! deepstream-test3 on a live RTSP source: a real RTSP server (gst-rtsp-server) on
//! 127.0.0.1, serving a real clip; the app marks the muxer live and runs the stream to its
//! end.

use std::time::Duration;

use gst_rtsp_server::prelude::*;

use ds_testkit::{run, stream, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test3");

/// Serves `streams/vtest-4s.mp4` (H.264, 40 frames) at `rtspt://127.0.0.1:<port>/ds-test`
/// from a thread running its own main loop; returns the URL.
fn serve_clip() -> String {
    gst::init().unwrap();
    let clip = stream("vtest-4s.mp4");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ctx = glib::MainContext::new();
        let _guard = ctx.acquire().unwrap();
        let server = gst_rtsp_server::RTSPServer::new();
        server.set_address("127.0.0.1");
        server.set_service("0");
        let factory = gst_rtsp_server::RTSPMediaFactory::new();
        factory.set_launch(&format!(
            "( filesrc location=\"{}\" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )",
            clip.display()
        ));
        factory.set_shared(true);
        server.mount_points().unwrap().add_factory("/ds-test", factory);
        let _id = server.attach(Some(&ctx)).unwrap();
        tx.send(server.bound_port()).unwrap();
        let main_loop = glib::MainLoop::new(Some(&ctx), false);
        main_loop.run();
    });
    let port = rx.recv_timeout(Duration::from_secs(10)).expect("RTSP server started");
    // rtspt: RTP interleaved over the RTSP TCP connection: no UDP packet (and so no end of
    // stream) is lost on a loaded machine
    format!("rtspt://127.0.0.1:{port}/ds-test")
}

#[test]
fn an_rtsp_source_is_live_and_runs_to_its_end() {
    let url = serve_clip();
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
