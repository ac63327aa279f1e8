//! Muxer logic on synthetic sources (the acceptance tests on real clips are in mux.rs).
mod common;

use gst::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn two_testsrcs_all_frames_out() {
    common::init();
    let p = common::launch(
        "dsstreammux name=m batch-size=2 width=320 height=240 ! appsink name=out sync=false \
         videotestsrc num-buffers=30 ! video/x-raw,width=640,height=480,framerate=30/1 ! m.sink_0 \
         videotestsrc num-buffers=20 ! video/x-raw,format=NV12,width=176,height=144,framerate=10/1 ! m.sink_1",
    );
    let sink = p
        .by_name("out")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    let frames = Arc::new(Mutex::new((0usize, 0usize)));
    let f2 = frames.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let buf = sample.buffer().unwrap();
                let caps = sample.caps().unwrap();
                assert!(
                    caps.features(0).unwrap().contains("memory:DsBatch"),
                    "{caps}"
                );
                for m in buf.iter_memories() {
                    assert_eq!(m.size(), 320 * 240 * 4);
                }
                let mut g = f2.lock().unwrap();
                g.0 += buf.n_memory();
                g.1 += 1;
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    common::run(&p, Duration::from_secs(20)).unwrap();
    let g = frames.lock().unwrap();
    assert_eq!(g.0, 50);
    assert_eq!(g.1, 30);
}

#[test]
fn batch_to_plain_element_fails_negotiation() {
    common::init();
    // A plain element's template does not intersect the batch caps: linking fails.
    let mux = gst::ElementFactory::make("dsstreammux").build().unwrap();
    let enc = gst::ElementFactory::make("jpegenc").build().unwrap();
    let p = gst::Pipeline::new();
    p.add_many([&mux, &enc]).unwrap();
    assert!(mux.link(&enc).is_err());

    // Forced past the link check (as a ghost pad or a late link would be), it fails at
    // negotiation with the muxer's message.
    let p = common::launch(
        "videotestsrc num-buffers=5 ! m.sink_0 dsstreammux name=m batch-size=1 width=320 height=240 \
         videoconvert name=vc ! video/x-raw,format=I420 ! fakesink",
    );
    let m = p.by_name("m").unwrap();
    let vc = p.by_name("vc").unwrap();
    m.static_pad("src")
        .unwrap()
        .link_full(&vc.static_pad("sink").unwrap(), gst::PadLinkCheck::empty())
        .unwrap();
    let err = common::run(&p, std::time::Duration::from_secs(10)).unwrap_err();
    assert!(
        err.contains("does not accept the batch caps video/x-raw(memory:DsBatch)"),
        "{err}"
    );
    assert!(err.contains("pad src"), "{err}");
}

#[test]
fn dsvideoconvert_batch_to_plain() {
    common::init();
    let p = common::launch(
        "videotestsrc num-buffers=5 ! m.sink_0 dsstreammux name=m batch-size=1 width=320 height=240 ! dsvideoconvert ! video/x-raw,format=I420 ! videoconvert ! fakesink",
    );
    common::run(&p, std::time::Duration::from_secs(10)).unwrap();
}

fn count_sink(p: &gst::Pipeline, name: &str) -> Arc<Mutex<usize>> {
    let sink = p
        .by_name(name)
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    let n = Arc::new(Mutex::new(0usize));
    let n2 = n.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let _ = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                *n2.lock().unwrap() += 1;
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    n
}

#[test]
fn demux_and_tiler_on_testsrcs() {
    common::init();
    let p = common::launch(
        "dsstreammux name=m batch-size=2 width=320 height=240 ! tee name=t \
         t. ! queue ! dsstreamdemux name=d \
         t. ! queue ! dstiler rows=1 columns=2 width=640 height=240 ! dsvideoconvert ! video/x-raw,format=I420 ! appsink name=tiled sync=false \
         d.src_0 ! queue ! dsvideoconvert ! video/x-raw,format=RGBA ! appsink name=o0 sync=false \
         d.src_1 ! queue ! appsink name=o1 sync=false \
         videotestsrc num-buffers=30 ! video/x-raw,width=640,height=480 ! m.sink_0 \
         videotestsrc num-buffers=20 ! video/x-raw,width=176,height=144 ! m.sink_1",
    );
    let t = count_sink(&p, "tiled");
    let o0 = count_sink(&p, "o0");
    let o1 = count_sink(&p, "o1");
    common::run(&p, Duration::from_secs(20)).unwrap();
    assert_eq!(*o0.lock().unwrap(), 30);
    assert_eq!(*o1.lock().unwrap(), 20);
    assert_eq!(*t.lock().unwrap(), 30);
}

/// nvmultistreamtiler's cache of old frames: a source with a lower frame rate than the other
/// keeps its last picture in its tile while batches lack it (no flicker to black), and its
/// tile goes black once it reaches EOS.
#[test]
fn tiler_keeps_a_slower_source_in_its_tile_until_its_eos() {
    common::init();
    // live sources: source 0 (red) at 30 fps for 1 s, source 1 (green) at 5 fps for 3 frames;
    // the muxer's timeout sends batches without source 1 between its frames
    let p = common::launch(
        "dsstreammux name=m batch-size=2 width=64 height=48 live-source=true batched-push-timeout=40000 ! \
         dstiler rows=1 columns=2 width=128 height=48 ! video/x-raw,format=RGBA ! appsink name=tiled sync=false \
         videotestsrc is-live=true num-buffers=30 pattern=solid-color foreground-color=0xffff0000 ! \
           video/x-raw,width=64,height=48,framerate=30/1 ! m.sink_0 \
         videotestsrc is-live=true num-buffers=3 pattern=solid-color foreground-color=0xff00ff00 ! \
           video/x-raw,width=64,height=48,framerate=5/1 ! m.sink_1",
    );
    // per output frame: the right tile's centre pixel, 'G' (green), 'B' (black) or '?'
    let tiles = Arc::new(Mutex::new(String::new()));
    let t2 = tiles.clone();
    let sink = p
        .by_name("tiled")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let map = sample.buffer().unwrap().map_readable().unwrap();
                let px = &map[(24 * 128 + 96) * 4..][..4];
                t2.lock().unwrap().push(match px {
                    [r, g, b, _] if *g > 200 && *r < 50 && *b < 50 => 'G',
                    [r, g, b, _] if *r < 10 && *g < 10 && *b < 10 => 'B',
                    _ => '?',
                });
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    common::run(&p, Duration::from_secs(20)).unwrap();
    let tiles = tiles.lock().unwrap().clone();
    // black until source 1's first frame, green until its EOS, black after it: never back
    let runs: Vec<char> = tiles.chars().fold(Vec::new(), |mut v, c| {
        if v.last() != Some(&c) {
            v.push(c);
        }
        v
    });
    assert!(
        runs == ['G', 'B'] || runs == ['B', 'G', 'B'],
        "the right tile, frame by frame (G green, B black): {tiles}"
    );
    assert!(
        tiles.matches('G').count() >= 5,
        "source 1 shown in most batches before its EOS: {tiles}"
    );
}
