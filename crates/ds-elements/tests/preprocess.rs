//! dspreprocess (portable nvdspreprocess) and dsinfer `input-tensor-meta=true` on real clips:
//! the tensor of an ROI against a reference crop computed here from the clip decoded
//! independently (ds_testkit::decode), several tensors when the ROIs exceed the batch
//! dimension, detections only inside the ROIs of the sample's portable config, and clear
//! errors for bad configs.

mod common;

use common::{clip, init, launch, root, run};
use ds_infer::preprocess_config::PreprocessConfig;
use ds_meta::BatchMeta;
use gst::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn write_config(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dspreprocess-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Two ROIs on the clip's own 768x576 frames, a batch dimension of 1 (so two tensors per
/// batch), aspect ratio kept with symmetric padding, per-channel offsets.
const ROI_CONFIG: &str = "[property]\nenable=1\ntarget-unique-ids=1\nnetwork-input-order=0\nprocess-on-frame=1\n\
maintain-aspect-ratio=1\nsymmetric-padding=1\nprocessing-width=416\nprocessing-height=416\n\
network-input-shape=1;3;416;416\nnetwork-color-format=0\ntensor-data-type=0\ntensor-name=data\n\
custom-lib-path=/opt/nvidia/deepstream/deepstream/lib/gst-plugins/libcustom2d_preprocess.so\n\
custom-tensor-preparation-function=CustomTensorPreparation\n\n[user-configs]\n\
pixel-normalization-factor=0.003921568\noffsets=10;20;30\n\n[group-0]\nsrc-ids=0\nprocess-on-roi=1\n\
roi-params-src-0=101;80;300;200;400;300;368;276\n";

/// What one tensor meta of a batch held.
#[derive(Debug, Clone)]
struct Seen {
    frame_num: i32,
    meta_id: u32,
    shape: Vec<i32>,
    name: String,
    data: Vec<f32>,
    roi: [f32; 4],
    scale: (f64, f64),
    offset: (f64, f64),
    source: u32,
}

fn tensors_of(path: &str, config: &Path) -> Vec<Seen> {
    init();
    let p = launch(&format!(
        "filesrc location={path} ! qtdemux ! h264parse ! avdec_h264 ! m.sink_0 \
         dsstreammux name=m batch-size=1 width=768 height=576 ! \
         dspreprocess name=pre config-file={} ! fakesink name=s",
        config.display()
    ));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    p.by_name("s").unwrap().static_pad("sink").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buf) = info.buffer()
            && let Some(b) = BatchMeta::from_buffer(buf)
        {
            for m in b.preprocess_batch_metas() {
                let t = m.tensor_meta().expect("a tensor");
                let r = &m.roi_vector()[0];
                let f = r.frame_meta().expect("the ROI's frame");
                s2.lock().unwrap().push(Seen {
                    frame_num: f.frame_num(),
                    meta_id: t.meta_id(),
                    shape: t.tensor_shape().to_vec(),
                    name: t.tensor_name().to_string(),
                    data: if f.frame_num() == 20 { t.host_data().expect("host FP32 data").to_vec() } else { Vec::new() },
                    roi: [r.roi().left, r.roi().top, r.roi().width, r.roi().height],
                    scale: (r.scale_ratio_x(), r.scale_ratio_y()),
                    offset: (r.offset_left(), r.offset_top()),
                    source: f.source_id(),
                });
            }
        }
        gst::PadProbeReturn::Ok
    });
    run(&p, Duration::from_secs(120)).unwrap();
    seen.lock().unwrap().clone()
}

