//! Every real-world tracker config of the corpus (YAML `ll-config-file`s and `[tracker]` INI
//! files from public repositories) is read, or rejected with a precise message; the
//! deepstream-test2 configs of this project are read with the sample's values; malformed
//! files name the file, key and what was expected.
//!
//! The corpus is `../shared/reference/config-corpus/tracker` beside the checkout where it
//! exists, else the verbatim copy under `tests/data/corpus`.

#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};

use ds_tracker::{
    ConfigError, MatcherType, StateEstimatorType, TrackerConfig, TrackerIni, TrackerKind,
};

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/config-corpus/tracker")
}

fn copy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus")
}

fn corpus_dir() -> PathBuf {
    if shared_dir().is_dir() {
        shared_dir()
    } else {
        copy_dir()
    }
}

fn corpus(name: &str) -> PathBuf {
    corpus_dir().join(name)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    v.sort();
    v
}

fn test2(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs/deepstream-test2")
        .join(rel)
}

#[test]
fn copies_equal_the_shared_reference() {
    let shared = shared_dir();
    if !shared.is_dir() {
        return; // no ../shared beside this checkout: the copies are all there is
    }
    assert_eq!(
        names(&shared),
        names(&copy_dir()),
        "tests/data/corpus holds other files than {}",
        shared.display()
    );
    for n in names(&shared) {
        let a = std::fs::read(shared.join(&n)).expect("shared file");
        let b = std::fs::read(copy_dir().join(&n)).expect("copy");
        assert!(
            a == b,
            "tests/data/corpus/{n} differs from {}: copy it again",
            shared.display()
        );
    }
}

#[test]
fn every_corpus_file_is_read_or_rejected_precisely() {
    let all = names(&corpus_dir());
    assert_eq!(all.len(), 6, "corpus files: {all:?}");
    for name in &all {
        let path = corpus(name);
        let p = path.display().to_string();
        match name.as_str() {
            "QuanKunNguyen2711__DeepStream-Jetson-Orin-NX__config_tracker_NvDCF_perf.yml" => {
                let c = TrackerConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(c.kind, TrackerKind::NvDcf);
                assert_eq!(c.min_detector_confidence, 0.35);
                assert_eq!(
                    (
                        c.probation_age,
                        c.max_shadow_tracking_age,
                        c.early_termination_age
                    ),
                    (5, 180, 1)
                );
                assert_eq!(
                    (
                        c.max_targets_per_stream,
                        c.min_iou_diff_4_new_target,
                        c.min_tracker_confidence
                    ),
                    (180, 0.3, 0.3)
                );
                assert!(!c.enable_bbox_unclipping && !c.use_unique_id);
                assert_eq!(c.state_estimator.kind, StateEstimatorType::Regular);
                assert_eq!(c.state_estimator.measurement_noise_var_tracker, 20.0);
                assert_eq!(c.association.min_size_similarity, 0.5);
                assert_eq!(
                    (
                        c.association.weight_iou,
                        c.association.weight_visual_similarity
                    ),
                    (0.5, 0.5)
                );
                assert!(c.report.unknown.is_empty(), "{:?}", c.report.unknown);
                assert!(
                    c.report
                        .ignored
                        .iter()
                        .any(|(k, _)| k == "VisualTracker.useHog")
                );
                assert!(
                    c.report
                        .approximated
                        .iter()
                        .any(|(k, _)| k == "VisualTracker.visualTrackerType")
                );
            }
            "ReconAI__AM-Traffic-I-P1-DeepstreamApp__tracker_config.yml" => {
                let e = TrackerConfig::from_file(&path).expect_err(name);
                assert!(matches!(e, ConfigError::Schema { .. }), "{e}");
                assert!(
                    e.to_string().starts_with(&format!(
                        "{p}: top-level group `NvDCF` is DeepStream 5.x's low-level tracker schema;"
                    )),
                    "{e}"
                );
            }
            "hiennguyen9874__deepstream-sources__samples__configs__deepstream-app__config_tracker_NvDeepSORT.yml" =>
            {
                let c = TrackerConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(c.kind, TrackerKind::NvDeepSort);
                assert_eq!(c.association.matcher, MatcherType::Cascaded);
                assert_eq!(c.association.threshold_mahalanobis, 16.3102);
                assert_eq!(c.association.min_reid_similarity, 0.6182);
                assert_eq!(c.state_estimator.kind, StateEstimatorType::Regular);
                assert!(c.state_estimator.use_aspect_ratio);
                assert_eq!(c.state_estimator.noise_weight_loc, 0.0927);
                assert!(
                    c.report
                        .ignored
                        .iter()
                        .any(|(k, why)| k == "ReID.uffFile" && why.contains("no ReID network"))
                );
                assert!(
                    c.report
                        .approximated
                        .iter()
                        .any(|(k, _)| k == "ReID.reidType")
                );
                assert!(c.report.unknown.is_empty(), "{:?}", c.report.unknown);
            }
            "insight-platform__Savant__samples__assets__tracker__config_tracker_NvSORT.yml" => {
                let c = TrackerConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(c.kind, TrackerKind::NvSort);
                assert_eq!(c.association.matcher, MatcherType::Cascaded);
                assert_eq!(c.association.tentative_detector_confidence, 0.2331);
                assert_eq!(c.association.min_tentative_iou, 0.2867);
                assert!(c.association.use_prediction);
                assert_eq!((c.probation_age, c.max_shadow_tracking_age), (5, 26));
                assert!(c.report.unknown.is_empty(), "{:?}", c.report.unknown);
                assert!(c.report.ignored.is_empty(), "{:?}", c.report.ignored);
            }
            "ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest2_tracker_config.txt" => {
                let e = TrackerIni::from_file(&path).expect_err(name);
                assert!(
                    e.to_string().starts_with(&format!(
                        "{p}: ll-lib-file=/opt/nvidia/deepstream/deepstream-5.0/lib/libnvds_mot_klt.so: unknown low-level tracker library; accepted: libnvds_nvmultiobjecttracker.so"
                    )),
                    "{e}"
                );
            }
            "Tariq-Abuhashim__deepstream-app__obsolete__tracker_config.txt" => {
                let e = TrackerIni::from_file(&path).expect_err(name);
                assert!(
                    e.to_string().starts_with(&format!(
                        "{p}: ll-lib-file=/opt/nvidia/deepstream/deepstream/lib/libnvds_nvdcf.so: unknown low-level tracker library"
                    )),
                    "{e}"
                );
            }
            other => panic!("new corpus file {other}: add what it must give"),
        }
    }
}

