//! deepstream-rtsp-in-rtsp-out: port of `deepstream_test1_rtsp_in_rtsp_out.py` (DeepStream
//! 7.1 Python samples).
//!
//! N URIs (typically RTSP cameras) → streammux → detector → convertor → tiler → OSD → H.264 or
//! H.265 over RTSP at `rtsp://127.0.0.1:8554/ds-test`. A probe on the detector's output
//! prints `Frame Number= N` per frame and, with `--rtsp-ts`, the sender's capture time of
//! the frame from RTCP sender reports (`RTSP Timestamp: YYYY-mm-dd HH:MM:SS`, UTC).
//!
//! Added to the sample:
//! - RTSP inputs reconnect when their server goes away (`--rtsp-reconnect-interval`, 10 s by
//!   default; `--rtsp-reconnect-attempts`): their source is `nvurisrcbin` (`dsurisrcbin` on the
//!   portable backend) instead of `uridecodebin`, which cannot reconnect. The other sources
//!   keep flowing meanwhile (the muxer's 33 ms timeout). `--rtsp-reconnect-interval 0` is the
//!   sample's `uridecodebin` (a lost server is then a pipeline error). When every source gave
//!   up, the app exits with an error naming them.
//! - `-g nvinferserver` runs on the portable backend too: `dsinfer` reads the Triton config
//!   (`configs/deepstream-rtsp-in-rtsp-out/portable/dstest1_pgie_inferserver_config.txt`) and
//!   runs its model in process with ONNX Runtime; no Triton server is needed.
//! - `--print-source` adds ` Source= <id>` to each `Frame Number=` line.
//! - `USE_NEW_NVSTREAMMUX=yes` keeps the inputs' size, as in test1 (the sample always scales
//!   to 1920x1080).
//! - The RTSP output's differences (no multicast relay, server on 127.0.0.1 unless
//!   `--rtsp-address 0.0.0.0`, `--rtsp-port`): see `ds_app::rtsp`.
//!
//! ```sh
//! cargo run -p deepstream-rtsp-in-rtsp-out -- -i rtsp://camera1/stream rtsp://camera2/stream --rtsp-ts
//! ```

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::rtsp::{Codec, RtspArgs, RtspOutOptions};
use ds_app::source::SourceOptions;
use ds_meta::BatchMeta;

const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const APP: &str = "deepstream-rtsp-in-rtsp-out";

