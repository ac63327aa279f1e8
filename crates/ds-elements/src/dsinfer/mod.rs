//! `dsinfer` (work in progress).
use gst::glib;
/// Registers `dsinfer` (not yet implemented: registers nothing).
pub fn register(_plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> { Ok(()) }
