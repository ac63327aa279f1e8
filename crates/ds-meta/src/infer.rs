//! Read-only views of DeepStream's own user-metadata payloads: tensor output and
//! segmentation (`nvdsinfer.h`, `gstnvdsinfer.h`), optical flow
//! (`nvds_opticalflow_meta.h`), tracker past-frame data and re-identification
//! (`nvds_tracker_meta.h`). Reach them through [`crate::UserMeta`]'s typed readers.

use crate::meta::transparent;
use crate::strings;
use crate::sys;
use ndarray::ArrayView2;

transparent! {
    /// `NvDsInferTensorMeta`: raw output tensors of a model (`output-tensor-meta=1`).
    InferTensorMeta => sys::NvDsInferTensorMeta
}

/// One output layer of a [`InferTensorMeta`] (`NvDsInferLayerInfo`, with `buffer` pointing
/// at the host copy as pyds `get_nvds_LayerInfo` sets it).
#[derive(Clone, Copy)]
pub struct LayerInfo<'a> {
    info: &'a sys::NvDsInferLayerInfo,
    host: *const std::ffi::c_void,
}

impl InferTensorMeta {
    /// `unique_id` of the inference component.
    pub fn unique_id(&self) -> u32 {
        self.0.unique_id
    }
    /// `num_output_layers`.
    pub fn num_output_layers(&self) -> u32 {
        self.0.num_output_layers
    }
    /// `network_info`: input width, height, channels.
    pub fn network_info(&self) -> &sys::NvDsInferNetworkInfo {
        &self.0.network_info
    }
    /// `gpu_id`.
    pub fn gpu_id(&self) -> i32 {
        self.0.gpu_id
    }
    /// Output layer `i` (pyds `get_nvds_LayerInfo(meta, i)`); `None` past the end.
    #[doc(alias = "get_nvds_LayerInfo")]
    pub fn layer(&self, i: usize) -> Option<LayerInfo<'_>> {
        if i >= self.0.num_output_layers as usize || self.0.output_layers_info.is_null() {
            return None;
        }
        // SAFETY: arrays of num_output_layers entries.
        unsafe {
            let info = &*self.0.output_layers_info.add(i);
            let host = if self.0.out_buf_ptrs_host.is_null() { info.buffer } else { *self.0.out_buf_ptrs_host.add(i) };
            Some(LayerInfo { info, host })
        }
    }
    /// All output layers.
    pub fn layers(&self) -> impl Iterator<Item = LayerInfo<'_>> {
        (0..self.0.num_output_layers as usize).filter_map(|i| self.layer(i))
    }
}

impl<'a> LayerInfo<'a> {
    /// `layerName`.
    pub fn name(&self) -> &'a str {
        // SAFETY: NULL or a C string owned by the inference component.
        unsafe { strings::read(self.info.layerName) }
    }
    /// `dataType`.
    pub fn data_type(&self) -> sys::NvDsInferDataType {
        self.info.dataType
    }
    /// `inferDims`: dimensions without the batch.
    pub fn dims(&self) -> &'a sys::NvDsInferDims {
        &self.info.inferDims
    }
    /// `bindingIndex`.
    pub fn binding_index(&self) -> i32 {
        self.info.bindingIndex
    }
    /// The host buffer as floats (`numElements` of them); `None` unless `dataType` is FLOAT.
    #[doc(alias = "get_detections")]
    pub fn as_f32(&self) -> Option<&'a [f32]> {
        if self.info.dataType != sys::NvDsInferDataType::FLOAT || self.host.is_null() {
            return None;
        }
        // SAFETY: a FLOAT layer holds numElements floats on the host.
        Some(unsafe { std::slice::from_raw_parts(self.host as *const f32, self.info.inferDims.numElements as usize) })
    }
}

transparent! {
    /// `NvDsInferSegmentationMeta`: per-pixel classes of a segmentation model.
    InferSegmentationMeta => sys::NvDsInferSegmentationMeta
}

