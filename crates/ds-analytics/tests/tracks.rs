//! The analytics on hand-made tracks (10 fps, 1000x1000 frames, config in the same size):
//! ROI and inverse ROI, overcrowding, line crossing in each mode and direction, the segment
//! test of `extended=0`, direction classification, stopped objects, untracked objects, the
//! timeout that forgets an object.

use std::path::Path;

use ds_analytics::{AnalyticsConfig, FrameResult, ObjectInput, StreamAnalytics, UNTRACKED};

const FRAME_NS: u64 = 100_000_000;

fn config(groups: &str) -> AnalyticsConfig {
    let text = format!("[property]\nenable=1\nconfig-width=1000\nconfig-height=1000\n{groups}");
    AnalyticsConfig::parse_bytes(Path::new("test.txt"), text.as_bytes()).expect("config")
}

/// A 40x100 box whose bottom centre is at `(x, y)`.
fn person(id: u64, x: i32, y: i32) -> ObjectInput {
    ObjectInput {
        object_id: id,
        class_id: 2,
        left: (x - 20) as u32,
        top: (y - 100) as u32,
        width: 40,
        height: 100,
    }
}

/// Runs a straight walk of `frames` frames from `from` to `to` (bottom centre), one object.
fn walk(
    s: &mut StreamAnalytics,
    id: u64,
    from: (i32, i32),
    to: (i32, i32),
    frames: u32,
    t0: u64,
) -> Vec<FrameResult> {
    (0..frames)
        .map(|f| {
            let k = f as f32 / (frames - 1) as f32;
            let x = from.0 + ((to.0 - from.0) as f32 * k) as i32;
            let y = from.1 + ((to.1 - from.1) as f32 * k) as i32;
            s.process(t0 + f as u64 * FRAME_NS, &[person(id, x, y)])
        })
        .collect()
}

fn crossings(r: &[FrameResult], label: &str) -> u64 {
    r.iter()
        .map(|f| f.obj_lc_curr_cnt.get(label).copied().unwrap_or(0))
        .sum()
}

const LINE: &str = "[line-crossing-stream-0]\nenable=1\nclass-id=2\n\
    line-crossing-East=400;500;600;500;500;200;500;800\n\
    line-crossing-West=600;520;400;520;500;200;500;800\n";

#[test]
fn a_line_counts_each_direction_once_per_object() {
    for mode in ["loose", "balanced", "strict"] {
        let cfg = config(&format!("{LINE}mode={mode}\nextended=0\n"));
        let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
        // 30 frames left to right across x=500, inside the segment
        let r = walk(&mut s, 1, (300, 500), (700, 500), 30, 0);
        assert_eq!(
            (crossings(&r, "East"), crossings(&r, "West")),
            (1, 0),
            "{mode}"
        );
        // the per-object status names the line, once
        let with: Vec<usize> = r
            .iter()
            .enumerate()
            .filter(|(_, f)| f.objects[0].lc_status == ["East"])
            .map(|(i, _)| i)
            .collect();
        assert_eq!(with.len(), 1, "{mode}: {with:?}");
        assert!(r[with[0]].objects[0].obj_status.contains("LC:East"));
        // another person right to left
        let r = walk(&mut s, 2, (700, 600), (300, 600), 30, 40 * FRAME_NS);
        assert_eq!(
            (crossings(&r, "East"), crossings(&r, "West")),
            (0, 1),
            "{mode}"
        );
        let last = r.last().unwrap();
        assert_eq!(
            (last.obj_lc_cum_cnt["East"], last.obj_lc_cum_cnt["West"]),
            (1, 1),
            "{mode}"
        );
    }
}

