//! deepstream-imagedata-multistream run as a user runs it: two real clips, the JPEGs it
//! writes checked against the clips and the metadata it printed; bad input. Portable backend.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use opencv::core::{Mat, Vec3b};
use opencv::prelude::*;
use opencv::{imgcodecs, imgproc};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-imagedata-multistream");
const APP: &str = "deepstream-imagedata-multistream";

/// A "Borderline object in stream_<i> frame <n>: <class> confidence=<c> left=.. top=.. width=.. height=.." line.
#[derive(Debug)]
struct Borderline {
    stream: usize,
    frame: usize,
    confidence: f32,
    rect: [i32; 4],
}

fn borderlines(stdout: &str) -> Vec<Borderline> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Borderline object in stream_"))
        .map(|l| {
            let (stream, rest) = l.split_once(" frame ").unwrap();
            let (frame, rest) = rest.split_once(": ").unwrap();
            let field = |k: &str| rest.split(' ').find_map(|w| w.strip_prefix(k)).unwrap();
            let conf = field("confidence=");
            let num = |k: &str| field(k).parse::<i32>().unwrap();
            Borderline {
                stream: stream.parse().unwrap(),
                frame: frame.parse().unwrap(),
                confidence: conf.parse().unwrap(),
                rect: [num("left="), num("top="), num("width="), num("height=")],
            }
        })
        .collect()
}

/// Mean BGR over the 3 × 3 pixels around (x, y).
fn mean_bgr(img: &Mat, x: i32, y: i32) -> [f64; 3] {
    let mut s = [0f64; 3];
    for dy in -1..=1 {
        for dx in -1..=1 {
            let p = img.at_2d::<Vec3b>(y + dy, x + dx).unwrap();
            for c in 0..3 {
                s[c] += p[c] as f64 / 9.0;
            }
        }
    }
    s
}

fn is_blue(bgr: [f64; 3]) -> bool {
    bgr[0] > 170.0 && bgr[1] < 90.0 && bgr[2] < 90.0
}

/// The JPEG as a [`ds_testkit::Frame`] (RGBA).
fn as_frame(img: &Mat) -> ds_testkit::Frame {
    let mut rgba = Mat::default();
    imgproc::cvt_color_def(img, &mut rgba, imgproc::COLOR_BGR2RGBA).unwrap();
    ds_testkit::Frame { width: img.cols() as u32, height: img.rows() as u32, rgba: rgba.data_bytes().unwrap().to_vec() }
}

#[test]
fn two_clips_write_annotated_jpegs_of_borderline_frames() {
    let clips = ["bikes.mp4", "market-2s.mp4"];
    let folder = ds_testkit::out_path(APP, "frames");
    let _ = std::fs::remove_dir_all(&folder);
    let uris: Vec<String> = clips.iter().map(|c| ds_testkit::stream_uri(c)).collect();
    let start = Instant::now();
    let out = ds_testkit::run(
        BIN,
        &[&uris[0], &uris[1], folder.to_str().unwrap(), "--backend", "portable", "--sink", "fake"],
        &[],
        Duration::from_secs(600),
    );
    let took = start.elapsed();
    let (stdout, stderr) = ds_testkit::text(&out);
    assert!(out.status.success(), "exit {:?}\nstderr:\n{stderr}", out.status);
    assert!(stdout.contains(&format!("Frames will be saved in  {}", folder.display())), "{stdout}");
    if took > Duration::from_secs(6) {
        assert!(stdout.contains("**PERF:"), "ran {took:?} without a **PERF: line");
    }

    let marks = borderlines(&stdout);
    println!("{} borderline frames: {marks:?}", marks.len());
    assert!(!marks.is_empty(), "no borderline object on any 30th frame of {clips:?}:\n{stdout}");
    // The JPEGs are exactly those of the frames with a borderline object, every 30th frame.
    let mut files = BTreeSet::new();
    for (i, _) in clips.iter().enumerate() {
        for e in std::fs::read_dir(folder.join(format!("stream_{i}"))).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            let n: usize = name.strip_prefix("frame_").and_then(|s| s.strip_suffix(".jpg")).unwrap().parse().unwrap();
            files.insert((i, n));
        }
    }
    let expected: BTreeSet<(usize, usize)> = marks.iter().map(|m| (m.stream, m.frame)).collect();
    assert_eq!(files, expected);
    for m in &marks {
        assert_eq!(m.frame % 30, 0, "{m:?}");
        assert!(0.3 < m.confidence && m.confidence < 0.4, "{m:?}");
    }

    let mut checked_corner = false;
    for m in &marks {
        let path = folder.join(format!("stream_{}/frame_{}.jpg", m.stream, m.frame));
        let img = imgcodecs::imread(path.to_str().unwrap(), imgcodecs::IMREAD_COLOR).unwrap();
        assert_eq!((img.cols(), img.rows()), (1920, 1080), "{}", path.display());
        // The clip's frame (scaled to the muxer's 1920 × 1080): same picture.
        let (_, kept) = ds_testkit::decode(&ds_testkit::stream(clips[m.stream]), &[m.frame]);
        let clip = &kept[0].1;
        let jpeg = as_frame(&img);
        let a = clip.grey_thumbnail(0, 0, clip.width, clip.height, 32, 18);
        let b = jpeg.grey_thumbnail(0, 0, jpeg.width, jpeg.height, 32, 18);
        let r = ds_testkit::correlation(&a, &b);
        assert!(r > 0.9, "{}: correlation with frame {} of {} is {r:.3}", path.display(), m.frame, clips[m.stream]);
        // The brackets where the metadata says: blue at the middle of each edge inside the
        // frame, and open corners.
        let [l, t, w, h] = m.rect;
        let inside = |x: i32, y: i32| (2..1918).contains(&x) && (2..1078).contains(&y);
        for (x, y) in [(l + w / 2, t), (l + w / 2, t + h), (l, t + h / 2), (l + w, t + h / 2)] {
            if inside(x, y) {
                assert!(is_blue(mean_bgr(&img, x, y)), "{}: not blue at ({x}, {y}) of box {:?}: {:?}", path.display(), m.rect, mean_bgr(&img, x, y));
            }
        }
        let (wp, hp) = (if w > 100 { w / 20 } else { w / 10 }, if h > 100 { h / 20 } else { h / 10 });
        if wp >= 8 && hp >= 8 && inside(l + w, t + h) {
            // the bottom-right corner is open (the top-left one holds the label)
            assert!(!is_blue(mean_bgr(&img, l + w, t + h)), "{}: closed corner", path.display());
            checked_corner = true;
        }
    }
    println!("open corner checked: {checked_corner}");
}

