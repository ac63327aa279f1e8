//! deepstream-test1 run as a user runs it: on the short real clip, with bad inputs, and
//! under Xvfb. Portable backend.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use gst::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test1");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn stream(name: &str) -> PathBuf {
    let p = root().join("streams").join(name);
    assert!(p.is_file(), "{} missing: run scripts/setup.sh", p.display());
    p
}

fn tmp(name: &str) -> PathBuf {
    let d = root().join("target/test-out/deepstream-test1");
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Waits for `child` at most `limit`; kills it and fails the test when it hangs.
fn wait(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what}: still running after {limit:?} (hang)\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run_app(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").env_remove("DS_BACKEND");
    for (k, v) in env {
        cmd.env(k, v);
    }
    wait(cmd.spawn().unwrap(), limit, &format!("deepstream-test1 {args:?}"))
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A decoded RGBA frame: width, height, pixels.
type Frame = (u32, u32, Vec<u8>);

/// Decodes `mp4` and returns the number of frames and frame `keep` as RGBA.
fn decode_mp4(mp4: &Path, keep: usize) -> (usize, Option<Frame>) {
    let (n, frame, _) = decode_mp4_profile(mp4, keep);
    (n, frame)
}

/// [`decode_mp4`], plus the H.264 profile of the stream (from `h264parse`'s caps).
fn decode_mp4_profile(mp4: &Path, keep: usize) -> (usize, Option<Frame>, String) {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(&format!(
        "filesrc location=\"{}\" ! qtdemux ! h264parse name=p ! avdec_h264 ! videoconvert ! video/x-raw,format=RGBA ! appsink name=s sync=false",
        mp4.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline.by_name("s").unwrap().downcast::<gst_app::AppSink>().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut count = 0;
    let mut kept = None;
    while let Ok(sample) = sink.pull_sample() {
        if count == keep {
            let caps = sample.caps().unwrap();
            let s = caps.structure(0).unwrap();
            let (w, h) = (s.get::<i32>("width").unwrap() as u32, s.get::<i32>("height").unwrap() as u32);
            let map = sample.buffer().unwrap().map_readable().unwrap();
            kept = Some((w, h, map.as_slice().to_vec()));
        }
        count += 1;
    }
    let profile = pipeline
        .by_name("p")
        .and_then(|p| p.static_pad("src"))
        .and_then(|pad| pad.current_caps())
        .and_then(|c| c.structure(0).and_then(|s| s.get::<String>("profile").ok()))
        .unwrap_or_default();
    let errored = pipeline.bus().unwrap().pop_filtered(&[gst::MessageType::Error]);
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(errored.is_none(), "decoding {} failed: {errored:?}", mp4.display());
    (count, kept, profile)
}

fn write_png(path: &Path, w: u32, h: u32, rgba: &[u8]) {
    let pipeline = gst::parse::launch(&format!(
        "appsrc name=a caps=video/x-raw,format=RGBA,width={w},height={h},framerate=1/1 num-buffers=1 ! videoconvert ! pngenc ! filesink location=\"{}\"",
        path.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let src = pipeline.by_name("a").unwrap().downcast::<gst_app::AppSrc>().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    src.push_buffer(gst::Buffer::from_slice(rgba.to_vec())).unwrap();
    src.end_of_stream().unwrap();
    let bus = pipeline.bus().unwrap();
    bus.timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Eos, gst::MessageType::Error]);
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn detects_people_and_writes_an_mp4_with_blue_boxes() {
    let input = stream("vtest-5s.h264");
    let out = tmp("vtest-5s.mp4");
    let _ = std::fs::remove_file(&out);
    let o = run_app(
        &["--backend", "portable", "--sink", "file", "--output", out.to_str().unwrap(), input.to_str().unwrap()],
        &[],
        Duration::from_secs(240),
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", o.status);
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Frame Number=")).collect();
    assert_eq!(lines.len(), 50, "one line per frame of the 50-frame clip:\n{stdout}");
    let persons: Vec<u32> = lines
        .iter()
        .map(|l| l.rsplit("Person_count=").next().unwrap().trim().parse().unwrap())
        .collect();
    let with_people = persons.iter().filter(|&&p| p >= 1).count();
    assert!(with_people >= 40, "Person_count >= 1 on {with_people} of 50 frames: {persons:?}");
    assert!(lines.iter().all(|l| l.contains("Vehicle_count=")));
    assert!(stdout.contains("End-of-stream"), "{stdout}");

    let (frames, frame, profile) = decode_mp4_profile(&out, 25);
    assert_eq!(frames, 50, "the MP4 must hold every input frame");
    assert_eq!(profile, "high", "4:2:0 High profile, which every player reads");
    let (w, h, rgba) = frame.unwrap();
    assert_eq!((w, h), (1920, 1080), "the muxer's output size");
    write_png(&tmp("frame25.png"), w, h, &rgba);
    // Blue box borders (0, 0, 1, 0.8 over the picture): strongly blue pixels.
    let blue = rgba.chunks_exact(4).filter(|p| p[2] > 150 && p[0] < 90 && p[1] < 90).count();
    assert!(blue > 2000, "only {blue} blue pixels in frame 25: no boxes drawn? (see frame25.png)");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let o = run_app(&["--backend", "portable", "--sink", "fake", "/nonexistent/clip.h264"], &[], Duration::from_secs(30));
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("/nonexistent/clip.h264"), "{stderr}");
}

#[test]
fn an_mp4_or_avi_input_is_refused_with_a_hint() {
    for (file, kind) in [("vtest.mp4", "MP4"), ("vtest.avi", "AVI")] {
        let o = run_app(&["--backend", "portable", "--sink", "fake", stream(file).to_str().unwrap()], &[], Duration::from_secs(30));
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(kind) && stderr.contains("H.264 elementary stream"), "{stderr}");
    }
}

#[test]
fn an_empty_file_is_a_clear_error() {
    let empty = tmp("empty.h264");
    std::fs::write(&empty, b"").unwrap();
    let o = run_app(&["--backend", "portable", "--sink", "fake", empty.to_str().unwrap()], &[], Duration::from_secs(30));
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is empty"), "{stderr}");
}

#[test]
fn a_truncated_stream_finishes_cleanly_with_a_complete_mp4() {
    let mut data = Vec::new();
    std::fs::File::open(stream("vtest-5s.h264")).unwrap().read_to_end(&mut data).unwrap();
    let cut = tmp("truncated.h264");
    std::fs::write(&cut, &data[..data.len() / 3]).unwrap();
    let out = tmp("truncated.mp4");
    let _ = std::fs::remove_file(&out);
    let o = run_app(
        &["--backend", "portable", "--sink", "file", "--output", out.to_str().unwrap(), cut.to_str().unwrap()],
        &[],
        Duration::from_secs(180),
    );
    let (stdout, stderr) = text(&o);
    let printed = stdout.lines().filter(|l| l.starts_with("Frame Number=")).count();
    assert!(printed > 5 && printed < 50, "frames before the cut: {printed}\n{stderr}");
    // A clean finish or a clear error, but the output written so far is a valid MP4.
    assert!(o.status.code().is_some(), "killed by a signal: {stderr}");
    let (frames, _) = decode_mp4(&out, usize::MAX);
    assert_eq!(frames, printed, "every processed frame is in the MP4");
}

#[test]
fn deepstream_backend_where_missing_is_a_clear_error() {
    let o = run_app(
        &["--backend", "deepstream", "--sink", "fake", stream("vtest-5s.h264").to_str().unwrap()],
        &[],
        Duration::from_secs(30),
    );
    let (_, stderr) = text(&o);
    if Path::new("/opt/nvidia/deepstream/deepstream/lib/libnvds_meta.so").exists() {
        return; // DeepStream is installed here: the backend is usable.
    }
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nvinfer") && stderr.contains("libnvds_meta.so"), "{stderr}");
}

#[test]
fn display_sink_works_under_xvfb() {
    let display = ":87";
    let mut xvfb = Command::new("Xvfb")
        .args([display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb not found: run scripts/setup.sh");
    // Wait (bounded) for the server's socket: the app only counts a display that answers.
    let socket = Path::new("/tmp/.X11-unix/X87");
    let start = Instant::now();
    while !socket.exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(socket.exists(), "Xvfb did not start on {display} within 20 s");
    let o = run_app(
        &["--backend", "portable", "--sink", "display", stream("vtest-5s.h264").to_str().unwrap()],
        &[("DISPLAY", display)],
        Duration::from_secs(240),
    );
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    // A window plays in real time (10 fps here): when the CPU is slower than that, the
    // display sink's QoS makes the decoder skip late frames, as with nveglglessink.
    let shown = stdout.lines().filter(|l| l.starts_with("Frame Number=")).count();
    // (the other tests run beside this one: how many are skipped depends on the load)
    assert!((5..=50).contains(&shown), "{shown} frames reached the OSD:\n{stdout}");
}

#[test]
fn ctrl_c_finishes_the_mp4() {
    use std::io::BufRead as _;
    let out = tmp("interrupted.mp4");
    let _ = std::fs::remove_file(&out);
    let mut child = Command::new(BIN)
        .args(["--backend", "portable", "--sink", "file", "--output", out.to_str().unwrap()])
        .arg(stream("vtest.h264"))
        .env_remove("DISPLAY")
        .env_remove("DS_BACKEND")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut frames = 0;
        let mut sent = false;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("Frame Number=") {
                frames += 1;
                if frames == 20 && !sent {
                    sent = true;
                    let st = Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
                    assert!(st.success());
                }
            }
        }
        frames
    });
    let o = wait(child, Duration::from_secs(240), "deepstream-test1 interrupted");
    let printed = reader.join().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "exit {:?} after Ctrl-C: {stderr}", o.status);
    assert!(stderr.contains("Interrupted"), "{stderr}");
    assert!((20..795).contains(&printed), "stopped after {printed} frames");
    let (frames, _) = decode_mp4(&out, usize::MAX);
    assert_eq!(frames, printed, "every frame that reached the OSD is in the MP4");
}

#[test]
fn a_corrupt_stream_is_an_error_printed_once_without_a_hang() {
    let garbage = tmp("garbage.h264");
    let mut data = vec![0u8, 0, 0, 1];
    let mut x: u32 = 12345;
    data.extend((0..200_000).map(|_| {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (x >> 16) as u8
    }));
    std::fs::write(&garbage, &data).unwrap();
    for sink in ["fake", "file"] {
        let out = tmp("garbage.mp4");
        let _ = std::fs::remove_file(&out);
        let o = run_app(
            &["--backend", "portable", "--sink", sink, "--output", out.to_str().unwrap(), garbage.to_str().unwrap()],
            &[],
            Duration::from_secs(60),
        );
        let (stdout, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "--sink {sink}\n{stdout}\n{stderr}");
        assert_eq!(stderr.matches("Error:").count(), 1, "the error once, with its element:\n{stderr}");
        assert!(stderr.contains("h264-parser") || stderr.contains("nvv4l2-decoder"), "{stderr}");
        assert!(!stdout.contains("Output written"), "{stdout}");
        assert!(!out.exists(), "an empty output file is not left behind");
    }
}

#[test]
fn a_display_variable_without_a_server_is_no_display() {
    assert!(!Path::new("/tmp/.X11-unix/X93").exists(), "an X server runs on :93 here");
    let o = run_app(
        &["--backend", "portable", "--sink", "display", stream("vtest-5s.h264").to_str().unwrap()],
        &[("DISPLAY", ":93")],
        Duration::from_secs(30),
    );
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no display server"), "{stderr}");
    // --sink auto falls back to the file instead of crashing in a fallback video sink
    let out = tmp("stale-display.mp4");
    let o = run_app(
        &["--backend", "portable", "--output", out.to_str().unwrap(), stream("vtest-5s.h264").to_str().unwrap()],
        &[("DISPLAY", ":93")],
        Duration::from_secs(240),
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Output written to"), "{stdout}");
}

/// `USE_NEW_NVSTREAMMUX=yes` skips the muxer's width/height, as the Python sample does: the
/// portable muxer then keeps the clip's own size (the new nvstreammux does not scale).
#[test]
fn new_streammux_switch_keeps_the_input_size() {
    let out = tmp("newmux.mp4");
    let _ = std::fs::remove_file(&out);
    let o = run_app(
        &["--backend", "portable", "--sink", "file", "--output", out.to_str().unwrap(), stream("vtest-5s.h264").to_str().unwrap()],
        &[("USE_NEW_NVSTREAMMUX", "yes")],
        Duration::from_secs(240),
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    let (frames, frame) = decode_mp4(&out, 0);
    assert_eq!(frames, 50);
    let (w, h, _) = frame.unwrap();
    assert_eq!((w, h), (768, 576));
}
