//! Leak check of the custom payloads: 100 000 frames of attach (the sample's muxer probe
//! code), copy (a deep buffer copy runs every copy function), read (the sink probe's code) and
//! release (dropping both buffers runs every release function). `no_leaks_under_valgrind`
//! runs it under valgrind and fails on any definitely or indirectly lost byte;
//! `crates/ds-meta/scripts/leak-check.sh --package deepstream-custom-binding-test` does the
//! same from the shell.

use deepstream_custom_binding_test::{CustomDataRef, attach_payloads, payload_lines};
use ds_meta::BatchMeta;

/// Frames per buffer and buffers: 10 × 10 000 = 100 000 frames
/// (`DS_META_LEAK_BUFFERS` changes the number of buffers).
const FRAMES_PER_BUFFER: u32 = 10;

fn buffers() -> u64 {
    std::env::var("DS_META_LEAK_BUFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

#[test]
fn hundred_thousand_frames() {
    ds_meta::init().unwrap();
    let mut frames = 0u64;
    for n in 0..buffers() {
        let mut buf = gst::Buffer::with_size(16).unwrap();
        {
            let b = BatchMeta::attach(buf.get_mut().unwrap(), FRAMES_PER_BUFFER).unwrap();
            for i in 0..FRAMES_PER_BUFFER {
                let f = b.add_frame_meta().unwrap();
                f.set_frame_num((n * FRAMES_PER_BUFFER as u64 + i as u64) as i32);
                attach_payloads(f, n).unwrap();
            }
        }
        let copy = buf.copy();
        drop(buf);
        for f in BatchMeta::from_buffer(&copy).unwrap().frames() {
            let lines = payload_lines(f);
            assert_eq!(lines.len(), 5, "{lines:?}");
            let c = f.user_metas().find_map(CustomDataRef::from_user_meta).unwrap();
            assert_eq!(c.sample_int(), f.frame_num() + 1);
            assert_eq!(c.message(), format!("test message {}", f.frame_num()));
            frames += 1;
        }
    }
    assert_eq!(frames, buffers() * FRAMES_PER_BUFFER as u64);
    if std::env::var_os("DS_META_LEAK_DEMO").is_some() {
        // For the leak check script: prove valgrind notices a leaked buffer with payloads.
        let mut buf = gst::Buffer::with_size(16).unwrap();
        let b = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap();
        attach_payloads(b.add_frame_meta().unwrap(), 0).unwrap();
        std::mem::forget(buf);
    }
    println!("{frames} frames of custom metadata attached, copied and released");
}

/// Runs [`hundred_thousand_frames`] of this test binary under valgrind.
#[test]
fn no_leaks_under_valgrind() {
    if std::env::var_os("DS_META_UNDER_VALGRIND").is_some() {
        return; // the inner run: only hundred_thousand_frames matters there
    }
    let exe = std::env::current_exe().unwrap();
    let tmp = std::env::temp_dir().join(format!("custom-binding-valgrind-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let log = tmp.join("valgrind.log");
    let out = std::process::Command::new("valgrind")
        .args(["--leak-check=full", "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect"])
        .args(["--error-exitcode=99", "--num-callers=30"])
        .arg(format!("--log-file={}", log.display()))
        .arg(&exe)
        .args(["hundred_thousand_frames", "--exact", "--test-threads=1", "--nocapture"])
        .env("DS_META_UNDER_VALGRIND", "1")
        // no plugins needed: keep GStreamer from scanning them under valgrind
        .env("GST_REGISTRY", tmp.join("registry.bin"))
        .env("GST_PLUGIN_SYSTEM_PATH_1_0", &tmp)
        .env("GST_PLUGIN_PATH_1_0", &tmp)
        .output()
        .expect("valgrind not found: run scripts/setup.sh");
    let report = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&tmp);
    let summary: Vec<&str> = report
        .lines()
        .filter(|l| ["definitely lost", "indirectly lost", "ERROR SUMMARY", "total heap usage"].iter().any(|k| l.contains(k)))
        .collect();
    assert!(
        out.status.success(),
        "valgrind found leaks or errors (exit {:?}):\n{}\n{}",
        out.status.code(),
        summary.join("\n"),
        report.lines().filter(|l| l.contains("definitely lost in") || l.contains("at 0x")).take(40).collect::<Vec<_>>().join("\n")
    );
    assert!(summary.iter().any(|l| l.contains("total heap usage")), "no valgrind summary:\n{report}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("100000 frames") || std::env::var_os("DS_META_LEAK_BUFFERS").is_some(), "{stdout}");
}