/// deepstream-rtsp-in-rtsp-out: detect objects in N (RTSP) streams, tile them and serve the
/// result over RTSP.
#[derive(Parser, Debug)]
#[command(name = "deepstream_test1_rtsp_in_rtsp_out", version, about)]
struct Args {
    /// Path to input streams (URIs: rtsp://..., file:///..., or local paths)
    #[arg(short = 'i', long = "input", num_args = 1.., required = true)]
    input: Vec<String>,
    /// Inference engine: nvinfer or nvinferserver
    #[arg(short = 'g', long = "gie", default_value = "nvinfer", value_parser = ["nvinfer", "nvinferserver"])]
    gie: String,
    /// RTSP Streaming Codec H264/H265, default=H264
    #[arg(short = 'c', long = "codec", default_value = "H264", value_parser = ["H264", "H265"])]
    codec: String,
    /// Set the encoding bitrate (bit/s)
    #[arg(short = 'b', long = "bitrate", default_value_t = ds_app::rtsp::DEFAULT_BITRATE)]
    bitrate: u32,
    /// Attach NTP timestamp from RTSP source
    #[arg(long = "rtsp-ts")]
    rtsp_ts: bool,
    /// Seconds without data from an RTSP input before it reconnects (0: no reconnection, the
    /// sample's uridecodebin)
    #[arg(long, default_value_t = 10)]
    rtsp_reconnect_interval: u32,
    /// Reconnection attempts in a row before an RTSP input gives up (-1: no limit)
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    rtsp_reconnect_attempts: i32,
    /// Add ` Source= <id>` to each `Frame Number=` line
    #[arg(long)]
    print_source: bool,
    /// Which elements to use: `deepstream`, `portable` or `auto`.
    #[arg(long, env = "DS_BACKEND", default_value = "auto", value_parser = ["auto", "deepstream", "portable"])]
    backend: String,
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

/// `pgie_src_pad_buffer_probe` of the Python sample: the frame number of every frame, and
/// with `--rtsp-ts` its NTP time (`frame_meta.ntp_timestamp`, ns since the Unix epoch, UTC).
fn pgie_src_pad_buffer_probe(buffer: &gst::BufferRef, rtsp_ts: bool, print_source: bool) {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return;
    };
    for frame_meta in batch_meta.frames() {
        if print_source {
            println!("Frame Number= {} Source= {}", frame_meta.frame_num(), frame_meta.pad_index());
        } else {
            println!("Frame Number= {}", frame_meta.frame_num());
        }
        if rtsp_ts {
            let ts = frame_meta.ntp_timestamp();
            let secs = (ts / 1_000_000_000) as i64;
            let nanos = (ts % 1_000_000_000) as u32;
            let text = chrono::DateTime::from_timestamp(secs, nanos)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_else(|| format!("{ts} ns"));
            println!("RTSP Timestamp: {text}");
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let codec = Codec::parse(&args.codec)?;
    let backend = ds_app::init(Some(&args.backend))?;
    let uris: Vec<String> = args.input.iter().map(|i| ds_app::source::to_uri(i)).collect();
    let number_sources = uris.len();

    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    println!("Creating streamux \n ");
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    if args.rtsp_ts {
        streammux.set_property("attach-sys-ts", false);
    }
    let opts = SourceOptions {
        verbose: true,
        rtsp_reconnect_interval: args.rtsp_reconnect_interval,
        rtsp_reconnect_attempts: args.rtsp_reconnect_attempts,
        ntp_sync: args.rtsp_ts,
        ..Default::default()
    };
    for (i, uri) in uris.iter().enumerate() {
        println!("Creating source_bin  {i}  \n ");
        let source_bin = ds_app::source::create_source_bin(backend, i, uri, &opts)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .with_context(|| format!("Unable to create sink pad {padname} of the streammux"))?;
        let srcpad = source_bin.static_pad("src").context("Unable to create src pad bin")?;
        srcpad.link(&sinkpad).with_context(|| format!("linking source {i} to the streammux"))?;
    }
    println!("Creating Pgie \n ");
    let (pgie, config_file) = if args.gie == "nvinferserver" {
        (backend.make("nvinferserver", "primary-inference")?, "dstest1_pgie_inferserver_config.txt")
    } else {
        (backend.make("nvinfer", "primary-inference")?, "dstest1_pgie_config.txt")
    };
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;

    if std::env::var("USE_NEW_NVSTREAMMUX").as_deref() != Ok("yes") {
        streammux.set_property("width", 1920u32);
        streammux.set_property("height", 1080u32);
    }
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = backend.config(APP, config_file)?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
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
    pipeline.add_many([&pgie, &nvvidconv, &tiler, &nvosd])?;
    println!("Linking elements in the Pipeline \n");
    // Note the order, as in the sample: the convertor before the tiler.
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &tiler, &nvosd])
        .context("linking streammux, pgie, convertor, tiler and OSD")?;

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
    let (rtsp_ts, print_source) = (args.rtsp_ts, args.print_source);
    pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            pgie_src_pad_buffer_probe(buffer, rtsp_ts, print_source);
        }
        gst::PadProbeReturn::Ok
    });
    // A source that gave up reconnecting is a warning while others run; all of them: an error.
    ds_app::source::fail_when_every_source_gave_up(&pipeline, number_sources);

    println!("Starting pipeline \n");
    let result = ds_app::bus::run(&pipeline, &[]);
    drop(out);
    result
}
