//! deepstream-opticalflow: port of `deepstream-opticalflow.py` (DeepStream 7.1 Python
//! samples).
//!
//! N URIs → source bins → streammux → queue → optical flow (nvof) → queue → flow visual
//! (nvofvisual) → queue → tiler → queue → convertor → queue → OSD → queue → convertor → I420
//! → MPEG-4 encoder → parser → qtmux → `out.mp4` (`--output`; H.264 on the portable
//! backend). A probe after nvofvisual reads each frame's `NvDsOpticalFlowMeta`, renders the
//! vectors in HSV colours (hue = direction, value = magnitude, inverted as the sample does)
//! and saves them as
//! `<FOLDER>/stream_<i>/frame_<n>.jpg`, one pixel per 4x4 block.
//!
//! On the portable backend `nvof` is `dsof` (OpenCV's DIS dense flow on the CPU, on nvof's
//! 4x4 grid, S10.5 fixed point) and `nvofvisual` is `dsofvisual`.
//!
//! ```sh
//! cargo run -p deepstream-opticalflow -- streams/vtest-4s.mp4 out/of-frames
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;

use ds_app::source::SourceOptions;
use ds_app::{Backend, Backend::Portable};
use ds_meta::BatchMeta;

const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;

/// deepstream-opticalflow: optical flow of N streams, visualised.
#[derive(Parser, Debug)]
#[command(name = "deepstream-opticalflow.py", version, about)]
struct Args {
    /// URIs (file:///..., rtsp://..., or local paths), then the output folder (must not exist)
    #[arg(num_args = 2.., required = true, value_name = "URI... FOLDER")]
    args: Vec<String>,
    /// Backend (`auto`, `deepstream`, `portable`)
    #[arg(long, env = "DS_BACKEND", default_value = "auto", value_parser = ["auto", "deepstream", "portable"])]
    backend: String,
    /// The tiled MP4 (the sample's ./out.mp4)
    #[arg(long, default_value = "out.mp4")]
    output: PathBuf,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// HSV (OpenCV's 8-bit ranges: H 0..180, S and V 0..255) to RGB.
fn hsv_to_rgb(h: f32, s: f32, v: f32) -> [u8; 3] {
    let (h, s, v) = (h * 2.0, s / 255.0, v / 255.0);
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r + m, g + m, b + m].map(|u| (u * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// `visualize_optical_flowvectors` of the Python sample: the `[rows, cols, 2]` flow as an
/// RGB picture of `cols` x `rows`: hue = angle, saturation 255, value = magnitude normalised
/// to 0..255 (min-max), converted to colour and inverted (`255 - bgr`).
fn visualize_optical_flowvectors(flow: &[f32], rows: usize, cols: usize) -> Vec<u8> {
    let polar: Vec<(f32, f32)> = flow
        .chunks_exact(2)
        .map(|v| {
            let (x, y) = (v[0], v[1]);
            let mut ang = y.atan2(x);
            if ang < 0.0 {
                ang += 2.0 * std::f32::consts::PI;
            }
            ((x * x + y * y).sqrt(), ang)
        })
        .collect();
    let (lo, hi) = polar.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &(m, _)| (lo.min(m), hi.max(m)));
    let mut rgb = Vec::with_capacity(rows * cols * 3);
    for &(mag, ang) in &polar {
        let v = if hi > lo { (mag - lo) / (hi - lo) * 255.0 } else { 0.0 };
        let h = (ang * 180.0 / std::f32::consts::PI / 2.0).round();
        rgb.extend(hsv_to_rgb(h, 255.0, v.round()).map(|c| 255 - c));
    }
    rgb
}

/// `ofvisual_queue_src_pad_buffer_probe` of the Python sample.
fn ofvisual_queue_src_pad_buffer_probe(buffer: &gst::BufferRef, folder: &Path) -> anyhow::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return Ok(());
    };
    for frame_meta in batch_meta.frames() {
        let mut visual: Option<(Vec<u8>, usize, usize)> = None;
        for user_meta in frame_meta.user_metas() {
            // The sample casts every user meta; only optical flow meta is taken here.
            let Some(of_meta) = user_meta.optical_flow() else { continue };
            // Get Flow vectors: [rows, cols, 2] (S10.5 values, as pyds gives them)
            let flow = of_meta.to_array();
            let (rows, cols) = (of_meta.rows() as usize, of_meta.cols() as usize);
            let flow: Vec<f32> = flow.iter().copied().collect();
            visual = Some((visualize_optical_flowvectors(&flow, rows, cols), rows, cols));
        }
        println!("Frame Number= {}", frame_meta.frame_num());
        if let Some((rgb, rows, cols)) = visual {
            let path = folder
                .join(format!("stream_{}", frame_meta.pad_index()))
                .join(format!("frame_{}.jpg", frame_meta.frame_num()));
            ds_app::image::write_jpeg_rgb(&path, cols as u32, rows as u32, &rgb)?;
        }
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    let (inputs, folder) = args.args.split_at(args.args.len() - 1);
    let folder_name = PathBuf::from(&folder[0]);
    if folder_name.exists() {
        bail!("The output folder {} already exists. Please remove it first.", folder_name.display());
    }
    let backend: Backend = ds_app::init(Some(&args.backend))?;
    let uris: Vec<String> = inputs.iter().map(|i| ds_app::source::to_uri(i)).collect();
    for (i, uri) in uris.iter().enumerate() {
        ds_app::source::check_uri(i, uri)?;
    }
    let number_sources = uris.len();

    println!("Creating Pipeline ");
    let pipeline = gst::Pipeline::with_name("deepstream-opticalflow");
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux ");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions { verbose: true, ..Default::default() };
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;
    let queue1 = backend.make("queue", "queue1")?;
    println!("Creating Optical Flow");
    let nvof = backend.make("nvof", "nvopticalflow")?;
    let q_after_of = backend.make("queue", "q_after_of")?;
    println!("Creating Optical Flow Visualizer");
    let nvofvisual = backend.make("nvofvisual", "nvopticalflowvisual")?;
    let q_after_ofvisual = backend.make("queue", "q_after_ofvisual")?;
    println!("Creating tiler ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    let queue3 = backend.make("queue", "queue3")?;
    println!("Creating nvvidconv ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    let queue4 = backend.make("queue", "queue4")?;
    println!("Creating nvosd ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let queue5 = backend.make("queue", "queue5")?;
    let nvvidconv2 = backend.make("nvvideoconvert", "convertor2")?;
    let capsfilter = backend.make("capsfilter", "capsfilter")?;
    capsfilter.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "I420").build());
    // MPEG-4 Part 2 at 2 Mbit/s as the sample. Portable backend: H.264 (x264enc, 2000 kbit/s)
    // instead: avenc_mpeg4 after the portable elements gave qtmux buffers without timestamps
    // ("Buffer has no PTS"; not investigated further).
    let (encoder, codeparser) = match backend {
        Backend::DeepStream => {
            let encoder = backend.make("avenc_mpeg4", "encoder")?;
            encoder.set_property("bitrate", 2_000_000i32);
            (encoder, backend.make("mpeg4videoparse", "mpeg4-parser")?)
        }
        Portable => {
            let encoder = backend.make("x264enc", "encoder")?;
            encoder.set_property("bitrate", 2000u32);
            encoder.set_property("bframes", 0u32);
            encoder.set_property_from_str("speed-preset", "superfast");
            (encoder, backend.make("h264parse", "h264-parser")?)
        }
    };
    let container = backend.make("qtmux", "qtmux")?;
    let sink = backend.make("filesink", "filesink")?;
    sink.set_property("location", args.output.to_string_lossy().as_ref());
    sink.set_property("sync", false);

    if is_live {
        println!("At least one of the sources is live");
        streammux.set_property("live-source", true);
    }
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    streammux.set_property("sync-inputs", true);
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);

    println!("Adding elements to Pipeline ");
    pipeline.add_many([
        &queue1, &nvof, &q_after_of, &nvofvisual, &q_after_ofvisual, &tiler, &queue3, &nvvidconv, &queue4, &nvosd,
        &queue5, &nvvidconv2, &capsfilter, &encoder, &codeparser, &container, &sink,
    ])?;
    // The portable convertor gives RGBA: videoconvert makes the I420 the encoder takes.
    let to_i420 = if backend == Portable { Some(backend.make("videoconvert", "to-i420")?) } else { None };
    if let Some(c) = &to_i420 {
        pipeline.add(c)?;
    }

    println!("Linking elements in the Pipeline ");
    gst::Element::link_many([
        &streammux, &queue1, &nvof, &q_after_of, &nvofvisual, &q_after_ofvisual, &tiler, &queue3, &nvvidconv, &queue4,
        &nvosd, &queue5, &nvvidconv2,
    ])
    .context("linking streammux to the second convertor")?;
    match &to_i420 {
        Some(c) => gst::Element::link_many([&nvvidconv2, c, &capsfilter]),
        None => nvvidconv2.link(&capsfilter),
    }
    .context("linking the convertor and the I420 capsfilter")?;
    gst::Element::link_many([&capsfilter, &encoder, &codeparser, &container, &sink])
        .context("linking encoder, parser, qtmux and filesink")?;

    std::fs::create_dir(&folder_name).with_context(|| format!("cannot create the output folder {}", folder_name.display()))?;
    for i in 0..number_sources {
        std::fs::create_dir(folder_name.join(format!("stream_{i}")))
            .with_context(|| format!("cannot create {}/stream_{i}", folder_name.display()))?;
    }
    println!("Frames will be saved in  {}", folder_name.display());

    let pad = q_after_ofvisual.static_pad("src").context("Unable to get src pad of q_after_ofvisual")?;
    let folder = folder_name.clone();
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer()
            && let Err(e) = ofvisual_queue_src_pad_buffer_probe(buffer, &folder)
        {
            eprintln!("ofvisual_queue_src_pad_buffer_probe: {e:#}");
        }
        gst::PadProbeReturn::Ok
    });

    println!("Now playing...");
    for (i, uri) in uris.iter().enumerate() {
        println!("{i} :  {uri}");
    }
    println!("Starting pipeline ");
    // On an error EOS goes into the encoder so that the MP4 written so far is finalised.
    let enc_pad = capsfilter.static_pad("sink").context("capsfilter without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[enc_pad]);
    ds_app::sink::report_output(&args.output, result.is_ok());
    result
}
