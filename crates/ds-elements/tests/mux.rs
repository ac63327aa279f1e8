//! dsstreammux acceptance tests on the real clips (scripts/setup.sh fetches them).
#![allow(clippy::type_complexity)]
mod common;

use common::{clip, init, launch, run};
use ds_meta::BatchMeta;
use gst::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Frames counted into (per mux sink pad) and out of (per source, from the batch meta) a muxer.
#[derive(Default, Debug)]
struct Tally {
    inn: BTreeMap<u32, usize>,
    out: BTreeMap<u32, usize>,
    frame_nums: BTreeMap<u32, Vec<i32>>,
    source_sizes: BTreeMap<u32, (u32, u32)>,
    batch_sizes: Vec<usize>,
    problems: Vec<String>,
}

fn count_in(pad: &gst::Pad, t: &Arc<Mutex<Tally>>) {
    let idx: u32 = pad.name().trim_start_matches("sink_").parse().unwrap();
    let t = t.clone();
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        *t.lock().unwrap().inn.entry(idx).or_default() += 1;
        gst::PadProbeReturn::Ok
    });
}

fn tally(mux: &gst::Element, w: u32, h: u32) -> Arc<Mutex<Tally>> {
    let t = Arc::new(Mutex::new(Tally::default()));
    for pad in mux.sink_pads() {
        count_in(&pad, &t);
    }
    let t2 = t.clone();
    mux.static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let Some(buf) = info.buffer() else {
                return gst::PadProbeReturn::Ok;
            };
            let mut t = t2.lock().unwrap();
            let Some(bm) = BatchMeta::from_buffer(buf) else {
                t.problems.push("batch without NvDsBatchMeta".into());
                return gst::PadProbeReturn::Ok;
            };
            if bm.num_frames_in_batch() as usize != buf.n_memory() {
                t.problems.push(format!(
                    "{} frame metas for {} memories",
                    bm.num_frames_in_batch(),
                    buf.n_memory()
                ));
            }
            t.batch_sizes.push(buf.n_memory());
            for (i, f) in bm.frames().enumerate() {
                if f.batch_id() as usize != i || buf.peek_memory(i).size() != (w * h * 4) as usize {
                    t.problems.push(format!(
                        "frame {i}: batch_id {} memory size {}",
                        f.batch_id(),
                        buf.peek_memory(i).size()
                    ));
                }
                if f.pad_index() != f.source_id()
                    || f.pipeline_width() != w
                    || f.pipeline_height() != h
                {
                    t.problems.push(format!(
                        "frame {i}: pad_index {} source_id {} pipeline {}x{}",
                        f.pad_index(),
                        f.source_id(),
                        f.pipeline_width(),
                        f.pipeline_height()
                    ));
                }
                if f.ntp_timestamp() == 0 {
                    t.problems.push("ntp_timestamp not set".into());
                }
                *t.out.entry(f.source_id()).or_default() += 1;
                t.frame_nums
                    .entry(f.source_id())
                    .or_default()
                    .push(f.frame_num());
                t.source_sizes.insert(
                    f.source_id(),
                    (f.source_frame_width(), f.source_frame_height()),
                );
            }
            gst::PadProbeReturn::Ok
        });
    t
}

/// Checks frames in == frames out per source and frame_num = 0, 1, 2 ... per source.
fn check(t: &Tally, expected_sources: usize) {
    eprintln!(
        "in {:?} out {:?} batches {} (sizes seen {:?})",
        t.inn,
        t.out,
        t.batch_sizes.len(),
        {
            let mut s: Vec<usize> = t.batch_sizes.clone();
            s.sort();
            s.dedup();
            s
        }
    );
    assert!(
        t.problems.is_empty(),
        "{:?}",
        &t.problems[..t.problems.len().min(5)]
    );
    assert_eq!(t.inn.len(), expected_sources, "{t:?}");
    assert_eq!(t.inn, t.out, "frames in != frames out");
    for (src, nums) in &t.frame_nums {
        let want: Vec<i32> = (0..nums.len() as i32).collect();
        assert_eq!(nums, &want, "frame_num of source {src}");
    }
}

fn h264(name: &str, max: i32) -> String {
    format!(
        "filesrc location={} ! h264parse ! avdec_h264 ! identity eos-after={max}",
        clip(name)
    )
}

