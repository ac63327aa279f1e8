//! The builtin provider: DeepStream's metadata functions in Rust, over the C structs of
//! [`crate::sys`], allocated with `g_malloc0`, lists as real `GList`s, strings as `g_strdup`
//! copies; so DeepStream's own release functions could free what this code allocates.
//!
//! Pools work as DeepStream's do: an `NvDsMetaPool` per kind keeps released elements in
//! `empty_list` for reuse and elements in use in `full_list`; destroying the batch frees both.

use super::{Api, Provider};
use crate::copy;
use crate::sys::*;
use glib::ffi::{
    GList, GType, g_free, g_list_append, g_list_free, g_list_prepend, g_list_remove, g_malloc0,
    g_rec_mutex_clear, g_rec_mutex_init, g_rec_mutex_lock, g_rec_mutex_unlock, gboolean, gpointer,
};
use std::ptr;
use std::sync::OnceLock;

pub(crate) fn api() -> Api {
    Api {
        kind: Provider::Builtin,
        create_batch_meta: nvds_create_batch_meta,
        destroy_batch_meta: nvds_destroy_batch_meta,
        batch_meta_copy_func: nvds_batch_meta_copy_func,
        batch_meta_release_func: nvds_batch_meta_release_func,
        acquire_meta_lock: nvds_acquire_meta_lock,
        release_meta_lock: nvds_release_meta_lock,
        acquire_frame_meta: acquire_frame,
        add_frame_meta: add_frame,
        remove_frame_meta: remove_frame,
        acquire_obj_meta: acquire_obj,
        add_obj_meta: add_obj,
        remove_obj_meta: remove_obj,
        acquire_classifier_meta: acquire_classifier,
        add_classifier_meta: add_classifier,
        remove_classifier_meta: remove_classifier,
        acquire_label_info_meta: acquire_label,
        add_label_info_meta: add_label,
        remove_label_info_meta: remove_label,
        acquire_display_meta: acquire_display,
        add_display_meta: add_display,
        remove_display_meta: remove_display,
        acquire_user_meta: acquire_user,
        add_user_meta_to_batch: add_user_batch,
        add_user_meta_to_frame: add_user_frame,
        add_user_meta_to_obj: add_user_obj,
        remove_user_meta_from_batch: remove_user_batch,
        remove_user_meta_from_frame: remove_user_frame,
        remove_user_meta_from_obj: remove_user_obj,
        gst_buffer_add_nvds_meta,
        nvds_meta_api_get_type: meta_api_type,
    }
}

// ---------------------------------------------------------------------------------------
// Pools
// ---------------------------------------------------------------------------------------

unsafe fn pool_new(meta_type: NvDsMetaType, element_size: usize, max: u32) -> *mut NvDsMetaPool {
    unsafe {
        let p = g_malloc0(size_of::<NvDsMetaPool>()) as *mut NvDsMetaPool;
        (*p).meta_type = meta_type;
        (*p).element_size = element_size as u32;
        (*p).max_elements_in_pool = max;
        p
    }
}

/// Takes an element from the pool (or allocates one), zeroed, with its base meta set.
unsafe fn pool_acquire(batch: *mut NvDsBatchMeta, pool: *mut NvDsMetaPool) -> gpointer {
    unsafe {
        g_rec_mutex_lock(&mut (*batch).meta_mutex);
        let p = &mut *pool;
        let elem = if p.empty_list.is_null() {
            g_malloc0(p.element_size as usize)
        } else {
            let head = p.empty_list;
            let e = (*head).data;
            p.empty_list = glib::ffi::g_list_delete_link(head, head);
            p.num_empty_elements -= 1;
            ptr::write_bytes(e as *mut u8, 0, p.element_size as usize);
            e
        };
        p.full_list = g_list_prepend(p.full_list, elem);
        p.num_full_elements += 1;
        let base = elem as *mut NvDsBaseMeta;
        (*base).batch_meta = batch;
        (*base).meta_type = p.meta_type;
        g_rec_mutex_unlock(&mut (*batch).meta_mutex);
        elem
    }
}

