//! deepstream-test3: port of `deepstream_test_3.py` (DeepStream 7.1 Python samples).
//!
//! N URIs (files, RTSP, HTTP; any container and codec) → source bins → streammux → queue →
//! primary detector → queue → [nvdslogger] → tiler → queue → convertor → queue → OSD → queue
//! → sink. A probe on the detector's src pad counts vehicles and people per frame and feeds
//! the per-stream FPS printed every 5 s (`**PERF:`).
//!
//! ```sh
//! cargo run -p deepstream-test3 -- -i file://$PWD/streams/vtest.mp4 file://$PWD/streams/market.mp4
//! cargo run -p deepstream-test3 -- -i streams/vtest-4s.mp4 --file-loop --no-display
//! NVDS_ENABLE_LATENCY_MEASUREMENT=1 cargo run -p deepstream-test3 -- -i streams/vtest-4s.mp4 --no-display
//! cargo run -p deepstream-test3 -- --backend portable -i streams/vtest-4s.mp4 --no-display \
//!   -g nvinferserver -c configs/deepstream-test3/portable/config_triton_infer_primary_peoplenet.txt
//! ```
//! Local paths are accepted as well as URIs (turned into `file://` URIs). `-g nvinferserver`
//! (and `nvinferserver-grpc`) run on the portable backend too: `dsinfer` reads the Triton
//! config and runs its model in process (no Triton server).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::source::SourceOptions;
use ds_app::{AppArgs, Backend, SinkKind};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const APP: &str = "deepstream-test3";

/// deepstream_test_3: multi-stream detection with a tiled display.
#[derive(Parser, Debug)]
#[command(name = "deepstream_test_3", version, about)]
struct Args {
    /// Path to input streams (URIs: file:///..., rtsp://..., or local paths)
    #[arg(short = 'i', long = "input", num_args = 1.., required = true, value_name = "URIs")]
    input: Vec<String>,
    /// Choose the config-file to be used with specified pgie
    #[arg(short = 'c', long = "configfile", value_name = "config_location.txt")]
    configfile: Option<String>,
    /// PGIE choice: nvinfer, nvinferserver or nvinferserver-grpc
    #[arg(short = 'g', long = "pgie", value_parser = ["nvinfer", "nvinferserver", "nvinferserver-grpc"])]
    pgie: Option<String>,
    /// Disable display (fakesink)
    #[arg(long = "no-display")]
    no_display: bool,
    /// Loop the input files
    #[arg(long = "file-loop")]
    file_loop: bool,
    /// Disable the probe and the FPS prints; insert nvdslogger instead
    #[arg(long = "disable-probe")]
    disable_probe: bool,
    /// Do not print per-frame lines
    #[arg(short = 's', long = "silent")]
    silent: bool,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    // No arguments at all: the help on stderr and exit 1, as the Python sample.
    if std::env::args().len() <= 1 {
        let _ = Args::command().write_help(&mut std::io::stderr());
        return ExitCode::FAILURE;
    }
    ds_app::exit_code(run(Args::parse()))
}

/// The Python sample's checks of `-c`/`-g`; prints its messages and the help.
fn parse_args(args: &Args) -> anyhow::Result<()> {
    if args.configfile.is_some() != args.pgie.is_some() {
        eprint!("\nEither pgie or configfile is missing. Please specify both! Exiting...\n\n\n\n");
        let _ = Args::command().write_help(&mut std::io::stderr());
        bail!("-c/--configfile and -g/--pgie go together");
    }
    if let Some(c) = &args.configfile
        && !Path::new(c).is_file()
    {
        bail!("Specified config-file: {c} doesn't exist. Exiting...");
    }
    // vars(args) of the Python sample
    let py = |o: &Option<String>| o.as_ref().map(|s| format!("'{s}'")).unwrap_or_else(|| "None".into());
    let b = |v: bool| if v { "True" } else { "False" };
    let inputs: Vec<String> = args.input.iter().map(|i| format!("'{i}'")).collect();
    println!(
        "{{'input': [{}], 'configfile': {}, 'pgie': {}, 'no_display': {}, 'file_loop': {}, 'disable_probe': {}, 'silent': {}}}",
        inputs.join(", "),
        py(&args.configfile),
        py(&args.pgie),
        b(args.no_display),
        b(args.file_loop),
        b(args.disable_probe),
        b(args.silent)
    );
    Ok(())
}

/// Frames seen at the probe, per stream (`pad_index`): printed at the end.
type FrameCounts = Arc<Mutex<BTreeMap<u32, u64>>>;

