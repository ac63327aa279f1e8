//! The portable DeepStream elements as a GStreamer plugin (`libgstdeepstreamrs.so`), as
//! gst-plugins-rs ships its plugins: a `cdylib` that GStreamer loads from `GST_PLUGIN_PATH`,
//! so `gst-inspect-1.0`, `gst-launch-1.0` and GStreamer code in C, Python or Rust can use
//! `dsstreammux`, `dsinfer`, `dsosd`, `dstiler`, `dsstreamdemux`, `dsvideoconvert`,
//! `dstracker`, `dsurisrcbin`, `dslogger` and every later element of [`ds_elements`].
//!
//! ```sh
//! cargo build -p gst-plugin-deepstream
//! mkdir -p target/gst-plugins && cp target/debug/libgstdeepstreamrs.so target/gst-plugins/
//! GST_PLUGIN_PATH=$PWD/target/gst-plugins gst-inspect-1.0 dsinfer
//! ```
//!
//! The apps do not need it: they register the same elements statically
//! (`ds_elements::register_static`).

use gst::glib;

fn plugin_init(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    ds_elements::register(Some(plugin))
}

gst::plugin_define!(
    deepstreamrs,
    env!("CARGO_PKG_DESCRIPTION"),
    plugin_init,
    env!("CARGO_PKG_VERSION"),
    // GStreamer's name for the MIT licence (the crates are MIT OR Apache-2.0)
    "MIT/X11",
    env!("CARGO_PKG_NAME"),
    env!("CARGO_PKG_NAME"),
    "https://example.invalid/deepstream-rs"
);
