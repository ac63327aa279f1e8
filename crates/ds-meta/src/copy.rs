//! Deep copies of metadata through a provider's functions: the builtin batch copy (the
//! GstMeta transform) and [`crate::BatchMeta::add_frame_copy`] (a demuxer) share this code.

use crate::list::iter_raw;
use crate::provider::Api;
use crate::strings::dup_raw;
use crate::sys::*;
use glib::ffi::gpointer;
use std::ptr;

/// Copies a user meta (with its copy function) into a fresh one from `dst`'s pool. A user
/// meta with a release function but no copy function cannot be copied safely and is
/// skipped (NULL); one with neither shares its data.
unsafe fn copy_user(a: &Api, dst: *mut NvDsBatchMeta, src: *mut NvDsUserMeta) -> *mut NvDsUserMeta {
    unsafe {
        let b = &(*src).base_meta;
        let data = match (b.copy_func, b.release_func) {
            (Some(copy), _) => copy(src as gpointer, ptr::null_mut()),
            (None, None) => (*src).user_meta_data,
            (None, Some(_)) => return ptr::null_mut(),
        };
        let u = (a.acquire_user_meta)(dst);
        if u.is_null() {
            // Nothing holds the copy now: give it back to its release function.
            if let Some(release) = b.release_func {
                let mut tmp = *src;
                tmp.user_meta_data = data;
                release(&mut tmp as *mut NvDsUserMeta as gpointer, ptr::null_mut());
            }
            return u;
        }
        (*u).user_meta_data = data;
        (*u).base_meta.meta_type = b.meta_type;
        (*u).base_meta.uContext = b.uContext;
        (*u).base_meta.copy_func = b.copy_func;
        (*u).base_meta.release_func = b.release_func;
        u
    }
}

unsafe fn copy_users(a: &Api, dst: *mut NvDsBatchMeta, list: *mut glib::ffi::GList, mut add: impl FnMut(*mut NvDsUserMeta)) {
    unsafe {
        for u in iter_raw(list) {
            let c = copy_user(a, dst, u as *mut NvDsUserMeta);
            if !c.is_null() {
                add(c);
            }
        }
    }
}

/// Copies the fields of `src` into `dst` (a fresh pool element), keeping `dst`'s base meta.
unsafe fn copy_fields<T: Copy>(dst: *mut T, src: *const T) {
    unsafe {
        let base = *(dst as *const NvDsBaseMeta);
        ptr::copy_nonoverlapping(src, dst, 1);
        *(dst as *mut NvDsBaseMeta) = base;
    }
}

unsafe fn copy_obj(a: &Api, dst_batch: *mut NvDsBatchMeta, o: *mut NvDsObjectMeta, s: *const NvDsObjectMeta) {
    unsafe {
        copy_fields(o, s);
        (*o).parent = ptr::null_mut();
        (*o).classifier_meta_list = ptr::null_mut();
        (*o).obj_user_meta_list = ptr::null_mut();
        (*o).text_params.display_text = dup_raw((*s).text_params.display_text);
        let m = &mut (*o).mask_params;
        if !m.data.is_null() && m.size > 0 {
            let d = glib::ffi::g_malloc(m.size as usize) as *mut f32;
            ptr::copy_nonoverlapping(m.data as *const u8, d as *mut u8, m.size as usize);
            m.data = d;
        } else {
            m.data = ptr::null_mut();
            m.size = 0;
        }
        for c in iter_raw((*s).classifier_meta_list) {
            let sc = c as *const NvDsClassifierMeta;
            let dc = (a.acquire_classifier_meta)(dst_batch);
            if dc.is_null() {
                continue;
            }
            copy_fields(dc, sc);
            (*dc).label_info_list = ptr::null_mut();
            (*dc).num_labels = 0;
            for l in iter_raw((*sc).label_info_list) {
                let sl = l as *const NvDsLabelInfo;
                let dl = (a.acquire_label_info_meta)(dst_batch);
                if dl.is_null() {
                    continue;
                }
                copy_fields(dl, sl);
                (*dl).pResult_label = dup_raw((*sl).pResult_label);
                (a.add_label_info_meta)(dc, dl);
            }
            // add_label_info_meta counts labels in the builtin provider; keep the source's count.
            (*dc).num_labels = (*sc).num_labels;
            (a.add_classifier_meta)(o, dc);
        }
        copy_users(a, dst_batch, (*s).obj_user_meta_list, |u| (a.add_user_meta_to_obj)(o, u));
    }
}

/// Copies a frame (objects with their classifier, label and user metadata, display
/// metadata, frame user metadata) into `dst` as a new frame; returns it (NULL if the pool
/// gave nothing). Object parents are carried over within the frame.
///
/// # Safety
/// `dst` and `src` are live; `dst` is not being iterated.
pub(crate) unsafe fn copy_frame_into(a: &Api, dst: *mut NvDsBatchMeta, src: *const NvDsFrameMeta) -> *mut NvDsFrameMeta {
    unsafe {
        let f = (a.acquire_frame_meta)(dst);
        if f.is_null() {
            return f;
        }
        copy_fields(f, src);
        (*f).obj_meta_list = ptr::null_mut();
        (*f).display_meta_list = ptr::null_mut();
        (*f).frame_user_meta_list = ptr::null_mut();
        (*f).num_obj_meta = 0;
        (*f).batch_id = (*dst).num_frames_in_batch;
        (a.add_frame_meta)(dst, f);

        let mut map: Vec<(*mut NvDsObjectMeta, *mut NvDsObjectMeta)> = Vec::new();
        for s in iter_raw((*src).obj_meta_list) {
            let s = s as *mut NvDsObjectMeta;
            let o = (a.acquire_obj_meta)(dst);
            if o.is_null() {
                continue;
            }
            copy_obj(a, dst, o, s);
            (a.add_obj_meta)(f, o, ptr::null_mut());
            map.push((s, o));
        }
        for &(s, o) in &map {
            if !(*s).parent.is_null() {
                (*o).parent = map.iter().find(|(old, _)| *old == (*s).parent).map_or(ptr::null_mut(), |&(_, new)| new);
            }
        }
        for d in iter_raw((*src).display_meta_list) {
            let sd = d as *const NvDsDisplayMeta;
            let dd = (a.acquire_display_meta)(dst);
            if dd.is_null() {
                continue;
            }
            copy_fields(dd, sd);
            for t in (*dd).text_params.iter_mut() {
                t.display_text = dup_raw(t.display_text);
            }
            (a.add_display_meta)(f, dd);
        }
        copy_users(a, dst, (*src).frame_user_meta_list, |u| (a.add_user_meta_to_frame)(f, u));
        f
    }
}

/// Copies all frames and batch user metadata of `src` into the empty batch `dst`.
///
/// # Safety
/// Both live; `dst` freshly created.
pub(crate) unsafe fn copy_batch_into(a: &Api, dst: *mut NvDsBatchMeta, src: *const NvDsBatchMeta) {
    unsafe {
        (*dst).misc_batch_info = (*src).misc_batch_info;
        for f in iter_raw((*src).frame_meta_list) {
            let batch_id = (*(f as *const NvDsFrameMeta)).batch_id;
            let nf = copy_frame_into(a, dst, f as *const NvDsFrameMeta);
            if !nf.is_null() {
                (*nf).batch_id = batch_id;
            }
        }
        copy_users(a, dst, (*src).batch_user_meta_list, |u| (a.add_user_meta_to_batch)(dst, u));
    }
}
