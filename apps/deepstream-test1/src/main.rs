//! deepstream-test1: port of `deepstream_test_1.py` (DeepStream 7.1 Python samples).
//!
//! One H.264 elementary stream → decoder → streammux → primary detector → convertor → OSD →
//! sink. A probe on the OSD sink pad colours every box blue, counts vehicles and people and
//! writes `Frame Number=N Number of Objects=M Vehicle_count=V Person_count=P` on the frame
//! and on stdout.
//!
//! ```sh
//! cargo run -p deepstream-test1 -- streams/vtest.h264                 # window or out/deepstream-test1.mp4
//! cargo run -p deepstream-test1 -- --sink file --backend portable streams/vtest.h264
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use ds_app::{AppArgs, SinkKind};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_BICYCLE: i32 = 1;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const PGIE_CLASS_ID_ROADSIGN: i32 = 3;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;

/// deepstream-test1: detect vehicles and people in an H.264 elementary stream.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// H.264 elementary stream (Annex B byte-stream, e.g. streams/vtest.h264)
    input: PathBuf,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// `osd_sink_pad_buffer_probe` of the Python sample: per frame, count the objects by class,
/// colour every box blue and add the text overlay (printed too).
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    for frame_meta in batch_meta.frames_mut() {
        // Initializing object counter with 0.
        let mut obj_counter = [0u32; 4];
        for obj_meta in frame_meta.objects_mut() {
            let class = obj_meta.class_id();
            match class {
                PGIE_CLASS_ID_VEHICLE | PGIE_CLASS_ID_BICYCLE | PGIE_CLASS_ID_PERSON | PGIE_CLASS_ID_ROADSIGN => {
                    obj_counter[class as usize] += 1
                }
                _ => {}
            }
            obj_meta.rect_params_mut().border_color.set(0.0, 0.0, 1.0, 0.8);
        }
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize],
        );
        // Acquiring a display meta object and adding it to the frame; it is released with the
        // buffer's metadata, as in DeepStream.
        let display_meta = frame_meta.add_display_meta()?;
        // display_meta.text_params[0] of the Python sample (num_labels becomes 1)
        let text_params = display_meta.add_label()?;
        // Now set the offsets where the string should appear
        text_params.set_display_text(&text)?;
        text_params.set_x_offset(10);
        text_params.set_y_offset(12);
        // Font, font-color and font-size
        text_params.font_params_mut().set_font_name("Serif")?;
        text_params.font_params_mut().set_font_size(10);
        // set(red, green, blue, alpha); white
        text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        // Text background color: black
        text_params.set_bg_enabled(true);
        text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        println!("{}", text_params.display_text());
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    // Like the Python sample, this takes only an H.264 elementary stream: say so at once.
    ds_app::input::check_h264_elementary_stream(&args.input)?;
    // --backend: NVIDIA's elements (DeepStream installed) or this project's portable ones.
    // backend.make("nvinfer", ...) below builds nvinfer or its stand-in, dsinfer.
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, "deepstream-test1", args.app.output.clone())?;

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name("deepstream-test1");
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is an elementary h264 stream, we need a parser
    let h264parser = backend.make("h264parse", "h264-parser")?;
    // Hardware decoder on DeepStream; avdec_h264 (software) on the portable backend
    let decoder = backend.make("nvv4l2decoder", "nvv4l2-decoder")?;
    // nvstreammux forms batches from one or more sources
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    // nvinfer runs the detector on the decoder's output; its behaviour is set by the config
    let pgie = backend.make("nvinfer", "primary-inference")?;
    // Convert from NV12 to RGBA as required by nvosd
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    // OSD draws on the converted RGBA buffer
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    // Display, MP4 file or fakesink (--sink)
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;

    println!("Playing file {}", args.input.display());
    source.set_property("location", args.input.to_string_lossy().as_ref());
    if std::env::var("USE_NEW_NVSTREAMMUX").as_deref() != Ok("yes") {
        streammux.set_property("width", 1920u32);
        streammux.set_property("height", 1080u32);
        streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    }
    streammux.set_property("batch-size", 1u32);
    let config = backend.config("deepstream-test1", "dstest1_pgie_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());

    println!("Adding elements to Pipeline");
    pipeline.add_many([&source, &h264parser, &decoder, &streammux, &pgie, &nvvidconv, &nvosd])?;
    pipeline.add(&sink)?;

    // file-source -> h264-parser -> decoder -> nvstreammux -> nvinfer -> nvvidconv -> nvosd -> sink
    println!("Linking elements in the Pipeline");
    gst::Element::link_many([&source, &h264parser, &decoder]).context("linking filesrc, h264parse and the decoder")?;
    let sinkpad = streammux
        .request_pad_simple("sink_0")
        .context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder.static_pad("src").context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad).context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd]).context("linking streammux, nvinfer, convertor and OSD")?;
    nvosd.link(&sink).context("linking the OSD to the sink")?;

    // Add a probe to get informed of the meta data generated. We add the probe to the sink
    // pad of the OSD element, since by that time the buffer will have all the metadata.
    let osdsinkpad = nvosd.static_pad("sink").context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buffer) = info.buffer_mut() {
            // The probe adds metadata: it needs the buffer writable (make_mut copies it only
            // if another element still holds it; the metadata is copied with it).
            if let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut()) {
                eprintln!("osd_sink_pad_buffer_probe: {e}");
            }
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    // Runs until EOS, an error or Ctrl-C. On an error, EOS is pushed into the sink's pad so
    // that the MP4 written so far is finalised.
    let sink_pad = sink.static_pad("sink").context("sink bin without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[sink_pad]);
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    result
}
