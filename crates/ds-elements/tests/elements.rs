//! dsosd, dstiler, dsstreamdemux, dsvideoconvert and dsinfer in real pipelines on the real clips.
#![allow(clippy::type_complexity)]
mod common;

use common::{clip, init, launch, run};
use ds_meta::BatchMeta;
use gst::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

type Frames = Arc<Mutex<Vec<(gst::Buffer, gst::Caps)>>>;

/// Collects every buffer (with its caps) reaching appsink `name`.
fn collect(p: &gst::Pipeline, name: &str) -> Frames {
    let sink = p
        .by_name(name)
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    let v: Frames = Arc::default();
    let v2 = v.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let buf = sample.buffer_owned().ok_or(gst::FlowError::Error)?;
                let caps = sample.caps_owned().ok_or(gst::FlowError::Error)?;
                v2.lock().unwrap().push((buf, caps));
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    v
}

fn px(data: &[u8], w: u32, x: u32, y: u32) -> [u8; 4] {
    let o = ((y * w + x) * 4) as usize;
    [data[o], data[o + 1], data[o + 2], data[o + 3]]
}

fn set_text(
    t: &mut ds_meta::TextParams,
    text: &str,
    x: u32,
    y: u32,
    size: u32,
    color: [f64; 4],
    bg: Option<[f64; 4]>,
) {
    t.set_display_text(text).unwrap();
    t.set_x_offset(x);
    t.set_y_offset(y);
    let f = t.font_params_mut();
    f.set_font_name("Serif").unwrap();
    f.set_font_size(size);
    f.font_color_mut()
        .set(color[0], color[1], color[2], color[3]);
    if let Some(b) = bg {
        t.set_bg_enabled(true);
        t.text_bg_clr_mut().set(b[0], b[1], b[2], b[3]);
    }
}

/// Adds one object and one display meta of every kind to each frame, like an app's probe.
fn add_drawings(pad: &gst::Pad) {
    pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        let Some(buf) = info.buffer_mut() else {
            return gst::PadProbeReturn::Ok;
        };
        let buf = buf.make_mut();
        let bm = BatchMeta::from_buffer_mut(buf).expect("batch meta");
        for f in bm.frames_mut() {
            let s = f.source_id();
            {
                let o = f.add_obj_meta(None).unwrap();
                o.set_class_id(0);
                let r = o.rect_params_mut();
                (r.left, r.top, r.width, r.height) = (100.0 + 10.0 * s as f32, 80.0, 200.0, 120.0);
                r.border_width = 4;
                r.border_color.set(1.0, 0.0, 0.0, 1.0);
                set_text(
                    o.text_params_mut(),
                    "car",
                    100,
                    60,
                    11,
                    [1.0, 1.0, 1.0, 1.0],
                    Some([0.0, 0.0, 0.0, 1.0]),
                );
            }
            let d = f.add_display_meta().unwrap();
            let r = d.add_rect().unwrap();
            (r.left, r.top, r.width, r.height) = (400.0, 200.0, 80.0, 60.0);
            r.border_width = 0;
            r.has_bg_color = 1;
            r.bg_color.set(0.0, 0.0, 1.0, 1.0);
            let l = d.add_line().unwrap();
            (l.x1, l.y1, l.x2, l.y2, l.line_width) = (10, 300, 300, 300, 6);
            l.line_color.set(0.0, 1.0, 0.0, 1.0);
            let c = d.add_circle().unwrap();
            (c.xc, c.yc, c.radius, c.circle_width) = (520, 90, 30, 4);
            c.circle_color.set(1.0, 1.0, 0.0, 1.0);
            let a = d.add_arrow().unwrap();
            (a.x1, a.y1, a.x2, a.y2, a.arrow_width) = (350, 330, 600, 330, 4);
            a.arrow_head = ds_meta::sys::NvOSD_Arrow_Head_Direction::END_HEAD;
            a.arrow_color.set(1.0, 0.0, 1.0, 1.0);
            set_text(
                d.add_label().unwrap(),
                "Frame",
                20,
                20,
                20,
                [1.0, 1.0, 1.0, 1.0],
                Some([0.0, 0.0, 0.0, 1.0]),
            );
        }
        gst::PadProbeReturn::Ok
    });
}

