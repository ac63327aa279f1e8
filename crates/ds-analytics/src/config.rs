//! The Gst-nvdsanalytics config file (`config-file` property), read as nvdsanalytics reads it.
//!
//! GKeyFile syntax (glib's `KeyFile`, list separator `;`): duplicate groups merge and the
//! later key wins, trailing `;` in lists is ignored. Groups:
//!
//! - `[property]`: `enable`, `config-width`, `config-height` (required, as nvdsanalytics
//!   requires them), `osd-mode` (0 nothing, 1 lines/ROIs/labels, 2 also counts; default 2),
//!   `display-font-size` (default 12), `obj-cnt-win-in-ms`, `display-obj-cnt`.
//! - `[roi-filtering-stream-<N>]`: `enable`, `roi-<label>=x1;y1;x2;y2;...` (any number of
//!   labelled polygons), `inverse-roi`, `class-id` (list; `-1` or absent = every class).
//! - `[overcrowding-stream-<N>]`: `enable`, `roi-<label>`, `object-threshold`,
//!   `time-threshold` (read; nvdsanalytics does not use it either), `class-id`.
//! - `[line-crossing-stream-<N>]`: `enable`, `line-crossing-<label>=dx1;dy1;dx2;dy2;lx1;ly1;lx2;ly2`
//!   (direction vector, then the line), `class-id`, `extended` (default 1), `mode`
//!   (`loose` default, `balanced`, `strict`).
//! - `[direction-detection-stream-<N>]`: `enable`, `direction-<label>=x1;y1;x2;y2`, `class-id`,
//!   `mode`.
//!
//! Coordinates are pixels of a `config-width` × `config-height` frame, non-negative.
//!
//! Where this reader is stricter than NVIDIA's parser (which reads past the end of a short
//! list): an odd number of ROI coordinates, fewer than 3 ROI points, a line-crossing entry
//! without exactly 8 numbers and a direction entry without exactly 4 are errors naming the
//! key. A group whose name does not end in a number or `all` is an error (NVIDIA's parser
//! reads it as stream 0). `-stream-all` groups apply to every stream that has no group of
//! the same feature of its own (NVIDIA's 9.1 parser reads the number after `-stream-` with
//! `strtoull`, which makes `all` stream 0; we follow the evident intent of such files).
//! Unknown keys and groups are warnings, as nvdsanalytics prints them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use glib::{KeyFile, KeyFileFlags};

use crate::error::ConfigError;
use crate::geometry::Point;

/// `mode` of a line-crossing (or direction-detection) group: how strictly a crossing must
/// follow the configured direction (NVIDIA's `eMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Displacement over 3000 px², more than 10 frames, cosine with the direction ≥ 0.5.
    Balanced,
    /// Displacement over 6000 px², more than 20 frames, cosine ≥ 0.8.
    Strict,
    /// Displacement over 1000 px², more than 3 frames, cosine ≥ 0.1 (or only the side
    /// change when the direction vector starts on one side of the line).
    Loose,
}

impl Mode {
    /// (squared displacement threshold in px², frames seen threshold, cosine threshold).
    pub fn thresholds(self) -> (f32, u64, f32) {
        match self {
            Mode::Balanced => (3000.0, 10, 0.5),
            Mode::Strict => (6000.0, 20, 0.8),
            Mode::Loose => (1000.0, 3, 0.1),
        }
    }
}

/// A labelled ROI of a `[roi-filtering-stream-N]` group.
#[derive(Debug, Clone, PartialEq)]
pub struct RoiRule {
    /// The `<label>` of `roi-<label>`.
    pub label: String,
    /// The polygon, config pixels, closed implicitly (last point joins the first).
    pub points: Vec<Point>,
    /// `inverse-roi`: objects outside the polygon are the ones reported.
    pub inverse: bool,
    /// `class-id` (empty or containing -1: every class).
    pub class_ids: Vec<i32>,
    /// The group's `enable`.
    pub enable: bool,
}

/// A labelled ROI of an `[overcrowding-stream-N]` group.
#[derive(Debug, Clone, PartialEq)]
pub struct OvercrowdingRule {
    /// The `<label>` of `roi-<label>`.
    pub label: String,
    /// The polygon, config pixels.
    pub points: Vec<Point>,
    /// `object-threshold`: overcrowded when at least this many objects are inside (default 1).
    pub object_threshold: u32,
    /// `time-threshold` in ms (default 2000): read, not used (nor is it by nvdsanalytics).
    pub time_threshold_ms: u32,
    /// `class-id`.
    pub class_ids: Vec<i32>,
    /// The group's `enable`.
    pub enable: bool,
}

