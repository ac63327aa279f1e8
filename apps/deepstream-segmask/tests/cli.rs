//! deepstream-segmask run as a user runs it, portable backend (the stand-in: YOLOv3-tiny
//! person boxes, a MediaPipe Selfie Segmentation mask per box) on a real clip with people:
//! the saved masks against the sample's resize/binarise rule recomputed from the metadata,
//! the masks `dsosd display-mask=1` draws (pixels inside the mask changed, outside not), and
//! bad inputs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gst::prelude::*;

use ds_testkit::{decode, out_path, root, stream, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-segmask");
const LIMIT: Duration = Duration::from_secs(300);
const CLIP: &str = "vtest-4s.mp4";
const W: usize = 1920;
const H: usize = 1080;

fn config() -> PathBuf {
    root().join("configs/deepstream-segmask/portable/dstest_segmask_config.txt")
}

/// A fresh (absent) output folder under target/test-out.
fn folder(name: &str) -> PathBuf {
    let p = out_path("deepstream-segmask", name);
    let _ = std::fs::remove_dir_all(&p);
    let _ = std::fs::remove_file(&p);
    p
}

/// One object as the OSD received it, with the frame before and after drawing.
#[derive(Clone)]
struct Seen {
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    mask_w: usize,
    mask_h: usize,
    mask: Vec<f32>,
    threshold: f32,
}

struct FrameSeen {
    frame_num: i32,
    objects: Vec<Seen>,
    before: Vec<u8>,
    after: Vec<u8>,
}

/// The sample's resize_mask, written again from its description (samples-spec 1.18):
/// bilinear at `x * src_w / dst_w`, neighbours floor/ceil clipped, 0 below the threshold,
/// 255 from it up.
fn expected_mask(o: &Seen, dw: usize, dh: usize) -> Vec<u8> {
    let (sw, sh) = (o.mask_w, o.mask_h);
    let (rw, rh) = (sw as f32 / dw as f32, sh as f32 / dh as f32);
    let at = |x: usize, y: usize| o.mask[y * sw + x];
    let mut out = vec![0u8; dw * dh];
    for y in 0..dh {
        for x in 0..dw {
            let (x0, y0) = (x as f32 * rw, y as f32 * rh);
            let l = (x0.floor() as usize).min(sw - 1);
            let r = (x0.ceil() as usize).min(sw - 1);
            let t = (y0.floor() as usize).min(sh - 1);
            let b = (y0.ceil() as usize).min(sh - 1);
            let top = at(l, t) + (at(r, t) - at(l, t)) * (x0 - l as f32);
            let bottom = at(l, b) + (at(r, b) - at(l, b)) * (x0 - l as f32);
            let v = top + (bottom - top) * (y0 - t as f32);
            out[y * dw + x] = if v < o.threshold { 0 } else { 255 };
        }
    }
    out
}

/// Runs the sample's inference and OSD (display-mask on, boxes and text off) on `clip` in
/// process and records, for the frames in `frames`, every object's box and mask and the
/// frame before and after the OSD.
fn osd_run(clip: &Path, frames: &[i32]) -> Vec<FrameSeen> {
    let _ = gst::init();
    ds_elements::register_static().expect("register the portable elements");
    ds_meta::init().expect("metadata provider");
    let line = format!(
        "uridecodebin uri=file://{} ! queue ! m.sink_0 dsstreammux name=m batch-size=1 width={W} height={H} ! \
         dsinfer config-file-path={} ! dsosd name=osd process-mode=0 display-mask=true display-bbox=false display-text=false ! \
         fakesink sync=false",
        clip.canonicalize().unwrap().display(),
        config().display()
    );
    let pipeline = gst::parse::launch(&line).expect("pipeline").downcast::<gst::Pipeline>().unwrap();
    let osd = pipeline.by_name("osd").unwrap();
    let seen: Arc<Mutex<Vec<FrameSeen>>> = Arc::default();
    let wanted = frames.to_vec();
    let s = seen.clone();
    osd.static_pad("sink").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(buf) = info.buffer() else { return gst::PadProbeReturn::Ok };
        let Some(bm) = ds_meta::BatchMeta::from_buffer(buf) else { return gst::PadProbeReturn::Ok };
        for f in bm.frames() {
            if !wanted.contains(&f.frame_num()) {
                continue;
            }
            let objects = f
                .objects()
                .filter_map(|o| {
                    let m = o.mask_params();
                    let a = m.array()?;
                    let r = o.rect_params();
                    Some(Seen {
                        left: r.left,
                        top: r.top,
                        width: r.width,
                        height: r.height,
                        mask_w: m.width() as usize,
                        mask_h: m.height() as usize,
                        mask: a.iter().copied().collect(),
                        threshold: m.threshold(),
                    })
                })
                .collect();
            let before = buf.map_readable().unwrap().as_slice().to_vec();
            s.lock().unwrap().push(FrameSeen { frame_num: f.frame_num(), objects, before, after: Vec::new() });
        }
        gst::PadProbeReturn::Ok
    });
    let s = seen.clone();
    osd.static_pad("src").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(buf) = info.buffer() else { return gst::PadProbeReturn::Ok };
        let Some(bm) = ds_meta::BatchMeta::from_buffer(buf) else { return gst::PadProbeReturn::Ok };
        for f in bm.frames() {
            if let Some(fs) = s.lock().unwrap().iter_mut().find(|x| x.frame_num == f.frame_num() && x.after.is_empty()) {
                fs.after = buf.map_readable().unwrap().as_slice().to_vec();
            }
        }
        gst::PadProbeReturn::Ok
    });
    pipeline.set_state(gst::State::Playing).expect("playing");
    let bus = pipeline.bus().unwrap();
    let msg = bus.timed_pop_filtered(gst::ClockTime::from_seconds(LIMIT.as_secs()), &[gst::MessageType::Eos, gst::MessageType::Error]);
    pipeline.set_state(gst::State::Null).unwrap();
    match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => {}
        other => panic!("the in-process pipeline did not finish: {other:?}"),
    }
    std::mem::take(&mut *seen.lock().unwrap())
}