#[test]
fn osd_draws_where_the_metadata_says() {
    init();
    let p = launch(&format!(
        "{} ! m.sink_0 dsstreammux name=m batch-size=1 width=640 height=360 ! dsosd name=osd ! \
         dsvideoconvert ! video/x-raw,format=RGBA ! appsink name=out sync=false",
        h264("vtest-5s.h264", 5)
    ));
    let osd = p.by_name("osd").unwrap();
    let sinkpad = osd.static_pad("sink").unwrap();
    add_drawings(&sinkpad);
    // the frames as they enter the OSD, to check untouched pixels
    let before: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let b2 = before.clone();
    sinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let buf = info.buffer().unwrap();
        b2.lock()
            .unwrap()
            .push(buf.peek_memory(0).map_readable().unwrap().to_vec());
        gst::PadProbeReturn::Ok
    });
    let out = collect(&p, "out");
    run(&p, Duration::from_secs(30)).unwrap();
    let out = out.lock().unwrap();
    let before = before.lock().unwrap();
    assert!(
        out.len() >= 5 && out.len() == before.len(),
        "{} frames",
        out.len()
    );
    for ((buf, caps), orig) in out.iter().zip(before.iter()) {
        assert!(!ds_elements::caps::is_batch(caps));
        let map = buf.map_readable().unwrap();
        let d = map.as_slice();
        let w = 640;
        let unchanged = |x, y| px(d, w, x, y) == px(orig, w, x, y);
        // object rect: 4-pixel red border inside (100, 80, 200, 120), no background
        for (x, y) in [(100, 80), (103, 150), (299, 199), (200, 83), (296, 120)] {
            assert_eq!(&px(d, w, x, y)[..3], &[255, 0, 0], "border at {x},{y}");
        }
        assert!(unchanged(200, 140) && unchanged(104, 150) && unchanged(99, 150));
        // display rect with a blue background, no border
        assert_eq!(&px(d, w, 440, 230)[..3], &[0, 0, 255]);
        assert!(unchanged(399, 230) && unchanged(481, 230));
        // 6-pixel green line at y = 300
        assert_eq!(&px(d, w, 150, 298)[..3], &[0, 255, 0]);
        assert_eq!(&px(d, w, 150, 302)[..3], &[0, 255, 0]);
        assert!(unchanged(150, 305));
        // yellow circle of radius 30 around (520, 90): on the ring, not inside
        assert_eq!(&px(d, w, 550, 90)[..3], &[255, 255, 0]);
        assert_eq!(&px(d, w, 520, 60)[..3], &[255, 255, 0]);
        assert!(unchanged(520, 90));
        // magenta arrow along y = 330, with a head wider than the shaft near its end
        assert_eq!(&px(d, w, 450, 330)[..3], &[255, 0, 255]);
        assert_eq!(&px(d, w, 590, 335)[..3], &[255, 0, 255]);
        assert!(unchanged(450, 336));
        // text "Frame" at (20, 20), 20 pt (26.7 px) white on black: a black box with white glyphs
        let (mut black, mut white) = (0, 0);
        for y in 20..46 {
            for x in 20..90 {
                match &px(d, w, x, y)[..3] {
                    [0, 0, 0] => black += 1,
                    [r, g, b] if *r > 200 && *g > 200 && *b > 200 => white += 1,
                    _ => {}
                }
            }
        }
        assert!(
            black > 600 && white > 150,
            "text box: {black} black, {white} white pixels"
        );
        assert!(unchanged(20, 56) && unchanged(150, 25));
        // the object's label "car" at (100, 60), 11 pt: its black box starts there
        assert_eq!(&px(d, w, 100, 61)[..3], &[0, 0, 0]);
    }
}