#[test]
fn deepstream_test2_configs_have_the_sample_values() {
    for ini_path in [
        test2("dstest2_tracker_config.txt"),
        test2("portable/dstest2_tracker_config.txt"),
    ] {
        let ini = TrackerIni::from_file(&ini_path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (ini.tracker_width, ini.tracker_height, ini.gpu_id),
            (Some(640), Some(384), Some(0))
        );
        let yml = ini.ll_config_file.clone().expect("ll-config-file");
        assert_eq!(
            yml,
            ini_path
                .parent()
                .unwrap()
                .join("config_tracker_NvDCF_perf.yml")
        );
        let c = TrackerConfig::from_file(&yml).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.kind, TrackerKind::NvDcf);
        assert_eq!(c.min_detector_confidence, 0.0);
        assert!(c.enable_bbox_unclipping);
        assert_eq!(c.max_targets_per_stream, 150);
        assert_eq!(
            (c.min_iou_diff_4_new_target, c.min_tracker_confidence),
            (0.5, 0.2)
        );
        assert_eq!(
            (
                c.probation_age,
                c.max_shadow_tracking_age,
                c.early_termination_age
            ),
            (3, 30, 1)
        );
        assert!(!c.use_unique_id);
        let a = &c.association;
        assert_eq!(
            (a.matcher, a.check_class_match),
            (MatcherType::Greedy, true)
        );
        assert_eq!(
            (
                a.min_overall,
                a.min_size_similarity,
                a.min_iou,
                a.min_visual_similarity
            ),
            (0.0, 0.6, 0.0, 0.7)
        );
        assert_eq!(
            (
                a.weight_visual_similarity,
                a.weight_size_similarity,
                a.weight_iou
            ),
            (0.6, 0.0, 0.4)
        );
        let s = &c.state_estimator;
        assert_eq!(s.kind, StateEstimatorType::Simple);
        assert_eq!(
            (
                s.process_noise_var_loc,
                s.process_noise_var_size,
                s.process_noise_var_vel,
                s.measurement_noise_var_detector,
                s.measurement_noise_var_tracker
            ),
            (2.0, 1.0, 0.1, 4.0, 16.0)
        );
        assert_eq!(c.filter_lr, 0.075);
        assert!(c.report.unknown.is_empty());
    }
    let nv = TrackerIni::from_file(&test2("dstest2_tracker_config.txt")).expect("ini");
    assert_eq!(
        nv.ll_lib_file.as_deref(),
        Some("/opt/nvidia/deepstream/deepstream/lib/libnvds_nvmultiobjecttracker.so")
    );
    let portable =
        TrackerIni::from_file(&test2("portable/dstest2_tracker_config.txt")).expect("ini");
    assert_eq!(portable.ll_lib_file.as_deref(), Some("libds_tracker"));
}

fn parse(text: &str) -> Result<TrackerConfig, ConfigError> {
    TrackerConfig::from_str_at(text, Path::new("/cfg/t.yml"))
}

