//! deepstream-test2 run as a user runs it on the short real clip (portable backend): the
//! per-frame lines, the tracker's past-frame printout, stable ids, both classifiers' labels on
//! the vehicles, and an MP4 with every frame.

use std::time::Duration;

use ds_testkit::{decode, out_path, run, stream, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test2");

/// `key: value` or `key= value` lines of the past-frame printout.
fn values<'a>(stdout: &'a str, key: &str) -> Vec<&'a str> {
    stdout.lines().filter_map(|l| l.strip_prefix(key)).map(str::trim).collect()
}

#[test]
fn tracks_and_classifies_on_vtest() {
    let mp4 = out_path("deepstream-test2", "vtest-5s.mp4");
    let _ = std::fs::remove_file(&mp4);
    let clip = stream("vtest-5s.h264");
    let out = run(
        BIN,
        &["--backend", "portable", "--sink", "file", "--output", &mp4.to_string_lossy(), &clip.to_string_lossy()],
        &[],
        Duration::from_secs(300),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("End-of-stream"), "{stdout}");
    // one line per frame, as test1
    let frames: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Frame Number=")).collect();
    assert_eq!(frames.len(), 50);
    assert!(frames[0].starts_with("Frame Number=0 "), "{}", frames[0]);
    // the tracker says at start what it approximates
    assert!(stderr.contains("dstracker:") && stderr.contains("approximated"), "{stderr}");

    // past-frame data in the sample's format: targets that were in probation
    assert!(!values(&stdout, "streamId=").is_empty(), "no past-frame data printed");
    let labels = values(&stdout, "objLabel=");
    assert!(labels.contains(&"Person"), "{labels:?}");
    let past_frames: Vec<i64> = values(&stdout, "frameNum:").iter().filter_map(|v| v.parse().ok()).collect();
    assert!(!past_frames.is_empty() && past_frames.iter().all(|&f| (0..50).contains(&f)), "{past_frames:?}");
    for key in ["tBbox.left:", "tBbox.width:", "tBbox.top:", "tBbox.right:", "confidence:", "age:"] {
        assert_eq!(values(&stdout, key).len(), past_frames.len(), "{key}");
    }

    // ids: the van and the car are parked all along (2 vehicle ids); 3 to 9 people walk
    // through these 5 s: more ids than that means tracks break
    let summary = stdout.lines().find(|l| l.starts_with("Tracked ids:")).expect("summary line");
    let num = |key: &str| -> u64 {
        summary.split(key).nth(1).and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()).and_then(|n| n.parse().ok()).unwrap()
    };
    assert_eq!(num("Vehicle="), 2, "{summary}");
    let people = num("Person=");
    assert!((3..=12).contains(&people), "{summary}");
    // both classifiers labelled (nearly) every vehicle: sgie2 says van for the parked van
    let both = num("labels: ");
    let vehicles = num(" of ");
    assert!(vehicles >= 80 && both * 10 >= vehicles * 9, "{summary}");
    let labels = stdout.lines().find(|l| l.starts_with("Classifier labels:")).unwrap();
    assert!(labels.contains("sgie2:van="), "{labels}");
    assert!(labels.contains("sgie1:"), "{labels}");

    // the MP4 holds every frame
    let (n, _) = decode(&mp4, &[]);
    assert_eq!(n, 50);
}

#[test]
fn a_container_is_refused_with_the_way_out() {
    let out = run(BIN, &["--backend", "portable", "--sink", "fake", &stream("vtest-4s.mp4").to_string_lossy()], &[], Duration::from_secs(60));
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("MP4") && stderr.contains("elementary stream"), "{stderr}");
}
