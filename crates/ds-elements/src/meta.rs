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

/// The frames described by the batch meta of `buf` (empty without one).
pub(crate) fn read_frames(_buf: &gst::BufferRef) -> Vec<FrameInfo> {
    // TODO(ds-meta)
    Vec::new()
}

/// A scale and offset from one frame's coordinates to the tiled frame's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affine {
    pub sx: f64,
    pub sy: f64,
    pub ox: f64,
    pub oy: f64,
}

/// Rewrites the batch meta of the tiler's output buffer (a copy of the input's): every
/// frame's coordinates go through `map` (by frame); frames that `map` hides lose their
/// objects and display meta; all frames then point at the one tiled frame (batch_id 0).
pub(crate) fn tile_meta(_buf: &mut gst::BufferRef, _map: &dyn Fn(&FrameInfo) -> Option<Affine>) {
    // TODO(ds-meta)
}

/// Gives `out` a batch meta holding a copy of frame `batch_id` of `src`'s batch meta (with
/// its objects, display and user meta), renumbered as frame 0.
pub(crate) fn single_frame_meta(_out: &mut gst::BufferRef, _src: &gst::BufferRef, _batch_id: u32) {
    // TODO(ds-meta)
}
