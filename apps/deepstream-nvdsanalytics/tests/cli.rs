//! deepstream-nvdsanalytics run as a user runs it (portable backend) on real clips: the
//! sample's printouts, line crossings counted against a count made by eye, ROI counts and
//! overcrowding flags that change as people come and go, the drawing on the output, two
//! streams at once, and bad configs.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use ds_testkit::{decode, out_path, run, stream, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-nvdsanalytics");

/// The first `frames` frames of streams/vtest.h264, cut from the elementary stream without
/// re-encoding (the decoded frames are the clip's own).
fn vtest_head(frames: u32) -> PathBuf {
    let out = out_path("deepstream-nvdsanalytics", &format!("vtest-{frames}f.h264"));
    let src = stream("vtest.h264");
    let status = Command::new("gst-launch-1.0")
        .args([
            "-q",
            "filesrc",
            &format!("location={}", src.display()),
            "!",
            "h264parse",
            "!",
        ])
        .args(["video/x-h264,stream-format=byte-stream,alignment=au", "!"])
        // identity's eos-after=N lets N-1 buffers through (GStreamer 1.22)
        .args([
            "identity",
            &format!("eos-after={}", frames + 1),
            "!",
            "filesink",
        ])
        .arg(format!("location={}", out.display()))
        .status()
        .expect("gst-launch-1.0");
    assert!(status.success(), "cutting {}", src.display());
    out
}

/// The value after `key` on the summary line of `stream` (`'East': 3` → 3).
fn summary_count(stdout: &str, stream: u32, key: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("Analytics summary: stream{stream} ")))
        .unwrap_or_else(|| panic!("no summary for stream{stream}:\n{stdout}"));
    let rest = line
        .split(&format!("'{key}': "))
        .nth(1)
        .unwrap_or_else(|| panic!("{key} in {line}"));
    rest.split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("number")
}

/// Crossings by eye on the first 140 frames (14 s) of vtest, looking at every 8th frame of
/// the output with the line drawn (x=470 of 768, from y=180 to y=420, right of the lamp
/// post), and at the frames between where someone was near it:
/// - West (right to left): the man in jeans (about frame 13), the man in the black coat
///   (19), the man in the red jacket (66);
/// - East (left to right): the man in the red jacket again, turning back up the road (90),
///   the man in black coming from the left edge (118).
///
/// The woman in black who follows the red jacket comes within a few pixels of the line
/// (frames 75-90) but turns back without crossing it; the tracker gives her a new id there.
/// The man in the grey jacket crosses westwards at frame 150, after the stretch.
const EAST_BY_EYE: u64 = 2;
const WEST_BY_EYE: u64 = 3;

#[test]
fn counts_crossings_on_vtest_as_seen_by_eye() {
    let clip = vtest_head(140);
    let mp4 = out_path("deepstream-nvdsanalytics", "vtest-140f.mp4");
    let _ = std::fs::remove_file(&mp4);
    let out = run(
        BIN,
        &[
            "--backend",
            "portable",
            "--sink",
            "file",
            "--output",
            &mp4.to_string_lossy(),
            &clip.to_string_lossy(),
        ],
        &[],
        Duration::from_secs(420),
    );
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    let frames: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .collect();
    assert_eq!(frames.len(), 140);
    assert!(
        frames[0].starts_with("Frame Number= 0 stream id= 0 Number of Objects= "),
        "{}",
        frames[0]
    );

    // the line counts both directions, within one of the count by eye
    let (east, west) = (
        summary_count(&stdout, 0, "East"),
        summary_count(&stdout, 0, "West"),
    );
    assert!(
        east.abs_diff(EAST_BY_EYE) <= 1 && east > 0,
        "East: {east}, by eye {EAST_BY_EYE}"
    );
    assert!(
        west.abs_diff(WEST_BY_EYE) <= 1 && west > 0,
        "West: {west}, by eye {WEST_BY_EYE}"
    );
    // each crossing is printed on its object and in the frame's current count
    let lc_lines = stdout
        .lines()
        .filter(|l| l.contains(" line crossing status: ['"))
        .count() as u64;
    assert_eq!(lc_lines, east + west);
    let current: u64 = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Linecrossing Current Frame: "))
        .flat_map(|l| l.split("': ").skip(1))
        .map(|v| {
            v.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .expect("count")
        })
        .sum();
    assert_eq!(current, east + west);

    // ROI counts change as people come and go; the crowd zone (3 people) fills and empties
    let roads: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Objs in ROI: "))
        .filter_map(|l| l.split("'Road': ").nth(1))
        .collect();
    assert!(roads.len() >= 4, "Road counts seen: {roads:?}");
    let oc: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Overcrowding status: "))
        .collect();
    assert_eq!(oc, BTreeSet::from(["{'Crowd': False}", "{'Crowd': True}"]));
    // per-object printouts in the sample's format
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Object ") && l.ends_with(" roi status: ['Road']")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Object ") && l.contains(" overcrowding status: ['Crowd']"))
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Object ") && l.contains(" moving in direction:  DIR:"))
    );

    // the output holds every frame, with the line drawn in green (x=470 of 768 → 783 of 1280)
    let (n, kept) = decode(&mp4, &[0]);
    assert_eq!(n, 140);
    let [r, g, b] = kept[0].1.mean_rgb(782, 300, 2, 150);
    assert!(
        g > 150.0 && g > r + 60.0 && g > b + 60.0,
        "line colour {:?}",
        [r, g, b]
    );
}

