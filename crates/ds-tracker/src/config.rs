//! NvMultiObjectTracker's YAML config (`ll-config-file` of nvtracker), as DeepStream 6.0 to
//! 7.1 ship it: groups `BaseConfig`, `TargetManagement`, `TrajectoryManagement`,
//! `DataAssociator`, `StateEstimator`, `VisualTracker`, `ReID` (and the SV3DT / MaskTracker
//! groups). Defaults are those of DeepStream 7.1's Gst-nvtracker manual.
//!
//! The files start with OpenCV's `%YAML:1.0` line, which YAML 1.2 parsers reject; it is
//! replaced by a comment before parsing, so line numbers in errors stay right.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::keys::{self, Disposition, ValueType};

/// Which of NvMultiObjectTracker's reference trackers a config describes (decided as the
/// library does: by the modules it enables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackerKind {
    /// No state estimator, no visual tracker, no ReID (`config_tracker_IOU.yml`).
    Iou,
    /// Kalman filter and cascaded association without appearance (`config_tracker_NvSORT.yml`).
    NvSort,
    /// Visual tracker (`VisualTracker.visualTrackerType` ≥ 1; `config_tracker_NvDCF_*.yml`).
    NvDcf,
    /// ReID network (`ReID.reidType` 1 or 3) without visual tracker (`config_tracker_NvDeepSORT.yml`).
    NvDeepSort,
}

/// `DataAssociator.associationMatcherType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatcherType {
    /// 0: greedy matching over all valid pairs by total score.
    Greedy,
    /// 1: cascaded: confirmed detections ↔ validated targets (all scores), then tentative
    /// detections ↔ remaining validated targets (IOU only), then remaining confirmed
    /// detections ↔ tentative targets (IOU only); each stage greedy.
    Cascaded,
}

/// `StateEstimator.stateEstimatorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateEstimatorType {
    /// 0 (DUMMY): the box is the last associated detection's.
    None,
    /// 1 (SIMPLE_BBOX_KF): 6 states {x, y, w, h, dx, dy}, absolute noise variances (pixels²).
    Simple,
    /// 2 (REGULAR_BBOX_KF): 8 states {x, y, w|a, h, dx, dy, dw|da, dh}, noise standard
    /// deviations proportional to the box height (DeepSORT's model).
    Regular,
}

/// The matching thresholds and weights of `DataAssociator`.
#[derive(Debug, Clone, PartialEq)]
pub struct Association {
    /// `associationMatcherType` (default greedy).
    pub matcher: MatcherType,
    /// `checkClassMatch` (default true): only same-class pairs are associated.
    pub check_class_match: bool,
    /// `usePrediction4Assoc` (default false): associate with the predicted box instead of
    /// the last known one (NvDCF always uses its tracked, i.e. predicted, box).
    pub use_prediction: bool,
    /// `minMatchingScore4Overall` (default 0).
    pub min_overall: f32,
    /// `minMatchingScore4SizeSimilarity` (default 0).
    pub min_size_similarity: f32,
    /// `minMatchingScore4Iou` (default 0).
    pub min_iou: f32,
    /// `minMatchingScore4VisualSimilarity` (default 0; NvDCF).
    pub min_visual_similarity: f32,
    /// `minMatchingScore4ReidSimilarity` (default 0; NvDeepSORT).
    pub min_reid_similarity: f32,
    /// `matchingScoreWeight4Iou` (default 1).
    pub weight_iou: f32,
    /// `matchingScoreWeight4SizeSimilarity` (default 0).
    pub weight_size_similarity: f32,
    /// `matchingScoreWeight4VisualSimilarity` (default 0).
    pub weight_visual_similarity: f32,
    /// `matchingScoreWeight4ReidSimilarity` (default 0).
    pub weight_reid_similarity: f32,
    /// `tentativeDetectorConfidence` (default 0.5): detections below it (and at or above
    /// `minDetectorConfidence`) are tentative in cascaded matching.
    pub tentative_detector_confidence: f32,
    /// `minMatchingScore4TentativeIou` (default 0).
    pub min_tentative_iou: f32,
    /// `thresholdMahalanobis` (default -1: off): pairs whose squared Mahalanobis distance
    /// between detection and predicted box exceeds it are not matched (Kalman types 1, 2).
    pub threshold_mahalanobis: f32,
}