fn mp4(name: &str, max: i32) -> String {
    format!(
        "filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! identity eos-after={max}",
        clip(name)
    )
}

fn mux_pipeline(batch: u32, w: u32, h: u32, sources: &[String], extra: &str) -> gst::Pipeline {
    let mut line = format!(
        "dsstreammux name=m batch-size={batch} width={w} height={h} batched-push-timeout=40000 {extra} ! fakesink name=out sync=false "
    );
    for (i, s) in sources.iter().enumerate() {
        line.push_str(&format!(" {s} ! m.sink_{i}"));
    }
    launch(&line)
}

#[test]
fn one_source() {
    init();
    let p = mux_pipeline(1, 1280, 720, &[h264("vtest-5s.h264", -1)], "");
    let t = tally(&p.by_name("m").unwrap(), 1280, 720);
    run(&p, Duration::from_secs(30)).unwrap();
    let t = t.lock().unwrap();
    check(&t, 1);
    assert_eq!(t.out[&0], 50);
    assert_eq!(t.source_sizes[&0], (768, 576));
    assert!(t.batch_sizes.iter().all(|n| *n == 1));
}

/// Without width/height (USE_NEW_NVSTREAMMUX=yes in the samples: the new nvstreammux does
/// not scale) the output takes the first input's size; properties go back to 0 at stop.
#[test]
fn no_width_and_height_keeps_the_input_size() {
    init();
    let p = launch(&format!(
        "dsstreammux name=m batch-size=1 batched-push-timeout=40000 ! fakesink sync=false {} ! m.sink_0",
        h264("vtest-5s.h264", -1)
    ));
    let mux = p.by_name("m").unwrap();
    let t = tally(&mux, 768, 576);
    run(&p, Duration::from_secs(30)).unwrap();
    let t = t.lock().unwrap();
    check(&t, 1);
    assert_eq!(t.out[&0], 50);
    assert_eq!((mux.property::<u32>("width"), mux.property::<u32>("height")), (0, 0));
}

#[test]
fn two_sources_of_different_sizes_and_rates() {
    init();
    let p = mux_pipeline(
        2,
        640,
        360,
        &[h264("vtest-5s.h264", -1), mp4("bikes.mp4", 80)],
        "",
    );
    let t = tally(&p.by_name("m").unwrap(), 640, 360);
    run(&p, Duration::from_secs(30)).unwrap();
    let t = t.lock().unwrap();
    check(&t, 2);
    assert_eq!(t.out[&0], 50);
    assert_eq!(t.source_sizes[&0], (768, 576));
    assert_eq!(t.source_sizes[&1], (640, 272));
}

#[test]
fn four_sources_of_different_sizes_and_rates() {
    init();
    let p = mux_pipeline(
        4,
        640,
        360,
        &[
            h264("vtest-5s.h264", -1),
            mp4("market.mp4", 40),
            mp4("bikes.mp4", 60),
            mp4("carphone_pristine.mp4", 70),
        ],
        "",
    );
    let t = tally(&p.by_name("m").unwrap(), 640, 360);
    run(&p, Duration::from_secs(60)).unwrap();
    let t = t.lock().unwrap();
    check(&t, 4);
    assert_eq!(t.out[&0], 50);
    // identity eos-after=40 lets the decoder drain a few more frames
    assert!((40..=44).contains(&t.out[&1]), "{}", t.out[&1]);
    assert_eq!(t.source_sizes[&0], (768, 576));
    assert_eq!(t.source_sizes[&1], (640, 360));
    assert_eq!(t.source_sizes[&2], (640, 272));
    assert_eq!(t.source_sizes[&3], (176, 144));
    assert!(t.batch_sizes.contains(&4));
}

