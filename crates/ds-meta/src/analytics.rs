//! nvdsanalytics metadata: `NvDsAnalyticsObjInfo` (object user meta) and
//! `NvDsAnalyticsFrameMeta` (frame user meta), `nvds_analytics_meta.h`.
//!
//! DeepStream declares both as C++ structs holding `std::vector<std::string>`, `std::string`
//! and `std::unordered_map` members. Their layouts ([`sys::NvDsAnalyticsObjInfo`], 144 bytes;
//! [`sys::NvDsAnalyticsFrameMeta`], 288 bytes; `reference/ds71-abi.tsv`) are those of
//! libstdc++'s C++11 ABI on LP64 (x86_64, aarch64), the ABI DeepStream is built with:
//! - `std::string`: data pointer, length, 16 bytes of local buffer or capacity (32 bytes);
//! - `std::vector<T>`: begin, end, end of storage (24 bytes);
//! - `std::unordered_map<K, V>` (`_Hashtable`, 56 bytes): buckets, bucket count, the
//!   "before begin" node (head of the singly linked list of all nodes), element count, rehash
//!   policy (16 bytes), single bucket. A node is: next pointer, then the `pair<const K, V>`
//!   (then the cached hash for string keys).
//!
//! **Reading** ([`crate::UserMeta::analytics_obj`], [`crate::UserMeta::analytics_frame`])
//! copies the contents out by walking those layouts, read-only: vectors from begin to end,
//! maps along the node list from "before begin" (bounded by the element count). This is how
//! the metadata of NVIDIA's nvdsanalytics is read with the native provider (DeepStream 7.x:
//! the user meta types `nvds_get_user_meta_type("NVIDIA.DSANALYTICSOBJ.USER_META")` and
//! `"NVIDIA.DSANALYTICSFRAME.USER_META"`), with no C++ shim. Not covered: a libstdc++ built
//! with the old (pre-C++11) string ABI, and DeepStream 8.0+, whose headers turn both macros
//! into `NvDsMetaType` enumerators (`NVDS_FRAME_META_NVDSANALYTICS`,
//! `NVDS_OBJ_META_NVDSANALYTICS`) whose numbers are not in this project's reference ABI table:
//! [`analytics_meta_types`] names what is matched.
//!
//! **Writing** (the portable `dsanalytics`, through [`crate::CPayload`]) builds the same
//! memory image from Rust-owned storage: strings, vectors and the node lists of the maps (in
//! ascending key order), with no buckets (`bucket count` 0). Readers that iterate, as this
//! module and pyds' conversions do, see the values; C++ code calling `find()` or `operator[]`
//! on such a map would not find them (the portable metadata is for this crate's readers and
//! for iteration), and nothing may free or modify it but its release function.

use std::collections::BTreeMap;
use std::ffi::c_char;

use crate::sys::NvDsMetaType;
use crate::user::CPayload;

/// The 7.x descriptor of the object-level analytics user meta.
pub const OBJ_DESCRIPTOR: &str = "NVIDIA.DSANALYTICSOBJ.USER_META";
/// The 7.x descriptor of the frame-level analytics user meta.
pub const FRAME_DESCRIPTOR: &str = "NVIDIA.DSANALYTICSFRAME.USER_META";

/// The metadata types read as analytics metadata: (object, frame) =
/// `nvds_get_user_meta_type(OBJ_DESCRIPTOR / FRAME_DESCRIPTOR)` (DeepStream 5.0 to 7.1, and
/// what `dsanalytics` attaches).
pub fn analytics_meta_types() -> (NvDsMetaType, NvDsMetaType) {
    (
        crate::user_meta_type(OBJ_DESCRIPTOR),
        crate::user_meta_type(FRAME_DESCRIPTOR),
    )
}

/// The C++ layouts (libstdc++, C++11 ABI, LP64).
pub mod sys {
    use std::ffi::{c_char, c_void};

