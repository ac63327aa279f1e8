//! nvdspreprocess metadata (`nvdspreprocess_meta.h`, `nvds_roi_meta.h`): the batch-level user
//! meta `GstNvDsPreProcessBatchMeta` of type [`NvDsMetaType::NVDS_PREPROCESS_BATCH_META`],
//! which carries one prepared input tensor ([`PreProcessTensorMeta`]) and the ROIs
//! ([`RoiMeta`], one per batch item of the tensor) it was made from. pyds binds the same
//! structs (`GstNvDsPreProcessBatchMeta.roi_vector`, `NvDsPreProcessTensorMeta`,
//! `NvDsRoiMeta`).
//!
//! Both structs are C++ (`std::vector`, `std::string` members): their layouts here are those of
//! libstdc++'s C++11 ABI on LP64, as in [`crate::analytics`] (vector = begin, end, end of
//! storage; string = pointer, length, 16 bytes). `NvDsRoiMeta` is a C struct of the reference
//! ABI table (240 bytes in 7.1).
//!
//! - **Reading** ([`crate::UserMeta::preprocess_batch`]) borrows the struct in place, for
//!   NVIDIA's nvdspreprocess (native provider) and the portable `dspreprocess` alike. The
//!   tensor data is readable from Rust only where it is host memory: the portable backend's
//!   ([`PreProcessTensorMeta::host_data`]); NVIDIA's is CUDA device memory
//!   ([`PreProcessTensorMeta::raw_tensor_buffer`]).
//! - **Writing** ([`crate::BatchMeta::add_preprocess_batch_meta`]) builds the same memory
//!   image from Rust-owned storage ([`PreprocessBatch`]); nothing but its release function
//!   may free or resize it.
//!
//! NVIDIA's nvdspreprocess attaches one such meta per tensor: when the ROIs (or frames) of a
//! batch are more than the tensor's batch dimension (`network-input-shape[0]`) it makes
//! several tensors, numbered by `meta_id` (0, 1, … within the buffer), the last one with a
//! smaller first dimension.

use std::ffi::{c_char, c_void};

use crate::analytics::sys::{CxxString, CxxVector};
use crate::error::{Error, Result};
use crate::meta::{BatchMeta, ClassifierMeta, FrameMeta, ObjectMeta, transparent};
use crate::list::MetaIter;
use crate::sys::{self, NvDsDataType, NvDsMetaType};
use crate::user::CPayload;

/// The C++ layouts (libstdc++, C++11 ABI, LP64).
pub mod cxx {
    use super::*;

    /// `NvDsPreProcessTensorMeta` (104 bytes with `maintain_aspect_ratio`).
    #[repr(C)]
    #[derive(Debug, Clone, Copy)]
    pub struct NvDsPreProcessTensorMeta {
        /// The tensor (CUDA device memory under DeepStream; host memory on the portable
        /// backend).
        pub raw_tensor_buffer: *mut c_void,
        /// Bytes of the tensor.
        pub buffer_size: u64,
        /// `std::vector<int>`: the tensor's shape as `network-input-shape`, first dimension
        /// the number of items in this tensor.
        pub tensor_shape: CxxVector<i32>,
        /// `NvDsDataType` of the elements.
        pub data_type: NvDsDataType,
        /// `std::string`: the model input it is for (`tensor-name`).
        pub tensor_name: CxxString,
        /// GPU of the tensor.
        pub gpu_id: u32,
        /// nvdspreprocess' buffer-pool handle (portable: a marker of host memory).
        pub private_data: *mut c_void,
        /// Index of this tensor among those of the same buffer.
        pub meta_id: u32,
        /// `maintain-aspect-ratio` of the preprocess config (newer DeepStream headers).
        pub maintain_aspect_ratio: i32,
    }

    /// `GstNvDsPreProcessBatchMeta` (64 bytes).
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct GstNvDsPreProcessBatchMeta {
        /// `std::vector<guint64>`: the `unique-id`s of the GIEs meant to use the tensor.
        pub target_unique_ids: CxxVector<u64>,
        /// The tensor, NULL when none was made.
        pub tensor_meta: *mut NvDsPreProcessTensorMeta,
        /// `std::vector<NvDsRoiMeta>`: one per batch item of the tensor, in order.
        pub roi_vector: CxxVector<sys::NvDsRoiMeta>,
        /// nvdspreprocess' scaling-pool buffer (portable: NULL).
        pub private_data: *mut c_void,
    }