#[test]
fn osd_display_flags() {
    init();
    let p = launch(&format!(
        "{} ! m.sink_0 dsstreammux name=m batch-size=1 width=640 height=360 ! \
         dsosd name=osd display-bbox=false display-text=false process-mode=0 ! appsink name=out sync=false",
        h264("vtest-5s.h264", 3)
    ));
    let osd = p.by_name("osd").unwrap();
    let sinkpad = osd.static_pad("sink").unwrap();
    add_drawings(&sinkpad);
    let before: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let b2 = before.clone();
    sinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        b2.lock().unwrap().push(
            info.buffer()
                .unwrap()
                .peek_memory(0)
                .map_readable()
                .unwrap()
                .to_vec(),
        );
        gst::PadProbeReturn::Ok
    });
    let out = collect(&p, "out");
    run(&p, Duration::from_secs(30)).unwrap();
    let out = out.lock().unwrap();
    let before = before.lock().unwrap();
    let (buf, caps) = &out[0];
    assert!(ds_elements::caps::is_batch(caps));
    let map = buf.peek_memory(0).map_readable().unwrap();
    let d = map.as_slice();
    let orig = &before[0];
    // no boxes, no text; lines still drawn
    assert_eq!(px(d, 640, 100, 80), px(orig, 640, 100, 80));
    assert_eq!(px(d, 640, 440, 230), px(orig, 640, 440, 230));
    assert_eq!(px(d, 640, 30, 30), px(orig, 640, 30, 30));
    assert_eq!(&px(d, 640, 150, 300)[..3], &[0, 255, 0]);
}

#[test]
fn tiler_maps_frames_and_coordinates() {
    init();
    // two sources of different sizes, muxed at 640x360, tiled 2x1 into 960x360: tiles of
    // 480x360, so x scales by 0.75 and tile 1 starts at x = 480
    let p = launch(&format!(
        "{} ! m.sink_0 {} ! m.sink_1 \
         dsstreammux name=m batch-size=2 width=640 height=360 ! tee name=t \
         t. ! queue ! appsink name=batches sync=false \
         t. ! queue ! dstiler name=tiler rows=1 columns=2 width=960 height=360 ! dsosd name=osd display-text=false ! \
         dsvideoconvert ! video/x-raw,format=RGBA ! appsink name=tiled sync=false",
        h264("vtest-5s.h264", 8),
        mp4("carphone_pristine.mp4", 8)
    ));
    let tiler = p.by_name("tiler").unwrap();
    add_drawings(&tiler.static_pad("sink").unwrap());
    let seen: Arc<Mutex<Vec<(u32, u32, [f32; 4], (u32, u32), (u32, u32, u32))>>> = Arc::default();
    let s2 = seen.clone();
    tiler
        .static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let buf = info.buffer().unwrap();
            assert_eq!(buf.n_memory(), 1);
            let bm = BatchMeta::from_buffer(buf).expect("batch meta after the tiler");
            for f in bm.frames() {
                let o = f.objects().next().expect("object kept");
                let r = o.rect_params();
                let t = o.text_params();
                let d = f.display_metas().next().expect("display meta kept");
                let c = &d.circles()[0];
                s2.lock().unwrap().push((
                    f.source_id(),
                    f.batch_id(),
                    [r.left, r.top, r.width, r.height],
                    (t.x_offset(), t.y_offset()),
                    (c.xc, c.yc, c.radius),
                ));
            }
            gst::PadProbeReturn::Ok
        });
    let batches = collect(&p, "batches");
    let tiled = collect(&p, "tiled");
    run(&p, Duration::from_secs(30)).unwrap();
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    for (src, batch_id, rect, text, circle) in seen.iter() {
        assert_eq!(*batch_id, 0);
        let ox = 480.0 * *src as f32;
        let want = [(100.0 + 10.0 * *src as f32) * 0.75 + ox, 80.0, 150.0, 120.0];
        for k in 0..4 {
            assert!(
                (rect[k] - want[k]).abs() < 0.01,
                "source {src}: rect {rect:?} want {want:?}"
            );
        }
        assert_eq!(*text, ((100.0 * 0.75 + ox).round() as u32, 60));
        assert_eq!(*circle, ((520.0 * 0.75 + ox).round() as u32, 90, 23));
    }
    // pixels: the OSD drew each source's box inside its tile, and each tile shows its source
    let batches = batches.lock().unwrap();
    let tiled = tiled.lock().unwrap();
    let full: Vec<&gst::Buffer> = batches
        .iter()
        .map(|(b, _)| b)
        .filter(|b| b.n_memory() == 2)
        .collect();
    assert!(!full.is_empty());
    let (tb, _) = &tiled[0];
    let tm = tb.map_readable().unwrap();
    let d = tm.as_slice();
    assert_eq!(
        &px(d, 960, 75, 100)[..3],
        &[255, 0, 0],
        "source 0 box left border"
    );
    assert_eq!(
        &px(d, 960, 480 + 84, 100)[..3],
        &[255, 0, 0],
        "source 1 box left border"
    );
    // tile contents: the 0.75 x 1.0 downscale of each source frame (compare an untouched spot)
    let b0 = &batches[0].0;
    for (k, ox) in [(0usize, 0u32), (1, 480)] {
        let m = b0.peek_memory(k).map_readable().unwrap();
        let (sx, sy) = (40u32, 340u32);
        let want = px(m.as_slice(), 640, (sx as f32 / 0.75) as u32, sy);
        let got = px(d, 960, ox + sx, sy);
        let diff: i32 = (0..3).map(|c| (want[c] as i32 - got[c] as i32).abs()).sum();
        assert!(diff < 60, "tile {k}: {got:?} vs source {want:?}");
    }
}

