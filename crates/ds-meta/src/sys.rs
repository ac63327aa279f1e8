//! `#[repr(C)]` DeepStream structs, enums and constants (x86_64 and aarch64, both LP64) of
//! one DeepStream version per build, [`ABI_VERSION`] (7.0, 7.1, 8.0 or 9.1; `build.rs`
//! chooses it: `DS_META_ABI`, else the installed DeepStream, else 7.1). Fields and
//! enumerators that only some versions have carry a `cfg` and a note saying which.
//!
//! Names, field names and types follow the DeepStream headers (`nvdsmeta.h`,
//! `gstnvdsmeta.h`, `nvll_osd_struct.h`, `nvdsmeta_schema.h`, `nvdsinfer.h`,
//! `gstnvdsinfer.h`, `nvds_opticalflow_meta.h`, `nvds_tracker_meta.h`,
//! `nvds_latency_meta.h`, `nvds_roi_meta.h`, `nvbufsurface.h`) so that code written against
//! the C API reads the same. A Rust keyword used as a C field name gets a trailing
//! underscore (`type_` is C `type`).
//!
//! C enums are `#[repr(transparent)]` newtypes over their C integer with one associated
//! constant per enumerator (`NvDsMetaType::NVDS_USER_META`), so that any value DeepStream
//! writes is a valid Rust value.
//!
//! Every size, alignment and field offset here is checked against
//! `shared/reference/ds71-abi.tsv` by `tests/abi.rs`; [`Layout::fields`] is what that
//! test reads.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, missing_docs)]

use glib::ffi::{GList, GRecMutex, gboolean, gpointer};
use std::os::raw::{c_char, c_void};

