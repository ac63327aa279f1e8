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

/// Acquires a user meta from the batch's pool and fills it with `payload` (not yet added).
///
/// # Safety
/// `batch` is a live batch meta.
pub(crate) unsafe fn acquire_with<T: UserPayload>(batch: *mut NvDsBatchMeta, payload: T) -> Result<*mut NvDsUserMeta> {
    unsafe {
        let u = (api().acquire_user_meta)(batch);
        if u.is_null() {
            return Err(Error::PoolExhausted { what: "user meta" });
        }
        let env = Envelope { magic: MAGIC, type_id: TypeId::of::<T>(), value: payload };
        (*u).user_meta_data = Box::into_raw(Box::new(env)) as gpointer;
        (*u).base_meta.meta_type = T::meta_type();
        (*u).base_meta.copy_func = Some(copy_payload::<T>);
        (*u).base_meta.release_func = Some(release_payload::<T>);
        Ok(u)
    }
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

    /// `NvDsInferTensorMeta` (`NVDSINFER_TENSOR_OUTPUT_META`), if this is one.
    pub fn tensor_output(&self) -> Option<&crate::infer::InferTensorMeta> {
        self.c_payload_raw::<sys::NvDsInferTensorMeta>(NvDsMetaType::NVDSINFER_TENSOR_OUTPUT_META)
            // SAFETY: a live NvDsInferTensorMeta.
            .map(|p| unsafe { crate::infer::InferTensorMeta::from_ptr(p) })
    }

    /// `NvDsInferSegmentationMeta` (`NVDSINFER_SEGMENTATION_META`), if this is one.
    pub fn segmentation(&self) -> Option<&crate::infer::InferSegmentationMeta> {
        self.c_payload_raw::<sys::NvDsInferSegmentationMeta>(NvDsMetaType::NVDSINFER_SEGMENTATION_META)
            // SAFETY: a live NvDsInferSegmentationMeta.
            .map(|p| unsafe { crate::infer::InferSegmentationMeta::from_ptr(p) })
    }

    /// `NvDsOpticalFlowMeta` (`NVDS_OPTICAL_FLOW_META`), if this is one.
    pub fn optical_flow(&self) -> Option<&crate::infer::OpticalFlowMeta> {
        self.c_payload_raw::<sys::NvDsOpticalFlowMeta>(NvDsMetaType::NVDS_OPTICAL_FLOW_META)
            // SAFETY: a live NvDsOpticalFlowMeta.
            .map(|p| unsafe { crate::infer::OpticalFlowMeta::from_ptr(p) })
    }

    /// `NvDsTargetMiscDataBatch` (`NVDS_TRACKER_PAST_FRAME_META`), if this is one.
    pub fn tracker_past_frames(&self) -> Option<&crate::infer::TrackerPastFrames> {
        self.c_payload_raw::<sys::NvDsTargetMiscDataBatch>(NvDsMetaType::NVDS_TRACKER_PAST_FRAME_META)
            // SAFETY: a live NvDsTargetMiscDataBatch.
            .map(|p| unsafe { crate::infer::TrackerPastFrames::from_ptr(p) })
    }

    /// `NvDsObjReid` (`NVDS_TRACKER_OBJ_REID_META`), if this is one.
    pub fn obj_reid(&self) -> Option<&crate::infer::ObjReid> {
        self.c_payload_raw::<sys::NvDsObjReid>(NvDsMetaType::NVDS_TRACKER_OBJ_REID_META)
            // SAFETY: a live NvDsObjReid.
            .map(|p| unsafe { crate::infer::ObjReid::from_ptr(p) })
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

/// Acquires a user meta and fills it with a [`CPayload`] (not yet added).
///
/// # Safety
/// `batch` is a live batch meta.
pub(crate) unsafe fn acquire_c_with<T: CPayload>(batch: *mut NvDsBatchMeta, payload: T) -> Result<*mut NvDsUserMeta> {
    unsafe {
        let u = (api().acquire_user_meta)(batch);
        if u.is_null() {
            return Err(Error::PoolExhausted { what: "user meta" });
        }
        (*u).user_meta_data = holder(payload) as gpointer;
        (*u).base_meta.meta_type = T::meta_type();
        (*u).base_meta.copy_func = Some(copy_c::<T>);
        (*u).base_meta.release_func = Some(release_c::<T>);
        Ok(u)
    }
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
