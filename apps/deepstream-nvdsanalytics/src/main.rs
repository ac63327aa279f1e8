//! deepstream-nvdsanalytics: port of `deepstream_nvdsanalytics.py` (DeepStream 7.1 Python
//! samples).
//!
//! N URIs → source bins → streammux → queue → primary detector → queue → tracker → queue →
//! nvdsanalytics → queue → tiler → queue → convertor → queue → OSD → queue → sink. A probe
//! on the analytics src pad prints, per frame, each object's analytics (direction, lines
//! crossed, overcrowding and ROI status) and the frame's (objects per ROI, cumulative and
//! current line crossings, overcrowding), then the frame's counts; FPS every 5 s.
//!
//! On the portable backend the detector is YOLOv3-tiny, the tracker `dstracker` with the
//! NvDCF config, and the analytics run `dsanalytics` with
//! `configs/deepstream-nvdsanalytics/portable/config_nvdsanalytics.txt`, drawn for
//! `streams/vtest.h264` (a road ROI, an overcrowding zone, a line across the walkway counted
//! in both directions; see the file).
//!
//! ```sh
//! cargo run -p deepstream-nvdsanalytics -- file://$PWD/streams/vtest.h264
//! cargo run -p deepstream-nvdsanalytics -- --sink file streams/vtest.h264 streams/market.mp4
//! ```
//! Local paths are accepted as well as URIs. Added to the sample: `--analytics-config` (another
//! analytics config file) and a summary line per stream at the end (`Analytics summary:`).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::source::SourceOptions;
use ds_app::{AppArgs, SinkKind};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const APP: &str = "deepstream-nvdsanalytics";

