//! dsof and dsofvisual on the real clip streams/vtest.h264 (768x576, people walking across a
//! square, fixed camera): the flow inside each walking person's box points the way the box
//! moves (the boxes from dsinfer with the deepstream-test1 portable config, YOLOv3-tiny), the
//! still background has next to no flow, and dsofvisual paints moving blocks in colour and
//! still ones white.
mod common;

use common::{clip, init, launch, run};
use ds_meta::BatchMeta;
use gst::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const FRAMES: u32 = 60;
const W: usize = 768;
const H: usize = 576;
const PERSON: i32 = 2;

/// Per frame: person boxes `[left, top, width, height]`, the flow grid (rows, cols, vectors
/// in pixels).
type Seen = BTreeMap<i32, (Vec<[f32; 4]>, usize, usize, Vec<(f32, f32)>)>;

fn flow_run() -> Seen {
    init();
    let config = common::root().join("configs/deepstream-test1/portable/dstest1_pgie_config.txt");
    let p = launch(&format!(
        "filesrc location={} ! h264parse ! avdec_h264 ! identity eos-after={} ! m.sink_0 \
         dsstreammux name=m batch-size=1 width={W} height={H} batched-push-timeout=-1 ! \
         dsinfer config-file-path={} ! dsof name=of ! fakesink",
        clip("vtest.h264"),
        FRAMES,
        config.display()
    ));
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let s2 = seen.clone();
    p.by_name("of").unwrap().static_pad("src").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let bm = BatchMeta::from_buffer(info.buffer().unwrap()).unwrap();
        for f in bm.frames() {
            let boxes = f
                .objects()
                .filter(|o| o.class_id() == PERSON)
                .map(|o| {
                    let r = o.rect_params();
                    [r.left, r.top, r.width, r.height]
                })
                .collect();
            let of = f.user_metas().find_map(|u| u.optical_flow()).expect("every frame has flow meta");
            let a = of.to_array();
            let v = a.as_slice().unwrap().chunks_exact(2).map(|c| (c[0] / 32.0, c[1] / 32.0)).collect();
            s2.lock().unwrap().insert(f.frame_num(), (boxes, of.rows() as usize, of.cols() as usize, v));
        }
        gst::PadProbeReturn::Ok
    });
    run(&p, Duration::from_secs(600)).unwrap();
    seen.lock().unwrap().clone()
}

/// Mean flow of the blocks whose centres are in `r` (shrunk to its middle 60 % in width, the
/// torso, away from the background at the box's edges).
fn mean_in(rows: usize, cols: usize, v: &[(f32, f32)], r: &[f32; 4]) -> Option<(f32, f32)> {
    let (x0, x1) = (r[0] + 0.2 * r[2], r[0] + 0.8 * r[2]);
    let (y0, y1) = (r[1] + 0.1 * r[3], r[1] + 0.9 * r[3]);
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0);
    for row in 0..rows {
        let cy = row as f32 * 4.0 + 2.0;
        if cy < y0 || cy >= y1 {
            continue;
        }
        for col in 0..cols {
            let cx = col as f32 * 4.0 + 2.0;
            if cx < x0 || cx >= x1 {
                continue;
            }
            let (dx, dy) = v[row * cols + col];
            sx += dx;
            sy += dy;
            n += 1;
        }
    }
    (n > 0).then(|| (sx / n as f32, sy / n as f32))
}

fn centre(r: &[f32; 4]) -> (f32, f32) {
    (r[0] + r[2] / 2.0, r[1] + r[3] / 2.0)
}