#[test]
fn modes_differ_on_a_short_or_slanted_walk() {
    // 8 frames, 160 px: enough for loose (> 3 frames), not for balanced (> 10) or strict (> 20)
    for (mode, want) in [("loose", 1), ("balanced", 0), ("strict", 0)] {
        let cfg = config(&format!("{LINE}mode={mode}\n"));
        let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
        let r = walk(&mut s, 1, (420, 500), (580, 500), 8, 0);
        assert_eq!(crossings(&r, "East"), want, "short walk, {mode}");
    }
    // a slanted walk across the line (about 63° off the East direction): balanced's cosine
    // 0.5 and strict's 0.8 refuse it; loose counts it (its direction vector points at the
    // line from the left: only the change from the left side to the right side counts)
    let slanted = |mode: &str| {
        let cfg = config(&format!(
            "[line-crossing-stream-0]\nenable=1\nline-crossing-E=100;100;300;100;500;200;500;900\nmode={mode}\n"
        ));
        let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
        crossings(&walk(&mut s, 1, (400, 300), (600, 700), 30, 0), "E")
    };
    assert_eq!(slanted("loose"), 1);
    assert_eq!(slanted("balanced"), 0);
    assert_eq!(slanted("strict"), 0);
}

#[test]
fn extended_0_counts_only_the_segment() {
    // the walk passes x=500 at y=900, below the segment (200..800)
    for (extended, want) in [("0", 0), ("1", 1)] {
        let cfg = config(&format!("{LINE}mode=balanced\nextended={extended}\n"));
        let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
        let r = walk(&mut s, 1, (300, 950), (700, 950), 30, 0);
        assert_eq!(crossings(&r, "East"), want, "extended={extended}");
    }
}

#[test]
fn untracked_objects_and_other_classes_are_not_counted() {
    let cfg = config(&format!("{LINE}mode=loose\n"));
    let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
    assert_eq!(
        crossings(
            &walk(&mut s, UNTRACKED, (300, 500), (700, 500), 30, 0),
            "East"
        ),
        0
    );
    let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
    let r: Vec<FrameResult> = (0..30)
        .map(|f| {
            s.process(
                f * FRAME_NS,
                &[ObjectInput {
                    class_id: 0,
                    ..person(1, 300 + 14 * f as i32, 500)
                }],
            )
        })
        .collect();
    assert_eq!(crossings(&r, "East"), 0, "class 0 is not in class-id=2");
}

#[test]
fn an_object_forgotten_after_the_timeout_counts_again() {
    let cfg = config(&format!("{LINE}mode=loose\n"));
    let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
    assert_eq!(
        crossings(&walk(&mut s, 5, (300, 500), (700, 500), 30, 0), "East"),
        1
    );
    // back and across again 0.2 s later with the same id: still known, East already counted
    let r = walk(&mut s, 5, (300, 400), (700, 400), 30, 32 * FRAME_NS);
    assert_eq!(crossings(&r, "East"), 0);
    // 1 s later (more than 300 ms unseen): a new object for the analytics
    let r = walk(&mut s, 5, (300, 400), (700, 400), 30, 80 * FRAME_NS);
    assert_eq!(crossings(&r, "East"), 1);
    assert_eq!(s.cumulative("East"), 2);
}

const ROIS: &str = "[roi-filtering-stream-0]\nenable=1\nroi-In=200;200;800;200;800;800;200;800\nclass-id=-1\n\
    [roi-filtering-stream-1]\nenable=1\nroi-Out=200;200;800;200;800;800;200;800\ninverse-roi=1\n\
    [overcrowding-stream-0]\nenable=1\nroi-OC=200;200;800;200;800;800;200;800\nobject-threshold=2\n";

