//! User metadata (`NvDsUserMeta`) with typed payloads.
//!
//! A payload is any `Clone + Send + Sync + 'static` Rust type that implements
//! [`UserPayload`] with a descriptor `"ORG.COMPONENT.DESCRIPTION"`; its metadata type is
//! `nvds_get_user_meta_type(descriptor)`. Copy and release functions are generated per type
//! (generic `extern "C"` functions), so any number of payload types work at once and
//! nothing global is registered or unregistered. Reading checks the metadata type and the
//! Rust type before handing out a reference.

use crate::error::{Error, Result};
use crate::meta::transparent;
use crate::provider::{api, user_meta_type};
use crate::sys::{self, NvDsBatchMeta, NvDsMetaType, NvDsUserMeta};
use glib::ffi::gpointer;
use std::any::TypeId;
use std::ptr;

/// A Rust type carried as DeepStream user metadata.
///
/// ```
/// #[derive(Clone, Debug, PartialEq)]
/// struct Speed { kmh: f32 }
/// impl ds_meta::UserPayload for Speed {
///     const DESCRIPTOR: &'static str = "EXAMPLE.SPEED.KMH";
/// }
/// ```
pub trait UserPayload: Clone + Send + Sync + 'static {
    /// `"ORG_NAME.COMPONENT_NAME.METADATA_DESCRIPTION"`, unique to this type.
    const DESCRIPTOR: &'static str;

    /// The metadata type (`nvds_get_user_meta_type(DESCRIPTOR)`).
    fn meta_type() -> NvDsMetaType {
        user_meta_type(Self::DESCRIPTOR)
    }
}

const MAGIC: u64 = 0x4453_4d45_5441_5553; // "DSMETAUS"

/// What `user_meta_data` points at for a Rust payload.
#[repr(C)]
struct Envelope<T> {
    magic: u64,
    type_id: TypeId,
    value: T,
}

/// The type-independent prefix of [`Envelope`].
#[repr(C)]
struct Header {
    magic: u64,
    type_id: TypeId,
}

unsafe extern "C" fn copy_payload<T: UserPayload>(data: gpointer, _user_data: gpointer) -> gpointer {
    // SAFETY: called by the provider with the NvDsUserMeta whose data is an Envelope<T>.
    unsafe {
        let um = data as *mut NvDsUserMeta;
        let src = (*um).user_meta_data as *const Envelope<T>;
        if src.is_null() {
            return ptr::null_mut();
        }
        let env = Envelope { magic: MAGIC, type_id: TypeId::of::<T>(), value: (*src).value.clone() };
        Box::into_raw(Box::new(env)) as gpointer
    }
}

unsafe extern "C" fn release_payload<T: UserPayload>(data: gpointer, _user_data: gpointer) {
    // SAFETY: as copy_payload; the envelope was made by Box::into_raw.
    unsafe {
        let um = data as *mut NvDsUserMeta;
        let env = (*um).user_meta_data as *mut Envelope<T>;
        if !env.is_null() {
            drop(Box::from_raw(env));
        }
        (*um).user_meta_data = ptr::null_mut();
    }
}

/// Acquires a user meta from the batch's pool and fills it: `make` gives the data (called
/// only once the user meta exists), with its type, copy and release functions. Not yet added.
///
/// # Safety
/// `batch` is a live batch meta; `copy` / `release` handle what `make` returns.
pub(crate) unsafe fn acquire_filled(
    batch: *mut NvDsBatchMeta,
    meta_type: NvDsMetaType,
    copy: unsafe extern "C" fn(gpointer, gpointer) -> gpointer,
    release: unsafe extern "C" fn(gpointer, gpointer),
    make: impl FnOnce() -> gpointer,
) -> Result<*mut NvDsUserMeta> {
    unsafe {
        let u = (api().acquire_user_meta)(batch);
        if u.is_null() {
            return Err(Error::PoolExhausted { what: "user meta" });
        }
        (*u).user_meta_data = make();
        (*u).base_meta.meta_type = meta_type;
        (*u).base_meta.copy_func = Some(copy);
        (*u).base_meta.release_func = Some(release);
        Ok(u)
    }
}

