//! The portable batch buffer (`docs/batch-format.md`): caps and helpers.

/// The caps feature of a portable batch: `video/x-raw(memory:DsBatch)`. A batch never
/// links to plain `video/x-raw`, as NVMM memory does not.
pub const CAPS_FEATURE_BATCH: &str = "memory:DsBatch";

/// Caps of a portable batch: `video/x-raw(memory:DsBatch), format=RGBA, width, height,
/// framerate` (pixels; frames per second as a fraction).
pub fn batch_caps(width: i32, height: i32, framerate: gst::Fraction) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .features([CAPS_FEATURE_BATCH])
        .field("format", "RGBA")
        .field("width", width)
        .field("height", height)
        .field("framerate", framerate)
        .build()
}

/// Whether caps are a portable batch (carry [`CAPS_FEATURE_BATCH`]).
pub fn is_batch_caps(caps: &gst::CapsRef) -> bool {
    caps.features(0).is_some_and(|f| f.contains(CAPS_FEATURE_BATCH))
}
