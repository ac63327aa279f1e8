//! `dsof`: the portable `nvof` (DeepStream plugin manual, Gst-nvof), dense optical flow on
//! the CPU.
//!
//! For each frame of a batch, computes the flow from the previous frame of the same source
//! (`source_id`) with OpenCV's DIS optical flow (crate `ds-flow`) and attaches it as
//! `NvDsOpticalFlowMeta` (frame user meta of type `NVDS_OPTICAL_FLOW_META`, as nvof):
//! `rows` x `cols` `NvOFFlowVector`s on nvof's 4x4 block grid (`rows = ceil(height / 4)`,
//! `cols = ceil(width / 4)`, over the muxer's frame), each the motion of its block's content
//! from the previous frame to this one in S10.5 fixed point (1/32 pixel; `x` right, `y`
//! down), `frame_num` the frame's. The first frame of a source gets zero vectors; a source
//! removed (`stream-deleted` event) starts again from zero. The frames pass unchanged.
//!
//! Properties (nvof's): `preset-level` (0 fast: DIS FAST, the default; 1 medium: DIS
//! MEDIUM; 2 slow: DIS MEDIUM refined to full resolution), `grid-size` (0: 4x4, the only
//! grid), `pool-size` (7; accepted, no effect: the metadata is owned by the buffer),
//! `dump-of-meta` (false; true writes each frame's vectors, `rows * cols` little-endian
//! `i16` pairs, to `of_dump_stream<source_id>_frame<frame_num>.bin` in the working directory),
//! `gpu-id` (accepted, no effect).
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! dsof ! dsofvisual ! \
//!   dsvideoconvert ! videoconvert ! autovideosink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dsof` element.
    pub struct DsOf(ObjectSubclass<imp::DsOf>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsof` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dsof", gst::Rank::NONE, DsOf::static_type())
}
