//! The workload of the leak check: acquiring and releasing 100 000 object, display, user
//! and event metadata items, with strings, on real buffers (plus buffer copies, which
//! deep-copy everything, and removals). Run under valgrind by
//! `crates/ds-meta/scripts/leak-check.sh`; on its own it checks that every Rust payload is
//! dropped (a counter in the payload's Drop).

mod common;

use ds_meta::{BatchMeta, ExtObject, Person, UserPayload, Vehicle};
use std::sync::atomic::{AtomicIsize, Ordering};

static LIVE: AtomicIsize = AtomicIsize::new(0);

#[derive(Debug)]
struct Tracked {
    label: String,
    values: Vec<f32>,
}
impl Tracked {
    fn new(i: usize) -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Tracked { label: format!("payload {i}"), values: vec![i as f32; 8] }
    }
}
impl Clone for Tracked {
    fn clone(&self) -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Tracked { label: self.label.clone(), values: self.values.clone() }
    }
}
impl Drop for Tracked {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}
impl UserPayload for Tracked {
    const DESCRIPTOR: &'static str = "DSRS.LEAKTEST.TRACKED";
}

/// Items per kind per buffer, and buffers: 4 kinds × 25 × 1000 = 100 000 items
/// (`DS_META_LEAK_BUFFERS` changes the number of buffers, to compare what stays in use).
const PER_KIND: usize = 25;

fn buffers() -> usize {
    std::env::var("DS_META_LEAK_BUFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn fill(buffer: &mut gst::BufferRef, n: usize) -> usize {
    let mut items = 0;
    let b = BatchMeta::attach(buffer, 1).unwrap();
    let f = b.add_frame_meta().unwrap();
    f.set_frame_num(n as i32);
    for i in 0..PER_KIND {
        let o = f.add_obj_meta(None).unwrap();
        o.set_class_id((i % 4) as i32);
        o.set_obj_label("Vehicle").unwrap();
        o.text_params_mut().set_display_text(&format!("object {i} of frame {n}")).unwrap();
        o.text_params_mut().set_display_text(&format!("Vehicle {i}")).unwrap(); // replace: old freed
        o.text_params_mut().font_params_mut().set_font_name("Serif").unwrap();
        if i % 5 == 0 {
            o.mask_params_mut().alloc(4, 4);
            let c = o.add_classifier_meta().unwrap();
            c.add_label_info().unwrap().set_p_result_label("a long label that needs the heap").unwrap();
        }
        items += 1;

        let d = f.add_display_meta().unwrap();
        for k in 0..3 {
            d.add_label().unwrap().set_display_text(&format!("label {k}")).unwrap();
        }
        items += 1;

        f.add_user_meta(Tracked::new(i)).unwrap();
        items += 1;

        let m = f.add_event_msg_meta().unwrap();
        m.set_ts_now().unwrap();
        m.set_sensor_str("sensor-0").unwrap();
        m.set_object_id(&i.to_string()).unwrap();
        m.set_other_attrs("x=y").unwrap();
        let ext = if i % 2 == 0 {
            ExtObject::Vehicle(Vehicle { type_: "sedan".into(), make: "Bugatti".into(), model: "M".into(),
                color: "blue".into(), region: "CA".into(), license: "XX1234".into() })
        } else {
            ExtObject::Person(Person { age: 45, gender: "male".into(), hair: "black".into(), cap: "none".into(),
                apparel: "formal".into() })
        };
        m.set_ext(&ext).unwrap();
        items += 1;
    }
    // Some removals, through every path.
    f.retain_objects(|o| o.class_id() != 3);
    f.retain_display_metas(|d| d.labels()[0].display_text() != "never");
    let mut k = 0;
    f.retain_user_metas(|_| {
        k += 1;
        k % 10 != 0
    });
    items
}

#[test]
fn hundred_thousand_items() {
    common::init().unwrap();
    let mut items = 0;
    for n in 0..buffers() {
        let mut buf = gst::Buffer::with_size(64).unwrap();
        items += fill(buf.get_mut().unwrap(), n);
        if n % 10 == 0 {
            // A deep copy, modified and dropped.
            let mut c = buf.copy();
            let b = BatchMeta::from_buffer_mut(c.get_mut().unwrap()).unwrap();
            for f in b.frames_mut() {
                f.retain_objects(|o| o.class_id() == 0);
            }
            // A frame copied into another batch (the demuxer path).
            let mut out = gst::Buffer::with_size(64).unwrap();
            let src = BatchMeta::from_buffer(&buf).unwrap().frames().next().unwrap();
            BatchMeta::attach(out.get_mut().unwrap(), 1).unwrap().add_frame_copy(src).unwrap();
        }
    }
    assert_eq!(items, 4 * PER_KIND * buffers());
    assert_eq!(LIVE.load(Ordering::SeqCst), 0, "every Rust payload dropped");
    if std::env::var_os("DS_META_LEAK_DEMO").is_some() {
        // For the leak check script: prove valgrind notices a leaked buffer with metadata.
        let mut buf = gst::Buffer::with_size(64).unwrap();
        fill(buf.get_mut().unwrap(), 0);
        std::mem::forget(buf);
    }
    println!("{items} metadata items acquired and released");
}

/// Runs [`hundred_thousand_items`] of this very test binary under valgrind (as
/// `scripts/leak-check.sh` does) and fails on any definitely or indirectly lost byte, so CI
/// checks for leaks on every run. valgrind comes with `scripts/setup.sh`.
#[test]
fn no_leaks_under_valgrind() {
    if std::env::var_os("DS_META_UNDER_VALGRIND").is_some() {
        return; // the inner run: only hundred_thousand_items matters there
    }
    let exe = std::env::current_exe().unwrap();
    let tmp = std::env::temp_dir().join(format!("ds-meta-valgrind-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let log = tmp.join("valgrind.log");
    let out = std::process::Command::new("valgrind")
        .args(["--leak-check=full", "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect"])
        .args(["--error-exitcode=99", "--num-callers=30"])
        .arg(format!("--log-file={}", log.display()))
        .arg(&exe)
        .args(["hundred_thousand_items", "--exact", "--test-threads=1"])
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
}