/// deepstream_nvdsanalytics: detection, tracking and nvdsanalytics on N streams.
#[derive(Parser, Debug)]
#[command(name = "deepstream_nvdsanalytics", version, about)]
struct Args {
    /// Input URIs (file:///..., rtsp://..., or local paths)
    #[arg(required = true, value_name = "uri")]
    uris: Vec<String>,
    /// Analytics config file (default: the sample's config_nvdsanalytics.txt for the backend)
    #[arg(long, value_name = "FILE")]
    analytics_config: Option<std::path::PathBuf>,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    if std::env::args().len() <= 1 {
        eprintln!("usage: deepstream-nvdsanalytics <uri1> [uri2] ... [uriN]");
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

/// Python's `repr` of a list of strings: `['RF', 'Exit']`.
fn py_list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", items.join(", "))
}

/// Python's `repr` of a dict with string keys: `{'RF': 3}` (`True`/`False` for booleans).
fn py_dict<V: Display>(m: &BTreeMap<String, V>) -> String {
    let items: Vec<String> = m
        .iter()
        .map(|(k, v)| {
            let v = match v.to_string().as_str() {
                "true" => "True".to_string(),
                "false" => "False".to_string(),
                s => s.to_string(),
            };
            format!("'{k}': {v}")
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// The last frame analytics of each stream (`pad_index`), printed at the end.
type Last = Arc<Mutex<BTreeMap<u32, ds_meta::AnalyticsFrameMeta>>>;

/// `nvanalytics_src_pad_buffer_probe` of the Python sample.
fn nvanalytics_src_pad_buffer_probe(
    buffer: &gst::BufferRef,
    perf: &ds_app::perf::PerfData,
    last: &Last,
) {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return;
    };
    let mut out = String::new();
    for frame_meta in batch_meta.frames() {
        let frame_number = frame_meta.frame_num();
        let num_rects = frame_meta.num_obj_meta();
        let mut obj_counter = [0u32; 4];
        out += &format!("{}\n", "#".repeat(50));
        for obj_meta in frame_meta.objects() {
            if let Ok(c) = usize::try_from(obj_meta.class_id())
                && c < 4
            {
                obj_counter[c] += 1;
            }
            for user_meta in obj_meta.user_metas() {
                let Some(info) = user_meta.analytics_obj() else {
                    continue;
                };
                let id = obj_meta.object_id();
                if !info.dir_status.is_empty() {
                    out += &format!("Object {id} moving in direction: {}\n", info.dir_status);
                }
                if !info.lc_status.is_empty() {
                    out += &format!(
                        "Object {id} line crossing status: {}\n",
                        py_list(&info.lc_status)
                    );
                }
                if !info.oc_status.is_empty() {
                    out += &format!(
                        "Object {id} overcrowding status: {}\n",
                        py_list(&info.oc_status)
                    );
                }
                if !info.roi_status.is_empty() {
                    out += &format!("Object {id} roi status: {}\n", py_list(&info.roi_status));
                }
            }
        }
        for user_meta in frame_meta.user_metas() {
            let Some(m) = user_meta.analytics_frame() else {
                continue;
            };
            if !m.obj_in_roi_cnt.is_empty() {
                out += &format!("Objs in ROI: {}\n", py_dict(&m.obj_in_roi_cnt));
            }
            if !m.obj_lc_cum_cnt.is_empty() {
                out += &format!("Linecrossing Cumulative: {}\n", py_dict(&m.obj_lc_cum_cnt));
            }
            if !m.obj_lc_curr_cnt.is_empty() {
                out += &format!(
                    "Linecrossing Current Frame: {}\n",
                    py_dict(&m.obj_lc_curr_cnt)
                );
            }
            if !m.oc_status.is_empty() {
                out += &format!("Overcrowding status: {}\n", py_dict(&m.oc_status));
            }
            last.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(frame_meta.pad_index(), m);
        }
        out += &format!(
            "Frame Number= {} stream id= {} Number of Objects= {} Vehicle_count= {} Person_count= {}\n",
            frame_number,
            frame_meta.pad_index(),
            num_rects,
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize]
        );
        perf.update_fps(frame_meta.pad_index() as usize);
        out += &format!("{}\n", "#".repeat(50));
    }
    print!("{out}");
}

fn run(args: Args) -> anyhow::Result<()> {
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;
    let uris: Vec<String> = args
        .uris
        .iter()
        .map(|i| ds_app::source::to_uri(i))
        .collect();
    let number_sources = uris.len();
    let perf_data = ds_app::perf::PerfData::new(number_sources);
    let analytics_config = match &args.analytics_config {
        Some(p) => p.clone(),
        None => backend.config(APP, "config_nvdsanalytics.txt")?,
    };

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux \n ");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions {
        file_loop: false,
        verbose: true,
    };
    for (i, uri) in uris.iter().enumerate() {
        println!("Creating source_bin  {i}  \n ");
        let source_bin = ds_app::source::create_source_bin(backend, i, uri, &opts)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .with_context(|| format!("Unable to create sink pad {padname} of the streammux"))?;
        let srcpad = source_bin
            .static_pad("src")
            .context("Unable to create src pad bin")?;
        srcpad
            .link(&sinkpad)
            .with_context(|| format!("linking source {i} to the streammux"))?;
    }
    let queues: Vec<gst::Element> = (1..=7)
        .map(|i| backend.make("queue", &format!("queue{i}")))
        .collect::<anyhow::Result<_>>()?;
    println!("Creating Pgie \n ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    println!("Creating nvtracker \n ");
    let tracker = backend.make("nvtracker", "tracker")?;
    println!("Creating nvdsanalytics \n ");
    let nvanalytics = backend.make("nvdsanalytics", "analytics")?;
    nvanalytics.set_property("config-file", analytics_config.to_string_lossy().as_ref());
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    nvosd.set_property_from_str("process-mode", "0");
    nvosd.set_property("display-text", true);
    let sink: gst::Element = match &sink_kind {
        SinkKind::Fake => {
            let s = backend.make("fakesink", "fakesink")?;
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
    let pgie_config = backend.config(APP, "dsnvanalytics_pgie_config.txt")?;
    pgie.set_property("config-file-path", pgie_config.to_string_lossy().as_ref());
    let pgie_batch_size: u32 = pgie.property("batch-size");
    if pgie_batch_size as usize != number_sources {
        println!(
            "WARNING: Overriding infer-config batch-size {pgie_batch_size}  with number of sources  {number_sources}  \n"
        );
        pgie.set_property("batch-size", number_sources as u32);
    }
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);

    // Set properties of tracker
    ds_app::tracker::configure_from_ini(
        &tracker,
        &backend.config(APP, "dsnvanalytics_tracker_config.txt")?,
    )?;

    println!("Adding elements to Pipeline \n");
    pipeline.add_many(&queues)?;
    pipeline.add_many([
        &pgie,
        &tracker,
        &nvanalytics,
        &tiler,
        &nvvidconv,
        &nvosd,
        &sink,
    ])?;

    // We link elements in the following order:
    // sourcebin -> streammux -> nvinfer -> nvtracker -> nvdsanalytics ->
    // nvtiler -> nvvideoconvert -> nvdsosd -> sink
    println!("Linking elements in the Pipeline \n");
    let q = |i: usize| &queues[i - 1];
    gst::Element::link_many([
        &streammux,
        q(1),
        &pgie,
        q(2),
        &tracker,
        q(3),
        &nvanalytics,
        q(4),
        &tiler,
    ])
    .context("linking streammux, pgie, tracker and nvdsanalytics")?;
    gst::Element::link_many([&tiler, q(5), &nvvidconv, q(6), &nvosd, q(7), &sink])
        .context("linking tiler, convertor, OSD and sink")?;

    // Add a probe on the nvdsanalytics src pad, where the analytics metadata is attached.
    let last: Last = Arc::default();
    let src_pad = nvanalytics
        .static_pad("src")
        .context("Unable to get src pad")?;
    let perf = perf_data.clone();
    let l = last.clone();
    src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            nvanalytics_src_pad_buffer_probe(buffer, &perf, &l);
        }
        gst::PadProbeReturn::Ok
    });
    // perf callback function to print fps every 5 sec
    let perf_timer = perf_data.start_printing(Duration::from_secs(5));

    println!("Now playing...");
    for (i, uri) in uris.iter().enumerate() {
        println!("{i} :  {uri}");
    }
    println!("Starting pipeline \n");
    let finalise: Vec<gst::Pad> = sink.static_pad("sink").into_iter().collect();
    let result = ds_app::bus::run(&pipeline, &finalise);
    perf_timer.remove();
    for (stream, m) in last.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        println!(
            "Analytics summary: stream{stream} Linecrossing Cumulative: {} Objs in ROI (last frame): {}",
            py_dict(&m.obj_lc_cum_cnt),
            py_dict(&m.obj_in_roi_cnt)
        );
    }
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    println!("Exiting app\n");
    result
}
