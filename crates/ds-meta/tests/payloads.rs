//! DeepStream's own payloads (tensor output, segmentation, optical flow, tracker data,
//! re-identification) and an application's C struct, attached and read on real buffers.

mod common;

use ds_meta::infer::*;
use ds_meta::sys::{self, NvDsMetaType};
use ds_meta::{BatchMeta, CPayload};
use std::ffi::{CString, c_char};

fn buffer() -> gst::Buffer {
    common::init().unwrap();
    let mut buf = gst::Buffer::with_size(16).unwrap();
    BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap().add_frame_meta().unwrap();
    buf
}

#[test]
fn tensor_output_reads_like_nvinfer_output() {
    let mut buf = buffer();
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        f.add_c_user_meta(TensorOutput {
            unique_id: 1,
            network_info: sys::NvDsInferNetworkInfo { width: 300, height: 300, channels: 3 },
            gpu_id: -1,
            layers: vec![
                OutputLayer { name: "scores".into(), dims: vec![2, 3], data: vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6] },
                OutputLayer { name: "boxes".into(), dims: vec![4], data: vec![1.0, 2.0, 3.0, 4.0] },
            ],
            ..Default::default()
        })
        .unwrap();
    }
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let um = b.frames().next().unwrap().user_metas().next().unwrap();
    assert_eq!(um.meta_type(), NvDsMetaType::NVDSINFER_TENSOR_OUTPUT_META);
    let t = um.tensor_output().unwrap();
    assert_eq!((t.unique_id(), t.num_output_layers(), t.network_info().width), (1, 2, 300));
    let names: Vec<&str> = t.layers().map(|l| l.name()).collect();
    assert_eq!(names, ["scores", "boxes"]);
    let scores = t.layer(0).unwrap();
    assert_eq!(scores.dims().numDims, 2);
    assert_eq!(&scores.dims().d[..2], &[2, 3]);
    assert_eq!(scores.dims().numElements, 6);
    assert_eq!(scores.as_f32().unwrap()[5], 0.6);
    assert_eq!(t.layer(1).unwrap().as_f32().unwrap(), &[1.0, 2.0, 3.0, 4.0]);
    assert!(t.layer(2).is_none());
    assert!(um.segmentation().is_none());
    assert_eq!(um.c_payload::<TensorOutput>().unwrap().num_output_layers, 2);
}

#[test]
fn segmentation_class_map_is_a_2d_view() {
    let mut buf = buffer();
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        f.add_c_user_meta(SegmentationMap {
            classes: 2,
            width: 3,
            height: 2,
            class_map: vec![0, 1, -1, 1, 1, 0],
            class_probabilities: vec![],
            unique_id: 4,
        })
        .unwrap();
    }
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let s = b.frames().next().unwrap().user_metas().find_map(|u| u.segmentation()).unwrap();
    assert_eq!((s.classes(), s.width(), s.height(), s.unique_id()), (2, 3, 2, 4));
    let m = s.class_map().unwrap();
    assert_eq!(m.shape(), &[2, 3]);
    assert_eq!(m[[0, 2]], -1);
    assert_eq!(m[[1, 0]], 1);
    assert!(s.as_sys().class_probabilities_map.is_null());
}

#[test]
fn optical_flow_vectors() {
    let mut buf = buffer();
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        let v = |x, y| sys::NvOFFlowVector { flowx: x, flowy: y };
        f.add_c_user_meta(OpticalFlow { rows: 1, cols: 2, frame_num: 9, vectors: vec![v(32, -64), v(0, 16)] }).unwrap();
    }
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let of = b.frames().next().unwrap().user_metas().find_map(|u| u.optical_flow()).unwrap();
    assert_eq!((of.rows(), of.cols(), of.frame_num()), (1, 2, 9));
    let a = of.to_array();
    assert_eq!(a.shape(), &[1, 2, 2]);
    assert_eq!((a[[0, 0, 0]], a[[0, 0, 1]], a[[0, 1, 1]]), (32.0, -64.0, 16.0));
}

