//! What the DeepStream Python samples keep in `apps/common`, for the Rust samples.
//!
//! - [`backend`]: `--backend` / `DS_BACKEND` (`auto`, `deepstream`, `portable`) and the one
//!   mapping from NVIDIA element names to the portable ones ([`backend::Backend::make`]).
//! - [`sink`]: `--sink auto|display|file|fake` (SINK-SELECT of the samples, plus an MP4 file).
//! - [`bus`]: `bus_call` (errors and warnings with their source element), the main loop, and
//!   Ctrl-C → EOS so files are finalised.
//! - [`dynamic`]: sources added to and removed from a PLAYING pipeline (runtime_source_add_delete).
//! - [`perf`]: the samples' per-stream FPS counter (`**PERF:  {'stream0': 30.0} `).
//! - [`platform`]: `PlatformInfo` (Jetson, dGPU, no GPU).
//! - [`paths`]: the workspace root, `configs/`, `models/`, `streams/`, `out/`.
//! - [`input`]: checks of the samples' input files.
//! - [`rtsp`]: RTSP-OUT (encoder, payloader, RTP relay on 127.0.0.1, gst-rtsp-server).
//! - [`tracker`]: TRACKER-INI (the `[tracker]` INI file onto nvtracker's properties).
//! - `cv` (feature `opencv`): OpenCV `Mat`s over frame views, RGBA→BGRA copies, `imwrite`.
//! - [`source`]: SRC-BIN (`source-bin-NN` around `uridecodebin`), TILER-GRID, URI checks.
//!
//! A sample's `main` reads like the Python one:
//!
//! ```no_run
//! use gst::prelude::*;
//! # fn main() -> anyhow::Result<()> {
//! let backend = ds_app::init(Some("portable"))?;
//! let pipeline = gst::Pipeline::with_name("deepstream-test1");
//! let pgie = backend.make("nvinfer", "primary-inference")?; // dsinfer here
//! let config = backend.config("deepstream-test1", "dstest1_pgie_config.txt")?;
//! pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
//! pipeline.add(&pgie)?;
//! # Ok(()) }
//! ```

pub mod backend;
pub mod bus;
#[cfg(feature = "opencv")]
pub mod cv;
pub mod dynamic;
pub mod image;
pub mod input;
pub mod nvdec;
pub mod paths;
pub mod perf;
pub mod platform;
pub mod rtsp;
pub mod sink;
pub mod source;
pub mod tracker;

use anyhow::Context as _;

pub use backend::Backend;
pub use sink::SinkKind;

/// The flags every sample adds to the Python sample's own arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct AppArgs {
    /// Which elements to use: `deepstream` (NVIDIA's; DeepStream 7.1 must be installed),
    /// `portable` (this project's, on the CPU) or `auto` (DeepStream where found).
    #[arg(long, env = "DS_BACKEND", default_value = "auto",
          value_parser = ["auto", "deepstream", "portable"])]
    pub backend: String,
    /// Where the video goes: `display` (a window), `file` (an MP4 under `out/`), `fake`
    /// (nowhere), or `auto` (a window where a display exists, else the file).
    #[arg(long, default_value = "auto", value_parser = ["auto", "display", "file", "fake"])]
    pub sink: String,
    /// Output file for `--sink file` (default `out/<app>.mp4`).
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
}

/// Initialises GStreamer, chooses the backend (`auto`/`deepstream`/`portable`, see
/// [`Backend::resolve`]), registers the portable elements and selects the matching metadata
/// provider. Prints the backend chosen on stderr.
///
/// Errors: GStreamer fails to initialise; `deepstream` asked where it is missing (the error
/// names what is missing); an unknown backend name.
pub fn init(backend: Option<&str>) -> anyhow::Result<Backend> {
    gst::init().context("initialising GStreamer")?;
    ds_elements::register_static().context("registering the portable elements")?;
    let backend = Backend::resolve(backend)?;
    backend.select_meta_provider()?;
    match backend {
        Backend::DeepStream => eprintln!(
            "Backend: {} ({}; {})",
            backend.name(),
            backend::deepstream_found(),
            platform::PlatformInfo::get().describe()
        ),
        Backend::Portable => eprintln!("Backend: {} ({})", backend.name(), platform::PlatformInfo::get().describe()),
    }
    Ok(backend)
}

/// The process exit status of a sample's `run`: success, or failure after printing the error
/// (`Error: ...` with its causes); a [`bus::PipelineError`] was printed by the bus handler
/// already, with its element, and is not printed again.
pub fn exit_code(result: anyhow::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<bus::PipelineError>().is_some() => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// BATCH-OVERRIDE of the samples: when the inference element's `batch-size` (read back after
/// `config-file-path` was set) differs from `sources`, prints
/// `WARNING: Overriding infer-config batch-size <cfg>  with number of sources  <n>  ` and sets
/// it to `sources`.
pub fn override_batch_size(pgie: &gst::Element, sources: usize) {
    use gst::prelude::*;
    let pgie_batch_size: u32 = pgie.property("batch-size");
    if pgie_batch_size as usize != sources {
        println!("WARNING: Overriding infer-config batch-size {pgie_batch_size}  with number of sources  {sources}  \n");
        pgie.set_property("batch-size", sources as u32);
    }
}
