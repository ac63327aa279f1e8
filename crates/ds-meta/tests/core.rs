//! The safe API over the builtin provider, on real GStreamer buffers.

mod common;

use ds_meta::sys::{self, NvDsMetaType};
use ds_meta::{BatchMeta, Error, ExtObject, Person, UserPayload, Vehicle};
use std::sync::Arc;

fn init() {
    common::init().expect("the provider initialises");
}

fn batch_buffer(max_frames: u32, frames: u32) -> gst::Buffer {
    let mut buf = gst::Buffer::with_size(16).unwrap();
    let b = BatchMeta::attach(buf.get_mut().unwrap(), max_frames).unwrap();
    for i in 0..frames {
        let f = b.add_frame_meta().unwrap();
        f.set_source_id(i);
        f.set_pad_index(i);
        f.set_frame_num(100 + i as i32);
    }
    buf
}

#[test]
fn buffer_without_meta_has_none() {
    init();
    let mut buf = gst::Buffer::with_size(16).unwrap();
    assert!(BatchMeta::from_buffer(&buf).is_none());
    assert!(BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).is_none());
    assert!(ds_meta::gst_buffer_get_nvds_batch_meta(&buf).is_none());
}

#[test]
fn attach_get_and_iterate_frames_and_objects() {
    init();
    let mut buf = batch_buffer(4, 3);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        assert_eq!(b.max_frames_in_batch(), 4);
        assert_eq!(b.num_frames_in_batch(), 3);
        for frame in b.frames_mut() {
            for c in 0..3 {
                let o = frame.add_obj_meta(None).unwrap();
                o.set_class_id(c);
                o.set_confidence(0.5 + c as f32 / 10.0);
                o.rect_params_mut().left = 10.0 * c as f32;
                o.set_obj_label(&format!("class{c}")).unwrap();
            }
        }
    }
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let ids: Vec<u32> = b.frames().map(|f| f.batch_id()).collect();
    assert_eq!(ids, [0, 1, 2]);
    let f1 = b.frame(1).unwrap();
    assert_eq!(f1.source_id(), 1);
    assert_eq!(f1.frame_num(), 101);
    assert_eq!(f1.num_obj_meta(), 3);
    // The list order is the provider's: NVIDIA's nvds_add_obj_meta_to_frame prepends
    // (newest first), the builtin one appends.
    let mut objs: Vec<(&str, f32)> = f1.objects().map(|o| (o.obj_label(), o.rect_params().left)).collect();
    objs.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(objs, [("class0", 0.0), ("class1", 10.0), ("class2", 20.0)]);
    assert_eq!(b.nth_frame(2).unwrap().pad_index(), 2);
    // The C view agrees with the safe one.
    assert_eq!(b.as_sys().num_frames_in_batch, 3);
    assert_eq!(f1.objects().next().unwrap().as_sys().base_meta.meta_type, NvDsMetaType::NVDS_OBJ_META);
}

#[test]
fn attach_twice_and_overfull_batch_are_errors() {
    init();
    let mut buf = batch_buffer(2, 2);
    assert!(matches!(BatchMeta::attach(buf.get_mut().unwrap(), 2), Err(Error::BatchMetaExists)));
    let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
    let e = b.add_frame_meta().err().unwrap();
    assert!(matches!(e, Error::BatchFull { max: 2 }));
    assert!(e.to_string().contains("2 frames"));
}

