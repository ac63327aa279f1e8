//! deepstream-custom-binding-test: port of `deepstream_custom_binding_test.py` (DeepStream 7.1
//! Python samples).
//!
//! H.264 file → parser → decoder → streammux → queue → queue → fakesink. A probe on the
//! muxer's src pad attaches the sample's custom C struct (`structId`, `message`, `sampleInt`)
//! to every frame as user metadata, with typed Rust payloads beside it (see the library part,
//! `src/lib.rs`); a probe on the fakesink's sink pad reads them back and prints them.
//!
//! ```sh
//! cargo run -p deepstream-custom-binding-test -- streams/vtest-5s.h264
//! GST_DEBUG_DUMP_DOT_DIR=out cargo run -p deepstream-custom-binding-test -- streams/vtest-5s.h264   # out/graph.dot
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use deepstream_custom_binding_test::{attach_payloads, payload_lines};
use ds_meta::BatchMeta;

/// deepstream_custom_binding_test: custom user metadata attached and read back.
#[derive(Parser, Debug)]
#[command(name = "deepstream_custom_binding_test", version, about,
          override_usage = "deepstream-custom-binding-test <h264 stream file or uri>")]
struct Args {
    /// H.264 elementary stream (`.h264`)
    input: PathBuf,
    #[command(flatten)]
    app: ds_app::AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// `streammux_src_pad_buffer_probe` of the Python sample: the custom struct (and the Rust
/// payloads) on every frame of the batch.
fn streammux_src_pad_buffer_probe(buffer: &mut gst::BufferRef, batch: u64) {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    // nvds_acquire_meta_lock is not needed: the probe holds the only writable reference.
    for frame_meta in batch_meta.frames_mut() {
        // nvds_acquire_user_meta_from_pool + alloc_custom_struct + nvds_add_user_meta_to_frame
        match attach_payloads(frame_meta, batch) {
            Ok(()) => println!("adding user meta"),
            Err(e) => println!("failed to acquire user meta: {e}"),
        }
    }
}

/// `fakesink_sink_pad_buffer_probe` of the Python sample: the payloads of every frame, printed.
fn fakesink_sink_pad_buffer_probe(buffer: &gst::BufferRef) {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return;
    };
    for frame_meta in batch_meta.frames() {
        for line in payload_lines(frame_meta) {
            println!("{line}");
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    println!("reading input");
    ds_app::input::check_h264_elementary_stream(&args.input)?;
    let backend = ds_app::init(Some(&args.app.backend))?;

    let pipeline = gst::Pipeline::with_name("deepstream-custom-binding-test");
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is an elementary h264 stream, we need a parser
    let h264parser = backend.make("h264parse", "h264-parser")?;
    // Hardware decoder on DeepStream; avdec_h264 (software) on the portable backend
    let decoder = backend.make("nvv4l2decoder", "nvv4l2-decoder")?;
    // nvstreammux forms batches from one or more sources
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    let queue = backend.make("queue", "queue")?;
    let queue1 = backend.make("queue", "queue1")?;
    let sink = backend.make("fakesink", "fakesink")?;

    println!("Playing file {}", args.input.display());
    source.set_property("location", args.input.to_string_lossy().as_ref());
    streammux.set_property("width", 1280u32);
    streammux.set_property("height", 720u32);
    streammux.set_property("batch-size", 1u32);

    pipeline.add_many([&source, &h264parser, &decoder, &streammux, &queue, &queue1, &sink])?;
    gst::Element::link_many([&source, &h264parser, &decoder]).context("linking filesrc, h264parse and the decoder")?;
    let sinkpad = streammux.request_pad_simple("sink_0").context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder.static_pad("src").context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad).context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &queue, &queue1, &sink]).context("linking streammux, queues and fakesink")?;

    // Attach the custom metadata where the batches leave the muxer ...
    let batches = AtomicU64::new(0);
    let streammux_src_pad = streammux.static_pad("src").context("Unable to get src pad of streammux")?;
    streammux_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer_mut() {
            streammux_src_pad_buffer_probe(buffer.make_mut(), batches.fetch_add(1, Ordering::Relaxed));
        }
        gst::PadProbeReturn::Ok
    });
    // ... and read it where they reach the sink.
    let fakesink_sink_pad = sink.static_pad("sink").context("Unable to get sink pad of fakesink")?;
    fakesink_sink_pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buffer) = info.buffer() {
            fakesink_sink_pad_buffer_probe(buffer);
        }
        gst::PadProbeReturn::Ok
    });

    // Written only when GST_DEBUG_DUMP_DOT_DIR is set, as in the Python sample.
    pipeline.debug_to_dot_file(gst::DebugGraphDetails::all(), "graph");
    println!("pipeline playing");
    ds_app::bus::run(&pipeline, &[])
}
