//! `GList` walking, done once here: safe types expose Rust iterators.

use glib::ffi::{GList, gpointer};
use std::marker::PhantomData;

/// The `data` pointers of a `GList`, head to tail.
///
/// # Safety
/// `list` is null or a valid `GList` that stays unchanged while the iterator is used,
/// except that the element just returned may be unlinked (the next link is read first).
pub(crate) unsafe fn iter_raw(list: *mut GList) -> impl Iterator<Item = gpointer> {
    let mut cur = list;
    std::iter::from_fn(move || {
        if cur.is_null() {
            return None;
        }
        // SAFETY: per the function's contract.
        unsafe {
            let data = (*cur).data;
            cur = (*cur).next;
            Some(data)
        }
    })
}

/// An iterator over the elements of a metadata `GList` as shared references `&'a T`, where
/// `T` is a `#[repr(transparent)]` wrapper of the C struct.
pub struct MetaIter<'a, T> {
    cur: *mut GList,
    _m: PhantomData<&'a T>,
}

impl<'a, T> MetaIter<'a, T> {
    /// # Safety
    /// `list` is null or a valid `GList` of `T` pointers that outlives `'a` unchanged.
    pub(crate) unsafe fn new(list: *mut GList) -> Self {
        Self { cur: list, _m: PhantomData }
    }
}

impl<'a, T: 'a> Iterator for MetaIter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        if self.cur.is_null() {
            return None;
        }
        // SAFETY: per `new`'s contract; data points at a live T.
        unsafe {
            let data = (*self.cur).data as *const T;
            self.cur = (*self.cur).next;
            data.as_ref()
        }
    }
}

/// Like [`MetaIter`], yielding `&'a mut T`. Each list element is a distinct allocation, so
/// the references never alias.
pub struct MetaIterMut<'a, T> {
    cur: *mut GList,
    _m: PhantomData<&'a mut T>,
}

impl<'a, T> MetaIterMut<'a, T> {
    /// # Safety
    /// As [`MetaIter::new`], with exclusive access for `'a` and no element listed twice.
    pub(crate) unsafe fn new(list: *mut GList) -> Self {
        Self { cur: list, _m: PhantomData }
    }
}

impl<'a, T: 'a> Iterator for MetaIterMut<'a, T> {
    type Item = &'a mut T;
    fn next(&mut self) -> Option<&'a mut T> {
        if self.cur.is_null() {
            return None;
        }
        // SAFETY: per `new`'s contract.
        unsafe {
            let data = (*self.cur).data as *mut T;
            self.cur = (*self.cur).next;
            data.as_mut()
        }
    }
}
