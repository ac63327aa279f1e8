//! NVIDIA's hardware decoder under the portable backend: where `nvv4l2decoder` and
//! `nvvideoconvert` are in the GStreamer registry (DeepStream, or PyPI
//! `nvidia-deepstream-videodecode-cu13`'s `_libs` on `GST_PLUGIN_PATH`) but the rest of
//! DeepStream is not, the portable pipeline decodes on the GPU and hands system-memory frames
//! to this project's elements:
//!
//! ```text
//! h264parse ! nvv4l2decoder ! nvvideoconvert ! video/x-raw,format=I420 ! dsstreammux ...
//! ```
//!
//! `DS_NVDEC=0` keeps the software decoder (`avdec_h264`). Decoded pads in NVMM memory that
//! `uridecodebin` exposes get the same `nvvideoconvert` in the source bin
//! ([`to_system_memory`]).

use anyhow::Context as _;
use gst::prelude::*;

/// The environment variable that turns NVIDIA's decoder off (`0`) under the portable backend.
pub const NVDEC_ENV: &str = "DS_NVDEC";

/// Whether the portable backend uses NVIDIA's decoder here: both elements are registered and
/// [`NVDEC_ENV`] is not `0`.
pub fn available() -> bool {
    std::env::var(NVDEC_ENV).map(|v| v.trim() != "0").unwrap_or(true)
        && gst::ElementFactory::find("nvv4l2decoder").is_some()
        && gst::ElementFactory::find("nvvideoconvert").is_some()
}

/// The software H.264 decoder of the portable backend: `avdec_h264` (gst-libav), else
/// `openh264dec` (gst-plugins-bad) where only that one is installed.
pub fn software_decoder() -> &'static str {
    if gst::ElementFactory::find("avdec_h264").is_none() && gst::ElementFactory::find("openh264dec").is_some() {
        "openh264dec"
    } else {
        "avdec_h264"
    }
}

fn announce() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| eprintln!("portable backend: decoding with NVIDIA's nvv4l2decoder (set {NVDEC_ENV}=0 for avdec_h264)"));
}

/// `nvvideoconvert ! video/x-raw,format=I420` added to `bin` (state synced), for an NVMM
/// pad. Returns (the converter's sink pad, the caps filter's src pad).
///
/// Errors: an element cannot be made or added.
pub fn to_system_memory(bin: &gst::Bin) -> anyhow::Result<(gst::Pad, gst::Pad)> {
    announce();
    let conv = gst::ElementFactory::make("nvvideoconvert").build().context("making nvvideoconvert")?;
    let caps = gst::Caps::builder("video/x-raw").field("format", "I420").build();
    let filter = gst::ElementFactory::make("capsfilter").property("caps", &caps).build()?;
    bin.add_many([&conv, &filter])?;
    conv.link(&filter).context("linking nvvideoconvert to its caps filter")?;
    for e in [&conv, &filter] {
        e.sync_state_with_parent()?;
    }
    let sink = conv.static_pad("sink").context("nvvideoconvert has no sink pad")?;
    let src = filter.static_pad("src").context("capsfilter has no src pad")?;
    Ok((sink, src))
}

/// A bin named `name` standing for `nvv4l2decoder` in a portable pipeline: NVIDIA's decoder,
/// then `nvvideoconvert` to I420 in system memory, with ghost `sink` and `src` pads.
///
/// Errors: an element cannot be made or linked.
pub fn decoder_bin(name: &str) -> anyhow::Result<gst::Element> {
    announce();
    let bin = gst::Bin::with_name(name);
    let dec = gst::ElementFactory::make("nvv4l2decoder").build().context("making nvv4l2decoder")?;
    bin.add(&dec)?;
    let (conv_sink, src) = to_system_memory(&bin)?;
    dec.static_pad("src").context("nvv4l2decoder has no src pad")?.link(&conv_sink)?;
    let sink = dec.static_pad("sink").context("nvv4l2decoder has no sink pad")?;
    bin.add_pad(&gst::GhostPad::with_target(&sink)?)?;
    bin.add_pad(&gst::GhostPad::with_target(&src)?)?;
    Ok(bin.upcast())
}
