//! The native provider: DeepStream's `libnvds_meta.so` and `libnvdsgst_meta.so`, loaded at
//! run time with `libloading`: from the folder `DS_META_LIB_DIR` names when it is set (and
//! only there), else by the dynamic loader's path, then `/opt/nvidia/deepstream/deepstream/lib`.

use super::{Api, Provider};
use crate::sys::*;
use crate::error::{Error, Result};
use libloading::Library;

/// The two libraries.
pub(crate) const LIB_META: &str = "libnvds_meta.so";
/// See [`LIB_META`].
pub(crate) const LIB_GST_META: &str = "libnvdsgst_meta.so";
const DS_LIB_DIR: &str = "/opt/nvidia/deepstream/deepstream/lib";
/// The environment variable naming the folder the two libraries are loaded from.
pub(crate) const LIB_DIR_ENV: &str = "DS_META_LIB_DIR";

fn load(name: &str, errors: &mut Vec<String>) -> Option<(Library, String)> {
    let candidates = match std::env::var_os(LIB_DIR_ENV) {
        Some(dir) if !dir.is_empty() => {
            vec![std::path::Path::new(&dir).join(name).to_string_lossy().into_owned()]
        }
        _ => vec![name.to_owned(), format!("{DS_LIB_DIR}/{name}")],
    };
    for c in candidates {
        // SAFETY: loading DeepStream's library runs its initialisers, which is what using it means.
        match unsafe { Library::new(&c) } {
            Ok(l) => return Some((l, c)),
            Err(e) => errors.push(format!("{c}: {e}")),
        }
    }
    None
}

/// Whether both libraries load (for `DS_BACKEND=auto`).
pub(crate) fn available() -> bool {
    let mut e = Vec::new();
    load(LIB_META, &mut e).is_some() && load(LIB_GST_META, &mut e).is_some()
}

pub(crate) fn api() -> Result<Api> {
    let mut errors = Vec::new();
    let meta = load(LIB_META, &mut errors);
    let gst_meta = load(LIB_GST_META, &mut errors);
    let (Some((meta_lib, meta_path)), Some((gst_lib, gst_path))) = (meta, gst_meta) else {
        return Err(Error::NativeLibrariesMissing { detail: errors.join("; ") });
    };
    let (meta, gst_meta) = (&meta_lib, &gst_lib);

    let meta_path_for_check = meta_path.clone();
    macro_rules! sym {
        ($lib:expr, $path:expr, $name:literal) => {
            sym($lib, &$path, $name)?
        };
    }
    let api = Api {
        kind: Provider::Native,
        create_batch_meta: sym!(meta, meta_path, "nvds_create_batch_meta"),
        destroy_batch_meta: sym!(meta, meta_path, "nvds_destroy_batch_meta"),
        batch_meta_copy_func: sym!(meta, meta_path, "nvds_batch_meta_copy_func"),
        batch_meta_release_func: sym!(meta, meta_path, "nvds_batch_meta_release_func"),
        acquire_meta_lock: sym!(meta, meta_path, "nvds_acquire_meta_lock"),
        release_meta_lock: sym!(meta, meta_path, "nvds_release_meta_lock"),
        acquire_frame_meta: sym!(meta, meta_path, "nvds_acquire_frame_meta_from_pool"),
        add_frame_meta: sym!(meta, meta_path, "nvds_add_frame_meta_to_batch"),
        remove_frame_meta: sym!(meta, meta_path, "nvds_remove_frame_meta_from_batch"),
        acquire_obj_meta: sym!(meta, meta_path, "nvds_acquire_obj_meta_from_pool"),
        add_obj_meta: sym!(meta, meta_path, "nvds_add_obj_meta_to_frame"),
        remove_obj_meta: sym!(meta, meta_path, "nvds_remove_obj_meta_from_frame"),
        acquire_classifier_meta: sym!(meta, meta_path, "nvds_acquire_classifier_meta_from_pool"),
        add_classifier_meta: sym!(meta, meta_path, "nvds_add_classifier_meta_to_object"),
        remove_classifier_meta: sym!(meta, meta_path, "nvds_remove_classifier_meta_from_obj"),
        acquire_label_info_meta: sym!(meta, meta_path, "nvds_acquire_label_info_meta_from_pool"),
        add_label_info_meta: sym!(meta, meta_path, "nvds_add_label_info_meta_to_classifier"),
        remove_label_info_meta: sym!(meta, meta_path, "nvds_remove_label_info_meta_from_classifier"),
        acquire_display_meta: sym!(meta, meta_path, "nvds_acquire_display_meta_from_pool"),
        add_display_meta: sym!(meta, meta_path, "nvds_add_display_meta_to_frame"),
        remove_display_meta: sym!(meta, meta_path, "nvds_remove_display_meta_from_frame"),
        acquire_user_meta: sym!(meta, meta_path, "nvds_acquire_user_meta_from_pool"),
        add_user_meta_to_batch: sym!(meta, meta_path, "nvds_add_user_meta_to_batch"),
        add_user_meta_to_frame: sym!(meta, meta_path, "nvds_add_user_meta_to_frame"),
        add_user_meta_to_obj: sym!(meta, meta_path, "nvds_add_user_meta_to_obj"),
        remove_user_meta_from_batch: sym!(meta, meta_path, "nvds_remove_user_meta_from_batch"),
        remove_user_meta_from_frame: sym!(meta, meta_path, "nvds_remove_user_meta_from_frame"),
        remove_user_meta_from_obj: sym!(meta, meta_path, "nvds_remove_user_meta_from_object"),
        gst_buffer_add_nvds_meta: sym!(gst_meta, gst_path, "gst_buffer_add_nvds_meta"),
        nvds_meta_api_get_type: sym!(gst_meta, gst_path, "nvds_meta_api_get_type"),
    };
    check_layouts(&api, &meta_path_for_check)?;
    // The libraries stay loaded for the life of the process: their functions are in use
    // through the provider table, and GStreamer holds their registered meta types.
    // (`Library` is the dlopen handle; forgetting it allocates nothing.)
    std::mem::forget(meta_lib);
    std::mem::forget(gst_lib);
    Ok(api)
}