#[test]
fn two_streams_each_with_their_own_analytics() {
    let out = run(
        BIN,
        &[
            "--backend",
            "portable",
            "--sink",
            "fake",
            &stream("vtest-5s.h264").to_string_lossy(),
            &stream("market-2s.mp4").to_string_lossy(),
        ],
        &[],
        Duration::from_secs(300),
    );
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        out.status
    );
    let per = |s: u32| {
        stdout
            .lines()
            .filter(|l| l.starts_with("Frame Number=") && l.contains(&format!(" stream id= {s} ")))
            .count()
    };
    assert_eq!((per(0), per(1)), (50, 63));
    // every frame has its analytics (the -stream-all rules apply to both)
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("Linecrossing Cumulative: "))
            .count(),
        113
    );
    summary_count(&stdout, 0, "East");
    summary_count(&stdout, 1, "West");
}

#[test]
fn bad_configs_are_reported() {
    let clip = stream("vtest-5s.h264");
    let clip = clip.to_string_lossy();
    // a missing file: an error naming it, before any frame
    let out = run(
        BIN,
        &[
            "--backend",
            "portable",
            "--sink",
            "fake",
            "--analytics-config",
            "/nonexistent/analytics.txt",
            &clip,
        ],
        &[],
        Duration::from_secs(120),
    );
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("/nonexistent/analytics.txt: cannot read the analytics config"),
        "{stderr}"
    );
    assert!(!stdout.contains("Frame Number="));

    // a line-crossing entry with 6 numbers
    let bad = out_path("deepstream-nvdsanalytics", "bad_analytics.txt");
    std::fs::write(&bad, "[property]\nenable=1\nconfig-width=768\nconfig-height=576\n[line-crossing-stream-0]\nenable=1\nline-crossing-Exit=1;2;3;4;5;6\n").unwrap();
    let out = run(
        BIN,
        &[
            "--backend",
            "portable",
            "--sink",
            "fake",
            "--analytics-config",
            &bad.to_string_lossy(),
            &clip,
        ],
        &[],
        Duration::from_secs(120),
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains(
            "[line-crossing-stream-0] line-crossing-Exit=1;2;3;4;5;6: expected 8 integers"
        ),
        "{stderr}"
    );

    // the sample's DeepStream config has groups for streams 1 and 2: one stream here
    let ds_config =
        ds_testkit::root().join("configs/deepstream-nvdsanalytics/config_nvdsanalytics.txt");
    let out = run(
        BIN,
        &[
            "--backend",
            "portable",
            "--sink",
            "fake",
            "--analytics-config",
            &ds_config.to_string_lossy(),
            &clip,
        ],
        &[],
        Duration::from_secs(180),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "groups for stream(s) 1, 2 matched no frame: no such stream (streams seen: 0)"
        ),
        "{stderr}"
    );
    // stream 0's rules of that config run (ROI RF, line Exit)
    assert!(stdout.contains("Objs in ROI: {'RF': "), "{stdout}");
    assert!(stdout.contains("Linecrossing Cumulative: {'Exit': "));
}