/// The reference: the ROI of an RGBA frame scaled to fit 416x416 keeping its aspect ratio
/// (bilinear, pixel centres at +0.5), centred on black, `factor × (x − offset)`, NCHW.
fn reference(frame: &ds_testkit::Frame, roi: [usize; 4], net: usize, factor: f32, offsets: [f32; 3]) -> (Vec<f32>, usize, usize, usize, usize) {
    let [l, t, w, h] = roi;
    let ratio = (net as f64 / w as f64).min(net as f64 / h as f64);
    let (cw, ch) = (((w as f64 * ratio).round() as usize).min(net), ((h as f64 * ratio).round() as usize).min(net));
    let (px, py) = ((net - cw) / 2, (net - ch) / 2);
    let mut out = vec![0f32; 3 * net * net];
    for c in 0..3 {
        for v in &mut out[c * net * net..(c + 1) * net * net] {
            *v = factor * (0.0 - offsets[c]);
        }
    }
    let at = |x: usize, y: usize, c: usize| frame.rgba[(y * frame.width as usize + x) * 4 + c] as f64;
    for oy in 0..ch {
        let sy = (t as f64 + (oy as f64 + 0.5) * h as f64 / ch as f64 - 0.5).clamp(t as f64, (t + h - 1) as f64);
        let (y0, wy) = (sy.floor() as usize, sy - sy.floor());
        let y1 = (y0 + 1).min(t + h - 1);
        for ox in 0..cw {
            let sx = (l as f64 + (ox as f64 + 0.5) * w as f64 / cw as f64 - 0.5).clamp(l as f64, (l + w - 1) as f64);
            let (x0, wx) = (sx.floor() as usize, sx - sx.floor());
            let x1 = (x0 + 1).min(l + w - 1);
            for c in 0..3 {
                let v = at(x0, y0, c) * (1.0 - wx) * (1.0 - wy) + at(x1, y0, c) * wx * (1.0 - wy) + at(x0, y1, c) * (1.0 - wx) * wy + at(x1, y1, c) * wx * wy;
                out[c * net * net + (oy + py) * net + ox + px] = factor * (v as f32 - offsets[c]);
            }
        }
    }
    (out, cw, ch, px, py)
}

#[test]
fn the_tensor_of_an_roi_equals_a_reference_crop_and_rois_beyond_the_batch_make_more_tensors() {
    let cfg = write_config("roi.txt", ROI_CONFIG);
    let seen = tensors_of(&clip("vtest-4s.mp4"), &cfg);
    let (frames, kept) = ds_testkit::decode(&root().join("streams/vtest-4s.mp4"), &[20]);
    assert!(frames > 20);
    // two ROIs, batch dimension 1: two tensors per frame, meta_id 0 and 1, one item each
    assert_eq!(seen.len(), 2 * frames, "tensors per frame");
    for s in &seen {
        assert_eq!((s.shape.as_slice(), s.name.as_str(), s.source), (&[1, 3, 416, 416][..], "data", 0));
    }
    let at20: Vec<&Seen> = seen.iter().filter(|s| s.frame_num == 20).collect();
    assert_eq!(at20.iter().map(|s| s.meta_id).collect::<Vec<_>>(), [0, 1]);
    let first = at20[0];
    // left 101 rounds up to 102 (even), the width 300 is even already: nvdspreprocess' alignment
    assert_eq!(first.roi, [102.0, 80.0, 300.0, 200.0]);
    assert_eq!(at20[1].roi, [400.0, 300.0, 368.0, 276.0]);

    let frame = &kept[0].1;
    let (want, cw, ch, px, py) = reference(frame, [102, 80, 300, 200], 416, 0.003921568, [10.0, 20.0, 30.0]);
    assert!((first.scale.0 - cw as f64 / 300.0).abs() < 1e-6 && (first.scale.1 - ch as f64 / 200.0).abs() < 1e-6, "{:?}", first.scale);
    assert_eq!(first.offset, (px as f64, py as f64));
    let diff = first.data.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    println!("ROI (102,80,300,200) of vtest-4s.mp4 frame 20: tensor vs reference crop max abs diff {diff:.6} (scaled {cw}x{ch}, padding {px},{py})");
    // one 8-bit level is 0.0039 after normalisation
    assert!(diff < 0.002, "max abs diff {diff}");
}

