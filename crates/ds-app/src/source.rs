//! SRC-BIN of the samples (`create_source_bin` in test3, imagedata, nvdsanalytics, demux ...):
//! a bin `source-bin-NN` around `uridecodebin` (or `nvurisrcbin` with `--file-loop`) whose
//! ghost `src` pad is targeted at the first decoded *video* pad, ready for the muxer's
//! `sink_NN`.
//!
//! As in the Python samples:
//! - the child is named `uri-decode-bin`; `pad-added` checks the caps (current caps, else a
//!   caps query) and ignores non-video pads (`streams/market.mp4` has audio);
//! - on DeepStream the decoded pad must be in NVMM memory (else ` Error: Decodebin did not
//!   pick nvidia decoder plugin.`); the portable backend takes system memory;
//! - `child-added` recurses into nested decodebins and sets `drop-on-latency=true` on an
//!   RTSP `source` child.
//!
//! Added here: the URI is checked before the pipeline starts ([`check_uri`]: its scheme has
//! a GStreamer source, a `file://` path exists), and a bin whose URI has no video stream
//! posts an error naming its index and URI. Errors from inside a source bin are printed by
//! [`crate::bus::run`] with the source's index and URI ([`source_of`]).

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use gst::prelude::*;

use crate::backend::Backend;

/// How to build the source bins.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// `--file-loop`: the child is `nvurisrcbin` (`dsurisrcbin` on the portable backend) with
    /// `file-loop=1` and `cudadec-memtype=0`, so files restart at their end.
    pub file_loop: bool,
    /// Print the samples' debug lines (`Decodebin child added: ...`, `In cb_newpad`,
    /// `gstname=`, `features=`).
    pub verbose: bool,
    /// RTSP reconnection: for an RTSP URI ([`is_rtsp`]) with a non-zero interval (seconds), the child
    /// is `nvurisrcbin` (`dsurisrcbin`) with `rtsp-reconnect-interval` and
    /// `rtsp-reconnect-attempts` (`uridecodebin`, as the Python samples use, cannot
    /// reconnect: its RTSP source failing is a pipeline error). 0: `uridecodebin`.
    pub rtsp_reconnect_interval: u32,
    /// `rtsp-reconnect-attempts` (-1: no limit).
    pub rtsp_reconnect_attempts: i32,
    /// `--rtsp-ts`: call [`configure_source_for_ntp_sync`] on the RTSP source (nvurisrcbin
    /// does it on its own).
    pub ntp_sync: bool,
}

/// `rows = int(sqrt(n))`, `columns = int(ceil(n / rows))` (TILER-GRID of the samples).
pub fn tiler_grid(n: usize) -> (u32, u32) {
    let n = n.max(1);
    let rows = (n as f64).sqrt() as usize;
    let rows = rows.max(1);
    let columns = n.div_ceil(rows);
    (rows as u32, columns as u32)
}

/// Whether `uri` is an RTSP URI (`rtsp://`, and the transport-forcing `rtspt://` (TCP),
/// `rtspu://` (UDP), `rtsps://`, `rtspsp://` ... that `rtspsrc` reads).
pub fn is_rtsp(uri: &str) -> bool {
    glib::Uri::peek_scheme(uri).is_some_and(|s| s.starts_with("rtsp"))
}

/// Whether any of `uris` is live (RTSP, [`is_rtsp`]): the samples then set the muxer's
/// `live-source` (the Python samples look for `rtsp://` only).
pub fn any_live(uris: &[String]) -> bool {
    uris.iter().any(|u| is_rtsp(u))
}

/// Turns a command-line input into a URI: URIs are kept; an existing local path becomes a
/// `file://` URI (absolute), as a convenience the Python samples do not offer.
pub fn to_uri(input: &str) -> String {
    if glib::Uri::peek_scheme(input).is_some() {
        return input.to_owned();
    }
    let path = PathBuf::from(input);
    match std::fs::canonicalize(&path) {
        Ok(abs) => glib::filename_to_uri(&abs, None).map(|u| u.to_string()).unwrap_or_else(|_| input.to_owned()),
        Err(_) => input.to_owned(),
    }
}

