//! deepstream-ssd-parser on the portable backend, on real video: the MP4 has every frame and
//! red boxes on the people; the app's parser (TF OD tensors, per-class NMS, top-k) gives the
//! same boxes as ds-infer's YOLO path on the same model within 1 px; a missing tensor layer
//! gives the sample's message and no crash.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deepstream_ssd_parser::ssd_parser::{
    BoxSizeParam, DetectionParam, Layer, NmsParam, ObjectDetectionInfo, nvds_infer_parse_custom_tf_ssd,
};
use ds_testkit::{decode, out_path, root, run, stream, text, write_png};
use gst::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-ssd-parser");

/// COCO-80 → COCO-91, as scripts/yolo_tfod_head.py maps them.
const COCO80_TO_91: [u32; 80] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34,
    35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
];

/// A box in frame pixels: class (COCO-91), left, top, width, height.
type PxBox = (u32, f32, f32, f32, f32);

/// Frame number → (the parser's boxes, the YOLO path's boxes).
type BothPaths = BTreeMap<u64, (Vec<PxBox>, Vec<PxBox>)>;

/// Per frame: the app parser's boxes (as the app writes them: truncated to whole pixels) and
/// ds-infer's YOLO-path boxes on the same frames, the same model and the same thresholds.
fn both_paths(clip: &Path, frames: usize) -> BothPaths {
    ds_app::init(Some("portable")).unwrap();
    let yolo_cfg = out_path("deepstream-ssd-parser", "yolo_reference_pgie_config.txt");
    let model = root().join("models/yolov3-tiny/yolov3-tiny-tfod.onnx");
    std::fs::write(
        &yolo_cfg,
        format!(
            "[property]\nnet-scale-factor=0.0039215697906911373\nonnx-file={}\nbatch-size=1\nmodel-color-format=0\n\
             network-type=0\nnum-detected-classes=80\ngie-unique-id=1\nprocess-mode=1\noutput-blob-names=yolo_16;yolo_23\n\
             parse-bbox-func-name=NvDsInferParseCustomYoloV3Tiny\ncluster-mode=2\n\n[class-attrs-all]\n\
             pre-cluster-threshold=0.5\nnms-iou-threshold=0.3\ntopk=20\n",
            model.display()
        ),
    )
    .unwrap();
    let ssd_cfg = root().join("configs/deepstream-ssd-parser/portable/dstest_ssd_nopostprocess.txt");
    let desc = format!(
        "filesrc location={} ! h264parse ! avdec_h264 ! m.sink_0 \
         dsstreammux name=m batch-size=1 width=1920 height=1080 ! \
         dsinfer name=raw config-file-path={} ! dsinfer name=yolo config-file-path={} ! fakesink name=sink",
        clip.display(),
        ssd_cfg.display(),
        yolo_cfg.display()
    );
    let pipeline = gst::parse::launch(&desc).unwrap().downcast::<gst::Pipeline>().unwrap();
    let out: Arc<Mutex<BothPaths>> = Arc::default();
    let sink = pipeline.by_name("sink").unwrap();
    let o = out.clone();
    sink.static_pad("sink").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(buffer) = info.buffer() else { return gst::PadProbeReturn::Ok };
        let Some(batch) = ds_meta::BatchMeta::from_buffer(buffer) else { return gst::PadProbeReturn::Ok };
        let det = DetectionParam::new(91, 0.5);
        let size = BoxSizeParam { image_height: 1080, image_width: 1920, min_box_width: 32, min_box_height: 32 };
        let nms = NmsParam { top_k: 20, iou_threshold: 0.3 };
        for frame in batch.frames() {
            let mut parsed = Vec::new();
            for um in frame.user_metas() {
                let Some(t) = um.tensor_output() else { continue };
                let infos: Vec<_> = t.layers().collect();
                let layers: Vec<Layer> =
                    infos.iter().map(|l| Layer { name: l.name(), data: l.as_f32(), dims: &l.dims().d[..l.dims().numDims as usize] }).collect();
                let objs: Vec<ObjectDetectionInfo> = nvds_infer_parse_custom_tf_ssd(&layers, &det, &size, &nms).unwrap();
                parsed.extend(objs.iter().map(|d| {
                    // what add_obj_meta_to_frame writes: int(1920 * left) ...
                    (d.class_id, (1920.0 * d.left) as i32 as f32, (1080.0 * d.top) as i32 as f32, (1920.0 * d.width) as i32 as f32, (1080.0 * d.height) as i32 as f32)
                }));
            }
            let yolo: Vec<PxBox> = frame
                .objects()
                .filter(|ob| ob.unique_component_id() == 1)
                .map(|ob| {
                    let r = ob.rect_params();
                    (COCO80_TO_91[ob.class_id() as usize], r.left, r.top, r.width, r.height)
                })
                .collect();
            o.lock().unwrap().insert(frame.frame_num() as u64, (parsed, yolo));
        }
        gst::PadProbeReturn::Ok
    });
    pipeline.set_state(gst::State::Playing).unwrap();
    // Until EOS or the first `frames` frames are in.
    let bus = pipeline.bus().unwrap();
    let start = std::time::Instant::now();
    while out.lock().unwrap().len() < frames {
        assert!(start.elapsed() < Duration::from_secs(600), "timeout");
        if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) {
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => panic!("{} {:?}", e.error(), e.debug()),
                _ => {}
            }
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let mut m = out.lock().unwrap().clone();
    m.retain(|&n, _| n < frames as u64);
    m
}