#[test]
fn tracker_past_frames_and_reid() {
    let mut buf = buffer();
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        let frames = (0..3).map(|i| PastFrame { frame_num: i, confidence: 0.9, age: i, ..Default::default() }).collect();
        b.add_c_user_meta(PastFrameData {
            streams: vec![PastStream {
                stream_id: 0,
                surface_stream_id: 0,
                objects: vec![PastObject { unique_id: 77, class_id: 2, label: "Person".into(), frames }],
            }],
        })
        .unwrap();
        let f = b.frames_mut().next().unwrap();
        f.add_obj_meta(None).unwrap().add_c_user_meta(ReidFeature(vec![0.25; 8])).unwrap();
    }
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let past = b.user_metas().find_map(|u| u.tracker_past_frames()).unwrap();
    let streams = past.streams();
    assert_eq!(streams.len(), 1);
    let objs = TrackerPastFrames::objects(&streams[0]);
    assert_eq!((objs[0].uniqueId, objs[0].classId), (77, 2));
    assert_eq!(TrackerPastFrames::obj_label(&objs[0]), "Person");
    let frames: Vec<u32> = TrackerPastFrames::frames(&objs[0]).iter().map(|f| f.frameNum).collect();
    assert_eq!(frames, [0, 1, 2]);
    let obj = b.frames().next().unwrap().objects().next().unwrap();
    let reid = obj.user_metas().find_map(|u| u.obj_reid()).unwrap();
    assert_eq!(reid.host_vector(), &[0.25; 8]);
}

/// deepstream-custom-binding-test's `CustomDataStruct { int structId; char* message; int sampleInt; }`.
#[repr(C)]
#[derive(Clone, Copy)]
struct CustomDataStruct {
    struct_id: i32,
    message: *const c_char,
    sample_int: i32,
}

#[derive(Clone)]
struct Custom {
    id: i32,
    message: CString,
    sample: i32,
}

// SAFETY: `message` points into self.message's heap buffer.
unsafe impl CPayload for Custom {
    type C = CustomDataStruct;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_USER_META
    }
    fn to_c(&self) -> (CustomDataStruct, Box<dyn std::any::Any>) {
        (CustomDataStruct { struct_id: self.id, message: self.message.as_ptr(), sample_int: self.sample }, Box::new(()))
    }
}

#[test]
fn custom_c_struct_as_in_custom_binding_sample() {
    let mut buf = buffer();
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        let msg = CString::new(format!("test message {}", f.frame_num())).unwrap();
        f.add_c_user_meta(Custom { id: 0, message: msg, sample: 1 }).unwrap();
    }
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let um = b.frames().next().unwrap().user_metas().next().unwrap();
    assert_eq!(um.meta_type(), NvDsMetaType::NVDS_USER_META);
    let c = um.c_payload::<Custom>().unwrap();
    assert_eq!((c.struct_id, c.sample_int), (0, 1));
    assert_eq!(unsafe { std::ffi::CStr::from_ptr(c.message) }.to_str().unwrap(), "test message 0");
}

#[test]
fn nvds_payload_reads_like_nvmsgconv_output_and_survives_a_copy() {
    let mut buf = buffer();
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        f.add_c_user_meta(ds_meta::Payload { bytes: b"{\"a\":1}".to_vec(), component_id: 7 }).unwrap();
    }
    let check = |b: &gst::BufferRef| {
        let batch = BatchMeta::from_buffer(b).unwrap();
        let u = batch.frames().next().unwrap().user_metas().next().unwrap();
        assert_eq!(u.meta_type(), NvDsMetaType::NVDS_PAYLOAD_META);
        assert_eq!(u.nvds_payload(), Some((&b"{\"a\":1}"[..], 7)));
        // What NVIDIA's nvmsgbroker reads: user_meta_data is an NvDsPayload.
        let p = unsafe { &*(u.user_meta_data() as *const sys::NvDsPayload) };
        assert_eq!((p.payloadSize, p.componentId), (7, 7));
        let bytes = unsafe { std::slice::from_raw_parts(p.payload as *const u8, p.payloadSize as usize) };
        assert_eq!(bytes, b"{\"a\":1}");
    };
    check(buf.as_ref());
    let copy = buf.copy();
    drop(buf);
    check(copy.as_ref());
}
