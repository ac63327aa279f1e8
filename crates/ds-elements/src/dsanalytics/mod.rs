//! `dsanalytics`: the portable `nvdsanalytics`, running the ds-analytics crate (ROI
//! filtering, overcrowding, line crossing and direction detection per stream).
//!
//! In place on each batch, for every frame (one analytics state per `pad_index`, created at
//! the frame size of the caps, the config's points scaled from `config-width/height`):
//! - every object meta is analysed by its bottom centre (tracking ids are needed for line
//!   crossing and direction: put `dstracker` upstream);
//! - objects with a status (in a ROI, crossing a line, moving in a direction, stopped, in an
//!   overcrowding ROI) get an `NvDsAnalyticsObjInfo` object user meta; with `osd-mode=2`
//!   the status is appended to the object's label (or written above its box, "Serif" white
//!   on black) and the box colour is inverted for ROI and line-crossing statuses;
//! - every frame gets an `NvDsAnalyticsFrameMeta` frame user meta (objects per ROI,
//!   overcrowding flags, per-frame and cumulative crossings per line, objects per class),
//!   `unique_id` = the `unique-id` property;
//! - with `osd-mode` 1 or 2, display meta draws what nvdsanalytics draws: ROIs in yellow,
//!   overcrowding ROIs in orange, directions in red and lines in green (width 2), each
//!   direction vector with an arrow head, each rule's label ("Serif", `display-font-size`,
//!   on black), with its count when `osd-mode=2` (`RF=3`, `Exit=12`,
//!   `OC OverCrowding=True, Count=4`); `display-obj-cnt` adds "Count for ClassId0=..".
//!
//! Both user metas have DeepStream 7.x's types (`nvds_get_user_meta_type(
//! "NVIDIA.DSANALYTICSOBJ.USER_META")`, `"NVIDIA.DSANALYTICSFRAME.USER_META"`) and the C++
//! memory layout nvdsanalytics uses; read them with `ds_meta::UserMeta::analytics_obj` /
//! `analytics_frame` (see `ds_meta::analytics`).
//!
//! A missing or malformed `config-file` is an element error at start naming the file, group
//! and key. Unknown keys and groups are printed on stderr. At EOS, groups for streams that
//! never sent a frame are a warning on the bus.
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1920 height=1080 ! \
//!   dsinfer config-file-path=configs/deepstream-nvdsanalytics/portable/dsnvanalytics_pgie_config.txt ! \
//!   dstracker ll-lib-file=libds_tracker \
//!     ll-config-file=configs/deepstream-nvdsanalytics/portable/config_tracker_NvDCF_perf.yml ! \
//!   dsanalytics config-file=configs/deepstream-nvdsanalytics/portable/config_nvdsanalytics.txt ! \
//!   dsosd ! dsvideoconvert ! autovideosink
//! ```
//!
//! Properties, with nvdsanalytics' names and defaults: `config-file` (required),
//! `enable` (true; the config's `[property] enable=0` disables it too: the buffers pass
//! untouched), `unique-id` (17).

use gst::glib;
use gst::prelude::*;

mod imp;
mod meta;

glib::wrapper! {
    /// The `dsanalytics` element.
    pub struct DsAnalytics(ObjectSubclass<imp::DsAnalytics>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsanalytics` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dsanalytics",
        gst::Rank::NONE,
        DsAnalytics::static_type(),
    )
}
