//! Video analytics compatible with NVIDIA's Gst-nvdsanalytics, with no GStreamer: what the
//! portable `dsanalytics` element runs.
//!
//! - [`AnalyticsConfig`]: the analytics config file (`[property]`, `roi-filtering-stream-N`,
//!   `overcrowding-stream-N`, `line-crossing-stream-N`, `direction-detection-stream-N`, and
//!   their `-stream-all` forms), read with glib's `KeyFile` as nvdsanalytics reads it.
//! - [`geometry`]: point in polygon, sides of a line, crossing with a direction, the segment
//!   test of `extended=0`, coordinates scaled from `config-width/height` to the frame.
//! - [`StreamAnalytics`]: per-stream state (object histories by tracking id, cumulative
//!   line-crossing counts) and the per-frame results ([`FrameResult`], [`ObjectResult`]) that
//!   DeepStream carries as `NvDsAnalyticsFrameMeta` / `NvDsAnalyticsObjInfo`.
//!
//! The semantics (reference point, thresholds of each `mode`, counting once per object and
//! line, the 300 ms timeout, the count smoothing) follow NVIDIA's public nvdsanalytics sources
//! (DeepStream 9.1 `src/utils/nvds_analytics`); see [`engine`] for the details.
//!
//! ```
//! use ds_analytics::{AnalyticsConfig, ObjectInput, StreamAnalytics};
//! let cfg = AnalyticsConfig::parse_bytes(std::path::Path::new("inline.txt"), b"
//! [property]
//! enable=1
//! config-width=200
//! config-height=100
//! [line-crossing-stream-0]
//! enable=1
//! line-crossing-Exit=50;50;150;50;100;0;100;100
//! ").unwrap();
//! let mut s = StreamAnalytics::for_stream(&cfg, 0, 200, 100);
//! let mut crossed = 0;
//! for f in 0..20u32 {
//!     // a 10x20 box walking right, 6 px per frame (10 fps)
//!     let o = ObjectInput { object_id: 7, class_id: 0, left: 40 + 6 * f, top: 30, width: 10, height: 20 };
//!     let r = s.process(f as u64 * 100_000_000, &[o]);
//!     crossed += r.obj_lc_curr_cnt["Exit"];
//! }
//! assert_eq!(crossed, 1);
//! assert_eq!(s.cumulative("Exit"), 1);
//! ```

#![warn(missing_docs)]
// Config errors carry the file, group, key and value as owned data; they are rare.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod engine;
pub mod error;
pub mod geometry;

pub use config::{
    AnalyticsConfig, DirectionRule, LineRule, Mode, OvercrowdingRule, RoiRule, StreamRules,
};
pub use engine::{FrameResult, ObjectInput, ObjectResult, StreamAnalytics, UNTRACKED, class_ok};
pub use error::ConfigError;
pub use geometry::Point;
