//! `dsosd`: the portable `nvdsosd`.
//!
//! Draws, in place on RGBA frames, what the metadata says: every object's instance mask
//! (`display-mask=1`), rectangle
//! (`rect_params`: border colour and width, optional background, alpha-blended) and label
//! (`text_params`), and every display meta's rectangles, texts (font size in points, colour,
//! background), lines, arrows and circles. Works on batches (each `NvDsFrameMeta` is drawn on
//! the frame of its `batch_id`) and on plain RGBA buffers that carry a batch meta (frame 0).
//!
//! Text is rasterised from DejaVu fonts (Debian `fonts-dejavu-core`; Pango's "Serif" maps to
//! DejaVu Serif, "Monospace" to DejaVu Sans Mono, anything else to DejaVu Sans; `DS_OSD_FONT`
//! overrides the default). A font size of N points is drawn N * 96 / 72 pixels per em, as
//! Pango does at 96 dpi. Without the font file, starting the element fails with an error
//! that names the file (when `display-text` is on).
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! \
//!   dsinfer config-file-path=configs/deepstream-test1/portable/dstest1_pgie_config.txt ! \
//!   dsvideoconvert ! dsosd ! dsvideoconvert ! autovideosink
//! ```
//!
//! Properties: `process-mode` (accepted for compatibility, always drawn on the CPU),
//! `display-text`, `display-bbox`, `display-mask` (false; true blends each object's instance
//! mask, `mask_params`, over its box: the mask is resized to the box with the segmask
//! sample's bilinear rule, binarised at its `threshold`, and the pixels inside are blended
//! with the object's border colour at half its alpha, before boxes and text are drawn),
//! `display-clock`, `clock-font-size`, `x-clock-offset`, `y-clock-offset`, `clock-color`
//! (a 0xRRGGBBAA integer, as nvdsosd).

use gst::glib;
use gst::prelude::*;

mod imp;

/// nvdsosd's `process-mode` values (`GstNvDsOsdMode`); all draw on the CPU here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, glib::Enum, Default)]
#[repr(i32)]
#[enum_type(name = "GstDsOsdMode")]
pub enum OsdMode {
    /// CPU drawing.
    #[enum_value(name = "CPU_MODE", nick = "CPU_MODE")]
    Cpu = 0,
    /// GPU drawing in nvdsosd (the default there).
    #[default]
    #[enum_value(name = "GPU_MODE", nick = "GPU_MODE")]
    Gpu = 1,
    /// VIC drawing (Jetson).
    #[enum_value(name = "VIC_MODE", nick = "VIC_MODE")]
    Vic = 2,
}

glib::wrapper! {
    /// The `dsosd` element.
    pub struct DsOsd(ObjectSubclass<imp::DsOsd>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsosd` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dsosd", gst::Rank::NONE, DsOsd::static_type())
}
