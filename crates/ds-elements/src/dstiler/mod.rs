//! `dstiler`: the portable `nvmultistreamtiler`.
//!
//! Composites the frames of a batch into one `width` x `height` frame of `rows` x `columns`
//! tiles: the frame of source `source_id` goes into tile `source_id` (row-major), scaled to the
//! tile (as nvmultistreamtiler, without keeping the aspect ratio); sources beyond the grid are
//! not shown. With `show-source` >= 0 only that source is shown, over the whole frame.
//! Like nvmultistreamtiler's cache of old frames, a source missing from a batch (a lower
//! frame rate than the others, a stalled live source) keeps its last picture in its tile
//! rather than flickering to black; its tile is black before its first frame and again after
//! its `nv-stream-eos` or `nv-pad-deleted` event ([`crate::events`]), and every tile starts
//! black again when the layout (rows, columns, `show-source`, output size) changes.
//! The output is a one-frame batch (`video/x-raw(memory:DsBatch)`, or plain RGBA if
//! downstream only takes that) that keeps every frame meta, with all object and display
//! coordinates scaled and moved into the tiled frame and `batch_id` = 0, so `dsosd` draws
//! every source's objects on the tiles (as with DeepStream, where the frame metas survive the
//! tiler). Frames that are not shown lose their objects and display meta.
//!
//! ```text
//! gst-launch-1.0 dsstreammux name=m batch-size=2 width=640 height=360 ! \
//!   dstiler rows=1 columns=2 width=1280 height=360 ! dsosd ! dsvideoconvert ! autovideosink \
//!   videotestsrc num-buffers=100 ! m.sink_0  videotestsrc num-buffers=100 pattern=ball ! m.sink_1
//! ```
//!
//! `gpu-id` and `compute-hw` are accepted for compatibility and have no effect.

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dstiler` element.
    pub struct DsTiler(ObjectSubclass<imp::DsTiler>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dstiler` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dstiler", gst::Rank::NONE, DsTiler::static_type())
}
