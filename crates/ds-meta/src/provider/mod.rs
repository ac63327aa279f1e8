//! Metadata providers: who implements the C functions of `nvdsmeta.h` / `gstnvdsmeta.h`.
//!
//! - [`Provider::Builtin`] (the default): the pools and functions implemented in Rust over
//!   the same C structs, attached to buffers through a `GstMeta` of this crate
//!   (`DsBuiltinNvDsMeta`) that is deep-copied when a buffer is copied, as DeepStream's is.
//! - [`Provider::Native`]: DeepStream's own `libnvds_meta.so` and `libnvdsgst_meta.so`,
//!   loaded at run time, so the same safe API reads metadata written by NVIDIA's elements.
//!
//! One provider per process, chosen once: [`set_provider`] before first use, or
//! [`Provider::from_env`]; [`init`] is idempotent and picks the builtin one if nothing was
//! chosen.

pub(crate) mod builtin;
pub(crate) mod native;

use crate::error::{Error, Result};
use crate::sys::*;
use glib::ffi::{GType, gboolean, gpointer};
use std::sync::{Mutex, OnceLock};

/// Which implementation of the DeepStream metadata functions this process uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Pools and functions in Rust, with this crate's `GstMeta`. Works everywhere.
    Builtin,
    /// DeepStream's `libnvds_meta.so` and `libnvdsgst_meta.so`, loaded at run time.
    Native,
}

impl Provider {
    /// The provider named by the environment: `DS_META_PROVIDER=builtin|native`, else
    /// `DS_BACKEND=portable|deepstream|auto` (`auto`: native where DeepStream's libraries
    /// load, else builtin). Neither set: builtin.
    pub fn from_env() -> Result<Provider> {
        if let Ok(v) = std::env::var("DS_META_PROVIDER") {
            return match v.trim() {
                "builtin" => Ok(Provider::Builtin),
                "native" => Ok(Provider::Native),
                _ => Err(Error::BadEnv { var: "DS_META_PROVIDER", value: v, allowed: "builtin, native" }),
            };
        }
        match std::env::var("DS_BACKEND") {
            Err(_) => Ok(Provider::Builtin),
            Ok(v) => match v.trim() {
                "portable" => Ok(Provider::Builtin),
                "deepstream" => Ok(Provider::Native),
                "auto" | "" => Ok(if native::available() { Provider::Native } else { Provider::Builtin }),
                _ => Err(Error::BadEnv { var: "DS_BACKEND", value: v, allowed: "auto, deepstream, portable" }),
            },
        }
    }
}

/// The C functions a provider supplies, with DeepStream's signatures.
#[allow(missing_docs)]
pub(crate) struct Api {
    pub kind: Provider,
    pub create_batch_meta: unsafe extern "C" fn(u32) -> *mut NvDsBatchMeta,
    pub destroy_batch_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> gboolean,
    pub batch_meta_copy_func: unsafe extern "C" fn(gpointer, gpointer) -> gpointer,
    pub batch_meta_release_func: unsafe extern "C" fn(gpointer, gpointer),
    pub acquire_meta_lock: unsafe extern "C" fn(*mut NvDsBatchMeta),
    pub release_meta_lock: unsafe extern "C" fn(*mut NvDsBatchMeta),

    pub acquire_frame_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> *mut NvDsFrameMeta,
    pub add_frame_meta: unsafe extern "C" fn(*mut NvDsBatchMeta, *mut NvDsFrameMeta),
    pub remove_frame_meta: unsafe extern "C" fn(*mut NvDsBatchMeta, *mut NvDsFrameMeta),

    pub acquire_obj_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> *mut NvDsObjectMeta,
    pub add_obj_meta: unsafe extern "C" fn(*mut NvDsFrameMeta, *mut NvDsObjectMeta, *mut NvDsObjectMeta),
    pub remove_obj_meta: unsafe extern "C" fn(*mut NvDsFrameMeta, *mut NvDsObjectMeta),

    pub acquire_classifier_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> *mut NvDsClassifierMeta,
    pub add_classifier_meta: unsafe extern "C" fn(*mut NvDsObjectMeta, *mut NvDsClassifierMeta),
    pub remove_classifier_meta: unsafe extern "C" fn(*mut NvDsObjectMeta, *mut NvDsClassifierMeta),

    pub acquire_label_info_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> *mut NvDsLabelInfo,
    pub add_label_info_meta: unsafe extern "C" fn(*mut NvDsClassifierMeta, *mut NvDsLabelInfo),
    pub remove_label_info_meta: unsafe extern "C" fn(*mut NvDsClassifierMeta, *mut NvDsLabelInfo),

