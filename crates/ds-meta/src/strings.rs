//! C strings in metadata: read as `&str`, set from `&str`; this crate owns the C copies.
//!
//! - Owned `char*` fields (`display_text`, `pResult_label`, event-message strings) hold
//!   `g_strdup` copies: setting one allocates the new copy first, then `g_free`s the old one,
//!   so setting a field from another field (or from itself) is fine; the release functions
//!   free them.
//! - `font_name` and `classifier_type` are never freed by DeepStream (C code points them at
//!   literals), so this crate interns them: one leaked copy per distinct string, for the life
//!   of the process.
//! - Fixed `char[N]` arrays (`obj_label`, `result_label`, `objLabel`) are copied in with a
//!   terminating NUL; a string of `N` bytes or more is an error.

use crate::error::{Error, Result};
use glib::ffi::{g_free, gpointer};
use std::collections::HashSet;
use std::ffi::{CStr, CString, c_char};
use std::sync::Mutex;

/// Reads a C string; `""` for NULL. Invalid UTF-8 yields its longest valid prefix.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives `'a` unchanged.
pub(crate) unsafe fn read<'a>(p: *const c_char) -> &'a str {
    if p.is_null() {
        return "";
    }
    // SAFETY: per the contract.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    valid_prefix(bytes)
}

fn valid_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        // SAFETY: from_utf8 says the bytes up to valid_up_to are valid UTF-8.
        Err(e) => unsafe { std::str::from_utf8_unchecked(&bytes[..e.valid_up_to()]) },
    }
}

/// Reads a fixed C char array up to its first NUL (or its end).
pub(crate) fn read_array(a: &[c_char]) -> &str {
    // SAFETY: c_char and u8 have the same size and alignment.
    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(a.as_ptr() as *const u8, a.len()) };
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    valid_prefix(&bytes[..end])
}

/// Writes `s` into a fixed C char array, NUL-terminated, zero-filling the rest.
pub(crate) fn write_array(a: &mut [c_char], s: &str, field: &'static str) -> Result<()> {
    check_nul(s, field)?;
    if s.len() >= a.len() {
        return Err(Error::StringTooLong { field, len: s.len(), max: a.len() - 1 });
    }
    a.fill(0);
    for (d, &b) in a.iter_mut().zip(s.as_bytes()) {
        *d = b as c_char;
    }
    Ok(())
}

fn check_nul(s: &str, field: &'static str) -> Result<()> {
    match s.bytes().position(|b| b == 0) {
        Some(position) => Err(Error::InteriorNul { field, position }),
        None => Ok(()),
    }
}

/// A `g_strdup`-compatible copy of `s` (allocated with `g_malloc`).
pub(crate) fn g_strdup(s: &str, field: &'static str) -> Result<*mut c_char> {
    check_nul(s, field)?;
    // SAFETY: g_malloc never returns NULL for a non-zero size (it aborts instead).
    unsafe {
        let p = glib::ffi::g_malloc(s.len() + 1) as *mut u8;
        std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
        Ok(p as *mut c_char)
    }
}

/// Replaces an owned C string field: the new copy is made before the old one is freed.
pub(crate) fn replace(slot: &mut *mut c_char, s: &str, field: &'static str) -> Result<()> {
    let new = g_strdup(s, field)?;
    let old = std::mem::replace(slot, new);
    // SAFETY: the slot held NULL or a g_malloc'd string that this field owned.
    unsafe { g_free(old as gpointer) };
    Ok(())
}

/// `g_strdup` of a C string that may be NULL.
///
/// # Safety
/// `p` is NULL or NUL-terminated.
pub(crate) unsafe fn dup_raw(p: *const c_char) -> *mut c_char {
    unsafe { glib::ffi::g_strdup(p) }
}

/// Frees an owned C string field and sets it to NULL.
pub(crate) fn clear(slot: &mut *mut c_char) {
    let old = std::mem::replace(slot, std::ptr::null_mut());
    // SAFETY: the slot held NULL or a g_malloc'd string that this field owned.
    unsafe { g_free(old as gpointer) };
}

/// An interned, never-freed C copy of `s` (for `font_name`, `classifier_type`).
pub(crate) fn intern(s: &str, field: &'static str) -> Result<*mut c_char> {
    static SET: Mutex<Option<HashSet<&'static CStr>>> = Mutex::new(None);
    check_nul(s, field)?;
    let mut guard = SET.lock().unwrap_or_else(|p| p.into_inner());
    let set = guard.get_or_insert_with(HashSet::new);
    let c = CString::new(s).map_err(|e| Error::InteriorNul { field, position: e.nul_position() })?;
    if let Some(found) = set.get(c.as_c_str()) {
        return Ok(found.as_ptr() as *mut c_char);
    }
    let leaked: &'static CStr = Box::leak(c.into_boxed_c_str());
    set.insert(leaked);
    Ok(leaked.as_ptr() as *mut c_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_round_trip_and_limits() {
        let mut a = [1 as c_char; 8];
        write_array(&mut a, "abc", "x").unwrap();
        assert_eq!(read_array(&a), "abc");
        assert!(a[3..].iter().all(|&c| c == 0));
        assert!(matches!(write_array(&mut a, "abcdefgh", "x"), Err(Error::StringTooLong { max: 7, .. })));
        write_array(&mut a, "abcdefg", "x").unwrap();
        assert_eq!(read_array(&a), "abcdefg");
        assert!(matches!(write_array(&mut a, "a\0b", "x"), Err(Error::InteriorNul { position: 1, .. })));
    }

    #[test]
    fn replace_frees_old_and_reads_back() {
        let mut slot: *mut c_char = std::ptr::null_mut();
        replace(&mut slot, "one", "f").unwrap();
        let first = slot;
        replace(&mut slot, "two", "f").unwrap();
        assert_ne!(slot, first);
        assert_eq!(unsafe { read(slot) }, "two");
        clear(&mut slot);
        assert!(slot.is_null());
        assert_eq!(unsafe { read(slot) }, "");
    }

    #[test]
    fn intern_returns_one_pointer_per_string() {
        let a = intern("Serif", "font_name").unwrap();
        let b = intern("Serif", "font_name").unwrap();
        let c = intern("Sans", "font_name").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(unsafe { read(a) }, "Serif");
    }

    #[test]
    fn invalid_utf8_reads_valid_prefix() {
        let a: [c_char; 4] = [b'o' as c_char, b'k' as c_char, 0xff_u8 as c_char, 0];
        assert_eq!(read_array(&a), "ok");
    }
}
