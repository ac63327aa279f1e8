//! Sources added to and removed from a PLAYING pipeline, as runtime_source_add_delete does
//! (`create_uridecode_bin` and `stop_release_source` of the Python sample), usable by any
//! app whose cameras come and go.
//!
//! - [`add_source`]: a bare `uridecodebin` named `source-bin-NN`, added to the pipeline and
//!   set PLAYING; its first video pad is linked to the muxer's `sink_NN` when it appears.
//! - [`stop_release_source`]: the source set to NULL (its streaming thread, even one blocked
//!   in the muxer, is released), the muxer pad sent a `flush-stop` and released, the source
//!   removed from the pipeline. The muxer still outputs the frames it had queued for that
//!   pad, then tells downstream the pad is gone (`nv-pad-deleted`).
//!
//! Neither blocks for longer than the state change of that one source (bounded by
//! [`STATE_CHANGE_TIMEOUT`]); the other sources keep flowing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use gst::prelude::*;

/// How long [`add_source`] and [`stop_release_source`] wait for an asynchronous state change.
pub const STATE_CHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// A source added by [`add_source`].
#[derive(Debug, Clone)]
pub struct DynamicSource {
    /// Its index: muxer pad `sink_<index>`, bin `source-bin-<index>`.
    pub index: u32,
    /// The `uridecodebin`.
    pub bin: gst::Element,
    /// Video frames its decoder pushed towards the muxer.
    pub frames_out: Arc<AtomicU64>,
}

impl DynamicSource {
    /// Video frames pushed towards the muxer so far.
    pub fn frames_out(&self) -> u64 {
        self.frames_out.load(Ordering::Relaxed)
    }
}

/// `create_uridecode_bin(index, uri)` + adding it to `pipeline` + `set_state(PLAYING)`.
/// Prints the sample's lines (`Decodebin linked to pipeline`, `STATE CHANGE ...`) when
/// `verbose`. The source's video pad is linked to `streammux`'s `sink_<index>` once it
/// appears; other pads (audio) are left unlinked, as in the sample.
///
/// Errors: the URI fails [`crate::source::check_uri`]; `uridecodebin` is missing; the state
/// change fails (the source is removed again).
pub fn add_source(
    pipeline: &gst::Pipeline,
    streammux: &gst::Element,
    index: u32,
    uri: &str,
    verbose: bool,
) -> anyhow::Result<DynamicSource> {
    crate::source::check_uri(index as usize, uri)?;
    let bin_name = format!("source-bin-{index:02}");
    let bin = gst::ElementFactory::make("uridecodebin")
        .name(&bin_name)
        .property("uri", uri)
        .build()
        .context("creating uridecodebin (gstreamer1.0-plugins-base)")?;
    let frames_out = Arc::new(AtomicU64::new(0));
    let mux = streammux.downgrade();
    let counter = frames_out.clone();
    bin.connect_pad_added(move |_, pad| {
        let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
        let is_video = caps.structure(0).map(|s| s.name().contains("video")).unwrap_or(false);
        if !is_video {
            return;
        }
        let Some(mux) = mux.upgrade() else { return };
        let pad_name = format!("sink_{index}");
        // Get a sink pad from the streammux, link to decodebin
        let linked = mux.request_pad_simple(&pad_name).map(|sinkpad| pad.link(&sinkpad).is_ok()).unwrap_or(false);
        if verbose {
            println!("{}", if linked { "Decodebin linked to pipeline" } else { "Failed to link decodebin to pipeline" });
        }
        if linked {
            let counter = counter.clone();
            pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                counter.fetch_add(1, Ordering::Relaxed);
                gst::PadProbeReturn::Ok
            });
        }
    });
    pipeline.add(&bin).with_context(|| format!("adding {bin_name} to the pipeline"))?;
    match bin.set_state(gst::State::Playing) {
        Ok(gst::StateChangeSuccess::Success) => {
            if verbose {
                println!("STATE CHANGE SUCCESS\n");
            }
        }
        Ok(gst::StateChangeSuccess::Async) => {
            if verbose {
                println!("STATE CHANGE ASYNC\n");
            }
        }
        Ok(gst::StateChangeSuccess::NoPreroll) => {
            if verbose {
                println!("STATE CHANGE NO PREROLL\n");
            }
        }
        Err(_) => {
            if verbose {
                println!("STATE CHANGE FAILURE\n");
            }
            let _ = bin.set_state(gst::State::Null);
            let _ = pipeline.remove(&bin);
            bail!("source {index} ({uri}): cannot start");
        }
    }
    Ok(DynamicSource { index, bin, frames_out })
}

/// `stop_release_source(index)` of the sample: the source to NULL, `flush-stop` to the
/// muxer's `sink_<index>`, the pad released, the source removed from the pipeline.
///
/// Errors: the state change fails or takes longer than [`STATE_CHANGE_TIMEOUT`] (the source
/// is left in the pipeline).
pub fn stop_release_source(
    pipeline: &gst::Pipeline,
    streammux: &gst::Element,
    source: &DynamicSource,
    verbose: bool,
) -> anyhow::Result<()> {
    let index = source.index;
    let state_return = source.bin.set_state(gst::State::Null);
    match state_return {
        Ok(gst::StateChangeSuccess::Async) => {
            if verbose {
                println!("STATE CHANGE ASYNC\n");
            }
            let (res, _, _) = source.bin.state(gst::ClockTime::from_nseconds(STATE_CHANGE_TIMEOUT.as_nanos() as u64));
            res.map_err(|_| anyhow::anyhow!("source {index}: did not stop within {STATE_CHANGE_TIMEOUT:?}"))?;
        }
        Ok(_) => {
            if verbose {
                println!("STATE CHANGE SUCCESS\n");
            }
        }
        Err(_) => {
            if verbose {
                println!("STATE CHANGE FAILURE\n");
            }
            bail!("source {index}: cannot be stopped");
        }
    }
    let pad_name = format!("sink_{index}");
    if let Some(sinkpad) = streammux.static_pad(&pad_name) {
        sinkpad.send_event(gst::event::FlushStop::new(false));
        streammux.release_request_pad(&sinkpad);
        if verbose {
            println!("STATE CHANGE SUCCESS {pad_name}\n");
        }
    }
    pipeline.remove(&source.bin).with_context(|| format!("removing source-bin-{index:02}"))?;
    Ok(())
}