/// The `StateEstimator` group.
#[derive(Debug, Clone, PartialEq)]
pub struct StateEstimator {
    /// `stateEstimatorType` (default 0 for IOU; the samples use 1 for NvDCF, 2 for NvSORT /
    /// NvDeepSORT).
    pub kind: StateEstimatorType,
    /// `processNoiseVar4Loc` (pixels², default 2.0; type 1).
    pub process_noise_var_loc: f32,
    /// `processNoiseVar4Size` (pixels², default 1.0; type 1).
    pub process_noise_var_size: f32,
    /// `processNoiseVar4Vel` ((pixels/frame)², default 0.1; type 1).
    pub process_noise_var_vel: f32,
    /// `measurementNoiseVar4Detector` (pixels², default 4.0; type 1).
    pub measurement_noise_var_detector: f32,
    /// `measurementNoiseVar4Tracker` (pixels², default 16.0; type 1).
    pub measurement_noise_var_tracker: f32,
    /// `noiseWeightVar4Loc` (default 0.05; type 2): location noise std = this × box height.
    pub noise_weight_loc: f32,
    /// `noiseWeightVar4Vel` (default 0.00625; type 2): velocity noise std = this × height.
    pub noise_weight_vel: f32,
    /// `useAspectRatio` (default false; type 2): the state holds w/h instead of w.
    pub use_aspect_ratio: bool,
}

/// What the tracker does with the keys of a config, by name (printed by `dstracker` at start).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigReport {
    /// `Group.key` read and implemented with NvMultiObjectTracker's meaning.
    pub honoured: Vec<String>,
    /// `(Group.key, how)`: read, with the feature behind it approximated.
    pub approximated: Vec<(String, String)>,
    /// `(Group.key, why)`: read and without effect.
    pub ignored: Vec<(String, String)>,
    /// `Group.key` (or `Group` for an unknown group) that NvMultiObjectTracker does not
    /// define as far as this crate knows: no effect.
    pub unknown: Vec<String>,
}

impl ConfigReport {
    /// One line per approximated, ignored and unknown key (what `dstracker` prints).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, how) in &self.approximated {
            out.push(format!("approximated: {k}: {how}"));
        }
        for (k, why) in &self.ignored {
            out.push(format!("ignored: {k}: {why}"));
        }
        for k in &self.unknown {
            out.push(format!("unknown key (no effect): {k}"));
        }
        out
    }
}

/// A parsed NvMultiObjectTracker config.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerConfig {
    /// The file it was read from (`None` for [`TrackerConfig::default`]).
    pub file: Option<PathBuf>,
    /// The reference tracker it describes.
    pub kind: TrackerKind,
    /// `BaseConfig.minDetectorConfidence` (default 0): detections below are not tracked.
    pub min_detector_confidence: f32,
    /// `TargetManagement.maxTargetsPerStream` (default 150; shadow-tracked targets count).
    pub max_targets_per_stream: u32,
    /// `TargetManagement.enableBboxUnClipping` (default false).
    pub enable_bbox_unclipping: bool,
    /// `TargetManagement.minIouDiff4NewTarget` (default 0.5): an unmatched detection whose
    /// IOU with an existing target exceeds this does not start a new target.
    pub min_iou_diff_4_new_target: f32,
    /// `TargetManagement.minTrackerConfidence` (default 0.5): an unmatched target whose
    /// tracker confidence is below this is tracked in shadow mode and not output.
    pub min_tracker_confidence: f32,
    /// `TargetManagement.probationAge` (frames, default 5): a new target is output once its
    /// age reaches this.
    pub probation_age: u32,
    /// `TargetManagement.maxShadowTrackingAge` (frames, default 38): a target unmatched for
    /// more frames than this is terminated.
    pub max_shadow_tracking_age: u32,
    /// `TargetManagement.earlyTerminationAge` (frames, default 2): a target in probation
    /// unmatched for this many frames is terminated.
    pub early_termination_age: u32,
    /// `TargetManagement.searchRegionPaddingScale` (default 1; NvDCF).
    pub search_region_padding_scale: f32,
    /// `TargetManagement.outputShadowTracks` (default false): shadow-tracked targets are
    /// reported in [`crate::FrameOutput::shadow_tracks`].
    pub output_shadow_tracks: bool,
    /// `TrajectoryManagement.useUniqueID` (default true): ids carry the stream id in their
    /// upper 32 bits.
    pub use_unique_id: bool,
    /// `DataAssociator`.
    pub association: Association,
    /// `StateEstimator`.
    pub state_estimator: StateEstimator,
    /// `VisualTracker.visualTrackerType` (0 none, 1 NvDCF, 2 NvDCF VPI).
    pub visual_tracker_type: u32,
    /// `VisualTracker.filterLr` (default 0.075): template learning rate.
    pub filter_lr: f32,
    /// `ReID.reidType` (0 none, 1 NvDeepSORT, 2 re-association, 3 both).
    pub reid_type: u32,
    /// What is honoured, approximated, ignored or unknown.
    pub report: ConfigReport,
}