#[test]
fn masks_are_drawn_on_people_and_saved_by_the_resize_rule() {
    let out = folder("vtest");
    let o = ds_testkit::run(
        BIN,
        &["-i", stream(CLIP).to_str().unwrap(), "-o", out.to_str().unwrap(), "--backend", "portable", "--sink", "fake"],
        &[],
        LIMIT,
    );
    let (so, se) = text(&o);
    assert!(o.status.success(), "stdout:\n{so}\nstderr:\n{se}");
    assert!(so.contains("Frame Number= 0 Number of Objects="), "{so}");

    let frames = [0, 30];
    let mut coverage = Vec::new();
    let mut mask_pixels = 0;
    let seen = osd_run(&stream(CLIP), &frames);
    assert_eq!(seen.len(), frames.len(), "frames seen by the OSD");
    for fs in &seen {
        // People with masks on this frame (vtest: 3 or more people walk on the square).
        assert!(fs.objects.len() >= 2, "frame {}: {} objects with masks", fs.frame_num, fs.objects.len());

        // The saved picture: the first object's mask resized to its box and binarised.
        let first = &fs.objects[0];
        assert_eq!((first.mask_w, first.mask_h), (256, 256), "the selfie model's mask size");
        assert!(first.threshold > 0.0, "threshold from segmentation-threshold");
        let (dw, dh) = (first.width.floor() as usize, first.height.floor() as usize);
        let expected = expected_mask(first, dw, dh);
        let path = out.join("stream_0").join(format!("frame_{}.jpg", fs.frame_num));
        let (n, pics) = decode(&path, &[0]);
        assert_eq!(n, 1, "{} decodes to one picture", path.display());
        let pic = &pics[0].1;
        assert_eq!((pic.width as usize, pic.height as usize), (dw, dh), "{} has the box's size", path.display());
        let agree = expected
            .iter()
            .enumerate()
            .filter(|&(i, &e)| (pic.rgba[i * 4] > 127) == (e == 255))
            .count() as f64
            / expected.len() as f64;
        let inside = expected.iter().filter(|&&e| e == 255).count() as f64 / expected.len() as f64;
        println!("frame {}: saved {dw}x{dh} mask, {:.1}% inside, agrees with the rule on {:.2}%", fs.frame_num, inside * 100.0, agree * 100.0);
        // JPEG blurs the 0/255 edge by a pixel or so.
        assert!(agree >= 0.97, "{}: {agree:.3} of the pixels follow the resize/binarise rule", path.display());
        // Never a full box. A person somewhere (checked after the loop): the selfie model on
        // small CCTV people gives partial masks or none (42% of the box at frame 0; at frame
        // 30, 10% with the muxer's former cubic scaling, 0% with its bilinear one).
        assert!(inside < 0.9, "frame {}: the mask covers {inside:.2} of the box", fs.frame_num);
        coverage.push(inside);

        // The OSD: inside each mask (where no other box overlaps) the pixels were blended
        // with the box colour (red); outside the masks nothing changed.
        let expected_all: Vec<(usize, usize, usize, usize, Vec<u8>)> = fs
            .objects
            .iter()
            .map(|o| {
                let (w, h) = (o.width.floor() as usize, o.height.floor() as usize);
                (o.left.round() as usize, o.top.round() as usize, w, h, expected_mask(o, w, h))
            })
            .collect();
        let mut in_mask = vec![false; W * H];
        let mut in_box_count = vec![0u8; W * H];
        for (l, t, w, h, m) in &expected_all {
            for y in 0..*h {
                for x in 0..*w {
                    let (px, py) = (l + x, t + y);
                    if px < W && py < H {
                        in_box_count[py * W + px] += 1;
                        if m[y * w + x] == 255 {
                            in_mask[py * W + px] = true;
                        }
                    }
                }
            }
        }
        let (mut inside_n, mut inside_redder, mut outside_n, mut outside_changed) = (0usize, 0usize, 0usize, 0usize);
        for i in 0..W * H {
            let (b, a) = (&fs.before[i * 4..i * 4 + 3], &fs.after[i * 4..i * 4 + 3]);
            if in_mask[i] && in_box_count[i] == 1 {
                inside_n += 1;
                // half-alpha red over the pixel: red up (or already high), green and blue halved
                let expect = [(255.0 + b[0] as f64) / 2.0, b[1] as f64 / 2.0, b[2] as f64 / 2.0];
                if (0..3).all(|c| (a[c] as f64 - expect[c]).abs() <= 1.0) {
                    inside_redder += 1;
                }
            } else if !in_mask[i] {
                outside_n += 1;
                if a != b {
                    outside_changed += 1;
                }
            }
        }
        println!(
            "frame {}: OSD changed {inside_redder}/{inside_n} mask pixels as expected, {outside_changed}/{outside_n} outside",
            fs.frame_num
        );
        mask_pixels += inside_n;
        assert_eq!(inside_redder, inside_n, "every mask pixel blended with the object's colour");
        assert_eq!(outside_changed, 0, "no pixel outside the masks changed");
    }
    // a person in at least one saved picture, and masks the OSD check above was made on
    // (not an empty mask everywhere)
    assert!(coverage.iter().any(|&c| c >= 0.05), "saved masks cover {coverage:?} of their boxes");
    assert!(mask_pixels > 1000, "{mask_pixels} mask pixels on frames {frames:?}");
}

