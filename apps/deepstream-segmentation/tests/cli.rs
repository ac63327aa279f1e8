//! deepstream-segmentation run as a user runs it, portable backend: the class maps of two
//! real portraits against outlines drawn by hand, an MJPEG stream, the nvsegvisual picture,
//! and bad inputs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ds_testkit::{decode, out_path, root, stream, text};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-segmentation");
const LIMIT: Duration = Duration::from_secs(120);

/// Rough outlines of the people, drawn by eye on a 50-pixel grid over each image and checked
/// by drawing them over it (vertices in image pixels, clockwise from the top of the head).
/// astronaut.png (512x512): Eileen Collins from hair to the bottom edge; the helmet she holds
/// is a second polygon (a person segmenter takes what a person holds as foreground).
const ASTRONAUT_PERSON: &[(f64, f64)] = &[
    (200., 15.), (225., 12.), (262., 18.), (290., 40.), (300., 75.), (298., 115.), (288., 150.),
    (300., 180.), (305., 215.), (300., 250.), (335., 275.), (352., 300.), (360., 345.),
    (320., 355.), (295., 380.), (280., 420.), (275., 470.), (270., 512.), (20., 512.),
    (25., 420.), (30., 330.), (45., 290.), (75., 255.), (112., 225.), (115., 190.), (135., 170.),
    (165., 160.), (158., 130.), (152., 95.), (152., 60.), (170., 30.),
];
const ASTRONAUT_HELMET: &[(f64, f64)] = &[
    (300., 380.), (330., 355.), (370., 343.), (410., 345.), (450., 360.), (480., 385.),
    (500., 420.), (512., 450.), (512., 512.), (285., 512.), (278., 460.), (285., 410.),
];
/// grace_hopper.jpg (512x600): Grace Hopper from the cap to the bottom edge.
const GRACE_HOPPER: &[(f64, f64)] = &[
    (265., 22.), (310., 35.), (345., 60.), (365., 90.), (372., 120.), (370., 160.), (362., 200.),
    (355., 240.), (345., 280.), (340., 315.), (350., 335.), (400., 355.), (450., 375.),
    (490., 400.), (505., 440.), (512., 500.), (512., 600.), (10., 600.), (15., 480.),
    (25., 420.), (40., 385.), (90., 360.), (140., 345.), (175., 330.), (165., 290.),
    (160., 250.), (155., 200.), (150., 150.), (152., 110.), (165., 75.), (190., 50.),
    (220., 30.),
];

/// The portable config of the sample.
fn config() -> String {
    root()
        .join("configs/deepstream-segmentation/portable/dstest_segmentation_config_semantic.txt")
        .display()
        .to_string()
}

/// A fresh (absent) output folder under target/test-out.
fn folder(name: &str) -> PathBuf {
    let p = out_path("deepstream-segmentation", name);
    let _ = std::fs::remove_dir_all(&p);
    let _ = std::fs::remove_file(&p);
    p
}

fn inside(poly: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut c = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let ((xi, yi), (xj, yj)) = (poly[i], poly[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            c = !c;
        }
        j = i;
    }
    c
}

/// A saved class map, decoded: per pixel, whether its colour is the person's (class 1,
/// `COLORS[1]` = BGR 0,0,128) rather than the background's (class 0, BGR 128,128,64).
fn person_mask(jpg: &Path) -> (u32, u32, Vec<bool>) {
    let (n, frames) = decode(jpg, &[0]);
    assert_eq!(n, 1, "{} should decode to one picture", jpg.display());
    let f = &frames[0].1;
    let person = [128.0, 0.0, 0.0];
    let background = [64.0, 128.0, 128.0];
    let d = |p: &[u8], c: [f64; 3]| (0..3).map(|k| (p[k] as f64 - c[k]).powi(2)).sum::<f64>();
    let mask = f.rgba.chunks_exact(4).map(|p| d(p, person) < d(p, background)).collect();
    (f.width, f.height, mask)
}

/// IoU of the mask (scaled to the image, nearest) with the union of `polys`, and the share
/// of `polys[0]` the mask covers.
fn compare(mask: &(u32, u32, Vec<bool>), (iw, ih): (u32, u32), polys: &[&[(f64, f64)]]) -> (f64, f64) {
    let (mw, mh, m) = mask;
    let (mut inter, mut uni, mut first, mut first_hit) = (0u64, 0u64, 0u64, 0u64);
    for y in 0..ih {
        for x in 0..iw {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let r = polys.iter().any(|p| inside(p, px, py));
            let v = m[((y * mh / ih) * mw + x * mw / iw) as usize];
            inter += (r && v) as u64;
            uni += (r || v) as u64;
            if inside(polys[0], px, py) {
                first += 1;
                first_hit += v as u64;
            }
        }
    }
    (inter as f64 / uni as f64, first_hit as f64 / first as f64)
}