#[test]
fn display_meta_text_and_colors() {
    init();
    let mut buf = batch_buffer(1, 1);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        let f = b.frames_mut().next().unwrap();
        let d = f.add_display_meta().unwrap();
        let t = d.add_label().unwrap();
        t.set_display_text("first").unwrap();
        t.set_display_text("Frame Number=1").unwrap(); // frees "first"
        t.font_params_mut().set_font_name("Serif").unwrap();
        t.font_params_mut().set_font_size(10);
        t.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        t.set_bg_enabled(true);
        t.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        let r = d.add_rect().unwrap();
        r.width = 5.0;
        r.border_color.set(0.0, 0.0, 1.0, 0.8);
        // pyds style: num_labels then index the array.
        d.set_num_labels(2).unwrap();
        d.text_params_mut()[1].set_display_text("second").unwrap();
        // Setting one field from another, no copy needed on the Rust side.
        let (first, rest) = d.labels_mut().split_at_mut(1);
        rest[0].set_display_text(first[0].display_text()).unwrap();
        assert!(matches!(d.set_num_labels(17), Err(Error::DisplayMetaFull { what: "labels", max: 16 })));
        d.set_num_lines(16).unwrap();
        assert!(d.add_line().is_err());
    }
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let f = b.frames().next().unwrap();
    let d = f.display_metas().next().unwrap();
    assert_eq!(d.num_labels(), 2);
    assert_eq!(d.labels()[0].display_text(), "Frame Number=1");
    assert_eq!(d.labels()[1].display_text(), "Frame Number=1");
    assert_ne!(d.labels()[0].as_sys().display_text, d.labels()[1].as_sys().display_text);
    assert_eq!(d.labels()[0].font_params().font_name(), "Serif");
    assert_eq!(d.labels()[0].font_params().font_size(), 10);
    assert!(d.labels()[0].bg_enabled());
    assert_eq!(*d.labels()[0].text_bg_clr(), ds_meta::ColorParams::rgba(0.0, 0.0, 0.0, 1.0));
    assert_eq!(d.rects().len(), 1);
    assert_eq!(d.rects()[0].border_color, ds_meta::ColorParams::rgba(0.0, 0.0, 1.0, 0.8));
}

#[test]
fn nul_in_string_is_an_error_naming_the_field() {
    init();
    let mut buf = batch_buffer(1, 1);
    let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
    let f = b.frames_mut().next().unwrap();
    let o = f.add_obj_meta(None).unwrap();
    let e = o.text_params_mut().set_display_text("a\0b").unwrap_err();
    assert!(e.to_string().contains("NvOSD_TextParams.display_text"), "{e}");
    let e = o.set_obj_label(&"x".repeat(128)).unwrap_err();
    assert!(matches!(e, Error::StringTooLong { len: 128, max: 127, .. }));
}

#[test]
fn object_parents_and_removal() {
    init();
    let mut buf = batch_buffer(1, 1);
    let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
    let f = b.frames_mut().next().unwrap();
    let car = f.add_obj_meta(None).unwrap();
    car.set_class_id(0);
    car.text_params_mut().set_display_text("car").unwrap();
    let car_key = car.key();
    let plate = f.add_obj_meta(Some(car_key)).unwrap();
    plate.set_class_id(9);
    assert_eq!(plate.parent(), Some(car_key));
    assert_eq!(f.object(car_key).unwrap().class_id(), 0);
    // A key from another frame is refused.
    let mut other = batch_buffer(1, 1);
    let ob = BatchMeta::from_buffer_mut(other.get_mut().unwrap()).unwrap();
    let foreign = ob.frames_mut().next().unwrap().add_obj_meta(None).unwrap().key();
    assert!(matches!(f.add_obj_meta(Some(foreign)), Err(Error::ParentNotInFrame)));

    f.retain_objects(|o| o.class_id() != 0);
    assert_eq!(f.num_obj_meta(), 1);
    let plate = f.objects().next().unwrap();
    assert_eq!(plate.class_id(), 9);
    assert!(plate.parent().is_none(), "parent cleared when removed");
    // The released object went back to the pool and comes out zeroed.
    let again = f.add_obj_meta(None).unwrap();
    assert_eq!(again.class_id(), 0);
    assert_eq!(again.text_params().display_text(), "");
    let pool = unsafe { &*b.as_sys().obj_meta_pool };
    assert_eq!(pool.num_full_elements, 2);
}

