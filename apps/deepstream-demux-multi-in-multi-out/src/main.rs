//! deepstream-demux-multi-in-multi-out: port of `deepstream_demux_multi_in_multi_out.py`
//! (DeepStream 7.1 Python samples).
//!
//! N URIs → source bins → streammux → queue → primary detector → streamdemux → per stream:
//! queue → convertor → OSD → sink. One inference pass for all streams, then each stream
//! gets its own OSD and its own output: a window each, or without a display one MP4 each
//! (`out/deepstream-demux-multi-in-multi-out-stream<i>.mp4`).
//!
//! ```sh
//! cargo run -p deepstream-demux-multi-in-multi-out -- -i streams/vtest-4s.mp4 streams/market-2s.mp4
//! ```

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use ds_app::source::SourceOptions;
use ds_app::{AppArgs, SinkKind};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_OUTPUT_WIDTH: u32 = 960;
const MUXER_OUTPUT_HEIGHT: u32 = 540;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const APP: &str = "deepstream-demux-multi-in-multi-out";

/// deepstream_demux_multi_in_multi_out: one detector, one output per stream.
#[derive(Parser, Debug)]
#[command(name = "deepstream_demux_multi_in_multi_out.py", version, about)]
struct Args {
    /// Path to input streams (URIs: file:///..., rtsp://..., or local paths)
    #[arg(short = 'i', long = "input", num_args = 1.., required = true, value_name = "URIs")]
    input: Vec<String>,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// `pgie_src_pad_buffer_probe` of the Python sample: per-frame counts and prints, FPS.
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
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize]
        );
        perf_data.update_fps(frame_meta.pad_index() as usize);
    }
}

/// The output of stream `i`: its own window, MP4 (`<stem>-stream<i>.mp4` next to
/// `--output`, or under `out/`) or fakesink.
fn stream_sink_kind(kind: &SinkKind, i: usize) -> anyhow::Result<SinkKind> {
    Ok(match kind {
        SinkKind::File(path) => {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| APP.into());
            let name = format!("{stem}-stream{i}.mp4");
            SinkKind::File(match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(dir) => dir.join(name),
                None => std::path::PathBuf::from(name),
            })
        }
        other => other.clone(),
    })
}

fn run(args: Args) -> anyhow::Result<()> {
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;
    let uris: Vec<String> = args.input.iter().map(|i| ds_app::source::to_uri(i)).collect();
    let number_sources = uris.len();
    let perf_data = ds_app::perf::PerfData::new(number_sources);

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux \n ");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions { file_loop: false, verbose: true };
    // Create a source bin per URI and link each to the muxer's sink_<i>
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;
    let queue1 = backend.make("queue", "queue1")?;
    println!("Creating Pgie \n ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    println!("Creating nvstreamdemux \n ");
    let nvstreamdemux = backend.make("nvstreamdemux", "nvstreamdemux")?;

    if is_live {
        println!("At least one of the sources is live");
        streammux.set_property("live-source", true);
    }
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = backend.config(APP, "ds_demux_pgie_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    ds_app::override_batch_size(&pgie, number_sources);

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&queue1, &pgie, &nvstreamdemux])?;
    // linking
    gst::Element::link_many([&streammux, &queue1, &pgie, &nvstreamdemux])
        .context("linking streammux, queue, pgie and streamdemux")?;

    // Creating one branch per stream after the demuxer
    let mut outputs = Vec::with_capacity(number_sources);
    let mut finalise = Vec::with_capacity(number_sources);
    for i in 0..number_sources {
        // pipeline nvstreamdemux -> queue -> nvvidconv -> nvosd -> (if Jetson) nvegltransform -> nveglgl
        let queue = backend.make("queue", &format!("queue-{i}"))?;
        let nvvideoconvert = backend.make("nvvideoconvert", &format!("nvvideoconvert-{i}"))?;
        let nvdsosd = backend.make("nvdsosd", &format!("nvdsosd-{i}"))?;
        nvdsosd.set_property_from_str("process-mode", "0");
        nvdsosd.set_property("display-text", true);
        let kind = stream_sink_kind(&sink_kind, i)?;
        let sink = ds_app::sink::make_sink_bin(backend, &kind, &format!("sink-{i}"))?;
        pipeline.add_many([&queue, &nvvideoconvert, &nvdsosd])?;
        pipeline.add(&sink)?;
        // connect nvstreamdemux -> queue
        let padname = format!("src_{i}");
        let demuxsrcpad = nvstreamdemux
            .request_pad_simple(&padname)
            .with_context(|| format!("Unable to create demux src pad {padname}"))?;
        let queuesinkpad = queue.static_pad("sink").context("Unable to create queue sink pad")?;
        demuxsrcpad.link(&queuesinkpad).with_context(|| format!("linking {padname} to queue-{i}"))?;
        gst::Element::link_many([&queue, &nvvideoconvert, &nvdsosd]).with_context(|| format!("linking branch {i}"))?;
        nvdsosd.link(&sink).with_context(|| format!("linking nvdsosd-{i} to its sink"))?;
        finalise.extend(sink.static_pad("sink"));
        outputs.push(kind);
    }

    let pgie_src_pad = pgie.static_pad("src").context("Unable to get src pad")?;
    let perf = perf_data.clone();
    pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            pgie_src_pad_buffer_probe(buffer, &perf);
        }
        gst::PadProbeReturn::Ok
    });
    // perf callback function to print fps every 5 sec
    let perf_timer = perf_data.start_printing(Duration::from_secs(5));

    // List the sources
    println!("Now playing...");
    for (i, uri) in uris.iter().enumerate() {
        println!("{i} :  {uri}");
    }
    println!("Starting pipeline \n");
    let result = ds_app::bus::run(&pipeline, &finalise);
    perf_timer.remove();
    for kind in &outputs {
        if let SinkKind::File(path) = kind {
            ds_app::sink::report_output(path, result.is_ok());
        }
    }
    println!("Exiting app\n");
    result
}