/// Checks source `index`'s URI before the pipeline starts.
///
/// Errors (each names the index and the URI): not a URI; a scheme no installed GStreamer
/// element reads (`foo://x`); a `file://` URI whose file does not exist or is a directory.
pub fn check_uri(index: usize, uri: &str) -> anyhow::Result<()> {
    let Some(scheme) = glib::Uri::peek_scheme(uri) else {
        bail!(
            "source {index}: '{uri}' is not a URI nor an existing file (expected file:///path/to/clip.mp4, \
             rtsp://host:port/path, http://...)"
        );
    };
    if !protocol_is_supported(&scheme) {
        bail!("source {index}: {uri}: no GStreamer source element handles the '{scheme}://' scheme");
    }
    if scheme == "file" {
        let path = glib::filename_from_uri(uri)
            .map(|(p, _)| p)
            .with_context(|| format!("source {index}: {uri}: not a valid file URI"))?;
        if !path.exists() {
            bail!("source {index}: {uri}: file {} not found", path.display());
        }
        if path.is_dir() {
            bail!("source {index}: {uri}: {} is a directory, expected a media file", path.display());
        }
    }
    Ok(())
}

/// Creates the source bin of each of `uris` ([`create_source_bin`]), adds it to `pipeline`
/// and links it to `streammux`'s `sink_<i>`, printing the samples' lines.
///
/// Errors: a URI fails [`check_uri`]; an element or pad is missing; a link fails (each names
/// the source).
pub fn add_source_bins(
    backend: Backend,
    pipeline: &gst::Pipeline,
    streammux: &gst::Element,
    uris: &[String],
    opts: &SourceOptions,
) -> anyhow::Result<()> {
    for (i, uri) in uris.iter().enumerate() {
        println!("Creating source_bin  {i}  \n ");
        if is_rtsp(uri) {
            println!("At least one of the sources is live");
        }
        let source_bin = create_source_bin(backend, i, uri, opts)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .with_context(|| format!("Unable to create sink pad {padname} of the streammux"))?;
        let srcpad = source_bin.static_pad("src").context("Unable to create src pad bin")?;
        srcpad.link(&sinkpad).with_context(|| format!("linking source {i} to the streammux"))?;
    }
    Ok(())
}

/// `gst_uri_protocol_is_supported(GST_URI_SRC, scheme)`: a source element handles it.
fn protocol_is_supported(scheme: &str) -> bool {
    use glib::translate::ToGlibPtr as _;
    // SAFETY: a NUL-terminated copy of the scheme, valid for the call.
    unsafe {
        gst::ffi::gst_uri_protocol_is_supported(gst::ffi::GST_URI_SRC, scheme.to_glib_none().0) != glib::ffi::GFALSE
    }
}

