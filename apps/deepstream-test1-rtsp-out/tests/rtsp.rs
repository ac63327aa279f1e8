//! deepstream-test1-rtsp-out end to end: the app serves its annotated video over RTSP; an
//! RTSP client (rtspsrc, in the test) connects to the printed URL and decodes it.

use std::time::Duration;

use ds_testkit::live::{LiveApp, rtsp_client};
use ds_testkit::{Frame, out_path, stream, text, write_png};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test1-rtsp-out");

/// The text overlay of the sample (white text on a black box at x=10, y=12): in the band of
/// the first text line, many near-black pixels (the box) and some near-white ones (glyphs).
fn overlay_fractions(f: &Frame) -> (f64, f64) {
    let (x0, x1, y0, y1) = (12u32, 200u32.min(f.width), 14u32, 24u32);
    let (mut dark, mut bright, mut n) = (0usize, 0usize, 0usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let i = ((y * f.width + x) * 4) as usize;
            let l = 0.299 * f.rgba[i] as f64 + 0.587 * f.rgba[i + 1] as f64 + 0.114 * f.rgba[i + 2] as f64;
            dark += (l < 50.0) as usize;
            bright += (l > 170.0) as usize;
            n += 1;
        }
    }
    (dark as f64 / n as f64, bright as f64 / n as f64)
}

fn serves(codec: &str) {
    let input = stream("vtest.h264");
    // The new-muxer switch keeps the clip's 768x576 (instead of scaling to 1920x1080), so the
    // CPU encoders keep up on small CI machines; the pipeline is otherwise the sample's.
    let mut app = LiveApp::spawn(
        BIN,
        &["--backend", "portable", "-i", input.to_str().unwrap(), "-c", codec, "--rtsp-port", "0"],
        &[("USE_NEW_NVSTREAMMUX", "yes")],
    );
    let url = app.rtsp_url(Duration::from_secs(60)).unwrap_or_else(|| {
        panic!("no 'Launched RTSP Streaming at' line\n{}\n{}", app.stdout_text(), app.stderr_text())
    });
    assert!(url.starts_with("rtsp://127.0.0.1:") && url.ends_with("/ds-test"), "{url}");
    assert!(!url.contains(":8554/"), "port 0 picks a free port: {url}");
    let got = rtsp_client(&url, 100, &[20, 60, 99], Duration::from_secs(90));
    app.interrupt();
    let (status, stdout, stderr) = app.finish(Duration::from_secs(30));
    assert!(got.errors.is_empty(), "client errors: {:?}\n{stderr}", got.errors);
    assert!(got.frames >= 100, "the client decoded {} frames\n{stderr}", got.frames);
    assert_eq!(got.encoding, codec, "the RTP encoding the server announced");
    assert_eq!(got.kept.len(), 3, "frames 20, 60, 99 kept");
    for (i, frame) in &got.kept {
        assert_eq!((frame.width, frame.height), (768, 576));
        let png = out_path("deepstream-test1-rtsp-out", &format!("client-{codec}-{i}.png"));
        write_png(&png, frame);
        let (dark, bright) = overlay_fractions(frame);
        assert!(
            dark > 0.4 && bright > 0.05,
            "no text overlay in the client's frame {i} ({}): dark {dark:.2}, bright {bright:.2}",
            png.display()
        );
    }
    assert!(status.success(), "exit {status:?}\n{stdout}\n{stderr}");
    assert!(stdout.lines().filter(|l| l.starts_with("Frame Number=")).count() >= 100);
}

#[test]
fn a_client_decodes_the_annotated_h264_stream() {
    serves("H264");
}

#[test]
fn a_client_decodes_the_annotated_h265_stream() {
    serves("H265");
}

#[test]
fn a_taken_rtsp_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let input = stream("vtest-5s.h264");
    let out = ds_testkit::run(
        BIN,
        &["--backend", "portable", "-i", input.to_str().unwrap(), "--rtsp-port", &port],
        &[],
        Duration::from_secs(60),
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("RTSP port {port}")) && stderr.contains("already in use"), "{stderr}");
}

#[test]
fn an_unknown_codec_is_refused() {
    let input = stream("vtest-5s.h264");
    let out = ds_testkit::run(BIN, &["--backend", "portable", "-i", input.to_str().unwrap(), "-c", "VP9"], &[], Duration::from_secs(30));
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("VP9") && stderr.contains("H264") && stderr.contains("H265"), "{stderr}");
}

#[test]
fn no_arguments_print_the_help_and_fail() {
    let out = ds_testkit::run(BIN, &[], &[], Duration::from_secs(30));
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("--input") && stderr.contains("--codec"), "{stderr}");
}

#[test]
fn the_overlay_check_fails_on_the_clip_without_overlay() {
    // The same picture without the sample's text: the check above must not pass on it.
    let (_, kept) = ds_testkit::decode(&stream("vtest-4s.mp4"), &[20]);
    let (_, frame) = kept.first().expect("frame 20");
    let (dark, bright) = overlay_fractions(frame);
    assert!(!(dark > 0.4 && bright > 0.05), "dark {dark:.2}, bright {bright:.2}");
}
