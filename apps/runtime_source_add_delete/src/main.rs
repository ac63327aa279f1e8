//! runtime_source_add_delete: port of `deepstream_rt_src_add_del.py` (DeepStream 7.1 Python
//! samples).
//!
//! Starts with one source; every `--period` seconds (10, as the sample) adds a copy of the
//! URI until 4 sources run, then removes a random one every period until none remain
//! (sources whose stream ended are removed first). Pipeline: sources (`uridecodebin`,
//! added/removed while PLAYING) → streammux → PGIE → tracker → SGIE1 → SGIE2 → tiler →
//! convertor → OSD → sink.
//!
//! Additions to the Python sample: `--period` (shorter periods for tests), several URIs
//! (added sources take them in turn: a mix of cameras), a source that fails is reported with
//! its index and URI and removed while the others go on (the sample would stop), and at the
//! end the frames each source gave and the frames that reached the tiler.
//!
//! ```sh
//! cargo run -p runtime_source_add_delete -- file://$PWD/streams/vtest.mp4
//! cargo run -p runtime_source_add_delete -- --period 2 streams/vtest-4s.mp4
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use ds_app::dynamic::{DynamicSource, add_source, stop_release_source};
use ds_app::{AppArgs, SinkKind};
use ds_meta::BatchMeta;

const MAX_NUM_SOURCES: usize = 4;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const APP: &str = "runtime_source_add_delete";

/// deepstream_rt_src_add_del: sources added and removed at run time.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// URI of the source (file:///..., rtsp://..., or a local path); with several, added
    /// sources take them in turn
    #[arg(required = true, num_args = 1..)]
    uri: Vec<String>,
    /// Seconds between additions and between removals (the sample's 10)
    #[arg(long, default_value_t = 10.0)]
    period: f64,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// The sample's globals: `g_source_enabled`, `g_eos_list`, `g_source_bin_list`,
/// `g_num_sources`, plus what the run saw for the summary.
struct Sources {
    pipeline: gst::Pipeline,
    streammux: gst::Element,
    uris: Vec<String>,
    next_uri: usize,
    enabled: [bool; MAX_NUM_SOURCES],
    eos: [bool; MAX_NUM_SOURCES],
    bins: [Option<DynamicSource>; MAX_NUM_SOURCES],
    num_sources: usize,
    /// (index, generation, uri, frames it gave) of every source that ran
    finished: Vec<(u32, u32, String, u64)>,
    /// frames that reached the tiler per (source index, generation of that index)
    at_tiler: Arc<Mutex<BTreeMap<(u32, u32), u64>>>,
    /// how many sources have used each index so far
    generation: Arc<Mutex<[u32; MAX_NUM_SOURCES]>>,
    seed: u64,
}

impl Sources {
    /// A pseudo-random index in [0, n) (xorshift; the sample uses `random.randrange`).
    fn random(&mut self, n: usize) -> usize {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        (self.seed % n as u64) as usize
    }

    fn next_uri(&mut self) -> String {
        let u = self.uris[self.next_uri % self.uris.len()].clone();
        self.next_uri += 1;
        u
    }

    /// `create_uridecode_bin` + add + PLAYING; `false` when it could not start (reported).
    fn start(&mut self, source_id: usize) -> bool {
        let uri = self.next_uri();
        self.generation.lock().unwrap_or_else(|e| e.into_inner())[source_id] += 1;
        match add_source(&self.pipeline, &self.streammux, source_id as u32, &uri, true) {
            Ok(src) => {
                self.bins[source_id] = Some(src);
                self.enabled[source_id] = true;
                self.eos[source_id] = false;
                self.num_sources += 1;
                true
            }
            Err(e) => {
                eprintln!("Error: {e:#}");
                false
            }
        }
    }

    /// `stop_release_source(source_id)`.
    fn stop_release_source(&mut self, source_id: usize) {
        let Some(src) = self.bins[source_id].take() else { return };
        let uri = src.bin.property::<Option<String>>("uri").unwrap_or_default();
        if let Err(e) = stop_release_source(&self.pipeline, &self.streammux, &src, true) {
            eprintln!("Error: {e:#}");
        }
        self.enabled[source_id] = false;
        self.num_sources = self.num_sources.saturating_sub(1);
        let generation = self.generation.lock().unwrap_or_else(|e| e.into_inner())[source_id];
        self.finished.push((source_id as u32, generation, uri, src.frames_out()));
    }
}

/// `add_sources` of the sample: `true` while more are to be added.
fn add_sources(s: &mut Sources) -> bool {
    let mut source_id = s.random(MAX_NUM_SOURCES);
    // Randomly select an un-enabled source to add
    while s.enabled[source_id] {
        source_id = s.random(MAX_NUM_SOURCES);
    }
    println!("Calling Start {source_id} ");
    s.start(source_id);
    s.num_sources < MAX_NUM_SOURCES
}

