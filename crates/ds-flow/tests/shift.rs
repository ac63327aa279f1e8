//! The flow of a real frame translated by a known number of pixels, and of a frame against
//! itself.

use ds_flow::{FlowEstimator, Preset, rgba_to_gray};

/// Frame 10 of the vtest clip (768x576 CCTV) as grey.
fn real_frame() -> (Vec<u8>, usize, usize) {
    let (_, frames) = ds_testkit::decode(&ds_testkit::stream("vtest-4s.mp4"), &[10]);
    let f = &frames[0].1;
    let (w, h) = (f.width as usize, f.height as usize);
    (rgba_to_gray(&f.rgba, w, h, w * 4), w, h)
}

/// `img` moved by `(dx, dy)` whole pixels (content moves right/down for positive values);
/// the uncovered edge repeats the nearest pixel.
fn shifted(img: &[u8], w: usize, h: usize, dx: i32, dy: i32) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let sx = (x as i32 - dx).clamp(0, w as i32 - 1) as usize;
            let sy = (y as i32 - dy).clamp(0, h as i32 - 1) as usize;
            out[y * w + x] = img[sy * w + sx];
        }
    }
    out
}

#[test]
fn a_known_shift_comes_out_within_half_a_pixel() {
    let (img, w, h) = real_frame();
    for preset in [Preset::Fast, Preset::Medium, Preset::Slow] {
        for (dx, dy) in [(5, -3), (-2, 4), (12, 0)] {
            let mut est = FlowEstimator::new(preset).unwrap();
            let first = est.push_gray(&img, w, h).unwrap();
            assert!(first.vectors.iter().all(|v| v.flowx == 0 && v.flowy == 0), "first frame: zeros");
            let g = est.push_gray(&shifted(&img, w, h, dx, dy), w, h).unwrap();
            assert_eq!((g.rows, g.cols), (h.div_ceil(4), w.div_ceil(4)));
            // away from the edges the shift exposes
            let (mx, my) = g.mean_in(32.0, 32.0, w as f32 - 64.0, h as f32 - 64.0).unwrap();
            eprintln!("{preset:?} shift ({dx}, {dy}): mean flow ({mx:.3}, {my:.3})");
            assert!((mx - dx as f32).abs() <= 0.5 && (my - dy as f32).abs() <= 0.5,
                "{preset:?}: shift ({dx}, {dy}) came out as ({mx:.3}, {my:.3})");
        }
    }
}

#[test]
fn a_still_frame_has_no_flow() {
    let (img, w, h) = real_frame();
    let mut est = FlowEstimator::new(Preset::Fast).unwrap();
    est.push_gray(&img, w, h).unwrap();
    let g = est.push_gray(&img, w, h).unwrap();
    let (mx, my) = g.mean_in(0.0, 0.0, w as f32, h as f32).unwrap();
    assert!(mx.abs() < 0.05 && my.abs() < 0.05, "({mx}, {my})");
}

#[test]
fn wrong_sizes_are_errors() {
    let mut est = FlowEstimator::new(Preset::Fast).unwrap();
    let e = est.push_gray(&[0u8; 10], 4, 4).unwrap_err().to_string();
    assert!(e.contains("10 bytes for a 4x4"), "{e}");
}