    // SAFETY: plain data; pointers are only read under the metadata's lifetime.
    unsafe impl Send for GstNvDsPreProcessBatchMeta {}
    // SAFETY: as above.
    unsafe impl Sync for GstNvDsPreProcessBatchMeta {}
}

/// `private_data` of the tensors the portable backend makes: its address says "host memory".
static HOST_MARKER: u8 = 0;

fn host_marker() -> *mut c_void {
    &HOST_MARKER as *const u8 as *mut c_void
}

/// # Safety
/// `v` is a live vector.
unsafe fn vec_slice<'a, T>(v: &CxxVector<T>) -> &'a [T] {
    if v.start.is_null() || v.finish <= v.start {
        return &[];
    }
    // SAFETY: begin..end of a live vector.
    unsafe { std::slice::from_raw_parts(v.start, v.finish.offset_from(v.start) as usize) }
}

transparent! {
    /// `GstNvDsPreProcessBatchMeta`: one tensor made by nvdspreprocess and its ROIs.
    PreProcessBatchMeta => cxx::GstNvDsPreProcessBatchMeta
}

transparent! {
    /// `NvDsPreProcessTensorMeta`: a tensor prepared for a GIE's input layer.
    PreProcessTensorMeta => cxx::NvDsPreProcessTensorMeta
}

transparent! {
    /// `NvDsRoiMeta`: one ROI (or whole frame, or object) a batch item of the tensor was
    /// made from, with how it was scaled into the tensor.
    RoiMeta => sys::NvDsRoiMeta
}

impl PreProcessBatchMeta {
    /// `target_unique_ids`: the GIEs (`unique-id`) meant to infer on the tensor.
    pub fn target_unique_ids(&self) -> &[u64] {
        // SAFETY: a live vector of the struct.
        unsafe { vec_slice(&self.0.target_unique_ids) }
    }
    /// `tensor_meta`; `None` when no tensor was made.
    pub fn tensor_meta(&self) -> Option<&PreProcessTensorMeta> {
        // SAFETY: NULL or a live tensor meta owned by this struct.
        unsafe { self.0.tensor_meta.as_ref().map(|p| PreProcessTensorMeta::from_ptr(p)) }
    }
    /// `roi_vector`: one [`RoiMeta`] per batch item of the tensor, in order.
    pub fn roi_vector(&self) -> &[RoiMeta] {
        // SAFETY: a live vector of NvDsRoiMeta; RoiMeta is its transparent wrapper.
        unsafe {
            let s = vec_slice(&self.0.roi_vector);
            std::slice::from_raw_parts(s.as_ptr() as *const RoiMeta, s.len())
        }
    }
}