#[test]
fn demux_returns_each_source_intact() {
    init();
    let p = launch(&format!(
        "{} ! m.sink_0 {} ! m.sink_1 {} ! m.sink_2 \
         dsstreammux name=m batch-size=3 width=640 height=360 ! dsstreamdemux name=d \
         d.src_0 ! queue ! appsink name=o0 sync=false \
         d.src_1 ! queue ! appsink name=o1 sync=false \
         d.src_2 ! queue ! dsvideoconvert ! video/x-raw,format=RGBA ! appsink name=o2 sync=false",
        h264("vtest-5s.h264", -1),
        mp4("carphone_pristine.mp4", 30),
        mp4("bikes.mp4", 20)
    ));
    // what went into the demuxer, per source: frame_num -> (pixels, buf_pts)
    type Seen = BTreeMap<u32, BTreeMap<i32, (Vec<u8>, u64)>>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let s2 = seen.clone();
    p.by_name("d")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let buf = info.buffer().unwrap();
            let bm = BatchMeta::from_buffer(buf).unwrap();
            for f in bm.frames() {
                let px = buf
                    .peek_memory(f.batch_id() as usize)
                    .map_readable()
                    .unwrap()
                    .to_vec();
                s2.lock()
                    .unwrap()
                    .entry(f.source_id())
                    .or_default()
                    .insert(f.frame_num(), (px, f.buf_pts()));
            }
            gst::PadProbeReturn::Ok
        });
    let outs: Vec<Frames> = (0..3).map(|i| collect(&p, &format!("o{i}"))).collect();
    run(&p, Duration::from_secs(30)).unwrap();
    let seen = seen.lock().unwrap();
    for (src, out) in outs.iter().enumerate() {
        let out = out.lock().unwrap();
        let inn = &seen[&(src as u32)];
        eprintln!(
            "source {src}: {} frames into the demuxer, {} out of src_{src}",
            inn.len(),
            out.len()
        );
        assert_eq!(out.len(), inn.len());
        for (n, (buf, caps)) in out.iter().enumerate() {
            assert_eq!(caps::is_batch(caps), src != 2, "{caps}");
            let bm = BatchMeta::from_buffer(buf).expect("frame meta travels with the frame");
            assert_eq!(bm.num_frames_in_batch(), 1);
            let f = bm.frames().next().unwrap();
            assert_eq!(
                (f.source_id(), f.frame_num(), f.batch_id()),
                (src as u32, n as i32, 0)
            );
            assert_eq!(f.objects().count(), 0);
            let (pixels, pts) = &inn[&(n as i32)];
            assert_eq!(buf.pts().map(|t| t.nseconds()), Some(*pts));
            let m = buf.map_readable().unwrap();
            assert!(
                m.as_slice() == pixels.as_slice(),
                "source {src} frame {n} pixels differ"
            );
        }
    }
    assert_eq!(seen[&0].len(), 50);
}

