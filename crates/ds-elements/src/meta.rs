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