    /// `std::string` (32 bytes).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    pub struct CxxString {
        /// `_M_p`: the characters (NUL-terminated).
        pub ptr: *const c_char,
        /// `_M_string_length`, bytes.
        pub len: usize,
        /// `_M_local_buf` / `_M_allocated_capacity`.
        pub local: [u8; 16],
    }

    /// `std::vector<T>` (24 bytes).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    pub struct CxxVector<T> {
        /// `_M_start`.
        pub start: *const T,
        /// `_M_finish`: one past the last element.
        pub finish: *const T,
        /// `_M_end_of_storage`.
        pub end_of_storage: *const T,
    }

    /// `std::unordered_map<K, V>` (`std::_Hashtable`, 56 bytes).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    pub struct CxxHashtable {
        /// `_M_buckets`.
        pub buckets: *mut *mut c_void,
        /// `_M_bucket_count`.
        pub bucket_count: usize,
        /// `_M_before_begin._M_nxt`: the first node.
        pub before_begin: *mut c_void,
        /// `_M_element_count`.
        pub element_count: usize,
        /// `_M_rehash_policy._M_max_load_factor`.
        pub max_load_factor: f32,
        /// Padding.
        pub _pad: u32,
        /// `_M_rehash_policy._M_next_resize`.
        pub next_resize: usize,
        /// `_M_single_bucket`.
        pub single_bucket: *mut c_void,
    }

    /// A node of a map with `std::string` keys: next, key, value, cached hash.
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    pub struct StrNode<V> {
        /// `_M_nxt`.
        pub next: *mut StrNode<V>,
        /// The key.
        pub key: CxxString,
        /// The value.
        pub value: V,
        /// `_M_hash_code` (not used by readers).
        pub hash: usize,
    }

    /// A node of `std::unordered_map<int, uint32_t>` (no cached hash).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    pub struct IntNode {
        /// `_M_nxt`.
        pub next: *mut IntNode,
        /// The key.
        pub key: i32,
        /// The value.
        pub value: u32,
    }

    /// `NvDsAnalyticsObjInfo` (144 bytes).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    #[allow(non_snake_case)]
    pub struct NvDsAnalyticsObjInfo {
        /// ROI labels the object is in.
        pub roiStatus: CxxVector<CxxString>,
        /// Overcrowding ROI labels the object is in.
        pub ocStatus: CxxVector<CxxString>,
        /// Lines crossed.
        pub lcStatus: CxxVector<CxxString>,
        /// Direction string.
        pub dirStatus: CxxString,
        /// The nvdsanalytics instance's `unique-id`.
        pub unique_id: u32,
        /// The status string shown on the OSD.
        pub objStatus: CxxString,
    }

    /// `NvDsAnalyticsFrameMeta` (288 bytes).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    #[allow(non_snake_case)]
    pub struct NvDsAnalyticsFrameMeta {
        /// `unordered_map<string, bool>`: overcrowding per ROI.
        pub ocStatus: CxxHashtable,
        /// `unordered_map<string, uint32_t>`: objects per ROI.
        pub objInROIcnt: CxxHashtable,
        /// `unordered_map<string, uint64_t>`: crossings in this frame per line.
        pub objLCCurrCnt: CxxHashtable,
        /// `unordered_map<string, uint64_t>`: cumulative crossings per line.
        pub objLCCumCnt: CxxHashtable,
        /// The nvdsanalytics instance's `unique-id`.
        pub unique_id: u32,
        /// `unordered_map<int, uint32_t>`: objects per class id.
        pub objCnt: CxxHashtable,
    }

    // SAFETY: plain data; the pointers are only read under the metadata's lifetime.
    unsafe impl Send for NvDsAnalyticsObjInfo {}
    // SAFETY: as above.
    unsafe impl Sync for NvDsAnalyticsObjInfo {}
    // SAFETY: as above.
    unsafe impl Send for NvDsAnalyticsFrameMeta {}
    // SAFETY: as above.
    unsafe impl Sync for NvDsAnalyticsFrameMeta {}
}

use sys::{CxxHashtable, CxxString, CxxVector, IntNode, StrNode};

/// `NvDsAnalyticsObjInfo` as Rust values (pyds: `roiStatus`, `ocStatus`, `lcStatus`,
/// `dirStatus`, `objStatus`, `unique_id`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyticsObjInfo {
    /// ROI labels the object is in (or out of, for inverse ROIs).
    pub roi_status: Vec<String>,
    /// Overcrowding ROI labels the object is in.
    pub oc_status: Vec<String>,
    /// Line labels the object crossed in this frame.
    pub lc_status: Vec<String>,
    /// Direction string (`" DIR:North "`), empty when none.
    pub dir_status: String,
    /// The nvdsanalytics instance's `unique-id`.
    pub unique_id: u32,
    /// The whole status string (`" ROI:RF LC:Exit "`).
    pub obj_status: String,
}