/// `create_source_bin(index, uri)` of the samples: the bin `source-bin-NN`, not yet linked.
/// Link its `src` pad to the muxer's `sink_NN` (the ghost pad gets its target when the
/// decoder's video pad appears).
///
/// Errors: the URI fails [`check_uri`]; an element is missing.
pub fn create_source_bin(backend: Backend, index: usize, uri: &str, opts: &SourceOptions) -> anyhow::Result<gst::Bin> {
    check_uri(index, uri)?;
    if opts.verbose {
        println!("Creating source bin");
    }
    // Create a source GstBin to abstract this bin's content from the rest of the pipeline
    let bin_name = format!("source-bin-{index:02}");
    let nbin = gst::Bin::with_name(&bin_name);
    // Source element for reading from the uri: uridecodebin, or nvurisrcbin for looping
    let reconnecting = opts.rtsp_reconnect_interval > 0 && is_rtsp(uri);
    let uri_decode_bin = if opts.file_loop {
        let e = backend.make("nvurisrcbin", "uri-decode-bin")?;
        e.set_property("file-loop", true);
        e.set_property_from_str("cudadec-memtype", "0");
        e
    } else if reconnecting {
        let e = backend.make("nvurisrcbin", "uri-decode-bin")?;
        e.set_property("rtsp-reconnect-interval", opts.rtsp_reconnect_interval);
        e.set_property("rtsp-reconnect-attempts", opts.rtsp_reconnect_attempts);
        e
    } else {
        backend.make("uridecodebin", "uri-decode-bin")?
    };
    uri_decode_bin.set_property("uri", uri);

    // Connect to the "pad-added" signal of the decodebin which generates a callback once a new
    // pad for raw data has been created by the decodebin
    let weak_bin = nbin.downgrade();
    let verbose = opts.verbose;
    uri_decode_bin.connect_pad_added(move |_, pad| {
        if let Some(bin) = weak_bin.upgrade() {
            cb_newpad(backend, pad, &bin, verbose);
        }
    });
    // We need to create a ghost pad for the source bin which will act as a proxy for the
    // video decoder src pad. The ghost pad will not have a target right now. Once the decode
    // bin creates the video decoder and generates the cb_newpad callback, we will set the
    // ghost pad target to the video decoder src pad.
    connect_child_added(backend, &uri_decode_bin, verbose, opts.ntp_sync);

    // The URI has no video: say so with its index (uridecodebin emits no-more-pads once all
    // its streams are exposed).
    // (nvurisrcbin / dsurisrcbin report that themselves.)
    if !opts.file_loop && !reconnecting {
        let weak_bin = nbin.downgrade();
        let uri_owned = uri.to_owned();
        uri_decode_bin.connect("no-more-pads", false, move |_| {
            if let Some(bin) = weak_bin.upgrade() {
                let has_target = bin
                    .static_pad("src")
                    .and_then(|p| p.downcast::<gst::GhostPad>().ok())
                    .and_then(|g| g.target())
                    .is_some();
                if !has_target {
                    gst::element_error!(
                        bin,
                        gst::StreamError::WrongType,
                        ("No video stream in {}", uri_owned),
                        ["source {index}: the URI's streams were decoded but none is video"]
                    );
                }
            }
            None
        });
    }

    nbin.add(&uri_decode_bin)?;
    let ghost = gst::GhostPad::builder(gst::PadDirection::Src).name("src").build();
    nbin.add_pad(&ghost).context("Failed to add ghost pad in source bin")?;
    Ok(nbin)
}

/// `cb_newpad` of the samples: targets the bin's ghost pad at the decoder's first video pad.
fn cb_newpad(backend: Backend, decoder_src_pad: &gst::Pad, source_bin: &gst::Bin, verbose: bool) {
    if verbose {
        println!("In cb_newpad");
    }
    let caps = decoder_src_pad.current_caps().unwrap_or_else(|| decoder_src_pad.query_caps(None));
    let Some(gststruct) = caps.structure(0) else { return };
    let gstname = gststruct.name();
    let features = caps.features(0);
    if verbose {
        println!("gstname= {gstname}");
        println!("features= {}", features.map(|f| f.to_string()).unwrap_or_default());
    }
    // Need to check if the pad created by the decodebin is for video and not audio.
    if !gstname.contains("video") {
        return;
    }
    // Link the decodebin pad only if decodebin has picked nvidia decoder plugin nvdec_*.
    // We do this by checking if the pad caps contain NVMM memory features (DeepStream);
    // the portable backend decodes to system memory.
    let nvmm = features.map(|f| f.contains("memory:NVMM")).unwrap_or(false);
    if backend == Backend::DeepStream && !nvmm {
        eprintln!(" Error: Decodebin did not pick nvidia decoder plugin.");
        return;
    }
    let Some(bin_ghost_pad) = source_bin.static_pad("src").and_then(|p| p.downcast::<gst::GhostPad>().ok()) else {
        return;
    };
    if bin_ghost_pad.target().is_some() {
        return; // only the first video stream
    }
    // The portable backend with NVIDIA's decoder registered (crate::nvdec): NVMM frames go
    // through nvvideoconvert to system memory inside the source bin.
    let target = if backend == Backend::Portable && nvmm {
        match crate::nvdec::to_system_memory(source_bin) {
            Ok((sink, src)) if decoder_src_pad.link(&sink).is_ok() => src,
            Ok(_) => {
                eprintln!("Failed to link the NVIDIA decoder's pad to nvvideoconvert");
                return;
            }
            Err(e) => {
                eprintln!("Failed to convert the NVIDIA decoder's output to system memory: {e:#}");
                return;
            }
        }
    } else {
        decoder_src_pad.clone()
    };
    if bin_ghost_pad.set_target(Some(&target)).is_err() {
        eprintln!("Failed to link decoder src pad to source bin ghost pad");
    }
}

