//! The keys of NvMultiObjectTracker's YAML config that this crate knows, by group, with the
//! value type it checks and what the portable tracker does with each (honours, approximates,
//! ignores). Names, groups and defaults follow DeepStream 7.1's Gst-nvtracker manual
//! ("NvMultiObjectTracker: configuration parameters") and the sample configs it ships.

/// The value type a key must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// A number (integer or float).
    Float,
    /// A non-negative integer.
    UInt,
    /// `0`/`1` (or `true`/`false`).
    Bool,
    /// A string.
    Str,
    /// Anything (keys that are ignored: checked only for being YAML).
    Any,
}

/// What the portable tracker does with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Implemented with NvMultiObjectTracker's meaning.
    Honoured,
    /// Read and used, but the feature behind it is approximated (the note says how).
    Approximated(&'static str),
    /// Read (type-checked) and has no effect (the note says why).
    Ignored(&'static str),
}

/// One known key.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// YAML group (`TargetManagement` ...).
    pub group: &'static str,
    /// Key name.
    pub key: &'static str,
    /// Value type.
    pub ty: ValueType,
    /// What the tracker does with it.
    pub disposition: Disposition,
}

use Disposition::{Approximated as A, Honoured as H, Ignored as I};
use ValueType::{Any, Bool, Float, Str, UInt};

const VISUAL: &str = "NvDCF's correlation filter is approximated with colour histograms of the box (upper and lower halves, RGBA frame): association scores the histogram similarity under a cosine window over the search region; an unmatched target is searched around its prediction and its tracker confidence is how much more the box looks like the target than like its background";
const VISUAL_FEAT: &str =
    "NvDCF feature extraction is not run: the portable appearance cue is an RGB colour histogram";
const REID: &str = "no ReID network runs in the portable tracker: the ReID similarity is approximated by the colour-histogram similarity";
const REID_NET: &str = "no ReID network runs in the portable tracker";
const REASSOC: &str = "target re-association (tracklet matching) is not implemented";
const TERMINATED: &str = "terminated-track output is not implemented";
const SV3DT: &str = "single-view 3D tracking (SV3DT) is not implemented";
const SEGMENTER: &str = "MaskTracker (SAM2 segmenter) is not implemented";