/// `NvDsAnalyticsFrameMeta` as Rust values (maps in ascending key order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyticsFrameMeta {
    /// `ocStatus`: overcrowding ROI → overcrowded.
    pub oc_status: BTreeMap<String, bool>,
    /// `objInROIcnt`: ROI → objects in it.
    pub obj_in_roi_cnt: BTreeMap<String, u32>,
    /// `objLCCurrCnt`: line → crossings in this frame.
    pub obj_lc_curr_cnt: BTreeMap<String, u64>,
    /// `objLCCumCnt`: line → cumulative crossings.
    pub obj_lc_cum_cnt: BTreeMap<String, u64>,
    /// The nvdsanalytics instance's `unique-id`.
    pub unique_id: u32,
    /// `objCnt`: class id → objects.
    pub obj_cnt: BTreeMap<i32, u32>,
}

// ---- reading the C++ image -----------------------------------------------------------

/// # Safety
/// `s` is a live `std::string` of the C++11 ABI.
unsafe fn read_string(s: &CxxString) -> String {
    if s.ptr.is_null() || s.len == 0 {
        return String::new();
    }
    // SAFETY: per the caller, `len` bytes at `ptr`.
    let b = unsafe { std::slice::from_raw_parts(s.ptr as *const u8, s.len) };
    String::from_utf8_lossy(b).into_owned()
}

/// # Safety
/// `v` is a live `std::vector<std::string>`.
unsafe fn read_strings(v: &CxxVector<CxxString>) -> Vec<String> {
    if v.start.is_null() || v.finish < v.start {
        return Vec::new();
    }
    // SAFETY: begin..end of a live vector.
    unsafe {
        let n = v.finish.offset_from(v.start) as usize;
        std::slice::from_raw_parts(v.start, n)
            .iter()
            .map(|s| read_string(s))
            .collect()
    }
}

/// # Safety
/// `h` is a live `unordered_map<std::string, V>`.
unsafe fn read_str_map<V: Copy>(h: &CxxHashtable) -> BTreeMap<String, V> {
    let mut out = BTreeMap::new();
    let mut n = h.before_begin as *const StrNode<V>;
    let mut left = h.element_count;
    while !n.is_null() && left > 0 {
        // SAFETY: a node of the live list.
        unsafe {
            out.insert(read_string(&(*n).key), (*n).value);
            n = (*n).next;
        }
        left -= 1;
    }
    out
}

/// # Safety
/// `h` is a live `unordered_map<int, uint32_t>`.
unsafe fn read_int_map(h: &CxxHashtable) -> BTreeMap<i32, u32> {
    let mut out = BTreeMap::new();
    let mut n = h.before_begin as *const IntNode;
    let mut left = h.element_count;
    while !n.is_null() && left > 0 {
        // SAFETY: a node of the live list.
        unsafe {
            out.insert((*n).key, (*n).value);
            n = (*n).next;
        }
        left -= 1;
    }
    out
}

impl AnalyticsObjInfo {
    /// Copies the contents of a live `NvDsAnalyticsObjInfo`.
    ///
    /// # Safety
    /// `c` is a live struct of the libstdc++ C++11 layout (made by nvdsanalytics or by
    /// [`CPayload::to_c`] of this type).
    pub unsafe fn from_c(c: &sys::NvDsAnalyticsObjInfo) -> AnalyticsObjInfo {
        // SAFETY: per the caller.
        unsafe {
            AnalyticsObjInfo {
                roi_status: read_strings(&c.roiStatus),
                oc_status: read_strings(&c.ocStatus),
                lc_status: read_strings(&c.lcStatus),
                dir_status: read_string(&c.dirStatus),
                unique_id: c.unique_id,
                obj_status: read_string(&c.objStatus),
            }
        }
    }
}

impl AnalyticsFrameMeta {
    /// Copies the contents of a live `NvDsAnalyticsFrameMeta`.
    ///
    /// # Safety
    /// As [`AnalyticsObjInfo::from_c`].
    pub unsafe fn from_c(c: &sys::NvDsAnalyticsFrameMeta) -> AnalyticsFrameMeta {
        // SAFETY: per the caller.
        unsafe {
            AnalyticsFrameMeta {
                oc_status: read_str_map(&c.ocStatus),
                obj_in_roi_cnt: read_str_map(&c.objInROIcnt),
                obj_lc_curr_cnt: read_str_map(&c.objLCCurrCnt),
                obj_lc_cum_cnt: read_str_map(&c.objLCCumCnt),
                unique_id: c.unique_id,
                obj_cnt: read_int_map(&c.objCnt),
            }
        }
    }
}