impl Default for TrackerConfig {
    /// The IOU tracker with the manual's defaults (what nvtracker runs without
    /// `ll-config-file`).
    fn default() -> Self {
        TrackerConfig {
            file: None,
            kind: TrackerKind::Iou,
            min_detector_confidence: 0.0,
            max_targets_per_stream: 150,
            enable_bbox_unclipping: false,
            min_iou_diff_4_new_target: 0.5,
            min_tracker_confidence: 0.5,
            probation_age: 5,
            max_shadow_tracking_age: 38,
            early_termination_age: 2,
            search_region_padding_scale: 1.0,
            output_shadow_tracks: false,
            use_unique_id: true,
            association: Association {
                matcher: MatcherType::Greedy,
                check_class_match: true,
                use_prediction: false,
                min_overall: 0.0,
                min_size_similarity: 0.0,
                min_iou: 0.0,
                min_visual_similarity: 0.0,
                min_reid_similarity: 0.0,
                weight_iou: 1.0,
                weight_size_similarity: 0.0,
                weight_visual_similarity: 0.0,
                weight_reid_similarity: 0.0,
                tentative_detector_confidence: 0.5,
                min_tentative_iou: 0.0,
                threshold_mahalanobis: -1.0,
            },
            state_estimator: StateEstimator {
                kind: StateEstimatorType::None,
                process_noise_var_loc: 2.0,
                process_noise_var_size: 1.0,
                process_noise_var_vel: 0.1,
                measurement_noise_var_detector: 4.0,
                measurement_noise_var_tracker: 16.0,
                noise_weight_loc: 0.05,
                noise_weight_vel: 0.00625,
                use_aspect_ratio: false,
            },
            visual_tracker_type: 0,
            filter_lr: 0.075,
            reid_type: 0,
            report: ConfigReport::default(),
        }
    }
}

/// A checked value.
#[derive(Debug, Clone)]
enum Val {
    F(f64),
    U(u64),
    B(bool),
    Other,
}