/// `pgie_src_pad_buffer_probe` of the Python sample: latency (when measured), per-frame
/// counts and prints, FPS.
fn pgie_src_pad_buffer_probe(
    buffer: &gst::BufferRef,
    perf_data: &ds_app::perf::PerfData,
    silent: bool,
    measure_latency: bool,
    batch_num: &std::sync::atomic::AtomicU64,
    counts: &FrameCounts,
) {
    if measure_latency {
        // nvds_measure_buffer_latency: prints the batch number and each source's latency
        let n = batch_num.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match ds_meta::latency::latency_report(buffer, n) {
            Some(report) => print!("{report}"),
            None => println!("Unable to get number of sources in GstBuffer for latency measurement"),
        }
    }
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return;
    };
    for frame_meta in batch_meta.frames() {
        let frame_number = frame_meta.frame_num();
        let num_rects = frame_meta.num_obj_meta();
        let mut obj_counter = [0u32; 4];
        for obj_meta in frame_meta.objects() {
            if let Ok(c) = usize::try_from(obj_meta.class_id())
                && c < 4
            {
                obj_counter[c] += 1;
            }
        }
        if !silent {
            println!(
                "Frame Number= {} Number of Objects= {} Vehicle_count= {} Person_count= {}",
                frame_number,
                num_rects,
                obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
                obj_counter[PGIE_CLASS_ID_PERSON as usize]
            );
        }
        // Update frame rate through this probe
        perf_data.update_fps(frame_meta.pad_index() as usize);
        *counts.lock().unwrap_or_else(|e| e.into_inner()).entry(frame_meta.pad_index()).or_default() += 1;
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    parse_args(&args)?;
    let backend = ds_app::init(Some(&args.app.backend))?;
    let requested_sink = if args.no_display { "fake" } else { args.app.sink.as_str() };
    let sink_kind = SinkKind::resolve(requested_sink, APP, args.app.output.clone())?;
    let uris: Vec<String> = args.input.iter().map(|i| ds_app::source::to_uri(i)).collect();
    let number_sources = uris.len();
    let measure_latency = ds_meta::latency::latency_measurement_enabled();
    let perf_data = ds_app::perf::PerfData::new(number_sources);

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux \n ");
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions { file_loop: args.file_loop, verbose: true, ..Default::default() };
    // Create a source bin per URI and link each to the muxer's sink_<i>
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;
    let queue1 = backend.make("queue", "queue1")?;
    let queue2 = backend.make("queue", "queue2")?;
    let queue3 = backend.make("queue", "queue3")?;
    let queue4 = backend.make("queue", "queue4")?;
    let queue5 = backend.make("queue", "queue5")?;
    println!("Creating Pgie \n ");
    // nvinfer (TrafficCamNet / YOLOv3-tiny on the portable backend) or nvinferserver
    let pgie_factory = match args.pgie.as_deref() {
        Some("nvinferserver") | Some("nvinferserver-grpc") => "nvinferserver",
        _ => "nvinfer",
    };
    let pgie = backend.make(pgie_factory, "primary-inference")?;
    let nvdslogger = if args.disable_probe {
        // Use nvdslogger for perf measurement instead of the probe function
        println!("Creating nvdslogger \n");
        Some(backend.make("nvdslogger", "nvdslogger")?)
    } else {
        None
    };
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    nvosd.set_property_from_str("process-mode", "0");
    nvosd.set_property("display-text", true);
    if args.file_loop && backend == Backend::DeepStream {
        // Set nvbuf-memory-type=4 for integrated gpu file looping, 2 (unified) for dGPU
        let mem = if ds_app::platform::PlatformInfo::get().is_integrated_gpu() { "4" } else { "2" };
        streammux.set_property_from_str("nvbuf-memory-type", mem);
    }
    let sink: gst::Element = match &sink_kind {
        SinkKind::Fake => {
            println!("Creating Fakesink \n");
            let s = backend.make("fakesink", "fakesink")?;
            s.set_property("enable-last-sample", false);
            s.set_property("sync", false);
            s.set_property("qos", false);
            s
        }
        other => ds_app::sink::make_sink_bin(backend, other, "sink")?.upcast(),
    };

    if is_live {
        println!("At least one of the sources is live");
        streammux.set_property("live-source", true);
    }
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = match &args.configfile {
        Some(c) => std::path::PathBuf::from(c),
        None => backend.config(APP, "dstest3_pgie_config.txt")?,
    };
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    ds_app::override_batch_size(&pgie, number_sources);
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);
    if tiler.has_property("compute-hw") {
        let hw = if ds_app::platform::PlatformInfo::get().is_integrated_gpu() { "2" } else { "1" };
        tiler.set_property_from_str("compute-hw", hw);
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&queue1, &queue2, &queue3, &queue4, &queue5, &pgie, &tiler, &nvvidconv, &nvosd, &sink])?;
    if let Some(l) = &nvdslogger {
        pipeline.add(l)?;
    }

    println!("Linking elements in the Pipeline \n");
    gst::Element::link_many([&streammux, &queue1, &pgie, &queue2]).context("linking streammux, queue1, pgie, queue2")?;
    match &nvdslogger {
        Some(l) => gst::Element::link_many([&queue2, l, &tiler]).context("linking nvdslogger")?,
        None => queue2.link(&tiler).context("linking queue2 and the tiler")?,
    }
    gst::Element::link_many([&tiler, &queue3, &nvvidconv, &queue4, &nvosd, &queue5, &sink])
        .context("linking tiler, convertor, OSD and sink")?;

    let counts: FrameCounts = Arc::default();
    let mut perf_timer = None;
    if !args.disable_probe {
        let pgie_src_pad = pgie.static_pad("src").context("Unable to get src pad")?;
        let perf = perf_data.clone();
        let silent = args.silent;
        let counts = counts.clone();
        let batch_num = std::sync::atomic::AtomicU64::new(0);
        pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(buffer) = info.buffer() {
                pgie_src_pad_buffer_probe(buffer, &perf, silent, measure_latency, &batch_num, &counts);
            }
            gst::PadProbeReturn::Ok
        });
        // perf callback function to print fps every 5 sec
        perf_timer = Some(perf_data.start_printing(Duration::from_secs(5)));
    }

    // List the sources
    println!("Now playing...");
    for (i, uri) in uris.iter().enumerate() {
        println!("{i} :  {uri}");
    }
    println!("Starting pipeline \n");
    let finalise: Vec<gst::Pad> = sink.static_pad("sink").into_iter().collect();
    let result = ds_app::bus::run(&pipeline, &finalise);
    if let Some(t) = perf_timer {
        t.remove();
    }
    if !args.disable_probe {
        let c = counts.lock().unwrap_or_else(|e| e.into_inner());
        let per: Vec<String> = (0..number_sources as u32).map(|i| format!("stream{i}={}", c.get(&i).copied().unwrap_or(0))).collect();
        println!("Frames per stream: {}", per.join(" "));
    }
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    println!("Exiting app\n");
    result
}