#[test]
fn existing_output_folder_is_refused() {
    let out = folder("exists");
    std::fs::create_dir_all(&out).unwrap();
    let o = ds_testkit::run(BIN, &["-i", stream(CLIP).to_str().unwrap(), "-o", out.to_str().unwrap(), "--backend", "portable", "--sink", "fake"], &[], LIMIT);
    let (so, se) = text(&o);
    assert!(!o.status.success());
    assert!(se.contains(&format!("The output folder {} already exists", out.display())), "stdout:\n{so}\nstderr:\n{se}");
}

#[test]
fn missing_config_is_refused() {
    let out = folder("noconfig");
    let o = ds_testkit::run(
        BIN,
        &["-i", stream(CLIP).to_str().unwrap(), "-o", out.to_str().unwrap(), "-c", "/nonexistent/segmask.txt", "--backend", "portable", "--sink", "fake"],
        &[],
        LIMIT,
    );
    let (so, se) = text(&o);
    assert!(!o.status.success());
    assert!(se.contains("config file /nonexistent/segmask.txt not found"), "stdout:\n{so}\nstderr:\n{se}");
    assert!(!out.exists(), "no folder made on a bad config");
}

/// A mask head whose model has no mask output (the YOLOv3-tiny detector) and an instance
/// config without a mask head: both refused at start, naming the file and key.
#[test]
fn configs_without_a_mask_output_are_refused() {
    let dir = out_path("deepstream-segmask", "bad-configs");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let models = root().join("models");
    let head = dir.join("head.txt");
    std::fs::write(
        &head,
        format!(
            "[property]\nnet-scale-factor=0.0039215697906911373\nmodel-color-format=0\nonnx-file={}\ninfer-dims=3;416;416\nnetwork-type=2\noutput-blob-names=yolo_16;yolo_23\nsegmentation-threshold=0.5\n",
            models.join("yolov3-tiny/yolov3-tiny.onnx").display()
        ),
    )
    .unwrap();
    let base = std::fs::read_to_string(config()).unwrap().replace("../../../models", &models.display().to_string());
    let bad_head = dir.join("bad_head.txt");
    std::fs::write(&bad_head, base.replace("instance-mask-config-file=selfie_mask_head_config.txt", &format!("instance-mask-config-file={}", head.display()))).unwrap();
    let no_head = dir.join("no_head.txt");
    std::fs::write(&no_head, base.replace("instance-mask-config-file=selfie_mask_head_config.txt\n", "")).unwrap();

    for (cfg, want) in [
        (&bad_head, format!("instance-mask-config-file={}", head.display())),
        (&bad_head, "needs a mask output [batch, classes, height, width]".to_string()),
        (&no_head, "network-type=3: instance segmentation is not supported by the portable backend as one model".to_string()),
    ] {
        let out = folder("bad-config-out");
        let o = ds_testkit::run(
            BIN,
            &["-i", stream(CLIP).to_str().unwrap(), "-o", out.to_str().unwrap(), "-c", cfg.to_str().unwrap(), "--backend", "portable", "--sink", "fake"],
            &[],
            LIMIT,
        );
        let (so, se) = text(&o);
        assert!(!o.status.success(), "{}: exit {:?}", cfg.display(), o.status);
        assert!(se.contains(&want), "{}: wanted '{want}'\nstdout:\n{so}\nstderr:\n{se}", cfg.display());
        assert!(!se.contains("panicked"), "{se}");
    }
}
