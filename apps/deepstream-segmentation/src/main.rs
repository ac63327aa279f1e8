//! deepstream-segmentation: port of `deepstream_segmentation.py` (DeepStream Python samples;
//! marked unsupported in DS 7.1, whose segmentation models were removed: here it runs).
//!
//! JPEG file or MJPEG stream → JPEG parser → decoder → streammux → convertor → segmentation
//! model (nvinfer, `network-type=2`) → nvsegvisual → sink. A probe on the inference element's
//! src pad takes each frame's `NvDsInferSegmentationMeta`, colours its class map with the
//! sample's `COLORS` table and saves it as `<FOLDER>/<frame_num>.jpg` (at the mask's size).
//!
//! On the portable backend the model is MediaPipe Selfie Segmentation (person / background,
//! converted to ONNX by scripts/setup.sh): class 0 background, class 1 person.
//!
//! ```sh
//! cargo run -p deepstream-segmentation -- \
//!   configs/deepstream-segmentation/portable/dstest_segmentation_config_semantic.txt \
//!   streams/grace_hopper.jpg out/seg
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;

use ds_app::{AppArgs, Backend, SinkKind};
use ds_meta::BatchMeta;

const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 512;
const TILED_OUTPUT_HEIGHT: u32 = 512;

/// The sample's class colours, BGR as in the Python sample; a negative class (no class)
/// indexes from the end, as Python's `COLORS[-1]` does.
const COLORS: [[u8; 3]; 14] = [
    [128, 128, 64],
    [0, 0, 128],
    [0, 128, 128],
    [128, 0, 0],
    [128, 0, 128],
    [128, 128, 0],
    [0, 128, 0],
    [0, 0, 64],
    [0, 0, 192],
    [0, 128, 64],
    [0, 128, 192],
    [128, 0, 64],
    [128, 0, 192],
    [128, 128, 128],
];

/// deepstream-segmentation: segment a JPEG image or MJPEG stream, save the class maps.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// nvinfer config of a segmentation model (network-type=2)
    config_file: PathBuf,
    /// JPEG file or MJPEG stream
    input: PathBuf,
    /// Output folder for the class maps (must not exist)
    folder: PathBuf,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// `map_mask_as_display_bgr` of the Python sample: the class map as a BGR picture.
fn map_mask_as_display_bgr(mask: &[i32]) -> Vec<[u8; 3]> {
    mask.iter()
        .map(|&c| {
            let n = COLORS.len() as i32;
            let i = if c < 0 { (n + c).max(0) } else { c.min(n - 1) };
            COLORS[i as usize]
        })
        .collect()
}

/// `seg_src_pad_buffer_probe` of the Python sample: save each frame's class map.
/// Returns how many class maps it saved.
fn seg_src_pad_buffer_probe(buffer: &gst::BufferRef, folder: &Path) -> anyhow::Result<usize> {
    let mut saved = 0;
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return Ok(saved);
    };
    for frame_meta in batch_meta.frames() {
        let frame_number = frame_meta.frame_num();
        for user_meta in frame_meta.user_metas() {
            let Some(segmeta) = user_meta.segmentation() else { continue };
            // Retrieve mask data in the numpy format from segmeta
            let Some(masks) = segmeta.class_map() else { continue };
            let (h, w) = masks.dim();
            let masks: Vec<i32> = masks.iter().copied().collect();
            let frame_image = map_mask_as_display_bgr(&masks);
            // cv2.imwrite takes BGR; the writer takes RGB
            let rgb: Vec<u8> = frame_image.iter().flat_map(|p| [p[2], p[1], p[0]]).collect();
            let path = folder.join(format!("{frame_number}.jpg"));
            ds_app::image::write_jpeg_rgb(&path, w as u32, h as u32, &rgb)?;
            saved += 1;
        }
    }
    Ok(saved)
}