/// The element sizes of the pools `nvds_create_batch_meta` makes, by pool:
/// `(name, library's size, this build's size)`.
fn pool_sizes(api: &Api) -> Vec<(&'static str, u32, usize)> {
    // SAFETY: DeepStream's own create/destroy pair; only the pools' headers are read.
    unsafe {
        let b = (api.create_batch_meta)(1);
        if b.is_null() {
            return Vec::new();
        }
        let size = |p: *mut NvDsMetaPool| if p.is_null() { 0 } else { (*p).element_size };
        let v = vec![
            ("frame", size((*b).frame_meta_pool), size_of::<NvDsFrameMeta>()),
            ("object", size((*b).obj_meta_pool), size_of::<NvDsObjectMeta>()),
            ("classifier", size((*b).classifier_meta_pool), size_of::<NvDsClassifierMeta>()),
            ("display", size((*b).display_meta_pool), size_of::<NvDsDisplayMeta>()),
            ("user", size((*b).user_meta_pool), size_of::<NvDsUserMeta>()),
            ("label info", size((*b).label_info_meta_pool), size_of::<NvDsLabelInfo>()),
        ];
        (api.destroy_batch_meta)(b);
        v
    }
}

/// The DeepStream version(s) whose frame, object and display sizes these are.
fn version_of_sizes(frame: u32, object: u32, display: u32) -> &'static str {
    match (frame, object, display) {
        (200, 544, 6912) => "7.0 or 7.1",
        (232, 544, 6912) => "8.0",
        (232, 552, 7040) => "9.0 or 9.1",
        _ => "unknown",
    }
}

/// Refuses a library whose pools' element sizes differ from this build's layouts.
fn check_layouts(api: &Api, library: &str) -> Result<()> {
    let sizes = pool_sizes(api);
    let get = |n: &str| sizes.iter().find(|s| s.0 == n).map(|s| s.1).unwrap_or(0);
    let bad: Vec<String> = sizes
        .iter()
        .filter(|(_, lib, ours)| *lib as usize != *ours)
        .map(|(n, lib, ours)| format!("{n} {lib} bytes (layouts: {ours})"))
        .collect();
    if sizes.is_empty() || !bad.is_empty() {
        return Err(Error::NativeAbiMismatch {
            library: library.to_owned(),
            library_version: version_of_sizes(get("frame"), get("object"), get("display")).to_owned(),
            layouts: crate::sys::ABI_VERSION,
            layouts_source: crate::sys::ABI_SOURCE,
            detail: if sizes.is_empty() { "nvds_create_batch_meta returned NULL".into() } else { bad.join(", ") },
        });
    }
    Ok(())
}

/// The DeepStream version of the native libraries that load here (by their metadata sizes,
/// which is what matters to this crate), with the library path, or why none load.
pub fn detect() -> std::result::Result<(String, String), String> {
    let mut errors = Vec::new();
    let Some((lib, path)) = load(LIB_META, &mut errors) else {
        return Err(errors.join("; "));
    };
    let create: unsafe extern "C" fn(u32) -> *mut NvDsBatchMeta =
        sym(&lib, &path, "nvds_create_batch_meta").map_err(|e| e.to_string())?;
    let destroy: unsafe extern "C" fn(*mut NvDsBatchMeta) -> glib::ffi::gboolean =
        sym(&lib, &path, "nvds_destroy_batch_meta").map_err(|e| e.to_string())?;
    // SAFETY: DeepStream's own create/destroy pair; only the pools' headers are read.
    let (f, o, d) = unsafe {
        let b = create(1);
        if b.is_null() {
            return Err(format!("{path}: nvds_create_batch_meta returned NULL"));
        }
        let size = |p: *mut NvDsMetaPool| if p.is_null() { 0 } else { (*p).element_size };
        let r = (size((*b).frame_meta_pool), size((*b).obj_meta_pool), size((*b).display_meta_pool));
        destroy(b);
        r
    };
    // Kept loaded: unloading a library that registered GLib types is not safe.
    std::mem::forget(lib);
    Ok((version_of_sizes(f, o, d).to_owned(), path))
}

/// A function of a loaded library, typed by the `Api` field it goes into.
fn sym<T: Copy>(lib: &Library, path: &str, name: &'static str) -> Result<T> {
    let mut cname = name.as_bytes().to_vec();
    cname.push(0);
    // SAFETY: `T` is the C function's signature (the `Api` field type; the same in every
    // supported version); the caller keeps the library loaded while the pointer is used.
    match unsafe { lib.get::<T>(&cname) } {
        Ok(s) => Ok(*s),
        Err(e) => Err(Error::NativeSymbolMissing { symbol: name, library: path.to_owned(), detail: e.to_string() }),
    }
}