#[test]
fn parser_boxes_match_ds_infer_yolo_path_within_one_pixel() {
    let frames = both_paths(&stream("vtest.h264"), 120);
    assert_eq!(frames.len(), 120);
    let (mut matched, mut total, mut worst) = (0usize, 0usize, 0f32);
    let mut people = 0usize;
    for (n, (parsed, yolo)) in &frames {
        // ds-infer's YOLO path has no minimum box size: the sample's parser drops boxes of 32
        // pixels or less before its NMS. Compare with the YOLO boxes above that size.
        let yolo: Vec<&PxBox> = yolo.iter().filter(|b| b.3 > 32.0 && b.4 > 32.0).collect();
        assert_eq!(parsed.len(), yolo.len(), "frame {n}: parser {parsed:?}\nyolo {yolo:?}");
        for p in parsed {
            total += 1;
            people += (p.0 == 1) as usize;
            let best = yolo
                .iter()
                .filter(|y| y.0 == p.0)
                .map(|y| (p.1 - y.1).abs().max((p.2 - y.2).abs()).max((p.3 - y.3).abs()).max((p.4 - y.4).abs()))
                .fold(f32::MAX, f32::min);
            if best <= 1.0 {
                matched += 1;
                worst = worst.max(best);
            } else {
                panic!("frame {n}: parser box {p:?} has no YOLO-path box within 1 px: {yolo:?}");
            }
        }
    }
    println!("{matched} of {total} parser boxes within {worst:.3} px of ds-infer's YOLO path ({people} people)");
    assert!(people > 100, "{people} people in 120 frames of vtest");
}

#[test]
fn writes_every_frame_with_red_boxes_on_the_people() {
    let mp4 = out_path("deepstream-ssd-parser", "vtest.mp4");
    let _ = std::fs::remove_file(&mp4);
    let clip = stream("vtest.h264");
    let out = run(BIN, &["--backend", "portable", "-o", &mp4.to_string_lossy(), &clip.to_string_lossy()], &[], Duration::from_secs(900));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{stderr}", out.status);
    assert!(!stderr.contains("ERROR"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Frame Number=")).collect();
    let (n, _) = decode(&clip, &[]);
    assert_eq!(lines.len(), n, "one line per frame");
    assert!(lines.iter().filter(|l| !l.ends_with("Person_count=0")).count() > n / 2, "people in most frames");

    // The MP4: every frame, 1920x1080; red borders where the parser's boxes are (the same
    // model and config in process give the boxes of the first frames).
    let keep = [30usize, 90];
    let (frames_out, kept) = decode(&mp4, &keep);
    assert_eq!(frames_out, n, "frames in the MP4");
    let boxes = both_paths(&clip, 91);
    for (i, frame) in &kept {
        assert_eq!((frame.width, frame.height), (1920, 1080));
        write_png(&out_path("deepstream-ssd-parser", &format!("vtest-{i}.png")), frame);
        let (parsed, _) = &boxes[&(*i as u64)];
        let persons: Vec<&PxBox> = parsed.iter().filter(|b| b.0 == 1).collect();
        assert!(!persons.is_empty(), "frame {i}: no person");
        for b in persons {
            // the middle of the left border (3 px wide, drawn from the box's left edge) is red
            let (x, y) = ((b.1 as u32).min(1916), (b.2 + b.4 / 2.0) as u32);
            let [r, g, bl] = frame.mean_rgb(x, y.saturating_sub(4), 2, 8);
            assert!(r > 150.0 && g < 90.0 && bl < 90.0, "frame {i}: box {b:?}: left border at ({x}, {y}) is rgb({r:.0}, {g:.0}, {bl:.0}), not red");
        }
    }
}

#[test]
fn a_missing_tensor_layer_gives_the_sample_message_and_no_crash() {
    let good = root().join("configs/deepstream-ssd-parser/portable/dstest_ssd_nopostprocess.txt");
    let dir = good.parent().unwrap();
    let text_cfg = std::fs::read_to_string(&good)
        .unwrap()
        .replace("      { name: \"detection_boxes\" }\n", "")
        .replace("{ name: \"detection_classes\" },", "{ name: \"detection_classes\" }")
        .replace("root: \"../../../models/yolov3-tiny\"", &format!("root: \"{}\"", root().join("models/yolov3-tiny").display()))
        .replace("labelfile_path: \"labels.txt\"", &format!("labelfile_path: \"{}\"", dir.join("labels.txt").display()));
    let bad = out_path("deepstream-ssd-parser", "missing_layer_config.txt");
    std::fs::write(&bad, text_cfg).unwrap();
    let mp4 = out_path("deepstream-ssd-parser", "missing-layer.mp4");
    let clip = stream("vtest-5s.h264");
    let out = run(BIN, &["--backend", "portable", "-c", &bad.to_string_lossy(), "-o", &mp4.to_string_lossy(), &clip.to_string_lossy()], &[], Duration::from_secs(300));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "exit {:?}\n{stdout}\n{stderr}", out.status);
    assert!(stderr.contains("ERROR: some layers missing in output tensors (missing: detection_boxes)"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (n, _) = decode(&clip, &[]);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("Frame Number=")).count(), n);
    assert!(stdout.lines().filter(|l| l.starts_with("Frame Number=")).all(|l| l.contains("Number of Objects=0")));
}
