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

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
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
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
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
        let py_nvosd_text_params = display_meta.add_label()?;
        // Now set the offsets where the string should appear
        py_nvosd_text_params.set_display_text(&text)?;
        py_nvosd_text_params.set_x_offset(10);
        py_nvosd_text_params.set_y_offset(12);
        // Font, font-color and font-size
        py_nvosd_text_params.font_params_mut().set_font_name("Serif")?;
        py_nvosd_text_params.font_params_mut().set_font_size(10);
        // set(red, green, blue, alpha); white
        py_nvosd_text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        // Text background color: black
        py_nvosd_text_params.set_bg_enabled(true);
        py_nvosd_text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        println!("{}", py_nvosd_text_params.display_text());
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    check_h264_input(&args.input)?;
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, "deepstream-test1", args.app.output.clone())?;

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name("deepstream-test1");
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is an elementary h264 stream, we need a parser
    let h264parser = backend.make("h264parse", "h264-parser")?;
    // Hardware decoder on DeepStream; avdec_h264 on the portable backend
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
            if let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut()) {
                eprintln!("osd_sink_pad_buffer_probe: {e}");
            }
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    let sink_pad = sink.static_pad("sink").context("sink bin without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[sink_pad]);
    if let SinkKind::File(path) = &sink_kind {
        println!("Output written to {}", path.display());
    }
    result
}

/// The Python sample takes only H.264 elementary streams; say so clearly instead of failing
/// later with not-negotiated.
fn check_h264_input(path: &Path) -> anyhow::Result<()> {
    let mut head = [0u8; 12];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            bail!("input {} is a directory, expected an H.264 elementary stream file", path.display());
        }
        f.read(&mut head).with_context(|| format!("cannot read input {}", path.display()))?
    };
    if n == 0 {
        bail!("input {} is empty, expected an H.264 elementary stream", path.display());
    }
    let container = if n >= 8 && &head[4..8] == b"ftyp" {
        Some("an MP4/QuickTime file")
    } else if n >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"AVI " {
        Some("an AVI file")
    } else if n >= 4 && head[0..4] == [0x1a, 0x45, 0xdf, 0xa3] {
        Some("a Matroska/WebM file")
    } else {
        None
    };
    if let Some(kind) = container {
        bail!(
            "input {} is {kind}; deepstream-test1 takes an H.264 elementary stream (.h264, Annex B) \
             like the Python sample. Extract one with: gst-launch-1.0 filesrc location=IN ! qtdemux ! \
             h264parse ! video/x-h264,stream-format=byte-stream ! filesink location=OUT.h264",
            path.display()
        );
    }
    let annex_b = head.starts_with(&[0, 0, 0, 1]) || head.starts_with(&[0, 0, 1]);
    if !annex_b {
        bail!(
            "input {} does not start with an H.264 start code (00 00 00 01): expected an H.264 \
             elementary stream (Annex B byte-stream)",
            path.display()
        );
    }
    Ok(())
}