// ---- building the image (portable backend) ---------------------------------------------

/// Rust-owned storage the image points into (heap buffers do not move with it).
#[derive(Default)]
struct Arena {
    bytes: Vec<Box<[u8]>>,
    strings: Vec<Box<[CxxString]>>,
    nodes: Vec<Box<dyn std::any::Any>>,
}

impl Arena {
    fn string(&mut self, s: &str) -> CxxString {
        let mut b = Vec::with_capacity(s.len() + 1);
        b.extend_from_slice(s.as_bytes());
        b.push(0);
        let b = b.into_boxed_slice();
        let c = CxxString {
            ptr: b.as_ptr() as *const c_char,
            len: s.len(),
            local: (s.len() as u128).to_le_bytes(),
        };
        self.bytes.push(b);
        c
    }

    fn strings(&mut self, v: &[String]) -> CxxVector<CxxString> {
        let arr: Box<[CxxString]> = v.iter().map(|s| self.string(s)).collect();
        let start = arr.as_ptr();
        // SAFETY: one past the end of the same allocation.
        let finish = unsafe { start.add(arr.len()) };
        self.strings.push(arr);
        CxxVector {
            start,
            finish,
            end_of_storage: finish,
        }
    }

    fn table(first: *mut std::ffi::c_void, n: usize) -> CxxHashtable {
        CxxHashtable {
            buckets: std::ptr::null_mut(),
            bucket_count: 0,
            before_begin: first,
            element_count: n,
            max_load_factor: 1.0,
            _pad: 0,
            next_resize: 0,
            single_bucket: std::ptr::null_mut(),
        }
    }

    fn str_map<V: Copy + 'static>(&mut self, m: &BTreeMap<String, V>) -> CxxHashtable {
        let mut next: *mut StrNode<V> = std::ptr::null_mut();
        for (k, v) in m.iter().rev() {
            let key = self.string(k);
            let mut node = Box::new(StrNode {
                next,
                key,
                value: *v,
                hash: 0,
            });
            next = &mut *node as *mut StrNode<V>;
            self.nodes.push(node);
        }
        Arena::table(next as *mut _, m.len())
    }

    fn int_map(&mut self, m: &BTreeMap<i32, u32>) -> CxxHashtable {
        let mut next: *mut IntNode = std::ptr::null_mut();
        for (k, v) in m.iter().rev() {
            let mut node = Box::new(IntNode {
                next,
                key: *k,
                value: *v,
            });
            next = &mut *node as *mut IntNode;
            self.nodes.push(node);
        }
        Arena::table(next as *mut _, m.len())
    }
}

// SAFETY: the image points only into the returned arena (heap allocations that stay in
// place while it lives) and into nothing of `self`.
unsafe impl CPayload for AnalyticsObjInfo {
    type C = sys::NvDsAnalyticsObjInfo;
    fn meta_type() -> NvDsMetaType {
        crate::user_meta_type(OBJ_DESCRIPTOR)
    }
    fn to_c(&self) -> (Self::C, Box<dyn std::any::Any>) {
        let mut a = Arena::default();
        let c = sys::NvDsAnalyticsObjInfo {
            roiStatus: a.strings(&self.roi_status),
            ocStatus: a.strings(&self.oc_status),
            lcStatus: a.strings(&self.lc_status),
            dirStatus: a.string(&self.dir_status),
            unique_id: self.unique_id,
            objStatus: a.string(&self.obj_status),
        };
        (c, Box::new(a))
    }
}

// SAFETY: as for AnalyticsObjInfo.
unsafe impl CPayload for AnalyticsFrameMeta {
    type C = sys::NvDsAnalyticsFrameMeta;
    fn meta_type() -> NvDsMetaType {
        crate::user_meta_type(FRAME_DESCRIPTOR)
    }
    fn to_c(&self) -> (Self::C, Box<dyn std::any::Any>) {
        let mut a = Arena::default();
        let c = sys::NvDsAnalyticsFrameMeta {
            ocStatus: a.str_map(&self.oc_status),
            objInROIcnt: a.str_map(&self.obj_in_roi_cnt),
            objLCCurrCnt: a.str_map(&self.obj_lc_curr_cnt),
            objLCCumCnt: a.str_map(&self.obj_lc_cum_cnt),
            unique_id: self.unique_id,
            objCnt: a.int_map(&self.obj_cnt),
        };
        (c, Box::new(a))
    }
}

