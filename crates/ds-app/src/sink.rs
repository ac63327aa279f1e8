//! Where the video goes: `--sink auto|display|file|fake`.
//!
//! The Python samples always open a window (SINK-SELECT: `nveglglessink` on x86 dGPU,
//! `nv3dsink` on Jetson). The Rust samples add a file (an H.264 MP4) and a fake sink, and
//! choose the window only where a display exists, so that they run headless in CI.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use gst::prelude::*;

use crate::backend::Backend;
use crate::platform::PlatformInfo;

/// The kind of sink, resolved from `--sink`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkKind {
    /// A window: `autovideosink` (portable) or the sample's NVIDIA sink.
    Display,
    /// An H.264 MP4 file at this path.
    File(PathBuf),
    /// `fakesink`: no output (benchmarks, smoke tests).
    Fake,
}

/// Whether a display server is reachable (`DISPLAY` or `WAYLAND_DISPLAY` set).
pub fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

impl SinkKind {
    /// Resolves `--sink` for sample `app`: `auto` is `display` where a display exists, else
    /// `file`; `file` writes `output` or `out/<app>.mp4`.
    ///
    /// Errors: an unknown sink name; `display` without a display.
    pub fn resolve(arg: &str, app: &str, output: Option<PathBuf>) -> anyhow::Result<SinkKind> {
        let file = || -> anyhow::Result<SinkKind> {
            Ok(SinkKind::File(match output.clone() {
                Some(p) => p,
                None => crate::paths::out_file(&format!("{app}.mp4"))?,
            }))
        };
        match arg {
            "auto" if display_available() => Ok(SinkKind::Display),
            "auto" | "file" => file(),
            "display" if display_available() => Ok(SinkKind::Display),
            "display" => bail!("--sink display: no display (DISPLAY and WAYLAND_DISPLAY are unset); use --sink file"),
            "fake" => Ok(SinkKind::Fake),
            other => bail!("unknown sink '{other}': expected auto, display, file or fake"),
        }
    }
}

/// Builds the sink of `kind` as a bin named `name` with one ghost `sink` pad that takes what
/// the sample's OSD gives (a batch of one frame on the portable backend, NVMM RGBA on
/// DeepStream).
///
/// - portable: `dsvideoconvert ! videoconvert ! autovideosink`, or
///   `dsvideoconvert ! videoconvert ! x264enc ! h264parse ! mp4mux ! filesink`, or `fakesink`;
/// - deepstream: `nveglglessink`/`nv3dsink`, or
///   `nvvideoconvert ! nvv4l2h264enc ! h264parse ! qtmux ! filesink`, or `fakesink`.
///
/// Errors: an element is missing (named), or the output directory cannot be created.
pub fn make_sink_bin(backend: Backend, kind: &SinkKind, name: &str) -> anyhow::Result<gst::Bin> {
    let bin = gst::Bin::with_name(name);
    let mut chain: Vec<gst::Element> = Vec::new();
    let mk = |f: &str, n: &str| -> anyhow::Result<gst::Element> { backend.make(f, n) };
    match kind {
        SinkKind::Fake => {
            let s = mk("fakesink", "fakesink")?;
            s.set_property("sync", false);
            chain.push(s);
        }
        SinkKind::Display => match backend {
            Backend::Portable => {
                chain.push(mk("nvvideoconvert", "sink-convertor")?);
                chain.push(mk("videoconvert", "sink-videoconvert")?);
                chain.push(mk("autovideosink", "nvvideo-renderer")?);
            }
            Backend::DeepStream => {
                let p = PlatformInfo::get();
                let n = if p.deepstream_display_sink() == "nv3dsink" { "nv3d-sink" } else { "nvvideo-renderer" };
                chain.push(mk(p.deepstream_display_sink(), n)?);
            }
        },
        SinkKind::File(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            chain.push(mk("nvvideoconvert", "sink-convertor")?);
            match backend {
                Backend::Portable => {
                    chain.push(mk("videoconvert", "sink-videoconvert")?);
                    let enc = mk("x264enc", "encoder")?;
                    enc.set_property_from_str("speed-preset", "superfast");
                    chain.push(enc);
                }
                Backend::DeepStream => chain.push(mk("nvv4l2h264enc", "encoder")?),
            }
            chain.push(mk("h264parse", "sink-h264parse")?);
            chain.push(mk(if backend == Backend::Portable { "mp4mux" } else { "qtmux" }, "muxer")?);
            let fs = mk("filesink", "filesink")?;
            fs.set_property("location", path.to_string_lossy().as_ref());
            fs.set_property("sync", false);
            chain.push(fs);
        }
    }
    bin.add_many(&chain)?;
    gst::Element::link_many(&chain).context("linking the sink bin")?;
    let first = chain.first().context("empty sink chain")?;
    let pad = first.static_pad("sink").context("sink element without a sink pad")?;
    let ghost = gst::GhostPad::builder_with_target(&pad)?.name("sink").build();
    bin.add_pad(&ghost)?;
    Ok(bin)
}
