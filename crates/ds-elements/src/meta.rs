//! The one place that reads and writes DeepStream metadata (through ds-meta's builtin
//! provider), so the elements stay independent of the metadata API's shape.

/// What the muxer knows about one frame of a batch.
#[derive(Debug, Clone)]
pub(crate) struct FrameInfo {
    pub batch_id: u32,
    pub pad_index: u32,
    pub source_id: u32,
    pub frame_num: i32,
    pub buf_pts: u64,
    pub ntp_timestamp: u64,
    pub source_width: u32,
    pub source_height: u32,
}

/// Attaches an `NvDsBatchMeta` describing `frames` to `buf`.
pub(crate) fn attach_batch_meta(_buf: &mut gst::BufferRef, _max_frames: u32, _width: u32, _height: u32, _frames: &[FrameInfo]) {
    // TODO(ds-meta): waiting for ds-meta's builtin provider.
}

/// What dsosd draws on each frame of `buf`: (batch_id, shapes) in drawing order
/// (objects' rects, then their labels, then display meta).
pub(crate) fn draw_lists(_buf: &gst::BufferRef, _display_bbox: bool, _display_text: bool) -> Vec<(u32, Vec<crate::draw::Shape>)> {
    // TODO(ds-meta)
    Vec::new()
}

/// Gives `buf` (one RGBA frame) a one-frame `NvDsBatchMeta` (source 0) unless it has one.
pub(crate) fn ensure_single_frame_meta(_buf: &mut gst::BufferRef, _width: u32, _height: u32, _src_width: u32, _src_height: u32) {
    // TODO(ds-meta)
}
