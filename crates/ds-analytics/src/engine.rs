//! Per-stream analytics state: what nvdsanalytics' low-level library keeps for each stream
//! and computes on each frame.
//!
//! For every object (by tracking id) the state keeps a history of the last `history` box
//! centres and sizes. An object's reference point is its box centre moved down by half its
//! mean height (≈ the bottom centre). Per frame and object:
//! - ROI filtering: the point in a ROI polygon (or outside it with `inverse-roi`) → the ROI's
//!   label in [`ObjectResult::roi_status`] and the ROI's count;
//! - overcrowding: objects of the ROI counted; the ROI is overcrowded when the count reaches
//!   `object-threshold`;
//! - direction: once seen over 10 frames and moved over √3000 px from its "previous" point
//!   (the mean of its first two points while the history is not full, else the mean of the
//!   four oldest), a direction whose cosine with the movement is ≥ 0.5 is reported; an object
//!   nearly still over the whole history is `STOPPED`;
//! - line crossing: the movement from the previous point to the current bottom centre crosses
//!   the line with the mode's thresholds ([`Mode::thresholds`]); with `extended=0` the
//!   crossing must meet the segment (from the centre or either side of the box). Each object
//!   counts once per line while it is tracked.
//!
//! Objects unseen for longer than `timeout_ms` (by buffer PTS) are forgotten. Direction and
//! line crossing need tracking ids; objects without one (`u64::MAX`) get ROI and overcrowding
//! only. The per-class counts are smoothed as nvdsanalytics does: the most frequent count
//! over the last `obj_cnt_win_in_ms` of frames (ties go to the current frame's count, then the
//! larger count; nvdsanalytics breaks them in hash order).

use std::collections::{BTreeMap, HashMap};

use crate::config::{AnalyticsConfig, Mode, StreamRules};
use crate::geometry::{self, CrossingSense, Line, Point};

/// The id of an object the tracker did not track (`UNTRACKED_OBJECT_ID`).
pub const UNTRACKED: u64 = u64::MAX;

/// One object of a frame, as nvdsanalytics takes it from `NvDsObjectMeta`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectInput {
    /// Tracking id (`object_id`), [`UNTRACKED`] when none.
    pub object_id: u64,
    /// Detector class.
    pub class_id: i32,
    /// Box left, frame pixels (truncated to an integer as nvdsanalytics does).
    pub left: u32,
    /// Box top, pixels.
    pub top: u32,
    /// Box width, pixels.
    pub width: u32,
    /// Box height, pixels.
    pub height: u32,
}

/// What nvdsanalytics reports for one object (`NvDsAnalyticsObjInfo`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectResult {
    /// ROI labels the object is in (or out of, for inverse ROIs).
    pub roi_status: Vec<String>,
    /// Overcrowding ROI labels the object is in.
    pub oc_status: Vec<String>,
    /// Line labels the object crossed in this frame.
    pub lc_status: Vec<String>,
    /// `" DIR:<label> "` for each matching direction (nvdsanalytics' string), or empty.
    pub dir_status: String,
    /// Everything above as one string (`" ROI:RF LC:Exit  DIR:North "`), as
    /// nvdsanalytics appends it to the object's label.
    pub obj_status: String,
}

impl ObjectResult {
    /// Whether nvdsanalytics attaches object metadata for this result (a status string or an
    /// overcrowding ROI).
    pub fn has_meta(&self) -> bool {
        !self.obj_status.is_empty() || !self.oc_status.is_empty()
    }
}

/// What nvdsanalytics reports for one frame (`NvDsAnalyticsFrameMeta`); only enabled rules
/// appear, keyed by label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameResult {
    /// Overcrowding ROI → overcrowded.
    pub oc_status: BTreeMap<String, bool>,
    /// ROI (filtering and overcrowding) → objects in it.
    pub obj_in_roi_cnt: BTreeMap<String, u32>,
    /// Line → crossings in this frame.
    pub obj_lc_curr_cnt: BTreeMap<String, u64>,
    /// Line → crossings since the stream started.
    pub obj_lc_cum_cnt: BTreeMap<String, u64>,
    /// Class id → objects (smoothed).
    pub obj_cnt: BTreeMap<i32, u32>,
    /// One result per input object, in order.
    pub objects: Vec<ObjectResult>,
}

#[derive(Debug, Clone)]
struct Track {
    hist_x: Vec<i32>,
    hist_y: Vec<i32>,
    hist_w: Vec<i32>,
    hist_h: Vec<i32>,
    idx: usize,
    frames: u64,
    sum_x: i64,
    sum_y: i64,
    sq_x: i64,
    sq_y: i64,
    sum_h: i64,
    last_pts: u64,
    crossed: HashMap<String, bool>,
}

