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

// ---------------------------------------------------------------------------------------
// Owned payloads, for producers (the portable elements): attach with `add_c_user_meta`.
// ---------------------------------------------------------------------------------------

use crate::user::CPayload;
use crate::sys::NvDsMetaType;
use std::any::Any;
use std::ffi::{CString, c_void};

/// One output layer of a [`TensorOutput`]: FLOAT data with its dimensions (without batch).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputLayer {
    /// `layerName`.
    pub name: String,
    /// `inferDims.d[..numDims]` (at most 8).
    pub dims: Vec<u32>,
    /// The values, `product(dims)` of them.
    pub data: Vec<f32>,
}

/// Raw tensor output of a model on one frame or object (`NvDsInferTensorMeta`,
/// `NVDSINFER_TENSOR_OUTPUT_META`), as nvinfer attaches with `output-tensor-meta=1`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TensorOutput {
    /// `unique_id` (the component's `gie-unique-id`).
    pub unique_id: u32,
    /// `network_info`: input width, height, channels.
    pub network_info: sys::NvDsInferNetworkInfo,
    /// `gpu_id` (-1 on the portable backend).
    pub gpu_id: i32,
    /// `maintain_aspect_ratio`.
    pub maintain_aspect_ratio: bool,
    /// `symmetric_padding` (DeepStream 7.1 and later: a 7.0 build does not store it).
    pub symmetric_padding: bool,
    /// The output layers.
    pub layers: Vec<OutputLayer>,
}

struct TensorScratch {
    _names: Vec<CString>,
    infos: Vec<sys::NvDsInferLayerInfo>,
    host: Vec<*mut c_void>,
}

// SAFETY: the C view points into `self.layers` and the scratch arrays only.
unsafe impl CPayload for TensorOutput {
    type C = sys::NvDsInferTensorMeta;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDSINFER_TENSOR_OUTPUT_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        let names: Vec<CString> = self
            .layers
            .iter()
            .map(|l| CString::new(l.name.replace('\0', "")).unwrap_or_default())
            .collect();
        let infos: Vec<sys::NvDsInferLayerInfo> = self
            .layers
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (l, n))| {
                let mut dims = sys::NvDsInferDims::default();
                let nd = l.dims.len().min(sys::NVDSINFER_MAX_DIMS);
                dims.numDims = nd as u32;
                dims.d[..nd].copy_from_slice(&l.dims[..nd]);
                dims.numElements = l.data.len() as u32;
                sys::NvDsInferLayerInfo {
                    dataType: sys::NvDsInferDataType::FLOAT,
                    inferDims: dims,
                    bindingIndex: i as i32,
                    layerName: n.as_ptr(),
                    buffer: l.data.as_ptr() as *mut c_void,
                    isInput: 0,
                }
            })
            .collect();
        let host: Vec<*mut c_void> = self.layers.iter().map(|l| l.data.as_ptr() as *mut c_void).collect();
        let mut scratch = Box::new(TensorScratch { _names: names, infos, host });
        let c = sys::NvDsInferTensorMeta {
            unique_id: self.unique_id,
            num_output_layers: self.layers.len() as u32,
            output_layers_info: scratch.infos.as_mut_ptr(),
            out_buf_ptrs_host: scratch.host.as_mut_ptr(),
            out_buf_ptrs_dev: std::ptr::null_mut(),
            gpu_id: self.gpu_id,
            priv_data: std::ptr::null_mut(),
            network_info: self.network_info,
            maintain_aspect_ratio: self.maintain_aspect_ratio as i32,
            #[cfg(ds_abi_ge_71)]
            symmetric_padding: self.symmetric_padding as i32,
        };
        (c, scratch)
    }
}

/// A segmentation result (`NvDsInferSegmentationMeta`, `NVDSINFER_SEGMENTATION_META`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SegmentationMap {
    /// `classes`.
    pub classes: u32,
    /// `width` of the maps.
    pub width: u32,
    /// `height` of the maps.
    pub height: u32,
    /// `class_map`: `height × width` class ids, row-major (-1: background).
    pub class_map: Vec<i32>,
    /// `class_probabilities_map`: `classes × height × width`, or empty.
    pub class_probabilities: Vec<f32>,
    /// `unique_id` of the component.
    pub unique_id: i32,
}

// SAFETY: the C view points into `self`'s vectors only.
unsafe impl CPayload for SegmentationMap {
    type C = sys::NvDsInferSegmentationMeta;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDSINFER_SEGMENTATION_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        let probs = if self.class_probabilities.is_empty() {
            std::ptr::null_mut()
        } else {
            self.class_probabilities.as_ptr() as *mut f32
        };
        let c = sys::NvDsInferSegmentationMeta {
            classes: self.classes,
            width: self.width,
            height: self.height,
            class_map: self.class_map.as_ptr() as *mut i32,
            class_probabilities_map: probs,
            priv_data: std::ptr::null_mut(),
            unique_id: self.unique_id,
        };
        (c, Box::new(()))
    }
}

/// Motion vectors of a frame (`NvDsOpticalFlowMeta`, `NVDS_OPTICAL_FLOW_META`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpticalFlow {
    /// `rows` of the grid.
    pub rows: u32,
    /// `cols` of the grid.
    pub cols: u32,
    /// `frame_num`.
    pub frame_num: u64,
    /// `rows × cols` vectors, row-major (S10.5 fixed point).
    pub vectors: Vec<sys::NvOFFlowVector>,
}

