//! deepstream-segmask: port of `deepstream_segmask.py` (DeepStream Python samples; marked
//! unsupported in DS 7.1: here it runs).
//!
//! N URIs → source bins → streammux → queue → instance segmentation (nvinfer,
//! `network-type=3`, `output-instance-mask=1`) → queue → tiler → queue → convertor → queue →
//! OSD (`display-mask=1`, CPU mode) → queue → sink. A probe on the tiler's sink pad takes,
//! every 30th frame of each stream, the first object's `NvOSD_MaskParams`, resizes the mask
//! to the object's box and binarises it at its threshold (the sample's `resize_mask`), and
//! saves it as `<FOLDER>/stream_<i>/frame_<n>.jpg` (0 outside, 255 inside, grey).
//!
//! On DeepStream the model is the sample's PeopleSegNet (Mask R-CNN). On the portable
//! backend it is a stand-in made of two real models (no permissively licensed instance
//! segmentation model exists in the registries): YOLOv3-tiny person boxes, and on each box
//! MediaPipe Selfie Segmentation's person mask (see
//! `configs/deepstream-segmask/portable/dstest_segmask_config.txt`).
//!
//! ```sh
//! cargo run -p deepstream-segmask -- -i streams/vtest-4s.mp4 -o out/segmask --sink file
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;

use ds_app::SinkKind;
use ds_app::perf::PerfData;
use ds_app::source::SourceOptions;
use ds_meta::{BatchMeta, MaskParams};

const APP: &str = "deepstream-segmask";
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1920;
const TILED_OUTPUT_HEIGHT: u32 = 1080;

/// deepstream-segmask: instance masks of N streams, drawn and saved.
#[derive(Parser, Debug)]
#[command(name = "deepstream_segmask.py", version, about)]
struct Args {
    /// Input URIs (file:///..., rtsp://..., or local paths)
    #[arg(short, long = "input", num_args = 1.., required = true, value_name = "URIs")]
    input: Vec<String>,
    /// Output folder for the masks (must not exist)
    #[arg(short, long = "output", default_value = "out", value_name = "output_folder_name")]
    output: PathBuf,
    /// nvinfer config (default: the sample's dstest_segmask_config.txt for the backend)
    #[arg(short, long)]
    config: Option<PathBuf>,
    /// Backend (`auto`, `deepstream`, `portable`)
    #[arg(long, env = "DS_BACKEND", default_value = "auto", value_parser = ["auto", "deepstream", "portable"])]
    backend: String,
    /// Where the video goes: `display`, `file` (`--sink-file`), `fake`, or `auto`
    #[arg(long, default_value = "auto", value_parser = ["auto", "display", "file", "fake"])]
    sink: String,
    /// MP4 for `--sink file` (default `out/deepstream-segmask.mp4`)
    #[arg(long)]
    sink_file: Option<PathBuf>,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// `resize_mask` of the Python sample: the mask resized to `target_width × target_height`
/// (bilinear, source position `x × src_w / dst_w`, neighbours floor/ceil clipped to the
/// mask) and binarised: 0 below `threshold`, 255 from it up. Row-major.
fn resize_mask(maskparams: &MaskParams, target_width: usize, target_height: usize) -> Vec<f32> {
    let Some(src) = maskparams.array() else {
        return Vec::new();
    };
    let (src_height, src_width) = src.dim();
    let mut dst = vec![0f32; target_width * target_height];
    if src_width == 0 || src_height == 0 {
        return dst;
    }
    let ratio_h = src_height as f32 / target_height as f32;
    let ratio_w = src_width as f32 / target_width as f32;
    let clip = |v: f32, n: usize| (v.max(0.0) as usize).min(n - 1);
    for y in 0..target_height {
        for x in 0..target_width {
            let x0 = x as f32 * ratio_w;
            let y0 = y as f32 * ratio_h;
            let left = clip(x0.floor(), src_width);
            let top = clip(y0.floor(), src_height);
            let right = clip(x0.ceil(), src_width);
            let bottom = clip(y0.ceil(), src_height);
            let (lt, rt) = (src[[top, left]], src[[top, right]]);
            let (lb, rb) = (src[[bottom, left]], src[[bottom, right]]);
            let top_lerp = lt + (rt - lt) * (x0 - left as f32);
            let bottom_lerp = lb + (rb - lb) * (x0 - left as f32);
            let value = top_lerp + (bottom_lerp - top_lerp) * (y0 - top as f32);
            dst[y * target_width + x] = if value < maskparams.threshold() { 0.0 } else { 255.0 };
        }
    }
    dst
}

/// `tiler_sink_pad_buffer_probe` of the Python sample. Returns how many masks it saved.
fn tiler_sink_pad_buffer_probe(buffer: &gst::BufferRef, folder: &Path, perf: &PerfData) -> anyhow::Result<usize> {
    let mut saved = 0;
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return Ok(saved);
    };
    for frame_meta in batch_meta.frames() {
        let frame_number = frame_meta.frame_num();
        let num_rects = frame_meta.num_obj_meta();
        // The sample saves the first object's mask of every 30th frame.
        if let Some(obj_meta) = frame_meta.objects().next()
            && frame_number % 30 == 0
        {
            let rect_params = obj_meta.rect_params();
            let (w, h) = (rect_params.width.floor() as usize, rect_params.height.floor() as usize);
            let mask_params = obj_meta.mask_params();
            if mask_params.array().is_some() && w > 0 && h > 0 {
                let mask_image = resize_mask(mask_params, w, h);
                let grey: Vec<u8> = mask_image.iter().flat_map(|&v| [v as u8; 3]).collect();
                let path = folder
                    .join(format!("stream_{}", frame_meta.pad_index()))
                    .join(format!("frame_{frame_number}.jpg"));
                ds_app::image::write_jpeg_rgb(&path, w as u32, h as u32, &grey)?;
                saved += 1;
            }
        }
        println!("Frame Number= {frame_number} Number of Objects= {num_rects}");
        perf.update_fps(frame_meta.pad_index() as usize);
    }
    Ok(saved)
}

