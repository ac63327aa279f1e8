//! dsanalytics' metadata in and out (through ds-meta): objects in, analytics user metas and
//! nvdsanalytics' OSD drawing out.

use ds_analytics::{FrameResult, ObjectInput, ObjectResult, StreamRules};
use ds_meta::{AnalyticsFrameMeta, AnalyticsObjInfo, FrameMeta, ObjectMeta};

/// A label nvdsanalytics draws (text, position, colour).
struct Label {
    text: String,
    x: i32,
    y: i32,
    color: [f64; 3],
}

/// A line nvdsanalytics draws.
struct Seg {
    a: (i32, i32),
    b: (i32, i32),
    color: [f64; 3],
}

const YELLOW: [f64; 3] = [1.0, 1.0, 0.0];
const ORANGE: [f64; 3] = [1.0, 0.5, 0.0];
const RED: [f64; 3] = [1.0, 0.0, 0.0];
const GREEN: [f64; 3] = [0.0, 1.0, 0.0];
/// Entries per kind in one display meta before nvdsanalytics starts another (16 - 1).
const PER_META: usize = 15;

/// The objects of a frame as the analytics take them (box truncated to whole pixels).
pub(super) fn objects(frame: &FrameMeta) -> Vec<ObjectInput> {
    frame
        .objects()
        .map(|o| {
            let r = o.rect_params();
            ObjectInput {
                object_id: o.object_id(),
                class_id: o.class_id(),
                left: r.left.max(0.0) as u32,
                top: r.top.max(0.0) as u32,
                width: r.width.max(0.0) as u32,
                height: r.height.max(0.0) as u32,
            }
        })
        .collect()
}

/// nvdsanalytics' dressing of an object with a status (`osd-mode=2`).
fn dress(o: &mut ObjectMeta, res: &ObjectResult, font_size: u32) -> Result<(), String> {
    let (left, top) = (o.rect_params().left, o.rect_params().top);
    let t = o.text_params_mut();
    let old = t.display_text().to_string();
    if !old.is_empty() {
        t.set_display_text(&format!("{old} {}", res.obj_status))
            .map_err(|e| e.to_string())?;
    } else {
        t.set_x_offset(left.max(0.0) as u32);
        t.set_y_offset((top - 10.0).max(0.0) as u32);
        t.set_display_text(&res.obj_status)
            .map_err(|e| e.to_string())?;
        let fp = t.font_params_mut();
        fp.set_font_name("Serif").map_err(|e| e.to_string())?;
        fp.set_font_size(font_size);
        fp.font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        t.set_bg_enabled(true);
        t.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
    }
    if res.obj_status.contains("ROI:") || res.obj_status.contains("LC:") {
        let c = &mut o.rect_params_mut().border_color;
        (c.red, c.green, c.blue) = (1.0 - c.red, 1.0 - c.green, 1.0 - c.blue);
    }
    Ok(())
}

/// Writes the results of one frame: object user metas (and dressing), the frame user meta,
/// and the drawing of the rules.
pub(super) fn write_frame(
    frame: &mut FrameMeta,
    res: &FrameResult,
    rules: &StreamRules,
    unique_id: u32,
    osd_mode: u32,
    font_size: u32,
    display_obj_cnt: bool,
) -> Result<(), String> {
    for (o, r) in frame.objects_mut().zip(&res.objects) {
        if !r.has_meta() {
            continue;
        }
        if osd_mode == 2 {
            dress(o, r, font_size)?;
        }
        o.add_c_user_meta(AnalyticsObjInfo {
            roi_status: r.roi_status.clone(),
            oc_status: r.oc_status.clone(),
            lc_status: r.lc_status.clone(),
            dir_status: r.dir_status.clone(),
            unique_id,
            obj_status: r.obj_status.clone(),
        })
        .map_err(|e| e.to_string())?;
    }
    frame
        .add_c_user_meta(AnalyticsFrameMeta {
            oc_status: res.oc_status.clone(),
            obj_in_roi_cnt: res.obj_in_roi_cnt.clone(),
            obj_lc_curr_cnt: res.obj_lc_curr_cnt.clone(),
            obj_lc_cum_cnt: res.obj_lc_cum_cnt.clone(),
            unique_id,
            obj_cnt: res.obj_cnt.clone(),
        })
        .map_err(|e| e.to_string())?;
    let (labels, segs) = drawing(res, rules, osd_mode, display_obj_cnt);
    draw(frame, &labels, &segs, font_size)
}

/// nvdsanalytics' arrow head at `b` of `a → b`: two points 15° off the shaft, 0.15 of its
/// length back from `b`.
fn arrow_head(a: (i32, i32), b: (i32, i32)) -> [(i32, i32); 2] {
    let t = 15f64.to_radians();
    let (dx, dy) = ((a.0 - b.0) as f64, (a.1 - b.1) as f64);
    let p = |s: f64| {
        (
            (b.0 as f64 + 0.15 * (dx * t.cos() + s * dy * t.sin())) as i32,
            (b.1 as f64 + 0.15 * (dy * t.cos() - s * dx * t.sin())) as i32,
        )
    };
    [p(1.0), p(-1.0)]
}

