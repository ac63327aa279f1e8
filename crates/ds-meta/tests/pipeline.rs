//! The builtin GstMeta survives real elements that make new output buffers (transforms
//! copy metas without tags). Under the native provider (`DS_META_PROVIDER=native`) the
//! test records what NVIDIA's 9.1 library does instead.

mod common;

use ds_meta::BatchMeta;
use gst::prelude::*;

#[test]
fn batch_meta_survives_videoconvert() {
    common::init().unwrap();
    let pipeline = gst::parse::launch(
        "appsrc name=src format=time caps=video/x-raw,format=RGBA,width=4,height=2,framerate=30/1 \
         ! videoconvert ! video/x-raw,format=BGRA ! appsink name=sink sync=false",
    )
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let src = pipeline.by_name("src").unwrap();
    let sink = pipeline.by_name("sink").unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();

    let mut buf = gst::Buffer::from_slice(vec![255u8; 4 * 2 * 4]);
    let input_ptr;
    {
        let b = buf.get_mut().unwrap();
        b.set_pts(gst::ClockTime::ZERO);
        let bm = BatchMeta::attach(b, 1).unwrap();
        input_ptr = bm.as_ptr();
        let f = bm.add_frame_meta().unwrap();
        f.set_frame_num(42);
        f.add_obj_meta(None).unwrap().text_params_mut().set_display_text("through the pipeline").unwrap();
    }
    let ret: gst::FlowReturn = src.emit_by_name("push-buffer", &[&buf]);
    assert_eq!(ret, gst::FlowReturn::Ok);
    drop(buf);
    let sample: Option<gst::Sample> = sink.emit_by_name("try-pull-sample", &[&(5 * gst::ClockTime::SECOND)]);
    let sample = sample.expect("a sample from appsink");
    let out = sample.buffer().unwrap();
    assert_eq!(out.map_readable().unwrap().as_slice()[..4], [255, 255, 255, 255]);
    if ds_meta::current_provider() == ds_meta::Provider::Native {
        // Measured on NVIDIA's 9.1 libnvdsgst_meta.so: its NvDsMeta does not come through
        // videoconvert's new output buffer (DeepStream pipelines convert with nvvideoconvert).
        assert!(BatchMeta::from_buffer(out).is_none(), "NVIDIA's NvDsMeta came through videoconvert");
        drop(sample);
        pipeline.set_state(gst::State::Null).unwrap();
        return;
    }
    let bm = BatchMeta::from_buffer(out).expect("batch meta on the converted buffer");
    let f = bm.frames().next().unwrap();
    assert_eq!(f.frame_num(), 42);
    assert_eq!(f.objects().next().unwrap().text_params().display_text(), "through the pipeline");
    assert_ne!(bm.as_ptr(), input_ptr, "videoconvert made a new buffer with a copied batch meta");
    drop(sample);
    pipeline.set_state(gst::State::Null).unwrap();
}