/// Every source is gone: as the sample, quit; but first end the muxer's stream so that what
/// it still holds goes out and the output file is finalised: an EOS on a fresh request pad
/// (every pad is then at EOS; the muxer sends EOS after its last frames). The loop quits on
/// that EOS, or after 5 s.
fn all_sources_stopped(s: &Sources, main_loop: &glib::MainLoop) {
    println!("All sources stopped quitting");
    match s.streammux.request_pad_simple("sink_%u") {
        Some(pad) => {
            pad.send_event(gst::event::StreamStart::new("end"));
            pad.send_event(gst::event::Eos::new());
            let l = main_loop.clone();
            glib::timeout_add_local_once(Duration::from_secs(5), move || l.quit());
        }
        None => main_loop.quit(),
    }
}

/// `delete_sources` of the sample: `false` once every source is gone (the loop quits).
fn delete_sources(s: &mut Sources, main_loop: &glib::MainLoop) -> bool {
    // First delete sources that have reached end of stream
    for source_id in 0..MAX_NUM_SOURCES {
        if s.eos[source_id] && s.enabled[source_id] {
            s.stop_release_source(source_id);
        }
    }
    // Quit if no sources remaining
    if s.num_sources == 0 {
        all_sources_stopped(s, main_loop);
        return false;
    }
    // Randomly choose an enabled source to delete
    let mut source_id = s.random(MAX_NUM_SOURCES);
    while !s.enabled[source_id] {
        source_id = s.random(MAX_NUM_SOURCES);
    }
    // Disable the source
    println!("Calling Stop {source_id} ");
    s.stop_release_source(source_id);
    // Quit if no sources remaining
    if s.num_sources == 0 {
        all_sources_stopped(s, main_loop);
        return false;
    }
    true
}