/// Puts a released element back into the pool's free list.
unsafe fn pool_return(batch: *mut NvDsBatchMeta, pool: *mut NvDsMetaPool, elem: gpointer) {
    unsafe {
        if (*batch).base_meta.uContext == destroying() {
            return; // the whole pool is about to be freed
        }
        g_rec_mutex_lock(&mut (*batch).meta_mutex);
        let p = &mut *pool;
        p.full_list = g_list_remove(p.full_list, elem);
        p.num_full_elements = p.num_full_elements.saturating_sub(1);
        p.empty_list = g_list_prepend(p.empty_list, elem);
        p.num_empty_elements += 1;
        g_rec_mutex_unlock(&mut (*batch).meta_mutex);
    }
}

unsafe fn pool_free(pool: *mut NvDsMetaPool) {
    unsafe {
        for list in [(*pool).empty_list, (*pool).full_list] {
            for e in crate::list::iter_raw(list) {
                g_free(e);
            }
            g_list_free(list);
        }
        g_free(pool as gpointer);
    }
}

/// Marker in `batch.base_meta.uContext` while the batch is being destroyed (pool returns
/// are skipped then: the pools are freed whole).
static DESTROY_MARK: u8 = 0;
fn destroying() -> *mut std::ffi::c_void {
    &DESTROY_MARK as *const u8 as *mut std::ffi::c_void
}

/// Removes `item` from `*list`; false if it was not there.
unsafe fn list_take(list: *mut *mut GList, item: gpointer) -> bool {
    unsafe {
        if crate::list::iter_raw(*list).any(|e| e == item) {
            *list = g_list_remove(*list, item);
            true
        } else {
            false
        }
    }
}

// ---------------------------------------------------------------------------------------
// Releasing (content of an element; then back to its pool)
// ---------------------------------------------------------------------------------------

unsafe fn release_user(um: *mut NvDsUserMeta) {
    unsafe {
        if let Some(f) = (*um).base_meta.release_func {
            f(um as gpointer, ptr::null_mut());
        }
        (*um).user_meta_data = ptr::null_mut();
        let batch = (*um).base_meta.batch_meta;
        pool_return(batch, (*batch).user_meta_pool, um as gpointer);
    }
}

unsafe fn release_user_list(list: *mut GList) {
    unsafe {
        for um in crate::list::iter_raw(list) {
            release_user(um as *mut NvDsUserMeta);
        }
        g_list_free(list);
    }
}

unsafe fn release_label(l: *mut NvDsLabelInfo) {
    unsafe {
        g_free((*l).pResult_label as gpointer);
        (*l).pResult_label = ptr::null_mut();
        let batch = (*l).base_meta.batch_meta;
        pool_return(batch, (*batch).label_info_meta_pool, l as gpointer);
    }
}

unsafe fn release_classifier(c: *mut NvDsClassifierMeta) {
    unsafe {
        for l in crate::list::iter_raw((*c).label_info_list) {
            release_label(l as *mut NvDsLabelInfo);
        }
        g_list_free((*c).label_info_list);
        (*c).label_info_list = ptr::null_mut();
        let batch = (*c).base_meta.batch_meta;
        pool_return(batch, (*batch).classifier_meta_pool, c as gpointer);
    }
}

unsafe fn release_obj(o: *mut NvDsObjectMeta) {
    unsafe {
        for c in crate::list::iter_raw((*o).classifier_meta_list) {
            release_classifier(c as *mut NvDsClassifierMeta);
        }
        g_list_free((*o).classifier_meta_list);
        (*o).classifier_meta_list = ptr::null_mut();
        release_user_list((*o).obj_user_meta_list);
        (*o).obj_user_meta_list = ptr::null_mut();
        g_free((*o).text_params.display_text as gpointer);
        (*o).text_params.display_text = ptr::null_mut();
        g_free((*o).mask_params.data as gpointer);
        (*o).mask_params.data = ptr::null_mut();
        let batch = (*o).base_meta.batch_meta;
        pool_return(batch, (*batch).obj_meta_pool, o as gpointer);
    }
}

