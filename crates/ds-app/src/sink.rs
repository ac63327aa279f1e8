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

/// The display server to draw on, if one answers: Wayland when `WAYLAND_DISPLAY` names a
/// socket that exists, X11 when `DISPLAY` is a local display whose socket exists
/// (`/tmp/.X11-unix/X<n>`) or a remote one (`host:n`, not checked).
///
/// A `DISPLAY` naming a display nobody serves counts as none: with it, GStreamer's
/// `autovideosink` falls through to `dfbvideosink`, which crashes.
pub fn display_server() -> Option<DisplayServer> {
    let var = |v: &str| std::env::var(v).ok().filter(|s| !s.is_empty());
    if let Some(w) = var("WAYLAND_DISPLAY") {
        let sock = if w.starts_with('/') {
            std::path::PathBuf::from(&w)
        } else {
            std::path::PathBuf::from(var("XDG_RUNTIME_DIR").unwrap_or_default()).join(&w)
        };
        if sock.exists() {
            return Some(DisplayServer::Wayland);
        }
    }
    let d = var("DISPLAY")?;
    let (host, rest) = d.rsplit_once(':')?;
    if !host.is_empty() && host != "unix" {
        return Some(DisplayServer::X11); // a remote display: trust it
    }
    let n = rest.split('.').next().unwrap_or_default();
    std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists().then_some(DisplayServer::X11)
}

/// A display server (see [`display_server`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayServer {
    /// X11 (`DISPLAY`): the portable backend draws with `ximagesink`.
    X11,
    /// Wayland (`WAYLAND_DISPLAY`): `waylandsink`.
    Wayland,
}

/// Whether a display server answers (see [`display_server`]).
pub fn display_available() -> bool {
    display_server().is_some()
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
            "display" => bail!(
                "--sink display: no display server (DISPLAY={:?}, WAYLAND_DISPLAY={:?}: unset, or no server \
                 behind them); use --sink file",
                std::env::var("DISPLAY").unwrap_or_default(),
                std::env::var("WAYLAND_DISPLAY").unwrap_or_default()
            ),
            "fake" => Ok(SinkKind::Fake),
            other => bail!("unknown sink '{other}': expected auto, display, file or fake"),
        }
    }
}

/// x264enc's `speed-preset` for `--sink file` on the portable backend: `ultrafast` (no
/// CABAC, no deblocking, diamond motion search), for throughput, with `dct8x8=true` (High
/// profile); `bframes=0` as mp4mux needs; `threads=1` (the sink bin's queue gives the
/// encoder its own thread beside the detector's).
pub const ENCODER_SPEED_PRESET: &str = "ultrafast";

/// x264enc's constant quantizer for `--sink file` on the portable backend (`pass=quant`):
/// 23, the quality of x264's default CRF, without rate control.
pub const ENCODER_QUANTIZER: u32 = 23;

/// `videoconvert` with one conversion thread per CPU (`n-threads`; GStreamer's converter
/// splits the frame in bands), before a window sink: RGBA to the window's format for a 1080p
/// frame every frame. (The file sink converts to I420 in `dsvideoconvert`, with SIMD.)
fn threaded_videoconvert(backend: Backend) -> anyhow::Result<gst::Element> {
    let conv = backend.make("videoconvert", "sink-videoconvert")?;
    let cpus = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);
    conv.set_property("n-threads", cpus);
    Ok(conv)
}

/// Builds the sink of `kind` as a bin named `name` with one ghost `sink` pad that takes what
/// the sample's OSD gives (a batch of one frame on the portable backend, NVMM RGBA on
/// DeepStream).
///
/// - portable: `dsvideoconvert ! videoconvert ! ximagesink` (or `waylandsink`; dsvideoconvert
///   shares the OSD's frame, no copy: it only drops the batch caps feature), or `queue
///   max-size-buffers=3 ! dsvideoconvert ! video/x-raw,format=I420 ! x264enc
///   speed-preset=ultrafast bframes=0 dct8x8=true threads=1 pass=quant quantizer=23 ! h264parse ! mp4mux ! filesink` (the queue
///   runs the encoder beside the detector; dsvideoconvert converts RGBA to I420 with SIMD;
///   I420: 4:2:0, which every player reads; see [`ENCODER_SPEED_PRESET`]), or `fakesink`;
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
                chain.push(threaded_videoconvert(backend)?);
                let sink = match display_server() {
                    Some(DisplayServer::Wayland) => "waylandsink",
                    _ => "ximagesink",
                };
                chain.push(mk(sink, "nvvideo-renderer")?);
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
            if backend == Backend::Portable {
                // The encoder in its own streaming thread: it encodes frame N while the
                // detector runs on frame N+1 (on 2 cores, test1 to MP4 in 17.5 s instead
                // of 20.4 s).
                let q = mk("queue", "sink-queue")?;
                q.set_property("max-size-buffers", 3u32);
                q.set_property("max-size-bytes", 0u32);
                q.set_property("max-size-time", 0u64);
                chain.push(q);
            }
            chain.push(mk("nvvideoconvert", "sink-convertor")?);
            match backend {
                Backend::Portable => {
                    // dsvideoconvert (nvvideoconvert) writes I420 itself, with SIMD
                    let i420 = mk("capsfilter", "sink-caps")?;
                    i420.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "I420").build());
                    chain.push(i420);
                    let enc = mk("x264enc", "encoder")?;
                    // Throughput first ([`ENCODER_SPEED_PRESET`]): ultrafast encodes 795 frames of
                    // vtest at 1080p in 6 CPU-s where superfast takes 11, and the file is
                    // no larger here.
                    enc.set_property_from_str("speed-preset", ENCODER_SPEED_PRESET);
                    // No B-frames (the preset would add them): with reordered frames mp4mux
                    // ends the track at the last frame in decoding order, and a stream
                    // whose last frames came after a gap lost its last frame to players.
                    enc.set_property("bframes", 0u32);
                    // the 8x8 transform makes the stream High profile (4:2:0), which every
                    // player reads, for 3 % more encoder time (ultrafast alone writes
                    // Constrained Baseline)
                    enc.set_property("dct8x8", true);
                    // One encoding thread, the sink queue's: x264's default (frame threads,
                    // 1.5 per core) contends with the detector's threads for the same cores
                    // (test1 to MP4 on 2 cores: 16.8 s against 18.0 s, same CPU time).
                    enc.set_property("threads", 1u32);
                    // Constant quantizer 23 instead of x264enc's default CBR at 2 Mbit/s: a
                    // file needs no rate control, and without it encoding takes about a
                    // quarter less CPU (decoding, scaling and encoding 795 frames of vtest at
                    // 1080p: 8.1 CPU-s against 9.4, of which 3.7 decoding and scaling)
                    enc.set_property_from_str("pass", "quant");
                    enc.set_property("quantizer", ENCODER_QUANTIZER);
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

/// Says where the output file is after a run: `Output written to <path>` after a clean
/// finish; after an error, `Output up to the error written to <path>` when the file holds
/// something, and nothing (the empty file is removed) when it does not.
pub fn report_output(path: &std::path::Path, finished: bool) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if finished {
        println!("Output written to {}", path.display());
    } else if size > 0 {
        println!("Output up to the error written to {}", path.display());
    } else {
        let _ = std::fs::remove_file(path);
    }
}
