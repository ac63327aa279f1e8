//! `dsstreamdemux` (work in progress).
use gst::glib;
/// Registers `dsstreamdemux` (not yet implemented: registers nothing).
pub fn register(_plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> { Ok(()) }
