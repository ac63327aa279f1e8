//! `ds-bench STAGE`: runs one stage of the portable deepstream-test1 pipeline alone, on the
//! first `--frames` frames of an H.264 elementary stream, and prints one line:
//!
//! `stage=<name> frames=<n> seconds=<s> fps=<frames per second> peak_rss_kib=<VmHWM>`
//!
//! Stages (one per process, so each peak RSS is its own):
//! - `decode`: `filesrc ! h264parse ! avdec_h264 ! fakesink` (`--copies` streams at once);
//! - `infer`: the ds-infer engine of deepstream-test1's portable config on frames decoded
//!   and scaled to the muxer's size beforehand (not timed), `--batch` frames per call, in
//!   the config's `network-mode` (INT8) or `--network-mode`'s;
//! - `pipeline`: deepstream-test1's pipeline (decoder → streammux → infer → convert → OSD →
//!   fakesink, sync off), with `--copies` copies of the stream through one muxer of batch
//!   size `--copies`.
//!
//! scripts/bench.sh runs every stage and prints the ratios.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;

#[derive(Parser, Debug)]
struct Args {
    /// decode, infer or pipeline
    stage: String,
    /// H.264 elementary stream
    #[arg(long)]
    input: PathBuf,
    /// Frames taken from the start of the stream
    #[arg(long, default_value_t = 200)]
    frames: u32,
    /// Copies of the stream decoded / muxed together (pipeline: the muxer's batch-size)
    #[arg(long, default_value_t = 1)]
    copies: u32,
    /// Frames per inference call (infer stage)
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Muxer output size, as deepstream-test1 sets it
    #[arg(long, default_value_t = 1920)]
    width: u32,
    #[arg(long, default_value_t = 1080)]
    height: u32,
    /// infer stage: nvinfer's network-mode instead of the config's (0 FP32, 1 INT8, 2 FP16)
    #[arg(long)]
    network_mode: Option<u32>,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    ds_app::init(Some("portable"))?;
    let (frames, secs) = match a.stage.as_str() {
        "decode" => decode(&a)?,
        "infer" => infer(&a)?,
        "pipeline" => pipeline(&a)?,
        s => bail!("unknown stage '{s}': expected decode, infer or pipeline"),
    };
    println!(
        "stage={} frames={frames} seconds={secs:.3} fps={:.2} peak_rss_kib={}",
        a.stage,
        frames as f64 / secs,
        peak_rss_kib()
    );
    Ok(())
}

/// VmHWM of this process, KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// `filesrc ! h264parse ! avdec_h264 ! identity eos-after=N`: the first N frames. Where
/// NVIDIA's decoder is registered (`ds_app::nvdec`), `nvv4l2decoder ! nvvideoconvert` to I420
/// in system memory takes avdec_h264's place, as in the apps.
fn source_chain(a: &Args) -> String {
    let decoder = if ds_app::nvdec::available() {
        "nvv4l2decoder ! nvvideoconvert ! video/x-raw,format=I420"
    } else {
        ds_app::nvdec::software_decoder()
    };
    format!(
        "filesrc location=\"{}\" ! h264parse ! {decoder} ! identity eos-after={}",
        a.input.display(),
        a.frames
    )
}

/// Runs `pipeline` to EOS; returns the wall time in seconds from PLAYING.
fn run_to_eos(pipeline: &gst::Pipeline) -> anyhow::Result<f64> {
    let bus = pipeline.bus().context("no bus")?;
    let start = Instant::now();
    pipeline.set_state(gst::State::Playing)?;
    let msg = bus
        .timed_pop_filtered(gst::ClockTime::from_seconds(600), &[gst::MessageType::Eos, gst::MessageType::Error])
        .context("no EOS within 600 s")?;
    let secs = start.elapsed().as_secs_f64();
    pipeline.set_state(gst::State::Null)?;
    if let gst::MessageView::Error(e) = msg.view() {
        bail!("{}: {}", msg.src().map(|s| s.path_string().to_string()).unwrap_or_default(), e.error());
    }
    Ok(secs)
}

fn decode(a: &Args) -> anyhow::Result<(u64, f64)> {
    let desc: Vec<String> = (0..a.copies).map(|i| format!("{} ! fakesink name=s{i} sync=false", source_chain(a))).collect();
    let pipeline = gst::parse::launch(&desc.join("  "))?.downcast::<gst::Pipeline>().map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    for i in 0..a.copies {
        let c = counted.clone();
        let sink = pipeline.by_name(&format!("s{i}")).context("fakesink")?;
        sink.static_pad("sink").context("fakesink pad")?.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            gst::PadProbeReturn::Ok
        });
    }
    let secs = run_to_eos(&pipeline)?;
    Ok((counted.load(std::sync::atomic::Ordering::Relaxed), secs))
}