#[test]
fn bad_configs_fail_at_start_naming_file_and_key() {
    init();
    let cases = [
        (ROI_CONFIG.replace("gst-plugins/libcustom2d_preprocess.so", "libmy_preprocess.so"), "custom-lib-path=/opt/nvidia/deepstream/deepstream/lib/libmy_preprocess.so: only NVIDIA's default library"),
        (ROI_CONFIG.replace("process-on-frame=1", "process-on-frame=0"), "process-on-frame=0 (object mode) is not implemented yet"),
        (ROI_CONFIG.replace("processing-width=416", "processing-width=320"), "processing-width=320"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let cfg = write_config(&format!("bad{i}.txt"), text);
        let p = launch(&format!(
            "videotestsrc num-buffers=2 ! m.sink_0 dsstreammux name=m batch-size=1 width=768 height=576 ! dspreprocess config-file={} ! fakesink",
            cfg.display()
        ));
        let e = run(&p, Duration::from_secs(20)).unwrap_err();
        assert!(e.contains(want) && e.contains(&cfg.display().to_string()), "{e}");
    }
}

/// The sample's portable configs on vtest (source 0) and market (source 1) at 1920x1080:
/// every detected object lies inside an ROI of its source (its box centre), and the ROIs do
/// find people.
#[test]
fn objects_are_detected_only_inside_the_rois() {
    init();
    let dir = root().join("configs/deepstream-preprocess-test/portable");
    let pre = dir.join("config_preprocess.txt");
    let pgie = dir.join("dstest1_pgie_config.txt");
    let config = PreprocessConfig::from_file(&pre).unwrap();
    let p = launch(&format!(
        "filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! queue ! m.sink_0 \
         filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! queue ! m.sink_1 \
         dsstreammux name=m batch-size=2 width=1920 height=1080 batched-push-timeout=33000 ! \
         dspreprocess config-file={} ! dsinfer config-file-path={} batch-size=2 input-tensor-meta=true ! fakesink name=s",
        clip("vtest-4s.mp4"),
        clip("market-2s.mp4"),
        pre.display(),
        pgie.display()
    ));
    // per (source, ROI index): objects; objects outside every ROI
    let counts = Arc::new(Mutex::new((std::collections::BTreeMap::<(u32, usize), usize>::new(), Vec::<String>::new())));
    let c2 = counts.clone();
    let rois = config.groups[0].rois.clone();
    p.by_name("s").unwrap().static_pad("sink").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buf) = info.buffer()
            && let Some(b) = BatchMeta::from_buffer(buf)
        {
            let mut c = c2.lock().unwrap();
            for f in b.frames() {
                for o in f.objects() {
                    let r = o.rect_params();
                    let (cx, cy) = (r.left + r.width / 2.0, r.top + r.height / 2.0);
                    let inside = rois[&f.source_id()].iter().position(|q| {
                        cx >= q.left as f32 && cx <= (q.left + q.width) as f32 && cy >= q.top as f32 && cy <= (q.top + q.height) as f32
                    });
                    match inside {
                        Some(i) => *c.0.entry((f.source_id(), i)).or_default() += 1,
                        None => c.1.push(format!("source {} frame {}: {:?} at ({cx}, {cy})", f.source_id(), f.frame_num(), o.obj_label())),
                    }
                }
            }
        }
        gst::PadProbeReturn::Ok
    });
    run(&p, Duration::from_secs(300)).unwrap();
    let (per_roi, outside) = counts.lock().unwrap().clone();
    println!("objects per (source, ROI): {per_roi:?}");
    assert!(outside.is_empty(), "objects outside every ROI: {outside:?}");
    let on = |s: u32| per_roi.iter().filter(|((src, _), _)| *src == s).map(|(_, n)| n).sum::<usize>();
    assert!(on(0) > 0 && on(1) > 0, "people found in the ROIs of both clips: {per_roi:?}");
}