unsafe fn release_display(d: *mut NvDsDisplayMeta) {
    unsafe {
        for t in (*d).text_params.iter_mut() {
            g_free(t.display_text as gpointer);
            t.display_text = ptr::null_mut();
        }
        let batch = (*d).base_meta.batch_meta;
        pool_return(batch, (*batch).display_meta_pool, d as gpointer);
    }
}

unsafe fn release_frame(f: *mut NvDsFrameMeta) {
    unsafe {
        for o in crate::list::iter_raw((*f).obj_meta_list) {
            release_obj(o as *mut NvDsObjectMeta);
        }
        g_list_free((*f).obj_meta_list);
        (*f).obj_meta_list = ptr::null_mut();
        (*f).num_obj_meta = 0;
        for d in crate::list::iter_raw((*f).display_meta_list) {
            release_display(d as *mut NvDsDisplayMeta);
        }
        g_list_free((*f).display_meta_list);
        (*f).display_meta_list = ptr::null_mut();
        release_user_list((*f).frame_user_meta_list);
        (*f).frame_user_meta_list = ptr::null_mut();
        let batch = (*f).base_meta.batch_meta;
        pool_return(batch, (*batch).frame_meta_pool, f as gpointer);
    }
}

// ---------------------------------------------------------------------------------------
// nvdsmeta.h
// ---------------------------------------------------------------------------------------

/// `nvds_create_batch_meta`.
pub(crate) unsafe extern "C" fn nvds_create_batch_meta(max_batch_size: u32) -> *mut NvDsBatchMeta {
    unsafe {
        let b = g_malloc0(size_of::<NvDsBatchMeta>()) as *mut NvDsBatchMeta;
        (*b).base_meta.batch_meta = b;
        (*b).base_meta.meta_type = NvDsMetaType::NVDS_BATCH_META;
        (*b).base_meta.copy_func = Some(nvds_batch_meta_copy_func);
        (*b).base_meta.release_func = Some(nvds_batch_meta_release_func);
        (*b).max_frames_in_batch = max_batch_size;
        g_rec_mutex_init(&mut (*b).meta_mutex);
        let n = max_batch_size.max(1);
        (*b).frame_meta_pool = pool_new(NvDsMetaType::NVDS_FRAME_META, size_of::<NvDsFrameMeta>(), n);
        (*b).obj_meta_pool = pool_new(NvDsMetaType::NVDS_OBJ_META, size_of::<NvDsObjectMeta>(), n * 16);
        (*b).classifier_meta_pool =
            pool_new(NvDsMetaType::NVDS_CLASSIFIER_META, size_of::<NvDsClassifierMeta>(), n * 16);
        (*b).display_meta_pool = pool_new(NvDsMetaType::NVDS_DISPLAY_META, size_of::<NvDsDisplayMeta>(), n);
        (*b).user_meta_pool = pool_new(NvDsMetaType::NVDS_USER_META, size_of::<NvDsUserMeta>(), n);
        (*b).label_info_meta_pool =
            pool_new(NvDsMetaType::NVDS_LABEL_INFO_META, size_of::<NvDsLabelInfo>(), n * 16);
        b
    }
}

/// `nvds_destroy_batch_meta`: releases every frame, object, display and user meta (calling
/// user release functions), then frees the pools and the batch.
pub(crate) unsafe extern "C" fn nvds_destroy_batch_meta(b: *mut NvDsBatchMeta) -> gboolean {
    unsafe {
        if b.is_null() {
            return glib::ffi::GFALSE;
        }
        (*b).base_meta.uContext = destroying();
        for f in crate::list::iter_raw((*b).frame_meta_list) {
            release_frame(f as *mut NvDsFrameMeta);
        }
        g_list_free((*b).frame_meta_list);
        release_user_list((*b).batch_user_meta_list);
        for pool in [
            (*b).frame_meta_pool,
            (*b).obj_meta_pool,
            (*b).classifier_meta_pool,
            (*b).display_meta_pool,
            (*b).user_meta_pool,
            (*b).label_info_meta_pool,
        ] {
            pool_free(pool);
        }
        g_rec_mutex_clear(&mut (*b).meta_mutex);
        g_free(b as gpointer);
        glib::ffi::GTRUE
    }
}