fn run(args: Args) -> anyhow::Result<()> {
    let folder_name = &args.output;
    if folder_name.exists() {
        bail!("The output folder {} already exists. Please remove it first.", folder_name.display());
    }
    if let Some(c) = &args.config
        && !c.is_file()
    {
        bail!("config file {} not found", c.display());
    }
    let backend = ds_app::init(Some(&args.backend))?;
    let sink_kind = SinkKind::resolve(&args.sink, APP, args.sink_file.clone())?;
    let uris: Vec<String> = args.input.iter().map(|i| ds_app::source::to_uri(i)).collect();
    for (i, uri) in uris.iter().enumerate() {
        ds_app::source::check_uri(i, uri)?;
    }
    let number_sources = uris.len();
    let perf_data = PerfData::new(number_sources);

    println!("Creating Pipeline ");
    let pipeline = gst::Pipeline::with_name(APP);
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux ");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions { verbose: true, ..Default::default() };
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;
    let queue1 = backend.make("queue", "queue1")?;
    let queue2 = backend.make("queue", "queue2")?;
    let queue3 = backend.make("queue", "queue3")?;
    let queue4 = backend.make("queue", "queue4")?;
    let queue5 = backend.make("queue", "queue5")?;
    println!("Creating Pgie ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    println!("Creating tiler ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    // Mask display works only in CPU mode in nvdsosd.
    nvosd.set_property_from_str("process-mode", "0");
    nvosd.set_property("display-mask", true);
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;
    for s in sink.iterate_sinks().into_iter().flatten() {
        if s.has_property("qos") {
            s.set_property("sync", false);
            s.set_property("qos", false);
        }
    }

    if is_live {
        println!("At least one of the sources is live");
        streammux.set_property("live-source", true);
    }
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = match &args.config {
        Some(c) => c.clone(),
        None => backend.config(APP, "dstest_segmask_config.txt")?,
    };
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    ds_app::override_batch_size(&pgie, number_sources);
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);

    println!("Adding elements to Pipeline ");
    pipeline.add_many([&queue1, &pgie, &queue2, &tiler, &queue3, &nvvidconv, &queue4, &nvosd, &queue5])?;
    pipeline.add(&sink)?;
    println!("Linking elements in the Pipeline ");
    gst::Element::link_many([&streammux, &queue1, &pgie, &queue2, &tiler, &queue3, &nvvidconv, &queue4, &nvosd, &queue5])
        .context("linking streammux, pgie, tiler, convertor and OSD")?;
    queue5.link(&sink).context("linking queue5 and the sink")?;

    std::fs::create_dir(folder_name).with_context(|| format!("cannot create the output folder {}", folder_name.display()))?;
    for i in 0..number_sources {
        std::fs::create_dir(folder_name.join(format!("stream_{i}")))
            .with_context(|| format!("cannot create {}/stream_{i}", folder_name.display()))?;
    }
    println!("Frames will be saved in  {}", folder_name.display());
    let tiler_sink_pad = tiler.static_pad("sink").context("Unable to get sink pad of nvtiler")?;
    let folder = folder_name.clone();
    let saved = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = saved.clone();
    let perf = perf_data.clone();
    tiler_sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            match tiler_sink_pad_buffer_probe(buffer, &folder, &perf) {
                Ok(n) => {
                    counter.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                }
                Err(e) => eprintln!("tiler_sink_pad_buffer_probe: {e:#}"),
            }
        }
        gst::PadProbeReturn::Ok
    });
    // perf callback function to print fps every 5 sec
    let perf_timer = perf_data.start_printing(Duration::from_secs(5));

    println!("Now playing...");
    for (i, uri) in uris.iter().enumerate() {
        println!("{i} :  {uri}");
    }
    println!("Starting pipeline ");
    let finalise: Vec<gst::Pad> = sink.static_pad("sink").into_iter().collect();
    let result = ds_app::bus::run(&pipeline, &finalise);
    perf_timer.remove();
    println!("Saved {} masks in {}", saved.load(std::sync::atomic::Ordering::Relaxed), folder_name.display());
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    println!("Exiting app");
    result
}
