//! `dsofvisual`: the portable `nvofvisual` (DeepStream plugin manual, Gst-nvofvisual).
//!
//! Replaces each frame of a batch with the colour coding of its `NvDsOpticalFlowMeta`
//! (from `dsof`): every 4x4 block gets the colour of its vector on the Middlebury colour
//! wheel (`ds_flow::colorize`: hue = direction, saturation = magnitude relative to the
//! frame's largest, at least 1 pixel; no motion is white). A frame without flow meta
//! becomes white. The metadata passes unchanged.
//!
//! Properties: `gpu-id` (accepted, no effect).
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
    /// The `dsofvisual` element.
    pub struct DsOfVisual(ObjectSubclass<imp::DsOfVisual>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsofvisual` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dsofvisual", gst::Rank::NONE, DsOfVisual::static_type())
}