fn polygon(points: &[ds_analytics::Point], color: [f64; 3], segs: &mut Vec<Seg>) {
    for (i, a) in points.iter().enumerate() {
        let b = points[(i + 1) % points.len()];
        segs.push(Seg {
            a: (a.x, a.y),
            b: (b.x, b.y),
            color,
        });
    }
}

fn drawing(
    res: &FrameResult,
    rules: &StreamRules,
    osd_mode: u32,
    display_obj_cnt: bool,
) -> (Vec<Label>, Vec<Seg>) {
    let (mut labels, mut segs) = (Vec::new(), Vec::new());
    if display_obj_cnt {
        let mut text = String::from("Count for");
        for (c, n) in &res.obj_cnt {
            text += &format!(" ClassId{c}={n}");
        }
        labels.push(Label {
            text,
            x: 5,
            y: 5,
            color: YELLOW,
        });
    }
    if osd_mode == 0 {
        return (labels, segs);
    }
    let counts = osd_mode == 2;
    for r in rules
        .rois
        .iter()
        .filter(|r| r.enable && r.points.len() >= 2)
    {
        let n = res.obj_in_roi_cnt.get(&r.label).copied().unwrap_or(0);
        let text = if counts {
            format!("{}={n}", r.label)
        } else {
            r.label.clone()
        };
        labels.push(Label {
            text,
            x: r.points[0].x,
            y: r.points[1].y,
            color: YELLOW,
        });
        polygon(&r.points, YELLOW, &mut segs);
    }
    for r in rules
        .overcrowding
        .iter()
        .filter(|r| r.enable && r.points.len() >= 2)
    {
        let n = res.obj_in_roi_cnt.get(&r.label).copied().unwrap_or(0);
        let oc = if res.oc_status.get(&r.label) == Some(&true) {
            "True"
        } else {
            "False"
        };
        let text = if counts {
            format!("{} OverCrowding={oc}, Count={n}", r.label)
        } else {
            r.label.clone()
        };
        labels.push(Label {
            text,
            x: r.points[0].x,
            y: r.points[1].y,
            color: ORANGE,
        });
        polygon(&r.points, ORANGE, &mut segs);
    }
    for d in rules.directions.iter().filter(|d| d.enable) {
        let (a, b) = ((d.from.x, d.from.y), (d.to.x, d.to.y));
        labels.push(Label {
            text: d.label.clone(),
            x: a.0,
            y: a.1,
            color: RED,
        });
        segs.push(Seg { a, b, color: RED });
        for h in arrow_head(a, b) {
            segs.push(Seg {
                a: h,
                b,
                color: RED,
            });
        }
    }
    for l in rules.lines.iter().filter(|l| l.enable) {
        let n = res.obj_lc_cum_cnt.get(&l.label).copied().unwrap_or(0);
        let text = if counts {
            format!("{}={n}", l.label)
        } else {
            format!("{} ", l.label)
        };
        labels.push(Label {
            text,
            x: l.line[1].x,
            y: l.line[1].y,
            color: GREEN,
        });
        let (a, b) = (
            (l.direction[0].x, l.direction[0].y),
            (l.direction[1].x, l.direction[1].y),
        );
        segs.push(Seg { a, b, color: GREEN });
        for h in arrow_head(a, b) {
            segs.push(Seg {
                a: h,
                b,
                color: GREEN,
            });
        }
        segs.push(Seg {
            a: (l.line[0].x, l.line[0].y),
            b: (l.line[1].x, l.line[1].y),
            color: GREEN,
        });
    }
    (labels, segs)
}

fn draw(
    frame: &mut FrameMeta,
    labels: &[Label],
    segs: &[Seg],
    font_size: u32,
) -> Result<(), String> {
    let metas = labels
        .len()
        .div_ceil(PER_META)
        .max(segs.len().div_ceil(PER_META));
    let e = |e: ds_meta::Error| e.to_string();
    let u = |v: i32| v.max(0) as u32;
    for m in 0..metas {
        let d = frame.add_display_meta().map_err(e)?;
        for l in labels.iter().skip(m * PER_META).take(PER_META) {
            let t = d.add_label().map_err(e)?;
            t.set_display_text(&l.text).map_err(e)?;
            t.set_x_offset(u(l.x));
            t.set_y_offset(u(l.y));
            let fp = t.font_params_mut();
            fp.set_font_name("Serif").map_err(e)?;
            fp.set_font_size(font_size);
            fp.font_color_mut()
                .set(l.color[0], l.color[1], l.color[2], 1.0);
            t.set_bg_enabled(true);
            t.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        }
        for s in segs.iter().skip(m * PER_META).take(PER_META) {
            let p = d.add_line().map_err(e)?;
            (p.x1, p.y1, p.x2, p.y2) = (u(s.a.0), u(s.a.1), u(s.b.0), u(s.b.1));
            p.line_width = 2;
            p.line_color.set(s.color[0], s.color[1], s.color[2], 1.0);
        }
    }
    Ok(())
}
