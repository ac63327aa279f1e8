//! `dsanalytics` in a pipeline: a tracked object walking across a line and through a ROI
//! (object metas written before the element, as the tracker would), the analytics user metas
//! read back through ds-meta's readers, the OSD drawing nvdsanalytics makes, `enable=false`,
//! `unique-id`, and a missing config file.

mod common;

use common::{init, launch, run};
use ds_meta::BatchMeta;
use gst::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CONFIG: &str = "[property]\nenable=1\nconfig-width=320\nconfig-height=240\nosd-mode=2\ndisplay-font-size=14\n\
[roi-filtering-stream-0]\nenable=1\nroi-Left=0;0;160;0;160;240;0;240\n\
[line-crossing-stream-0]\nenable=1\nline-crossing-East=120;120;200;120;160;40;160;200\nextended=0\nmode=balanced\n";

#[derive(Default, Debug)]
struct Seen {
    frames: u32,
    frame_metas: Vec<ds_meta::AnalyticsFrameMeta>,
    crossings: Vec<(i32, Vec<String>, String)>,
    /// (colour, count) of the lines of the last frame's display metas.
    lines: Vec<([u8; 3], u32)>,
    labels: Vec<(String, u32, u32, u32)>,
    inverted_borders: u32,
}

/// Runs 40 frames of 640x480 with one person (id 7, 40x100 box) walking right 12 px per
/// frame from x=100 (frame pixels; the config is written for half the size).
fn walk(extra: &str, config: &str) -> Result<Seen, String> {
    init();
    let dir = std::env::temp_dir().join(format!("dsanalytics-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join(format!("cfg-{}.txt", config.len() + extra.len()));
    std::fs::write(&cfg, config).unwrap();
    let p = launch(&format!(
        "videotestsrc num-buffers=40 ! video/x-raw,width=640,height=480,framerate=10/1 ! m.sink_0 \
         dsstreammux name=m batch-size=1 width=640 height=480 ! identity name=inject ! \
         dsanalytics name=an config-file={} {extra} ! identity name=pick ! dsosd ! fakesink",
        cfg.display()
    ));
    let inject = p.by_name("inject").unwrap().static_pad("src").unwrap();
    inject.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buf) = info.buffer_mut()
            && let Some(b) = BatchMeta::from_buffer_mut(buf.make_mut())
        {
            for f in b.frames_mut() {
                let n = f.frame_num();
                let o = f.add_obj_meta(None).unwrap();
                o.set_class_id(2);
                o.set_object_id(7);
                let r = o.rect_params_mut();
                (r.left, r.top, r.width, r.height) = (100.0 + 12.0 * n as f32, 200.0, 40.0, 100.0);
                r.border_color.set(1.0, 0.0, 0.0, 1.0);
            }
        }
        gst::PadProbeReturn::Ok
    });
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    let pick = p.by_name("pick").unwrap().static_pad("src").unwrap();
    pick.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(buf) = info.buffer() else {
            return gst::PadProbeReturn::Ok;
        };
        let Some(b) = BatchMeta::from_buffer(buf) else {
            return gst::PadProbeReturn::Ok;
        };
        let mut s = s.lock().unwrap();
        for f in b.frames() {
            s.frames += 1;
            s.frame_metas
                .extend(f.user_metas().filter_map(|u| u.analytics_frame()));
            for o in f.objects() {
                for u in o.user_metas() {
                    if let Some(a) = u.analytics_obj()
                        && !a.lc_status.is_empty()
                    {
                        s.crossings.push((
                            f.frame_num(),
                            a.lc_status.clone(),
                            o.text_params().display_text().to_string(),
                        ));
                    }
                }
                if o.rect_params().border_color.green == 1.0 {
                    s.inverted_borders += 1;
                }
            }
            let mut lines: Vec<([u8; 3], u32)> = Vec::new();
            s.labels.clear();
            for d in f.display_metas() {
                for l in d.lines() {
                    let c = &l.line_color;
                    let key = [
                        (c.red * 2.0) as u8,
                        (c.green * 2.0) as u8,
                        (c.blue * 2.0) as u8,
                    ];
                    match lines.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, n)) => *n += 1,
                        None => lines.push((key, 1)),
                    }
                    assert_eq!(l.line_width, 2);
                }
                for t in d.labels() {
                    s.labels.push((
                        t.display_text().to_string(),
                        t.x_offset(),
                        t.y_offset(),
                        t.font_params().font_size(),
                    ));
                }
            }
            s.lines = lines;
        }
        gst::PadProbeReturn::Ok
    });
    run(&p, Duration::from_secs(60))?;
    let s = std::mem::take(&mut *seen.lock().unwrap());
    Ok(s)
}

