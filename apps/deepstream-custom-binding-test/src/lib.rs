//! The payloads of deepstream-custom-binding-test: what the Python sample compiles into pyds
//! (`bindings/src/custom_binding/`), here a few lines of Rust.
//!
//! - [`CustomDataStruct`]: the sample's C struct `{ int structId; char *message; int
//!   sampleInt; }`, attached through [`CustomData`] (a [`CPayload`]): `user_meta_data` points
//!   at the C struct, so C code (another element, a C probe) reads it as the sample's struct.
//!   Its copy function deep-copies the struct and the message, its release function frees
//!   both (generated for the type by ds-meta, as pyds' `copy_custom_struct` /
//!   `release_custom_struct` are written by hand).
//! - [`FrameNote`] and [`MuxerTiming`]: typed Rust payloads ([`UserPayload`]), attached beside
//!   it. Any number of payload types work at once; nothing is registered globally.
//!
//! The metadata type of the C struct is `nvds_get_user_meta_type("NVIDIA.NVDS.CUSTOM_DATA_STRUCT")`
//! rather than the sample's plain `NVDS_USER_META`: a reader that finds this type knows the
//! payload's layout (samples-spec 1.19, porting note).

use std::ffi::{CStr, CString, c_char, c_int};

use ds_meta::{CPayload, FrameMeta, NvDsMetaType, UserMeta, UserPayload};

/// The sample's C struct (`CustomDataStruct` of `custom_binding/bindcustom.cpp`), as C code
/// sees it in `user_meta_data`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_snake_case)]
pub struct CustomDataStruct {
    /// `int structId`.
    pub structId: c_int,
    /// `char *message`: NUL-terminated, owned by the metadata.
    pub message: *mut c_char,
    /// `int sampleInt`.
    pub sampleInt: c_int,
}

/// The owner of a [`CustomDataStruct`]: `pyds.alloc_custom_struct(user_meta)` plus the field
/// assignments of the sample's muxer probe.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomData {
    /// `structId`.
    pub struct_id: i32,
    /// `message` (a NUL in it ends the C string there).
    pub message: CString,
    /// `sampleInt`.
    pub sample_int: i32,
}

impl CustomData {
    /// A payload with `message`; a NUL byte in `message` cuts the C string there.
    pub fn new(struct_id: i32, message: &str, sample_int: i32) -> CustomData {
        let bytes: Vec<u8> = message.bytes().take_while(|&b| b != 0).collect();
        CustomData { struct_id, message: CString::new(bytes).unwrap_or_default(), sample_int }
    }
}

/// The descriptor the C struct's metadata type comes from.
pub const CUSTOM_DATA_DESCRIPTOR: &str = "NVIDIA.NVDS.CUSTOM_DATA_STRUCT";

// SAFETY: `message` points into `self.message`, which lives (unmoved, in the metadata's
// holder) as long as the C struct does.
unsafe impl CPayload for CustomData {
    type C = CustomDataStruct;
    fn meta_type() -> NvDsMetaType {
        ds_meta::nvds_get_user_meta_type(CUSTOM_DATA_DESCRIPTOR)
    }
    fn to_c(&self) -> (CustomDataStruct, Box<dyn std::any::Any>) {
        let c = CustomDataStruct {
            structId: self.struct_id,
            message: self.message.as_ptr() as *mut c_char,
            sampleInt: self.sample_int,
        };
        (c, Box::new(()))
    }
}

/// A [`CustomDataStruct`] read from a user meta (`CustomDataStruct.cast(user_meta_data)`),
/// borrowed from it.
#[derive(Clone, Copy, Debug)]
pub struct CustomDataRef<'a>(&'a CustomDataStruct);

impl<'a> CustomDataRef<'a> {
    /// The struct if `user_meta` carries one (its metadata type is [`CUSTOM_DATA_DESCRIPTOR`]'s).
    pub fn from_user_meta(user_meta: &'a UserMeta) -> Option<CustomDataRef<'a>> {
        user_meta.c_payload::<CustomData>().map(CustomDataRef)
    }
    /// `structId`.
    pub fn struct_id(&self) -> i32 {
        self.0.structId
    }
    /// `message` (`pyds.get_string(data.message)`), lossily decoded; empty when NULL.
    pub fn message(&self) -> String {
        if self.0.message.is_null() {
            return String::new();
        }
        // SAFETY: a struct of this metadata type was built by `CustomData::to_c` (or by C
        // code following the same layout): message is a NUL-terminated string it owns.
        unsafe { CStr::from_ptr(self.0.message) }.to_string_lossy().into_owned()
    }
    /// `sampleInt`.
    pub fn sample_int(&self) -> i32 {
        self.0.sampleInt
    }
    /// The C struct itself.
    pub fn as_c(&self) -> &'a CustomDataStruct {
        self.0
    }
}

