//! dsurisrcbin (portable nvurisrcbin) on the real clips. (dslogger's output is checked by
//! its unit test and by deepstream-test3's `--disable-probe` test.)
mod common;

use common::{clip, init, launch};
use gst::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn uri(name: &str) -> String {
    format!("file://{}", clip(name))
}

/// dsurisrcbin → appsink; PTS of every buffer until `stop` says so (then `file-loop` is
/// turned off and the pipeline runs to EOS).
fn pts_of(src_props: &str, stop: impl Fn(&[gst::ClockTime]) -> bool + Send + 'static) -> (Vec<gst::ClockTime>, Result<(), String>) {
    init();
    let p = launch(&format!(
        "dsurisrcbin name=src {src_props} ! videoconvert ! video/x-raw,format=RGBA ! appsink name=s sync=false"
    ));
    let sink = p.by_name("s").unwrap().downcast::<gst_app::AppSink>().unwrap();
    let src = p.by_name("src").unwrap();
    let seen: Arc<Mutex<Vec<gst::ClockTime>>> = Arc::default();
    let seen2 = seen.clone();
    let src2 = src.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let mut v = seen2.lock().unwrap();
                v.extend(sample.buffer().and_then(|b| b.pts()));
                if stop(&v) {
                    src2.set_property("file-loop", false);
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    let res = common::run(&p, Duration::from_secs(120));
    let v = seen.lock().unwrap().clone();
    (v, res)
}

#[test]
fn file_loop_restarts_with_continuous_timestamps() {
    let clip_frames = 40; // vtest-4s.mp4, 10 fps
    let (pts, res) = pts_of(&format!("uri={} file-loop=true", uri("vtest-4s.mp4")), move |v| v.len() >= 2 * clip_frames + 5);
    res.unwrap();
    // ran past two ends of the clip, then ended at the next end once looping was off
    assert!(pts.len() >= 2 * clip_frames + 5, "{} buffers", pts.len());
    assert_eq!(pts.len() % clip_frames, 0, "{} buffers: not whole loops", pts.len());
    // timestamps strictly increasing across the restarts, 100 ms apart
    for w in pts.windows(2) {
        assert!(w[1] > w[0], "PTS not increasing: {} then {}", w[0], w[1]);
        let step = (w[1] - w[0]).mseconds();
        assert!((99..=101).contains(&step), "PTS step {step} ms between {} and {}", w[0], w[1]);
    }
}

#[test]
fn without_file_loop_the_clip_ends() {
    let (pts, res) = pts_of(&format!("uri={}", uri("vtest-4s.mp4")), |_| false);
    res.unwrap();
    assert_eq!(pts.len(), 40);
}

#[test]
fn audio_is_not_exposed_and_no_video_is_an_error_naming_the_uri() {
    // market-2s.mp4 has video and audio: only video comes out, to EOS
    let (pts, res) = pts_of(&format!("uri={}", uri("market-2s.mp4")), |_| false);
    res.unwrap();
    assert!(pts.len() >= 60);
    // the audio alone: an error that names the URI
    let u = uri("market-audio.m4a");
    let (_, res) = pts_of(&format!("uri={u}"), |_| false);
    let e = res.unwrap_err();
    assert!(e.contains("No video stream") && e.contains(&u), "{e}");
}
