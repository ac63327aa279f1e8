//! Caps of the portable batch (see `docs/batch-format.md`).

use gst_video::VideoFormat;

/// The caps feature of a batch buffer (`memory:DsBatch`), the portable counterpart of
/// DeepStream's `memory:NVMM`.
pub const CAPS_FEATURE_BATCH: &str = ds_meta::CAPS_FEATURE_BATCH;

/// Raw formats the elements accept on plain `video/x-raw` inputs (converted with
/// `gst_video::VideoConverter`).
pub const RAW_FORMATS: &[VideoFormat] = &[
    VideoFormat::I420,
    VideoFormat::Yv12,
    VideoFormat::Nv12,
    VideoFormat::Nv21,
    VideoFormat::Rgba,
    VideoFormat::Bgra,
    VideoFormat::Rgbx,
    VideoFormat::Bgrx,
    VideoFormat::Argb,
    VideoFormat::Abgr,
    VideoFormat::Xrgb,
    VideoFormat::Xbgr,
    VideoFormat::Rgb,
    VideoFormat::Bgr,
    VideoFormat::Yuy2,
    VideoFormat::Uyvy,
    VideoFormat::Y42b,
    VideoFormat::Y444,
    VideoFormat::Gray8,
];

/// Batch caps with any size and frame rate.
pub fn batch_caps_any() -> gst::Caps {
    gst_video::VideoCapsBuilder::new()
        .features([CAPS_FEATURE_BATCH])
        .format(VideoFormat::Rgba)
        .build()
}

/// Batch caps of one size and frame rate.
pub fn batch_caps(width: u32, height: u32, fps: gst::Fraction) -> gst::Caps {
    gst_video::VideoCapsBuilder::new()
        .features([CAPS_FEATURE_BATCH])
        .format(VideoFormat::Rgba)
        .width(width as i32)
        .height(height as i32)
        .framerate(fps)
        .build()
}

/// Batch caps, then plain RGBA (what the elements that draw on or split batches offer).
pub fn batch_or_rgba_caps() -> gst::Caps {
    let mut c = batch_caps_any();
    c.merge(
        gst_video::VideoCapsBuilder::new()
            .format(VideoFormat::Rgba)
            .build(),
    );
    c
}

/// Plain `video/x-raw` caps in [`RAW_FORMATS`].
pub fn raw_caps_any() -> gst::Caps {
    gst_video::VideoCapsBuilder::new()
        .format_list(RAW_FORMATS.iter().copied())
        .build()
}

/// Whether the first structure of `caps` carries the batch feature.
pub fn is_batch(caps: &gst::CapsRef) -> bool {
    caps.features(0)
        .is_some_and(|f| f.contains(CAPS_FEATURE_BATCH))
}

/// The always-present `sink` and `src` pad templates of a one-in, one-out element.
pub(crate) fn sink_src_templates(sink: &gst::Caps, src: &gst::Caps) -> Vec<gst::PadTemplate> {
    [("sink", gst::PadDirection::Sink, sink), ("src", gst::PadDirection::Src, src)]
        .into_iter()
        .map(|(name, dir, caps)| {
            gst::PadTemplate::new(name, dir, gst::PadPresence::Always, caps)
                .expect("static pad template")
        })
        .collect()
}