use ds_elements::caps;

#[test]
fn videoconvert_plain_to_batch_and_back() {
    init();
    // a source that is not muxed: plain I420 -> one-frame batch with batch meta -> OSD -> I420
    let p = launch(&format!(
        "{} ! dsvideoconvert ! video/x-raw(memory:DsBatch),format=RGBA ! dsosd name=osd ! \
         dsvideoconvert ! video/x-raw,format=I420,width=384,height=288 ! appsink name=out sync=false",
        h264("vtest-5s.h264", 4)
    ));
    let osd = p.by_name("osd").unwrap();
    let metas: Arc<Mutex<Vec<(u32, i32, u32, u32)>>> = Arc::default();
    let m2 = metas.clone();
    osd.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let buf = info.buffer().unwrap();
            let bm = BatchMeta::from_buffer(buf).expect("plain -> batch adds a batch meta");
            let f = bm.frames().next().unwrap();
            m2.lock().unwrap().push((
                f.source_id(),
                f.frame_num(),
                f.source_frame_width(),
                f.pipeline_width(),
            ));
            gst::PadProbeReturn::Ok
        });
    let out = collect(&p, "out");
    run(&p, Duration::from_secs(30)).unwrap();
    let out = out.lock().unwrap();
    assert!(out.len() >= 4);
    let info = gst_video::VideoInfo::from_caps(&out[0].1).unwrap();
    assert_eq!(
        (info.format(), info.width(), info.height()),
        (gst_video::VideoFormat::I420, 384, 288)
    );
    let metas = metas.lock().unwrap();
    assert_eq!(metas[0], (0, 0, 768, 768));
    assert_eq!(metas[1].1, 1);
}

#[test]
fn videoconvert_refuses_a_batch_of_several_frames() {
    init();
    let p = launch(&format!(
        "{} ! m.sink_0 {} ! m.sink_1 dsstreammux name=m batch-size=2 width=320 height=240 ! \
         dsvideoconvert ! video/x-raw,format=I420 ! fakesink",
        h264("vtest-5s.h264", 5),
        h264("vtest-5s.h264", 5)
    ));
    let err = run(&p, Duration::from_secs(30)).unwrap_err();
    assert!(
        err.contains("put dstiler or dsstreamdemux before dsvideoconvert"),
        "{err}"
    );
}

#[test]
fn infer_adds_objects_with_nvinfer_defaults() {
    init();
    let config = common::root().join("crates/ds-elements/tests/data/yolov3-tiny_pgie.txt");
    let p = launch(&format!(
        "{} ! m.sink_0 dsstreammux name=m batch-size=1 width=640 height=360 ! \
         dsinfer name=infer config-file-path={} interval=1 ! fakesink name=out",
        mp4("market.mp4", 6),
        config.display()
    ));
    let infer = p.by_name("infer").unwrap();
    // read back from the config file, as nvinfer does
    assert_eq!(infer.property::<u32>("batch-size"), 1);
    assert_eq!(infer.property::<u32>("unique-id"), 1);
    assert_eq!(infer.property::<u32>("interval"), 1);
    let found: Arc<Mutex<Vec<(i32, usize)>>> = Arc::default();
    let f2 = found.clone();
    infer
        .static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let buf = info.buffer().unwrap();
            let bm = BatchMeta::from_buffer(buf).unwrap();
            for f in bm.frames() {
                f2.lock()
                    .unwrap()
                    .push((f.frame_num(), f.objects().count()));
                for o in f.objects() {
                    assert_eq!(o.unique_component_id(), 1);
                    assert_eq!(o.object_id(), ds_meta::sys::UNTRACKED_OBJECT_ID);
                    assert!(o.confidence() >= 0.3 && o.confidence() <= 1.0);
                    let r = o.rect_params();
                    assert_eq!(r.border_width, 3);
                    let want = if o.class_id() == 2 {
                        [0.0, 1.0, 0.0, 1.0]
                    } else {
                        [1.0, 0.0, 0.0, 1.0]
                    };
                    assert_eq!(
                        [
                            r.border_color.red,
                            r.border_color.green,
                            r.border_color.blue,
                            r.border_color.alpha
                        ],
                        want
                    );
                    assert!(
                        r.left >= 0.0
                            && r.top >= 0.0
                            && r.left + r.width <= 640.5
                            && r.top + r.height <= 360.5
                    );
                    assert!(!o.obj_label().is_empty());
                    let t = o.text_params();
                    assert_eq!(t.display_text(), o.obj_label());
                    assert_eq!(t.x_offset(), r.left as u32);
                    assert_eq!(t.y_offset(), (r.top - 10.0).max(0.0) as u32);
                    assert_eq!(t.font_params().font_name(), "Serif");
                    assert_eq!(t.font_params().font_size(), 11);
                    assert!(t.bg_enabled());
                }
            }
            gst::PadProbeReturn::Ok
        });
    run(&p, Duration::from_secs(60)).unwrap();
    let found = found.lock().unwrap();
    eprintln!("frame_num, objects: {found:?}");
    // interval=1: infer on frames 0, 2, 4 ...; the market scene has people and cars
    assert!(
        found
            .iter()
            .filter(|(n, _)| n % 2 == 0)
            .all(|(_, k)| *k > 0),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .filter(|(n, _)| n % 2 == 1)
            .all(|(_, k)| *k == 0),
        "{found:?}"
    );
}