#[test]
fn classifier_and_label_info() {
    init();
    let mut buf = batch_buffer(1, 1);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        let f = b.frames_mut().next().unwrap();
        let o = f.add_obj_meta(None).unwrap();
        let c = o.add_classifier_meta().unwrap();
        c.set_unique_component_id(2);
        c.set_classifier_type("carcolor").unwrap();
        for (i, name) in ["red", "blue"].iter().enumerate() {
            let l = c.add_label_info().unwrap();
            l.set_result_label(name).unwrap();
            l.set_result_class_id(i as u32);
            l.set_result_prob(0.9);
            l.set_label_id(0);
        }
        c.label_infos_mut().find(|l| l.result_class_id() == 1).unwrap().set_p_result_label("navy blue, long label").unwrap();
        assert_eq!(c.num_labels(), 2);
    }
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let o = b.frames().next().unwrap().objects().next().unwrap();
    let c = o.classifier_metas().next().unwrap();
    assert_eq!(c.classifier_type(), "carcolor");
    assert_eq!(c.unique_component_id(), 2);
    // Order is the provider's (NVIDIA's prepends label infos); sorted by class id here.
    let mut labels: Vec<(u32, &str)> = c.label_infos().map(|l| (l.result_class_id(), l.label())).collect();
    labels.sort();
    assert_eq!(labels, [(0, "red"), (1, "navy blue, long label")]);
    assert_eq!(c.label_infos().next().unwrap().as_sys().base_meta.meta_type, NvDsMetaType::NVDS_LABEL_INFO_META);

    let mut buf2 = buf.copy();
    let b2 = BatchMeta::from_buffer_mut(buf2.get_mut().unwrap()).unwrap();
    let o2 = b2.frames_mut().next().unwrap().objects_mut().next().unwrap();
    let c2 = o2.classifier_metas_mut().next().unwrap();
    let mut copied: Vec<(u32, &str)> = c2.label_infos().map(|l| (l.result_class_id(), l.label())).collect();
    copied.sort();
    assert_eq!(copied, [(0, "red"), (1, "navy blue, long label")]);
    c2.retain_label_infos(|l| l.result_class_id() == 1);
    assert_eq!(c2.num_labels(), 1);
    o2.retain_classifier_metas(|_| false);
    assert_eq!(o2.classifier_metas().count(), 0);
    // The original is untouched.
    assert_eq!(c.num_labels(), 2);
}

#[test]
fn buffer_copy_deep_copies_the_batch_meta() {
    init();
    let mut buf = batch_buffer(2, 2);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        let f = b.frames_mut().next().unwrap();
        let o = f.add_obj_meta(None).unwrap();
        o.text_params_mut().set_display_text("orig").unwrap();
        o.mask_params_mut().alloc(2, 2)[3] = 0.5;
        f.add_display_meta().unwrap().add_label().unwrap().set_display_text("disp").unwrap();
    }
    let mut copy = buf.copy();
    let orig_ptr = BatchMeta::from_buffer(&buf).unwrap().as_ptr();
    {
        let c = BatchMeta::from_buffer_mut(copy.get_mut().unwrap()).unwrap();
        assert_ne!(c.as_ptr(), orig_ptr, "a deep copy, not a shared pointer");
        assert_eq!(c.num_frames_in_batch(), 2);
        assert_eq!(c.frames().map(|f| f.batch_id()).collect::<Vec<_>>(), [0, 1]);
        let f = c.frames_mut().next().unwrap();
        let o = f.objects_mut().next().unwrap();
        assert_eq!(o.text_params().display_text(), "orig");
        assert_eq!(o.mask_params().data(), &[0.0, 0.0, 0.0, 0.5]);
        // get_mask_array: the [height, width] view
        let m = o.mask_params().array().unwrap();
        assert_eq!((m.dim(), m[[1, 1]], m[[0, 1]]), ((2, 2), 0.5, 0.0));
        // Set from another buffer's metadata: a &str straight from one C field into another.
        let src = BatchMeta::from_buffer(&buf).unwrap();
        let src_label = src.frames().next().unwrap().display_metas().next().unwrap().labels()[0].display_text();
        o.text_params_mut().set_display_text(src_label).unwrap();
        assert_eq!(o.text_params().display_text(), "disp");
        o.text_params_mut().set_display_text("changed").unwrap();
        o.mask_params_mut().data_mut()[0] = 1.0;
        assert_eq!(f.display_metas().next().unwrap().labels()[0].display_text(), "disp");
    }
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let o = b.frames().next().unwrap().objects().next().unwrap();
    assert_eq!(o.text_params().display_text(), "orig");
    assert_eq!(o.mask_params().data()[0], 0.0);
    drop(buf);
    // The copy outlives the original.
    let c = BatchMeta::from_buffer(&copy).unwrap();
    assert_eq!(c.frames().next().unwrap().objects().next().unwrap().text_params().display_text(), "changed");
}

