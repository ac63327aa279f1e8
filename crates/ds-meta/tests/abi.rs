//! Every size, alignment, field offset, enum value and define of `sys` against the
//! reference table `shared/reference/ds71-abi.tsv` (read here, not retyped), in the column
//! of the DeepStream version this build's layouts are for (`sys::ABI_VERSION`): 7.1
//! (`offset`/`size`), 8.0 (`ds80`), 9.1 (`ds91`); a `-` there means the version has no
//! such field or enumerator, and `sys` must not have it either. 7.0 has no column: it is
//! checked against 7.1's with the items 7.0 lacks (`SEVENTY_LACKS`) required absent.
//! Run for every version: `DS_META_ABI=8.0 cargo test -p ds-meta --test abi` (and 7.0, 9.1).
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
    let (mut checked, mut skipped, mut absent) = (0, 0, 0);
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
        if OUT_OF_SCOPE.contains(&st) {
            skipped += 1;
            continue;
        }
        let row = format!("{st}.{field} ({kind})");
        let Some((offset, size)) = expected(&cols, &path, lineno + 1) else {
            // This version has no such item: sys must not have it.
            let present = match kind {
                "enum" => enums.get(st).is_some_and(|v| v.iter().any(|(n, _)| *n == field)),
                "sizeof" | "alignof" => false,
                _ => structs.get(st).is_some_and(|s| s.fields.iter().any(|f| f.0 == field)),
            };
            checked += 1;
            absent += 1;
            if present {
                failures.push(format!("{row}: DeepStream {} has no such item, sys has it", sys::ABI_VERSION));
            }
            continue;
        };
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
    println!(
        "ds71-abi.tsv, DeepStream {} column ({}): {checked} rows checked ({absent} of them items this version lacks), \
         {skipped} rows of C++ analytics structs skipped",
        sys::ABI_VERSION,
        sys::ABI_SOURCE
    );
    println!("provisional (UNCERTAIN in the table, matching its best estimate; verify on DS 7.1): {} rows", provisional.len());
    for p in &provisional {
        println!("  provisional: {p}");
    }
    assert!(unlisted.is_empty(), "structs of sys not in the table: {unlisted:?}");
    assert!(checked > 600, "only {checked} rows read from {path}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// The items DeepStream 7.0 lacks beside 7.1 (7.0 has no column in the table): C struct
/// `(struct, field)` or enum `(enum, enumerator)`; and 7.0's sizes that differ.
const SEVENTY_LACKS: &[(&str, &str)] = &[("NvDsInferTensorMeta", "symmetric_padding"), ("NvDsMetaType", "NVDS_ROI_META")];
const SEVENTY_SIZES: &[(&str, &str, i128, usize)] = &[("NvDsInferTensorMeta", "(sizeof)", 0, 64)];

/// `(offset or value, size)` this build's version expects for a row, `None` when the
/// version lacks the item.
fn expected(cols: &[&str], path: &str, line: usize) -> Option<(i128, Option<usize>)> {
    let bad = |c: &str| -> ! { panic!("{path}:{line}: cannot read {c:?}") };
    let seventy = |st: &str, field: &str| -> Option<Option<(i128, Option<usize>)>> {
        if SEVENTY_LACKS.contains(&(st, field)) {
            return Some(None);
        }
        SEVENTY_SIZES.iter().find(|r| r.0 == st && r.1 == field).map(|r| Some((r.2, Some(r.3))))
    };
    let col = match sys::ABI_VERSION {
        "7.1" | "7.0" => {
            if sys::ABI_VERSION == "7.0"
                && let Some(r) = seventy(cols[0], cols[1])
            {
                return r;
            }
            let offset: i128 = cols[2].parse().unwrap_or_else(|_| bad(cols[2]));
            return Some((offset, cols[3].parse().ok()));
        }
        "8.0" => 7,
        "9.1" => 8,
        v => panic!("no column for DeepStream {v} in {path}"),
    };
    let cell = cols.get(col).map(|c| c.trim()).unwrap_or_else(|| bad("(missing column)"));
    if cell == "-" {
        return None;
    }
    match cell.split_once('/') {
        Some((o, sz)) => Some((o.parse().unwrap_or_else(|_| bad(cell)), sz.parse().ok())),
        None => Some((cell.parse().unwrap_or_else(|_| bad(cell)), None)),
    }
}

#[test]
fn version_traps() {
    // The numbers the reference notes call out, independent of the table.
    let v = sys::ABI_VERSION;
    let (frame, obj, display, event, audio) = match v {
        "7.0" | "7.1" => (200, 544, 6912, 424, 24),
        "8.0" => (232, 544, 6912, 14032, 25),
        "9.1" => (232, 552, 7040, 14040, 25),
        _ => unreachable!("{v}"),
    };
    assert_eq!(size_of::<sys::NvDsFrameMeta>(), frame);
    assert_eq!(size_of::<sys::NvDsObjectMeta>(), obj);
    assert_eq!(size_of::<sys::NvDsDisplayMeta>(), display);
    assert_eq!(size_of::<sys::NvDsEventMsgMeta>(), event);
    assert_eq!(size_of::<sys::NvDsInferTensorMeta>(), if v == "7.0" { 64 } else { 72 });
    assert_eq!(sys::NvDsMetaType::NVDS_USER_META.0, 7);
    assert_eq!(sys::NvDsMetaType::NVDS_GST_CUSTOM_META.0, 4096);
    assert_eq!(sys::NvDsMetaType::NVDS_AUDIO_BATCH_META.0, audio);
    assert_eq!(format!("{:?}", sys::NvDsMetaType(9)), "NVDS_EVENT_MSG_META");
    assert_eq!(format!("{:?}", sys::NvDsMetaType(12345)), "NvDsMetaType(12345)");
}