fn run_ok(input: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![config(), input.display().to_string(), out.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ds_testkit::run(BIN, &args, &[], LIMIT);
    let (so, se) = text(&o);
    assert!(o.status.success(), "deepstream-segmentation {args:?} failed\nstdout:\n{so}\nstderr:\n{se}");
    so
}

#[test]
fn masks_cover_the_people_of_two_portraits() {
    for (img, size, polys, name) in [
        ("astronaut.jpg", (512, 512), vec![ASTRONAUT_PERSON, ASTRONAUT_HELMET], "astronaut"),
        ("grace_hopper.jpg", (512, 600), vec![GRACE_HOPPER], "grace_hopper"),
    ] {
        let out = folder(name);
        let mp4 = out_path("deepstream-segmentation", &format!("{name}.mp4"));
        let so = run_ok(&stream(img), &out, &["--sink", "file", "--output", &mp4.display().to_string()]);
        assert!(so.contains("Frames will be saved in"), "{so}");
        let files: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files, vec![std::ffi::OsString::from("0.jpg")], "one class map per frame");
        let mask = person_mask(&out.join("0.jpg"));
        assert_eq!((mask.0, mask.1), (256, 256), "the map has the model's output size");
        let (iou, recall) = compare(&mask, size, &polys);
        eprintln!("{img}: IoU with the hand-drawn outline {iou:.3}, person covered {recall:.3}");
        assert!(iou >= 0.8, "{img}: IoU {iou:.3} < 0.8");
        assert!(recall >= 0.9, "{img}: the mask covers {recall:.3} of the person");

        // nvsegvisual's picture (512x512): the person's colour where the face is, the
        // background's in a top corner away from the person.
        let (n, frames) = decode(&mp4, &[0]);
        assert_eq!(n, 1, "{}: one frame", mp4.display());
        let f = &frames[0].1;
        assert_eq!((f.width, f.height), (512, 512));
        let face = f.mean_rgb(236, 180, 40, 40);
        assert!(face[0] > 100.0 && face[1] < 40.0 && face[2] < 40.0, "{img}: face colour {face:?}");
        let corner = f.mean_rgb(460, 10, 40, 40);
        assert!(corner[0] < 90.0 && corner[1] > 100.0 && corner[2] > 100.0, "{img}: corner colour {corner:?}");
    }
}

#[test]
fn mjpeg_stream_gives_one_map_per_frame() {
    // Three copies of the portrait one after the other: an MJPEG stream of 3 frames.
    let jpg = std::fs::read(stream("grace_hopper.jpg")).unwrap();
    let mjpeg = out_path("deepstream-segmentation", "grace_hopper.mjpeg");
    std::fs::write(&mjpeg, [jpg.clone(), jpg.clone(), jpg].concat()).unwrap();
    let out = folder("mjpeg");
    run_ok(&mjpeg, &out, &["--sink", "fake"]);
    for i in 0..3 {
        let mask = person_mask(&out.join(format!("{i}.jpg")));
        let (iou, _) = compare(&mask, (512, 600), &[GRACE_HOPPER]);
        assert!(iou >= 0.8, "frame {i}: IoU {iou:.3}");
    }
    assert!(!out.join("3.jpg").exists());
}

fn run_err(args: &[&str]) -> String {
    let o = ds_testkit::run(BIN, args, &[], LIMIT);
    let (so, se) = text(&o);
    assert!(!o.status.success(), "{args:?} should fail\nstdout:\n{so}\nstderr:\n{se}");
    assert!(!se.contains("panicked"), "{se}");
    se
}

#[test]
fn bad_inputs_are_clear_errors() {
    let cfg = config();
    // not a JPEG
    let png = stream("astronaut.png").display().to_string();
    let out = folder("bad-png");
    let se = run_err(&[&cfg, &png, &out.display().to_string()]);
    assert!(se.contains("astronaut.png") && se.contains("not a JPEG") && se.contains("PNG"), "{se}");
    assert!(!out.exists(), "no folder made for a bad input");
    // folder exists
    let out = folder("exists");
    std::fs::create_dir_all(&out).unwrap();
    let jpg = stream("grace_hopper.jpg").display().to_string();
    let se = run_err(&[&cfg, &jpg, &out.display().to_string()]);
    assert!(se.contains(&format!("The output folder {} already exists. Please remove it first.", out.display())), "{se}");
    // a segmentation config whose model has no mask output (the detector's)
    let bad_cfg = out_path("deepstream-segmentation", "no_mask_output.txt");
    std::fs::write(
        &bad_cfg,
        format!(
            "[property]\nnet-scale-factor=0.00392156862745098\nonnx-file={}\nmodel-color-format=0\ninfer-dims=3;416;416\nnetwork-type=2\nnum-detected-classes=80\n",
            root().join("models/yolov3-tiny/yolov3-tiny.onnx").display()
        ),
    )
    .unwrap();
    let out = folder("no-mask");
    let se = run_err(&[&bad_cfg.display().to_string(), &jpg, &out.display().to_string()]);
    assert!(se.contains("yolov3-tiny.onnx") && se.contains("mask output"), "{se}");
    // config file missing
    let se = run_err(&["/nonexistent/seg.txt", &jpg, &folder("nocfg").display().to_string()]);
    assert!(se.contains("/nonexistent/seg.txt"), "{se}");
}