#[test]
fn bad_input_is_an_error() {
    let t = Duration::from_secs(60);
    // Too few arguments: usage.
    let out = ds_testkit::run(BIN, &["file:///x.mp4"], &[], t);
    assert_eq!(out.status.code(), Some(1));
    assert!(ds_testkit::text(&out).1.contains("usage: deepstream-imagedata-multistream <uri1>"));

    // The folder exists: the sample's message, non-zero exit.
    let folder = ds_testkit::out_path(APP, "exists");
    std::fs::create_dir_all(&folder).unwrap();
    let uri = ds_testkit::stream_uri("vtest-4s.mp4");
    let out = ds_testkit::run(BIN, &[&uri, folder.to_str().unwrap(), "--backend", "portable"], &[], t);
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("The output folder {} already exists. Please remove it first.", folder.display())), "{stderr}");

    // Not a URI: named, and no folder made.
    let folder = ds_testkit::out_path(APP, "never");
    let _ = std::fs::remove_dir_all(&folder);
    let out = ds_testkit::run(BIN, &[&uri, "no-such-clip.mp4", folder.to_str().unwrap(), "--backend", "portable"], &[], t);
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("source 1: 'no-such-clip.mp4' is not a URI"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!Path::new(&folder).exists());
}

/// The brackets are drawn on the frame itself, so they are in the video downstream too: one
/// clip, so the tiler's output frame n is the clip's frame n at the muxer's size. market-2s
/// has borderline people on several frames (bikes.mp4 had a single borderline object, which
/// a change of the muxer's scaling filter took away).
#[test]
fn brackets_are_in_the_output_video() {
    let folder = ds_testkit::out_path(APP, "frames-one");
    let _ = std::fs::remove_dir_all(&folder);
    let mp4 = ds_testkit::out_path(APP, "one.mp4");
    let _ = std::fs::remove_file(&mp4);
    let uri = ds_testkit::stream_uri("market-2s.mp4");
    let out = ds_testkit::run(
        BIN,
        &[&uri, folder.to_str().unwrap(), "--backend", "portable", "--sink", "file", "--output", mp4.to_str().unwrap()],
        &[],
        Duration::from_secs(600),
    );
    let (stdout, stderr) = ds_testkit::text(&out);
    assert!(out.status.success(), "exit {:?}\nstderr:\n{stderr}", out.status);
    let marks = borderlines(&stdout);
    assert!(!marks.is_empty(), "no borderline object on a 30th frame of market-2s.mp4:\n{stdout}");
    let keep: Vec<usize> = marks.iter().map(|m| m.frame).collect();
    let (n, frames) = ds_testkit::decode(&mp4, &keep);
    assert_eq!(n, ds_testkit::decode(&ds_testkit::stream("market-2s.mp4"), &[]).0, "every frame in the output");
    for (m, (k, f)) in marks.iter().zip(&frames) {
        assert_eq!(m.frame, *k);
        assert_eq!((f.width, f.height), (1920, 1080));
        let [l, t, w, h] = m.rect;
        // The bottom bracket is 6 px thick across the box's bottom edge, where the OSD also
        // draws the box's border: blue pixels in the rows around the edge.
        let (x, y) = ((l + w / 2) as u32, (t + h) as u32);
        let column: Vec<[f64; 3]> = (y - 4..=y + 4).map(|yy| f.mean_rgb(x, yy, 1, 1)).collect();
        let blue = column.iter().filter(|[r, g, b]| *b > 170.0 && *r < 90.0 && *g < 90.0).count();
        assert!(blue >= 2, "output frame {k}: no blue bracket across ({x}, {y}): {column:?}");
    }
}
