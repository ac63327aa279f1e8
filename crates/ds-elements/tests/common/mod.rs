//! Helpers shared by the pipeline tests: init, real clips, bounded runs.
#![allow(dead_code)]

use gst::prelude::*;
use std::path::PathBuf;
use std::sync::Once;
use std::time::{Duration, Instant};

/// Initialises GStreamer once (registry cached under the target dir) and registers the
/// elements statically.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if std::env::var_os("GST_REGISTRY").is_none() {
            // SAFETY: called once, before GStreamer starts any thread of its own.
            unsafe {
                std::env::set_var(
                    "GST_REGISTRY",
                    concat!(env!("CARGO_TARGET_TMPDIR"), "/gst-registry.bin"),
                );
            }
        }
        gst::init().expect("gst::init");
        ds_elements::register_static().expect("register ds-elements");
    });
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A real clip under `streams/`; panics (never skips) when it is missing.
pub fn clip(name: &str) -> String {
    let p = root().join("streams").join(name);
    if !p.is_file() {
        panic!("missing clip {}: run scripts/setup.sh", p.display());
    }
    p.canonicalize().unwrap().to_string_lossy().into_owned()
}

/// Sets the pipeline PLAYING and waits for EOS (Ok) or an error (Err), at most `timeout`.
pub fn run(pipeline: &gst::Pipeline, timeout: Duration) -> Result<(), String> {
    let bus = pipeline.bus().unwrap();
    if let Err(e) = pipeline.set_state(gst::State::Playing) {
        // the element's error message says why
        let why = wait_eos(&bus, Duration::from_secs(2))
            .err()
            .unwrap_or_default();
        let _ = pipeline.set_state(gst::State::Null);
        return Err(format!("set PLAYING: {e}: {why}"));
    }
    let res = wait_eos(&bus, timeout);
    let _ = pipeline.set_state(gst::State::Null);
    res
}

/// Waits for EOS or an error on `bus`.
pub fn wait_eos(bus: &gst::Bus, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("timeout after {timeout:?} without EOS"));
        }
        let Some(msg) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(left.as_millis() as u64),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        ) else {
            continue;
        };
        match msg.view() {
            gst::MessageView::Eos(_) => return Ok(()),
            gst::MessageView::Error(e) => {
                return Err(format!(
                    "error from {:?}: {} ({:?})",
                    e.src().map(|s| s.path_string()),
                    e.error(),
                    e.debug()
                ));
            }
            _ => {}
        }
    }
}

/// Builds a pipeline from a launch line.
pub fn launch(line: &str) -> gst::Pipeline {
    gst::parse::launch(line)
        .unwrap_or_else(|e| panic!("parse {line}: {e}"))
        .downcast::<gst::Pipeline>()
        .expect("a pipeline")
}