// SAFETY: the C view points into `self.vectors` only.
unsafe impl CPayload for OpticalFlow {
    type C = sys::NvDsOpticalFlowMeta;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_OPTICAL_FLOW_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        let c = sys::NvDsOpticalFlowMeta {
            rows: self.rows,
            cols: self.cols,
            mv_size: (self.vectors.len() * size_of::<sys::NvOFFlowVector>()) as u32,
            cost_size: 0,
            frame_num: self.frame_num,
            data: self.vectors.as_ptr() as *mut c_void,
            cost: std::ptr::null_mut(),
            priv_: std::ptr::null_mut(),
            reserved: std::ptr::null_mut(),
        };
        (c, Box::new(()))
    }
}

/// One tracked object's past frames (owned `NvDsTargetMiscDataObject`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PastObject {
    /// `uniqueId`.
    pub unique_id: u64,
    /// `classId`.
    pub class_id: u16,
    /// `objLabel` (at most 127 bytes are kept).
    pub label: String,
    /// The frames (`list[..numObj]`).
    pub frames: Vec<PastFrame>,
}

/// One past frame of a target (owned `NvDsTargetMiscDataFrame`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PastFrame {
    /// `frameNum`.
    pub frame_num: u32,
    /// `tBbox` (pixels).
    pub bbox: sys::NvOSD_RectParams,
    /// `confidence`.
    pub confidence: f32,
    /// `age`.
    pub age: u32,
    /// `trackerState` (`None`: `ACTIVE`).
    pub state: Option<sys::TRACKER_STATE>,
}

/// One stream of past-frame data (owned `NvDsTargetMiscDataStream`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PastStream {
    /// `streamID`.
    pub stream_id: u32,
    /// `surfaceStreamID`.
    pub surface_stream_id: u64,
    /// The objects (`list[..numFilled]`).
    pub objects: Vec<PastObject>,
}

/// The tracker's past-frame data of a batch (owned `NvDsTargetMiscDataBatch`,
/// `NVDS_TRACKER_PAST_FRAME_META`, batch user metadata); read with [`TrackerPastFrames`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PastFrameData {
    /// The streams (`list[..numFilled]`).
    pub streams: Vec<PastStream>,
}

struct PastScratch {
    _frames: Vec<Vec<sys::NvDsTargetMiscDataFrame>>,
    _objects: Vec<Vec<sys::NvDsTargetMiscDataObject>>,
    streams: Vec<sys::NvDsTargetMiscDataStream>,
}

// SAFETY: the C view points into the scratch arrays only.
unsafe impl CPayload for PastFrameData {
    type C = sys::NvDsTargetMiscDataBatch;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_TRACKER_PAST_FRAME_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        let mut frames = Vec::new();
        let mut objects = Vec::new();
        let mut streams = Vec::new();
        for s in &self.streams {
            let mut objs = Vec::new();
            for o in &s.objects {
                let mut fs: Vec<sys::NvDsTargetMiscDataFrame> = o
                    .frames
                    .iter()
                    .map(|f| sys::NvDsTargetMiscDataFrame {
                        frameNum: f.frame_num,
                        tBbox: f.bbox,
                        confidence: f.confidence,
                        age: f.age,
                        trackerState: f.state.unwrap_or(sys::TRACKER_STATE::ACTIVE),
                        visibility: 1.0,
                        #[cfg(ds_abi_ge_90)]
                        ptWorldFeet: [0.0; 2],
                    })
                    .collect();
                let mut label = [0 as std::ffi::c_char; sys::MAX_LABEL_SIZE];
                let mut end = o.label.len().min(sys::MAX_LABEL_SIZE - 1);
                while !o.label.is_char_boundary(end) {
                    end -= 1;
                }
                for (d, &b) in label.iter_mut().zip(&o.label.as_bytes()[..end]) {
                    *d = b as std::ffi::c_char;
                }
                objs.push(sys::NvDsTargetMiscDataObject {
                    list: fs.as_mut_ptr(),
                    numObj: fs.len() as u32,
                    numAllocated: fs.len() as u32,
                    uniqueId: o.unique_id,
                    classId: o.class_id,
                    objLabel: label,
                });
                frames.push(fs); // moving the Vec keeps its heap buffer where it is
            }
            streams.push(sys::NvDsTargetMiscDataStream {
                list: objs.as_mut_ptr(),
                streamID: s.stream_id,
                surfaceStreamID: s.surface_stream_id,
                numAllocated: objs.len() as u32,
                numFilled: objs.len() as u32,
            });
            objects.push(objs);
        }
        let mut scratch = Box::new(PastScratch { _frames: frames, _objects: objects, streams });
        let c = sys::NvDsTargetMiscDataBatch {
            list: scratch.streams.as_mut_ptr(),
            numAllocated: scratch.streams.len() as u32,
            numFilled: scratch.streams.len() as u32,
            priv_data: std::ptr::null_mut(),
        };
        (c, scratch)
    }
}

/// An object's re-identification feature (owned `NvDsObjReid`, `NVDS_TRACKER_OBJ_REID_META`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReidFeature(pub Vec<f32>);

// SAFETY: the C view points into `self.0` only.
unsafe impl CPayload for ReidFeature {
    type C = sys::NvDsObjReid;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_TRACKER_OBJ_REID_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        let c = sys::NvDsObjReid {
            featureSize: self.0.len() as u32,
            ptr_host: self.0.as_ptr() as *mut f32,
            ptr_dev: std::ptr::null_mut(),
        };
        (c, Box::new(()))
    }
}