#[test]
fn a_walk_across_the_line_and_out_of_the_roi() {
    let s = walk("unique-id=5", CONFIG).expect("pipeline");
    assert_eq!(s.frames, 40);
    assert_eq!(s.frame_metas.len(), 40, "one frame meta per frame");
    assert!(s.frame_metas.iter().all(|m| m.unique_id == 5));
    // the bottom centre starts at x=120 (in the ROI, x < 320) and leaves it at frame 17
    let in_roi: Vec<u32> = s
        .frame_metas
        .iter()
        .map(|m| m.obj_in_roi_cnt["Left"])
        .collect();
    assert_eq!(in_roi[0], 1);
    assert_eq!(in_roi[39], 0);
    // one crossing of the East line (x=320 in frame pixels), with its status on the object
    assert_eq!(s.crossings.len(), 1, "{:?}", s.crossings);
    let (frame, lc, text) = &s.crossings[0];
    assert_eq!(lc, &["East"]);
    assert!((17..=30).contains(frame), "crossed at frame {frame}");
    assert!(text.contains("LC:East"), "{text}");
    let last = s.frame_metas.last().unwrap();
    assert_eq!(last.obj_lc_cum_cnt["East"], 1);
    assert_eq!(last.obj_lc_curr_cnt["East"], 0);
    assert!(s.frame_metas.iter().any(|m| m.obj_lc_curr_cnt["East"] == 1));
    // ROI and LC statuses invert the box colour (red → cyan) while they hold
    assert!(s.inverted_borders > 0);
    // the drawing: the ROI in yellow (4 sides), the line in green (direction, 2 arrow head
    // strokes, the line), labels with counts at nvdsanalytics' places, scaled 2x
    assert_eq!(s.lines, vec![([2, 2, 0], 4), ([0, 2, 0], 4)]);
    assert_eq!(
        s.labels,
        vec![
            ("Left=0".to_string(), 0, 0, 14),
            ("East=1".to_string(), 320, 400, 14)
        ]
    );
}

#[test]
fn disabled_and_osd_mode_1() {
    let s = walk("enable=false", CONFIG).expect("pipeline");
    assert_eq!(s.frames, 40);
    assert!(s.frame_metas.is_empty() && s.crossings.is_empty() && s.lines.is_empty());
    let s = walk("", &CONFIG.replace("osd-mode=2", "osd-mode=1")).expect("pipeline");
    assert_eq!(
        s.labels.iter().map(|l| l.0.as_str()).collect::<Vec<_>>(),
        ["Left", "East "]
    );
    assert!(
        !s.crossings[0].2.contains("LC:"),
        "osd-mode=1 leaves the object's text alone"
    );
}

#[test]
fn a_missing_config_file_fails_at_start_naming_it() {
    init();
    let p = launch(
        "videotestsrc num-buffers=2 ! m.sink_0 dsstreammux name=m batch-size=1 width=64 height=48 ! dsanalytics config-file=/nonexistent/a.txt ! fakesink",
    );
    let e = run(&p, Duration::from_secs(20)).unwrap_err();
    assert!(
        e.contains("/nonexistent/a.txt: cannot read the analytics config"),
        "{e}"
    );
    let p = launch(
        "videotestsrc num-buffers=2 ! m.sink_0 dsstreammux name=m batch-size=1 width=64 height=48 ! dsanalytics ! fakesink",
    );
    let e = run(&p, Duration::from_secs(20)).unwrap_err();
    assert!(e.contains("configuration file not provided"), "{e}");
}