impl InferSegmentationMeta {
    /// `classes`.
    pub fn classes(&self) -> u32 {
        self.0.classes
    }
    /// `width` of the maps.
    pub fn width(&self) -> u32 {
        self.0.width
    }
    /// `height` of the maps.
    pub fn height(&self) -> u32 {
        self.0.height
    }
    /// `unique_id` of the component.
    pub fn unique_id(&self) -> i32 {
        self.0.unique_id
    }
    /// `class_map` as `[height, width]` class ids (-1: background) without a copy
    /// (pyds `get_segmentation_masks`); `None` when absent.
    #[doc(alias = "get_segmentation_masks")]
    pub fn class_map(&self) -> Option<ArrayView2<'_, i32>> {
        if self.0.class_map.is_null() {
            return None;
        }
        let (h, w) = (self.0.height as usize, self.0.width as usize);
        // SAFETY: class_map holds height × width ints.
        let s = unsafe { std::slice::from_raw_parts(self.0.class_map, h * w) };
        ArrayView2::from_shape((h, w), s).ok()
    }
}

transparent! {
    /// `NvDsOpticalFlowMeta`: a grid of motion vectors.
    OpticalFlowMeta => sys::NvDsOpticalFlowMeta
}

impl OpticalFlowMeta {
    /// `rows` of the grid.
    pub fn rows(&self) -> u32 {
        self.0.rows
    }
    /// `cols` of the grid.
    pub fn cols(&self) -> u32 {
        self.0.cols
    }
    /// `frame_num`.
    pub fn frame_num(&self) -> u64 {
        self.0.frame_num
    }
    /// The vectors, row-major `rows × cols`.
    pub fn vectors(&self) -> &[sys::NvOFFlowVector] {
        if self.0.data.is_null() {
            return &[];
        }
        // SAFETY: data holds rows × cols vectors.
        unsafe {
            std::slice::from_raw_parts(self.0.data as *const sys::NvOFFlowVector, (self.0.rows * self.0.cols) as usize)
        }
    }
    /// The vectors as a new `[rows, cols, 2]` float array of (flowx, flowy)
    /// (pyds `get_optical_flow_vectors`; values as stored, S10.5 fixed point).
    #[doc(alias = "get_optical_flow_vectors")]
    pub fn to_array(&self) -> ndarray::Array3<f32> {
        let (r, c) = (self.0.rows as usize, self.0.cols as usize);
        let v: Vec<f32> = self.vectors().iter().flat_map(|v| [v.flowx as f32, v.flowy as f32]).collect();
        ndarray::Array3::from_shape_vec((r, c, 2), v).unwrap_or_else(|_| ndarray::Array3::zeros((0, 0, 2)))
    }
}

transparent! {
    /// `NvDsTargetMiscDataBatch`: the tracker's past-frame data (`NVDS_TRACKER_PAST_FRAME_META`).
    TrackerPastFrames => sys::NvDsTargetMiscDataBatch
}

impl TrackerPastFrames {
    /// The streams (`list[..numFilled]`, pyds `list()`).
    pub fn streams(&self) -> &[sys::NvDsTargetMiscDataStream] {
        // SAFETY: list holds numFilled streams.
        unsafe { slice(self.0.list, self.0.numFilled) }
    }
    /// The objects of a stream (`list[..numFilled]`).
    pub fn objects(stream: &sys::NvDsTargetMiscDataStream) -> &[sys::NvDsTargetMiscDataObject] {
        // SAFETY: list holds numFilled objects.
        unsafe { slice(stream.list, stream.numFilled) }
    }
    /// The past frames of an object (`list[..numObj]`).
    pub fn frames(object: &sys::NvDsTargetMiscDataObject) -> &[sys::NvDsTargetMiscDataFrame] {
        // SAFETY: list holds numObj frames.
        unsafe { slice(object.list, object.numObj) }
    }
    /// An object's `objLabel`.
    pub fn obj_label(object: &sys::NvDsTargetMiscDataObject) -> &str {
        strings::read_array(&object.objLabel)
    }
}

unsafe fn slice<'a, T>(p: *const T, n: u32) -> &'a [T] {
    if p.is_null() { &[] } else { unsafe { std::slice::from_raw_parts(p, n as usize) } }
}

transparent! {
    /// `NvDsObjReid`: an object's re-identification feature (`NVDS_TRACKER_OBJ_REID_META`).
    ObjReid => sys::NvDsObjReid
}

impl ObjReid {
    /// The feature vector (`featureSize` floats at `ptr_host`; pyds `get_host_reid_vector`).
    #[doc(alias = "get_host_reid_vector")]
    pub fn host_vector(&self) -> &[f32] {
        // SAFETY: ptr_host holds featureSize floats.
        unsafe { slice(self.0.ptr_host, self.0.featureSize) }
    }
}