#[test]
fn frame_copy_into_another_batch_for_a_demuxer() {
    init();
    let mut buf = batch_buffer(2, 2);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        let f = b.frame_mut(1).unwrap();
        let parent = f.add_obj_meta(None).unwrap();
        parent.set_class_id(0);
        let k = parent.key();
        let child = f.add_obj_meta(Some(k)).unwrap();
        child.set_class_id(5);
        child.add_user_meta(Speed { kmh: 42.0 }).unwrap();
        f.add_display_meta().unwrap().add_label().unwrap().set_display_text("hello").unwrap();
        f.add_user_meta(Speed { kmh: 7.0 }).unwrap();
    }
    let mut out = gst::Buffer::with_size(16).unwrap();
    {
        let src = BatchMeta::from_buffer(&buf).unwrap().frame(1).unwrap();
        let dst = BatchMeta::attach(out.get_mut().unwrap(), 1).unwrap();
        let f = dst.add_frame_copy(src).unwrap();
        assert_eq!(f.batch_id(), 0);
        assert_eq!(f.source_id(), 1);
        assert_eq!(f.frame_num(), 101);
        assert!(dst.add_frame_copy(src).is_err(), "max 1 frame");
    }
    drop(buf);
    let b = BatchMeta::from_buffer(&out).unwrap();
    let f = b.frames().next().unwrap();
    let objs: Vec<_> = f.objects().collect();
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[1].parent(), Some(objs[0].key()), "parent maps to the copy");
    assert_eq!(f.object(objs[1].parent().unwrap()).unwrap().class_id(), 0);
    assert_eq!(objs[1].user_metas().next().unwrap().payload::<Speed>(), Some(&Speed { kmh: 42.0 }));
    assert_eq!(f.user_metas().next().unwrap().payload::<Speed>(), Some(&Speed { kmh: 7.0 }));
    assert_eq!(f.display_metas().next().unwrap().labels()[0].display_text(), "hello");
}

#[derive(Clone, Debug, PartialEq)]
struct Speed {
    kmh: f32,
}
impl UserPayload for Speed {
    const DESCRIPTOR: &'static str = "DSRS.TEST.SPEED";
}

#[derive(Clone, Debug, PartialEq)]
struct Note {
    text: String,
    tags: Vec<String>,
}
impl UserPayload for Note {
    const DESCRIPTOR: &'static str = "DSRS.TEST.NOTE";
}

/// Same descriptor as `Note`, different Rust type.
#[derive(Clone, Debug, PartialEq)]
struct Impostor(u8);
impl UserPayload for Impostor {
    const DESCRIPTOR: &'static str = "DSRS.TEST.NOTE";
}

#[test]
fn typed_user_meta_at_every_level() {
    init();
    let mut buf = batch_buffer(1, 1);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        b.add_user_meta(Note { text: "batch".into(), tags: vec!["b".into()] }).unwrap();
        let f = b.frames_mut().next().unwrap();
        f.add_user_meta(Speed { kmh: 1.5 }).unwrap();
        f.add_user_meta(Note { text: "frame".into(), tags: vec![] }).unwrap();
        let o = f.add_obj_meta(None).unwrap();
        let um = o.add_user_meta(Speed { kmh: 3.0 }).unwrap();
        um.payload_mut::<Speed>().unwrap().kmh = 4.0;
    }
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let bm = b.user_metas().next().unwrap();
    assert_eq!(bm.meta_type(), ds_meta::user_meta_type("DSRS.TEST.NOTE"));
    assert_eq!(bm.meta_type(), ds_meta::nvds_get_user_meta_type("DSRS.TEST.NOTE"));
    assert!(bm.meta_type().0 >= NvDsMetaType::NVDS_START_USER_META.0);
    assert_eq!(bm.payload::<Note>().unwrap().tags, ["b"]);
    assert!(bm.payload::<Speed>().is_none(), "other type");
    assert!(bm.payload::<Impostor>().is_none(), "same descriptor, other Rust type");
    let f = b.frames().next().unwrap();
    let speeds: Vec<f32> = f.user_metas().filter_map(|u| u.payload::<Speed>()).map(|s| s.kmh).collect();
    assert_eq!(speeds, [1.5]);
    let notes: Vec<&str> = f.user_metas().filter_map(|u| u.payload::<Note>()).map(|n| n.text.as_str()).collect();
    assert_eq!(notes, ["frame"]);
    let o = f.objects().next().unwrap();
    assert_eq!(o.user_metas().next().unwrap().payload::<Speed>().unwrap().kmh, 4.0);
    assert!(o.user_metas().next().unwrap().event_msg().is_none());
}