impl crate::UserMeta {
    /// The nvdsanalytics object metadata (`NvDsAnalyticsObjInfo`), copied out, if this user
    /// meta is one (its type is [`analytics_meta_types`]`().0`). Works for NVIDIA's
    /// nvdsanalytics (DeepStream 7.x, native provider) and the portable `dsanalytics`.
    pub fn analytics_obj(&self) -> Option<AnalyticsObjInfo> {
        let p = self.c_payload::<AnalyticsObjInfo>()?;
        // SAFETY: a live NvDsAnalyticsObjInfo of this metadata type.
        Some(unsafe { AnalyticsObjInfo::from_c(p) })
    }

    /// The nvdsanalytics frame metadata (`NvDsAnalyticsFrameMeta`), copied out, if this user
    /// meta is one.
    pub fn analytics_frame(&self) -> Option<AnalyticsFrameMeta> {
        let p = self.c_payload::<AnalyticsFrameMeta>()?;
        // SAFETY: a live NvDsAnalyticsFrameMeta of this metadata type.
        Some(unsafe { AnalyticsFrameMeta::from_c(p) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_match_the_abi_table() {
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(size_of::<CxxString>(), 32);
        assert_eq!(size_of::<CxxHashtable>(), 56);
        assert_eq!(size_of::<sys::NvDsAnalyticsObjInfo>(), 144);
        assert_eq!(align_of::<sys::NvDsAnalyticsObjInfo>(), 8);
        assert_eq!(offset_of!(sys::NvDsAnalyticsObjInfo, ocStatus), 24);
        assert_eq!(offset_of!(sys::NvDsAnalyticsObjInfo, lcStatus), 48);
        assert_eq!(offset_of!(sys::NvDsAnalyticsObjInfo, dirStatus), 72);
        assert_eq!(offset_of!(sys::NvDsAnalyticsObjInfo, unique_id), 104);
        assert_eq!(offset_of!(sys::NvDsAnalyticsObjInfo, objStatus), 112);
        assert_eq!(size_of::<sys::NvDsAnalyticsFrameMeta>(), 288);
        assert_eq!(offset_of!(sys::NvDsAnalyticsFrameMeta, objInROIcnt), 56);
        assert_eq!(offset_of!(sys::NvDsAnalyticsFrameMeta, objLCCurrCnt), 112);
        assert_eq!(offset_of!(sys::NvDsAnalyticsFrameMeta, objLCCumCnt), 168);
        assert_eq!(offset_of!(sys::NvDsAnalyticsFrameMeta, unique_id), 224);
        assert_eq!(offset_of!(sys::NvDsAnalyticsFrameMeta, objCnt), 232);
        // libstdc++ nodes: the pair follows the next pointer
        assert_eq!(offset_of!(StrNode<bool>, key), 8);
        assert_eq!(offset_of!(StrNode<bool>, value), 40);
        assert_eq!(offset_of!(IntNode, key), 8);
        assert_eq!(offset_of!(IntNode, value), 12);
    }

    #[test]
    fn the_image_reads_back() {
        let o = AnalyticsObjInfo {
            roi_status: vec!["RF".into(), "Walkway".into()],
            oc_status: vec![],
            lc_status: vec!["Exit".into()],
            dir_status: " DIR:North ".into(),
            unique_id: 17,
            obj_status: " ROI:RF LC:Exit ".into(),
        };
        let (c, keep) = o.to_c();
        // SAFETY: the image and its arena are alive.
        assert_eq!(unsafe { AnalyticsObjInfo::from_c(&c) }, o);
        drop(keep);
        let mut f = AnalyticsFrameMeta {
            unique_id: 17,
            ..Default::default()
        };
        f.oc_status.insert("OC".into(), true);
        f.obj_in_roi_cnt
            .extend([("RF".to_string(), 3), ("OC".to_string(), 2)]);
        f.obj_lc_cum_cnt.insert("Exit".into(), 12);
        f.obj_lc_curr_cnt.insert("Exit".into(), 1);
        f.obj_cnt.extend([(0, 1), (2, 5)]);
        let (c, _keep) = f.to_c();
        // SAFETY: as above.
        assert_eq!(unsafe { AnalyticsFrameMeta::from_c(&c) }, f);
        assert_eq!(c.objInROIcnt.element_count, 2);
    }
}
