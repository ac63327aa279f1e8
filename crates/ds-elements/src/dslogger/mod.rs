//! `dslogger`: the portable `nvdslogger`.
//!
//! A pass-through element that counts the frames of each source in the batches flowing
//! through it (`NvDsFrameMeta.pad_index`) and prints per-source frames per second every
//! `fps-measurement-interval-sec` seconds (default 5), in nvdslogger's format:
//!
//! (`<TAB>` is a tab character)
//!
//! ```text
//! **PERF : FPS_0 (29.97)<TAB>FPS_1 (30.00)<TAB>
//! ```
//!
//! The first interval only starts the count (nothing is printed), as nvdslogger does; a
//! source whose `nv-stream-eos` came through reports 0. With
//! `NVDS_ENABLE_LATENCY_MEASUREMENT=1` and `show-latency=true`, each batch's frame latency
//! is printed as `nvds_measure_buffer_latency` does (see [`ds_meta::latency`]).
//!
//! The timer runs on the default GLib main context, as nvdslogger's: the application must
//! run a main loop (every sample does; `gst-launch-1.0` does).
//!
//! `show-fps` defaults to true here: DeepStream 7.1's nvdslogger printed FPS always (9.2
//! added the property, default false). `silent=false` prints a line per buffer (PTS and
//! running time). nvdslogger's identity-like properties (`sleep-time`, `drop-probability`,
//! `dump`, ...) are not provided.
//!
//! ```text
//! gst-launch-1.0 dsstreammux name=m batch-size=2 width=640 height=360 ! dslogger ! fakesink \
//!   videotestsrc num-buffers=300 ! m.sink_0  videotestsrc num-buffers=300 ! m.sink_1
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dslogger` element.
    pub struct DsLogger(ObjectSubclass<imp::DsLogger>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dslogger` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dslogger", gst::Rank::NONE, DsLogger::static_type())
}