/// Acquires a user meta holding `payload` (not yet added).
///
/// # Safety
/// `batch` is a live batch meta.
pub(crate) unsafe fn acquire_with<T: UserPayload>(batch: *mut NvDsBatchMeta, payload: T) -> Result<*mut NvDsUserMeta> {
    let make = || Box::into_raw(Box::new(Envelope { magic: MAGIC, type_id: TypeId::of::<T>(), value: payload })) as gpointer;
    unsafe { acquire_filled(batch, T::meta_type(), copy_payload::<T>, release_payload::<T>, make) }
}

/// Readers of DeepStream's payloads: `name: META_TYPE => CStruct as Wrapper;`.
macro_rules! c_readers {
    ($($(#[$m:meta])* $name:ident : $t:ident => $c:ty as $w:ty;)*) => {$(
        $(#[$m])*
        pub fn $name(&self) -> Option<&$w> {
            self.c_payload_raw::<$c>(NvDsMetaType::$t)
                // SAFETY: a live struct of the type this metadata type carries.
                .map(|p| unsafe { <$w>::from_ptr(p) })
        }
    )*};
}

transparent! {
    /// `NvDsUserMeta`: user metadata at batch, frame or object level. The payload is read
    /// with [`UserMeta::payload`] (Rust types), [`UserMeta::event_msg`] or the typed readers
    /// of DeepStream's own payloads ([`UserMeta::tensor_output`] …).
    UserMeta => sys::NvDsUserMeta
}

impl UserMeta {
    /// `base_meta.meta_type`.
    pub fn meta_type(&self) -> NvDsMetaType {
        self.0.base_meta.meta_type
    }

    /// `user_meta_data`, untyped.
    pub fn user_meta_data(&self) -> *mut std::ffi::c_void {
        self.0.user_meta_data
    }

    fn envelope<T: UserPayload>(&self) -> *mut Envelope<T> {
        if self.0.base_meta.meta_type != T::meta_type() || self.0.user_meta_data.is_null() {
            return ptr::null_mut();
        }
        let h = self.0.user_meta_data as *const Header;
        // SAFETY: metadata of T's type (from T's unique descriptor) was made by acquire_with,
        // so the header is readable; the TypeId check guards descriptor collisions.
        let ok = unsafe { (*h).magic == MAGIC && (*h).type_id == TypeId::of::<T>() };
        if ok { self.0.user_meta_data as *mut Envelope<T> } else { ptr::null_mut() }
    }

    /// The payload, if this user meta carries a `T`.
    pub fn payload<T: UserPayload>(&self) -> Option<&T> {
        // SAFETY: checked by `envelope`.
        unsafe { self.envelope::<T>().as_ref().map(|e| &e.value) }
    }

    /// The payload, writable, if this user meta carries a `T`.
    pub fn payload_mut<T: UserPayload>(&mut self) -> Option<&mut T> {
        // SAFETY: checked by `envelope`; exclusive borrow.
        unsafe { self.envelope::<T>().as_mut().map(|e| &mut e.value) }
    }

    /// The event message (`NVDS_EVENT_MSG_META`), if this is one.
    pub fn event_msg(&self) -> Option<&crate::event::EventMsgMeta> {
        self.c_payload_raw::<sys::NvDsEventMsgMeta>(NvDsMetaType::NVDS_EVENT_MSG_META)
            // SAFETY: a live NvDsEventMsgMeta.
            .map(|p| unsafe { crate::event::EventMsgMeta::from_ptr(p) })
    }

    /// The event message, writable.
    pub fn event_msg_mut(&mut self) -> Option<&mut crate::event::EventMsgMeta> {
        let p = self.c_payload_raw::<sys::NvDsEventMsgMeta>(NvDsMetaType::NVDS_EVENT_MSG_META)? as *const _;
        // SAFETY: a live NvDsEventMsgMeta, exclusively borrowed through self.
        Some(unsafe { crate::event::EventMsgMeta::from_ptr_mut(p as *mut _) })
    }

    c_readers! {
        /// `NvDsInferTensorMeta` (`NVDSINFER_TENSOR_OUTPUT_META`), if this is one.
        tensor_output: NVDSINFER_TENSOR_OUTPUT_META => sys::NvDsInferTensorMeta as crate::infer::InferTensorMeta;
        /// `NvDsInferSegmentationMeta` (`NVDSINFER_SEGMENTATION_META`), if this is one.
        segmentation: NVDSINFER_SEGMENTATION_META => sys::NvDsInferSegmentationMeta as crate::infer::InferSegmentationMeta;
        /// `NvDsOpticalFlowMeta` (`NVDS_OPTICAL_FLOW_META`), if this is one.
        optical_flow: NVDS_OPTICAL_FLOW_META => sys::NvDsOpticalFlowMeta as crate::infer::OpticalFlowMeta;
        /// `NvDsTargetMiscDataBatch` (`NVDS_TRACKER_PAST_FRAME_META`), if this is one.
        tracker_past_frames: NVDS_TRACKER_PAST_FRAME_META => sys::NvDsTargetMiscDataBatch as crate::infer::TrackerPastFrames;
        /// `NvDsObjReid` (`NVDS_TRACKER_OBJ_REID_META`), if this is one.
        obj_reid: NVDS_TRACKER_OBJ_REID_META => sys::NvDsObjReid as crate::infer::ObjReid;
    }
}

/// A Rust value that DeepStream code reads as a C struct: `user_meta_data` points at a
/// `Self::C` built from the value, which the metadata owns (with any scratch arrays the C
/// view needs). Copy (clone + rebuild) and release (drop) are generated per type. The
/// payloads of [`crate::infer`] (tensor output, segmentation, optical flow, tracker data,
/// re-identification) implement it; so can an application's own C struct (pyds
/// `alloc_custom_struct`).
///
/// # Safety
/// [`CPayload::to_c`] returns a `C` whose pointers point into `self` (at its final place)
/// or into the returned scratch, and stay valid while both live unchanged.
pub unsafe trait CPayload: Clone + Send + Sync + 'static {
    /// The C struct readers see.
    type C: Copy + 'static;
    /// The metadata type it is attached with.
    fn meta_type() -> NvDsMetaType;
    /// Builds the C view of `self`, with the storage it points into besides `self`.
    fn to_c(&self) -> (Self::C, Box<dyn std::any::Any>);
}

/// What `user_meta_data` points at for a [`CPayload`]: the C struct first.
#[repr(C)]
struct Holder<T: CPayload> {
    c: T::C,
    owned: T,
    scratch: Option<Box<dyn std::any::Any>>,
}

fn holder<T: CPayload>(value: T) -> *mut Holder<T> {
    // Build the C view after the value has reached its final (boxed) place.
    let mut h = Box::new(Holder::<T> {
        // SAFETY: replaced just below before anyone reads it; C structs are plain data.
        c: unsafe { std::mem::zeroed() },
        owned: value,
        scratch: None,
    });
    let (c, scratch) = h.owned.to_c();
    h.c = c;
    h.scratch = Some(scratch);
    Box::into_raw(h)
}

unsafe extern "C" fn copy_c<T: CPayload>(data: gpointer, _user_data: gpointer) -> gpointer {
    // SAFETY: the user meta's data is a Holder<T> made by `holder`.
    unsafe {
        let src = (*(data as *mut NvDsUserMeta)).user_meta_data as *const Holder<T>;
        if src.is_null() { ptr::null_mut() } else { holder((*src).owned.clone()) as gpointer }
    }
}

unsafe extern "C" fn release_c<T: CPayload>(data: gpointer, _user_data: gpointer) {
    // SAFETY: as copy_c; made by Box::into_raw.
    unsafe {
        let um = data as *mut NvDsUserMeta;
        let h = (*um).user_meta_data as *mut Holder<T>;
        if !h.is_null() {
            drop(Box::from_raw(h));
        }
        (*um).user_meta_data = ptr::null_mut();
    }
}

/// Acquires a user meta holding a [`CPayload`] (not yet added).
///
/// # Safety
/// `batch` is a live batch meta.
pub(crate) unsafe fn acquire_c_with<T: CPayload>(batch: *mut NvDsBatchMeta, payload: T) -> Result<*mut NvDsUserMeta> {
    unsafe { acquire_filled(batch, T::meta_type(), copy_c::<T>, release_c::<T>, || holder(payload) as gpointer) }
}

impl UserMeta {
    /// The C struct of a [`CPayload`] type, if this user meta has its metadata type
    /// (whoever attached it: this crate or a DeepStream element).
    pub fn c_payload<T: CPayload>(&self) -> Option<&T::C> {
        self.c_payload_raw::<T::C>(T::meta_type())
    }

    fn c_payload_raw<P>(&self, t: NvDsMetaType) -> Option<&P> {
        if self.0.base_meta.meta_type != t {
            return None;
        }
        // SAFETY: the documented payload struct for this metadata type.
        unsafe { (self.0.user_meta_data as *const P).as_ref() }
    }
}