impl TrackerConfig {
    /// Reads and checks an NvMultiObjectTracker YAML config.
    pub fn from_file(path: &Path) -> Result<TrackerConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::from_str_at(&text, path)
    }

    /// Parses `text` as the content of the config file `path` (used in messages).
    pub fn from_str_at(text: &str, path: &Path) -> Result<TrackerConfig, ConfigError> {
        let file = path.to_path_buf();
        let text = strip_opencv_header(text);
        let doc: serde_norway::Value =
            serde_norway::from_str(&text).map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                message: e.to_string(),
            })?;
        let groups = match doc {
            serde_norway::Value::Mapping(m) => m,
            serde_norway::Value::Null => serde_norway::Mapping::new(),
            other => {
                return Err(ConfigError::Syntax {
                    file,
                    message: format!(
                        "the top level is {}, expected a mapping of groups (BaseConfig, TargetManagement ...)",
                        kind_of(&other)
                    ),
                });
            }
        };
        let mut report = ConfigReport::default();
        let mut values: BTreeMap<(String, String), Val> = BTreeMap::new();
        for (g, body) in &groups {
            let group = scalar_text(g);
            if keys::LEGACY_GROUPS.contains(&group.as_str()) {
                return Err(ConfigError::Schema {
                    file,
                    message: format!(
                        "top-level group `{group}` is DeepStream 5.x's low-level tracker schema; NvMultiObjectTracker (DeepStream 6.0 and later, and the portable tracker) reads the groups BaseConfig, TargetManagement, TrajectoryManagement, DataAssociator, StateEstimator, VisualTracker, ReID: rewrite the file after DeepStream's config_tracker_NvDCF_perf.yml"
                    ),
                });
            }
            let serde_norway::Value::Mapping(body) = body else {
                if body.is_null() {
                    continue; // an empty group
                }
                return Err(ConfigError::BadValue {
                    file,
                    group: group.clone(),
                    key: String::new(),
                    value: short(body),
                    expected: "a mapping of keys".into(),
                });
            };
            if !keys::is_known_group(&group) {
                report.unknown.push(group.clone());
                for (key, _) in body {
                    report.unknown.push(format!("{group}.{}", scalar_text(key)));
                }
                continue;
            }
            let ignored_group = keys::IGNORED_GROUPS.iter().find(|(g, _)| *g == group);
            for (key, value) in body {
                let key = scalar_text(key);
                let name = format!("{group}.{key}");
                if let Some((_, why)) = ignored_group {
                    report.ignored.push((name, (*why).to_string()));
                    continue;
                }
                let Some(spec) = keys::find(&group, &key) else {
                    report.unknown.push(name);
                    continue;
                };
                let v = check(&file, &group, &key, spec.ty, value)?;
                match spec.disposition {
                    Disposition::Honoured => report.honoured.push(name),
                    Disposition::Approximated(how) => report.approximated.push((name, how.into())),
                    Disposition::Ignored(why) => report.ignored.push((name, why.into())),
                }
                values.insert((group.clone(), key), v);
            }
        }
        let mut c = TrackerConfig {
            file: Some(file.clone()),
            report,
            ..Default::default()
        };
        let get = |g: &str, k: &str| values.get(&(g.to_string(), k.to_string())).cloned();
        let f = |g: &str, k: &str, d: f32| match get(g, k) {
            Some(Val::F(v)) => v as f32,
            _ => d,
        };
        let u = |g: &str, k: &str, d: u32| match get(g, k) {
            Some(Val::U(v)) => v.min(u32::MAX as u64) as u32,
            _ => d,
        };
        let b = |g: &str, k: &str, d: bool| match get(g, k) {
            Some(Val::B(v)) => v,
            _ => d,
        };
        let raw = |g: &str, k: &str| -> String {
            groups
                .get(g)
                .and_then(|m| m.get(k))
                .map(short)
                .unwrap_or_default()
        };
        let bad = |g: &str, k: &str, expected: &str| ConfigError::BadValue {
            file: file.clone(),
            group: g.into(),
            key: k.into(),
            value: raw(g, k),
            expected: expected.into(),
        };
        let unsupported = |g: &str, k: &str, what: &str| ConfigError::Unsupported {
            file: file.clone(),
            group: g.into(),
            key: k.into(),
            value: raw(g, k),
            what: what.into(),
        };
        let d = TrackerConfig::default();
        const TM: &str = "TargetManagement";
        const DA: &str = "DataAssociator";
        const SE: &str = "StateEstimator";
        c.min_detector_confidence = f(
            "BaseConfig",
            "minDetectorConfidence",
            d.min_detector_confidence,
        );
        c.max_targets_per_stream = u(TM, "maxTargetsPerStream", d.max_targets_per_stream);
        c.enable_bbox_unclipping = b(TM, "enableBboxUnClipping", d.enable_bbox_unclipping);
        c.min_iou_diff_4_new_target = f(TM, "minIouDiff4NewTarget", d.min_iou_diff_4_new_target);
        c.min_tracker_confidence = f(TM, "minTrackerConfidence", d.min_tracker_confidence);
        c.probation_age = u(TM, "probationAge", d.probation_age);
        c.max_shadow_tracking_age = u(TM, "maxShadowTrackingAge", d.max_shadow_tracking_age);
        c.early_termination_age = u(TM, "earlyTerminationAge", d.early_termination_age);
        c.search_region_padding_scale = f(
            TM,
            "searchRegionPaddingScale",
            d.search_region_padding_scale,
        );
        c.output_shadow_tracks = b(TM, "outputShadowTracks", d.output_shadow_tracks);
        c.use_unique_id = b("TrajectoryManagement", "useUniqueID", d.use_unique_id);
        for (k, v) in [
            ("minTrackerConfidence", c.min_tracker_confidence),
            ("minIouDiff4NewTarget", c.min_iou_diff_4_new_target),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(bad(TM, k, "a number in [0.0, 1.0]"));
            }
        }
        if u(DA, "dataAssociatorType", 0) != 0 {
            return Err(bad(
                DA,
                "dataAssociatorType",
                "0 (DEFAULT), the only data associator",
            ));
        }
        let a = &mut c.association;
        a.matcher = match u(DA, "associationMatcherType", 0) {
            0 => MatcherType::Greedy,
            1 => MatcherType::Cascaded,
            _ => {
                return Err(bad(
                    DA,
                    "associationMatcherType",
                    "0 (GREEDY) or 1 (CASCADED)",
                ));
            }
        };
        a.check_class_match = b(DA, "checkClassMatch", a.check_class_match);
        a.use_prediction = b(DA, "usePrediction4Assoc", a.use_prediction);
        a.min_overall = f(DA, "minMatchingScore4Overall", a.min_overall);
        a.min_size_similarity = f(DA, "minMatchingScore4SizeSimilarity", a.min_size_similarity);
        a.min_iou = f(DA, "minMatchingScore4Iou", a.min_iou);
        a.min_visual_similarity = f(
            DA,
            "minMatchingScore4VisualSimilarity",
            a.min_visual_similarity,
        );
        a.min_reid_similarity = f(DA, "minMatchingScore4ReidSimilarity", a.min_reid_similarity);
        a.weight_iou = f(DA, "matchingScoreWeight4Iou", a.weight_iou);
        a.weight_size_similarity = f(
            DA,
            "matchingScoreWeight4SizeSimilarity",
            a.weight_size_similarity,
        );
        a.weight_visual_similarity = f(
            DA,
            "matchingScoreWeight4VisualSimilarity",
            a.weight_visual_similarity,
        );
        a.weight_reid_similarity = f(
            DA,
            "matchingScoreWeight4ReidSimilarity",
            a.weight_reid_similarity,
        );
        a.tentative_detector_confidence = f(
            DA,
            "tentativeDetectorConfidence",
            a.tentative_detector_confidence,
        );
        a.min_tentative_iou = f(DA, "minMatchingScore4TentativeIou", a.min_tentative_iou);
        a.threshold_mahalanobis = f(DA, "thresholdMahalanobis", a.threshold_mahalanobis);
        let s = &mut c.state_estimator;
        s.kind = match u(SE, "stateEstimatorType", 0) {
            0 => StateEstimatorType::None,
            1 => StateEstimatorType::Simple,
            2 => StateEstimatorType::Regular,
            3 => {
                return Err(unsupported(
                    SE,
                    "stateEstimatorType",
                    "SIMPLE_LOCATION_KF (single-view 3D tracking)",
                ));
            }
            _ => {
                return Err(bad(
                    SE,
                    "stateEstimatorType",
                    "0 (DUMMY), 1 (SIMPLE_BBOX_KF) or 2 (REGULAR_BBOX_KF)",
                ));
            }
        };
        s.process_noise_var_loc = f(SE, "processNoiseVar4Loc", s.process_noise_var_loc);
        s.process_noise_var_size = f(SE, "processNoiseVar4Size", s.process_noise_var_size);
        s.process_noise_var_vel = f(SE, "processNoiseVar4Vel", s.process_noise_var_vel);
        s.measurement_noise_var_detector = f(
            SE,
            "measurementNoiseVar4Detector",
            s.measurement_noise_var_detector,
        );
        s.measurement_noise_var_tracker = f(
            SE,
            "measurementNoiseVar4Tracker",
            s.measurement_noise_var_tracker,
        );
        s.noise_weight_loc = f(SE, "noiseWeightVar4Loc", s.noise_weight_loc);
        s.noise_weight_vel = f(SE, "noiseWeightVar4Vel", s.noise_weight_vel);
        s.use_aspect_ratio = b(SE, "useAspectRatio", s.use_aspect_ratio);
        c.visual_tracker_type = u("VisualTracker", "visualTrackerType", 0);
        if c.visual_tracker_type > 2 {
            return Err(bad(
                "VisualTracker",
                "visualTrackerType",
                "0 (DUMMY), 1 (NvDCF) or 2 (NvDCF_VPI)",
            ));
        }
        c.filter_lr = f("VisualTracker", "filterLr", c.filter_lr);
        if !(0.0..=1.0).contains(&c.filter_lr) {
            return Err(bad("VisualTracker", "filterLr", "a number in [0.0, 1.0]"));
        }
        c.reid_type = u("ReID", "reidType", 0);
        if c.reid_type > 3 {
            return Err(bad(
                "ReID",
                "reidType",
                "0 (DUMMY), 1 (DEEP), 2 (REASSOC) or 3 (BOTH)",
            ));
        }
        if u("Segmenter", "segmenterType", 0) != 0 {
            return Err(unsupported(
                "Segmenter",
                "segmenterType",
                "MaskTracker (SAM2 segmenter)",
            ));
        }
        c.kind = if c.visual_tracker_type > 0 {
            TrackerKind::NvDcf
        } else if c.reid_type == 1 || c.reid_type == 3 {
            TrackerKind::NvDeepSort
        } else if c.state_estimator.kind != StateEstimatorType::None {
            TrackerKind::NvSort
        } else {
            TrackerKind::Iou
        };
        Ok(c)
    }

    /// Whether the tracker uses an appearance cue (NvDCF's visual tracker or NvDeepSORT's
    /// ReID, both approximated by a colour histogram when frames are given).
    pub fn uses_appearance(&self) -> bool {
        matches!(self.kind, TrackerKind::NvDcf | TrackerKind::NvDeepSort)
    }
}

