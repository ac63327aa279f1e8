//! Soak test of sources added and removed while PLAYING (`scripts/soak.sh` runs it; CI runs a
//! short run as a test).
//!
//! Two looping sources stay for the whole run; each cycle adds a third source, waits until it
//! gave frames and the two others moved on, removes it, and checks that every frame it gave
//! reached the end of the pipeline (streammux → PGIE → tracker → fakesink, the real models of
//! runtime_source_add_delete's portable configs). Each cycle is bounded; a cycle over its
//! bound is a stall. Prints the resident memory every 100 cycles and a summary; exits 1 on a
//! stall, a lost frame or a pipeline error.
//!
//! ```sh
//! scripts/soak.sh 1000   # or: cargo run -p runtime_source_add_delete --bin rt_src_soak -- --cycles 1000
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;

use ds_app::dynamic::{add_source, stop_release_source};
use ds_meta::BatchMeta;

const APP: &str = "runtime_source_add_delete";

/// Add/remove cycles with two sources always present.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Add/remove cycles to run
    #[arg(long, default_value_t = 1000)]
    cycles: u32,
    /// Clip for the added source and the two looping ones (default streams/vtest-4s.mp4)
    #[arg(long)]
    uri: Option<String>,
    /// Bound of one cycle, in seconds (over it: a stall)
    #[arg(long, default_value_t = 30)]
    cycle_timeout: u64,
    /// Frames the added source gives before it is removed
    #[arg(long, default_value_t = 3)]
    frames: u64,
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

/// Resident memory of this process in KiB (`VmRSS` of /proc/self/status).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn check_bus(bus: &gst::Bus) -> anyhow::Result<()> {
    while let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error]) {
        if let gst::MessageView::Error(e) = msg.view() {
            bail!("pipeline error from {:?}: {} ({:?})", msg.src().map(|s| s.path_string()), e.error(), e.debug());
        }
    }
    Ok(())
}

fn wait_until(limit: Instant, bus: &gst::Bus, mut done: impl FnMut() -> bool) -> anyhow::Result<bool> {
    while Instant::now() < limit {
        if done() {
            return Ok(true);
        }
        check_bus(bus)?;
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(done())
}

fn run(args: Args) -> anyhow::Result<()> {
    let backend = ds_app::init(Some("portable"))?;
    let uri = match args.uri {
        Some(u) => ds_app::source::to_uri(&u),
        None => ds_app::source::to_uri(&ds_app::paths::stream("vtest-4s.mp4")?.to_string_lossy()),
    };
    let pipeline = gst::Pipeline::with_name("rt-src-soak");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    streammux.set_property("batch-size", 3u32);
    streammux.set_property("width", 640u32);
    streammux.set_property("height", 360u32);
    streammux.set_property("batched-push-timeout", 33000i32);
    let pgie = backend.make("nvinfer", "primary-inference")?;
    pgie.set_property("config-file-path", backend.config(APP, "dstest_pgie_config.txt")?.to_string_lossy().as_ref());
    pgie.set_property("batch-size", 3u32);
    let tracker = backend.make("nvtracker", "tracker")?;
    ds_app::tracker::configure_from_ini(&tracker, &backend.config(APP, "dstest_tracker_config.txt")?)?;
    let sink = backend.make("fakesink", "sink")?;
    sink.set_property("sync", false);
    pipeline.add_many([&streammux, &pgie, &tracker, &sink])?;
    gst::Element::link_many([&streammux, &pgie, &tracker, &sink]).context("linking")?;

    // two looping sources that stay
    for i in 0..2u32 {
        let src = backend.make("nvurisrcbin", &format!("loop-{i}"))?;
        src.set_property("uri", &uri);
        src.set_property("file-loop", true);
        pipeline.add(&src)?;
        let pad = streammux.request_pad_simple(&format!("sink_{i}")).context("mux pad")?;
        src.connect_pad_added(move |_, p| {
            if !pad.is_linked() {
                let _ = p.link(&pad);
            }
        });
    }
    // frames at the end, per source index
    let at_sink: Arc<Mutex<BTreeMap<u32, u64>>> = Arc::default();
    let counts = at_sink.clone();
    sink.static_pad("sink").context("fakesink pad")?.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(b) = info.buffer().and_then(|b| BatchMeta::from_buffer(b)) {
            let mut m = counts.lock().unwrap_or_else(|e| e.into_inner());
            for f in b.frames() {
                *m.entry(f.source_id()).or_default() += 1;
            }
        }
        gst::PadProbeReturn::Ok
    });
    let count = |i: u32| at_sink.lock().unwrap_or_else(|e| e.into_inner()).get(&i).copied().unwrap_or(0);
    let bus = pipeline.bus().context("bus")?;
    pipeline.set_state(gst::State::Playing).context("the pipeline could not start")?;

    let start = Instant::now();
    let bound = Duration::from_secs(args.cycle_timeout);
    let mut rss_at_100 = None;
    let mut rss_end = 0;
    let rss_start = rss_kib();
    println!("soak: {} cycles, uri {uri}, RSS at start {} MiB", args.cycles, rss_start / 1024);
    let mut result = (|| -> anyhow::Result<()> {
        for cycle in 1..=args.cycles {
            let limit = Instant::now() + bound;
            let before = (count(0), count(1), count(2));
            let src = add_source(&pipeline, &streammux, 2, &uri, false)?;
            let flowing = wait_until(limit, &bus, || src.frames_out() >= args.frames && count(0) > before.0 + 1 && count(1) > before.1 + 1)?;
            if !flowing {
                bail!("cycle {cycle}: stall: the added source gave {} frames, the others {} and {} more", src.frames_out(), count(0) - before.0, count(1) - before.1);
            }
            stop_release_source(&pipeline, &streammux, &src, false)?;
            let given = src.frames_out();
            if !wait_until(limit, &bus, || count(2) - before.2 >= given)? {
                bail!("cycle {cycle}: the removed source gave {given} frames, {} reached the end", count(2) - before.2);
            }
            if count(2) - before.2 != given {
                bail!("cycle {cycle}: {given} frames given, {} at the end", count(2) - before.2);
            }
            if cycle == 100 {
                rss_at_100 = Some(rss_kib());
            }
            if cycle == args.cycles {
                rss_end = rss_kib();
            }
            if cycle % 100 == 0 || cycle == args.cycles {
                println!("soak: cycle {cycle}: RSS {} MiB, {:.0} s", rss_kib() / 1024, start.elapsed().as_secs_f64());
            }
        }
        Ok(())
    })();
    if result.is_ok() {
        // the two looping sources still flow after the last cycle
        let before = (count(0), count(1));
        let limit = Instant::now() + bound;
        match wait_until(limit, &bus, || count(0) > before.0 && count(1) > before.1) {
            Ok(true) => {}
            Ok(false) => result = Err(anyhow::anyhow!("after the last cycle the looping sources stopped")),
            Err(e) => result = Err(e),
        }
    }
    let _ = pipeline.set_state(gst::State::Null);
    result?;
    let end = rss_end;
    println!("soak: {} cycles done in {:.0} s, no stall, no lost frame", args.cycles, start.elapsed().as_secs_f64());
    match rss_at_100 {
        Some(r100) => println!(
            "soak: RSS at cycle 100 {} KiB, at the last cycle {} KiB: growth {:.2} %",
            r100,
            end,
            (end as f64 - r100 as f64) * 100.0 / r100 as f64
        ),
        None => println!("soak: RSS at start {rss_start} KiB, at the last cycle {end} KiB"),
    }
    Ok(())
}