/// Every key known, in the manual's order.
pub const KEYS: &[KeySpec] = &[
    k("BaseConfig", "minDetectorConfidence", Float, H),
    k(
        "TargetManagement",
        "preserveStreamUpdateOrder",
        Bool,
        I("ids are always assigned in input order (deterministic)"),
    ),
    k("TargetManagement", "maxTargetsPerStream", UInt, H),
    k(
        "TargetManagement",
        "enableBboxUnClipping",
        Bool,
        A(
            "a detection box touching the frame border keeps the target's previous width/height, anchored on the side away from the border",
        ),
    ),
    k("TargetManagement", "minIouDiff4NewTarget", Float, H),
    k("TargetManagement", "minTrackerConfidence", Float, H),
    k("TargetManagement", "probationAge", UInt, H),
    k("TargetManagement", "maxShadowTrackingAge", UInt, H),
    k("TargetManagement", "earlyTerminationAge", UInt, H),
    k(
        "TargetManagement",
        "searchRegionPaddingScale",
        Float,
        A(
            "the search region (box padded by this times sqrt(w*h) per side) gates the colour-histogram visual similarity",
        ),
    ),
    k(
        "TargetManagement",
        "outputTerminatedTracks",
        Bool,
        I(TERMINATED),
    ),
    k(
        "TargetManagement",
        "terminatedTrackFilename",
        Str,
        I(TERMINATED),
    ),
    k("TargetManagement", "outputShadowTracks", Bool, H),
    k("TrajectoryManagement", "useUniqueID", Bool, H),
    k("TrajectoryManagement", "enableReAssoc", Bool, I(REASSOC)),
    k(
        "TrajectoryManagement",
        "minMatchingScore4Overall",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "minTrackletMatchingScore",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "minMatchingScore4ReidSimilarity",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "matchingScoreWeight4TrackletSimilarity",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "matchingScoreWeight4ReidSimilarity",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "minTrajectoryLength4Projection",
        UInt,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "prepLength4TrajectoryProjection",
        UInt,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "trajectoryProjectionLength",
        UInt,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "maxAngle4TrackletMatching",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "minSpeedSimilarity4TrackletMatching",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "minBboxSizeSimilarity4TrackletMatching",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "maxTrackletMatchingTimeSearchRange",
        UInt,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "trajectoryProjectionProcessNoiseScale",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "trajectoryProjectionMeasurementNoiseScale",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "trackletSpacialSearchRegionScale",
        Float,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "reidExtractionInterval",
        Any,
        I(REASSOC),
    ),
    k(
        "TrajectoryManagement",
        "maxTrajectoryBufferLength",
        UInt,
        I(TERMINATED),
    ),
    k("DataAssociator", "dataAssociatorType", UInt, H),
    k("DataAssociator", "associationMatcherType", UInt, H),
    k("DataAssociator", "checkClassMatch", Bool, H),
    k("DataAssociator", "usePrediction4Assoc", Bool, H),
    k("DataAssociator", "minMatchingScore4Overall", Float, H),
    k(
        "DataAssociator",
        "minMatchingScore4SizeSimilarity",
        Float,
        H,
    ),
    k("DataAssociator", "minMatchingScore4Iou", Float, H),
    k(
        "DataAssociator",
        "minMatchingScore4VisualSimilarity",
        Float,
        A(VISUAL),
    ),
    k(
        "DataAssociator",
        "minMatchingScore4ReidSimilarity",
        Float,
        A(REID),
    ),
    k("DataAssociator", "matchingScoreWeight4Iou", Float, H),
    k(
        "DataAssociator",
        "matchingScoreWeight4SizeSimilarity",
        Float,
        H,
    ),
    k(
        "DataAssociator",
        "matchingScoreWeight4VisualSimilarity",
        Float,
        A(VISUAL),
    ),
    k(
        "DataAssociator",
        "matchingScoreWeight4ReidSimilarity",
        Float,
        A(REID),
    ),
    k("DataAssociator", "tentativeDetectorConfidence", Float, H),
    k("DataAssociator", "minMatchingScore4TentativeIou", Float, H),
    k("DataAssociator", "thresholdMahalanobis", Float, H),
    k("StateEstimator", "stateEstimatorType", UInt, H),
    k("StateEstimator", "processNoiseVar4Loc", Float, H),
    k("StateEstimator", "processNoiseVar4Size", Float, H),
    k("StateEstimator", "processNoiseVar4Vel", Float, H),
    k("StateEstimator", "measurementNoiseVar4Detector", Float, H),
    k(
        "StateEstimator",
        "measurementNoiseVar4Tracker",
        Float,
        A(
            "the visual tracker's measurement is the predicted box when its colour-histogram confidence reaches minTrackerConfidence (NvDCF only)",
        ),
    ),
    k("StateEstimator", "noiseWeightVar4Loc", Float, H),
    k("StateEstimator", "noiseWeightVar4Vel", Float, H),
    k("StateEstimator", "useAspectRatio", Bool, H),
    k("VisualTracker", "visualTrackerType", UInt, A(VISUAL)),
    k(
        "VisualTracker",
        "vpiBackend4DcfTracker",
        UInt,
        I(VISUAL_FEAT),
    ),
    k("VisualTracker", "useColorNames", Bool, I(VISUAL_FEAT)),
    k("VisualTracker", "useHog", Bool, I(VISUAL_FEAT)),
    k(
        "VisualTracker",
        "useHighPrecisionFeature",
        Bool,
        I(VISUAL_FEAT),
    ),
    k("VisualTracker", "featureImgSizeLevel", UInt, I(VISUAL_FEAT)),
    k(
        "VisualTracker",
        "featureFocusOffsetFactor_y",
        Float,
        I(VISUAL_FEAT),
    ),
    k(
        "VisualTracker",
        "filterLr",
        Float,
        A("learning rate of the target's colour-histogram template (exponential moving average)"),
    ),
    k(
        "VisualTracker",
        "filterChannelWeightsLr",
        Float,
        I(VISUAL_FEAT),
    ),
    k("VisualTracker", "gaussianSigma", Float, I(VISUAL_FEAT)),
    k("ReID", "reidType", UInt, A(REID)),
    k("ReID", "reidHistorySize", UInt, I(REID_NET)),
    k("ReID", "batchSize", UInt, I(REID_NET)),
    k("ReID", "workspaceSize", UInt, I(REID_NET)),
    k("ReID", "reidFeatureSize", UInt, I(REID_NET)),
    k("ReID", "inferDims", Any, I(REID_NET)),
    k("ReID", "networkMode", UInt, I(REID_NET)),
    k("ReID", "inputOrder", UInt, I(REID_NET)),
    k("ReID", "colorFormat", UInt, I(REID_NET)),
    k("ReID", "offsets", Any, I(REID_NET)),
    k("ReID", "netScaleFactor", Float, I(REID_NET)),
    k("ReID", "keepAspc", Bool, I(REID_NET)),
    k("ReID", "useVPICropScaler", Bool, I(REID_NET)),
    k("ReID", "addFeatureNormalization", Bool, I(REID_NET)),
    k("ReID", "minVisibility4GalleryUpdate", Float, I(REID_NET)),
    k("ReID", "outputReidTensor", Bool, I(REID_NET)),
    k("ReID", "inputBlobName", Str, I(REID_NET)),
    k("ReID", "outputBlobName", Str, I(REID_NET)),
    k("ReID", "uffFile", Str, I(REID_NET)),
    k("ReID", "onnxFile", Str, I(REID_NET)),
    k("ReID", "tltEncodedModel", Str, I(REID_NET)),
    k("ReID", "tltModelKey", Str, I(REID_NET)),
    k("ReID", "modelEngineFile", Str, I(REID_NET)),
    k("ReID", "calibrationTableFile", Str, I(REID_NET)),
    k("Segmenter", "segmenterType", UInt, I(SEGMENTER)),
    k("Segmenter", "segmenterConfigPath", Str, I(SEGMENTER)),
];

/// Groups whose keys are all ignored whatever they are (SV3DT modules).
pub const IGNORED_GROUPS: &[(&str, &str)] =
    &[("ObjectModelProjection", SV3DT), ("PoseEstimator", SV3DT)];

/// Top-level maps of DeepStream 5.x's low-level configs (one map per library).
pub const LEGACY_GROUPS: &[&str] = &["NvDCF", "IOUTracker", "KLTTracker", "NvDCFTracker"];

const fn k(
    group: &'static str,
    key: &'static str,
    ty: ValueType,
    disposition: Disposition,
) -> KeySpec {
    KeySpec {
        group,
        key,
        ty,
        disposition,
    }
}

/// The spec of `group.key`, if known.
pub fn find(group: &str, key: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|s| s.group == group && s.key == key)
}

/// Whether `group` is a group of the current (DeepStream 6.0+) schema.
pub fn is_known_group(group: &str) -> bool {
    KEYS.iter().any(|s| s.group == group) || IGNORED_GROUPS.iter().any(|(g, _)| *g == group)
}
