//! deepstream-test3 run as a user runs it, on real clips, portable backend: four streams to
//! EOS (frame counts, PERF, the tiled MP4 and what each tile shows), file looping stopped by
//! Ctrl-C, nvdslogger, latency measurement, and bad inputs.

use std::io::{BufRead as _, BufReader};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ds_testkit::{correlation, decode, out_path, run, stream, stream_uri, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test3");
const PORTABLE: &[&str] = &["--backend", "portable"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = PORTABLE.to_vec();
    v.extend_from_slice(extra);
    v
}

/// `Frames per stream: stream0=40 stream1=63` → the counts.
fn frames_per_stream(stdout: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Frames per stream:"))
        .unwrap_or_else(|| panic!("no 'Frames per stream' line in:\n{stdout}"));
    line.split_whitespace()
        .filter_map(|w| w.split_once('=').and_then(|(_, n)| n.parse().ok()))
        .collect()
}

/// 16x9 grey thumbnails of every `step`-th frame of a clip (its first 40 frames).
fn clip_thumbnails(name: &str) -> Vec<Vec<f64>> {
    let keep: Vec<usize> = (0..40).step_by(4).collect();
    let (_, frames) = decode(&stream(name), &keep);
    frames.iter().map(|(_, f)| f.grey_thumbnail(0, 0, f.width, f.height, 16, 9)).collect()
}

fn best_match(tile: &[f64], clip: &[Vec<f64>]) -> f64 {
    clip.iter().map(|t| correlation(tile, t)).fold(f64::MIN, f64::max)
}

#[test]
fn four_streams_run_to_eos_with_their_frames_and_tiles() {
    let mp4 = out_path("deepstream-test3", "four-streams.mp4");
    let _ = std::fs::remove_file(&mp4);
    let clips = ["vtest-4s.mp4", "market-2s.mp4", "vtest-4s.mp4", "market-2s.mp4"];
    let uris: Vec<String> = clips.iter().map(|c| stream_uri(c)).collect();
    let mp4s = mp4.to_string_lossy().into_owned();
    let mut a = args(&["--sink", "file", "--output", &mp4s, "-i"]);
    a.extend(uris.iter().map(String::as_str));
    let out = run(BIN, &a, &[], Duration::from_secs(300));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    assert!(stdout.contains("WARNING: Overriding infer-config batch-size 30  with number of sources  4"), "{stdout}");

    // Each stream's frames at the probe = its clip's frames (decoded independently).
    let expected: Vec<u64> = clips.iter().map(|c| decode(&stream(c), &[]).0 as u64).collect();
    assert_eq!(frames_per_stream(&stdout), expected, "{stdout}");
    let probe_lines = stdout.lines().filter(|l| l.starts_with("Frame Number= ")).count() as u64;
    assert_eq!(probe_lines, expected.iter().sum::<u64>());
    // PERF lines name all four streams (the clips last about 10 s here at 4 streams; the
    // first PERF line comes after 5 s).
    let perf = stdout.lines().find(|l| l.starts_with("**PERF:  {")).unwrap_or_else(|| panic!("no PERF line:\n{stdout}"));
    for i in 0..4 {
        assert!(perf.contains(&format!("'stream{i}': ")), "{perf}");
    }

    // The tiled MP4: 1280x720, a 2x2 grid; each tile shows its own stream.
    let (n, frames) = decode(&mp4, &[30]);
    assert!(n >= 60, "tiled MP4 has {n} frames");
    let (_, tiled) = &frames[0];
    assert_eq!((tiled.width, tiled.height), (1280, 720));
    ds_testkit::write_png(&out_path("deepstream-test3", "four-streams-frame30.png"), tiled);
    let vtest = clip_thumbnails("vtest-4s.mp4");
    let market = clip_thumbnails("market-2s.mp4");
    for (i, clip) in clips.iter().enumerate() {
        let (x, y) = ((i as u32 % 2) * 640, (i as u32 / 2) * 360);
        let tile = tiled.grey_thumbnail(x, y, 640, 360, 16, 9);
        let (own, other) = if clip.starts_with("vtest") { (&vtest, &market) } else { (&market, &vtest) };
        let (c_own, c_other) = (best_match(&tile, own), best_match(&tile, other));
        assert!(c_own > 0.8 && c_own > c_other + 0.2, "tile {i} ({clip}): own {c_own:.2}, other {c_other:.2}");
    }
}

/// Spawns the app with stdout read line by line on a thread.
fn spawn_lines(a: &[&str], env: &[(&str, &str)]) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = ds_testkit::command(BIN, a, env).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Reads lines until `pred` holds (returns the lines so far) or `limit` passes (kills the
/// app and fails).
fn read_until(child: &mut std::process::Child, rx: &mpsc::Receiver<String>, limit: Duration, what: &str, pred: impl Fn(&str) -> bool) -> Vec<String> {
    let start = Instant::now();
    let mut lines = Vec::new();
    while start.elapsed() < limit {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(l) => {
                let done = pred(&l);
                lines.push(l);
                if done {
                    return lines;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    panic!("{what}: not seen within {limit:?}; output:\n{}", lines.join("\n"));
}

fn sigint(child: &std::process::Child) {
    let ok = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -INT failed");
}

#[test]
fn file_loop_runs_past_the_clip_and_stops_cleanly_on_ctrl_c() {
    let clip_frames = decode(&stream("vtest-4s.mp4"), &[]).0 as i64;
    let mp4 = out_path("deepstream-test3", "file-loop.mp4");
    let _ = std::fs::remove_file(&mp4);
    let mp4s = mp4.to_string_lossy().into_owned();
    let uri = stream_uri("vtest-4s.mp4");
    let (mut child, rx) = spawn_lines(&args(&["--file-loop", "--sink", "file", "--output", &mp4s, "-i", &uri]), &[]);
    let beyond = clip_frames + 15;
    let frame_of = |l: &str| l.strip_prefix("Frame Number= ").and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse::<i64>().ok());
    let mut lines = read_until(&mut child, &rx, Duration::from_secs(120), "a frame number beyond the clip", |l| {
        frame_of(l).is_some_and(|n| n >= beyond)
    });
    sigint(&child);
    let out = ds_testkit::wait(child, Duration::from_secs(60), "test3 --file-loop after SIGINT");
    lines.extend(rx.try_iter());
    let all = lines.join("\n");
    assert!(out.status.success(), "exit {:?}\n{all}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("End-of-stream"), "{all}");
    // frame numbers keep counting across loops: every number from 0 up, each once
    let nums: Vec<i64> = lines.iter().filter_map(|l| frame_of(l)).collect();
    let last = *nums.last().unwrap();
    assert!(last >= beyond, "last frame {last}");
    assert_eq!(nums, (0..=last).collect::<Vec<_>>(), "frame numbers are not continuous");
    // the MP4 was finalised and holds the looped frames
    let (n, _) = decode(&mp4, &[]);
    assert!(n as i64 > clip_frames, "MP4 has {n} frames, the clip {clip_frames}");
}

#[test]
fn disable_probe_prints_the_loggers_fps() {
    let uri = stream_uri("vtest-4s.mp4");
    let (mut child, rx) = spawn_lines(&args(&["--disable-probe", "--file-loop", "--no-display", "-i", &uri]), &[]);
    let lines = read_until(&mut child, &rx, Duration::from_secs(60), "nvdslogger's FPS line", |l| l.starts_with("**PERF : FPS_0 ("));
    sigint(&child);
    let out = ds_testkit::wait(child, Duration::from_secs(60), "test3 --disable-probe after SIGINT");
    assert!(out.status.success(), "exit {:?}", out.status);
    let all = lines.join("\n");
    assert!(all.contains("Creating nvdslogger"), "{all}");
    // no probe: no per-frame lines and no PERF dict of the probe's counter
    assert!(!all.contains("Frame Number="), "{all}");
    assert!(!all.contains("**PERF:  {"), "{all}");
    let fps: f64 = lines
        .last()
        .and_then(|l| l.strip_prefix("**PERF : FPS_0 ("))
        .and_then(|r| r.split(')').next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(fps > 0.5, "FPS_0 {fps}");
}

#[test]
fn latency_measurement_prints_one_line_per_source_per_batch() {
    let (a, b) = (stream_uri("vtest-4s.mp4"), stream_uri("market-2s.mp4"));
    let env = [("NVDS_ENABLE_LATENCY_MEASUREMENT", "1"), ("NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT", "1")];
    let out = run(BIN, &args(&["--no-display", "-s", "-i", &a, &b]), &env, Duration::from_secs(300));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let batches = stdout.lines().filter(|l| l.starts_with("************BATCH-NUM = ")).count();
    let latencies: Vec<(u32, f64)> = stdout
        .lines()
        .filter_map(|l| {
            let r = l.strip_prefix("Source id = ")?;
            let (src, r) = r.split_once(" Frame_num = ")?;
            let ms = r.split_once("Frame latency = ")?.1.split_whitespace().next()?;
            Some((src.parse().ok()?, ms.parse().ok()?))
        })
        .collect();
    let frames = frames_per_stream(&stdout);
    // one line per frame of each source, every batch measured
    assert_eq!(latencies.len() as u64, frames.iter().sum::<u64>(), "{stdout}");
    assert!(batches > 0 && batches <= latencies.len());
    for src in 0..2 {
        assert_eq!(latencies.iter().filter(|(s, _)| *s == src).count() as u64, frames[src as usize]);
    }
    // plausible values: positive, under a minute
    assert!(latencies.iter().all(|(_, ms)| *ms > 0.0 && *ms < 60_000.0), "{latencies:?}");
    // component latency: the muxer and the detector record theirs
    assert!(stdout.contains("Comp name = Stream-muxer source_id = 0"), "{stdout}");
    assert!(stdout.contains("Comp name = primary-inference source_id = 1"), "{stdout}");
}

fn assert_fails(extra: &[&str], expect: &[&str], limit: Duration) {
    let out = run(BIN, &args(extra), &[], limit);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{extra:?} should fail\n{stdout}\n{stderr}");
    let all = format!("{stdout}\n{stderr}");
    for e in expect {
        assert!(all.contains(e), "{extra:?}: '{e}' not in:\n{all}");
    }
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn bad_inputs_are_named_and_end_without_a_hang() {
    let t = Duration::from_secs(60);
    assert_fails(&["--no-display", "-i", "file:///nonexistent/clip.mp4"], &["source 0", "file:///nonexistent/clip.mp4", "not found"], t);
    let good = stream_uri("vtest-4s.mp4");
    assert_fails(&["--no-display", "-i", &good, "foo://x"], &["source 1", "foo://x", "'foo://'"], t);
    let audio = stream_uri("market-audio.m4a");
    assert_fails(&["--no-display", "-i", &audio], &["source 0", "No video stream in", "market-audio.m4a"], t);
    // An RTSP URI nobody serves: a port that was just free on 127.0.0.1.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let rtsp = format!("rtsp://127.0.0.1:{port}/ds-test");
    let start = Instant::now();
    assert_fails(&["--no-display", "-i", &rtsp], &["source 0", &rtsp, "At least one of the sources is live"], t);
    assert!(start.elapsed() < Duration::from_secs(30), "dead RTSP took {:?}", start.elapsed());
    // -c without -g, -g without -c, a -c that does not exist
    let cfg = ds_testkit::root().join("configs/deepstream-test3/portable/dstest3_pgie_config.txt");
    let cfg = cfg.to_string_lossy().into_owned();
    assert_fails(&["-i", &good, "-c", &cfg], &["Either pgie or configfile is missing. Please specify both! Exiting..."], t);
    assert_fails(&["-i", &good, "-g", "nvinfer"], &["Either pgie or configfile is missing"], t);
    assert_fails(&["-i", &good, "-g", "nvinfer", "-c", "/nonexistent.txt"], &["Specified config-file: /nonexistent.txt doesn't exist. Exiting..."], t);
    // a Triton config that is not protobuf text: the line and column of the first bad token
    let bad = out_path("deepstream-test3", "bad_triton.txt");
    std::fs::write(&bad, "infer_config {\n  unique_id: 1\n  backend {\n    triton { model_name \"x\" }\n").unwrap();
    let bad = bad.to_string_lossy().into_owned();
    assert_fails(&["--no-display", "-i", &good, "-g", "nvinferserver", "-c", &bad], &[&format!("{bad}:4:25: not a valid nvinferserver protobuf-text config: expected ':' or '{{' after field name 'model_name'")], t);
    // no arguments: the help on stderr, exit 1
    let out = run(BIN, &[], &[], t);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--input"));
}

#[test]
fn nvinferserver_triton_configs_run_like_nvinfer() {
    // -g nvinferserver / nvinferserver-grpc with the portable Triton configs: the same model,
    // thresholds and class map as the portable nvinfer config, so the same counts per frame.
    let dir = ds_testkit::root().join("configs/deepstream-test3/portable");
    let uri = stream_uri("vtest-4s.mp4");
    let lines = |pgie: &str, cfg: &str| {
        let cfg = dir.join(cfg);
        let out = run(BIN, &args(&["--no-display", "-g", pgie, "-c", &cfg.to_string_lossy(), "-i", &uri]), &[], Duration::from_secs(120));
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{pgie}: {stdout}\n{stderr}");
        assert!(!stderr.contains("warning"), "{pgie}: {stderr}");
        stdout.lines().filter(|l| l.starts_with("Frame Number=")).map(str::to_owned).collect::<Vec<_>>()
    };
    let nvinfer = lines("nvinfer", "dstest3_pgie_config.txt");
    let triton = lines("nvinferserver", "config_triton_infer_primary_peoplenet.txt");
    let grpc = lines("nvinferserver-grpc", "config_triton_grpc_infer_primary_peoplenet.txt");
    assert_eq!(nvinfer.len() as u64, decode(&stream("vtest-4s.mp4"), &[]).0 as u64);
    assert!(nvinfer.iter().any(|l| !l.ends_with("Person_count= 0")), "no person found: {nvinfer:?}");
    assert_eq!(triton, nvinfer);
    assert_eq!(grpc, nvinfer);
}

#[test]
fn a_user_config_with_nvinfer_is_used() {
    // -g nvinfer -c <file>: the given config is used (here the portable one, batch-size 30
    // overridden to the single source).
    let cfg = ds_testkit::root().join("configs/deepstream-test3/portable/dstest3_pgie_config.txt");
    let uri = stream_uri("market-2s.mp4");
    let out = run(BIN, &args(&["--no-display", "-s", "-g", "nvinfer", "-c", &cfg.to_string_lossy(), "-i", &uri]), &[], Duration::from_secs(120));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("'pgie': 'nvinfer'"), "{stdout}");
    assert!(!stdout.contains("Frame Number="), "-s prints no frame lines");
    assert_eq!(frames_per_stream(&stdout), vec![decode(&stream("market-2s.mp4"), &[]).0 as u64]);
}