/// A `line-crossing-<label>` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRule {
    /// The `<label>`.
    pub label: String,
    /// The direction vector (from, to), config pixels: crossings that follow it count.
    pub direction: [Point; 2],
    /// The line segment (two ends), config pixels.
    pub line: [Point; 2],
    /// `class-id`.
    pub class_ids: Vec<i32>,
    /// `extended` (default true): the line is infinite; false: only crossings of the
    /// segment count.
    pub extended: bool,
    /// `mode` (default loose).
    pub mode: Mode,
    /// The group's `enable`.
    pub enable: bool,
}

/// A `direction-<label>` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectionRule {
    /// The `<label>` (`North` ...).
    pub label: String,
    /// Start of the direction vector, config pixels.
    pub from: Point,
    /// End of the direction vector, config pixels.
    pub to: Point,
    /// `class-id`.
    pub class_ids: Vec<i32>,
    /// `mode` (default balanced; read, not used by the direction test, as in nvdsanalytics).
    pub mode: Mode,
    /// The group's `enable`.
    pub enable: bool,
}

/// The rules of one stream (or of the `-stream-all` groups).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamRules {
    /// ROI filtering.
    pub rois: Vec<RoiRule>,
    /// Overcrowding.
    pub overcrowding: Vec<OvercrowdingRule>,
    /// Line crossing.
    pub lines: Vec<LineRule>,
    /// Direction detection.
    pub directions: Vec<DirectionRule>,
}

impl StreamRules {
    /// Whether no rule of any feature is configured.
    pub fn is_empty(&self) -> bool {
        self.rois.is_empty()
            && self.overcrowding.is_empty()
            && self.lines.is_empty()
            && self.directions.is_empty()
    }
}

/// A parsed nvdsanalytics config file.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticsConfig {
    /// The file read.
    pub file: PathBuf,
    /// `[property] enable`.
    pub enable: bool,
    /// `config-width`: the frame width the coordinates are written for, pixels.
    pub config_width: u32,
    /// `config-height`, pixels.
    pub config_height: u32,
    /// `osd-mode` (0, 1, 2; default 2).
    pub osd_mode: u32,
    /// `display-font-size` (default 12).
    pub font_size: u32,
    /// `obj-cnt-win-in-ms`: the window of the per-class count smoothing, ms (none: 50, as
    /// nvdsanalytics uses when unset).
    pub obj_cnt_win_in_ms: Option<u32>,
    /// `display-obj-cnt`: draw the per-class counts at the top left.
    pub display_obj_cnt: bool,
    /// Rules of the `-stream-<N>` groups, by stream (the frame's `pad_index`).
    pub streams: BTreeMap<u32, StreamRules>,
    /// Rules of the `-stream-all` groups.
    pub all: StreamRules,
    /// What nvdsanalytics would print and go on: unknown keys and groups, unknown modes.
    pub warnings: Vec<String>,
}

const PROPERTY: &str = "property";
const FEATURES: [&str; 4] = [
    "roi-filtering-stream-",
    "overcrowding-stream-",
    "line-crossing-stream-",
    "direction-detection-stream-",
];

impl AnalyticsConfig {
    /// Reads `path`. Errors: the file cannot be read, is not a key file, lacks `[property]`,
    /// or a value is wrong (see [`ConfigError`]).
    pub fn from_file(path: &Path) -> Result<AnalyticsConfig, ConfigError> {
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        AnalyticsConfig::parse_bytes(path, &bytes)
    }