fn run(args: Args) -> anyhow::Result<()> {
    // Like the Python sample, this takes JPEG (or MJPEG) only: say so at once.
    ds_app::input::check_jpeg(&args.input)?;
    if !args.config_file.is_file() {
        bail!("config file {} not found", args.config_file.display());
    }
    let folder_name = &args.folder;
    if folder_name.exists() {
        bail!("The output folder {} already exists. Please remove it first.", folder_name.display());
    }
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, "deepstream-segmentation", args.app.output.clone())?;
    let num_sources = 1;

    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name("deepstream-segmentation");
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is jpeg, we need a jpegparser
    let jpegparser = backend.make("jpegparse", "jpeg-parser")?;
    // nvv4l2decoder decodes JPEG on DeepStream; jpegdec on the portable backend
    let decoder = match backend {
        Backend::DeepStream => backend.make("nvv4l2decoder", "nvv4l2-decoder")?,
        Backend::Portable => backend.make("jpegdec", "nvv4l2-decoder")?,
    };
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    // Use nvinfer to infer on batched frame.
    let seg = backend.make("nvinfer", "primary-nvinference-engine")?;
    let nvsegvisual = backend.make("nvsegvisual", "nvsegvisual")?;
    let nvvidconv = backend.make("nvvideoconvert", "nvvideconvert")?;
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;

    if backend == Backend::DeepStream
        && ds_app::platform::PlatformInfo::get().is_integrated_gpu()
    {
        let name = args.input.to_string_lossy();
        if name.contains("mjpeg") || name.contains("mjpg") {
            println!("setting decoder mjpeg property");
            decoder.set_property("mjpeg", 1u32);
        }
    }

    println!("Playing file {}", args.input.display());
    source.set_property("location", args.input.to_string_lossy().as_ref());
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", 1u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    seg.set_property("config-file-path", args.config_file.to_string_lossy().as_ref());
    ds_app::override_batch_size(&seg, num_sources);
    nvsegvisual.set_property("batch-size", 1u32);
    nvsegvisual.set_property("width", TILED_OUTPUT_WIDTH);
    nvsegvisual.set_property("height", TILED_OUTPUT_HEIGHT);

    println!("Adding elements to Pipeline");
    pipeline.add_many([&source, &jpegparser, &decoder, &streammux, &nvvidconv, &seg, &nvsegvisual])?;
    pipeline.add(&sink)?;

    // file-source -> jpeg-parser -> nvv4l2-decoder -> nvstreammux -> nvvidconv -> nvinfer
    // -> nvsegvisual -> sink
    println!("Linking elements in the Pipeline");
    gst::Element::link_many([&source, &jpegparser, &decoder]).context("linking filesrc, jpegparse and the decoder")?;
    let sinkpad = streammux.request_pad_simple("sink_0").context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder.static_pad("src").context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad).context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &nvvidconv, &seg, &nvsegvisual]).context("linking streammux, convertor, nvinfer and nvsegvisual")?;
    nvsegvisual.link(&sink).context("linking nvsegvisual to the sink")?;

    // Lets add probe to get informed of the meta data generated, we add probe to the src pad
    // of the inference element
    std::fs::create_dir(folder_name).with_context(|| format!("cannot create the output folder {}", folder_name.display()))?;
    println!("Frames will be saved in  {}", folder_name.display());
    let seg_src_pad = seg.static_pad("src").context("Unable to get src pad of primary infer")?;
    let folder = folder_name.clone();
    let saved = Arc::new(AtomicUsize::new(0));
    let counter = saved.clone();
    seg_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            match seg_src_pad_buffer_probe(buffer, &folder) {
                Ok(n) => {
                    counter.fetch_add(n, Ordering::Relaxed);
                }
                Err(e) => eprintln!("seg_src_pad_buffer_probe: {e:#}"),
            }
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    let sink_pad = sink.static_pad("sink").context("sink bin without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[sink_pad]);
    println!("Saved {} class maps in {}", saved.load(Ordering::Relaxed), folder_name.display());
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    result
}