impl Track {
    fn new(history: usize, pts: u64) -> Track {
        Track {
            hist_x: vec![0; history],
            hist_y: vec![0; history],
            hist_w: vec![0; history],
            hist_h: vec![0; history],
            idx: 0,
            frames: 0,
            sum_x: 0,
            sum_y: 0,
            sq_x: 0,
            sq_y: 0,
            sum_h: 0,
            last_pts: pts,
            crossed: HashMap::new(),
        }
    }
}

/// A line rule's geometry in frame pixels: the line, the unit direction, the crossing sense,
/// the segment's ends.
type LineGeometry = (Line, (f64, f64), CrossingSense, Point, Point);

struct Rules {
    cfg: StreamRules,
    lines: Vec<LineGeometry>,
    dirs: Vec<(f64, f64)>,
}

/// The analytics state of one stream (nvdsanalytics' per-source context).
pub struct StreamAnalytics {
    rules: Rules,
    tracks: HashMap<u64, Track>,
    cumulative: HashMap<String, u64>,
    history: usize,
    timeout_ms: u64,
    window_ms: u64,
    class_hist: BTreeMap<i32, Vec<(u64, u32)>>,
}

impl StreamAnalytics {
    /// The state of stream `stream` (a frame's `pad_index`) of `config`, for frames of
    /// `width` × `height` pixels: the rules' points are scaled from `config-width/height`.
    /// `history` (frames kept per object; nvdsanalytics passes 50) and `timeout_ms` (how long
    /// an unseen object is kept; 300) are nvdsanalytics' values in [`StreamAnalytics::for_stream`].
    pub fn new(
        config: &AnalyticsConfig,
        stream: u32,
        width: u32,
        height: u32,
        history: usize,
        timeout_ms: u64,
    ) -> StreamAnalytics {
        let sx = width as f32 / config.config_width as f32;
        let sy = height as f32 / config.config_height as f32;
        let mut cfg = config.rules_for(stream);
        for r in &mut cfg.rois {
            r.points.iter_mut().for_each(|p| *p = p.scaled(sx, sy));
        }
        for r in &mut cfg.overcrowding {
            r.points.iter_mut().for_each(|p| *p = p.scaled(sx, sy));
        }
        for d in &mut cfg.directions {
            (d.from, d.to) = (d.from.scaled(sx, sy), d.to.scaled(sx, sy));
        }
        let f = |p: Point| (p.x as f64, p.y as f64);
        let mut lines = Vec::new();
        for l in &mut cfg.lines {
            l.direction = [l.direction[0].scaled(sx, sy), l.direction[1].scaled(sx, sy)];
            l.line = [l.line[0].scaled(sx, sy), l.line[1].scaled(sx, sy)];
            // a degenerate line (both ends equal) never counts: a line far outside any frame
            let line = Line::through(f(l.line[0]), f(l.line[1])).unwrap_or(Line {
                a: 0.0,
                b: 1.0,
                c: 1e12,
            });
            let dir = geometry::unit(f(l.direction[0]), f(l.direction[1]));
            let sense =
                geometry::crossing_sense(l.direction[0], l.direction[1], l.line[0], l.line[1]);
            lines.push((line, dir, sense, l.line[0], l.line[1]));
        }
        let dirs = cfg
            .directions
            .iter()
            .map(|d| geometry::unit(f(d.from), f(d.to)))
            .collect();
        StreamAnalytics {
            rules: Rules { cfg, lines, dirs },
            tracks: HashMap::new(),
            cumulative: HashMap::new(),
            history: history.max(4),
            timeout_ms,
            window_ms: config.obj_cnt_win_in_ms.unwrap_or(50) as u64,
            class_hist: BTreeMap::new(),
        }
    }

    /// [`StreamAnalytics::new`] with nvdsanalytics' history (`obj-cnt-win-in-ms` frames, 50
    /// when unset, as its plugin passes) and 300 ms timeout.
    pub fn for_stream(
        config: &AnalyticsConfig,
        stream: u32,
        width: u32,
        height: u32,
    ) -> StreamAnalytics {
        let history = config.obj_cnt_win_in_ms.unwrap_or(50) as usize;
        StreamAnalytics::new(config, stream, width, height, history, 300)
    }

    /// The rules in frame pixels (for drawing them).
    pub fn rules(&self) -> &StreamRules {
        &self.rules.cfg
    }

    /// Crossings of `line` since the stream started.
    pub fn cumulative(&self, line: &str) -> u64 {
        self.cumulative.get(line).copied().unwrap_or(0)
    }

