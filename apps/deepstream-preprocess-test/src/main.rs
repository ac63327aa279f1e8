//! deepstream-preprocess-test: port of `deepstream_preprocess_test.py` (DeepStream 7.1 Python
//! samples).
//!
//! N URIs → streammux → `nvdspreprocess` (builds the detector's input tensor from the ROIs of
//! `config_preprocess.txt`) → `nvinfer` with `input-tensor-meta=1` (infers on that tensor, so
//! objects are found only inside the ROIs) → tiler → OSD → H.264 or H.265 over RTSP at
//! `rtsp://127.0.0.1:8554/ds-test`. A probe on the detector's output prints, per frame,
//! `Frame Number= N Number of Objects= K Vehicle_count= V Person_count= P`; the FPS of each
//! stream every 5 s.
//!
//! On the portable backend `nvdspreprocess` is `dspreprocess` and `nvinfer` is `dsinfer`
//! (YOLOv3-tiny; `configs/deepstream-preprocess-test/portable/`: two ROIs per source that fit
//! `streams/vtest*.mp4` for sources 0 and 2 and `streams/market*.mp4` for 1 and 3, drawn on
//! the frames). The RTSP output's differences (no multicast relay, server on 127.0.0.1 unless
//! `--rtsp-address 0.0.0.0`, `--rtsp-port`): see `ds_app::rtsp`.
//!
//! ```sh
//! cargo run -p deepstream-preprocess-test -- -i streams/vtest.mp4 streams/market.mp4
//! ```

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::rtsp::{Codec, RtspArgs, RtspOutOptions};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: usize = 0;
const PGIE_CLASS_ID_PERSON: usize = 2;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const APP: &str = "deepstream-preprocess-test";

/// deepstream-preprocess-test: detect objects in the ROIs of N streams, tile them and serve
/// the result over RTSP.
#[derive(Parser, Debug)]
#[command(name = "deepstream_preprocess_test", version, about)]
struct Args {
    /// Path to input streams (URIs: file:///..., rtsp://..., or local paths)
    #[arg(short = 'i', long = "input", num_args = 1.., required = true)]
    input: Vec<String>,
    /// RTSP Streaming Codec H264/H265, default=H264
    #[arg(short = 'c', long = "codec", default_value = "H264", value_parser = ["H264", "H265"])]
    codec: String,
    /// Set the encoding bitrate (bit/s)
    #[arg(short = 'b', long = "bitrate", default_value_t = ds_app::rtsp::DEFAULT_BITRATE)]
    bitrate: u32,
    /// Which elements to use: `deepstream`, `portable` or `auto`.
    #[arg(long, env = "DS_BACKEND", default_value = "auto", value_parser = ["auto", "deepstream", "portable"])]
    backend: String,
    /// The nvdspreprocess config (default: the sample's config_preprocess.txt of the backend)
    #[arg(long)]
    preprocess_config: Option<std::path::PathBuf>,
    #[command(flatten)]
    rtsp: RtspArgs,
}

fn main() -> ExitCode {
    // No arguments at all: the help on stderr and exit 1, as the Python sample.
    if std::env::args().len() <= 1 {
        let _ = Args::command().write_help(&mut std::io::stderr());
        return ExitCode::FAILURE;
    }
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ds_app::bus::PipelineError>().is_some() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `pgie_src_pad_buffer_probe` of the Python sample: objects per class in each frame, and FPS.
fn pgie_src_pad_buffer_probe(buffer: &gst::BufferRef, perf_data: &ds_app::perf::PerfData) {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return;
    };
    for frame_meta in batch_meta.frames() {
        let mut obj_counter = [0u32; 4];
        for obj_meta in frame_meta.objects() {
            if let Ok(c) = usize::try_from(obj_meta.class_id())
                && c < 4
            {
                obj_counter[c] += 1;
            }
        }
        println!(
            "Frame Number= {} Number of Objects= {} Vehicle_count= {} Person_count= {}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            obj_counter[PGIE_CLASS_ID_VEHICLE],
            obj_counter[PGIE_CLASS_ID_PERSON]
        );
        // Update frame rate through this probe
        perf_data.update_fps(frame_meta.pad_index() as usize);
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let codec = Codec::parse(&args.codec)?;
    let backend = ds_app::init(Some(&args.backend))?;
    let uris: Vec<String> = args.input.iter().map(|i| ds_app::source::to_uri(i)).collect();
    let number_sources = uris.len();
    let perf_data = ds_app::perf::PerfData::new(number_sources);

    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    println!("Creating streamux \n ");
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = ds_app::source::SourceOptions { verbose: true, ..Default::default() };
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;

    let queue1 = backend.make("queue", "queue1")?;
    let queue2 = backend.make("queue", "queue2")?;
    let queue3 = backend.make("queue", "queue3")?;
    let queue4 = backend.make("queue", "queue4")?;
    let queue5 = backend.make("queue", "queue5")?;
    println!("Creating Preprocess \n ");
    let preprocess = backend.make("nvdspreprocess", "preprocess-plugin")?;
    println!("Creating Pgie \n ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;

    streammux.set_property("width", 1920u32);
    streammux.set_property("height", 1080u32);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let preprocess_config = match &args.preprocess_config {
        Some(p) => p.clone(),
        None => backend.config(APP, "config_preprocess.txt")?,
    };
    preprocess.set_property("config-file", preprocess_config.to_string_lossy().as_ref());
    let config = backend.config(APP, "dstest1_pgie_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    pgie.set_property("input-tensor-meta", true);
    let pgie_batch_size: u32 = pgie.property("batch-size");
    if pgie_batch_size as usize != number_sources {
        println!("WARNING: Overriding infer-config batch-size {pgie_batch_size}  with number of sources  {number_sources}  \n");
        pgie.set_property("batch-size", number_sources as u32);
    }
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&queue1, &preprocess, &queue2, &pgie, &queue3, &tiler, &queue4, &nvvidconv, &queue5, &nvosd])?;
    println!("Linking elements in the Pipeline \n");
    gst::Element::link_many([
        &streammux, &queue1, &preprocess, &queue2, &pgie, &queue3, &tiler, &queue4, &nvvidconv, &queue5, &nvosd,
    ])
    .context("linking streammux, preprocess, pgie, tiler, convertor and OSD")?;

    let out_opts = RtspOutOptions {
        codec,
        bitrate: args.bitrate,
        enc_type: 0,
        port: args.rtsp.rtsp_port,
        address: args.rtsp.rtsp_address.clone(),
        udpsink_qos_off: true,
    };
    let out = ds_app::rtsp::make_rtsp_out(backend, &out_opts)?;
    pipeline.add(&out.bin)?;
    nvosd.link(&out.bin).context("linking the OSD to the RTSP output")?;

    let pgie_src_pad = pgie.static_pad("src").context("Unable to get src pad of pgie")?;
    let perf = perf_data.clone();
    pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            pgie_src_pad_buffer_probe(buffer, &perf);
        }
        gst::PadProbeReturn::Ok
    });
    let _fps_timer = perf_data.start_printing(std::time::Duration::from_secs(5));

    println!("Starting pipeline \n");
    let result = ds_app::bus::run(&pipeline, &[]);
    drop(out);
    result
}