/// Replaces a leading OpenCV-style `%YAML:1.0` (or `%YAML 1.0`) directive line by a comment.
fn strip_opencv_header(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + 1);
    let mut first = true;
    for line in text.split_inclusive('\n') {
        if first && line.trim_start().starts_with("%YAML") {
            out.push('#');
        }
        if !line.trim().is_empty() {
            first = false;
        }
        out.push_str(line);
    }
    out
}

fn scalar_text(v: &serde_norway::Value) -> String {
    match v {
        serde_norway::Value::String(s) => s.clone(),
        other => short(other),
    }
}

fn short(v: &serde_norway::Value) -> String {
    let s = match v {
        serde_norway::Value::Null => "null".to_string(),
        serde_norway::Value::Bool(b) => b.to_string(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::String(s) => format!("{s:?}"),
        other => serde_norway::to_string(other)
            .unwrap_or_default()
            .trim()
            .replace('\n', " "),
    };
    if s.len() > 60 {
        let mut end = 60;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s
    }
}

fn kind_of(v: &serde_norway::Value) -> &'static str {
    match v {
        serde_norway::Value::Null => "empty",
        serde_norway::Value::Bool(_) => "a boolean",
        serde_norway::Value::Number(_) => "a number",
        serde_norway::Value::String(_) => "a string",
        serde_norway::Value::Sequence(_) => "a list",
        serde_norway::Value::Mapping(_) => "a mapping",
        serde_norway::Value::Tagged(_) => "a tagged value",
    }
}

fn check(
    file: &Path,
    group: &str,
    key: &str,
    ty: ValueType,
    v: &serde_norway::Value,
) -> Result<Val, ConfigError> {
    let bad = |expected: &str| ConfigError::BadValue {
        file: file.to_path_buf(),
        group: group.into(),
        key: key.into(),
        value: short(v),
        expected: expected.into(),
    };
    match ty {
        ValueType::Float => v
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Val::F)
            .ok_or_else(|| bad("a number")),
        ValueType::UInt => match v.as_u64() {
            Some(x) => Ok(Val::U(x)),
            None => Err(bad("a non-negative integer")),
        },
        ValueType::Bool => match (v.as_u64(), v.as_bool()) {
            (Some(0), _) | (_, Some(false)) => Ok(Val::B(false)),
            (Some(1), _) | (_, Some(true)) => Ok(Val::B(true)),
            _ => Err(bad("0 or 1")),
        },
        ValueType::Str => match v {
            serde_norway::Value::String(_) => Ok(Val::Other),
            _ => Err(bad("a string")),
        },
        ValueType::Any => Ok(Val::Other),
    }
}