#[test]
fn a_tensor_shape_not_matching_the_model_is_an_error_naming_both() {
    init();
    let dir = root().join("configs/deepstream-preprocess-test/portable");
    let text = std::fs::read_to_string(dir.join("config_preprocess.txt")).unwrap().replace("4;3;416;416", "4;3;320;320").replace("=416", "=320");
    let pre = write_config("shape.txt", &text);
    let p = launch(&format!(
        "filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! m.sink_0 \
         dsstreammux name=m batch-size=1 width=1920 height=1080 ! \
         dspreprocess config-file={} ! dsinfer config-file-path={} input-tensor-meta=true ! fakesink",
        clip("vtest-4s.mp4"),
        pre.display(),
        dir.join("dstest1_pgie_config.txt").display()
    ));
    let e = run(&p, Duration::from_secs(60)).unwrap_err();
    assert!(e.contains("[2, 3, 320, 320]") && e.contains("3;416;416") && e.contains("network-input-shape"), "{e}");
}

/// gst_check::Harness on `dspreprocess` alone: a hand-made batch of two 64x48 frames of
/// uniform colours (sources 0 and 1) with whole-frame units (`process-on-roi=0`) in one NHWC
/// tensor: each item is `factor × (colour − offset)`, the tensor names its frames, and
/// `enable=false` passes the buffer untouched.
#[test]
fn harness_whole_frames_nhwc_and_disabled() {
    init();
    let cfg = write_config(
        "frames.txt",
        "[property]\ntarget-unique-ids=3\nnetwork-input-order=1\nnetwork-input-shape=2;24;32;3\nnetwork-color-format=1\n\
         tensor-name=data\n\n[user-configs]\npixel-normalization-factor=0.5\noffsets=1;2;3\n\n[group-0]\nsrc-ids=-1\nprocess-on-roi=0\n",
    );
    let colours = [[200u8, 100, 50], [10, 20, 30]];
    let batch = || {
        let mut buf = gst::Buffer::new();
        {
            let b = buf.get_mut().unwrap();
            for c in colours {
                let px: Vec<u8> = (0..64 * 48).flat_map(|_| [c[0], c[1], c[2], 255]).collect();
                b.append_memory(gst::Memory::from_slice(px));
            }
            let bm = BatchMeta::attach(b, 2).unwrap();
            for i in 0..2 {
                let f = bm.add_frame_meta().unwrap();
                f.set_batch_id(i);
                f.set_source_id(i);
                f.set_pad_index(i);
                f.set_frame_num(7);
            }
        }
        buf
    };
    let caps = ds_elements::caps::batch_caps(64, 48, gst::Fraction::new(10, 1));
    for enable in [true, false] {
        let mut h = gst_check::Harness::new_parse(&format!("dspreprocess config-file={} enable={enable}", cfg.display()));
        h.set_caps(caps.clone(), caps.clone());
        let out = h.push_and_pull(batch()).unwrap();
        let bm = BatchMeta::from_buffer(&out).unwrap();
        let metas: Vec<_> = bm.preprocess_batch_metas().collect();
        if !enable {
            assert!(metas.is_empty());
            continue;
        }
        assert_eq!(metas.len(), 1);
        let m = metas[0];
        assert_eq!(m.target_unique_ids(), &[3]);
        let t = m.tensor_meta().unwrap();
        assert_eq!(t.tensor_shape(), &[2, 24, 32, 3]);
        let d = t.host_data().unwrap();
        for (i, r) in m.roi_vector().iter().enumerate() {
            assert_eq!(r.frame_meta().unwrap().source_id(), i as u32);
            assert_eq!((r.roi().width, r.roi().height, r.scale_ratio_x()), (64.0, 48.0, 0.5));
            // BGR order, y = 0.5 × (x − offset)
            let c = colours[i];
            let want = [0.5 * (c[2] as f32 - 1.0), 0.5 * (c[1] as f32 - 2.0), 0.5 * (c[0] as f32 - 3.0)];
            let item = &d[i * 24 * 32 * 3..(i + 1) * 24 * 32 * 3];
            for px in item.chunks(3) {
                assert!(px.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-3), "{px:?} vs {want:?}");
            }
        }
    }
}
