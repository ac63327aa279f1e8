//! `dsstreamdemux`: the portable `nvstreamdemux`.
//!
//! Splits each batch into its frames: the frame of source N goes out of request pad
//! `src_N` (as nvstreamdemux, a source without a requested pad is dropped), as a one-frame
//! batch (`video/x-raw(memory:DsBatch), format=RGBA`, or plain RGBA when the downstream peer
//! only takes that) carrying a batch meta with a copy of that frame's `NvDsFrameMeta` (its
//! objects, display and user meta), renumbered `batch_id` 0. Its PTS is the frame's
//! `buf_pts` (the PTS the source gave it); the pixels are the muxer's scaled frame, untouched.
//!
//! The muxer's `nv-stream-eos` event ([`crate::events`]) ends the matching src pad with EOS;
//! the muxer's EOS ends every src pad that has not ended yet.
//!
//! ```text
//! gst-launch-1.0 dsstreammux name=m batch-size=2 width=640 height=360 ! dsstreamdemux name=d \
//!   videotestsrc num-buffers=50 ! m.sink_0  videotestsrc num-buffers=30 pattern=ball ! m.sink_1 \
//!   d.src_0 ! queue ! dsvideoconvert ! autovideosink  d.src_1 ! queue ! dsvideoconvert ! autovideosink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dsstreamdemux` element.
    pub struct DsStreamDemux(ObjectSubclass<imp::DsStreamDemux>) @extends gst::Element, gst::Object;
}

/// Registers `dsstreamdemux` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dsstreamdemux",
        gst::Rank::NONE,
        DsStreamDemux::static_type(),
    )
}