fn infer(a: &Args) -> anyhow::Result<(u64, f64)> {
    // Decode and scale to the muxer's size first (not timed).
    let pipeline = gst::parse::launch(&format!(
        "{} ! videoconvert ! videoscale ! video/x-raw,format=RGBA,width={},height={} ! appsink name=s sync=false",
        source_chain(a),
        a.width,
        a.height
    ))?
    .downcast::<gst::Pipeline>()
    .map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let sink = pipeline.by_name("s").context("appsink")?.downcast::<gst_app::AppSink>().map_err(|_| anyhow::anyhow!("appsink"))?;
    pipeline.set_state(gst::State::Playing)?;
    let mut frames: Vec<Vec<u8>> = Vec::new();
    while let Ok(sample) = sink.pull_sample() {
        let buf = sample.buffer().context("sample without buffer")?;
        frames.push(buf.map_readable()?.as_slice().to_vec());
    }
    pipeline.set_state(gst::State::Null)?;
    if frames.is_empty() {
        bail!("no frame decoded from {}", a.input.display());
    }

    let config_path = ds_app::Backend::Portable.config("deepstream-test1", "dstest1_pgie_config.txt")?;
    let mut config = ds_infer::InferConfig::from_file(&config_path)?;
    config.batch_size = a.batch as u32;
    config.network_mode = match a.network_mode {
        None => config.network_mode,
        Some(0) => ds_infer::NetworkMode::Fp32,
        Some(1) => ds_infer::NetworkMode::Int8,
        Some(2) => ds_infer::NetworkMode::Fp16,
        Some(m) => bail!("--network-mode {m}: expected 0 (FP32), 1 (INT8) or 2 (FP16)"),
    };
    let mut engine = ds_infer::Inference::new(&config)?;
    let (w, h) = (a.width, a.height);
    // One warm-up call (ONNX Runtime allocates on the first run).
    let first = [ds_infer::preprocess::ImageRoi::full_frame(&frames[0], w, h, w as usize * 4)];
    engine.infer(&first)?;
    let start = Instant::now();
    let mut done = 0u64;
    for chunk in frames.chunks(a.batch) {
        let rois: Vec<_> = chunk
            .iter()
            .map(|f| ds_infer::preprocess::ImageRoi::full_frame(f, w, h, w as usize * 4))
            .collect();
        let out = engine.infer(&rois)?;
        done += out.len() as u64;
    }
    Ok((done, start.elapsed().as_secs_f64()))
}

fn pipeline(a: &Args) -> anyhow::Result<(u64, f64)> {
    let backend = ds_app::Backend::Portable;
    let pipeline = gst::Pipeline::with_name("bench");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    streammux.set_property("width", a.width);
    streammux.set_property("height", a.height);
    streammux.set_property("batch-size", a.copies);
    streammux.set_property("batched-push-timeout", 33000i32);
    let pgie = backend.make("nvinfer", "primary-inference")?;
    let config = backend.config("deepstream-test1", "dstest1_pgie_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    pgie.set_property("batch-size", a.copies);
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let sink = backend.make("fakesink", "fakesink")?;
    sink.set_property("sync", false);
    pipeline.add_many([&streammux, &pgie, &nvvidconv, &nvosd, &sink])?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd, &sink])?;
    for i in 0..a.copies {
        let bin = gst::parse::bin_from_description(&source_chain(a), true)?;
        pipeline.add(&bin)?;
        let pad = streammux.request_pad_simple(&format!("sink_{i}")).context("streammux sink pad")?;
        bin.static_pad("src").context("source bin src pad")?.link(&pad)?;
    }
    // Count the frames that reach the sink.
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let c = counted.clone();
    nvosd.static_pad("sink").context("osd sink pad")?.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(batch) = info.buffer().and_then(|b| ds_meta::BatchMeta::from_buffer(b)) {
            c.fetch_add(u64::from(batch.num_frames_in_batch()), std::sync::atomic::Ordering::Relaxed);
        }
        gst::PadProbeReturn::Ok
    });
    let secs = run_to_eos(&pipeline)?;
    Ok((counted.load(std::sync::atomic::Ordering::Relaxed), secs))
}