/// A payload whose clones are counted by the `Arc`'s strong count.
#[derive(Clone)]
struct Counted(#[allow(dead_code)] Arc<()>);
impl UserPayload for Counted {
    const DESCRIPTOR: &'static str = "DSRS.TEST.COUNTED";
}

#[test]
fn user_meta_removal_runs_release() {
    init();
    let token = Arc::new(());
    let mut buf = batch_buffer(1, 1);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        b.add_user_meta(Counted(token.clone())).unwrap();
        let f = b.frames_mut().next().unwrap();
        f.add_user_meta(Counted(token.clone())).unwrap();
        let o = f.add_obj_meta(None).unwrap();
        o.add_user_meta(Counted(token.clone())).unwrap();
        o.add_user_meta(Speed { kmh: 0.0 }).unwrap();
        assert_eq!(Arc::strong_count(&token), 4);
        o.retain_user_metas(|u| u.payload::<Counted>().is_none());
        assert_eq!(Arc::strong_count(&token), 3);
        assert_eq!(o.user_metas().count(), 1);
        f.retain_user_metas(|_| false);
        assert_eq!(Arc::strong_count(&token), 2);
    }
    let copy = buf.copy();
    assert_eq!(Arc::strong_count(&token), 3, "copy clones the payload");
    drop(buf);
    assert_eq!(Arc::strong_count(&token), 2);
    {
        let mut copy = copy;
        BatchMeta::from_buffer_mut(copy.get_mut().unwrap()).unwrap().retain_user_metas(|_| false);
        assert_eq!(Arc::strong_count(&token), 1);
    }
}

#[test]
fn frame_removal_releases_everything_it_holds() {
    init();
    let token = Arc::new(());
    let mut buf = batch_buffer(3, 3);
    let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
    for f in b.frames_mut() {
        f.add_obj_meta(None).unwrap().add_user_meta(Counted(token.clone())).unwrap();
    }
    assert_eq!(Arc::strong_count(&token), 4);
    b.retain_frames(|f| f.batch_id() == 1);
    assert_eq!(b.num_frames_in_batch(), 1);
    assert_eq!(Arc::strong_count(&token), 2);
    assert_eq!(b.frames().next().unwrap().batch_id(), 1);
}