    /// Parses config text as if it were the file `path`.
    pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<AnalyticsConfig, ConfigError> {
        let file = path.to_path_buf();
        let kf = KeyFile::new();
        kf.load_from_bytes(&glib::Bytes::from(bytes), KeyFileFlags::NONE)
            .map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                message: e.message().to_string(),
            })?;
        if !kf.has_group(PROPERTY) {
            return Err(ConfigError::NoPropertyGroup { file });
        }
        kf.set_list_separator(b';'.into());
        let mut p = Parser {
            file: &file,
            kf: &kf,
        };
        let mut cfg = p.property()?;
        for group in kf.groups().iter() {
            let group = group.as_str();
            if group == PROPERTY {
                continue;
            }
            let Some((feature, rest)) = FEATURES
                .iter()
                .enumerate()
                .find_map(|(i, f)| group.strip_prefix(f).map(|r| (i, r)))
            else {
                cfg.warnings.push(format!("group [{group}] ignored"));
                continue;
            };
            let rules = if rest == "all" {
                &mut cfg.all
            } else if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                let id = rest.parse::<u32>().map_err(|_| ConfigError::BadGroup {
                    file: file.clone(),
                    group: group.to_string(),
                })?;
                cfg.streams.entry(id).or_default()
            } else {
                return Err(ConfigError::BadGroup {
                    file: file.clone(),
                    group: group.to_string(),
                });
            };
            match feature {
                0 => rules.rois.extend(p.roi_group(group, &mut cfg.warnings)?),
                1 => rules
                    .overcrowding
                    .extend(p.overcrowding_group(group, &mut cfg.warnings)?),
                2 => rules.lines.extend(p.line_group(group, &mut cfg.warnings)?),
                _ => rules
                    .directions
                    .extend(p.direction_group(group, &mut cfg.warnings)?),
            }
        }
        Ok(cfg)
    }

    /// The rules stream `stream` (a frame's `pad_index`) runs: per feature, the stream's own
    /// group if it has one, else the `-stream-all` group's.
    pub fn rules_for(&self, stream: u32) -> StreamRules {
        let own = self.streams.get(&stream);
        let pick = |f: fn(&StreamRules) -> bool| own.filter(|r| f(r)).unwrap_or(&self.all);
        StreamRules {
            rois: pick(|r| !r.rois.is_empty()).rois.clone(),
            overcrowding: pick(|r| !r.overcrowding.is_empty()).overcrowding.clone(),
            lines: pick(|r| !r.lines.is_empty()).lines.clone(),
            directions: pick(|r| !r.directions.is_empty()).directions.clone(),
        }
    }

    /// The streams that have groups of their own and are not below `n_streams` (groups for
    /// streams that do not exist in a pipeline of `n_streams` sources).
    pub fn streams_beyond(&self, n_streams: u32) -> Vec<u32> {
        self.streams
            .keys()
            .copied()
            .filter(|&s| s >= n_streams)
            .collect()
    }
}

struct Parser<'a> {
    file: &'a PathBuf,
    kf: &'a KeyFile,
}