/// `nvds_batch_meta_copy_func`: a deep copy of a batch meta (`data`).
pub(crate) unsafe extern "C" fn nvds_batch_meta_copy_func(data: gpointer, _user_data: gpointer) -> gpointer {
    unsafe {
        let src = data as *mut NvDsBatchMeta;
        let dst = nvds_create_batch_meta((*src).max_frames_in_batch);
        copy::copy_batch_into(&BUILTIN, dst, src);
        dst as gpointer
    }
}

/// `nvds_batch_meta_release_func`.
pub(crate) unsafe extern "C" fn nvds_batch_meta_release_func(data: gpointer, _user_data: gpointer) {
    unsafe {
        nvds_destroy_batch_meta(data as *mut NvDsBatchMeta);
    }
}

static BUILTIN: std::sync::LazyLock<Api> = std::sync::LazyLock::new(api);

unsafe extern "C" fn nvds_acquire_meta_lock(b: *mut NvDsBatchMeta) {
    unsafe { g_rec_mutex_lock(&mut (*b).meta_mutex) }
}

unsafe extern "C" fn nvds_release_meta_lock(b: *mut NvDsBatchMeta) {
    unsafe { g_rec_mutex_unlock(&mut (*b).meta_mutex) }
}

unsafe extern "C" fn acquire_frame(b: *mut NvDsBatchMeta) -> *mut NvDsFrameMeta {
    unsafe { pool_acquire(b, (*b).frame_meta_pool) as *mut NvDsFrameMeta }
}
unsafe extern "C" fn add_frame(b: *mut NvDsBatchMeta, f: *mut NvDsFrameMeta) {
    unsafe {
        (*b).frame_meta_list = g_list_append((*b).frame_meta_list, f as gpointer);
        (*b).num_frames_in_batch += 1;
        (*f).base_meta.batch_meta = b;
    }
}
unsafe extern "C" fn remove_frame(b: *mut NvDsBatchMeta, f: *mut NvDsFrameMeta) {
    unsafe {
        if list_take(&mut (*b).frame_meta_list, f as gpointer) {
            (*b).num_frames_in_batch = (*b).num_frames_in_batch.saturating_sub(1);
            release_frame(f);
        }
    }
}

unsafe extern "C" fn acquire_obj(b: *mut NvDsBatchMeta) -> *mut NvDsObjectMeta {
    unsafe { pool_acquire(b, (*b).obj_meta_pool) as *mut NvDsObjectMeta }
}
unsafe extern "C" fn add_obj(f: *mut NvDsFrameMeta, o: *mut NvDsObjectMeta, parent: *mut NvDsObjectMeta) {
    unsafe {
        (*o).parent = parent;
        (*f).obj_meta_list = g_list_append((*f).obj_meta_list, o as gpointer);
        (*f).num_obj_meta += 1;
    }
}
unsafe extern "C" fn remove_obj(f: *mut NvDsFrameMeta, o: *mut NvDsObjectMeta) {
    unsafe {
        if list_take(&mut (*f).obj_meta_list, o as gpointer) {
            (*f).num_obj_meta = (*f).num_obj_meta.saturating_sub(1);
            // Children of the removed object lose their parent, as no dangling pointer may stay.
            for other in crate::list::iter_raw((*f).obj_meta_list) {
                let other = other as *mut NvDsObjectMeta;
                if (*other).parent == o {
                    (*other).parent = ptr::null_mut();
                }
            }
            release_obj(o);
        }
    }
}

unsafe extern "C" fn acquire_classifier(b: *mut NvDsBatchMeta) -> *mut NvDsClassifierMeta {
    unsafe { pool_acquire(b, (*b).classifier_meta_pool) as *mut NvDsClassifierMeta }
}
unsafe extern "C" fn add_classifier(o: *mut NvDsObjectMeta, c: *mut NvDsClassifierMeta) {
    unsafe { (*o).classifier_meta_list = g_list_append((*o).classifier_meta_list, c as gpointer) }
}
unsafe extern "C" fn remove_classifier(o: *mut NvDsObjectMeta, c: *mut NvDsClassifierMeta) {
    unsafe {
        if list_take(&mut (*o).classifier_meta_list, c as gpointer) {
            release_classifier(c);
        }
    }
}