/// A typed Rust payload: a note for the frame.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameNote {
    /// Free text.
    pub text: String,
    /// Numbers that go with it.
    pub values: Vec<f32>,
}

impl UserPayload for FrameNote {
    const DESCRIPTOR: &'static str = "DSRS.CUSTOM_BINDING.FRAME_NOTE";
}

/// A second typed Rust payload, to show several types at once: where the muxer was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MuxerTiming {
    /// The frame's `buf_pts` (ns) when the muxer's probe saw it.
    pub buf_pts: u64,
    /// The muxer probe's batch count.
    pub batch: u64,
}

impl UserPayload for MuxerTiming {
    const DESCRIPTOR: &'static str = "DSRS.CUSTOM_BINDING.MUXER_TIMING";
}

/// What the sample's muxer probe attaches to a frame: the C struct (`message = "test message
/// <frame_num>"`, `structId = frame_num`, `sampleInt = frame_num + 1`), a [`FrameNote`] and
/// a [`MuxerTiming`]. Errors: the pool gave no user meta.
pub fn attach_payloads(frame: &mut FrameMeta, batch: u64) -> ds_meta::Result<()> {
    let n = frame.frame_num();
    frame.add_c_user_meta(CustomData::new(n, &format!("test message {n}"), n + 1))?;
    let note = FrameNote { text: format!("note of frame {n}"), values: vec![n as f32; 4] };
    frame.add_user_meta(note)?;
    let timing = MuxerTiming { buf_pts: frame.buf_pts(), batch };
    frame.add_user_meta(timing)?;
    Ok(())
}

/// The lines the sample's sink probe prints for a frame's payloads, in list order:
/// `custom meta structId::  <id>`, `custom meta msg::  <message>`, `custom meta sampleInt::
/// <n>` for the C struct, and one line per Rust payload.
pub fn payload_lines(frame: &FrameMeta) -> Vec<String> {
    let mut lines = Vec::new();
    for user_meta in frame.user_metas() {
        if let Some(data) = CustomDataRef::from_user_meta(user_meta) {
            lines.push(format!("custom meta structId::  {}", data.struct_id()));
            lines.push(format!("custom meta msg::  {}", data.message()));
            lines.push(format!("custom meta sampleInt::  {}", data.sample_int()));
        } else if let Some(note) = user_meta.payload::<FrameNote>() {
            lines.push(format!("rust meta FrameNote::  {} {:?}", note.text, note.values));
        } else if let Some(t) = user_meta.payload::<MuxerTiming>() {
            lines.push(format!("rust meta MuxerTiming::  buf_pts={} batch={}", t.buf_pts, t.batch));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ds_meta::BatchMeta;

    #[test]
    fn payloads_survive_a_buffer_copy_and_read_back() {
        ds_meta::init().unwrap();
        let mut buf = gst::Buffer::with_size(16).unwrap();
        {
            let b = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap();
            let f = b.add_frame_meta().unwrap();
            f.set_frame_num(7);
            f.set_buf_pts(1234);
            attach_payloads(f, 3).unwrap();
        }
        let copy = buf.copy(); // deep copy: the copy functions run
        drop(buf); // release functions run for the original
        let b = BatchMeta::from_buffer(&copy).unwrap();
        let f = b.frames().next().unwrap();
        assert_eq!(
            payload_lines(f),
            [
                "custom meta structId::  7",
                "custom meta msg::  test message 7",
                "custom meta sampleInt::  8",
                "rust meta FrameNote::  note of frame 7 [7.0, 7.0, 7.0, 7.0]",
                "rust meta MuxerTiming::  buf_pts=1234 batch=3",
            ]
        );
        // The C view's message points into the copy's own storage.
        let u = f.user_metas().next().unwrap();
        let c = CustomDataRef::from_user_meta(u).unwrap().as_c();
        assert_eq!(u.meta_type(), ds_meta::nvds_get_user_meta_type(CUSTOM_DATA_DESCRIPTOR));
        assert_eq!(u.user_meta_data() as *const CustomDataStruct, c as *const _, "user_meta_data is the C struct");
    }

    #[test]
    fn nul_in_message_ends_the_c_string() {
        assert_eq!(CustomData::new(1, "ab\0cd", 2).message.as_bytes(), b"ab");
    }
}