/// Size, alignment and field offsets of a `sys` struct, for the ABI test.
pub trait Layout {
    /// The C name of the struct.
    const NAME: &'static str;
    /// `(C field name, offset in bytes, size in bytes)` of every field.
    fn fields() -> Vec<(&'static str, usize, usize)>;
}

#[doc(hidden)]
pub fn __field_size<T>(_: *const T) -> usize {
    std::mem::size_of::<T>()
}

#[doc(hidden)]
pub const fn __c_name(rust: &'static str) -> &'static str {
    // `type_` → `type`: strip one trailing underscore.
    let b = rust.as_bytes();
    if b.len() > 1 && b[b.len() - 1] == b'_' {
        // SAFETY: removing an ASCII byte at the end keeps the str valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(b.as_ptr(), b.len() - 1)) }
    } else {
        rust
    }
}

macro_rules! c_struct {
    ($(
        $(#[$sm:meta])*
        pub struct $name:ident { $( $(#[$fm:meta])* pub $f:ident : $t:ty ),* $(,)? }
        $( aliases { $($alias:literal = $target:ident),* } )?
    )*) => {$(
        $(#[$sm])*
        #[repr(C)]
        #[derive(Clone, Copy)]
        pub struct $name { $( $(#[$fm])* pub $f: $t ),* }

        impl Layout for $name {
            const NAME: &'static str = stringify!($name);
            #[allow(unused_doc_comments)]
            fn fields() -> Vec<(&'static str, usize, usize)> {
                let u = std::mem::MaybeUninit::<$name>::uninit();
                let p = u.as_ptr();
                #[allow(unused_mut)]
                let mut v = Vec::new();
                // The field's attributes (its `cfg` of the DeepStream version) apply here too.
                $( $(#[$fm])* v.push((
                    __c_name(stringify!($f)),
                    std::mem::offset_of!($name, $f),
                    // SAFETY: only the address of the field is taken, nothing is read.
                    __field_size(unsafe { &raw const (*p).$f }),
                )); )*
                $($(
                    v.push(($alias, std::mem::offset_of!($name, $target),
                        __field_size(unsafe { &raw const (*p).$target })));
                )*)?
                v
            }
        }
    )*};
}

macro_rules! c_enum {
    ($(
        $(#[$m:meta])*
        pub enum $name:ident : $repr:ty { $( $(#[$vm:meta])* $var:ident = $val:expr ),* $(,)? }
    )*) => {$(
        $(#[$m])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $repr);

        impl $name {
            $( $(#[$vm])* pub const $var: $name = $name($val); )*
            /// Every enumerator with its C name, in header order (of the DeepStream version
            /// whose layouts this build uses, [`ABI_VERSION`]).
            #[allow(unused_doc_comments)]
            pub const VARIANTS: &'static [(&'static str, $name)] = &[$($(#[$vm])* (stringify!($var), $name($val))),*];
            /// The C name of this value, if it is one of the enumerators.
            pub fn name(self) -> Option<&'static str> {
                Self::VARIANTS.iter().find(|(_, v)| *v == self).map(|(n, _)| *n)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }
    )*};
}

// ---------------------------------------------------------------------------------------
// Constants (#define)
// ---------------------------------------------------------------------------------------

/// `MAX_USER_FIELDS`: length of the `misc_*_info` arrays.
pub const MAX_USER_FIELDS: usize = 4;
/// `MAX_RESERVED_FIELDS`: length of the `reserved` arrays.
pub const MAX_RESERVED_FIELDS: usize = 4;
/// `MAX_LABEL_SIZE`: size of the fixed `obj_label` / `result_label` char arrays, NUL included.
pub const MAX_LABEL_SIZE: usize = 128;
/// `MAX_ELEMENTS_IN_DISPLAY_META`: capacity of each element array of `NvDsDisplayMeta`.
pub const MAX_ELEMENTS_IN_DISPLAY_META: usize = 16;
/// `UNTRACKED_OBJECT_ID`: `object_id` of an object no tracker has seen.
pub const UNTRACKED_OBJECT_ID: u64 = u64::MAX;
/// `STRUCTURE_PADDING` (`nvbufsurface.h`).
pub const STRUCTURE_PADDING: usize = 4;
/// `NVBUF_MAX_PLANES`.
pub const NVBUF_MAX_PLANES: usize = 4;
/// `NVDSINFER_MAX_DIMS`.
pub const NVDSINFER_MAX_DIMS: usize = 8;
/// `MAX_NUM_OBJECTS` (`nvds_tracker_meta.h`).
pub const MAX_NUM_OBJECTS: usize = 600;
/// `DS_MAX_POLYGON_POINTS` (`nvds_roi_meta.h`).
pub const DS_MAX_POLYGON_POINTS: usize = 8;
/// `MAX_SOURCE_ID_LEN` (`nvdsmeta_schema.h`, DeepStream 8.0 and later).
pub const MAX_SOURCE_ID_LEN: usize = 128;
/// `MAX_ENTRIES` (`nvdsmeta_schema.h`, DeepStream 8.0 and later).
pub const MAX_ENTRIES: usize = 100;
/// `MAX_COMPONENT_LEN` (`nvds_latency_meta.h`).
pub const MAX_COMPONENT_LEN: usize = 64;

/// The `#define`s above by C name, for the ABI test.
pub const DEFINES: &[(&str, u64)] = &[
    ("MAX_USER_FIELDS", MAX_USER_FIELDS as u64),
    ("MAX_RESERVED_FIELDS", MAX_RESERVED_FIELDS as u64),
    ("MAX_LABEL_SIZE", MAX_LABEL_SIZE as u64),
    ("MAX_ELEMENTS_IN_DISPLAY_META", MAX_ELEMENTS_IN_DISPLAY_META as u64),
    ("UNTRACKED_OBJECT_ID", UNTRACKED_OBJECT_ID),
    ("STRUCTURE_PADDING", STRUCTURE_PADDING as u64),
    ("NVBUF_MAX_PLANES", NVBUF_MAX_PLANES as u64),
    ("NVDSINFER_MAX_DIMS", NVDSINFER_MAX_DIMS as u64),
    ("MAX_NUM_OBJECTS", MAX_NUM_OBJECTS as u64),
];

// ---------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------

/// The DeepStream version whose layouts and enum values this build of `sys` has: `"7.0"`,
/// `"7.1"`, `"8.0"` or `"9.1"` (9.0 has 9.1's layouts). Chosen by `build.rs`: `DS_META_ABI`
/// when set, else the installed DeepStream's `version` file, else 7.1.
pub const ABI_VERSION: &str = env!("DS_META_ABI_VERSION");
/// Where [`ABI_VERSION`] came from (`DS_META_ABI`, the version file read, or the default).
pub const ABI_SOURCE: &str = env!("DS_META_ABI_SOURCE");

/// 1 from DeepStream 8.0 on (enum values that one insertion shifted), else 0.
const V80: i32 = if cfg!(ds_abi_ge_80) { 1 } else { 0 };
const COLOR_FORMAT_LAST: i32 = if cfg!(ds_abi_ge_90) {
    113
} else if cfg!(ds_abi_ge_80) {
    104
} else {
    93
};

c_enum! {
    /// `NvDsMetaType` (`nvdsmeta.h`) of the version this build uses ([`ABI_VERSION`]):
    /// 8.0 inserts `NVDS_OBJ_3D_META` after `NVDS_OBJ_IMAGE_CONVEX_HULL`, so every value from
    /// `NVDS_AUDIO_BATCH_META` on is one higher than in 7.x; 7.0 has no `NVDS_ROI_META`.
    /// Match on these constants, never on numbers.
    pub enum NvDsMetaType: i32 {
        NVDS_INVALID_META = -1,
        NVDS_BATCH_META = 1,
        NVDS_FRAME_META = 2,
        NVDS_OBJ_META = 3,
        NVDS_DISPLAY_META = 4,
        NVDS_CLASSIFIER_META = 5,
        NVDS_LABEL_INFO_META = 6,
        /// The generic user metadata type (7; not 4096).
        NVDS_USER_META = 7,
        NVDS_PAYLOAD_META = 8,
        NVDS_EVENT_MSG_META = 9,
        NVDS_OPTICAL_FLOW_META = 10,
        NVDS_LATENCY_MEASUREMENT_META = 11,
        NVDSINFER_TENSOR_OUTPUT_META = 12,
        NVDSINFER_SEGMENTATION_META = 13,
        NVDS_CROP_IMAGE_META = 14,
        NVDS_TRACKER_PAST_FRAME_META = 15,
        NVDS_TRACKER_BATCH_REID_META = 16,
        NVDS_TRACKER_OBJ_REID_META = 17,
        NVDS_TRACKER_TERMINATED_LIST_META = 18,
        NVDS_TRACKER_SHADOW_LIST_META = 19,
        NVDS_OBJ_VISIBILITY = 20,
        NVDS_OBJ_IMAGE_FOOT_LOCATION = 21,
        NVDS_OBJ_WORLD_FOOT_LOCATION = 22,
        NVDS_OBJ_IMAGE_CONVEX_HULL = 23,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        NVDS_OBJ_3D_META = 24,
        NVDS_AUDIO_BATCH_META = 24 + V80,
        NVDS_AUDIO_FRAME_META = 25 + V80,
        NVDS_PREPROCESS_FRAME_META = 26 + V80,
        NVDS_PREPROCESS_BATCH_META = 27 + V80,
        NVDS_CUSTOM_MSG_BLOB = 28 + V80,
        /// DeepStream 7.1 and later.
        #[cfg(ds_abi_ge_71)]
        NVDS_ROI_META = 29 + V80,
        NVDS_RESERVED_META = 4095,
        NVDS_GST_CUSTOM_META = 4096,
        NVDS_START_USER_META = 8193,
        NVDS_FORCE32_META = 0x7FFFFFFF,
    }

    /// `GstNvDsMetaType` (`gstnvdsmeta.h`): the `meta_type` of an [`NvDsMeta`].
    pub enum GstNvDsMetaType: i32 {
        NVDS_GST_INVALID_META = -1,
        NVDS_BATCH_GST_META = 4097,
        NVDS_DECODER_GST_META = 4098,
        NVDS_DEWARPER_GST_META = 4099,
        NVDS_BUFFER_GST_AS_FRAME_USER_META = 4100,
        NVDS_RESERVED_GST_META = 8192,
        NVDS_GST_META_FORCE32 = 0x7FFFFFFF,
    }

    /// `NvDsEventType` (`nvdsmeta_schema.h`).
    pub enum NvDsEventType: i32 {
        NVDS_EVENT_ENTRY = 0,
        NVDS_EVENT_EXIT = 1,
        NVDS_EVENT_MOVING = 2,
        NVDS_EVENT_STOPPED = 3,
        NVDS_EVENT_EMPTY = 4,
        NVDS_EVENT_PARKED = 5,
        NVDS_EVENT_RESET = 6,
        NVDS_EVENT_RESERVED = 0x100,
        NVDS_EVENT_CUSTOM = 0x101,
        NVDS_EVENT_FORCE32 = 0x7FFFFFFF,
    }

    /// `NvDsObjectType` (`nvdsmeta_schema.h`). `PRODUCT` and `PRODUCT_EXT` are provisional
    /// (marked UNCERTAIN in the reference table).
    pub enum NvDsObjectType: i32 {
        NVDS_OBJECT_TYPE_VEHICLE = 0,
        NVDS_OBJECT_TYPE_PERSON = 1,
        NVDS_OBJECT_TYPE_FACE = 2,
        NVDS_OBJECT_TYPE_BAG = 3,
        NVDS_OBJECT_TYPE_BICYCLE = 4,
        NVDS_OBJECT_TYPE_ROADSIGN = 5,
        NVDS_OBJECT_TYPE_VEHICLE_EXT = 6,
        NVDS_OBJECT_TYPE_PERSON_EXT = 7,
        NVDS_OBJECT_TYPE_FACE_EXT = 8,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        NVDS_OBJECT_TYPE_3D = 9,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        NVDS_OBJECT_TYPE_DUMMY = 10,
        NVDS_OBJECT_TYPE_PRODUCT = 9 + 2 * V80,
        NVDS_OBJECT_TYPE_PRODUCT_EXT = 10 + 2 * V80,
        NVDS_OBJECT_TYPE_RESERVED = 0x100,
        NVDS_OBJECT_TYPE_CUSTOM = 0x101,
        NVDS_OBJECT_TYPE_UNKNOWN = 0x102,
        /// Sic: the header spells it `OBEJCT`.
        NVDS_OBEJCT_TYPE_FORCE32 = 0x7FFFFFFF,
    }

    /// `NvDsPayloadType` (`nvdsmeta_schema.h`).
    pub enum NvDsPayloadType: i32 {
        NVDS_PAYLOAD_DEEPSTREAM = 0,
        NVDS_PAYLOAD_DEEPSTREAM_MINIMAL = 1,
        NVDS_PAYLOAD_DEEPSTREAM_PROTOBUF = 2,
        NVDS_PAYLOAD_RESERVED = 0x100,
        NVDS_PAYLOAD_CUSTOM = 0x101,
        NVDS_PAYLOAD_FORCE32 = 0x7FFFFFFF,
    }

    /// `NvDsInferDataType` (`nvdsinfer.h`).
    pub enum NvDsInferDataType: i32 {
        FLOAT = 0,
        HALF = 1,
        INT8 = 2,
        INT32 = 3,
        INT64 = 4,
    }

    /// `NvBufSurfaceMemType` (`nvbufsurface.h`).
    pub enum NvBufSurfaceMemType: i32 {
        NVBUF_MEM_DEFAULT = 0,
        NVBUF_MEM_CUDA_PINNED = 1,
        NVBUF_MEM_CUDA_DEVICE = 2,
        NVBUF_MEM_CUDA_UNIFIED = 3,
        NVBUF_MEM_SURFACE_ARRAY = 4,
        NVBUF_MEM_HANDLE = 5,
        NVBUF_MEM_SYSTEM = 6,
    }

    /// `NvBufSurfaceLayout` (`nvbufsurface.h`).
    pub enum NvBufSurfaceLayout: i32 {
        NVBUF_LAYOUT_PITCH = 0,
        NVBUF_LAYOUT_BLOCK_LINEAR = 1,
    }

    /// `NvBufSurfaceMemMapFlags` (`nvbufsurface.h`).
    pub enum NvBufSurfaceMemMapFlags: i32 {
        NVBUF_MAP_READ = 0,
        NVBUF_MAP_WRITE = 1,
        NVBUF_MAP_READ_WRITE = 2,
    }

    /// `NvOSD_Arrow_Head_Direction` (`nvll_osd_struct.h`).
    pub enum NvOSD_Arrow_Head_Direction: i32 {
        START_HEAD = 0,
        END_HEAD = 1,
        BOTH_HEAD = 2,
    }

    /// `NvOSD_Mode` (`nvll_osd_struct.h`).
    pub enum NvOSD_Mode: i32 {
        MODE_CPU = 0,
        MODE_GPU = 1,
        MODE_NONE = 2,
    }

    /// `TRACKER_STATE` (`nvds_tracker_meta.h`).
    pub enum TRACKER_STATE: i32 {
        EMPTY = 0,
        ACTIVE = 1,
        INACTIVE = 2,
        TENTATIVE = 3,
        PROJECTED = 4,
        /// DeepStream 9.x.
        #[cfg(ds_abi_ge_90)]
        QUASIACTIVE = 5,
    }

    /// `NvDsDataType` (`nvds_roi_meta.h` / preprocess).
    pub enum NvDsDataType: i32 {
        NvDsDataType_FP32 = 0,
        NvDsDataType_UINT8 = 1,
        NvDsDataType_INT8 = 2,
        NvDsDataType_UINT32 = 3,
        NvDsDataType_INT32 = 4,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        NvDsDataType_INT64 = 5,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        NvDsDataType_UINT64 = 6,
        NvDsDataType_FP16 = 5 + 2 * V80,
    }

    /// `NvDsUnitType` (preprocess).
    pub enum NvDsUnitType: i32 {
        NvDsUnitType_FullFrame = 0,
        NvDsUnitType_ROI = 1,
        NvDsUnitType_Object = 2,
    }

    /// `NvBufSurfaceColorFormat` (`nvbufsurface.h`).
    pub enum NvBufSurfaceColorFormat: i32 {
        NVBUF_COLOR_FORMAT_INVALID = 0, NVBUF_COLOR_FORMAT_GRAY8 = 1, NVBUF_COLOR_FORMAT_YUV420 = 2,
        NVBUF_COLOR_FORMAT_YVU420 = 3, NVBUF_COLOR_FORMAT_YUV420_ER = 4, NVBUF_COLOR_FORMAT_YVU420_ER = 5,
        NVBUF_COLOR_FORMAT_NV12 = 6, NVBUF_COLOR_FORMAT_NV12_ER = 7, NVBUF_COLOR_FORMAT_NV21 = 8,
        NVBUF_COLOR_FORMAT_NV21_ER = 9, NVBUF_COLOR_FORMAT_UYVY = 10, NVBUF_COLOR_FORMAT_UYVY_ER = 11,
        NVBUF_COLOR_FORMAT_VYUY = 12, NVBUF_COLOR_FORMAT_VYUY_ER = 13, NVBUF_COLOR_FORMAT_YUYV = 14,
        NVBUF_COLOR_FORMAT_YUYV_ER = 15, NVBUF_COLOR_FORMAT_YVYU = 16, NVBUF_COLOR_FORMAT_YVYU_ER = 17,
        NVBUF_COLOR_FORMAT_YUV444 = 18, NVBUF_COLOR_FORMAT_RGBA = 19, NVBUF_COLOR_FORMAT_BGRA = 20,
        NVBUF_COLOR_FORMAT_ARGB = 21, NVBUF_COLOR_FORMAT_ABGR = 22, NVBUF_COLOR_FORMAT_RGBx = 23,
        NVBUF_COLOR_FORMAT_BGRx = 24, NVBUF_COLOR_FORMAT_xRGB = 25, NVBUF_COLOR_FORMAT_xBGR = 26,
        NVBUF_COLOR_FORMAT_RGB = 27, NVBUF_COLOR_FORMAT_BGR = 28, NVBUF_COLOR_FORMAT_NV12_10LE = 29,
        NVBUF_COLOR_FORMAT_NV12_12LE = 30, NVBUF_COLOR_FORMAT_YUV420_709 = 31,
        NVBUF_COLOR_FORMAT_YUV420_709_ER = 32, NVBUF_COLOR_FORMAT_NV12_709 = 33,
        NVBUF_COLOR_FORMAT_NV12_709_ER = 34, NVBUF_COLOR_FORMAT_YUV420_2020 = 35,
        NVBUF_COLOR_FORMAT_NV12_2020 = 36, NVBUF_COLOR_FORMAT_NV12_10LE_ER = 37,
        NVBUF_COLOR_FORMAT_NV12_10LE_709 = 38, NVBUF_COLOR_FORMAT_NV12_10LE_709_ER = 39,
        NVBUF_COLOR_FORMAT_NV12_10LE_2020 = 40, NVBUF_COLOR_FORMAT_SIGNED_R16G16 = 41,
        NVBUF_COLOR_FORMAT_R8_G8_B8 = 42, NVBUF_COLOR_FORMAT_B8_G8_R8 = 43,
        NVBUF_COLOR_FORMAT_R32F_G32F_B32F = 44, NVBUF_COLOR_FORMAT_B32F_G32F_R32F = 45,
        NVBUF_COLOR_FORMAT_YUV422 = 46, NVBUF_COLOR_FORMAT_NV21_10LE = 47,
        NVBUF_COLOR_FORMAT_NV21_12LE = 48, NVBUF_COLOR_FORMAT_NV12_12LE_2020 = 49,
        NVBUF_COLOR_FORMAT_NV16 = 50, NVBUF_COLOR_FORMAT_NV16_10LE = 51, NVBUF_COLOR_FORMAT_NV24 = 52,
        NVBUF_COLOR_FORMAT_NV24_10LE = 53, NVBUF_COLOR_FORMAT_NV16_ER = 54,
        NVBUF_COLOR_FORMAT_NV24_ER = 55, NVBUF_COLOR_FORMAT_NV16_709 = 56,
        NVBUF_COLOR_FORMAT_NV24_709 = 57, NVBUF_COLOR_FORMAT_NV16_709_ER = 58,
        NVBUF_COLOR_FORMAT_NV24_709_ER = 59, NVBUF_COLOR_FORMAT_NV24_10LE_709 = 60,
        NVBUF_COLOR_FORMAT_NV24_10LE_709_ER = 61, NVBUF_COLOR_FORMAT_NV24_10LE_2020 = 62,
        NVBUF_COLOR_FORMAT_NV24_12LE_2020 = 63, NVBUF_COLOR_FORMAT_RGBA_10_10_10_2_709 = 64,
        NVBUF_COLOR_FORMAT_RGBA_10_10_10_2_2020 = 65, NVBUF_COLOR_FORMAT_BGRA_10_10_10_2_709 = 66,
        NVBUF_COLOR_FORMAT_BGRA_10_10_10_2_2020 = 67, NVBUF_COLOR_FORMAT_A32 = 68,
        NVBUF_COLOR_FORMAT_UYVP = 69, NVBUF_COLOR_FORMAT_UYVP_ER = 70,
        NVBUF_COLOR_FORMAT_YUV444_ER = 71, NVBUF_COLOR_FORMAT_YUV444_709 = 72,
        NVBUF_COLOR_FORMAT_YUV444_709_ER = 73, NVBUF_COLOR_FORMAT_YUV444_2020 = 74,
        NVBUF_COLOR_FORMAT_YUV444_10LE = 75, NVBUF_COLOR_FORMAT_YUV444_10LE_ER = 76,
        NVBUF_COLOR_FORMAT_YUV444_10LE_709 = 77, NVBUF_COLOR_FORMAT_YUV444_10LE_709_ER = 78,
        NVBUF_COLOR_FORMAT_YUV444_10LE_2020 = 79, NVBUF_COLOR_FORMAT_YUV444_12LE = 80,
        NVBUF_COLOR_FORMAT_YUV444_12LE_ER = 81, NVBUF_COLOR_FORMAT_YUV444_12LE_709 = 82,
        NVBUF_COLOR_FORMAT_YUV444_12LE_709_ER = 83, NVBUF_COLOR_FORMAT_YUV444_12LE_2020 = 84,
        NVBUF_COLOR_FORMAT_NV12_12LE_ER = 85, NVBUF_COLOR_FORMAT_NV12_12LE_709 = 86,
        NVBUF_COLOR_FORMAT_NV12_12LE_709_ER = 87, NVBUF_COLOR_FORMAT_GRAY8_ER = 88,
        NVBUF_COLOR_FORMAT_UYVY_709 = 89, NVBUF_COLOR_FORMAT_UYVY_709_ER = 90,
        NVBUF_COLOR_FORMAT_UYVY_2020 = 91, NVBUF_COLOR_FORMAT_GRAY16_LE = 92,
        /// 93 in 7.x, 104 in 8.0, 113 in 9.x (the formats added after `GRAY16_LE` are not
        /// named here).
        NVBUF_COLOR_FORMAT_LAST = COLOR_FORMAT_LAST,
    }
}

// ---------------------------------------------------------------------------------------
// Function pointer types
// ---------------------------------------------------------------------------------------

/// `NvDsMetaCopyFunc`: `gpointer (*)(gpointer data, gpointer user_data)`. For user
/// metadata `data` is the `NvDsUserMeta*` and the result is the new `user_meta_data`.
pub type NvDsMetaCopyFunc = Option<unsafe extern "C" fn(data: gpointer, user_data: gpointer) -> gpointer>;
/// `NvDsMetaReleaseFunc`: `void (*)(gpointer data, gpointer user_data)`. For user metadata
/// `data` is the `NvDsUserMeta*`; the function frees `user_meta_data`.
pub type NvDsMetaReleaseFunc = Option<unsafe extern "C" fn(data: gpointer, user_data: gpointer)>;
/// `NvDsMetaTransformFunc` (`gstnvdsmeta.h`).
pub type NvDsMetaTransformFunc =
    Option<unsafe extern "C" fn(data: gpointer, user_data: gpointer) -> gboolean>;

// ---------------------------------------------------------------------------------------
// Core metadata (nvdsmeta.h)
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvDsBaseMeta`: the header of every metadata struct.
    pub struct NvDsBaseMeta {
        pub batch_meta: *mut NvDsBatchMeta,
        pub meta_type: NvDsMetaType,
        pub uContext: *mut c_void,
        pub copy_func: NvDsMetaCopyFunc,
        pub release_func: NvDsMetaReleaseFunc,
    }

    /// `NvDsMetaPool`: a pool of one kind of metadata (`empty_list` free, `full_list` in use).
    pub struct NvDsMetaPool {
        pub meta_type: NvDsMetaType,
        pub max_elements_in_pool: u32,
        pub element_size: u32,
        pub num_empty_elements: u32,
        pub num_full_elements: u32,
        pub empty_list: *mut GList,
        pub full_list: *mut GList,
        pub copy_func: NvDsMetaCopyFunc,
        pub release_func: NvDsMetaReleaseFunc,
    }

    /// `NvDsBatchMeta`: metadata of one batch buffer.
    pub struct NvDsBatchMeta {
        pub base_meta: NvDsBaseMeta,
        pub max_frames_in_batch: u32,
        pub num_frames_in_batch: u32,
        pub frame_meta_pool: *mut NvDsMetaPool,
        pub obj_meta_pool: *mut NvDsMetaPool,
        pub classifier_meta_pool: *mut NvDsMetaPool,
        pub display_meta_pool: *mut NvDsMetaPool,
        pub user_meta_pool: *mut NvDsMetaPool,
        pub label_info_meta_pool: *mut NvDsMetaPool,
        /// `GList` of `NvDsFrameMeta*`.
        pub frame_meta_list: *mut GList,
        /// `GList` of `NvDsUserMeta*`.
        pub batch_user_meta_list: *mut GList,
        pub meta_mutex: GRecMutex,
        pub misc_batch_info: [i64; MAX_USER_FIELDS],
        pub reserved: [i64; MAX_RESERVED_FIELDS],
    }

    /// `NvDsFrameMeta` (200 bytes in DS 7.x, 232 from 8.0 on: `sensorInfo_meta`).
    pub struct NvDsFrameMeta {
        pub base_meta: NvDsBaseMeta,
        pub pad_index: u32,
        pub batch_id: u32,
        pub frame_num: i32,
        pub buf_pts: u64,
        pub ntp_timestamp: u64,
        pub source_id: u32,
        pub num_surfaces_per_frame: i32,
        pub source_frame_width: u32,
        pub source_frame_height: u32,
        pub surface_type: u32,
        pub surface_index: u32,
        pub num_obj_meta: u32,
        pub bInferDone: gboolean,
        /// `GList` of `NvDsObjectMeta*`.
        pub obj_meta_list: *mut GList,
        /// `GList` of `NvDsDisplayMeta*`.
        pub display_meta_list: *mut GList,
        /// `GList` of `NvDsUserMeta*`.
        pub frame_user_meta_list: *mut GList,
        pub misc_frame_info: [i64; MAX_USER_FIELDS],
        pub pipeline_width: u32,
        pub pipeline_height: u32,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub sensorInfo_meta: NvDsSensorInfo_meta,
        pub reserved: [i64; MAX_RESERVED_FIELDS],
    }

    /// `NvDsSensorInfo_meta` (DeepStream 8.0 and later): the sensor of a frame.
    pub struct NvDsSensorInfo_meta {
        pub source_id: u32,
        pub uri: *const c_char,
        pub sensor_id: *const c_char,
        pub sensor_name: *const c_char,
    }

    /// `NvDsObjectMeta`.
    pub struct NvDsObjectMeta {
        pub base_meta: NvDsBaseMeta,
        pub parent: *mut NvDsObjectMeta,
        pub unique_component_id: i32,
        pub class_id: i32,
        pub object_id: u64,
        pub detector_bbox_info: NvDsComp_BboxInfo,
        pub tracker_bbox_info: NvDsComp_BboxInfo,
        pub confidence: f32,
        pub tracker_confidence: f32,
        pub rect_params: NvOSD_RectParams,
        pub mask_params: NvOSD_MaskParams,
        pub text_params: NvOSD_TextParams,
        pub obj_label: [c_char; MAX_LABEL_SIZE],
        /// `GList` of `NvDsClassifierMeta*`.
        pub classifier_meta_list: *mut GList,
        /// `GList` of `NvDsUserMeta*`.
        pub obj_user_meta_list: *mut GList,
        pub misc_obj_info: [i64; MAX_USER_FIELDS],
        pub reserved: [i64; MAX_RESERVED_FIELDS],
    }

    /// `NvDsClassifierMeta`.
    pub struct NvDsClassifierMeta {
        pub base_meta: NvDsBaseMeta,
        pub num_labels: u32,
        pub unique_component_id: i32,
        /// `GList` of `NvDsLabelInfo*`.
        pub label_info_list: *mut GList,
        pub classifier_type: *const c_char,
    }

    /// `NvDsLabelInfo`.
    pub struct NvDsLabelInfo {
        pub base_meta: NvDsBaseMeta,
        pub num_classes: u32,
        pub result_label: [c_char; MAX_LABEL_SIZE],
        pub pResult_label: *mut c_char,
        pub result_class_id: u32,
        pub label_id: u32,
        pub result_prob: f32,
    }

    /// `NvDsDisplayMeta`: OSD elements of one frame.
    pub struct NvDsDisplayMeta {
        pub base_meta: NvDsBaseMeta,
        pub num_rects: u32,
        pub num_labels: u32,
        pub num_lines: u32,
        pub num_arrows: u32,
        pub num_circles: u32,
        pub rect_params: [NvOSD_RectParams; MAX_ELEMENTS_IN_DISPLAY_META],
        pub text_params: [NvOSD_TextParams; MAX_ELEMENTS_IN_DISPLAY_META],
        pub line_params: [NvOSD_LineParams; MAX_ELEMENTS_IN_DISPLAY_META],
        pub arrow_params: [NvOSD_ArrowParams; MAX_ELEMENTS_IN_DISPLAY_META],
        pub circle_params: [NvOSD_CircleParams; MAX_ELEMENTS_IN_DISPLAY_META],
        pub misc_osd_data: [i64; MAX_USER_FIELDS],
        pub reserved: [i64; MAX_RESERVED_FIELDS],
    }

    /// `NvDsUserMeta`.
    pub struct NvDsUserMeta {
        pub base_meta: NvDsBaseMeta,
        pub user_meta_data: *mut c_void,
    }

    /// `NvDsComp_BboxInfo`.
    pub struct NvDsComp_BboxInfo {
        pub org_bbox_coords: NvBbox_Coords,
    }

    /// `NvBbox_Coords` (pixels).
    pub struct NvBbox_Coords {
        pub left: f32,
        pub top: f32,
        pub width: f32,
        pub height: f32,
    }
}

// ---------------------------------------------------------------------------------------
// OSD (nvll_osd_struct.h)
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvOSD_ColorParams`: RGBA, each in 0.0 ..= 1.0.
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOSD_ColorParams {
        pub red: f64,
        pub green: f64,
        pub blue: f64,
        pub alpha: f64,
    }

    /// `NvOSD_FontParams`.
    pub struct NvOSD_FontParams {
        pub font_name: *mut c_char,
        pub font_size: u32,
        pub font_color: NvOSD_ColorParams,
    }

    /// `NvOSD_TextParams`.
    pub struct NvOSD_TextParams {
        pub display_text: *mut c_char,
        pub x_offset: u32,
        pub y_offset: u32,
        pub font_params: NvOSD_FontParams,
        pub set_bg_clr: i32,
        pub text_bg_clr: NvOSD_ColorParams,
    }

    /// `NvOSD_RectParams` (pixels).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOSD_RectParams {
        pub left: f32,
        pub top: f32,
        pub width: f32,
        pub height: f32,
        pub border_width: u32,
        pub border_color: NvOSD_ColorParams,
        pub has_bg_color: u32,
        pub reserved: u32,
        pub bg_color: NvOSD_ColorParams,
        pub has_color_info: i32,
        pub color_id: i32,
        /// Degrees, for oriented boxes (DeepStream 9.0 and later: 104 → 112 bytes).
        #[cfg(ds_abi_ge_90)]
        pub rotation_angle: f32,
    }

    /// `NvOSD_LineParams` (pixels).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOSD_LineParams {
        pub x1: u32,
        pub y1: u32,
        pub x2: u32,
        pub y2: u32,
        pub line_width: u32,
        pub line_color: NvOSD_ColorParams,
    }

    /// `NvOSD_ArrowParams` (pixels).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOSD_ArrowParams {
        pub x1: u32,
        pub y1: u32,
        pub x2: u32,
        pub y2: u32,
        pub arrow_width: u32,
        pub arrow_head: NvOSD_Arrow_Head_Direction,
        pub arrow_color: NvOSD_ColorParams,
        pub reserved: u32,
    }

    /// `NvOSD_CircleParams` (pixels).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOSD_CircleParams {
        pub xc: u32,
        pub yc: u32,
        pub radius: u32,
        pub circle_color: NvOSD_ColorParams,
        pub has_bg_color: u32,
        pub bg_color: NvOSD_ColorParams,
        pub circle_width: u32,
        pub reserved: u32,
    }

    /// `NvOSD_MaskParams`: `data` holds `width * height` floats (`size` bytes).
    pub struct NvOSD_MaskParams {
        pub data: *mut f32,
        pub size: u32,
        pub threshold: f32,
        pub width: u32,
        pub height: u32,
    }

    /// `NvOSD_Color_info`.
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOSD_Color_info {
        pub id: i32,
        pub color: NvOSD_ColorParams,
    }
}

// ---------------------------------------------------------------------------------------
// GStreamer glue (gstnvdsmeta.h) and ROI meta
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvDsMeta`: the `GstMeta` that carries DeepStream metadata on a buffer.
    pub struct NvDsMeta {
        pub meta: gst::ffi::GstMeta,
        pub meta_data: gpointer,
        pub user_data: gpointer,
        pub meta_type: GstNvDsMetaType,
        pub copyfunc: NvDsMetaCopyFunc,
        pub freefunc: NvDsMetaReleaseFunc,
        pub gst_to_nvds_meta_transform_func: NvDsMetaTransformFunc,
        pub gst_to_nvds_meta_release_func: NvDsMetaReleaseFunc,
    }

    /// `NvDsRoiMeta` (`nvds_roi_meta.h`).
    pub struct NvDsRoiMeta {
        pub roi: NvOSD_RectParams,
        pub roi_polygon: [[u32; 2]; DS_MAX_POLYGON_POINTS],
        pub converted_buffer: *mut NvBufSurfaceParams,
        pub frame_meta: *mut NvDsFrameMeta,
        pub scale_ratio_x: f64,
        pub scale_ratio_y: f64,
        pub offset_left: f64,
        pub offset_top: f64,
        pub classifier_meta_list: *mut GList,
        pub roi_user_meta_list: *mut GList,
        pub object_meta: *mut NvDsObjectMeta,
    }
}

// ---------------------------------------------------------------------------------------
// Message schema (nvdsmeta_schema.h)
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvDsEventMsgMeta` (424 bytes in 7.x, 14032 in 8.0, 14040 in 9.x). Fields after
    /// `sensorStr` are the reference table's best estimate for DS 7.1 (provisional); 8.0
    /// inserts `entries` and `count` after `sensorStr`, 9.0 appends `visibility`. The safe
    /// API reads only `otherAttrs`, `videoPath`, `extMsg` and `extMsgSize` of them.
    pub struct NvDsEventMsgMeta {
        pub type_: NvDsEventType,
        pub objType: NvDsObjectType,
        pub bbox: NvDsRect,
        pub location: NvDsGeoLocation,
        pub coordinate: NvDsCoordinate,
        pub objSignature: NvDsObjectSignature,
        pub objClassId: i32,
        pub sensorId: i32,
        pub moduleId: i32,
        pub placeId: i32,
        pub componentId: i32,
        pub frameId: i32,
        pub confidence: f64,
        pub trackingId: u64,
        pub ts: *mut c_char,
        pub objectId: *mut c_char,
        pub sensorStr: *mut c_char,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub entries: [SourceTimePair; MAX_ENTRIES],
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub count: i32,
        pub bbox3d: *mut c_void,
        pub llm: *mut c_void,
        pub num_interactions: u32,
        pub interactions: *mut c_void,
        pub num_congestions: u32,
        pub congestions: *mut c_void,
        pub num_fov: u32,
        pub fov: *mut c_void,
        pub segmentation: *mut c_void,
        pub otherAttrs: *mut c_char,
        pub videoPath: *mut c_char,
        pub extMsg: gpointer,
        pub extMsgSize: i32,
        pub pose: NvDsJoints,
        pub embedding: NvDsEmbedding,
        pub has3DTracking: u8,
        pub singleView3DTracking: NvDs3DTracking,
        /// DeepStream 9.0 and later.
        #[cfg(ds_abi_ge_90)]
        pub visibility: f32,
    }

    /// `SourceTimePair` (`nvdsmeta_schema.h`, DeepStream 8.0 and later).
    pub struct SourceTimePair {
        pub source_id: [c_char; MAX_SOURCE_ID_LEN],
        pub timestamp: u64,
    }

    /// `NvDsVehicleObject`.
    pub struct NvDsVehicleObject {
        pub type_: *mut c_char,
        pub make: *mut c_char,
        pub model: *mut c_char,
        pub color: *mut c_char,
        pub region: *mut c_char,
        pub license: *mut c_char,
    }

    /// `NvDsPersonObject`.
    pub struct NvDsPersonObject {
        pub gender: *mut c_char,
        pub hair: *mut c_char,
        pub cap: *mut c_char,
        pub apparel: *mut c_char,
        pub age: u32,
    }

    /// `NvDsFaceObject`.
    pub struct NvDsFaceObject {
        pub gender: *mut c_char,
        pub hair: *mut c_char,
        pub cap: *mut c_char,
        pub glasses: *mut c_char,
        pub facialhair: *mut c_char,
        pub name: *mut c_char,
        pub eyecolor: *mut c_char,
        pub age: u32,
    }

    /// `NvDsProductObject`.
    pub struct NvDsProductObject {
        pub brand: *mut c_char,
        pub type_: *mut c_char,
        pub shape: *mut c_char,
    }

    /// `NvDsEvent`.
    pub struct NvDsEvent {
        pub eventType: NvDsEventType,
        pub metadata: *mut NvDsEventMsgMeta,
    }

    /// `NvDsPayload`.
    pub struct NvDsPayload {
        pub payload: gpointer,
        pub payloadSize: u32,
        pub componentId: u32,
    }

    /// `NvDsRect` (note: `top` before `left`).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsRect {
        pub top: f32,
        pub left: f32,
        pub width: f32,
        pub height: f32,
    }

    /// `NvDsGeoLocation` (degrees, metres).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsGeoLocation {
        pub lat: f64,
        pub lon: f64,
        pub alt: f64,
    }

    /// `NvDsCoordinate`.
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsCoordinate {
        pub x: f64,
        pub y: f64,
        pub z: f64,
    }

    /// `NvDsObjectSignature`: `size` doubles at `signature`.
    pub struct NvDsObjectSignature {
        pub signature: *mut f64,
        pub size: u32,
    }

    /// `NvDsJoints`.
    pub struct NvDsJoints {
        pub joints: *mut NvDsJoint,
        pub num_joints: i32,
        pub pose_type: i32,
    }

    /// `NvDsJoint`.
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsJoint {
        pub x: f32,
        pub y: f32,
        pub z: f32,
        pub confidence: f32,
    }

    /// `NvDsEmbedding`.
    pub struct NvDsEmbedding {
        pub embedding_vector: *mut f32,
        pub embedding_length: u32,
    }

    /// `NvDsConvexHull`.
    pub struct NvDsConvexHull {
        pub points: *mut i32,
        pub numFilled: u32,
    }

    /// `NvDs3DTracking` (provisional layout).
    pub struct NvDs3DTracking {
        pub ptWorldFeet: [f32; 2],
        pub ptImgFeet: [f32; 2],
        /// DeepStream 7.x and 8.0 (gone in 9.0).
        #[cfg(not(ds_abi_ge_90))]
        pub visibility: f32,
        pub convexHull: NvDsConvexHull,
        /// `NvDsBbox3dObject`, opaque (88 bytes up to 8.0).
        #[cfg(not(ds_abi_ge_90))]
        pub bbox3d: [f32; 22],
        /// `NvDsBbox3dObject`, opaque (96 bytes in 9.x: `ocr_label` added).
        #[cfg(ds_abi_ge_90)]
        pub bbox3d: [u64; 12],
    }
}

// ---------------------------------------------------------------------------------------
// Inference (nvdsinfer.h, gstnvdsinfer.h)
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvDsInferDims`.
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsInferDims {
        pub numDims: u32,
        pub d: [u32; NVDSINFER_MAX_DIMS],
        pub numElements: u32,
    }

    /// `NvDsInferNetworkInfo`.
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsInferNetworkInfo {
        pub width: u32,
        pub height: u32,
        pub channels: u32,
    }

    /// `NvDsInferLayerInfo`. C has an anonymous union `{ inferDims; dims; }` of one type;
    /// here it is the single field `inferDims`.
    pub struct NvDsInferLayerInfo {
        pub dataType: NvDsInferDataType,
        pub inferDims: NvDsInferDims,
        pub bindingIndex: i32,
        pub layerName: *const c_char,
        pub buffer: *mut c_void,
        pub isInput: i32,
    }
    aliases { "dims" = inferDims }

    /// `NvDsInferTensorMeta` (72 bytes from DS 7.1 on, 64 in 7.0).
    pub struct NvDsInferTensorMeta {
        pub unique_id: u32,
        pub num_output_layers: u32,
        pub output_layers_info: *mut NvDsInferLayerInfo,
        pub out_buf_ptrs_host: *mut *mut c_void,
        pub out_buf_ptrs_dev: *mut *mut c_void,
        pub gpu_id: i32,
        pub priv_data: *mut c_void,
        pub network_info: NvDsInferNetworkInfo,
        pub maintain_aspect_ratio: gboolean,
        /// DeepStream 7.1 and later.
        #[cfg(ds_abi_ge_71)]
        pub symmetric_padding: gboolean,
    }

    /// `NvDsInferSegmentationMeta`: `class_map` is `height * width` i32,
    /// `class_probabilities_map` is `classes * height * width` f32.
    pub struct NvDsInferSegmentationMeta {
        pub classes: u32,
        pub width: u32,
        pub height: u32,
        pub class_map: *mut i32,
        pub class_probabilities_map: *mut f32,
        pub priv_data: *mut c_void,
        pub unique_id: i32,
    }

    /// `NvDsInferObjectDetectionInfo` (pixels of the network input).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvDsInferObjectDetectionInfo {
        pub classId: u32,
        pub left: f32,
        pub top: f32,
        pub width: f32,
        pub height: f32,
        pub detectionConfidence: f32,
        /// Degrees, for oriented boxes (DeepStream 9.0 and later).
        #[cfg(ds_abi_ge_90)]
        pub rotation_angle: f32,
    }

    /// `NvDsInferAttribute`.
    pub struct NvDsInferAttribute {
        pub attributeIndex: u32,
        pub attributeValue: u32,
        pub attributeConfidence: f32,
        pub attributeLabel: *mut c_char,
    }
}

// ---------------------------------------------------------------------------------------
// Optical flow, latency
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvDsOpticalFlowMeta`: `data` is `rows * cols` [`NvOFFlowVector`].
    pub struct NvDsOpticalFlowMeta {
        pub rows: u32,
        pub cols: u32,
        pub mv_size: u32,
        pub cost_size: u32,
        pub frame_num: u64,
        pub data: *mut c_void,
        pub cost: *mut c_void,
        pub priv_: *mut c_void,
        pub reserved: *mut c_void,
    }

    /// `NvOFFlowVector`: motion in S10.5 fixed point (divide by 32 for pixels).
    #[derive(Debug, Default, PartialEq)]
    pub struct NvOFFlowVector {
        pub flowx: i16,
        pub flowy: i16,
    }

    /// `NvDsFrameLatencyInfo` (ms).
    pub struct NvDsFrameLatencyInfo {
        pub source_id: u32,
        pub frame_num: u32,
        pub comp_in_timestamp: f64,
        pub latency: f64,
    }

    /// `NvDsMetaSubCompLatency` (not in the reference table; 80 bytes).
    pub struct NvDsMetaSubCompLatency {
        pub sub_comp_name: [c_char; MAX_COMPONENT_LEN],
        pub in_system_timestamp: f64,
        pub out_system_timestamp: f64,
    }

    /// `NvDsMetaCompLatency` (ms).
    pub struct NvDsMetaCompLatency {
        pub component_name: [c_char; MAX_COMPONENT_LEN],
        pub in_system_timestamp: f64,
        pub out_system_timestamp: f64,
        pub source_id: u32,
        pub frame_num: u32,
        pub pad_index: u32,
        pub sub_comp_latencies: [NvDsMetaSubCompLatency; 16],
        pub num_sub_comps: u32,
    }
}

// ---------------------------------------------------------------------------------------
// NvBufSurface (nvbufsurface.h)
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvBufSurface`: a batch of surfaces; the data of a DeepStream NVMM `GstBuffer`.
    pub struct NvBufSurface {
        pub gpuId: u32,
        pub batchSize: u32,
        pub numFilled: u32,
        pub isContiguous: u8,
        pub memType: NvBufSurfaceMemType,
        pub surfaceList: *mut NvBufSurfaceParams,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub isImportedBuf: u8,
        pub _reserved: [*mut c_void; STRUCTURE_PADDING],
    }

    /// `NvBufSurfaceParams`: one surface.
    pub struct NvBufSurfaceParams {
        pub width: u32,
        pub height: u32,
        pub pitch: u32,
        pub colorFormat: NvBufSurfaceColorFormat,
        pub layout: NvBufSurfaceLayout,
        pub bufferDesc: u64,
        pub dataSize: u32,
        pub dataPtr: *mut c_void,
        pub planeParams: NvBufSurfacePlaneParams,
        pub mappedAddr: NvBufSurfaceMappedAddr,
        pub paramex: *mut NvBufSurfaceParamsEx,
        /// `NvBufSurfaceCudaBuffer*` (DeepStream 8.0 and later).
        #[cfg(ds_abi_ge_80)]
        pub cudaBuffer: *mut c_void,
        #[cfg(not(ds_abi_ge_80))]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING - 1],
        #[cfg(ds_abi_ge_80)]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING],
    }

    /// `NvBufSurfacePlaneParams`.
    pub struct NvBufSurfacePlaneParams {
        pub num_planes: u32,
        pub width: [u32; NVBUF_MAX_PLANES],
        pub height: [u32; NVBUF_MAX_PLANES],
        pub pitch: [u32; NVBUF_MAX_PLANES],
        pub offset: [u32; NVBUF_MAX_PLANES],
        pub psize: [u32; NVBUF_MAX_PLANES],
        pub bytesPerPix: [u32; NVBUF_MAX_PLANES],
        pub _reserved: [*mut c_void; STRUCTURE_PADDING * NVBUF_MAX_PLANES],
    }

    /// `NvBufSurfaceMappedAddr`.
    pub struct NvBufSurfaceMappedAddr {
        pub addr: [*mut c_void; NVBUF_MAX_PLANES],
        pub eglImage: *mut c_void,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub nvmmPtr: *mut c_void,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub cudaPtr: *mut c_void,
        pub _reserved: [*mut c_void; STRUCTURE_PADDING],
    }

    /// `NvBufSurfaceParamsEx`.
    pub struct NvBufSurfaceParamsEx {
        pub startofvaliddata: i32,
        pub sizeofvaliddatainbytes: i32,
        pub chromaSubsampling: NvBufSurfaceChromaSubsamplingParams,
        pub is_protected: u8,
        pub planeParamsex: NvBufSurfacePlaneParamsEx,
        pub _reserved: [*mut c_void; STRUCTURE_PADDING],
    }

    /// `NvBufSurfacePlaneParamsEx`.
    pub struct NvBufSurfacePlaneParamsEx {
        pub scanformat: [u32; NVBUF_MAX_PLANES],
        pub secondfieldoffset: [u32; NVBUF_MAX_PLANES],
        pub blockheightlog2: [u32; NVBUF_MAX_PLANES],
        pub physicaladdress: [u32; NVBUF_MAX_PLANES],
        pub flags: [u64; NVBUF_MAX_PLANES],
        pub drmModifier: [u64; NVBUF_MAX_PLANES],
        #[cfg(not(ds_abi_ge_80))]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING * NVBUF_MAX_PLANES - 4],
        #[cfg(ds_abi_ge_80)]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING * NVBUF_MAX_PLANES],
    }

    /// `NvBufSurfaceChromaSubsamplingParams`.
    pub struct NvBufSurfaceChromaSubsamplingParams {
        pub chromaLocHoriz: u8,
        pub chromaLocVert: u8,
        /// DeepStream 8.0 and later (2 → 8 bytes).
        #[cfg(ds_abi_ge_80)]
        pub _reserved: [u8; 6],
    }

    /// `NvBufSurfaceCreateParams`.
    pub struct NvBufSurfaceCreateParams {
        pub gpuId: u32,
        pub width: u32,
        pub height: u32,
        pub size: u32,
        pub isContiguous: u8,
        pub colorFormat: NvBufSurfaceColorFormat,
        pub layout: NvBufSurfaceLayout,
        pub memType: NvBufSurfaceMemType,
        /// DeepStream 8.0 and later.
        #[cfg(ds_abi_ge_80)]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING],
    }

    /// `NvBufSurfaceAllocateParams`.
    pub struct NvBufSurfaceAllocateParams {
        pub params: NvBufSurfaceCreateParams,
        pub displayscanformat: u32,
        pub chromaSubsampling: NvBufSurfaceChromaSubsamplingParams,
        pub memtag: u32,
        pub disablePitchPadding: u8,
        pub _reservedParam: u32,
        #[cfg(not(ds_abi_ge_80))]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING - 1],
        #[cfg(ds_abi_ge_80)]
        pub _reserved: [*mut c_void; STRUCTURE_PADDING],
    }
}

// ---------------------------------------------------------------------------------------
// Tracker (nvds_tracker_meta.h)
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `NvDsTargetMiscDataFrame`: one past frame of a target.
    pub struct NvDsTargetMiscDataFrame {
        pub frameNum: u32,
        pub tBbox: NvOSD_RectParams,
        pub confidence: f32,
        pub age: u32,
        pub trackerState: TRACKER_STATE,
        pub visibility: f32,
        /// DeepStream 9.0 and later.
        #[cfg(ds_abi_ge_90)]
        pub ptWorldFeet: [f32; 2],
    }

    /// `NvDsTargetMiscDataObject`: `numObj` frames at `list`.
    pub struct NvDsTargetMiscDataObject {
        pub list: *mut NvDsTargetMiscDataFrame,
        pub numObj: u32,
        pub numAllocated: u32,
        pub uniqueId: u64,
        pub classId: u16,
        pub objLabel: [c_char; MAX_LABEL_SIZE],
    }

    /// `NvDsTargetMiscDataStream`: `numFilled` objects at `list`.
    pub struct NvDsTargetMiscDataStream {
        pub list: *mut NvDsTargetMiscDataObject,
        pub streamID: u32,
        pub surfaceStreamID: u64,
        pub numAllocated: u32,
        pub numFilled: u32,
    }

    /// `NvDsTargetMiscDataBatch`: `numFilled` streams at `list`
    /// (batch user meta `NVDS_TRACKER_PAST_FRAME_META`).
    pub struct NvDsTargetMiscDataBatch {
        pub list: *mut NvDsTargetMiscDataStream,
        pub numAllocated: u32,
        pub numFilled: u32,
        pub priv_data: *mut c_void,
    }

    /// `NvDsReidTensorBatch`.
    pub struct NvDsReidTensorBatch {
        pub featureSize: u32,
        pub numFilled: u32,
        pub ptr_host: *mut f32,
        pub ptr_dev: *mut f32,
        pub priv_data: *mut c_void,
    }

    /// `NvDsObjReid`: `featureSize` floats at `ptr_host`
    /// (object user meta `NVDS_TRACKER_OBJ_REID_META`).
    pub struct NvDsObjReid {
        pub featureSize: u32,
        pub ptr_host: *mut f32,
        pub ptr_dev: *mut f32,
    }

    /// `NvDsObjConvexHull`.
    pub struct NvDsObjConvexHull {
        pub list: *mut i32,
        pub numPointsAllocated: u32,
        pub numPoints: u32,
    }
}

impl Default for NvOSD_MaskParams {
    fn default() -> Self {
        Self { data: std::ptr::null_mut(), size: 0, threshold: 0.0, width: 0, height: 0 }
    }
}