#[test]
fn infer_attaches_tensor_meta_when_asked() {
    init();
    let config = common::root().join("crates/ds-elements/tests/data/yolov3-tiny_pgie.txt");
    let p = launch(&format!(
        "{} ! m.sink_0 dsstreammux name=m batch-size=1 width=640 height=360 ! \
         dsinfer name=infer config-file-path={} output-tensor-meta=true ! fakesink",
        h264("vtest-5s.h264", 2),
        config.display()
    ));
    let infer = p.by_name("infer").unwrap();
    let layers: Arc<Mutex<Vec<(u32, String, Vec<u32>, usize)>>> = Arc::default();
    let l2 = layers.clone();
    infer
        .static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let bm = BatchMeta::from_buffer(info.buffer().unwrap()).unwrap();
            for f in bm.frames() {
                for um in f.user_metas() {
                    if let Some(t) = um.tensor_output() {
                        assert_eq!(t.unique_id(), 1);
                        for l in t.layers() {
                            let dims = l.dims();
                            let values = l.as_f32().map(|v| v.len()).unwrap_or(0);
                            l2.lock().unwrap().push((
                                f.frame_num() as u32,
                                l.name().to_string(),
                                dims.d[..dims.numDims as usize].to_vec(),
                                values,
                            ));
                        }
                    }
                }
            }
            gst::PadProbeReturn::Ok
        });
    run(&p, Duration::from_secs(60)).unwrap();
    let layers = layers.lock().unwrap();
    eprintln!("{layers:?}");
    assert!(!layers.is_empty(), "no NvDsInferTensorMeta");
    for (_, name, dims, values) in layers.iter() {
        assert!(!name.is_empty());
        assert_eq!(*values, dims.iter().product::<u32>() as usize);
    }
}

