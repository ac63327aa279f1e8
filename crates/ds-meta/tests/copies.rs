//! Payloads attached through our API and deep-copied with the buffer by the provider's
//! batch copy function (NVIDIA's `nvds_batch_meta_copy_func` under
//! `DS_META_PROVIDER=native`), read back from the copy after the original is gone.
//! (Tensor output, tracker data and analytics are copied in `payloads.rs` and
//! `analytics.rs`, which run under both providers the same way.)

mod common;

use ds_meta::BatchMeta;
use ds_meta::infer::SegmentationMap;

#[test]
fn segmentation_map_survives_a_buffer_copy() {
    common::init().unwrap();
    let mut buf = gst::Buffer::with_size(16).unwrap();
    {
        let b = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap();
        let f = b.add_frame_meta().unwrap();
        f.add_c_user_meta(SegmentationMap {
            classes: 3,
            width: 4,
            height: 2,
            class_map: vec![0, 1, 2, -1, 2, 2, 1, 0],
            class_probabilities: vec![0.5; 3 * 4 * 2],
            unique_id: 7,
        })
        .unwrap();
    }
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let s = b.frames().next().unwrap().user_metas().find_map(|u| u.segmentation()).unwrap();
    assert_eq!((s.classes(), s.width(), s.height(), s.unique_id()), (3, 4, 2, 7));
    let m = s.class_map().unwrap();
    assert_eq!(m.shape(), &[2, 4]);
    assert_eq!(m[[0, 3]], -1);
    assert_eq!(m[[1, 2]], 1);
    assert!(!s.as_sys().class_probabilities_map.is_null());
}

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_BICYCLE: i32 = 1;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const PGIE_CLASS_ID_ROADSIGN: i32 = 3;

/// deepstream-test1's probe (`apps/deepstream-test1/src/main.rs`), its code unchanged.
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    for frame_meta in batch_meta.frames_mut() {
        let mut obj_counter = [0u32; 4];
        for obj_meta in frame_meta.objects_mut() {
            let class = obj_meta.class_id();
            match class {
                PGIE_CLASS_ID_VEHICLE | PGIE_CLASS_ID_BICYCLE | PGIE_CLASS_ID_PERSON | PGIE_CLASS_ID_ROADSIGN => {
                    obj_counter[class as usize] += 1
                }
                _ => {}
            }
            obj_meta.rect_params_mut().border_color.set(0.0, 0.0, 1.0, 0.8);
        }
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize],
        );
        let display_meta = frame_meta.add_display_meta()?;
        let text_params = display_meta.add_label()?;
        text_params.set_display_text(&text)?;
        text_params.set_x_offset(10);
        text_params.set_y_offset(12);
        text_params.font_params_mut().set_font_name("Serif")?;
        text_params.font_params_mut().set_font_size(10);
        text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        text_params.set_bg_enabled(true);
        text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        println!("{}", text_params.display_text());
    }
    Ok(())
}

#[test]
fn test1_probe_runs_on_this_provider() {
    common::init().unwrap();
    let mut buf = gst::Buffer::with_size(16).unwrap();
    {
        let b = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap();
        let f = b.add_frame_meta().unwrap();
        f.set_frame_num(5);
        for class in [PGIE_CLASS_ID_PERSON, PGIE_CLASS_ID_VEHICLE, PGIE_CLASS_ID_PERSON, 7] {
            f.add_obj_meta(None).unwrap().set_class_id(class);
        }
    }
    osd_sink_pad_buffer_probe(buf.get_mut().unwrap()).unwrap();
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let f = b.frames().next().unwrap();
    let d = f.display_metas().next().unwrap();
    assert_eq!(d.labels()[0].display_text(), "Frame Number=5 Number of Objects=4 Vehicle_count=1 Person_count=2");
    assert_eq!(d.labels()[0].font_params().font_name(), "Serif");
    assert!(f.objects().all(|o| o.rect_params().border_color.alpha == 0.8));
}