    /// Runs the rules on one frame shown at `pts_ns` (buffer PTS, ns).
    pub fn process(&mut self, pts_ns: u64, objects: &[ObjectInput]) -> FrameResult {
        let timeout = self.timeout_ms;
        self.tracks
            .retain(|_, t| pts_ns.saturating_sub(t.last_pts) / 1_000_000 <= timeout);
        let mut out = FrameResult::default();
        let mut class_counts: BTreeMap<i32, u32> = BTreeMap::new();
        let mut oc_counts: HashMap<&str, u32> = HashMap::new();
        let mut lc_curr: HashMap<String, u64> = HashMap::new();
        let history = self.history;
        for o in objects {
            *class_counts.entry(o.class_id).or_default() += 1;
            let mut res = ObjectResult::default();
            let (cx, cy) = ((o.left + o.width / 2) as i32, (o.top + o.height / 2) as i32);
            let (cw, ch) = (o.width as i32, o.height as i32);
            let t = self
                .tracks
                .entry(o.object_id)
                .or_insert_with(|| Track::new(history, pts_ns));
            t.last_pts = pts_ns;
            let i = t.idx;
            if t.frames >= history as u64 {
                t.sum_x -= t.hist_x[i] as i64;
                t.sum_y -= t.hist_y[i] as i64;
                t.sq_x -= (t.hist_x[i] as i64).pow(2);
                t.sq_y -= (t.hist_y[i] as i64).pow(2);
                t.sum_h -= t.hist_h[i] as i64;
            }
            (t.hist_x[i], t.hist_y[i], t.hist_w[i], t.hist_h[i]) = (cx, cy, cw, ch);
            t.idx = (i + 1) % history;
            t.sum_x += cx as i64;
            t.sum_y += cy as i64;
            t.sq_x += (cx as i64).pow(2);
            t.sq_y += (cy as i64).pow(2);
            t.sum_h += ch as i64;
            let win = if t.frames < history as u64 {
                t.frames + 1
            } else {
                history as u64
            } as f32;
            let mean_h = t.sum_h as f32 / win;
            let (mean_x, mean_y) = (t.sum_x as f32 / win, t.sum_y as f32 / win);
            let var_x = t.sq_x as f32 / win - mean_x * mean_x;
            let var_y = t.sq_y as f32 / win - mean_y * mean_y;
            t.frames += 1;
            let half_h = (mean_h as i32) / 2;
            let point = Point::new(cx, cy + half_h);
            for r in self
                .rules
                .cfg
                .rois
                .iter()
                .filter(|r| r.enable && class_ok(&r.class_ids, o.class_id))
            {
                if geometry::point_in_polygon(&r.points, point) != r.inverse {
                    res.obj_status += &format!(" ROI:{}", r.label);
                    *out.obj_in_roi_cnt.entry(r.label.clone()).or_default() += 1;
                    res.roi_status.push(r.label.clone());
                }
            }
            for r in self
                .rules
                .cfg
                .overcrowding
                .iter()
                .filter(|r| r.enable && class_ok(&r.class_ids, o.class_id))
            {
                if geometry::point_in_polygon(&r.points, point) {
                    *oc_counts.entry(&r.label).or_default() += 1;
                    res.oc_status.push(r.label.clone());
                }
            }
            // the "previous" point: first two samples while the history fills, then the
            // four oldest (nvdsanalytics' choice)
            let (mut px, mut py, mut ph, mut pw) = (0, 0, 0, 0);
            if t.frames > 3 {
                let idx: Vec<usize> = if t.frames < history as u64 {
                    vec![0, 1]
                } else {
                    (0..4).map(|k| (t.idx + k) % history).collect()
                };
                let n = idx.len() as i32;
                let avg = |v: &[i32]| idx.iter().map(|&k| v[k]).sum::<i32>() / n;
                (px, py, ph, pw) = (
                    avg(&t.hist_x),
                    avg(&t.hist_y),
                    avg(&t.hist_h),
                    avg(&t.hist_w),
                );
            }
            let diff_x = (cx - px) as f32;
            let diff_y = ((cy + ch / 2) - (py + ph / 2)) as f32;
            let disp = diff_x * diff_x + diff_y * diff_y;
            let tracked = o.object_id != UNTRACKED;
            for (d, dir) in self.rules.cfg.directions.iter().zip(&self.rules.dirs) {
                if !d.enable || !tracked || !class_ok(&d.class_ids, o.class_id) {
                    continue;
                }
                if t.frames > history as u64 && var_x <= 400.0 && var_y / mean_h <= 0.01 {
                    res.obj_status += " STOPPED ";
                    break;
                }
                if disp > 3000.0 && t.frames > 10 {
                    let prev = Point::new(px, py + half_h);
                    if geometry::follows(*dir, prev, point, 0.5) {
                        res.obj_status += &format!(" DIR:{} ", d.label);
                        res.dir_status += &format!(" DIR:{} ", d.label);
                    }
                }
            }
            for (l, (line, dir, sense, a, b)) in self.rules.cfg.lines.iter().zip(&self.rules.lines)
            {
                if !l.enable
                    || !tracked
                    || t.crossed.get(&l.label) == Some(&true)
                    || !class_ok(&l.class_ids, o.class_id)
                {
                    continue;
                }
                let (disp_min, frames_min, min_cos) = l.mode.thresholds();
                if !(disp > disp_min && t.frames > frames_min) {
                    continue;
                }
                let prev = Point::new(px, py + half_h);
                let curr = Point::new(cx, cy + ch / 2);
                let mut crossed = if *sense == CrossingSense::UseDirection || l.mode != Mode::Loose
                {
                    geometry::crosses_with_direction(*dir, line, prev, curr, min_cos)
                } else {
                    let c = line.side(curr.x as f64, curr.y as f64);
                    let p = line.side(px as f64, py as f64 + mean_h as f64 / 2.0);
                    (c >= 0.0 && *sense == CrossingSense::NegativeToPositive && p < 0.0)
                        || (c <= 0.0 && *sense == CrossingSense::PositiveToNegative && p > 0.0)
                };
                if !l.extended && crossed {
                    let (xp, yp) = (px as f64, py as f64 + mean_h as f64 / 2.0);
                    let (xc, yc) = (cx as f64, cy as f64 + ch as f64 / 2.0);
                    let (hp, hc) = ((pw / 2) as f64, (cw / 2) as f64);
                    crossed = geometry::meets_segment((xp, yp), (xc, yc), line, *a, *b)
                        || geometry::meets_segment((xp + hp, yp), (xc + hc, yc), line, *a, *b)
                        || geometry::meets_segment((xp - hp, yp), (xc - hc, yc), line, *a, *b);
                }
                if crossed {
                    res.obj_status += &format!(" LC:{} ", l.label);
                    t.crossed.insert(l.label.clone(), true);
                    *self.cumulative.entry(l.label.clone()).or_default() += 1;
                    *lc_curr.entry(l.label.clone()).or_default() += 1;
                    res.lc_status.push(l.label.clone());
                }
            }
            out.objects.push(res);
        }
        for r in self.rules.cfg.rois.iter().filter(|r| r.enable) {
            out.obj_in_roi_cnt.entry(r.label.clone()).or_default();
        }
        for r in self.rules.cfg.overcrowding.iter().filter(|r| r.enable) {
            let n = oc_counts.get(r.label.as_str()).copied().unwrap_or(0);
            out.oc_status
                .insert(r.label.clone(), n > 0 && n >= r.object_threshold);
            out.obj_in_roi_cnt.insert(r.label.clone(), n);
        }
        for l in self.rules.cfg.lines.iter().filter(|l| l.enable) {
            out.obj_lc_curr_cnt
                .insert(l.label.clone(), lc_curr.get(&l.label).copied().unwrap_or(0));
            out.obj_lc_cum_cnt
                .insert(l.label.clone(), self.cumulative(&l.label));
        }
        out.obj_cnt = self.smooth_counts(pts_ns, class_counts);
        out
    }

