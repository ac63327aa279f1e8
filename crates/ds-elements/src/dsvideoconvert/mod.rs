//! `dsvideoconvert`: the portable `nvvideoconvert`.
//!
//! Converts between batches (`video/x-raw(memory:DsBatch), format=RGBA`) and plain
//! `video/x-raw`, and between plain formats and sizes, with `gst_video::VideoConverter`:
//!
//! - batch → batch: passthrough (a batch is always RGBA at the muxer's size);
//! - batch → plain: the batch must hold one frame (after `dstiler`, `dsstreamdemux`, or a
//!   muxer with `batch-size=1`); a batch of more frames is an error that says to put a tiler
//!   or demuxer first. The metadata stays on the buffer;
//! - plain → plain: format and size conversion (like `videoconvertscale`);
//! - plain → batch: the frame becomes a one-frame RGBA batch with an `NvDsBatchMeta`
//!   (source 0), as nvvideoconvert does when it puts system memory into NVMM.
//!
//! RGBA → I420 / NV12 at the same size (the OSD's frames on their way to an encoder) uses
//! SIMD code (`yuvutils-rs`) instead of `VideoConverter`, at about a fifth of its CPU time.
//!
//! The frame rate is never changed; the output keeps the input size unless downstream asks
//! for another one.
//!
//! ```text
//! gst-launch-1.0 videotestsrc num-buffers=10 ! dsvideoconvert ! \
//!   'video/x-raw(memory:DsBatch),format=RGBA' ! dsosd ! dsvideoconvert ! video/x-raw,format=I420 ! fakesink
//! ```
//!
//! nvvideoconvert's GPU, crop and flip properties are not implemented.

use gst::glib;
use gst::prelude::*;

mod imp;
mod rgba_yuv;

glib::wrapper! {
    /// The `dsvideoconvert` element.
    pub struct DsVideoConvert(ObjectSubclass<imp::DsVideoConvert>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsvideoconvert` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dsvideoconvert",
        gst::Rank::NONE,
        DsVideoConvert::static_type(),
    )
}