impl Parser<'_> {
    fn raw(&self, group: &str, key: &str) -> String {
        self.kf
            .value(group, key)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    fn bad(&self, group: &str, key: &str, expected: &str) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.clone(),
            group: group.to_string(),
            key: key.to_string(),
            value: self.raw(group, key),
            expected: expected.to_string(),
        }
    }

    fn boolean(&self, group: &str, key: &str) -> Result<bool, ConfigError> {
        self.kf
            .boolean(group, key)
            .map_err(|_| self.bad(group, key, "a boolean (0, 1, true or false)"))
    }

    fn uint(&self, group: &str, key: &str) -> Result<u32, ConfigError> {
        let v = self
            .kf
            .integer(group, key)
            .map_err(|_| self.bad(group, key, "an integer >= 0"))?;
        u32::try_from(v).map_err(|_| self.bad(group, key, "an integer >= 0"))
    }

    /// An optional integer: `None` when absent, an error when present and not an integer.
    fn opt_uint(&self, group: &str, key: &str) -> Result<Option<u32>, ConfigError> {
        if !self.kf.has_key(group, key).unwrap_or(false) {
            return Ok(None);
        }
        self.uint(group, key).map(Some)
    }

    fn int_list(&self, group: &str, key: &str, what: &str) -> Result<Vec<i32>, ConfigError> {
        self.kf
            .integer_list(group, key)
            .map(|l| l.to_vec())
            .map_err(|_| self.bad(group, key, what))
    }

    /// Non-negative coordinates, exactly `n` numbers when given, else an even number ≥ 6.
    fn coords(&self, group: &str, key: &str, n: Option<usize>) -> Result<Vec<Point>, ConfigError> {
        let what = match n {
            Some(8) => {
                "8 integers >= 0 separated by ';': the direction (x1;y1;x2;y2) then the line (x1;y1;x2;y2)"
            }
            Some(4) => "4 integers >= 0 separated by ';': the direction x1;y1;x2;y2",
            _ => "a polygon: at least 3 points as x1;y1;x2;y2;... (integers >= 0, an even count)",
        };
        let v = self.int_list(group, key, what)?;
        let ok = match n {
            Some(n) => v.len() == n,
            None => v.len() % 2 == 0 && v.len() >= 6,
        };
        if !ok || v.iter().any(|&x| x < 0) {
            return Err(self.bad(group, key, what));
        }
        Ok(v.chunks(2).map(|c| Point::new(c[0], c[1])).collect())
    }

    fn keys(&self, group: &str) -> Vec<String> {
        self.kf
            .keys(group)
            .map(|k| k.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    }

    fn mode(
        &self,
        group: &str,
        key: &str,
        default: Mode,
        warnings: &mut Vec<String>,
    ) -> Result<Mode, ConfigError> {
        let v = self
            .kf
            .string(group, key)
            .map_err(|_| self.bad(group, key, "loose, balanced or strict"))?;
        Ok(match v.trim() {
            "strict" => Mode::Strict,
            "balanced" => Mode::Balanced,
            "loose" => Mode::Loose,
            other => {
                warnings.push(format!(
                    "[{group}] {key}={other}: unknown mode, using {default:?}"
                ));
                default
            }
        })
    }

    fn missing(&self, group: &str, what: &str) -> ConfigError {
        ConfigError::Missing {
            file: self.file.clone(),
            group: group.to_string(),
            what: what.to_string(),
        }
    }

    fn property(&mut self) -> Result<AnalyticsConfig, ConfigError> {
        let g = PROPERTY;
        let enable = self.boolean(g, "enable")?;
        let config_width = self.uint(g, "config-width")?;
        let config_height = self.uint(g, "config-height")?;
        for (k, v) in [
            ("config-width", config_width),
            ("config-height", config_height),
        ] {
            if v == 0 {
                return Err(self.bad(g, k, "a width/height in pixels > 0"));
            }
        }
        let font = self.opt_uint(g, "display-font-size")?;
        let osd_mode = self.opt_uint(g, "osd-mode")?.unwrap_or(2);
        if osd_mode > 2 {
            return Err(self.bad(g, "osd-mode", "0, 1 or 2"));
        }
        let win = self.opt_uint(g, "obj-cnt-win-in-ms")?;
        if win == Some(0) {
            return Err(self.bad(g, "obj-cnt-win-in-ms", "an integer from 1 to 1000000000"));
        }
        let display_obj_cnt = if self.kf.has_key(g, "display-obj-cnt").unwrap_or(false) {
            self.boolean(g, "display-obj-cnt")?
        } else {
            false
        };
        let mut warnings = Vec::new();
        for k in self.keys(g) {
            if ![
                "enable",
                "config-width",
                "config-height",
                "display-font-size",
                "osd-mode",
                "obj-cnt-win-in-ms",
                "display-obj-cnt",
            ]
            .contains(&k.as_str())
            {
                warnings.push(format!("unknown key '{k}' in group [{g}]"));
            }
        }
        Ok(AnalyticsConfig {
            file: self.file.clone(),
            enable,
            config_width,
            config_height,
            osd_mode,
            font_size: font.filter(|&f| f > 0).unwrap_or(12),
            obj_cnt_win_in_ms: win,
            display_obj_cnt,
            streams: BTreeMap::new(),
            all: StreamRules::default(),
            warnings,
        })
    }

    /// `enable` and `class-id` of a feature group (`enable` defaults to false, as in
    /// nvdsanalytics).
    fn common(
        &self,
        group: &str,
        key: &str,
        enable: &mut bool,
        class_ids: &mut Vec<i32>,
    ) -> Result<bool, ConfigError> {
        match key {
            "enable" => *enable = self.boolean(group, key)?,
            "class-id" => {
                *class_ids = self.int_list(
                    group,
                    key,
                    "a list of class ids separated by ';' (-1: every class)",
                )?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn roi_group(
        &self,
        group: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<RoiRule>, ConfigError> {
        let (mut enable, mut class_ids, mut inverse) = (false, Vec::new(), false);
        let mut rois = Vec::new();
        for key in self.keys(group) {
            if self.common(group, &key, &mut enable, &mut class_ids)? {
                continue;
            }
            if key == "inverse-roi" {
                inverse = self.boolean(group, &key)?;
            } else if let Some(label) = key.strip_prefix("roi-") {
                let points = self.coords(group, &key, None)?;
                rois.push(RoiRule {
                    label: label.to_string(),
                    points,
                    inverse,
                    class_ids: Vec::new(),
                    enable,
                });
            } else {
                warnings.push(format!("unknown key '{key}' in group [{group}]"));
            }
        }
        if rois.is_empty() {
            return Err(self.missing(group, "roi-<label>"));
        }
        for r in &mut rois {
            (r.enable, r.inverse, r.class_ids) = (enable, inverse, class_ids.clone());
        }
        Ok(rois)
    }

    fn overcrowding_group(
        &self,
        group: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<OvercrowdingRule>, ConfigError> {
        let (mut enable, mut class_ids) = (false, Vec::new());
        let (mut object_threshold, mut time_threshold_ms) = (1, 2000);
        let mut rois = Vec::new();
        for key in self.keys(group) {
            if self.common(group, &key, &mut enable, &mut class_ids)? {
                continue;
            }
            match key.as_str() {
                "object-threshold" => object_threshold = self.uint(group, &key)?,
                "time-threshold" => time_threshold_ms = self.uint(group, &key)?,
                k => match k.strip_prefix("roi-") {
                    Some(label) => rois.push(OvercrowdingRule {
                        label: label.to_string(),
                        points: self.coords(group, k, None)?,
                        object_threshold: 1,
                        time_threshold_ms: 2000,
                        class_ids: Vec::new(),
                        enable: false,
                    }),
                    None => warnings.push(format!("unknown key '{k}' in group [{group}]")),
                },
            }
        }
        if rois.is_empty() {
            return Err(self.missing(group, "roi-<label>"));
        }
        for r in &mut rois {
            r.enable = enable;
            r.object_threshold = object_threshold;
            r.time_threshold_ms = time_threshold_ms;
            r.class_ids = class_ids.clone();
        }
        Ok(rois)
    }

    fn line_group(
        &self,
        group: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<LineRule>, ConfigError> {
        let (mut enable, mut class_ids) = (false, Vec::new());
        let (mut extended, mut mode) = (true, Mode::Loose);
        let mut lines: Vec<LineRule> = Vec::new();
        for key in self.keys(group) {
            if self.common(group, &key, &mut enable, &mut class_ids)? {
                continue;
            }
            match key.as_str() {
                "extended" => extended = self.boolean(group, &key)?,
                "mode" => mode = self.mode(group, &key, Mode::Loose, warnings)?,
                k => match k.strip_prefix("line-crossing-") {
                    Some(label) => {
                        let p = self.coords(group, k, Some(8))?;
                        let rule = LineRule {
                            label: label.to_string(),
                            direction: [p[0], p[1]],
                            line: [p[2], p[3]],
                            class_ids: Vec::new(),
                            extended: true,
                            mode: Mode::Loose,
                            enable: false,
                        };
                        match lines.iter_mut().find(|l| l.label == rule.label) {
                            Some(l) => *l = rule,
                            None => lines.push(rule),
                        }
                    }
                    None => warnings.push(format!("unknown key '{k}' in group [{group}]")),
                },
            }
        }
        if lines.is_empty() {
            return Err(self.missing(group, "line-crossing-<label>"));
        }
        for l in &mut lines {
            (l.enable, l.extended, l.mode, l.class_ids) =
                (enable, extended, mode, class_ids.clone());
        }
        Ok(lines)
    }

    fn direction_group(
        &self,
        group: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<DirectionRule>, ConfigError> {
        let (mut enable, mut class_ids, mut mode) = (false, Vec::new(), Mode::Balanced);
        let mut dirs: Vec<DirectionRule> = Vec::new();
        for key in self.keys(group) {
            if self.common(group, &key, &mut enable, &mut class_ids)? {
                continue;
            }
            if key == "mode" {
                mode = self.mode(group, &key, Mode::Balanced, warnings)?;
            } else if let Some(label) = key.strip_prefix("direction-") {
                let p = self.coords(group, &key, Some(4))?;
                let rule = DirectionRule {
                    label: label.to_string(),
                    from: p[0],
                    to: p[1],
                    class_ids: Vec::new(),
                    mode: Mode::Balanced,
                    enable: false,
                };
                match dirs.iter_mut().find(|d| d.label == rule.label) {
                    Some(d) => *d = rule,
                    None => dirs.push(rule),
                }
            } else {
                warnings.push(format!("unknown key '{key}' in group [{group}]"));
            }
        }
        if dirs.is_empty() {
            return Err(self.missing(group, "direction-<label>"));
        }
        for d in &mut dirs {
            (d.enable, d.mode, d.class_ids) = (enable, mode, class_ids.clone());
        }
        Ok(dirs)
    }
}