impl PreProcessTensorMeta {
    /// `raw_tensor_buffer`: the tensor's address (CUDA device memory under DeepStream).
    pub fn raw_tensor_buffer(&self) -> *mut c_void {
        self.0.raw_tensor_buffer
    }
    /// `buffer_size`, bytes.
    pub fn buffer_size(&self) -> u64 {
        self.0.buffer_size
    }
    /// `tensor_shape` (as `network-input-shape`; the first dimension is this tensor's item
    /// count).
    pub fn tensor_shape(&self) -> &[i32] {
        // SAFETY: a live vector of the struct.
        unsafe { vec_slice(&self.0.tensor_shape) }
    }
    /// `data_type`.
    pub fn data_type(&self) -> NvDsDataType {
        self.0.data_type
    }
    /// `tensor_name`: the model input layer it is for.
    pub fn tensor_name(&self) -> &str {
        let s = &self.0.tensor_name;
        if s.ptr.is_null() || s.len == 0 {
            return "";
        }
        // SAFETY: `len` bytes at `ptr` of a live string.
        let b = unsafe { std::slice::from_raw_parts(s.ptr as *const u8, s.len) };
        std::str::from_utf8(b).unwrap_or("")
    }
    /// `gpu_id`.
    pub fn gpu_id(&self) -> u32 {
        self.0.gpu_id
    }
    /// `meta_id`: index of this tensor among those attached to the same buffer.
    pub fn meta_id(&self) -> u32 {
        self.0.meta_id
    }
    /// `maintain_aspect_ratio`, where the struct has it: tensors of the portable backend, and
    /// NVIDIA's from DeepStream 8.0 on (`None` otherwise).
    pub fn maintain_aspect_ratio(&self) -> Option<bool> {
        (self.is_host() || cfg!(ds_abi_ge_80)).then_some(self.0.maintain_aspect_ratio != 0)
    }
    fn is_host(&self) -> bool {
        self.0.private_data == host_marker()
    }
    /// The tensor as host floats (`tensor_shape` product of them), if it is FP32 host memory:
    /// those the portable `dspreprocess` makes. `None` for NVIDIA's (device memory).
    pub fn host_data(&self) -> Option<&[f32]> {
        if !self.is_host() || self.0.data_type != NvDsDataType::NvDsDataType_FP32 || self.0.raw_tensor_buffer.is_null() {
            return None;
        }
        let n: usize = self.tensor_shape().iter().map(|&d| d.max(0) as usize).product();
        if (n * 4) as u64 > self.0.buffer_size {
            return None;
        }
        // SAFETY: the portable writer's buffer holds buffer_size bytes of f32.
        Some(unsafe { std::slice::from_raw_parts(self.0.raw_tensor_buffer as *const f32, n) })
    }
}

impl RoiMeta {
    /// `roi`: the rectangle in frame pixels (clipped to the frame).
    pub fn roi(&self) -> &crate::RectParams {
        &self.0.roi
    }
    /// `frame_meta`: the frame the ROI is on.
    pub fn frame_meta(&self) -> Option<&FrameMeta> {
        // SAFETY: NULL or a frame of the same batch meta.
        unsafe { self.0.frame_meta.as_ref().map(|p| FrameMeta::from_ptr(p)) }
    }
    /// `object_meta`: the object the unit was cut from (object mode), else `None`.
    pub fn object_meta(&self) -> Option<&ObjectMeta> {
        // SAFETY: NULL or an object of the same batch meta.
        unsafe { self.0.object_meta.as_ref().map(|p| ObjectMeta::from_ptr(p)) }
    }
    /// `scale_ratio_x`: tensor pixels per frame pixel, horizontally.
    pub fn scale_ratio_x(&self) -> f64 {
        self.0.scale_ratio_x
    }
    /// `scale_ratio_y`: tensor pixels per frame pixel, vertically.
    pub fn scale_ratio_y(&self) -> f64 {
        self.0.scale_ratio_y
    }
    /// `offset_left`: padding left of the scaled ROI in the tensor (symmetric padding), pixels.
    pub fn offset_left(&self) -> f64 {
        self.0.offset_left
    }
    /// `offset_top`: padding above the scaled ROI in the tensor, pixels.
    pub fn offset_top(&self) -> f64 {
        self.0.offset_top
    }
    /// `classifier_meta_list`: classifier results a GIE attached to the ROI.
    pub fn classifier_metas(&self) -> MetaIter<'_, ClassifierMeta> {
        // SAFETY: NULL or a GList of NvDsClassifierMeta.
        unsafe { MetaIter::new(self.0.classifier_meta_list) }
    }
    /// `roi_user_meta_list`: user metadata attached to the ROI.
    pub fn roi_user_metas(&self) -> MetaIter<'_, crate::UserMeta> {
        // SAFETY: NULL or a GList of NvDsUserMeta.
        unsafe { MetaIter::new(self.0.roi_user_meta_list) }
    }
    /// Maps a point of the tensor (network pixels) to frame pixels, undoing padding and
    /// scale as nvinfer does for `input-tensor-meta`:
    /// `x = (x' − offset_left) / scale_ratio_x + roi.left`.
    pub fn to_frame(&self, x: f64, y: f64) -> (f64, f64) {
        (
            (x - self.0.offset_left) / self.0.scale_ratio_x + self.0.roi.left as f64,
            (y - self.0.offset_top) / self.0.scale_ratio_y + self.0.roi.top as f64,
        )
    }
}

