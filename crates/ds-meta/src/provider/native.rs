//! The native provider: DeepStream's `libnvds_meta.so` and `libnvdsgst_meta.so`, loaded at
//! run time with `libloading`: from the folder `DS_META_LIB_DIR` names when it is set (and
//! only there), else by the dynamic loader's path, then `/opt/nvidia/deepstream/deepstream/lib`.

use super::{Api, Provider};
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
    let (Some((meta, meta_path)), Some((gst_meta, gst_path))) = (meta, gst_meta) else {
        return Err(Error::NativeLibrariesMissing { detail: errors.join("; ") });
    };
    // The libraries stay loaded for the life of the process: their functions are in use
    // through the provider table, and GStreamer holds their registered meta types.
    let meta: &'static Library = Box::leak(Box::new(meta));
    let gst_meta: &'static Library = Box::leak(Box::new(gst_meta));

    macro_rules! sym {
        ($lib:expr, $path:expr, $name:literal) => {
            sym($lib, &$path, $name)?
        };
    }
    Ok(Api {
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
    })
}

/// A function of a loaded library, typed by the `Api` field it goes into.
fn sym<T: Copy>(lib: &'static Library, path: &str, name: &'static str) -> Result<T> {
    let mut cname = name.as_bytes().to_vec();
    cname.push(0);
    // SAFETY: `T` is the C function's signature in DeepStream 7.1 (the `Api` field type).
    match unsafe { lib.get::<T>(&cname) } {
        Ok(s) => Ok(*s),
        Err(e) => Err(Error::NativeSymbolMissing { symbol: name, library: path.to_owned(), detail: e.to_string() }),
    }
}
