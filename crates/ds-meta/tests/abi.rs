//! Every size, alignment, field offset, enum value and define of `sys` against the
//! DeepStream 7.1 reference table `shared/reference/ds71-abi.tsv` (read here, not retyped).
//! Rows marked UNCERTAIN are checked too and listed as provisional.
//! `DS71_ABI_TSV` overrides the table's path.

use ds_meta::sys::{self, Layout};
use std::collections::HashMap;

struct StructInfo {
    size: usize,
    align: usize,
    fields: Vec<(&'static str, usize, usize)>,
}

fn info<T: Layout>() -> (&'static str, StructInfo) {
    (T::NAME, StructInfo { size: size_of::<T>(), align: align_of::<T>(), fields: T::fields() })
}

fn structs() -> HashMap<&'static str, StructInfo> {
    use sys::*;
    [
        info::<NvDsBaseMeta>(), info::<NvDsMetaPool>(), info::<NvDsBatchMeta>(), info::<NvDsFrameMeta>(),
        info::<NvDsObjectMeta>(), info::<NvDsClassifierMeta>(), info::<NvDsLabelInfo>(),
        info::<NvDsDisplayMeta>(), info::<NvDsUserMeta>(), info::<NvDsComp_BboxInfo>(),
        info::<NvBbox_Coords>(), info::<NvOSD_ColorParams>(), info::<NvOSD_FontParams>(),
        info::<NvOSD_TextParams>(), info::<NvOSD_RectParams>(), info::<NvOSD_LineParams>(),
        info::<NvOSD_ArrowParams>(), info::<NvOSD_CircleParams>(), info::<NvOSD_MaskParams>(),
        info::<NvOSD_Color_info>(), info::<NvDsMeta>(), info::<NvDsRoiMeta>(), info::<NvDsEventMsgMeta>(),
        info::<NvDsVehicleObject>(), info::<NvDsPersonObject>(), info::<NvDsFaceObject>(),
        info::<NvDsEvent>(), info::<NvDsPayload>(), info::<NvDsRect>(), info::<NvDsGeoLocation>(),
        info::<NvDsCoordinate>(), info::<NvDsObjectSignature>(), info::<NvDsJoints>(), info::<NvDsJoint>(),
        info::<NvDsEmbedding>(), info::<NvDsConvexHull>(), info::<NvDs3DTracking>(),
        info::<NvDsProductObject>(), info::<NvDsInferTensorMeta>(), info::<NvDsInferLayerInfo>(),
        info::<NvDsInferDims>(), info::<NvDsInferNetworkInfo>(), info::<NvDsInferSegmentationMeta>(),
        info::<NvDsInferObjectDetectionInfo>(), info::<NvDsInferAttribute>(),
        info::<NvDsOpticalFlowMeta>(), info::<NvOFFlowVector>(), info::<NvDsFrameLatencyInfo>(),
        info::<NvDsMetaCompLatency>(), info::<NvBufSurface>(), info::<NvBufSurfaceParams>(),
        info::<NvBufSurfacePlaneParams>(), info::<NvBufSurfaceMappedAddr>(), info::<NvBufSurfaceParamsEx>(),
        info::<NvBufSurfacePlaneParamsEx>(), info::<NvBufSurfaceChromaSubsamplingParams>(),
        info::<NvBufSurfaceCreateParams>(), info::<NvBufSurfaceAllocateParams>(),
        info::<NvDsTargetMiscDataFrame>(), info::<NvDsTargetMiscDataObject>(),
        info::<NvDsTargetMiscDataStream>(), info::<NvDsTargetMiscDataBatch>(), info::<NvDsReidTensorBatch>(),
        info::<NvDsObjReid>(), info::<NvDsObjConvexHull>(),
    ]
    .into_iter()
    .collect()
}

fn enums() -> HashMap<&'static str, Vec<(&'static str, i64)>> {
    fn e<T: Copy>(name: &'static str, v: &[(&'static str, T)], f: fn(T) -> i32) -> (&'static str, Vec<(&'static str, i64)>) {
        (name, v.iter().map(|&(n, x)| (n, f(x) as i64)).collect())
    }
    use sys::*;
    [
        e("NvDsMetaType", NvDsMetaType::VARIANTS, |x| x.0),
        e("GstNvDsMetaType", GstNvDsMetaType::VARIANTS, |x| x.0),
        e("NvDsEventType", NvDsEventType::VARIANTS, |x| x.0),
        e("NvDsObjectType", NvDsObjectType::VARIANTS, |x| x.0),
        e("NvDsPayloadType", NvDsPayloadType::VARIANTS, |x| x.0),
        e("NvDsInferDataType", NvDsInferDataType::VARIANTS, |x| x.0),
        e("NvBufSurfaceMemType", NvBufSurfaceMemType::VARIANTS, |x| x.0),
        e("NvBufSurfaceLayout", NvBufSurfaceLayout::VARIANTS, |x| x.0),
        e("NvBufSurfaceColorFormat", NvBufSurfaceColorFormat::VARIANTS, |x| x.0),
        e("NvBufSurfaceMemMapFlags", NvBufSurfaceMemMapFlags::VARIANTS, |x| x.0),
        e("NvOSD_Arrow_Head_Direction", NvOSD_Arrow_Head_Direction::VARIANTS, |x| x.0),
        e("TRACKER_STATE", TRACKER_STATE::VARIANTS, |x| x.0),
        e("NvDsDataType", NvDsDataType::VARIANTS, |x| x.0),
        e("NvDsUnitType", NvDsUnitType::VARIANTS, |x| x.0),
    ]
    .into_iter()
    .collect()
}

