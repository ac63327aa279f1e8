//! deepstream-test1-rtsp-out: port of `deepstream_test1_rtsp_out.py` (DeepStream 7.1 Python
//! samples).
//!
//! test1 (H.264 elementary stream → decoder → streammux → detector → convertor → OSD) with
//! the output encoded (H.264 or H.265, hardware or software encoder) and served over RTSP at
//! `rtsp://127.0.0.1:8554/ds-test` (see `ds_app::rtsp` for the differences from the
//! sample: no multicast relay, server on 127.0.0.1 unless `--rtsp-address 0.0.0.0`).
//!
//! ```sh
//! cargo run -p deepstream-test1-rtsp-out -- -i streams/vtest.h264 -c H265
//! gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:8554/ds-test ! decodebin ! autovideosink
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::rtsp::{Codec, RtspArgs, RtspOutOptions};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_BICYCLE: i32 = 1;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const PGIE_CLASS_ID_ROADSIGN: i32 = 3;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const APP: &str = "deepstream-test1-rtsp-out";

/// deepstream-test1-rtsp-out: detect vehicles and people in an H.264 elementary stream and
/// serve the annotated video over RTSP.
#[derive(Parser, Debug)]
#[command(name = "deepstream_test1_rtsp_out", version, about)]
struct Args {
    /// Path to input H264 elementary stream
    #[arg(short = 'i', long = "input", required = true)]
    input: PathBuf,
    /// RTSP Streaming Codec H264/H265, default=H264
    #[arg(short = 'c', long = "codec", default_value = "H264", value_parser = ["H264", "H265"])]
    codec: String,
    /// Set the encoding bitrate (bit/s)
    #[arg(short = 'b', long = "bitrate", default_value_t = ds_app::rtsp::DEFAULT_BITRATE)]
    bitrate: u32,
    /// Whether to use hardware (0) or software (1) encoder (portable backend: software either way)
    #[arg(short = 'e', long = "enc_type", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1))]
    enc_type: u32,
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
        // Pipeline errors were printed by the bus handler, with their element.
        Err(e) if e.downcast_ref::<ds_app::bus::PipelineError>().is_some() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `osd_sink_pad_buffer_probe` of the Python sample: count the objects by class (one counter
/// per batch) and add the text overlay to each frame (printed too).
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    // Initializing object counter with 0 (per batch, as the sample does).
    let mut obj_counter = [0u32; 4];
    for frame_meta in batch_meta.frames_mut() {
        for obj_meta in frame_meta.objects_mut() {
            let class = obj_meta.class_id();
            if matches!(class, PGIE_CLASS_ID_VEHICLE | PGIE_CLASS_ID_BICYCLE | PGIE_CLASS_ID_PERSON | PGIE_CLASS_ID_ROADSIGN) {
                obj_counter[class as usize] += 1;
            }
        }
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize],
        );
        let display_meta = frame_meta.add_display_meta()?;
        let text_params = display_meta.add_label()?;
        text_params.set_display_text(&text)?;
        // Now set the offsets where the string should appear
        text_params.set_x_offset(10);
        text_params.set_y_offset(12);
        // Font, font-color and font-size
        text_params.font_params_mut().set_font_name("Serif")?;
        text_params.font_params_mut().set_font_size(10);
        // set(red, green, blue, alpha); set to White
        text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        // Text background color
        text_params.set_bg_enabled(true);
        text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        println!("{}", text_params.display_text());
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    // Like the Python sample, this takes only an H.264 elementary stream: say so at once.
    ds_app::input::check_h264_elementary_stream(&args.input)?;
    let codec = Codec::parse(&args.codec)?;
    let backend = ds_app::init(Some(&args.backend))?;

    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name(APP);
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is elementary h264 stream, we need a h264parser
    let h264parser = backend.make("h264parse", "h264-parser")?;
    // Use nvdec_h264 for hardware accelerated decode on GPU (avdec_h264 on the portable backend)
    let decoder = backend.make("nvv4l2decoder", "nvv4l2-decoder")?;
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    // Use nvinfer to run inferencing on decoder's output, behaviour of inferencing is set
    // through config file
    let pgie = backend.make("nvinfer", "primary-inference")?;
    // Use convertor to convert from NV12 to RGBA as required by nvosd
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    // Create OSD to draw on the converted RGBA buffer
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    // convertor_postosd, filter, encoder, rtppay, udpsink; and the RTSP server
    let opts = RtspOutOptions {
        codec,
        bitrate: args.bitrate,
        enc_type: args.enc_type,
        port: args.rtsp.rtsp_port,
        address: args.rtsp.rtsp_address.clone(),
        udpsink_qos_off: false,
    };
    println!("Playing file {}", args.input.display());
    source.set_property("location", args.input.to_string_lossy().as_ref());
    if std::env::var("USE_NEW_NVSTREAMMUX").as_deref() != Ok("yes") {
        streammux.set_property("width", 1920u32);
        streammux.set_property("height", 1080u32);
        streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    }
    streammux.set_property("batch-size", 1u32);
    let config = backend.config(APP, "dstest1_pgie_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());

    println!("Adding elements to Pipeline");
    pipeline.add_many([&source, &h264parser, &decoder, &streammux, &pgie, &nvvidconv, &nvosd])?;

    println!("Linking elements in the Pipeline");
    gst::Element::link_many([&source, &h264parser, &decoder]).context("linking filesrc, h264parse and the decoder")?;
    let sinkpad = streammux.request_pad_simple("sink_0").context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder.static_pad("src").context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad).context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd]).context("linking streammux, nvinfer, convertor and OSD")?;

    // Start streaming: the server runs on the default main context, served by the main loop.
    let out = ds_app::rtsp::make_rtsp_out(backend, &opts)?;
    pipeline.add(&out.bin)?;
    nvosd.link(&out.bin).context("linking the OSD to the RTSP output")?;

    // Lets add probe to get informed of the meta data generated, we add probe to the sink pad
    // of the osd element, since by that time, the buffer would have had got all the metadata.
    let osdsinkpad = nvosd.static_pad("sink").context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut())
        {
            eprintln!("osd_sink_pad_buffer_probe: {e}");
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    let result = ds_app::bus::run(&pipeline, &[]);
    drop(out);
    result
}
