//! `dstracker`: the portable `nvtracker`, running the ds-tracker crate (NvMultiObjectTracker's
//! IOU / NvSORT / NvDCF / NvDeepSORT configs on the CPU).
//!
//! In place on each batch, for every frame (one tracker state per `source_id`):
//! - every object meta is a detection; objects the tracker outputs get `object_id`,
//!   `tracker_bbox_info` (the tracker's box, unclipped), `tracker_confidence`, and
//!   `rect_params` set to the tracker's box clipped to the frame; their label is drawn in
//!   "Serif" 10 white on black at (left, top - 20), followed by the id when
//!   `display-tracking-id` is on (as nvtracker does);
//! - objects the tracker does not output (new targets in probation, detections below
//!   `minDetectorConfidence`, detections dropped by `minIouDiff4NewTarget` or
//!   `maxTargetsPerStream`) are removed, as nvtracker removes untracked objects;
//! - targets tracked without a detection in this frame that the tracker outputs (NvDCF's
//!   visual tracker, approximated by a colour histogram of the RGBA frame) get a new object
//!   meta: detector `confidence` -0.1, `detector_bbox_info` zero, the class's last label,
//!   colours and `unique_component_id`;
//! - `NVDS_TRACKER_PAST_FRAME_META` (batch user meta, `NvDsTargetMiscDataBatch`, DS 7.1
//!   layout) carries the frames of targets that were in probation or unreported shadow
//!   tracking, when `enable-past-frame` is on and there are any; `streamID` is the frame's
//!   `source_id`, `surfaceStreamID` is `source_id << 32`, boxes in batch-frame pixels;
//! - with `outputShadowTracks: 1` in the config, `NVDS_TRACKER_SHADOW_LIST_META` (same
//!   struct) lists the targets in shadow tracking that were not output.
//!
//! At start the config is read and what the portable tracker approximates, ignores or does
//! not know is printed on stderr (one line) and logged at INFO level (one line per key).
//! A missing or malformed `ll-config-file`, or an `ll-lib-file` other than NVIDIA's
//! `libnvds_nvmultiobjecttracker.so` or this project's `libds_tracker`, is an element error
//! naming the file.
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=768 height=576 ! \
//!   dsinfer config-file-path=configs/deepstream-test1/portable/dstest1_pgie_config.txt ! \
//!   dstracker ll-lib-file=libds_tracker \
//!     ll-config-file=configs/deepstream-test2/portable/config_tracker_NvDCF_perf.yml ! \
//!   dsosd ! dsvideoconvert ! autovideosink
//! ```
//!
//! Properties, with nvtracker's names, types and defaults: `ll-lib-file` (required, as in
//! nvtracker), `ll-config-file` (without it: the IOU tracker with the manual's defaults),
//! `display-tracking-id` (true), `tracking-id-reset-mode` (0; bit 1: a stream's ids restart
//! from 0 after its EOS; bit 0, new ids after a stream reset, is what a removed stream always
//! gets: its targets end and its id counter goes on), `enable-past-frame`
//! (true: DeepStream 7.1's nvtracker always reports past-frame data). Accepted with no
//! effect (the portable tracker works on the batch frames, on the CPU, all streams at once):
//! `tracker-width` (960), `tracker-height` (544), `gpu-id` (0), `enable-batch-process`
//! (true), `tracking-surface-type` (0), `input-tensor-meta` (false), `tensor-meta-gie-id`
//! (0), `compute-hw` (0), `user-meta-pool-size` (32), `sub-batches` (none; several
//! `;`-separated `ll-config-file`s are refused at start).

use gst::glib;
use gst::prelude::*;

mod imp;
mod meta;

glib::wrapper! {
    /// The `dstracker` element.
    pub struct DsTracker(ObjectSubclass<imp::DsTracker>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dstracker` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dstracker",
        gst::Rank::NONE,
        DsTracker::static_type(),
    )
}