#[test]
fn tiler_show_source_shows_one_source_full_frame() {
    init();
    let p = launch(&format!(
        "{} ! m.sink_0 {} ! m.sink_1 \
         dsstreammux name=m batch-size=2 width=640 height=360 ! \
         dstiler name=tiler rows=1 columns=2 width=640 height=360 show-source=1 ! appsink name=out sync=false",
        h264("vtest-5s.h264", 4),
        h264("market.h264", 4)
    ));
    let tiler = p.by_name("tiler").unwrap();
    add_drawings(&tiler.static_pad("sink").unwrap());
    // source 1's frames as they enter the tiler
    let inputs: Arc<Mutex<BTreeMap<i32, Vec<u8>>>> = Arc::default();
    let i2 = inputs.clone();
    tiler
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let buf = info.buffer().unwrap();
            let bm = BatchMeta::from_buffer(buf).unwrap();
            for f in bm.frames().filter(|f| f.source_id() == 1) {
                let m = buf
                    .peek_memory(f.batch_id() as usize)
                    .map_readable()
                    .unwrap();
                i2.lock().unwrap().insert(f.frame_num(), m.to_vec());
            }
            gst::PadProbeReturn::Ok
        });
    let out = collect(&p, "out");
    run(&p, Duration::from_secs(30)).unwrap();
    let out = out.lock().unwrap();
    let inputs = inputs.lock().unwrap();
    let mut compared = 0;
    for (buf, _) in out.iter() {
        let bm = BatchMeta::from_buffer(buf).unwrap();
        for f in bm.frames() {
            // the hidden source lost its drawings; the shown one keeps them, unscaled
            let n = f.objects().count();
            if f.source_id() == 0 {
                assert_eq!(n, 0);
                continue;
            }
            assert_eq!(n, 1);
            assert_eq!(f.objects().next().unwrap().rect_params().left, 110.0);
            // same size: the output frame is source 1's frame
            let m = buf.peek_memory(0).map_readable().unwrap();
            assert!(m.as_slice() == inputs[&f.frame_num()].as_slice());
            compared += 1;
        }
    }
    assert!(compared >= 4);
}

/// dsvideoconvert's SIMD RGBA -> I420 / NV12 (the OSD's frames on their way to the encoder)
/// gives the pixels GStreamer's videoconvert gives, in BT.709 and BT.601, on real frames.
#[test]
fn rgba_to_yuv_matches_videoconvert_on_real_frames() {
    init();
    for (format, colorimetry) in [("I420", "bt709"), ("NV12", "bt709"), ("I420", "bt601")] {
        let caps = format!("video/x-raw,format={format},colorimetry={colorimetry}");
        let p = launch(&format!(
            "{} ! videoconvert ! video/x-raw,format=RGBA ! tee name=t \
             t. ! queue ! dsvideoconvert ! {caps} ! appsink name=fast sync=false \
             t. ! queue ! videoconvert ! {caps} ! appsink name=reference sync=false",
            h264("vtest-5s.h264", 5)
        ));
        let fast = collect(&p, "fast");
        let reference = collect(&p, "reference");
        run(&p, Duration::from_secs(60)).unwrap();
        let (fast, reference) = (fast.lock().unwrap(), reference.lock().unwrap());
        assert_eq!(fast.len(), 5, "{format} {colorimetry}: frames through dsvideoconvert");
        assert_eq!(reference.len(), 5);
        for ((a, caps_a), (b, caps_b)) in fast.iter().zip(reference.iter()) {
            let info = gst_video::VideoInfo::from_caps(caps_a).unwrap();
            let other = gst_video::VideoInfo::from_caps(caps_b).unwrap();
            assert_eq!(
                (info.format(), info.width(), info.height(), info.colorimetry()),
                (other.format(), other.width(), other.height(), other.colorimetry()),
                "the same frames on both branches"
            );
            let (a, b) = (a.map_readable().unwrap(), b.map_readable().unwrap());
            // luma: every sample within 1 level; chroma (2x2 subsampling filters differ):
            // within 3 levels, and 1 on average (videoconvert filters and sites chroma otherwise)
            let y_len = info.offset()[1];
            let luma = a[..y_len].iter().zip(&b[..y_len]).map(|(x, y)| x.abs_diff(*y)).max().unwrap();
            let chroma: Vec<u8> = a[y_len..info.size()].iter().zip(&b[y_len..info.size()]).map(|(x, y)| x.abs_diff(*y)).collect();
            let mean = chroma.iter().map(|&d| d as f64).sum::<f64>() / chroma.len() as f64;
            let worst = chroma.iter().copied().max().unwrap();
            assert!(luma <= 1, "{format} {colorimetry}: luma differs by {luma}");
            assert!(worst <= 3 && mean < 1.0, "{format} {colorimetry}: chroma differs by up to {worst}, {mean:.3} on average");
        }
    }
}