#[test]
fn event_msg_meta_with_extensions() {
    init();
    let mut buf = batch_buffer(1, 1);
    {
        let b = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap();
        let f = b.frames_mut().next().unwrap();
        let m = f.add_event_msg_meta().unwrap();
        m.bbox_mut().top = 5.0;
        m.set_frame_id(30);
        m.set_tracking_id(7);
        m.set_confidence(0.75);
        m.set_sensor_str("sensor-0").unwrap();
        m.set_ts_now().unwrap();
        m.set_event_type(ds_meta::NvDsEventType::NVDS_EVENT_MOVING);
        let v = Vehicle {
            type_: "sedan".into(),
            color: "blue".into(),
            make: "Bugatti".into(),
            model: "M".into(),
            license: "XX1234".into(),
            region: "CA".into(),
        };
        m.set_ext(&ExtObject::Vehicle(v.clone())).unwrap();
        assert_eq!(m.obj_type(), ds_meta::NvDsObjectType::NVDS_OBJECT_TYPE_VEHICLE);
        assert_eq!(m.as_sys().extMsgSize as usize, size_of::<sys::NvDsVehicleObject>());
        let p = Person { age: 45, cap: "none".into(), hair: "black".into(), gender: "male".into(), apparel: "formal".into() };
        let m2 = f.add_event_msg_meta().unwrap();
        m2.set_ext(&ExtObject::Vehicle(v)).unwrap();
        m2.set_ext(&ExtObject::Person(p)).unwrap(); // replaces, freeing the vehicle
        m2.set_other_attrs("a=b").unwrap();
        assert!(m2.set_ext(&ExtObject::Person(Person { gender: "x\0".into(), ..Default::default() })).is_err());
        assert!(matches!(m2.ext(), Some(ExtObject::Person(ref p)) if p.age == 45), "failed set leaves it unchanged");
        let m3 = f.add_event_msg_meta().unwrap();
        m3.set_ext(&ExtObject::Face(ds_meta::Face { name: "n".into(), age: 3, ..Default::default() })).unwrap();
        m3.clear_ext();
        assert!(m3.ext().is_none());
    }
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let f = b.frames().next().unwrap();
    let msgs: Vec<_> = f.user_metas().filter_map(|u| u.event_msg()).collect();
    assert_eq!(msgs.len(), 3);
    assert_eq!(f.user_metas().next().unwrap().meta_type(), NvDsMetaType::NVDS_EVENT_MSG_META);
    let m = msgs[0];
    assert_eq!(m.sensor_str(), "sensor-0");
    assert_eq!((m.frame_id(), m.tracking_id(), m.confidence(), m.bbox().top), (30, 7, 0.75, 5.0));
    assert_eq!(m.ts().len(), 24, "{}", m.ts());
    match m.ext() {
        Some(ExtObject::Vehicle(v)) => assert_eq!((v.make.as_str(), v.license.as_str()), ("Bugatti", "XX1234")),
        other => panic!("expected a vehicle, got {other:?}"),
    }
    match msgs[1].ext() {
        Some(ExtObject::Person(p)) => assert_eq!((p.age, p.apparel.as_str()), (45, "formal")),
        other => panic!("expected a person, got {other:?}"),
    }
    assert_eq!(msgs[1].other_attrs(), "a=b");
    assert_eq!(msgs[1].object_id(), "");

    // the frame's events as the C array a message converter library gets (pyds
    // alloc_nvds_event): one per message, in order, pointing at the messages themselves
    let events = ds_meta::Events::from_frame(f);
    assert_eq!(events.len(), 3);
    let c = events.as_c();
    assert_eq!(c[0].eventType, ds_meta::NvDsEventType::NVDS_EVENT_MOVING);
    assert_eq!(c[0].metadata as *const sys::NvDsEventMsgMeta, msgs[0].as_sys() as *const _);
    assert_eq!(c[2].metadata as *const sys::NvDsEventMsgMeta, msgs[2].as_sys() as *const _);
    let (t, m) = events.get(1).unwrap();
    assert_eq!((t, m.other_attrs()), (msgs[1].event_type(), "a=b"));
    assert!(events.get(3).is_none());
    let mut mine = ds_meta::Events::new();
    assert!(mine.is_empty());
    mine.push(ds_meta::NvDsEventType::NVDS_EVENT_ENTRY, msgs[2]);
    assert_eq!((mine.len(), mine.as_c()[0].eventType), (1, ds_meta::NvDsEventType::NVDS_EVENT_ENTRY));
}

#[test]
fn timestamps_are_rfc3339_with_milliseconds() {
    let t = chrono::DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap();
    assert_eq!(ds_meta::event::format_ts_rfc3339(t), "2023-11-14T22:13:20.123Z");
    let now = ds_meta::generate_ts_rfc3339();
    let b = now.as_bytes();
    assert_eq!(b.len(), 24, "{now}");
    assert_eq!((b[4], b[7], b[10], b[13], b[16], b[19], b[23]), (b'-', b'-', b'T', b':', b':', b'.', b'Z'));
}

#[test]
fn batch_caps_do_not_link_to_plain_video() {
    init();
    let caps = ds_meta::batch::batch_caps(1280, 720, gst::Fraction::new(30, 1));
    assert!(ds_meta::batch::is_batch_caps(&caps));
    assert!(caps.to_string().contains("memory:DsBatch"));
    let plain = gst::Caps::builder("video/x-raw").field("format", "RGBA").build();
    assert!(!ds_meta::batch::is_batch_caps(&plain));
    assert!(!caps.can_intersect(&plain));
    assert_eq!(ds_meta::CAPS_FEATURE_BATCH, "memory:DsBatch");
}