unsafe extern "C" fn acquire_label(b: *mut NvDsBatchMeta) -> *mut NvDsLabelInfo {
    unsafe { pool_acquire(b, (*b).label_info_meta_pool) as *mut NvDsLabelInfo }
}
unsafe extern "C" fn add_label(c: *mut NvDsClassifierMeta, l: *mut NvDsLabelInfo) {
    unsafe {
        (*c).label_info_list = g_list_append((*c).label_info_list, l as gpointer);
        (*c).num_labels += 1;
    }
}
unsafe extern "C" fn remove_label(c: *mut NvDsClassifierMeta, l: *mut NvDsLabelInfo) {
    unsafe {
        if list_take(&mut (*c).label_info_list, l as gpointer) {
            (*c).num_labels = (*c).num_labels.saturating_sub(1);
            release_label(l);
        }
    }
}

unsafe extern "C" fn acquire_display(b: *mut NvDsBatchMeta) -> *mut NvDsDisplayMeta {
    unsafe { pool_acquire(b, (*b).display_meta_pool) as *mut NvDsDisplayMeta }
}
unsafe extern "C" fn add_display(f: *mut NvDsFrameMeta, d: *mut NvDsDisplayMeta) {
    unsafe { (*f).display_meta_list = g_list_append((*f).display_meta_list, d as gpointer) }
}
unsafe extern "C" fn remove_display(f: *mut NvDsFrameMeta, d: *mut NvDsDisplayMeta) {
    unsafe {
        if list_take(&mut (*f).display_meta_list, d as gpointer) {
            release_display(d);
        }
    }
}