#[test]
fn one_source_ends_early() {
    init();
    let p = mux_pipeline(
        2,
        640,
        360,
        &[h264("vtest-5s.h264", -1), h264("market.h264", 12)],
        "",
    );
    let t = tally(&p.by_name("m").unwrap(), 640, 360);
    // the muxer posts stream-eos for the source that ended
    let bus = p.bus().unwrap();
    let eos_ids = Arc::new(Mutex::new(Vec::new()));
    let ids = eos_ids.clone();
    bus.set_sync_handler(move |_, msg| {
        if let gst::MessageView::Element(e) = msg.view()
            && let Some(s) = e.structure().filter(|s| s.name() == "stream-eos")
        {
            ids.lock().unwrap().push(s.get::<u32>("stream-id").unwrap());
        }
        gst::BusSyncReply::Pass
    });
    run(&p, Duration::from_secs(30)).unwrap();
    let t = t.lock().unwrap();
    check(&t, 2);
    assert_eq!(t.out[&0], 50);
    assert!((12..=16).contains(&t.out[&1]), "{}", t.out[&1]);
    let mut ids = eos_ids.lock().unwrap().clone();
    assert_eq!(ids.first(), Some(&1), "source 1 ends first: {ids:?}");
    ids.sort();
    assert_eq!(ids, vec![0, 1]);
    // after source 1 ended, source 0 keeps going alone
    assert!(t.batch_sizes.iter().rev().take(30).all(|n| *n == 1));
}

