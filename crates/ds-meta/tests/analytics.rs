//! nvdsanalytics metadata: the C++ layouts against the reference ABI table, and the portable
//! payloads attached to real buffers, copied with the buffer, and read back through the
//! reader that also reads NVIDIA's (the libstdc++ image).

mod common;

use std::mem::{offset_of, size_of};

use ds_meta::analytics::{self, sys};
use ds_meta::{AnalyticsFrameMeta, AnalyticsObjInfo, BatchMeta};

/// `(struct, field) -> (offset, size)` of the DS 7.1 column of the reference table.
fn table_rows() -> Vec<(String, String, usize, usize)> {
    let shared = format!(
        "{}/../../../shared/reference/ds71-abi.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let path = if std::path::Path::new(&shared).is_file() {
        shared
    } else {
        format!("{}/tests/data/ds71-abi.tsv", env!("CARGO_MANIFEST_DIR"))
    };
    let text = std::fs::read_to_string(&path).expect("reference table");
    text.lines()
        .filter(|l| l.starts_with("NvDsAnalytics"))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            // the DS 8.0 and 9.1 columns (`offset/size`) hold the same layout
            assert_eq!(c[7], format!("{}/{}", c[2], c[3]), "{l}");
            assert_eq!(c[8], c[7], "{l}");
            (
                c[0].to_string(),
                c[1].to_string(),
                c[2].parse().unwrap(),
                c[3].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn layouts_equal_the_reference_table_in_7_1_8_0_and_9_1() {
    let rows = table_rows();
    assert_eq!(rows.len(), 16, "{rows:?}");
    for (s, f, off, size) in rows {
        let got = match (s.as_str(), f.as_str()) {
            ("NvDsAnalyticsFrameMeta", "(sizeof)") => (0, size_of::<sys::NvDsAnalyticsFrameMeta>()),
            ("NvDsAnalyticsFrameMeta", "(alignof)") => {
                (0, std::mem::align_of::<sys::NvDsAnalyticsFrameMeta>())
            }
            ("NvDsAnalyticsFrameMeta", "ocStatus") => {
                (offset_of!(sys::NvDsAnalyticsFrameMeta, ocStatus), 56)
            }
            ("NvDsAnalyticsFrameMeta", "objInROIcnt") => {
                (offset_of!(sys::NvDsAnalyticsFrameMeta, objInROIcnt), 56)
            }
            ("NvDsAnalyticsFrameMeta", "objLCCurrCnt") => {
                (offset_of!(sys::NvDsAnalyticsFrameMeta, objLCCurrCnt), 56)
            }
            ("NvDsAnalyticsFrameMeta", "objLCCumCnt") => {
                (offset_of!(sys::NvDsAnalyticsFrameMeta, objLCCumCnt), 56)
            }
            ("NvDsAnalyticsFrameMeta", "unique_id") => {
                (offset_of!(sys::NvDsAnalyticsFrameMeta, unique_id), 4)
            }
            ("NvDsAnalyticsFrameMeta", "objCnt") => (
                offset_of!(sys::NvDsAnalyticsFrameMeta, objCnt),
                size_of::<sys::CxxHashtable>(),
            ),
            ("NvDsAnalyticsObjInfo", "(sizeof)") => (0, size_of::<sys::NvDsAnalyticsObjInfo>()),
            ("NvDsAnalyticsObjInfo", "(alignof)") => {
                (0, std::mem::align_of::<sys::NvDsAnalyticsObjInfo>())
            }
            ("NvDsAnalyticsObjInfo", "roiStatus") => {
                (offset_of!(sys::NvDsAnalyticsObjInfo, roiStatus), 24)
            }
            ("NvDsAnalyticsObjInfo", "ocStatus") => {
                (offset_of!(sys::NvDsAnalyticsObjInfo, ocStatus), 24)
            }
            ("NvDsAnalyticsObjInfo", "lcStatus") => (
                offset_of!(sys::NvDsAnalyticsObjInfo, lcStatus),
                size_of::<sys::CxxVector<sys::CxxString>>(),
            ),
            ("NvDsAnalyticsObjInfo", "dirStatus") => {
                (offset_of!(sys::NvDsAnalyticsObjInfo, dirStatus), 32)
            }
            ("NvDsAnalyticsObjInfo", "unique_id") => {
                (offset_of!(sys::NvDsAnalyticsObjInfo, unique_id), 4)
            }
            ("NvDsAnalyticsObjInfo", "objStatus") => (
                offset_of!(sys::NvDsAnalyticsObjInfo, objStatus),
                size_of::<sys::CxxString>(),
            ),
            other => panic!("row not covered: {other:?}"),
        };
        assert_eq!(got, (off, size), "{s}.{f}");
    }
}

#[test]
fn attached_copied_and_read_back_with_deepstreams_meta_types() {
    common::init().unwrap();
    let mut buf = gst::Buffer::with_size(16).unwrap();
    let mut frame_meta = AnalyticsFrameMeta {
        unique_id: 17,
        ..Default::default()
    };
    frame_meta.obj_in_roi_cnt.insert("Walkway".into(), 2);
    frame_meta.oc_status.insert("Crowd".into(), false);
    frame_meta.obj_lc_cum_cnt.insert("Crossing".into(), 4);
    frame_meta.obj_lc_curr_cnt.insert("Crossing".into(), 1);
    frame_meta.obj_cnt.insert(2, 3);
    let obj = AnalyticsObjInfo {
        roi_status: vec!["Walkway".into()],
        lc_status: vec!["Crossing".into()],
        obj_status: " ROI:Walkway LC:Crossing ".into(),
        unique_id: 17,
        ..Default::default()
    };
    {
        let b = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap();
        let f = b.add_frame_meta().unwrap();
        f.add_c_user_meta(frame_meta.clone()).unwrap();
        f.add_obj_meta(None)
            .unwrap()
            .add_c_user_meta(obj.clone())
            .unwrap();
    }
    // the copy functions rebuild the image; the original is released first
    let copy = buf.copy();
    drop(buf);
    let b = BatchMeta::from_buffer(&copy).unwrap();
    let f = b.frames().next().unwrap();
    let um = f.user_metas().next().unwrap();
    let (obj_type, frame_type) = analytics::analytics_meta_types();
    assert_eq!(
        um.meta_type(),
        ds_meta::nvds_get_user_meta_type("NVIDIA.DSANALYTICSFRAME.USER_META")
    );
    assert_eq!(um.meta_type(), frame_type);
    assert_eq!(um.analytics_frame(), Some(frame_meta));
    assert_eq!(
        um.analytics_obj(),
        None,
        "a frame meta is not an object meta"
    );
    let o = f.objects().next().unwrap().user_metas().next().unwrap();
    assert_eq!(o.meta_type(), obj_type);
    assert_eq!(o.analytics_obj(), Some(obj));
    assert_eq!(o.analytics_frame(), None);
}
