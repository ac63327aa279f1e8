//! A pipeline taken to NULL after EOS and played again with another file of another
//! resolution: the muxer renegotiates, every frame of both runs comes out, no GLib criticals.
mod common;

use common::{clip, init};
use gst::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn replay_after_eos_with_another_resolution() {
    init();
    static CRITICALS: AtomicUsize = AtomicUsize::new(0);
    let _handler = glib::log_set_handler(
        Some("GStreamer"),
        glib::LogLevels::LEVEL_CRITICAL | glib::LogLevels::LEVEL_WARNING,
        false,
        false,
        |_, _, msg| {
            eprintln!("GLib: {msg}");
            CRITICALS.fetch_add(1, Ordering::SeqCst);
        },
    );
    // width/height 0: the muxer takes the input's size (USE_NEW_NVSTREAMMUX=yes path)
    let p = gst::Pipeline::new();
    let make = |f: &str, n: &str| gst::ElementFactory::make(f).name(n).build().unwrap();
    let (src, mux, conv, caps, appsink) =
        (make("uridecodebin", "src"), make("dsstreammux", "m"), make("dsvideoconvert", "c"), make("capsfilter", "f"), make("appsink", "s"));
    mux.set_property("batch-size", 1u32);
    caps.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "RGBA").build());
    appsink.set_property("sync", false);
    p.add_many([&src, &mux, &conv, &caps, &appsink]).unwrap();
    gst::Element::link_many([&mux, &conv, &caps, &appsink]).unwrap();
    // link the decoder's video pad to the muxer (on every run: uridecodebin's pads are new)
    let sinkpad = mux.request_pad_simple("sink_0").unwrap();
    let sp = sinkpad.clone();
    src.connect_pad_added(move |_, pad| {
        let video = pad.current_caps().and_then(|c| c.structure(0).map(|s| s.name().starts_with("video"))).unwrap_or(false);
        if video && !sp.is_linked() {
            pad.link(&sp).unwrap();
        }
    });
    let sink = p.by_name("s").unwrap().downcast::<gst_app::AppSink>().unwrap();
    let seen: Arc<Mutex<Vec<(i32, i32)>>> = Arc::default();
    let seen2 = seen.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let st = sample.caps().and_then(|c| c.structure(0).map(|s| s.to_owned())).ok_or(gst::FlowError::Error)?;
                seen2.lock().unwrap().push((st.get::<i32>("width").unwrap(), st.get::<i32>("height").unwrap()));
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    let mut runs = Vec::new();
    for (name, size) in [("vtest-4s.mp4", (768, 576)), ("market-2s.mp4", (640, 360)), ("vtest-4s.mp4", (768, 576))] {
        seen.lock().unwrap().clear();
        src.set_property("uri", format!("file://{}", clip(name)));
        let res = common::run(&p, Duration::from_secs(60)); // PLAYING .. EOS, then NULL
        res.unwrap_or_else(|e| panic!("{name}: {e}"));
        let v = seen.lock().unwrap().clone();
        assert!(v.iter().all(|s| *s == size), "{name}: sizes {:?}", v.iter().collect::<std::collections::BTreeSet<_>>());
        runs.push((name, v.len()));
    }
    assert_eq!(runs[0].1, 40, "{runs:?}");
    assert!(runs[1].1 >= 60, "{runs:?}");
    assert_eq!(runs[2].1, 40, "{runs:?}");
    assert_eq!(CRITICALS.load(Ordering::SeqCst), 0, "GLib criticals or warnings (see stderr)");
}