unsafe extern "C" fn acquire_user(b: *mut NvDsBatchMeta) -> *mut NvDsUserMeta {
    unsafe { pool_acquire(b, (*b).user_meta_pool) as *mut NvDsUserMeta }
}
unsafe extern "C" fn add_user_batch(b: *mut NvDsBatchMeta, u: *mut NvDsUserMeta) {
    unsafe { (*b).batch_user_meta_list = g_list_append((*b).batch_user_meta_list, u as gpointer) }
}
unsafe extern "C" fn add_user_frame(f: *mut NvDsFrameMeta, u: *mut NvDsUserMeta) {
    unsafe { (*f).frame_user_meta_list = g_list_append((*f).frame_user_meta_list, u as gpointer) }
}
unsafe extern "C" fn add_user_obj(o: *mut NvDsObjectMeta, u: *mut NvDsUserMeta) {
    unsafe { (*o).obj_user_meta_list = g_list_append((*o).obj_user_meta_list, u as gpointer) }
}
unsafe extern "C" fn remove_user_batch(b: *mut NvDsBatchMeta, u: *mut NvDsUserMeta) {
    unsafe {
        if list_take(&mut (*b).batch_user_meta_list, u as gpointer) {
            release_user(u);
        }
    }
}
unsafe extern "C" fn remove_user_frame(f: *mut NvDsFrameMeta, u: *mut NvDsUserMeta) {
    unsafe {
        if list_take(&mut (*f).frame_user_meta_list, u as gpointer) {
            release_user(u);
        }
    }
}
unsafe extern "C" fn remove_user_obj(o: *mut NvDsObjectMeta, u: *mut NvDsUserMeta) {
    unsafe {
        if list_take(&mut (*o).obj_user_meta_list, u as gpointer) {
            release_user(u);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The GstMeta (gstnvdsmeta.h)
// ---------------------------------------------------------------------------------------

unsafe extern "C" fn meta_api_type() -> GType {
    static T: OnceLock<usize> = OnceLock::new();
    *T.get_or_init(|| unsafe {
        let name = c"DsBuiltinNvDsMetaAPI";
        // No tags: like DeepStream's NvDsMeta, it survives every transform that copies metas.
        let mut tags: [*const std::ffi::c_char; 1] = [ptr::null()];
        gst::ffi::gst_meta_api_type_register(name.as_ptr(), tags.as_mut_ptr()) as usize
    }) as GType
}

fn meta_info() -> *const gst::ffi::GstMetaInfo {
    struct Info(*const gst::ffi::GstMetaInfo);
    // SAFETY: a GstMetaInfo is immutable once registered and lives for the process.
    unsafe impl Send for Info {}
    unsafe impl Sync for Info {}
    static I: OnceLock<Info> = OnceLock::new();
    I.get_or_init(|| unsafe {
        Info(gst::ffi::gst_meta_register(
            meta_api_type(),
            c"DsBuiltinNvDsMeta".as_ptr(),
            size_of::<NvDsMeta>(),
            Some(meta_init),
            Some(meta_free),
            Some(meta_transform),
        ))
    })
    .0
}

unsafe extern "C" fn meta_init(meta: *mut gst::ffi::GstMeta, _params: gpointer, _buf: *mut gst::ffi::GstBuffer) -> gboolean {
    unsafe {
        let m = meta as *mut NvDsMeta;
        (*m).meta_data = ptr::null_mut();
        (*m).user_data = ptr::null_mut();
        (*m).meta_type = GstNvDsMetaType::NVDS_GST_INVALID_META;
        (*m).copyfunc = None;
        (*m).freefunc = None;
        (*m).gst_to_nvds_meta_transform_func = None;
        (*m).gst_to_nvds_meta_release_func = None;
        glib::ffi::GTRUE
    }
}

unsafe extern "C" fn meta_free(meta: *mut gst::ffi::GstMeta, _buf: *mut gst::ffi::GstBuffer) {
    unsafe {
        let m = meta as *mut NvDsMeta;
        if let Some(free) = (*m).freefunc
            && !(*m).meta_data.is_null()
        {
            free((*m).meta_data, (*m).user_data);
        }
        (*m).meta_data = ptr::null_mut();
    }
}

/// Copies the metadata onto the new buffer with its copy function, as DeepStream's
/// `NvDsMeta` transform does, for every kind of transform.
unsafe extern "C" fn meta_transform(
    dest: *mut gst::ffi::GstBuffer,
    meta: *mut gst::ffi::GstMeta,
    _src: *mut gst::ffi::GstBuffer,
    _type: glib::ffi::GQuark,
    _data: gpointer,
) -> gboolean {
    unsafe {
        let m = meta as *mut NvDsMeta;
        let Some(copy) = (*m).copyfunc else { return glib::ffi::GFALSE };
        if (*m).meta_data.is_null() {
            return glib::ffi::GFALSE;
        }
        let data = copy((*m).meta_data, (*m).user_data);
        let d = gst_buffer_add_nvds_meta(dest, data, (*m).user_data, (*m).copyfunc, (*m).freefunc);
        if d.is_null() {
            return glib::ffi::GFALSE;
        }
        (*d).meta_type = (*m).meta_type;
        (*d).gst_to_nvds_meta_transform_func = (*m).gst_to_nvds_meta_transform_func;
        (*d).gst_to_nvds_meta_release_func = (*m).gst_to_nvds_meta_release_func;
        glib::ffi::GTRUE
    }
}

/// `gst_buffer_add_nvds_meta`.
pub(crate) unsafe extern "C" fn gst_buffer_add_nvds_meta(
    buffer: *mut gst::ffi::GstBuffer,
    meta_data: gpointer,
    user_data: gpointer,
    copy_func: NvDsMetaCopyFunc,
    release_func: NvDsMetaReleaseFunc,
) -> *mut NvDsMeta {
    unsafe {
        let m = gst::ffi::gst_buffer_add_meta(buffer, meta_info(), ptr::null_mut()) as *mut NvDsMeta;
        if m.is_null() {
            return m;
        }
        (*m).meta_data = meta_data;
        (*m).user_data = user_data;
        (*m).copyfunc = copy_func;
        (*m).freefunc = release_func;
        m
    }
}