// ---- writing (portable backend) ---------------------------------------------------------

/// A tensor to attach (Rust-owned; FP32, host memory).
#[derive(Debug, Clone, PartialEq)]
pub struct PreprocessTensor {
    /// The values, `shape` product of them, in `shape`'s order.
    pub data: Vec<f32>,
    /// `tensor_shape`, e.g. `[items, channels, height, width]`.
    pub shape: Vec<i32>,
    /// `tensor_name`.
    pub tensor_name: String,
    /// `gpu_id`.
    pub gpu_id: u32,
    /// `meta_id`.
    pub meta_id: u32,
    /// `maintain_aspect_ratio`.
    pub maintain_aspect_ratio: bool,
}

/// One ROI of a [`PreprocessBatch`]: the frame (by `batch_id`) and how it was scaled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PreprocessRoi {
    /// `batch_id` of the frame in the batch (becomes `frame_meta`).
    pub batch_id: u32,
    /// ROI left, frame pixels.
    pub left: f32,
    /// ROI top.
    pub top: f32,
    /// ROI width.
    pub width: f32,
    /// ROI height.
    pub height: f32,
    /// `scale_ratio_x`.
    pub scale_ratio_x: f64,
    /// `scale_ratio_y`.
    pub scale_ratio_y: f64,
    /// `offset_left`.
    pub offset_left: f64,
    /// `offset_top`.
    pub offset_top: f64,
}

/// A `GstNvDsPreProcessBatchMeta` to attach with [`BatchMeta::add_preprocess_batch_meta`].
///
/// A copy of the metadata (the batch meta copied to another buffer) has `frame_meta` NULL in
/// its ROIs: the frames it pointed at belong to the original batch.
#[derive(Debug, PartialEq, Default)]
pub struct PreprocessBatch {
    /// `target_unique_ids`.
    pub target_unique_ids: Vec<u64>,
    /// The tensor (`None`: `tensor_meta` NULL).
    pub tensor: Option<PreprocessTensor>,
    /// `roi_vector`, one per batch item of the tensor.
    pub rois: Vec<PreprocessRoi>,
    /// Frame metas of `rois` (resolved when attached).
    frames: Vec<FramePtr>,
}

impl PreprocessBatch {
    /// A batch meta for `target_unique_ids` with `tensor` made from `rois`.
    pub fn new(target_unique_ids: Vec<u64>, tensor: Option<PreprocessTensor>, rois: Vec<PreprocessRoi>) -> PreprocessBatch {
        PreprocessBatch { target_unique_ids, tensor, rois, frames: Vec::new() }
    }
}