    pub acquire_display_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> *mut NvDsDisplayMeta,
    pub add_display_meta: unsafe extern "C" fn(*mut NvDsFrameMeta, *mut NvDsDisplayMeta),
    pub remove_display_meta: unsafe extern "C" fn(*mut NvDsFrameMeta, *mut NvDsDisplayMeta),

    pub acquire_user_meta: unsafe extern "C" fn(*mut NvDsBatchMeta) -> *mut NvDsUserMeta,
    pub add_user_meta_to_batch: unsafe extern "C" fn(*mut NvDsBatchMeta, *mut NvDsUserMeta),
    pub add_user_meta_to_frame: unsafe extern "C" fn(*mut NvDsFrameMeta, *mut NvDsUserMeta),
    pub add_user_meta_to_obj: unsafe extern "C" fn(*mut NvDsObjectMeta, *mut NvDsUserMeta),
    pub remove_user_meta_from_batch: unsafe extern "C" fn(*mut NvDsBatchMeta, *mut NvDsUserMeta),
    pub remove_user_meta_from_frame: unsafe extern "C" fn(*mut NvDsFrameMeta, *mut NvDsUserMeta),
    pub remove_user_meta_from_obj: unsafe extern "C" fn(*mut NvDsObjectMeta, *mut NvDsUserMeta),

    pub gst_buffer_add_nvds_meta: unsafe extern "C" fn(
        *mut gst::ffi::GstBuffer,
        gpointer,
        gpointer,
        NvDsMetaCopyFunc,
        NvDsMetaReleaseFunc,
    ) -> *mut NvDsMeta,
    pub nvds_meta_api_get_type: unsafe extern "C" fn() -> GType,
}

static API: OnceLock<Api> = OnceLock::new();
static CHOICE: Mutex<Option<Provider>> = Mutex::new(None);

/// Chooses the provider for this process. Call it before any other function of this crate
/// touches metadata; calling it again with the same provider is fine, with another one is
/// [`Error::ProviderAlreadySet`]. Choosing [`Provider::Native`] loads DeepStream's libraries
/// now and fails with [`Error::NativeLibrariesMissing`] (naming both) where they are absent.
pub fn set_provider(provider: Provider) -> Result<()> {
    let mut choice = CHOICE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(api) = API.get() {
        return if api.kind == provider {
            Ok(())
        } else {
            Err(Error::ProviderAlreadySet { current: api.kind, requested: provider })
        };
    }
    let api = match provider {
        Provider::Builtin => builtin::api(),
        Provider::Native => native::api()?,
    };
    // Only this function sets API, under the CHOICE lock, so `set` cannot race.
    let _ = API.set(api);
    *choice = Some(provider);
    Ok(())
}

/// Initialises GStreamer and the provider (builtin unless [`set_provider`] chose another).
/// Idempotent; returns the provider in use.
pub fn init() -> Result<Provider> {
    gst::init().map_err(|e| Error::BadBatchBuffer(format!("gst::init failed: {e}")))?;
    if API.get().is_none() {
        set_provider(Provider::Builtin)?;
    }
    Ok(current())
}

/// The provider in use (initialising the builtin one if none was chosen yet).
pub fn current() -> Provider {
    api().kind
}

/// The provider's functions; the builtin provider when none was chosen yet.
pub(crate) fn api() -> &'static Api {
    if let Some(a) = API.get() {
        return a;
    }
    // First use without a choice: builtin. It cannot fail.
    let _ = set_provider(Provider::Builtin);
    API.get().unwrap_or_else(|| unreachable!("set_provider(Builtin) always installs the API"))
}

/// The DeepStream libraries the native provider would load (`DS_META_LIB_DIR`, else the
/// loader's path, else DeepStream's `lib` folder): the DeepStream version their metadata
/// sizes belong to (`"7.0 or 7.1"`, `"8.0"`, `"9.0 or 9.1"`, or `"unknown"`) and the path of
/// `libnvds_meta.so`; `Err` with what the loader said where none loads.
pub fn native_library_version() -> std::result::Result<(String, String), String> {
    native::detect()
}

/// `nvds_get_user_meta_type`: the metadata type for a descriptor
/// `"ORG_NAME.COMPONENT_NAME.METADATA_DESCRIPTION"`
/// (`g_quark_from_string(descriptor) + NVDS_START_USER_META`, as DeepStream computes it).
#[doc(alias = "nvds_get_user_meta_type")]
pub fn user_meta_type(descriptor: &str) -> NvDsMetaType {
    let q = glib::Quark::from_str(descriptor).into_glib();
    NvDsMetaType((q as i32).wrapping_add(NvDsMetaType::NVDS_START_USER_META.0))
}

use glib::translate::IntoGlib;
