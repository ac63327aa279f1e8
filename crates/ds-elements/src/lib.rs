//! Portable GStreamer elements standing in for NVIDIA DeepStream's where DeepStream is absent.
//!
//! Every element keeps NVIDIA's property names, defaults, units and semantics (the DeepStream
//! 7.1 plugin manual is the reference); names replace `nv` with `ds`:
//!
//! | NVIDIA | portable |
//! |---|---|
//! | `nvstreammux` | [`dsstreammux`] |
//! | `nvinfer` | [`dsinfer`] |
//! | `nvvideoconvert` | [`dsvideoconvert`] |
//! | `nvdsosd` | [`dsosd`] |
//! | `nvmultistreamtiler` | [`dstiler`] |
//! | `nvstreamdemux` | [`dsstreamdemux`] |
//! | `nvdslogger` | [`dslogger`] |
//! | `nvurisrcbin` | [`dsurisrcbin`] |
//! | `nvtracker` | [`dstracker`] |
//! | `nvdsanalytics` | [`dsanalytics`] |
//! | `nvmsgconv` | [`dsmsgconv`] |
//! | `nvmsgbroker` | [`dsmsgbroker`] |
//!
//! Batches travel as described in `docs/batch-format.md`: caps
//! `video/x-raw(memory:DsBatch), format=RGBA`, one `gst::Memory` per frame, and an
//! `NvDsBatchMeta` from ds-meta's builtin provider.
//!
//! Apps register the elements statically, so no plugin path is needed:
//!
//! ```no_run
//! gst::init().unwrap();
//! ds_elements::register_static().unwrap();
//! let mux = gst::ElementFactory::make("dsstreammux").build().unwrap();
//! ```

#![warn(missing_docs)]

pub mod caps;
pub mod draw;
pub mod dsanalytics;
pub mod dsinfer;
pub mod dslogger;
pub mod dsmsgbroker;
pub mod dsmsgconv;
pub mod dsof;
pub mod dsofvisual;
pub mod dsosd;
pub mod dspreprocess;
pub mod dssegvisual;
pub mod dsstreamdemux;
pub mod dsstreammux;
pub mod dstiler;
pub mod dsurisrcbin;
pub mod dstracker;
pub mod dsvideoconvert;
pub mod events;
pub(crate) mod recycle;
pub(crate) mod latency;
pub(crate) mod meta;
pub(crate) mod util;

use gst::glib;

/// Every element name this crate registers, in registration order.
pub const ELEMENT_NAMES: &[&str] = &[
    "dsstreammux",
    "dsinfer",
    "dsvideoconvert",
    "dsosd",
    "dstiler",
    "dsstreamdemux",
    "dslogger",
    "dsurisrcbin",
    "dstracker",
    "dsanalytics",
    "dsmsgconv",
    "dsmsgbroker",
    "dssegvisual",
    "dsof",
    "dsofvisual",
    "dspreprocess",
];

/// Registers every element of the crate, into `plugin` when given (a plugin built around this
/// crate), otherwise statically into the process's registry.
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    dsstreammux::register(plugin)?;
    dsinfer::register(plugin)?;
    dsvideoconvert::register(plugin)?;
    dsosd::register(plugin)?;
    dstiler::register(plugin)?;
    dsstreamdemux::register(plugin)?;
    dslogger::register(plugin)?;
    dsurisrcbin::register(plugin)?;
    dstracker::register(plugin)?;
    dsanalytics::register(plugin)?;
    dsmsgconv::register(plugin)?;
    dsmsgbroker::register(plugin)?;
    dssegvisual::register(plugin)?;
    dsof::register(plugin)?;
    dspreprocess::register(plugin)?;
    dsofvisual::register(plugin)?;
    Ok(())
}

/// Registers every element statically (`gst::Element::register(None, ...)`), so apps need no
/// plugin path. Call it once after `gst::init()`; calling it again is harmless.
pub fn register_static() -> Result<(), glib::BoolError> {
    register(None)
}
