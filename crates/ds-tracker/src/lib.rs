//! Multi-object tracking compatible with NVIDIA's NvMultiObjectTracker (the low-level
//! library of DeepStream's Gst-nvtracker), with no GStreamer: what the portable `dstracker`
//! element runs.
//!
//! - [`TrackerConfig`]: the YAML config (`ll-config-file`) of the IOU, NvSORT, NvDCF and
//!   NvDeepSORT trackers as DeepStream ships them (`%YAML:1.0` first line included), with a
//!   [`ConfigReport`] naming the keys honoured, approximated, ignored and unknown.
//! - [`TrackerIni`]: the samples' `[tracker]` INI file (`dstest2_tracker_config.txt`).
//! - [`Tracker`]: per-stream targets with NvMultiObjectTracker's life cycle (probation,
//!   shadow tracking, early termination), data association (greedy or cascaded), Kalman state
//!   estimation, ids as DeepStream numbers them, and past-frame data.
//!
//! What is approximated (also in each config's report): NvDCF's correlation-filter visual
//! tracker and NvDeepSORT's ReID network are both replaced by a colour histogram of the box
//! ([`appearance`]), computed when the caller passes the RGBA frame. Re-association,
//! terminated-track output and SV3DT are not implemented (their keys are reported as ignored;
//! `stateEstimatorType: 3` and `segmenterType` ≥ 1 are errors).
//!
//! ```
//! use ds_tracker::{BBox, Detection, FrameInput, Tracker, TrackerConfig};
//! let mut tracker = Tracker::new(TrackerConfig { probation_age: 0, ..Default::default() });
//! for f in 0..3u32 {
//!     let det = Detection {
//!         class_id: 2,
//!         confidence: 0.9,
//!         bbox: BBox::new(100.0 + 5.0 * f as f32, 50.0, 40.0, 100.0),
//!         label: "Person".into(),
//!     };
//!     let out = tracker.track(&FrameInput {
//!         stream_id: 1, frame_num: f, width: 640, height: 480,
//!         detections: std::slice::from_ref(&det), image: None,
//!     });
//!     assert_eq!(out.objects[0].object_id, 1 << 32); // useUniqueID: stream 1 in the upper 32 bits, first id 0
//! }
//! ```

#![warn(missing_docs)]
// Config errors carry the file, group, key and value as owned data; they are rare and not on
// a hot path.
#![allow(clippy::result_large_err)]

pub mod appearance;
pub mod assoc;
pub mod config;
pub mod error;
pub mod geometry;
pub mod ini;
pub mod kalman;
pub mod keys;
pub mod tracker;

pub use appearance::RgbaImage;
pub use config::{ConfigReport, MatcherType, StateEstimatorType, TrackerConfig, TrackerKind};
pub use error::ConfigError;
pub use geometry::BBox;
pub use ini::{NVIDIA_LIB, PORTABLE_LIB, PropertyValue, TrackerIni, check_ll_lib_file};
pub use tracker::{
    Detection, FrameInput, FrameOutput, PastFrame, PastFrameObject, TargetState, TrackedObject,
    Tracker,
};