impl Clone for PreprocessBatch {
    fn clone(&self) -> Self {
        PreprocessBatch {
            target_unique_ids: self.target_unique_ids.clone(),
            tensor: self.tensor.clone(),
            rois: self.rois.clone(),
            frames: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct FramePtr(*mut sys::NvDsFrameMeta);
// SAFETY: an address into the batch meta the payload is attached to, only dereferenced by
// readers under that batch's lifetime.
unsafe impl Send for FramePtr {}
// SAFETY: as above.
unsafe impl Sync for FramePtr {}

#[derive(Default)]
struct Arena {
    shape: Vec<i32>,
    ids: Vec<u64>,
    rois: Vec<sys::NvDsRoiMeta>,
    name: Vec<u8>,
    tensor: Option<Box<cxx::NvDsPreProcessTensorMeta>>,
}

fn cxx_vec<T>(v: &[T]) -> CxxVector<T> {
    let start = v.as_ptr();
    // SAFETY: one past the end of the same allocation.
    let finish = unsafe { start.add(v.len()) };
    CxxVector { start, finish, end_of_storage: finish }
}

// SAFETY: the image points into the returned arena (heap allocations that stay in place)
// and into `self.tensor.data` (which stays in place while `self` lives unchanged).
unsafe impl CPayload for PreprocessBatch {
    type C = cxx::GstNvDsPreProcessBatchMeta;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_PREPROCESS_BATCH_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn std::any::Any>) {
        let mut a = Box::new(Arena { ids: self.target_unique_ids.clone(), ..Default::default() });
        for (i, r) in self.rois.iter().enumerate() {
            // SAFETY: a C struct of plain fields and pointers; zero is its empty value.
            let mut c: sys::NvDsRoiMeta = unsafe { std::mem::zeroed() };
            c.roi.left = r.left;
            c.roi.top = r.top;
            c.roi.width = r.width;
            c.roi.height = r.height;
            c.scale_ratio_x = r.scale_ratio_x;
            c.scale_ratio_y = r.scale_ratio_y;
            c.offset_left = r.offset_left;
            c.offset_top = r.offset_top;
            c.frame_meta = self.frames.get(i).map_or(std::ptr::null_mut(), |f| f.0);
            a.rois.push(c);
        }
        if let Some(t) = &self.tensor {
            a.shape = t.shape.clone();
            a.name = t.tensor_name.as_bytes().to_vec();
            a.name.push(0);
            let mut local = [0u8; 16];
            local[..8].copy_from_slice(&(t.tensor_name.len() as u64).to_le_bytes());
            a.tensor = Some(Box::new(cxx::NvDsPreProcessTensorMeta {
                raw_tensor_buffer: t.data.as_ptr() as *mut c_void,
                buffer_size: (t.data.len() * 4) as u64,
                tensor_shape: cxx_vec(&a.shape),
                data_type: NvDsDataType::NvDsDataType_FP32,
                tensor_name: CxxString { ptr: a.name.as_ptr() as *const c_char, len: t.tensor_name.len(), local },
                gpu_id: t.gpu_id,
                private_data: host_marker(),
                meta_id: t.meta_id,
                maintain_aspect_ratio: t.maintain_aspect_ratio as i32,
            }));
        }
        let c = cxx::GstNvDsPreProcessBatchMeta {
            target_unique_ids: cxx_vec(&a.ids),
            tensor_meta: a.tensor.as_deref_mut().map_or(std::ptr::null_mut(), |t| t as *mut _),
            roi_vector: cxx_vec(&a.rois),
            private_data: std::ptr::null_mut(),
        };
        (c, a)
    }
}

impl BatchMeta {
    /// Attaches a preprocess tensor and its ROIs as batch user meta of type
    /// `NVDS_PREPROCESS_BATCH_META` (what nvdspreprocess does per tensor). Each ROI's
    /// `batch_id` must name a frame of this batch.
    pub fn add_preprocess_batch_meta(&mut self, mut batch: PreprocessBatch) -> Result<&mut crate::UserMeta> {
        let mut frames = Vec::with_capacity(batch.rois.len());
        for r in &batch.rois {
            let f = self.frame(r.batch_id).ok_or(Error::NoSuchFrame { batch_id: r.batch_id, num_frames: self.num_frames_in_batch() })?;
            frames.push(FramePtr(f.as_ptr()));
        }
        batch.frames = frames;
        self.add_c_user_meta(batch)
    }

    /// The preprocess batch metas of this batch (`NVDS_PREPROCESS_BATCH_META` batch user
    /// metas), in list order.
    pub fn preprocess_batch_metas(&self) -> impl Iterator<Item = &PreProcessBatchMeta> {
        self.user_metas().filter_map(|u| u.preprocess_batch())
    }
}

impl crate::UserMeta {
    /// The `GstNvDsPreProcessBatchMeta` of this user meta, if it is one
    /// (`NVDS_PREPROCESS_BATCH_META`): NVIDIA's nvdspreprocess or the portable `dspreprocess`.
    pub fn preprocess_batch(&self) -> Option<&PreProcessBatchMeta> {
        let p = self.c_payload::<PreprocessBatch>()?;
        // SAFETY: a live struct of this metadata type.
        Some(unsafe { PreProcessBatchMeta::from_ptr(p) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    #[test]
    fn layouts_of_the_cxx_structs() {
        // libstdc++ C++11 ABI, LP64: vector 24 bytes, string 32.
        assert_eq!(size_of::<cxx::NvDsPreProcessTensorMeta>(), 104);
        assert_eq!(align_of::<cxx::NvDsPreProcessTensorMeta>(), 8);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, buffer_size), 8);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, tensor_shape), 16);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, data_type), 40);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, tensor_name), 48);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, gpu_id), 80);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, private_data), 88);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, meta_id), 96);
        assert_eq!(offset_of!(cxx::NvDsPreProcessTensorMeta, maintain_aspect_ratio), 100);
        assert_eq!(size_of::<cxx::GstNvDsPreProcessBatchMeta>(), 64);
        assert_eq!(offset_of!(cxx::GstNvDsPreProcessBatchMeta, tensor_meta), 24);
        assert_eq!(offset_of!(cxx::GstNvDsPreProcessBatchMeta, roi_vector), 32);
        assert_eq!(offset_of!(cxx::GstNvDsPreProcessBatchMeta, private_data), 56);
        // the vector's elements are the table's NvDsRoiMeta (240 bytes in 7.1)
        #[cfg(not(ds_abi_ge_90))]
        assert_eq!(size_of::<sys::NvDsRoiMeta>(), 240);
    }

    #[test]
    fn attached_meta_reads_back() -> crate::Result<()> {
        crate::init()?;
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        let data: Vec<f32> = (0..2 * 3 * 4 * 5).map(|x| x as f32 * 0.5).collect();
        {
            let b = BatchMeta::attach(buffer.get_mut().unwrap(), 2)?;
            b.add_frame_meta()?.set_source_id(0);
            b.add_frame_meta()?.set_source_id(3);
            let roi = PreprocessRoi {
                batch_id: 1,
                left: 10.0,
                top: 20.0,
                width: 100.0,
                height: 50.0,
                scale_ratio_x: 0.05,
                scale_ratio_y: 0.08,
                offset_left: 0.0,
                offset_top: 1.0,
            };
            let tensor = PreprocessTensor {
                data: data.clone(),
                shape: vec![2, 3, 4, 5],
                tensor_name: "input".into(),
                gpu_id: 0,
                meta_id: 0,
                maintain_aspect_ratio: true,
            };
            let batch = PreprocessBatch {
                target_unique_ids: vec![1, 7],
                tensor: Some(tensor),
                rois: vec![roi, PreprocessRoi { batch_id: 0, width: 5.0, height: 4.0, ..roi }],
                ..Default::default()
            };
            b.add_preprocess_batch_meta(batch)?;
            let bad = PreprocessBatch { rois: vec![PreprocessRoi { batch_id: 5, ..roi }], ..Default::default() };
            assert!(matches!(b.add_preprocess_batch_meta(bad), Err(Error::NoSuchFrame { batch_id: 5, .. })));
        }
        let b = BatchMeta::from_buffer(&buffer).unwrap();
        let m = b.preprocess_batch_metas().next().expect("a preprocess batch meta");
        assert_eq!(m.target_unique_ids(), &[1, 7]);
        let t = m.tensor_meta().unwrap();
        assert_eq!(t.tensor_shape(), &[2, 3, 4, 5]);
        assert_eq!(t.tensor_name(), "input");
        assert_eq!(t.buffer_size(), 480);
        assert_eq!(t.data_type(), NvDsDataType::NvDsDataType_FP32);
        assert_eq!(t.maintain_aspect_ratio(), Some(true));
        assert_eq!(t.host_data().unwrap(), &data[..]);
        let rois = m.roi_vector();
        assert_eq!(rois.len(), 2);
        assert_eq!(rois[0].frame_meta().unwrap().source_id(), 3);
        assert_eq!(rois[1].frame_meta().unwrap().source_id(), 0);
        assert_eq!((rois[0].roi().left, rois[0].roi().width), (10.0, 100.0));
        assert_eq!(rois[0].to_frame(5.0, 5.0), (110.0, 70.0));
        assert!(rois[0].object_meta().is_none());
        assert_eq!(rois[0].classifier_metas().count(), 0);
        Ok(())
    }
}