#[test]
fn malformed_yaml_and_wrong_types_name_file_key_and_expectation() {
    let e = parse("%YAML:1.0\nTargetManagement:\n  probationAge: [3\n").expect_err("syntax");
    assert!(
        e.to_string()
            .starts_with("/cfg/t.yml: not a valid NvMultiObjectTracker YAML config: "),
        "{e}"
    );
    assert!(e.to_string().contains("line"), "{e}");
    let e = parse("%YAML:1.0\nTargetManagement:\n  probationAge: three\n").expect_err("type");
    assert_eq!(
        e.to_string(),
        "/cfg/t.yml: TargetManagement.probationAge: \"three\": expected a non-negative integer"
    );
    let e = parse("TargetManagement:\n  minTrackerConfidence: 1.5\n").expect_err("range");
    assert_eq!(
        e.to_string(),
        "/cfg/t.yml: TargetManagement.minTrackerConfidence: 1.5: expected a number in [0.0, 1.0]"
    );
    let e = parse("DataAssociator:\n  checkClassMatch: 2\n").expect_err("bool");
    assert_eq!(
        e.to_string(),
        "/cfg/t.yml: DataAssociator.checkClassMatch: 2: expected 0 or 1"
    );
    let e = parse("DataAssociator:\n  associationMatcherType: 2\n").expect_err("matcher");
    assert_eq!(
        e.to_string(),
        "/cfg/t.yml: DataAssociator.associationMatcherType: 2: expected 0 (GREEDY) or 1 (CASCADED)"
    );
    let e = parse("StateEstimator:\n  stateEstimatorType: 3\n").expect_err("sv3dt");
    assert_eq!(
        e.to_string(),
        "/cfg/t.yml: StateEstimator.stateEstimatorType: 3: SIMPLE_LOCATION_KF (single-view 3D tracking) is not supported by the portable tracker"
    );
    let e = parse("- a\n- b\n").expect_err("list");
    assert!(
        e.to_string()
            .contains("the top level is a list, expected a mapping of groups"),
        "{e}"
    );
    let e = TrackerConfig::from_file(Path::new("/nonexistent/t.yml")).expect_err("io");
    assert!(
        e.to_string()
            .starts_with("/nonexistent/t.yml: cannot read the tracker config: "),
        "{e}"
    );
}

#[test]
fn unknown_keys_and_groups_are_reported_by_name() {
    let c = parse("%YAML:1.0\nBaseConfig:\n  minDetectorConfidence: 0.2\n  minDetectorConfidense: 0.3\nMyGroup:\n  a: 1\n").expect("parse");
    assert_eq!(c.min_detector_confidence, 0.2);
    assert_eq!(
        c.report.unknown,
        vec!["BaseConfig.minDetectorConfidense", "MyGroup", "MyGroup.a"]
    );
    assert_eq!(c.report.honoured, vec!["BaseConfig.minDetectorConfidence"]);
    assert_eq!(c.kind, TrackerKind::Iou);
    assert!(
        c.report
            .lines()
            .contains(&"unknown key (no effect): BaseConfig.minDetectorConfidense".to_string())
    );
}

#[test]
fn ini_errors_name_file_group_and_key() {
    let p = Path::new("/cfg/tracker.txt");
    let e = TrackerIni::from_str_at("[tracker]\ntracker-width=wide\n", p).expect_err("int");
    assert_eq!(
        e.to_string(),
        "/cfg/tracker.txt: [tracker] tracker-width=wide: expected a non-negative integer"
    );
    let e = TrackerIni::from_str_at("[property]\ngpu-id=0\n", p).expect_err("group");
    assert_eq!(
        e.to_string(),
        "/cfg/tracker.txt: [tracker] [tracker]: missing: a tracker INI file needs a [tracker] group"
    );
    let e =
        TrackerIni::from_str_at("[tracker]\nll-lib-file=/x/libcustom.so\n", p).expect_err("lib");
    assert!(e.to_string().starts_with("/cfg/tracker.txt: ll-lib-file=/x/libcustom.so: unknown low-level tracker library; accepted: "), "{e}");
    let ini = TrackerIni::from_str_at("[tracker]\nenable-past-frame=1\ndisplay-tracking-id=0\nfoo=1\nll-config-file=a.yml;b.yml\n", p).expect("ok");
    assert_eq!(
        (ini.enable_past_frame, ini.display_tracking_id),
        (Some(true), Some(false))
    );
    assert_eq!(ini.unknown_keys, vec!["foo"]);
    use ds_tracker::PropertyValue::{Bool, Str, UInt};
    let portable =
        TrackerIni::from_file(&test2("portable/dstest2_tracker_config.txt")).expect("ini");
    let dir = test2("portable");
    assert_eq!(
        portable.properties(),
        vec![
            ("tracker-width", UInt(640)),
            ("tracker-height", UInt(384)),
            ("gpu-id", UInt(0)),
            ("ll-lib-file", Str("libds_tracker".into())),
            (
                "ll-config-file",
                Str(dir
                    .join("config_tracker_NvDCF_perf.yml")
                    .display()
                    .to_string())
            ),
        ]
    );
    let app =
        TrackerIni::from_str_at("[tracker]\nenable=1\nenable-batch-process=1\n", p).expect("ok");
    assert_eq!(app.properties(), vec![("enable-batch-process", Bool(true))]);
    assert_eq!(
        ini.ll_config_file,
        Some(PathBuf::from("/cfg/a.yml;/cfg/b.yml"))
    );
}
