//! `dsstreammux`: the portable `nvstreammux` (legacy muxer properties).
//!
//! Forms batches of frames from any number of sources. Each request pad `sink_%u` takes plain
//! `video/x-raw`; every frame is scaled (and converted) with `gst_video::VideoConverter` to
//! `width` x `height` RGBA and becomes one `gst::Memory` of the output batch buffer
//! (`video/x-raw(memory:DsBatch), format=RGBA`, see `docs/batch-format.md`), which carries an
//! `NvDsBatchMeta` with one `NvDsFrameMeta` per frame (`pad_index` = `source_id` = the pad's
//! number, `frame_num` counted per source, `buf_pts` = the input PTS, `ntp_timestamp` = the
//! system time at arrival, `source_frame_width/height`, `batch_id`, `pipeline` size).
//!
//! ```text
//! gst-launch-1.0 dsstreammux name=m batch-size=2 width=1280 height=720 batched-push-timeout=40000 ! \
//!     dstiler rows=1 columns=2 width=1280 height=360 ! dsvideoconvert ! autovideosink \
//!   videotestsrc num-buffers=100 ! m.sink_0 \
//!   videotestsrc num-buffers=50 pattern=ball ! m.sink_1
//! ```
//!
//! # Decisions
//!
//! - **Own collect logic, not `GstAggregator`.** nvstreammux's `batched-push-timeout` is a
//!   wall-clock timeout from the first frame of a batch, for live and non-live sources alike;
//!   `GstAggregator` only times out in live mode and on running time. So each sink pad has a
//!   small queue (2 frames; the upstream streaming thread blocks while it is full) and a
//!   task on the src pad forms batches.
//! - **When a batch goes out**: when it holds `batch-size` frames, or when every sink pad that
//!   is not at EOS has a frame queued (so `batch-size` larger than the number of sources does
//!   not wait for the timeout), or when `batched-push-timeout` µs passed since the first frame
//!   of the batch was collected (its arrival, or the previous batch's push if it waited in a
//!   queue before) (`-1`, the default: no timeout). Frames are taken round-robin, at
//!   most one per source per batch, so with N sources of different rates every source's
//!   frames all come out, in order.
//! - **EOS** of one pad ends only that source: its queued frames still go out, then an element
//!   message `stream-eos` (field `stream-id`, u32) is posted (as nvstreammux does, for apps
//!   like runtime_source_add_delete) and a custom downstream event `nv-stream-eos`
//!   ([`crate::events`]) follows its last frame. The muxer sends EOS when every sink pad is at
//!   EOS (and nothing is queued).
//! - **Pads added and released while PLAYING.** The frames a released pad had queued still go
//!   out in the next batches (every frame a source gave before its removal reaches
//!   downstream), then `nv-pad-deleted` follows them; a streaming thread blocked on the pad is
//!   released; the other sources are neither blocked nor lose frames. A new request for the
//!   same `sink_N` while a released pad still drains drops what it had left. A
//!   `flush-start`/`flush-stop` pair on one sink pad flushes only that pad (its queued frames
//!   are dropped) and is not forwarded; a `flush-stop` alone (what runtime_source_add_delete
//!   sends before releasing) flushes nothing.
//! - **Seeks**: a seek on the src pad goes to every source. A flushing seek flushes
//!   downstream, drops the queued frames, and restarts batching with a new segment after the
//!   sources flushed. A source that sends a new `stream-start` after its EOS (a looping
//!   source) counts as running again.
//! - **Timestamps**: the batch PTS and duration are those of its first frame, as running time
//!   (kept strictly increasing: a batch whose first frame is not later than the previous
//!   batch's goes out 1 ms after it, so that encoders after a tiler never see a repeated
//!   timestamp), with one TIME segment from 0; `buf_pts` keeps each input's own PTS.
//! - **live-source** makes latency queries answer live, with `batched-push-timeout` as the
//!   minimum latency. **sync-inputs** makes each sink pad wait on the pipeline clock until its
//!   buffer's running time before queueing it.
//! - **enable-padding** keeps the aspect ratio: the picture is scaled to fit and centred, the
//!   rest is black.
//! - `attach-sys-ts` (default true) stamps `ntp_timestamp` with the system time at arrival;
//!   false leaves it 0 (NTP from RTCP is not implemented). `gpu-id` and `nvbuf-memory-type`
//!   are accepted for compatibility and have no effect.
//! - Output caps: `width` x `height` RGBA; the framerate is that of the first source that
//!   negotiated. With `width`/`height` left at 0 (the samples' `USE_NEW_NVSTREAMMUX=yes`
//!   path, where the new nvstreammux does not scale), the output takes the first input's
//!   size and other inputs are scaled to it (a portable batch holds frames of one size); the
//!   properties read back that size while running and 0 again after stop.

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dsstreammux` element.
    pub struct DsStreamMux(ObjectSubclass<imp::DsStreamMux>) @extends gst::Element, gst::Object;
}

/// Registers `dsstreammux` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dsstreammux",
        gst::Rank::NONE,
        DsStreamMux::static_type(),
    )
}