#[test]
fn meta_lock_is_reentrant_and_released() {
    init();
    let buf = batch_buffer(1, 1);
    let b = BatchMeta::from_buffer(&buf).unwrap();
    let g1 = b.lock();
    let g2 = b.lock();
    drop(g2);
    drop(g1);
    // Released: another thread can take it.
    let addr = b.as_ptr() as usize;
    std::thread::spawn(move || unsafe {
        let b = BatchMeta::from_ptr(addr as *const sys::NvDsBatchMeta);
        drop(b.lock());
    })
    .join()
    .unwrap();
}

#[test]
fn display_meta_shapes_copy_and_removal() {
    init();
    let mut buf = batch_buffer(1, 1);
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        let d = f.add_display_meta().unwrap();
        let l = d.add_line().unwrap();
        (l.x1, l.y1, l.x2, l.y2, l.line_width) = (1, 2, 30, 40, 3);
        l.line_color.set(1.0, 0.0, 0.0, 1.0);
        let a = d.add_arrow().unwrap();
        (a.x2, a.arrow_head) = (50, sys::NvOSD_Arrow_Head_Direction::BOTH_HEAD);
        let c = d.add_circle().unwrap();
        (c.xc, c.yc, c.radius) = (10, 11, 5);
        c.circle_color.set(0.0, 1.0, 0.0, 0.5);
        d.misc_osd_data_mut()[0] = 99;
        let gone = f.add_display_meta().unwrap();
        gone.add_label().unwrap().set_display_text("remove me").unwrap();
        assert_eq!(f.display_metas().count(), 2);
        f.retain_display_metas(|d| d.num_labels() == 0);
    }
    let copy = buf.copy();
    drop(buf);
    let f = BatchMeta::from_buffer(&copy).unwrap().frames().next().unwrap();
    assert_eq!(f.display_metas().count(), 1);
    let d = f.display_metas().next().unwrap();
    assert_eq!((d.num_lines(), d.num_arrows(), d.num_circles(), d.num_rects()), (1, 1, 1, 0));
    assert_eq!((d.lines()[0].x2, d.lines()[0].line_width), (30, 3));
    assert_eq!(d.lines()[0].line_color, ds_meta::ColorParams::rgba(1.0, 0.0, 0.0, 1.0));
    assert_eq!(d.arrows()[0].arrow_head, sys::NvOSD_Arrow_Head_Direction::BOTH_HEAD);
    assert_eq!((d.circles()[0].xc, d.circles()[0].radius), (10, 5));
    assert_eq!(d.misc_osd_data()[0], 99);
    assert_eq!(d.as_sys().base_meta.meta_type, NvDsMetaType::NVDS_DISPLAY_META);
}

#[test]
fn frame_fields_round_trip() {
    init();
    let mut buf = batch_buffer(1, 1);
    {
        let f = BatchMeta::from_buffer_mut(buf.get_mut().unwrap()).unwrap().frames_mut().next().unwrap();
        f.set_buf_pts(1_000_000_000);
        f.set_ntp_timestamp(1_700_000_000_000_000_000);
        f.set_source_frame_width(1920);
        f.set_source_frame_height(1080);
        f.set_infer_done(true);
        f.misc_frame_info_mut()[3] = -1;
        let o = f.add_obj_meta(None).unwrap();
        o.set_object_id(sys::UNTRACKED_OBJECT_ID);
        o.detector_bbox_mut().width = 12.5;
        o.tracker_bbox_mut().height = 7.0;
        o.set_tracker_confidence(0.3);
        o.misc_obj_info_mut()[0] = 5;
    }
    let f = BatchMeta::from_buffer(&buf).unwrap().frames().next().unwrap();
    assert_eq!((f.buf_pts(), f.ntp_timestamp()), (1_000_000_000, 1_700_000_000_000_000_000));
    assert_eq!((f.source_frame_width(), f.source_frame_height()), (1920, 1080));
    assert!(f.infer_done());
    assert_eq!(f.as_sys().bInferDone, 1);
    assert_eq!(f.misc_frame_info()[3], -1);
    let o = f.objects().next().unwrap();
    assert_eq!(o.object_id(), u64::MAX);
    assert_eq!((o.detector_bbox().width, o.tracker_bbox().height, o.tracker_confidence()), (12.5, 7.0, 0.3));
    assert_eq!(o.misc_obj_info()[0], 5);
    assert!(o.parent().is_none());
}
