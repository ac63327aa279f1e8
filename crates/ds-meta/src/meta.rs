//! The safe metadata types: `#[repr(transparent)]` wrappers of the C structs, handed out as
//! `&T` / `&mut T` borrowed from the buffer. Lists are iterators; acquiring from the pool
//! and adding to the parent is one call that returns `&mut` to the new element.

use crate::error::{Error, Result};
use crate::list::{MetaIter, MetaIterMut};
use crate::osd::{MaskParams, RectParams, TextParams, ArrowParams, CircleParams, LineParams};
use crate::provider::api;
use crate::strings;
use crate::sys;
use crate::user::{self, CPayload, UserMeta, UserPayload};
use glib::ffi::GList;
use std::ptr;

macro_rules! transparent {
    ($(#[$m:meta])* $name:ident => $sys:ty) => {
        $(#[$m])*
        #[repr(transparent)]
        pub struct $name(pub(crate) $sys);

        impl $name {
            /// The C struct, read-only.
            pub fn as_sys(&self) -> &$sys {
                &self.0
            }
            /// The C struct, writable.
            ///
            /// # Safety
            /// The caller keeps the C invariants: list pointers, owned strings and counts
            /// stay consistent with what the provider's functions expect.
            pub unsafe fn as_sys_mut(&mut self) -> &mut $sys {
                &mut self.0
            }
            /// The C pointer (for passing to C functions).
            pub fn as_ptr(&self) -> *mut $sys {
                &self.0 as *const $sys as *mut $sys
            }
            /// Borrows a C struct as this type (pyds `cast`).
            ///
            /// # Safety
            /// `p` is a valid, initialised struct that outlives `'a`, with no `&mut` to it.
            pub unsafe fn from_ptr<'a>(p: *const $sys) -> &'a Self {
                unsafe { &*(p as *const Self) }
            }
            /// Borrows a C struct as this type, writable (pyds `cast`).
            ///
            /// # Safety
            /// As [`Self::from_ptr`], with exclusive access for `'a`.
            pub unsafe fn from_ptr_mut<'a>(p: *mut $sys) -> &'a mut Self {
                unsafe { &mut *(p as *mut Self) }
            }
        }
    };
}
pub(crate) use transparent;

/// Getters and setters of plain fields: `get, set: Type => c_field`.
macro_rules! fields {
    ($($(#[$m:meta])* $get:ident, $set:ident : $t:ty => $($f:ident).+;)*) => {$(
        $(#[$m])*
        pub fn $get(&self) -> $t {
            self.0.$($f).+
        }
        #[doc = concat!("Sets [`Self::", stringify!($get), "`] (C `", stringify!($($f).+), "`).")]
        pub fn $set(&mut self, v: $t) {
            self.0.$($f).+ = v;
        }
    )*};
}
pub(crate) use fields;

/// `iter` / `iter_mut` over a metadata `GList` field.
macro_rules! list_iters {
    ($(#[$m:meta])* $iter:ident, $iter_mut:ident : $t:ty, $list:ident, $list_alias:literal) => {
        $(#[$m])*
        #[doc(alias = $list_alias)]
        pub fn $iter(&self) -> MetaIter<'_, $t> {
            // SAFETY: the list belongs to this element and is not changed while borrowed.
            unsafe { MetaIter::new(self.0.$list) }
        }

        #[doc = concat!("[`Self::", stringify!($iter), "`], writable.")]
        pub fn $iter_mut(&mut self) -> MetaIterMut<'_, $t> {
            // SAFETY: exclusive borrow; each element is listed once.
            unsafe { MetaIterMut::new(self.0.$list) }
        }
    };
}

/// Accessors of a `misc_*` array (`MAX_USER_FIELDS` values free for the application).
macro_rules! misc_fields {
    ($get:ident, $get_mut:ident) => {
        #[doc = concat!("`", stringify!($get), "`: ", "four `i64` values free for the application.")]
        pub fn $get(&self) -> &[i64; sys::MAX_USER_FIELDS] {
            &self.0.$get
        }

        #[doc = concat!("`", stringify!($get), "`, writable.")]
        pub fn $get_mut(&mut self) -> &mut [i64; sys::MAX_USER_FIELDS] {
            &mut self.0.$get
        }
    };
}

/// A list of child metadata: iterate, acquire-and-add, remove.
macro_rules! child_list_methods {
    ($(#[$m:meta])* $iter:ident, $iter_mut:ident, $add:ident, $retain:ident : $t:ty,
     $list:ident, $list_alias:literal, $acquire_fn:ident, $add_fn:ident, $remove_fn:ident,
     $acquire_alias:literal, $add_alias:literal, $remove_alias:literal) => {
        list_iters!($(#[$m])* $iter, $iter_mut: $t, $list, $list_alias);

        #[doc = concat!("Acquires an element from the batch's pool and adds it to `", $list_alias,
            "` (`", $acquire_alias, "` + `", $add_alias, "`).")]
        #[doc(alias = $acquire_alias)]
        #[doc(alias = $add_alias)]
        pub fn $add(&mut self) -> Result<&mut $t> {
            let a = api();
            // SAFETY: provider functions on this element and its batch.
            unsafe {
                let e = non_null((a.$acquire_fn)(self.0.base_meta.batch_meta), stringify!($t))?;
                (a.$add_fn)(self.as_ptr(), e);
                Ok(<$t>::from_ptr_mut(e))
            }
        }

        #[doc = concat!("Removes the elements of `", $list_alias, "` for which `keep` returns false, \
            releasing them to the pool (`", $remove_alias, "`).")]
        #[doc(alias = $remove_alias)]
        pub fn $retain(&mut self, keep: impl FnMut(&$t) -> bool) {
            let a = api();
            let p = self.as_ptr();
            // SAFETY: elements of this list, removed through the provider.
            unsafe { retain_list(self.0.$list, keep, |e| (a.$remove_fn)(p, e as *mut _)) }
        }
    };
}

/// The user-metadata methods of one level (batch, frame or object): iterate, attach a
/// typed ([`UserPayload`]) or C ([`CPayload`]) payload, remove. `batch_ptr` gives the batch
/// whose pool the user meta comes from.
macro_rules! user_meta_methods {
    ($level:literal, $list:ident, $list_alias:literal, $add:ident, $add_alias:literal,
     $remove:ident, $remove_alias:literal) => {
        list_iters!(#[doc = concat!($level, "-level user metadata (`", $list_alias, "`).")]
            user_metas, user_metas_mut: UserMeta, $list, $list_alias);

        #[doc = concat!("Attaches a typed payload as ", $level, "-level user metadata \
            (`nvds_acquire_user_meta_from_pool` + `", $add_alias, "`).")]
        #[doc(alias = "nvds_acquire_user_meta_from_pool")]
        #[doc(alias = $add_alias)]
        pub fn add_user_meta<T: UserPayload>(&mut self, payload: T) -> Result<&mut UserMeta> {
            // SAFETY: a fresh user meta from the batch's pool, filled, then added.
            unsafe {
                let u = user::acquire_with(self.batch_ptr(), payload)?;
                (api().$add)(self.as_ptr(), u);
                Ok(UserMeta::from_ptr_mut(u))
            }
        }

        #[doc = concat!("Attaches a [`CPayload`] (a C struct DeepStream code can read, such as \
            [`crate::infer::TensorOutput`]) as ", $level, "-level user metadata.")]
        pub fn add_c_user_meta<T: CPayload>(&mut self, payload: T) -> Result<&mut UserMeta> {
            // SAFETY: as add_user_meta.
            unsafe {
                let u = user::acquire_c_with(self.batch_ptr(), payload)?;
                (api().$add)(self.as_ptr(), u);
                Ok(UserMeta::from_ptr_mut(u))
            }
        }

        #[doc = concat!("Removes the ", $level, "-level user metadata for which `keep` returns \
            false, calling their release functions (`", $remove_alias, "`).")]
        #[doc(alias = $remove_alias)]
        pub fn retain_user_metas(&mut self, keep: impl FnMut(&UserMeta) -> bool) {
            let a = api();
            let p = self.as_ptr();
            // SAFETY: elements of this list, removed through the provider.
            unsafe { retain_list(self.0.$list, keep, |u| (a.$remove)(p, u as *mut _)) }
        }
    };
}

fn non_null<T>(p: *mut T, what: &'static str) -> Result<*mut T> {
    if p.is_null() { Err(Error::PoolExhausted { what }) } else { Ok(p) }
}

/// Keeps the elements of a list for which `keep` is true; removes the others with `remove`.
///
/// # Safety
/// `list` is the list the `remove` function unlinks from; elements are `T`.
unsafe fn retain_list<T>(list: *mut GList, mut keep: impl FnMut(&T) -> bool, mut remove: impl FnMut(*mut T)) {
    // Collect first: removing unlinks elements from the list being walked.
    let doomed: Vec<*mut T> = unsafe { crate::list::iter_raw(list) }
        .map(|p| p as *mut T)
        .filter(|&p| !keep(unsafe { &*p }))
        .collect();
    for p in doomed {
        remove(p);
    }
}

// ---------------------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------------------

transparent! {
    /// `NvDsBatchMeta`: the metadata of one batch buffer — its frames and batch-level user
    /// metadata. Get it with [`BatchMeta::from_buffer`] (pyds `gst_buffer_get_nvds_batch_meta`)
    /// or create it with [`BatchMeta::attach`] (what `nvstreammux` does).
    BatchMeta => sys::NvDsBatchMeta
}

/// Finds the `NvDsMeta` carrying the batch meta on a buffer, through the provider's meta API.
fn find_batch_meta(buffer: &gst::BufferRef) -> *mut sys::NvDsBatchMeta {
    let api_type = unsafe { (api().nvds_meta_api_get_type)() };
    let mut state: glib::ffi::gpointer = ptr::null_mut();
    loop {
        // SAFETY: iterating the metas of a live buffer; `state` is the iteration cursor.
        let m = unsafe {
            gst::ffi::gst_buffer_iterate_meta_filtered(buffer.as_mut_ptr(), &mut state, api_type)
        } as *mut sys::NvDsMeta;
        if m.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: metas of this API type are NvDsMeta.
        unsafe {
            if (*m).meta_type == sys::GstNvDsMetaType::NVDS_BATCH_GST_META && !(*m).meta_data.is_null() {
                return (*m).meta_data as *mut sys::NvDsBatchMeta;
            }
        }
    }
}

impl BatchMeta {
    /// The batch metadata of a buffer, read-only; `None` if it has none
    /// (pyds `gst_buffer_get_nvds_batch_meta`).
    #[doc(alias = "gst_buffer_get_nvds_batch_meta")]
    pub fn from_buffer(buffer: &gst::BufferRef) -> Option<&BatchMeta> {
        let p = find_batch_meta(buffer);
        // SAFETY: the meta lives as long as the buffer borrow.
        (!p.is_null()).then(|| unsafe { BatchMeta::from_ptr(p) })
    }

    /// The batch metadata of a writable buffer, to modify; `None` if it has none.
    #[doc(alias = "gst_buffer_get_nvds_batch_meta")]
    pub fn from_buffer_mut(buffer: &mut gst::BufferRef) -> Option<&mut BatchMeta> {
        let p = find_batch_meta(buffer);
        // SAFETY: exclusive buffer borrow → exclusive access to its metadata.
        (!p.is_null()).then(|| unsafe { BatchMeta::from_ptr_mut(p) })
    }

    /// Creates an empty batch meta for up to `max_frames` frames and attaches it to the
    /// buffer (`nvds_create_batch_meta` + `gst_buffer_add_nvds_meta` with
    /// `NVDS_BATCH_GST_META`, as `nvstreammux` does). Error if the buffer already has one.
    #[doc(alias = "nvds_create_batch_meta")]
    #[doc(alias = "gst_buffer_add_nvds_meta")]
    pub fn attach(buffer: &mut gst::BufferRef, max_frames: u32) -> Result<&mut BatchMeta> {
        if !find_batch_meta(buffer).is_null() {
            return Err(Error::BatchMetaExists);
        }
        let a = api();
        // SAFETY: provider functions with valid arguments; the GstMeta takes ownership of
        // the batch meta and frees it with the release function.
        unsafe {
            let b = non_null((a.create_batch_meta)(max_frames), "batch meta")?;
            // NVIDIA's nvds_create_batch_meta sizes the pools but leaves max_frames_in_batch
            // at 0 (nvstreammux sets it); the builtin one sets it. Same result on both.
            (*b).max_frames_in_batch = max_frames;
            let m = (a.gst_buffer_add_nvds_meta)(
                buffer.as_mut_ptr(),
                b as glib::ffi::gpointer,
                ptr::null_mut(),
                Some(a.batch_meta_copy_func),
                Some(a.batch_meta_release_func),
            );
            if m.is_null() {
                (a.destroy_batch_meta)(b);
                return Err(Error::PoolExhausted { what: "GstMeta" });
            }
            (*m).meta_type = sys::GstNvDsMetaType::NVDS_BATCH_GST_META;
            Ok(BatchMeta::from_ptr_mut(b))
        }
    }

    /// `max_frames_in_batch`.
    pub fn max_frames_in_batch(&self) -> u32 {
        self.0.max_frames_in_batch
    }

    /// `num_frames_in_batch`.
    pub fn num_frames_in_batch(&self) -> u32 {
        self.0.num_frames_in_batch
    }

    misc_fields!(misc_batch_info, misc_batch_info_mut);

    list_iters!(
        /// The frames (`frame_meta_list`), in the order they were added.
        frames, frames_mut: FrameMeta, frame_meta_list, "frame_meta_list");

    /// The frame whose `batch_id` is `batch_id`.
    pub fn frame(&self, batch_id: u32) -> Option<&FrameMeta> {
        self.frames().find(|f| f.batch_id() == batch_id)
    }

    /// The frame whose `batch_id` is `batch_id`, writable.
    pub fn frame_mut(&mut self, batch_id: u32) -> Option<&mut FrameMeta> {
        self.frames_mut().find(|f| f.batch_id() == batch_id)
    }

    /// The `n`th frame of the list (`nvds_get_nth_frame_meta`).
    #[doc(alias = "nvds_get_nth_frame_meta")]
    pub fn nth_frame(&self, n: usize) -> Option<&FrameMeta> {
        self.frames().nth(n)
    }

    /// Acquires a frame meta from the pool and adds it to the batch
    /// (`nvds_acquire_frame_meta_from_pool` + `nvds_add_frame_meta_to_batch`). Its
    /// `batch_id` is set to its index in the batch. Error when `max_frames_in_batch` frames
    /// are already there.
    #[doc(alias = "nvds_acquire_frame_meta_from_pool")]
    #[doc(alias = "nvds_add_frame_meta_to_batch")]
    pub fn add_frame_meta(&mut self) -> Result<&mut FrameMeta> {
        if self.0.num_frames_in_batch >= self.0.max_frames_in_batch {
            return Err(Error::BatchFull { max: self.0.max_frames_in_batch });
        }
        let a = api();
        let b = self.as_ptr();
        // SAFETY: provider functions on this batch, which we borrow exclusively.
        unsafe {
            let f = non_null((a.acquire_frame_meta)(b), "frame meta")?;
            (*f).batch_id = (*b).num_frames_in_batch;
            (a.add_frame_meta)(b, f);
            Ok(FrameMeta::from_ptr_mut(f))
        }
    }

    /// Copies a frame's metadata — the frame fields, its objects (with classifier, label and
    /// user metadata), display metadata and frame user metadata — into this batch as a new
    /// frame. Strings are duplicated; user metadata is copied with its copy function. This is
    /// what a demuxer does to give each output buffer its frame's metadata.
    pub fn add_frame_copy(&mut self, src: &FrameMeta) -> Result<&mut FrameMeta> {
        if self.0.num_frames_in_batch >= self.0.max_frames_in_batch {
            return Err(Error::BatchFull { max: self.0.max_frames_in_batch });
        }
        // SAFETY: src is a live frame of another (or this) batch; we own this batch.
        unsafe {
            let f = non_null(crate::copy::copy_frame_into(api(), self.as_ptr(), src.as_ptr()), "frame meta")?;
            Ok(FrameMeta::from_ptr_mut(f))
        }
    }

    /// Removes the frames for which `keep` returns false, releasing them and everything they
    /// hold to the pool (`nvds_remove_frame_meta_from_batch`).
    #[doc(alias = "nvds_remove_frame_meta_from_batch")]
    pub fn retain_frames(&mut self, keep: impl FnMut(&FrameMeta) -> bool) {
        let a = api();
        let b = self.as_ptr();
        // SAFETY: frames of this batch, removed through the provider.
        unsafe { retain_list(self.0.frame_meta_list, keep, |f| (a.remove_frame_meta)(b, f as *mut _)) }
    }

    user_meta_methods!("Batch", batch_user_meta_list, "batch_user_meta_list", add_user_meta_to_batch,
        "nvds_add_user_meta_to_batch", remove_user_meta_from_batch, "nvds_remove_user_meta_from_batch");

    fn batch_ptr(&self) -> *mut sys::NvDsBatchMeta {
        self.as_ptr()
    }

    /// Holds the batch's metadata lock until the guard drops (`nvds_acquire_meta_lock` /
    /// `nvds_release_meta_lock`); needed only where another thread may change this batch.
    #[doc(alias = "nvds_acquire_meta_lock")]
    #[doc(alias = "nvds_release_meta_lock")]
    pub fn lock(&self) -> MetaLock<'_> {
        // SAFETY: the mutex is initialised with the batch.
        unsafe { (api().acquire_meta_lock)(self.as_ptr()) };
        MetaLock { batch: self }
    }
}

/// Guard of [`BatchMeta::lock`]; releases the lock on drop.
#[must_use = "the lock is released when the guard drops"]
pub struct MetaLock<'a> {
    batch: &'a BatchMeta,
}

impl Drop for MetaLock<'_> {
    fn drop(&mut self) {
        // SAFETY: paired with the acquire in BatchMeta::lock.
        unsafe { (api().release_meta_lock)(self.batch.as_ptr()) };
    }
}

// ---------------------------------------------------------------------------------------
// Frame
// ---------------------------------------------------------------------------------------

transparent! {
    /// `NvDsFrameMeta`: one frame of a batch, with its objects, display and user metadata.
    FrameMeta => sys::NvDsFrameMeta
}

impl FrameMeta {
    fields! {
        /// `pad_index`: the muxer sink pad the frame came in on.
        pad_index, set_pad_index: u32 => pad_index;
        /// `batch_id`: index of the frame in the batch (memory index in a portable batch).
        batch_id, set_batch_id: u32 => batch_id;
        /// `frame_num`: frame number of the source.
        frame_num, set_frame_num: i32 => frame_num;
        /// `buf_pts`: presentation time of the frame (ns).
        buf_pts, set_buf_pts: u64 => buf_pts;
        /// `ntp_timestamp`: NTP time of the frame (ns since the Unix epoch).
        ntp_timestamp, set_ntp_timestamp: u64 => ntp_timestamp;
        /// `source_id`: the source the frame came from.
        source_id, set_source_id: u32 => source_id;
        /// `num_surfaces_per_frame`.
        num_surfaces_per_frame, set_num_surfaces_per_frame: i32 => num_surfaces_per_frame;
        /// `source_frame_width`: width of the source's frame (pixels).
        source_frame_width, set_source_frame_width: u32 => source_frame_width;
        /// `source_frame_height`: height of the source's frame (pixels).
        source_frame_height, set_source_frame_height: u32 => source_frame_height;
        /// `surface_type`.
        surface_type, set_surface_type: u32 => surface_type;
        /// `surface_index`.
        surface_index, set_surface_index: u32 => surface_index;
        /// `pipeline_width`: width of the batch's frames (pixels; the muxer's output width).
        pipeline_width, set_pipeline_width: u32 => pipeline_width;
        /// `pipeline_height`: height of the batch's frames (pixels).
        pipeline_height, set_pipeline_height: u32 => pipeline_height;
    }

    /// `num_obj_meta`: number of objects in [`Self::objects`].
    pub fn num_obj_meta(&self) -> u32 {
        self.0.num_obj_meta
    }

    /// `bInferDone`: whether inference ran on this frame.
    #[doc(alias = "bInferDone")]
    pub fn infer_done(&self) -> bool {
        self.0.bInferDone != 0
    }

    /// Sets `bInferDone`.
    pub fn set_infer_done(&mut self, done: bool) {
        self.0.bInferDone = done as i32;
    }

    misc_fields!(misc_frame_info, misc_frame_info_mut);

    list_iters!(
        /// The objects (`obj_meta_list`).
        objects, objects_mut: ObjectMeta, obj_meta_list, "obj_meta_list");

    /// The object of this frame that `key` names (for example an object's
    /// [`ObjectMeta::parent`]); `None` if it is not in this frame.
    pub fn object(&self, key: ObjectKey) -> Option<&ObjectMeta> {
        self.objects().find(|o| o.key() == key)
    }

    /// Acquires an object meta from the batch's pool and adds it to this frame, with an
    /// optional parent object of the same frame (`nvds_acquire_obj_meta_from_pool` +
    /// `nvds_add_obj_meta_to_frame`). Error if `parent` is not one of this frame's objects.
    #[doc(alias = "nvds_acquire_obj_meta_from_pool")]
    #[doc(alias = "nvds_add_obj_meta_to_frame")]
    pub fn add_obj_meta(&mut self, parent: Option<ObjectKey>) -> Result<&mut ObjectMeta> {
        let parent_ptr = match parent {
            None => ptr::null_mut(),
            Some(k) => {
                if !self.objects().any(|o| o.key() == k) {
                    return Err(Error::ParentNotInFrame);
                }
                k.0
            }
        };
        let a = api();
        // SAFETY: provider functions on this frame and its batch.
        unsafe {
            let o = non_null((a.acquire_obj_meta)(self.0.base_meta.batch_meta), "object meta")?;
            (a.add_obj_meta)(self.as_ptr(), o, parent_ptr);
            Ok(ObjectMeta::from_ptr_mut(o))
        }
    }

    /// Removes the objects for which `keep` returns false, releasing them
    /// (`nvds_remove_obj_meta_from_frame`). Objects whose parent was removed get no parent.
    #[doc(alias = "nvds_remove_obj_meta_from_frame")]
    pub fn retain_objects(&mut self, keep: impl FnMut(&ObjectMeta) -> bool) {
        let a = api();
        let f = self.as_ptr();
        // SAFETY: objects of this frame, removed through the provider.
        unsafe {
            retain_list(self.0.obj_meta_list, keep, |o: *mut ObjectMeta| {
                let o = o as *mut sys::NvDsObjectMeta;
                for other in crate::list::iter_raw((*f).obj_meta_list) {
                    let other = other as *mut sys::NvDsObjectMeta;
                    if (*other).parent == o {
                        (*other).parent = ptr::null_mut();
                    }
                }
                (a.remove_obj_meta)(f, o)
            })
        }
    }

    child_list_methods!(
        /// The display metadata (`display_meta_list`).
        display_metas, display_metas_mut, add_display_meta, retain_display_metas: DisplayMeta,
        display_meta_list, "display_meta_list", acquire_display_meta, add_display_meta, remove_display_meta,
        "nvds_acquire_display_meta_from_pool", "nvds_add_display_meta_to_frame",
        "nvds_remove_display_meta_from_frame");

    user_meta_methods!("Frame", frame_user_meta_list, "frame_user_meta_list", add_user_meta_to_frame,
        "nvds_add_user_meta_to_frame", remove_user_meta_from_frame, "nvds_remove_user_meta_from_frame");

    fn batch_ptr(&self) -> *mut sys::NvDsBatchMeta {
        self.0.base_meta.batch_meta
    }

    /// Attaches an empty `NvDsEventMsgMeta` as frame user metadata of type
    /// `NVDS_EVENT_MSG_META`, with this crate's copy and release functions
    /// (pyds `nvds_acquire_user_meta_from_pool` + `alloc_nvds_event_msg_meta` +
    /// `nvds_add_user_meta_to_frame`).
    #[doc(alias = "alloc_nvds_event_msg_meta")]
    pub fn add_event_msg_meta(&mut self) -> Result<&mut crate::event::EventMsgMeta> {
        let a = api();
        // SAFETY: a fresh user meta from the batch's pool, filled, then added.
        unsafe {
            let u = crate::event::acquire_event_user_meta(self.0.base_meta.batch_meta)?;
            (a.add_user_meta_to_frame)(self.as_ptr(), u);
            Ok(crate::event::EventMsgMeta::from_ptr_mut((*u).user_meta_data as *mut _))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Object
// ---------------------------------------------------------------------------------------

transparent! {
    /// `NvDsObjectMeta`: one detected (or tracked) object.
    ObjectMeta => sys::NvDsObjectMeta
}

/// Identifies an object of a frame, to name it as parent in [`FrameMeta::add_obj_meta`].
/// Only compared, never dereferenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectKey(*mut sys::NvDsObjectMeta);

impl ObjectMeta {
    fields! {
        /// `unique_component_id`: the `gie-unique-id` of the component that made the object.
        unique_component_id, set_unique_component_id: i32 => unique_component_id;
        /// `class_id`.
        class_id, set_class_id: i32 => class_id;
        /// `object_id`: tracking id ([`sys::UNTRACKED_OBJECT_ID`] when untracked).
        object_id, set_object_id: u64 => object_id;
        /// `confidence` of the detector (0.0 ..= 1.0; -0.1 when unknown).
        confidence, set_confidence: f32 => confidence;
        /// `tracker_confidence`.
        tracker_confidence, set_tracker_confidence: f32 => tracker_confidence;
    }

    /// The key naming this object as a parent.
    pub fn key(&self) -> ObjectKey {
        ObjectKey(self.as_ptr())
    }

    /// The key of the parent object (`parent`), if any; [`FrameMeta::object`] gives the
    /// object. (A key, not a reference: the parent may be borrowed mutably elsewhere.)
    pub fn parent(&self) -> Option<ObjectKey> {
        (!self.0.parent.is_null()).then_some(ObjectKey(self.0.parent))
    }

    /// `detector_bbox_info.org_bbox_coords`: the box as the detector gave it (pixels).
    pub fn detector_bbox(&self) -> &sys::NvBbox_Coords {
        &self.0.detector_bbox_info.org_bbox_coords
    }

    /// `detector_bbox_info.org_bbox_coords`, writable.
    pub fn detector_bbox_mut(&mut self) -> &mut sys::NvBbox_Coords {
        &mut self.0.detector_bbox_info.org_bbox_coords
    }

    /// `tracker_bbox_info.org_bbox_coords`: the box as the tracker gave it (pixels).
    pub fn tracker_bbox(&self) -> &sys::NvBbox_Coords {
        &self.0.tracker_bbox_info.org_bbox_coords
    }

    /// `tracker_bbox_info.org_bbox_coords`, writable.
    pub fn tracker_bbox_mut(&mut self) -> &mut sys::NvBbox_Coords {
        &mut self.0.tracker_bbox_info.org_bbox_coords
    }

    /// `rect_params`: the box the OSD draws (pixels of the batch frame).
    pub fn rect_params(&self) -> &RectParams {
        &self.0.rect_params
    }

    /// `rect_params`, writable.
    pub fn rect_params_mut(&mut self) -> &mut RectParams {
        &mut self.0.rect_params
    }

    /// `text_params`: the label the OSD draws.
    pub fn text_params(&self) -> &TextParams {
        TextParams::from_sys(&self.0.text_params)
    }

    /// `text_params`, writable.
    pub fn text_params_mut(&mut self) -> &mut TextParams {
        TextParams::from_sys_mut(&mut self.0.text_params)
    }

    /// `mask_params`: the instance mask.
    pub fn mask_params(&self) -> &MaskParams {
        MaskParams::from_sys(&self.0.mask_params)
    }

    /// `mask_params`, writable.
    pub fn mask_params_mut(&mut self) -> &mut MaskParams {
        MaskParams::from_sys_mut(&mut self.0.mask_params)
    }

    /// `obj_label`: the class label (at most 127 bytes).
    pub fn obj_label(&self) -> &str {
        strings::read_array(&self.0.obj_label)
    }

    /// Sets `obj_label`; error if longer than 127 bytes or holding a NUL.
    pub fn set_obj_label(&mut self, label: &str) -> Result<()> {
        strings::write_array(&mut self.0.obj_label, label, "NvDsObjectMeta.obj_label")
    }

    misc_fields!(misc_obj_info, misc_obj_info_mut);

    child_list_methods!(
        /// The classifier results (`classifier_meta_list`).
        classifier_metas, classifier_metas_mut, add_classifier_meta, retain_classifier_metas: ClassifierMeta,
        classifier_meta_list, "classifier_meta_list", acquire_classifier_meta, add_classifier_meta,
        remove_classifier_meta, "nvds_acquire_classifier_meta_from_pool", "nvds_add_classifier_meta_to_object",
        "nvds_remove_classifier_meta_from_obj");

    user_meta_methods!("Object", obj_user_meta_list, "obj_user_meta_list", add_user_meta_to_obj,
        "nvds_add_user_meta_to_obj", remove_user_meta_from_obj, "nvds_remove_user_meta_from_object");

    fn batch_ptr(&self) -> *mut sys::NvDsBatchMeta {
        self.0.base_meta.batch_meta
    }
}

// ---------------------------------------------------------------------------------------
// Classifier and label info
// ---------------------------------------------------------------------------------------

transparent! {
    /// `NvDsClassifierMeta`: the result of one secondary classifier on an object.
    ClassifierMeta => sys::NvDsClassifierMeta
}

impl ClassifierMeta {
    fields! {
        /// `unique_component_id` of the classifier.
        unique_component_id, set_unique_component_id: i32 => unique_component_id;
    }

    /// `num_labels`: number of entries in [`Self::label_infos`].
    pub fn num_labels(&self) -> u32 {
        self.0.num_labels
    }

    /// `classifier_type`; `""` when unset.
    pub fn classifier_type(&self) -> &str {
        // SAFETY: NULL or an interned / C-owned string.
        unsafe { strings::read(self.0.classifier_type) }
    }

    /// Sets `classifier_type` (interned: DeepStream never frees this field).
    pub fn set_classifier_type(&mut self, t: &str) -> Result<()> {
        self.0.classifier_type = strings::intern(t, "NvDsClassifierMeta.classifier_type")?;
        Ok(())
    }

    child_list_methods!(
        /// The labels (`label_info_list`).
        label_infos, label_infos_mut, add_label_info, retain_label_infos: LabelInfo,
        label_info_list, "label_info_list", acquire_label_info_meta, add_label_info_meta,
        remove_label_info_meta, "nvds_acquire_label_info_meta_from_pool",
        "nvds_add_label_info_meta_to_classifier", "nvds_remove_label_info_meta_from_classifier");
}

transparent! {
    /// `NvDsLabelInfo`: one label of a classifier result.
    LabelInfo => sys::NvDsLabelInfo
}

impl LabelInfo {
    fields! {
        /// `num_classes`.
        num_classes, set_num_classes: u32 => num_classes;
        /// `result_class_id`.
        result_class_id, set_result_class_id: u32 => result_class_id;
        /// `label_id`: the output layer (attribute) the label belongs to.
        label_id, set_label_id: u32 => label_id;
        /// `result_prob` (0.0 ..= 1.0).
        result_prob, set_result_prob: f32 => result_prob;
    }

    /// `result_label` (fixed array, at most 127 bytes).
    pub fn result_label(&self) -> &str {
        strings::read_array(&self.0.result_label)
    }

    /// Sets `result_label`; error if longer than 127 bytes or holding a NUL.
    pub fn set_result_label(&mut self, label: &str) -> Result<()> {
        strings::write_array(&mut self.0.result_label, label, "NvDsLabelInfo.result_label")
    }

    /// `pResult_label`: a label of any length; `""` when unset.
    #[doc(alias = "pResult_label")]
    pub fn p_result_label(&self) -> &str {
        // SAFETY: NULL or a string owned by this label info.
        unsafe { strings::read(self.0.pResult_label) }
    }

    /// Sets `pResult_label` (a `g_strdup` copy owned by the metadata).
    pub fn set_p_result_label(&mut self, label: &str) -> Result<()> {
        strings::replace(&mut self.0.pResult_label, label, "NvDsLabelInfo.pResult_label")
    }

    /// The label as DeepStream shows it: `pResult_label` when set, else `result_label`.
    pub fn label(&self) -> &str {
        if self.0.pResult_label.is_null() { self.result_label() } else { self.p_result_label() }
    }
}

// ---------------------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------------------

transparent! {
    /// `NvDsDisplayMeta`: up to 16 each of rectangles, labels, lines, arrows and circles that
    /// the OSD draws on a frame.
    DisplayMeta => sys::NvDsDisplayMeta
}

macro_rules! display_array {
    ($(#[$m:meta])* $elems:ident, $elems_mut:ident, $all_mut:ident, $add:ident, $set_num:ident,
     $num:ident, $arr:ident, $t:ty, $what:literal, $wrap:expr, $wrap_mut:expr, $wrap_arr:expr) => {
        $(#[$m])*
        pub fn $elems(&self) -> &[$t] {
            let n = (self.0.$num as usize).min(sys::MAX_ELEMENTS_IN_DISPLAY_META);
            $wrap(&self.0.$arr[..n])
        }
        #[doc = concat!("The first `", stringify!($num), "` entries, writable.")]
        pub fn $elems_mut(&mut self) -> &mut [$t] {
            let n = (self.0.$num as usize).min(sys::MAX_ELEMENTS_IN_DISPLAY_META);
            $wrap_mut(&mut self.0.$arr[..n])
        }
        #[doc = concat!("All 16 entries of `", stringify!($arr), "` (pyds indexing), whatever `",
            stringify!($num), "` says.")]
        pub fn $all_mut(&mut self) -> &mut [$t; sys::MAX_ELEMENTS_IN_DISPLAY_META] {
            $wrap_arr(&mut self.0.$arr)
        }
        #[doc = concat!("Appends an entry to `", stringify!($arr), "` and returns it; error when 16 are there.")]
        pub fn $add(&mut self) -> Result<&mut $t> {
            let n = self.0.$num as usize;
            if n >= sys::MAX_ELEMENTS_IN_DISPLAY_META {
                return Err(Error::DisplayMetaFull { what: $what, max: sys::MAX_ELEMENTS_IN_DISPLAY_META });
            }
            self.0.$num += 1;
            Ok(&mut $wrap_mut(&mut self.0.$arr[n..n + 1])[0])
        }
        #[doc = concat!("Sets `", stringify!($num), "`; error above 16.")]
        pub fn $set_num(&mut self, n: u32) -> Result<()> {
            if n as usize > sys::MAX_ELEMENTS_IN_DISPLAY_META {
                return Err(Error::DisplayMetaFull { what: $what, max: sys::MAX_ELEMENTS_IN_DISPLAY_META });
            }
            self.0.$num = n;
            Ok(())
        }
    };
}

fn same<T>(x: T) -> T {
    x
}

impl DisplayMeta {
    /// `num_rects`.
    pub fn num_rects(&self) -> u32 {
        self.0.num_rects
    }
    /// `num_labels`.
    pub fn num_labels(&self) -> u32 {
        self.0.num_labels
    }
    /// `num_lines`.
    pub fn num_lines(&self) -> u32 {
        self.0.num_lines
    }
    /// `num_arrows`.
    pub fn num_arrows(&self) -> u32 {
        self.0.num_arrows
    }
    /// `num_circles`.
    pub fn num_circles(&self) -> u32 {
        self.0.num_circles
    }

    display_array!(
        /// The first `num_rects` entries of `rect_params`.
        rects, rects_mut, rect_params_mut, add_rect, set_num_rects, num_rects, rect_params,
        RectParams, "rects", same, same, same);
    display_array!(
        /// The first `num_labels` entries of `text_params`.
        labels, labels_mut, text_params_mut, add_label, set_num_labels, num_labels, text_params,
        TextParams, "labels", TextParams::slice, TextParams::slice_mut, TextParams::array_mut);
    display_array!(
        /// The first `num_lines` entries of `line_params`.
        lines, lines_mut, line_params_mut, add_line, set_num_lines, num_lines, line_params,
        LineParams, "lines", same, same, same);
    display_array!(
        /// The first `num_arrows` entries of `arrow_params`.
        arrows, arrows_mut, arrow_params_mut, add_arrow, set_num_arrows, num_arrows, arrow_params,
        ArrowParams, "arrows", same, same, same);
    display_array!(
        /// The first `num_circles` entries of `circle_params`.
        circles, circles_mut, circle_params_mut, add_circle, set_num_circles, num_circles,
        circle_params, CircleParams, "circles", same, same, same);

    misc_fields!(misc_osd_data, misc_osd_data_mut);
}
