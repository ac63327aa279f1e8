//! The native provider on NVIDIA's own DeepStream 9.1 `libnvds_meta.so` and
//! `libnvdsgst_meta.so` (fetched by `scripts/setup.sh` into `models/deepstream-9.1/lib`;
//! `DS_META_LIB_DIR` names another folder). One test: the provider is process-wide.
//!
//! - Built with 9.1 layouts (`DS_META_ABI=9.1 cargo test -p ds-meta --test native`): the
//!   provider starts, metadata written through our API is deep-copied by NVIDIA's
//!   `nvds_batch_meta_copy_func` with the buffer, and reads back the same.
//! - Built with any other version's layouts (the default build has 7.1's): starting it
//!   fails with the error naming both versions.

use ds_meta::{BatchMeta, Error, Provider, UserPayload};

#[derive(Debug, Clone, PartialEq)]
struct Note(String);
impl UserPayload for Note {
    const DESCRIPTOR: &'static str = "DSRS.NATIVETEST.NOTE";
}

fn lib_dir() -> String {
    if let Ok(d) = std::env::var("DS_META_LIB_DIR") {
        return d;
    }
    let d = format!("{}/../../models/deepstream-9.1/lib", env!("CARGO_MANIFEST_DIR"));
    assert!(
        std::path::Path::new(&d).join("libnvds_meta.so").is_file(),
        "{d}/libnvds_meta.so missing: run scripts/setup.sh (it fetches DeepStream 9.1's libraries)"
    );
    // SAFETY: the only test of this binary; no other thread reads the environment.
    unsafe { std::env::set_var("DS_META_LIB_DIR", &d) };
    d
}

#[test]
fn native_provider_on_nvidias_91_libraries() {
    let dir = lib_dir();
    gst::init().unwrap();
    let (version, path) = ds_meta::native_library_version().expect("NVIDIA's libraries load");
    assert_eq!(version, "9.0 or 9.1", "{path}");
    assert!(path.starts_with(&dir), "{path} not from {dir}");

    if ds_meta::sys::ABI_VERSION != "9.1" {
        let e = ds_meta::set_provider(Provider::Native).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::NativeAbiMismatch { .. }), "{msg}");
        assert!(msg.contains("version 9.0 or 9.1"), "library's version named: {msg}");
        assert!(msg.contains(&format!("DeepStream {}'s layouts", ds_meta::sys::ABI_VERSION)), "layouts named: {msg}");
        // The pools that differ: 7.x has other frame sizes, 8.0 other object and display sizes.
        let differing = if ds_meta::sys::ABI_VERSION == "8.0" { "object 552 bytes (layouts: 544)" } else { "frame 232 bytes (layouts: 200)" };
        assert!(msg.contains(differing), "the differing pool named: {msg}");
        println!("{msg}");
        // Nothing was chosen: the builtin provider still starts.
        ds_meta::set_provider(Provider::Builtin).unwrap();
        return;
    }

    ds_meta::set_provider(Provider::Native).unwrap();
    assert_eq!(ds_meta::current_provider(), Provider::Native);
    let mut buf = gst::Buffer::with_size(64).unwrap();
    {
        let b = BatchMeta::attach(buf.get_mut().unwrap(), 2).unwrap();
        // NVIDIA's nvds_create_batch_meta leaves it 0; attach sets it.
        assert_eq!(b.max_frames_in_batch(), 2);
        for n in 0..2 {
            let f = b.add_frame_meta().unwrap();
            f.set_frame_num(10 + n);
            f.set_source_id(n as u32);
            let o = f.add_obj_meta(None).unwrap();
            o.set_class_id(2);
            o.set_obj_label("person").unwrap();
            o.rect_params_mut().left = 11.5;
            o.rect_params_mut().width = 40.0;
            o.text_params_mut().set_display_text(&format!("person {n}")).unwrap();
            let c = o.add_classifier_meta().unwrap();
            c.add_label_info().unwrap().set_p_result_label("a long label that needs the heap").unwrap();
            o.add_user_meta(Note(format!("object of frame {n}"))).unwrap();
            let d = f.add_display_meta().unwrap();
            d.add_label().unwrap().set_display_text(&format!("Frame {n}")).unwrap();
            f.add_user_meta(Note(format!("frame {n}"))).unwrap();
            let e = f.add_event_msg_meta().unwrap();
            e.set_sensor_str("sensor-0").unwrap();
            e.set_other_attrs("x=y").unwrap();
        }
    }
    // The buffer copy goes through NVIDIA's nvds_batch_meta_copy_func.
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    assert_eq!(b.num_frames_in_batch(), 2);
    for (n, f) in b.frames().enumerate() {
        assert_eq!(f.frame_num(), 10 + n as i32);
        assert_eq!(f.source_id(), n as u32);
        let o = f.objects().next().unwrap();
        assert_eq!(o.class_id(), 2);
        assert_eq!(o.obj_label(), "person");
        assert_eq!(o.rect_params().left, 11.5);
        assert_eq!(o.rect_params().width, 40.0);
        assert_eq!(o.text_params().display_text(), format!("person {n}"));
        let c = o.classifier_metas().next().unwrap();
        assert_eq!(c.label_infos().next().unwrap().label(), "a long label that needs the heap");
        assert_eq!(o.user_metas().find_map(|u| u.payload::<Note>()), Some(&Note(format!("object of frame {n}"))));
        assert_eq!(f.display_metas().next().unwrap().labels()[0].display_text(), format!("Frame {n}"));
        assert_eq!(f.user_metas().find_map(|u| u.payload::<Note>()), Some(&Note(format!("frame {n}"))));
        let e = f.user_metas().find_map(|u| u.event_msg()).unwrap();
        assert_eq!(e.sensor_str(), "sensor-0");
        assert_eq!(e.other_attrs(), "x=y");
    }
}