fn run(args: Args) -> anyhow::Result<()> {
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;
    let uris: Vec<String> = args.uri.iter().map(|u| ds_app::source::to_uri(u)).collect();
    for (i, u) in uris.iter().enumerate() {
        ds_app::source::check_uri(i, u)?;
    }
    let period = Duration::from_secs_f64(args.period.max(0.1));

    // Create Pipeline element that will form a connection of other elements
    println!("Creating Pipeline ");
    let pipeline = gst::Pipeline::with_name(APP);
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    streammux.set_property("batched-push-timeout", 25000i32);
    streammux.set_property("batch-size", 30u32);
    streammux.set_property("live-source", true);
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    pipeline.add(&streammux)?;

    let at_tiler: Arc<Mutex<BTreeMap<(u32, u32), u64>>> = Arc::default();
    let generation: Arc<Mutex<[u32; MAX_NUM_SOURCES]>> = Arc::default();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64 | 1).unwrap_or(0x9e37_79b9);
    let sources = Rc::new(RefCell::new(Sources {
        pipeline: pipeline.clone(),
        streammux: streammux.clone(),
        uris,
        next_uri: 0,
        enabled: [false; MAX_NUM_SOURCES],
        eos: [false; MAX_NUM_SOURCES],
        bins: Default::default(),
        num_sources: 0,
        finished: Vec::new(),
        at_tiler: at_tiler.clone(),
        generation: generation.clone(),
        seed,
    }));
    // Create first source bin and add to pipeline
    if !sources.borrow_mut().start(0) {
        anyhow::bail!("the first source could not start");
    }

    println!("Creating Pgie \n ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    println!("Creating nvtracker \n ");
    let tracker = backend.make("nvtracker", "tracker")?;
    println!("Creating nvinfer \n ");
    let sgie1 = backend.make("nvinfer", "secondary1-nvinference-engine")?;
    println!("Creating nvinfer \n ");
    let sgie2 = backend.make("nvinfer", "secondary2-nvinference-engine")?;
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvideoconvert = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;

    let cfg = |f: &str| -> anyhow::Result<String> { Ok(backend.config(APP, f)?.to_string_lossy().into_owned()) };
    pgie.set_property("config-file-path", cfg("dstest_pgie_config.txt")?);
    let pgie_batch_size: u32 = pgie.property("batch-size");
    if (pgie_batch_size as usize) < MAX_NUM_SOURCES {
        println!("WARNING: Overriding infer-config batch-size {pgie_batch_size} with number of sources  {MAX_NUM_SOURCES}  \n");
    }
    pgie.set_property("batch-size", MAX_NUM_SOURCES as u32);
    sgie1.set_property("config-file-path", cfg("dstest_sgie1_config.txt")?);
    sgie2.set_property("config-file-path", cfg("dstest_sgie2_config.txt")?);
    // Set properties of tracker
    ds_app::tracker::configure_from_ini(&tracker, &backend.config(APP, "dstest_tracker_config.txt")?)?;
    // The tiler's grid for one source, never updated (as the sample)
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(1);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&pgie, &tracker, &sgie1, &sgie2, &tiler, &nvvideoconvert, &nvosd])?;
    pipeline.add(&sink)?;
    // We link elements in the following order:
    // sourcebin -> streammux -> nvinfer -> nvtracker -> nvdsanalytics -> nvtiler ->
    // nvvideoconvert -> nvdsosd -> sink
    println!("Linking elements in the Pipeline \n");
    gst::Element::link_many([&streammux, &pgie, &tracker, &sgie1, &sgie2, &tiler, &nvvideoconvert, &nvosd])
        .context("linking streammux, pgie, tracker, sgies, tiler, convertor and OSD")?;
    nvosd.link(&sink).context("linking the OSD to the sink")?;

    // Frames that reached the tiler, per source (for the summary)
    let tiler_sink = tiler.static_pad("sink").context("tiler without a sink pad")?;
    tiler_sink.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(batch) = info.buffer().and_then(|b| BatchMeta::from_buffer(b)) {
            let g = *generation.lock().unwrap_or_else(|e| e.into_inner());
            let mut m = at_tiler.lock().unwrap_or_else(|e| e.into_inner());
            for f in batch.frames() {
                let gen_of = g.get(f.source_id() as usize).copied().unwrap_or(0);
                *m.entry((f.source_id(), gen_of)).or_default() += 1;
            }
        }
        gst::PadProbeReturn::Ok
    });

    let main_loop = glib::MainLoop::new(None, false);
    pipeline.set_state(gst::State::Paused).context("the pipeline could not pause")?;
    // List the sources
    println!("Now playing...");
    println!("0 :  {}", args.uri[0]);
    println!("Starting pipeline \n");
    let _ = pipeline.set_state(gst::State::Playing);
    let (res, state, pending) = pipeline.state(gst::ClockTime::from_seconds(30));
    println!("Current state {state:?}, pending state {pending:?}, status {res:?}");
    if state == gst::State::Playing && pending == gst::State::VoidPending {
        let s = sources.clone();
        let l = main_loop.clone();
        glib::timeout_add_local(period, move || {
            let more = add_sources(&mut s.borrow_mut());
            if more {
                return glib::ControlFlow::Continue;
            }
            let (s, l) = (s.clone(), l.clone());
            glib::timeout_add_local(period, move || {
                if delete_sources(&mut s.borrow_mut(), &l) { glib::ControlFlow::Continue } else { glib::ControlFlow::Break }
            });
            glib::ControlFlow::Break
        });
    } else {
        println!("Pipeline is not in playing state to add sources");
    }

    // bus_call of the sample: stream-eos messages; and a failing source is removed
    let s = sources.clone();
    let on_message = move |msg: &gst::Message| -> bool {
        match msg.view() {
            gst::MessageView::Element(e) => {
                if let Some(st) = e.structure()
                    && st.name() == "stream-eos"
                    && let Ok(stream_id) = st.get::<u32>("stream-id")
                {
                    if (stream_id as usize) >= MAX_NUM_SOURCES {
                        return true; // the end-of-run pad of all_sources_stopped
                    }
                    println!("Got EOS from stream {stream_id}");
                    if let Some(flag) = s.borrow_mut().eos.get_mut(stream_id as usize) {
                        *flag = true;
                    }
                }
                false
            }
            gst::MessageView::Error(err) => {
                let Some((index, uri)) = msg.src().and_then(ds_app::source::source_of) else {
                    return false;
                };
                if index >= MAX_NUM_SOURCES || !s.borrow().enabled[index] {
                    return true; // already removed: a late message of that source
                }
                eprintln!("Error: source {index} ({uri}): {}: removing it; the other sources go on", err.error());
                let s = s.clone();
                glib::idle_add_local_once(move || {
                    let mut s = s.borrow_mut();
                    if s.enabled[index] {
                        s.stop_release_source(index);
                    }
                });
                true
            }
            _ => false,
        }
    };
    let sink_pad = sink.static_pad("sink").context("sink bin without a sink pad")?;
    let result = ds_app::bus::run_with(&pipeline, &[sink_pad], &main_loop, on_message);
    let mut s = sources.borrow_mut();
    // sources still in place (the run ended on their EOS): counted too
    for index in 0..MAX_NUM_SOURCES {
        if let Some(src) = s.bins[index].take() {
            let uri = src.bin.property::<Option<String>>("uri").unwrap_or_default();
            let generation = s.generation.lock().unwrap_or_else(|e| e.into_inner())[index];
            s.finished.push((index as u32, generation, uri, src.frames_out()));
        }
    }
    let reached = s.at_tiler.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for (index, generation, uri, given) in &s.finished {
        let at = reached.get(&(*index, *generation)).copied().unwrap_or(0);
        println!("Source {index} ({uri}): {given} frames given, {at} at the tiler");
    }
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    result
}