/// `decodebin_child_added` of the samples: recursion into nested decodebins,
/// `drop-on-latency=true` on an RTSP `source` child, and with `ntp_sync` (`--rtsp-ts`)
/// [`configure_source_for_ntp_sync`] on it.
fn connect_child_added(backend: Backend, element: &gst::Element, verbose: bool, ntp_sync: bool) {
    let Some(proxy) = element.dynamic_cast_ref::<gst::ChildProxy>() else {
        return;
    };
    proxy.connect_child_added(move |child_proxy, obj, name| {
        if verbose {
            println!("Decodebin child added: {name}");
        }
        if name.contains("decodebin")
            && let Some(e) = obj.downcast_ref::<gst::Element>()
        {
            connect_child_added(backend, e, verbose, ntp_sync);
        }
        if ntp_sync
            && name.contains("source")
            && let Some(e) = obj.downcast_ref::<gst::Element>()
            && let Err(err) = configure_source_for_ntp_sync(backend, e)
        {
            eprintln!("Warning: {err:#}");
        }
        if name.contains("source")
            && let Some(source) = child_proxy.child_by_name("source")
            && source.has_property("drop-on-latency")
        {
            obj.set_property("drop-on-latency", true);
        }
    });
}

/// `configure_source_for_ntp_sync` of DeepStream (pyds): makes an RTSP source (`rtspsrc`,
/// or `uridecodebin` with an RTSP URI) give each frame the sender's NTP time from RTCP
/// sender reports, which the muxer puts in `ntp_timestamp` when `attach-sys-ts` is false.
///
/// - portable: `add-reference-timestamp-meta=true` on `rtspsrc` (its jitterbuffer attaches a
///   `timestamp/x-ntp` reference timestamp to each packet once a sender report arrived);
/// - deepstream: DeepStream's own function, from `libnvdsgst_helper.so`.
///
/// Errors: on DeepStream, the library or the function is missing. An element that is not an
/// RTSP source is left as it is.
pub fn configure_source_for_ntp_sync(backend: Backend, src_elem: &gst::Element) -> anyhow::Result<()> {
    match backend {
        Backend::Portable => {
            if src_elem.has_property("add-reference-timestamp-meta") {
                src_elem.set_property("add-reference-timestamp-meta", true);
            }
            Ok(())
        }
        Backend::DeepStream => {
            use glib::translate::ToGlibPtr as _;
            type Configure = unsafe extern "C" fn(*mut gst::ffi::GstElement);
            let path = std::path::Path::new(crate::backend::DEEPSTREAM_LIB_DIR).join("libnvdsgst_helper.so");
            // SAFETY: DeepStream's library, loaded once and kept for the process; the symbol
            // has the C signature `void configure_source_for_ntp_sync (GstElement *)`.
            unsafe {
                static LIB: std::sync::OnceLock<Result<libloading::Library, String>> = std::sync::OnceLock::new();
                let lib = LIB
                    .get_or_init(|| libloading::Library::new(&path).map_err(|e| e.to_string()))
                    .as_ref()
                    .map_err(|e| anyhow::anyhow!("configure_source_for_ntp_sync: {}: {e}", path.display()))?;
                let f: libloading::Symbol<Configure> = lib
                    .get(b"configure_source_for_ntp_sync\0")
                    .with_context(|| format!("configure_source_for_ntp_sync not found in {}", path.display()))?;
                f(src_elem.to_glib_none().0);
            }
            Ok(())
        }
    }
}

