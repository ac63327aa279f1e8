//! TRACKER-INI of the samples: the `[tracker]` INI file (`dstest2_tracker_config.txt` ...)
//! mapped onto nvtracker's (or dstracker's) properties, as the Python samples do with
//! `configparser` (`tracker-width`, `tracker-height`, `gpu-id`, `ll-lib-file`,
//! `ll-config-file`, `enable-batch-process`, ...).
//!
//! Unlike the Python samples, `ll-config-file` is resolved against the INI file's folder
//! (not the current directory), so an app runs from anywhere.

use std::path::Path;

use anyhow::Context as _;
use ds_tracker::ini::{PropertyValue, TrackerIni};
use gst::prelude::*;

/// Reads `ini` and sets each property it names on `tracker`. Properties the element does
/// not have (an older nvtracker) are skipped with a warning on stderr.
///
/// Errors: the file is missing or malformed, a value has the wrong type, or `ll-lib-file`
/// names a library that is neither NVIDIA's nor this project's (the message names the file,
/// the key and what is accepted).
pub fn configure_from_ini(tracker: &gst::Element, ini: &Path) -> anyhow::Result<()> {
    let cfg = TrackerIni::from_file(ini).with_context(|| format!("reading the tracker config {}", ini.display()))?;
    for (name, value) in cfg.properties() {
        if !tracker.has_property(name) {
            eprintln!("Warning: {}: {} has no property '{name}'; {} ignored", ini.display(), tracker.name(), name);
            continue;
        }
        // From the string form, as gst-launch does: each element's own type (uint, enum,
        // boolean ...) parses it, so a type that differs between versions is no panic.
        let text = match value {
            PropertyValue::UInt(v) => v.to_string(),
            PropertyValue::Int(v) => v.to_string(),
            PropertyValue::Bool(v) => v.to_string(),
            PropertyValue::Str(v) => v,
        };
        let Some(pspec) = tracker.find_property(name) else { continue };
        let value = glib::Value::deserialize_with_pspec(&text, &pspec).map_err(|_| {
            anyhow::anyhow!("{}: {name}={text} is not a valid value for {}'s '{name}' property", ini.display(), tracker.name())
        })?;
        tracker.set_property_from_value(name, &value);
    }
    Ok(())
}