#[test]
fn roi_inverse_roi_and_overcrowding() {
    let cfg = config(ROIS);
    let mut s0 = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
    let mut s1 = StreamAnalytics::for_stream(&cfg, 1, 1000, 1000);
    // the bottom centre decides: a box reaching into the ROI with its feet outside is outside
    let objs = [
        person(1, 500, 500),
        person(2, 900, 500),
        person(3, 500, 850),
    ];
    let r0 = s0.process(0, &objs);
    assert_eq!(r0.obj_in_roi_cnt["In"], 1);
    assert_eq!(r0.objects[0].roi_status, ["In"]);
    assert!(r0.objects[1].roi_status.is_empty() && r0.objects[2].roi_status.is_empty());
    assert_eq!(r0.obj_in_roi_cnt["OC"], 1);
    assert!(!r0.oc_status["OC"], "1 < object-threshold 2");
    assert_eq!(r0.objects[0].oc_status, ["OC"]);
    let r1 = s1.process(0, &objs);
    assert_eq!(r1.obj_in_roi_cnt["Out"], 2, "inverse: the two outside");
    assert_eq!(r1.objects[1].roi_status, ["Out"]);
    assert!(
        r1.oc_status.is_empty(),
        "no overcrowding group for stream 1"
    );
    // a second person walks in: overcrowded; everyone leaves: not
    let r = s0.process(FRAME_NS, &[person(1, 500, 500), person(4, 300, 300)]);
    assert_eq!((r.obj_in_roi_cnt["OC"], r.oc_status["OC"]), (2, true));
    let r = s0.process(2 * FRAME_NS, &[person(1, 950, 500)]);
    assert_eq!(
        (
            r.obj_in_roi_cnt["In"],
            r.obj_in_roi_cnt["OC"],
            r.oc_status["OC"]
        ),
        (0, 0, false)
    );
    // results without status get no object meta
    assert!(!r.objects[0].has_meta());
}

#[test]
fn directions_are_classified_and_still_objects_stop() {
    let cfg = config(
        "[direction-detection-stream-0]\nenable=1\ndirection-East=100;900;300;900\ndirection-West=300;900;100;900\n\
         direction-North=500;900;500;700\ndirection-South=500;700;500;900\n",
    );
    let dir_at_end = |from: (i32, i32), to: (i32, i32)| {
        let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
        walk(&mut s, 1, from, to, 30, 0).last().unwrap().objects[0]
            .dir_status
            .clone()
    };
    assert_eq!(dir_at_end((200, 500), (800, 500)), " DIR:East ");
    assert_eq!(dir_at_end((800, 500), (200, 500)), " DIR:West ");
    assert_eq!(dir_at_end((500, 900), (500, 300)), " DIR:North ");
    assert_eq!(dir_at_end((500, 300), (500, 900)), " DIR:South ");
    // diagonal north-east: both East and North are within 60°
    assert_eq!(dir_at_end((200, 800), (700, 300)), " DIR:East  DIR:North ");
    // too little movement: no direction
    assert_eq!(dir_at_end((500, 500), (530, 500)), "");
    // standing still longer than the history (50 frames): STOPPED
    let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
    let r = walk(&mut s, 1, (500, 500), (500, 500), 60, 0);
    assert!(
        r[40].objects[0].obj_status.is_empty(),
        "{:?}",
        r[40].objects[0]
    );
    assert_eq!(r[59].objects[0].obj_status, " STOPPED ");
}

#[test]
fn points_scale_from_the_config_size_to_the_frame() {
    // the config is written for 500x500; the frame is 1000x1000: the line is at x=500
    let text = "[property]\nenable=1\nconfig-width=500\nconfig-height=500\n\
        [line-crossing-stream-all]\nenable=1\nline-crossing-E=200;250;300;250;250;100;250;400\nextended=0\nmode=balanced\n";
    let cfg = AnalyticsConfig::parse_bytes(Path::new("s.txt"), text.as_bytes()).unwrap();
    let mut s = StreamAnalytics::for_stream(&cfg, 3, 1000, 1000);
    assert_eq!(
        s.rules().lines[0].line[0],
        ds_analytics::Point::new(500, 200)
    );
    assert_eq!(
        crossings(&walk(&mut s, 1, (300, 500), (700, 500), 30, 0), "E"),
        1
    );
}

#[test]
fn class_counts_are_smoothed_over_the_window() {
    let cfg = config("[property]\nobj-cnt-win-in-ms=1000\n");
    let mut s = StreamAnalytics::for_stream(&cfg, 0, 1000, 1000);
    // two people for 5 frames, then one frame where the detector misses one
    for f in 0..5 {
        assert_eq!(
            s.process(f * FRAME_NS, &[person(1, 300, 300), person(2, 600, 600)])
                .obj_cnt[&2],
            2
        );
    }
    assert_eq!(
        s.process(5 * FRAME_NS, &[person(1, 300, 300)]).obj_cnt[&2],
        2,
        "the mode over 1 s"
    );
}
