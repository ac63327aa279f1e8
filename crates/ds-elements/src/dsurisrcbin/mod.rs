//! `dsurisrcbin`: the portable `nvurisrcbin`.
//!
//! A bin around `uridecodebin` that exposes each decoded *video* stream of `uri` as a
//! sometimes pad `vsrc_%u` (plain `video/x-raw` in system memory), ready for
//! `dsstreammux`. Audio streams are not exposed (nvurisrcbin's `disable-audio` defaults to
//! true). `no-more-pads` is forwarded; a URI that has no video stream is an element error
//! naming the URI.
//!
//! **file-loop** (`file-loop=true`, `file://` URIs): at the end of the file the source
//! restarts from its start, without the EOS, flush or new segment reaching downstream, so
//! the muxer sees one endless stream: timestamps continue (each loop is offset by the
//! running length so far) and the muxer's frame numbers keep counting. The restart is a
//! flushing seek to 0 on the decoded pad, sent from another thread; the file's segment is
//! sent downstream without its end, so the later loops' timestamps are not clipped
//! (`file-loop` must therefore be set before the pipeline starts). To stop a looping
//! source, set `file-loop=false` (then its next end is a real EOS) or set the pipeline to
//! NULL; the samples' Ctrl-C handler (`ds_app::bus::run`) turns `file-loop` off on every
//! element that has it before it sends EOS, so an interrupted run still finalises its
//! output.
//!
//! Accepted for compatibility, without effect here: `gpu-id`, `cudadec-memtype`,
//! `num-extra-surfaces`, `drop-frame-interval` (0 only). For `rtsp://` URIs `latency` and
//! `drop-on-latency` are set on the `rtspsrc` that `uridecodebin` creates; RTSP reconnection
//! (`rtsp-reconnect-interval`) and smart record are not implemented: a non-zero
//! `rtsp-reconnect-interval` is refused with a warning naming it.
//!
//! ```text
//! gst-launch-1.0 dsurisrcbin uri=file:///path/to/streams/vtest-4s.mp4 file-loop=true ! \
//!   queue ! m.sink_0 dsstreammux name=m batch-size=1 width=640 height=480 ! dsvideoconvert ! fakesink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dsurisrcbin` element.
    pub struct DsUriSrcBin(ObjectSubclass<imp::DsUriSrcBin>) @extends gst::Bin, gst::Element, gst::Object,
        @implements gst::ChildProxy;
}

/// Registers `dsurisrcbin` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dsurisrcbin", gst::Rank::NONE, DsUriSrcBin::static_type())
}