#[test]
fn source_removed_and_added_at_runtime() {
    init();
    // both sources paced at real time (identity sync=true) so that source 1 is removed mid-stream
    let p = launch(&format!(
        "dsstreammux name=m batch-size=2 width=640 height=360 batched-push-timeout=40000 ! fakesink sync=false \
         {} ! identity sync=true ! m.sink_0 \
         bin.( name=src1 {} ! identity sync=true name=pace1 )",
        h264("vtest-5s.h264", -1),
        h264("market.h264", -1)
    ));
    let mux = p.by_name("m").unwrap();
    let src1 = p.by_name("src1").unwrap().downcast::<gst::Bin>().unwrap();
    let pace1 = p.by_name("pace1").unwrap();
    let ghost = gst::GhostPad::with_target(&pace1.static_pad("src").unwrap()).unwrap();
    src1.add_pad(&ghost).unwrap();
    let sink1 = mux.request_pad_simple("sink_1").unwrap();
    ghost.link(&sink1).unwrap();
    let t = tally(&mux, 640, 360);

    let bus = p.bus().unwrap();
    p.set_state(gst::State::Playing).unwrap();
    // wait until source 1 has sent 10 frames out of the muxer
    let deadline = Instant::now() + Duration::from_secs(20);
    while t.lock().unwrap().out.get(&1).copied().unwrap_or(0) < 10 {
        assert!(
            Instant::now() < deadline,
            "source 1 never reached 10 frames"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // what runtime_source_add_delete does: source to NULL, flush-stop, release the pad, remove
    src1.set_state(gst::State::Null).unwrap();
    sink1.send_event(gst::event::FlushStop::new(false));
    mux.release_request_pad(&sink1);
    p.remove(&src1).unwrap();
    let removed_at = t.lock().unwrap().out.get(&0).copied().unwrap_or(0);
    // and a new source added while PLAYING, on a new request pad (runtime_source_add_delete)
    let src2 = gst::parse::bin_from_description(&h264("market.h264", 40), true).unwrap();
    src2.set_property("name", "src2");
    p.add(&src2).unwrap();
    let sink2 = mux.request_pad_simple("sink_2").unwrap();
    count_in(&sink2, &t);
    src2.static_pad("src").unwrap().link(&sink2).unwrap();
    src2.sync_state_with_parent().unwrap();

    let res = common::wait_eos(&bus, Duration::from_secs(30));
    p.set_state(gst::State::Null).unwrap();
    res.unwrap();
    let t = t.lock().unwrap();
    eprintln!(
        "source 1 removed (and source 2 added) after source 0 had {removed_at} frames out; in {:?} out {:?}",
        t.inn, t.out
    );
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    // source 0 lost nothing and went on to its end
    assert_eq!(t.inn[&0], 50);
    assert_eq!(t.out[&0], 50);
    // source 1: at most the frames queued in its pad at release were dropped
    let (i1, o1) = (t.inn[&1], t.out[&1]);
    assert!(
        o1 >= 10 && o1 <= i1 && i1 - o1 <= 2,
        "source 1 in {i1} out {o1}"
    );
    let nums = &t.frame_nums[&0];
    assert_eq!(nums, &(0..50).collect::<Vec<i32>>());
    // the source added at runtime: every frame in came out, numbered from 0
    assert!(t.inn[&2] >= 40);
    assert_eq!(t.inn[&2], t.out[&2]);
    assert_eq!(
        t.frame_nums[&2],
        (0..t.out[&2] as i32).collect::<Vec<i32>>()
    );
}

#[test]
fn live_source() {
    init();
    // A live source made of a real clip: decoded at real time into an appsrc(is-live=true).
    let feeder = launch(&format!(
        "{} ! videoconvert ! video/x-raw,format=I420 ! appsink name=a sync=true",
        h264("vtest-5s.h264", 20)
    ));
    let appsink = feeder
        .by_name("a")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    let p = launch(
        "appsrc name=live is-live=true do-timestamp=true format=time ! queue ! m.sink_0 \
         dsstreammux name=m batch-size=2 width=640 height=360 live-source=true batched-push-timeout=40000 ! fakesink name=out sync=true",
    );
    let appsrc = p
        .by_name("live")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    let mux = p.by_name("m").unwrap();
    assert!(p.by_name("m").unwrap().property::<bool>("live-source"));
    let t = tally(&mux, 640, 360);
    let appsrc2 = appsrc.clone();
    appsink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if appsrc2.caps().is_none() {
                    appsrc2.set_caps(sample.caps().map(|c| c.to_owned()).as_ref());
                }
                let mut buf = sample.buffer_owned().ok_or(gst::FlowError::Error)?;
                {
                    let b = buf.make_mut();
                    b.set_pts(gst::ClockTime::NONE);
                    b.set_dts(gst::ClockTime::NONE);
                }
                appsrc2.push_buffer(buf).map(|_| gst::FlowSuccess::Ok)
            })
            .eos(move |_| {
                let _ = appsrc.end_of_stream();
            })
            .build(),
    );
    let bus = p.bus().unwrap();
    p.set_state(gst::State::Playing).unwrap();
    feeder.set_state(gst::State::Playing).unwrap();
    // the muxer answers latency as a live element
    let mut q = gst::query::Latency::new();
    assert!(mux.static_pad("src").unwrap().query(&mut q));
    assert!(q.result().0);
    let start = Instant::now();
    let res = common::wait_eos(&bus, Duration::from_secs(30));
    feeder.set_state(gst::State::Null).unwrap();
    p.set_state(gst::State::Null).unwrap();
    res.unwrap();
    let t = t.lock().unwrap();
    check(&t, 1);
    assert!((20..=24).contains(&t.out[&0]), "{}", t.out[&0]);
    // one live source with batch-size 2: each batch went out with one frame (all pads had
    // data), at the clip's pace (10 fps): 20 frames take about 2 s
    assert!(t.batch_sizes.iter().all(|n| *n == 1));
    assert!(
        start.elapsed() > Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn enable_padding_keeps_the_aspect_ratio() {
    init();
    // 768x576 (4:3) into 640x360: scaled to 480x360, centred, black bands of 80 pixels;
    // 640x272 into 640x360: 640x272, black bands of 44 rows
    let p = launch(&format!(
        "{} ! m.sink_0 {} ! m.sink_1 dsstreammux name=m batch-size=2 width=640 height=360 enable-padding=true ! \
         appsink name=out sync=false",
        h264("vtest-5s.h264", 3),
        mp4("bikes.mp4", 3)
    ));
    let sink = p
        .by_name("out")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    let frames: Arc<Mutex<Vec<(u32, Vec<u8>)>>> = Arc::default();
    let f2 = frames.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let buf = sample.buffer().unwrap();
                let bm = BatchMeta::from_buffer(buf).unwrap();
                for f in bm.frames() {
                    let m = buf
                        .peek_memory(f.batch_id() as usize)
                        .map_readable()
                        .unwrap();
                    f2.lock().unwrap().push((f.source_id(), m.to_vec()));
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    run(&p, Duration::from_secs(30)).unwrap();
    let frames = frames.lock().unwrap();
    let black =
        |d: &[u8], x: usize, y: usize| d[(y * 640 + x) * 4..(y * 640 + x) * 4 + 3] == [0, 0, 0];
    let mut checked = [0, 0];
    for (src, d) in frames.iter() {
        if *src == 0 {
            for y in (0..360).step_by(7) {
                assert!(
                    black(d, 0, y) && black(d, 79, y) && black(d, 560, y) && black(d, 639, y),
                    "row {y}"
                );
            }
            assert!((0..360).any(|y| !black(d, 320, y)));
        } else {
            for x in (0..640).step_by(7) {
                assert!(
                    black(d, x, 0) && black(d, x, 43) && black(d, x, 316) && black(d, x, 359),
                    "column {x}"
                );
            }
            assert!((0..640).any(|x| !black(d, x, 180)));
        }
        checked[*src as usize] += 1;
    }
    assert!(checked[0] >= 3 && checked[1] >= 3, "{checked:?}");
}

#[test]
fn sync_inputs_paces_the_sources_at_their_timestamps() {
    init();
    // decoded as fast as possible, but sync-inputs holds each frame until its running time:
    // 12 frames at 10 fps take about 1.1 s
    let p = mux_pipeline(
        1,
        320,
        240,
        &[h264("vtest-5s.h264", 10)],
        "sync-inputs=true",
    );
    let t = tally(&p.by_name("m").unwrap(), 320, 240);
    let start = Instant::now();
    run(&p, Duration::from_secs(30)).unwrap();
    let elapsed = start.elapsed();
    let t = t.lock().unwrap();
    check(&t, 1);
    assert!(elapsed > Duration::from_millis(900), "{elapsed:?}");
}

#[test]
fn batched_push_timeout_sends_partial_batches() {
    init();
    // source 1 is linked but sends nothing until source 0 has ended: every batch goes out on
    // the 40 ms timeout with source 0's frame alone
    let p = launch(&format!(
        "dsstreammux name=m batch-size=2 width=320 height=240 batched-push-timeout=40000 ! fakesink sync=false \
         {} ! m.sink_0 \
         appsrc name=idle format=time caps=video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! m.sink_1",
        h264("vtest-5s.h264", 20)
    ));
    let appsrc = p
        .by_name("idle")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    let t = tally(&p.by_name("m").unwrap(), 320, 240);
    p.bus().unwrap().set_sync_handler(move |_, msg| {
        if let gst::MessageView::Element(e) = msg.view()
            && e.structure()
                .is_some_and(|s| s.name() == "stream-eos" && s.get::<u32>("stream-id") == Ok(0))
        {
            let _ = appsrc.end_of_stream();
        }
        gst::BusSyncReply::Pass
    });
    let start = Instant::now();
    run(&p, Duration::from_secs(30)).unwrap();
    let elapsed = start.elapsed();
    let t = t.lock().unwrap();
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    let n = t.out[&0];
    assert_eq!(t.inn.get(&0), Some(&n));
    assert!(!t.out.contains_key(&1));
    assert!(t.batch_sizes.iter().all(|b| *b == 1));
    // each batch waited for the timeout, but for the (at most 2) frames still queued when
    // the sources reached EOS: those go out at once, as with nvstreammux
    assert!(
        elapsed >= Duration::from_millis(40 * (n as u64 - 2)),
        "{n} batches in {elapsed:?}"
    );
    eprintln!("{n} one-frame batches in {elapsed:?}");
}

#[test]
fn flushing_seek_restarts_the_sources() {
    init();
    let p = launch(&format!(
        "dsstreammux name=m batch-size=2 width=320 height=240 batched-push-timeout=40000 ! fakesink sync=false \
         {} ! identity sleep-time=15000 ! m.sink_0 {} ! identity sleep-time=15000 ! m.sink_1",
        h264("vtest-5s.h264", -1),
        h264("vtest-5s.h264", -1)
    ));
    let t = tally(&p.by_name("m").unwrap(), 320, 240);
    let bus = p.bus().unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    // both sources 8 frames in before the seek (one may start late on a loaded machine)
    while [0, 1].iter().any(|s| t.lock().unwrap().out.get(s).copied().unwrap_or(0) < 8) {
        assert!(Instant::now() < deadline, "no frames");
        std::thread::sleep(Duration::from_millis(10));
    }
    p.seek_simple(
        gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT,
        gst::ClockTime::ZERO,
    )
    .expect("seek");
    let res = common::wait_eos(&bus, Duration::from_secs(30));
    p.set_state(gst::State::Null).unwrap();
    res.unwrap();
    let t = t.lock().unwrap();
    eprintln!("after a seek back to 0: in {:?} out {:?}", t.inn, t.out);
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    // both sources played again from the start: more than one pass of frames came out
    for s in [0, 1] {
        assert!(t.out[&s] >= 58, "source {s}: {}", t.out[&s]);
        assert!(
            t.inn[&s] - t.out[&s] <= 2 * 2,
            "source {s}: in {} out {}",
            t.inn[&s],
            t.out[&s]
        );
    }
}