/// C++ structs (STL members), not part of this crate's `sys` (the issue leaves them out).
const OUT_OF_SCOPE: &[&str] = &["NvDsAnalyticsFrameMeta", "NvDsAnalyticsObjInfo"];

/// The project's reference table (`../shared/reference/ds71-abi.tsv`, beside the checkout
/// in CI), the copy in `tests/data` (a verbatim copy, so a clone alone can run this test),
/// or `DS71_ABI_TSV`.
fn abi_table() -> String {
    if let Ok(p) = std::env::var("DS71_ABI_TSV") {
        return p;
    }
    let shared = format!("{}/../../../shared/reference/ds71-abi.tsv", env!("CARGO_MANIFEST_DIR"));
    if std::path::Path::new(&shared).is_file() {
        return shared;
    }
    format!("{}/tests/data/ds71-abi.tsv", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_copy_of_the_reference_table_is_current() {
    let shared = format!("{}/../../../shared/reference/ds71-abi.tsv", env!("CARGO_MANIFEST_DIR"));
    let Ok(reference) = std::fs::read(&shared) else {
        return; // no ../shared beside this checkout: the copy is all there is
    };
    let copy = std::fs::read(format!("{}/tests/data/ds71-abi.tsv", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert!(copy == reference, "tests/data/ds71-abi.tsv differs from {shared}: copy it again");
}

#[test]
fn layouts_match_ds71_reference_table() {
    let path = abi_table();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let structs = structs();
    let enums = enums();
    let (mut checked, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    let mut provisional = Vec::new();
    let mut seen_structs = std::collections::HashSet::new();

    for (lineno, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 6, "{path}:{}: expected ≥ 6 columns: {line}", lineno + 1);
        let (st, field, kind, conf) = (cols[0], cols[1], cols[4], cols[5]);
        let offset: i128 = cols[2].parse().unwrap_or_else(|_| panic!("{path}:{}: bad offset {}", lineno + 1, cols[2]));
        let size: Option<usize> = cols[3].parse().ok();
        if OUT_OF_SCOPE.contains(&st) {
            skipped += 1;
            continue;
        }
        let row = format!("{st}.{field} ({kind})");
        let result: Result<(), String> = match kind {
            "sizeof" | "alignof" | "field" | "field(anon-union-member)" => match structs.get(st) {
                None => Err("struct missing from sys".into()),
                Some(s) => {
                    seen_structs.insert(st);
                    let want = size.unwrap_or(0);
                    match kind {
                        "sizeof" => (s.size == want).then_some(()).ok_or(format!("size {} != {want}", s.size)),
                        "alignof" => (s.align == want).then_some(()).ok_or(format!("align {} != {want}", s.align)),
                        _ => match s.fields.iter().find(|f| f.0 == field) {
                            None => Err("field missing from sys".into()),
                            Some(&(_, off, sz)) => (off as i128 == offset && sz == want)
                                .then_some(())
                                .ok_or(format!("offset/size {off}/{sz} != {offset}/{want}")),
                        },
                    }
                }
            },
            "enum" => match enums.get(st).and_then(|v| v.iter().find(|(n, _)| *n == field)) {
                None => Err("enumerator missing from sys".into()),
                Some(&(_, v)) => (v as i128 == offset).then_some(()).ok_or(format!("value {v} != {offset}")),
            },
            "define" => match sys::DEFINES.iter().find(|(n, _)| *n == field) {
                None => Err("define missing from sys".into()),
                Some(&(_, v)) => (v as i128 == offset).then_some(()).ok_or(format!("value {v} != {offset}")),
            },
            other => Err(format!("unknown kind {other}")),
        };
        checked += 1;
        match result {
            Err(e) => failures.push(format!("{row}: {e} [{conf}]")),
            Ok(()) if conf.starts_with("UNCERTAIN") => provisional.push(row),
            Ok(()) => {}
        }
    }

    // Every struct of sys that the table knows has been checked; note those it does not.
    let unlisted: Vec<_> = structs.keys().filter(|k| !seen_structs.contains(*k)).collect();
    println!("ds71-abi.tsv: {checked} rows checked, {skipped} rows of C++ analytics structs skipped");
    println!("provisional (UNCERTAIN in the table, matching its best estimate; verify on DS 7.1): {} rows", provisional.len());
    for p in &provisional {
        println!("  provisional: {p}");
    }
    assert!(unlisted.is_empty(), "structs of sys not in the table: {unlisted:?}");
    assert!(checked > 600, "only {checked} rows read from {path}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn version_traps() {
    // The numbers the reference notes call out, independent of the table.
    assert_eq!(size_of::<sys::NvDsFrameMeta>(), 200);
    assert_eq!(size_of::<sys::NvDsInferTensorMeta>(), 72);
    assert_eq!(sys::NvDsMetaType::NVDS_USER_META.0, 7);
    assert_eq!(sys::NvDsMetaType::NVDS_GST_CUSTOM_META.0, 4096);
    assert_eq!(sys::NvDsMetaType::NVDS_AUDIO_BATCH_META.0, 24);
    assert_eq!(format!("{:?}", sys::NvDsMetaType(9)), "NVDS_EVENT_MSG_META");
    assert_eq!(format!("{:?}", sys::NvDsMetaType(12345)), "NvDsMetaType(12345)");
}
