//! `dssegvisual`: the portable `nvsegvisual` (DeepStream plugin manual, Gst-nvsegvisual).
//!
//! Turns each frame of a batch into a colour picture of its segmentation: the
//! `NvDsInferSegmentationMeta` that `dsinfer` attached to the frame (`network-type=2`) is
//! scaled to `width` x `height` (nearest class) and every class gets its colour from
//! [`CLASS_COLORS`] (class `k` gets entry `k % 14`; pixels without a class, -1, are black).
//! With `original-background=true` the colours are blended over the frame (scaled to
//! `width` x `height`) with weight `alpha`; otherwise the picture is the classes alone, as
//! nvsegvisual shows them. A frame without segmentation meta comes out black (or as the
//! frame itself with `original-background`).
//!
//! The output is a batch of the same frames (`video/x-raw(memory:DsBatch)`, RGBA,
//! `width` x `height`, one memory per frame) or plain RGBA when downstream only takes that
//! and the batch holds one frame; all metadata is kept as it is (object coordinates stay in
//! the muxer's frame, as with nvsegvisual).
//!
//! Properties: `batch-size` (1), `width` (1280), `height` (720), `original-background`
//! (false), `alpha` (0.5), `gpu-id` (accepted, no effect).
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/grace_hopper.jpg ! jpegparse ! jpegdec ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=512 height=600 ! \
//!   dsinfer config-file-path=configs/deepstream-segmentation/portable/dstest_segmentation_config_semantic.txt ! \
//!   dssegvisual width=512 height=512 ! dsvideoconvert ! videoconvert ! pngenc ! filesink location=/tmp/seg.png
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

/// The class colours (RGB), the Python sample's `COLORS` table converted from BGR, so that
/// the element's picture and the sample's saved masks use the same colour for a class.
pub const CLASS_COLORS: [[u8; 3]; 14] = [
    [64, 128, 128],
    [128, 0, 0],
    [128, 128, 0],
    [0, 0, 128],
    [128, 0, 128],
    [0, 128, 128],
    [0, 128, 0],
    [64, 0, 0],
    [192, 0, 0],
    [64, 128, 0],
    [192, 128, 0],
    [64, 0, 128],
    [192, 0, 128],
    [128, 128, 128],
];

/// The RGB colour of `class` in [`CLASS_COLORS`] (negative classes: black).
pub fn class_color(class: i32) -> [u8; 3] {
    if class < 0 {
        [0, 0, 0]
    } else {
        CLASS_COLORS[class as usize % CLASS_COLORS.len()]
    }
}

glib::wrapper! {
    /// The `dssegvisual` element.
    pub struct DsSegVisual(ObjectSubclass<imp::DsSegVisual>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dssegvisual` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dssegvisual", gst::Rank::NONE, DsSegVisual::static_type())
}