#[test]
fn flow_follows_walking_people_and_background_is_still() {
    let seen = flow_run();
    assert_eq!(seen.len(), FRAMES as usize, "flow meta on every frame");
    let (_, rows, cols, first) = &seen[&0];
    assert_eq!((*rows, *cols), (H / 4, W / 4), "nvof's 4x4 grid");
    assert!(first.iter().all(|&(x, y)| x == 0.0 && y == 0.0), "first frame: zero vectors");

    // Person boxes followed over STEP frames (nearest centre, similar height): the box's
    // horizontal motion against the sum of the flow in the box over the same frames.
    const STEP: i32 = 5;
    let (mut agree, mut disagree) = (0, 0);
    for n in (STEP..FRAMES as i32).step_by(STEP as usize) {
        for b in &seen[&n].0 {
            let c = centre(b);
            let Some(a) = seen[&(n - STEP)].0.iter().min_by(|p, q| {
                let (dp, dq) = (centre(p), centre(q));
                let d = |e: (f32, f32)| (e.0 - c.0).powi(2) + (e.1 - c.1).powi(2);
                d(dp).total_cmp(&d(dq))
            }) else {
                continue;
            };
            let ca = centre(a);
            let (bdx, bdy) = (c.0 - ca.0, c.1 - ca.1);
            if bdx.hypot(bdy) > 40.0 || (a[3] - b[3]).abs() > 0.3 * b[3] || bdx.abs() < 8.0 {
                continue; // another person, or hardly moving sideways (the boxes jitter by a few pixels)
            }
            // flow summed over frames n-STEP+1 ..= n, each in the box of that frame's person
            // (interpolated between the two boxes)
            let mut fx = 0.0;
            for k in 1..=STEP {
                let t = k as f32 / STEP as f32;
                let r = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), b[2], b[3]];
                let (_, rows, cols, v) = &seen[&(n - STEP + k)];
                fx += mean_in(*rows, *cols, v, &r).unwrap_or((0.0, 0.0)).0;
            }
            eprintln!("frame {n}: box moved {bdx:+.1} px, flow {fx:+.1} px");
            if fx.signum() == bdx.signum() && fx.abs() > 0.25 * bdx.abs() {
                agree += 1;
            } else {
                disagree += 1;
            }
        }
    }
    eprintln!("walking people: flow agrees with the box {agree} times, not {disagree} times");
    assert!(agree >= 10, "too few walking people compared ({agree})");
    assert!(agree as f32 >= 0.9 * (agree + disagree) as f32, "agree {agree}, disagree {disagree}");

    // Background: blocks 24 px or more away from every person box, in frames 1.. .
    let (mut sum, mut n, mut big) = (0.0f64, 0usize, 0usize);
    for (f, (boxes, rows, cols, v)) in &seen {
        if *f == 0 {
            continue;
        }
        for row in 0..*rows {
            for col in 0..*cols {
                let (x, y) = (col as f32 * 4.0 + 2.0, row as f32 * 4.0 + 2.0);
                let near = boxes.iter().any(|r| {
                    x > r[0] - 24.0 && x < r[0] + r[2] + 24.0 && y > r[1] - 24.0 && y < r[1] + r[3] + 24.0
                });
                if near {
                    continue;
                }
                let (dx, dy) = v[row * cols + col];
                let m = dx.hypot(dy) as f64;
                sum += m;
                n += 1;
                big += (m > 1.0) as usize;
            }
        }
    }
    let mean = sum / n as f64;
    eprintln!("background: mean |flow| {mean:.3} px over {n} blocks, {big} above 1 px");
    assert!(mean < 0.15, "background mean |flow| {mean:.3} px");
    assert!((big as f64) < 0.02 * n as f64, "{big} of {n} background blocks above 1 px");
}

#[test]
fn ofvisual_colours_motion_and_leaves_still_blocks_white() {
    init();
    // frames 0..=20: frame 20 of vtest, coloured
    let p = launch(&format!(
        "filesrc location={} ! h264parse ! avdec_h264 ! identity eos-after=21 ! m.sink_0 \
         dsstreammux name=m batch-size=1 width={W} height={H} batched-push-timeout=-1 ! \
         dsof ! dsofvisual name=v ! fakesink",
        clip("vtest.h264")
    ));
    // per frame: the painted pixels, the vectors in pixels
    type Out = Vec<(Vec<u8>, Vec<(f32, f32)>)>;
    let out: Arc<Mutex<Out>> = Arc::default();
    let o2 = out.clone();
    p.by_name("v").unwrap().static_pad("src").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let buf = info.buffer().unwrap();
        let bm = BatchMeta::from_buffer(buf).unwrap();
        let f = bm.frames().next().unwrap();
        let of = f.user_metas().find_map(|u| u.optical_flow()).unwrap();
        let v = of.vectors().iter().map(|v| (v.flowx as f32 / 32.0, v.flowy as f32 / 32.0)).collect();
        let px = buf.peek_memory(0).map_readable().unwrap().as_slice().to_vec();
        o2.lock().unwrap().push((px, v));
        gst::PadProbeReturn::Ok
    });
    run(&p, Duration::from_secs(300)).unwrap();
    let out = out.lock().unwrap();
    let (px, v) = out.last().unwrap();
    let cols = W / 4;
    // blocks moving at least a third of the frame's largest motion (dsofvisual's saturation
    // is relative to it)
    let max = v.iter().map(|&(dx, dy)| dx.hypot(dy)).fold(0.0f32, f32::max);
    let (mut moving_coloured, mut moving, mut still_white, mut still) = (0, 0, 0, 0);
    for (i, &(dx, dy)) in v.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let p = &px[((r * 4 + 2) * W + c * 4 + 2) * 4..][..3];
        let white = p.iter().all(|&x| x >= 235);
        if dx.hypot(dy) > max / 3.0 {
            moving += 1;
            moving_coloured += (!white) as usize;
        } else if dx.hypot(dy) < 0.05 {
            still += 1;
            still_white += white as usize;
        }
    }
    eprintln!("moving blocks coloured {moving_coloured}/{moving}, still blocks white {still_white}/{still}");
    assert!(moving > 20 && moving_coloured == moving);
    assert!(still > 1000 && still_white as f64 > 0.99 * still as f64);
}