/// Makes the pipeline fail when every one of its `n` sources gave up reconnecting
/// (`dsurisrcbin`'s element message `rtsp-reconnect-attempts-exceeded`): an error naming
/// their URIs is posted, which [`crate::bus::run`] prints before exiting non-zero. While
/// some sources still run, a source that gives up is only a warning (its stream ends).
pub fn fail_when_every_source_gave_up(pipeline: &gst::Pipeline, n: usize) {
    let Some(bus) = pipeline.bus() else { return };
    bus.enable_sync_message_emission();
    let gave_up = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let weak = pipeline.downgrade();
    bus.connect_sync_message(Some("element"), move |_, msg| {
        let Some(s) = msg.structure().filter(|s| s.name() == "rtsp-reconnect-attempts-exceeded") else {
            return;
        };
        let uri = s.get::<String>("uri").unwrap_or_default();
        let mut g = gave_up.lock().unwrap_or_else(|e| e.into_inner());
        if !g.contains(&uri) {
            g.push(uri);
        }
        if g.len() >= n
            && let Some(p) = weak.upgrade()
        {
            let uris = g.join(", ");
            gst::element_error!(
                p,
                gst::ResourceError::OpenRead,
                ("No source could be read: {} gave no data after every reconnection attempt", uris)
            );
        }
    });
}

/// Which source an element belongs to: the index and URI of the `source-bin-NN` that
/// contains `object` (or is it), if any. Used to name the source in error messages.
pub fn source_of(object: &gst::Object) -> Option<(usize, String)> {
    let mut cur = Some(object.clone());
    while let Some(o) = cur {
        let name = o.name();
        if let Some(n) = name.strip_prefix("source-bin-")
            && let Ok(index) = n.parse::<usize>()
            && let Some(bin) = o.downcast_ref::<gst::Bin>()
        {
            // the sample's bin around `uri-decode-bin`, or a bare uridecodebin (runtime add/delete)
            let holder = if bin.has_property("uri") { Some(bin.clone().upcast::<gst::Element>()) } else { bin.by_name("uri-decode-bin") };
            let uri = holder
                .filter(|e| e.has_property("uri"))
                .and_then(|e| e.property::<Option<String>>("uri"))
                .unwrap_or_default();
            return Some((index, uri));
        }
        cur = o.parent();
    }
    None
}

/// Turns off `file-loop` on every element of `pipeline` that has it (`nvurisrcbin`,
/// `dsurisrcbin`), so that an EOS sent to stop the pipeline ends looping sources too.
pub fn stop_file_loops(pipeline: &gst::Pipeline) {
    let mut it = pipeline.iterate_recurse();
    while let Ok(Some(e)) = it.next() {
        if e.find_property("file-loop").map(|p| p.value_type() == bool::static_type()).unwrap_or(false) {
            e.set_property("file-loop", false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiler_grid_as_the_samples() {
        assert_eq!(tiler_grid(1), (1, 1));
        assert_eq!(tiler_grid(2), (1, 2));
        assert_eq!(tiler_grid(3), (1, 3));
        assert_eq!(tiler_grid(4), (2, 2));
        assert_eq!(tiler_grid(5), (2, 3));
        assert_eq!(tiler_grid(9), (3, 3));
        assert_eq!(tiler_grid(10), (3, 4));
    }

    #[test]
    fn bad_uris_are_named() {
        gst::init().unwrap();
        let e = check_uri(2, "foo://x").unwrap_err().to_string();
        assert!(e.contains("source 2") && e.contains("foo://x") && e.contains("'foo://'"), "{e}");
        let e = check_uri(0, "file:///nonexistent/clip.mp4").unwrap_err().to_string();
        assert!(e.contains("source 0") && e.contains("not found"), "{e}");
        let e = check_uri(1, "not a uri").unwrap_err().to_string();
        assert!(e.contains("source 1") && e.contains("not a URI"), "{e}");
        let e = check_uri(3, "file:///tmp").unwrap_err().to_string();
        assert!(e.contains("directory"), "{e}");
        assert!(check_uri(0, "rtsp://127.0.0.1:1/x").is_ok());
    }
}