    fn smooth_counts(&mut self, pts: u64, counts: BTreeMap<i32, u32>) -> BTreeMap<i32, u32> {
        let window = self.window_ms;
        let mut classes: Vec<i32> = self.class_hist.keys().copied().collect();
        classes.extend(counts.keys().copied());
        classes.sort_unstable();
        classes.dedup();
        let mut out = BTreeMap::new();
        for c in classes {
            let now = counts.get(&c).copied().unwrap_or(0);
            let h = self.class_hist.entry(c).or_default();
            h.retain(|&(t, _)| pts.saturating_sub(t) / 1_000_000 <= window);
            h.push((pts, now));
            let mut freq: BTreeMap<u32, u32> = BTreeMap::new();
            for &(_, n) in h.iter() {
                *freq.entry(n).or_default() += 1;
            }
            let best = freq.values().copied().max().unwrap_or(0);
            let pick = if freq.get(&now) == Some(&best) {
                now
            } else {
                freq.iter()
                    .rev()
                    .find(|(_, f)| **f == best)
                    .map(|(n, _)| *n)
                    .unwrap_or(now)
            };
            out.insert(c, pick);
        }
        out
    }
}

/// nvdsanalytics' class filter: no ids or `-1` among them selects every class.
pub fn class_ok(ids: &[i32], class_id: i32) -> bool {
    ids.is_empty() || ids.contains(&-1) || ids.contains(&class_id)
}
