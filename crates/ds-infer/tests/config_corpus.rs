//! Every real-world nvinfer config of the corpus (`tests/data/corpus`, copied byte-for-byte
//! from public repositories) is read, or rejected with a precise message.

use std::path::{Path, PathBuf};

use ds_infer::config::Level;
use ds_infer::{
    ClusterMode, ColorFormat, ConfigError, InferConfig, ModelSource, NetworkType, ProcessMode,
    TensorOrder,
};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus")
        .join(name)
}

fn corpus_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus")
        .display()
        .to_string()
}

fn parse(name: &str) -> InferConfig {
    InferConfig::parse_file(&corpus(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The messages of one level, with the corpus folder removed from the paths.
fn messages(c: &InferConfig, level: Level) -> Vec<String> {
    let dir = corpus_dir();
    c.diagnostics
        .iter()
        .filter(|d| d.level == level)
        .map(|d| d.message.replace(&dir, ""))
        .collect()
}

fn warnings(c: &InferConfig) -> Vec<String> {
    messages(c, Level::Warning)
}

fn info(c: &InferConfig) -> Vec<String> {
    messages(c, Level::Info)
}

#[test]
fn every_corpus_file_is_read_or_rejected_precisely() {
    let dir = corpus("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 20, "corpus files: {names:?}");
    let rejected = [
        (
            "KamoliddinS__ds_yolov5-nvdsa-nvdsmsg__dstest4_pgie_config.yml",
            "YAML nvinfer configs are not supported by the portable backend; write the same keys in the key-file form ([property] and [class-attrs-all] groups)".to_string(),
        ),
        (
            "hiennguyen9874__deepstream-sources__deepstream_reference_apps__deepstream_app_tao_configs__config_infer_primary_peopleSegNet.txt",
            format!("[property] network-type=3: {}", ds_infer::config::INSTANCE_SEG_WHY),
        ),
        (
            "marcoslucianops__DeepStream-Yolo-Seg__config_infer_primary_yoloV8_seg.txt",
            format!("[property] network-type=3: {}", ds_infer::config::INSTANCE_SEG_WHY),
        ),
    ];
    for name in &names {
        let path = corpus(name);
        let result = InferConfig::parse_file(&path);
        match rejected.iter().find(|(n, _)| n == name) {
            Some((_, why)) => {
                let e = result.expect_err(name);
                assert_eq!(e.to_string(), format!("{}: {why}", path.display()));
            }
            None => {
                let c = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                // None of the corpus models is on this machine: from_file names the missing file.
                let e = InferConfig::from_file(&path).expect_err(name);
                let ConfigError::MissingFile {
                    file,
                    group,
                    key,
                    value,
                    resolved,
                } = &e
                else {
                    panic!("{name}: {e}")
                };
                assert_eq!(file, &path);
                assert_eq!(group, "property");
                assert!(
                    [
                        "onnx-file",
                        "custom-network-config",
                        "tlt-encoded-model",
                        "proto-file",
                        "labelfile-path",
                        "model-file"
                    ]
                    .contains(&key.as_str())
                );
                assert!(e.to_string().starts_with(&format!(
                    "{}: [property] {key}={value}: file not found: ",
                    path.display()
                )));
                assert!(!resolved.is_file());
                let _ = c;
            }
        }
    }
}

#[test]
fn inline_comments_trailing_spaces_and_class_groups() {
    // "process-mode=2 " (trailing space), "operate-on-gie-id=1 #Primary network" (inline comment).
    let c = parse("ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest2_pgie2_config.txt");
    assert_eq!(c.process_mode, ProcessMode::Secondary);
    assert_eq!(c.operate_on_gie_id, 1);
    assert_eq!(c.operate_on_class_ids, vec![0]);
    assert_eq!(c.gie_unique_id, 3);
    assert_eq!(c.output_blob_names, vec!["output_bbox", "output_cov"]);
    assert_eq!(c.cluster_mode, ClusterMode::Nms);
    let all = &c.class_attrs_all;
    assert_eq!(
        (all.pre_cluster_threshold, all.group_threshold, all.eps),
        (0.2, 1, 0.2)
    );
    assert_eq!((all.detected_max_w, all.detected_max_h), (1920, 1920));
    // [class-attrs-2] and [class-attrs-3] override [class-attrs-all]; other classes use it.
    let c2 = c.class_attrs(2);
    assert_eq!(
        (c2.pre_cluster_threshold, c2.eps, c2.group_threshold),
        (1.2, 0.5, 3)
    );
    assert_eq!(
        (
            c2.roi_top_offset,
            c2.roi_bottom_offset,
            c2.detected_min_w,
            c2.detected_max_h
        ),
        (20, 10, 40, 800)
    );
    let c3 = c.class_attrs(3);
    assert_eq!(
        (
            c3.pre_cluster_threshold,
            c3.detected_max_w,
            c3.roi_top_offset
        ),
        (1.2, 400, 20)
    );
    assert_eq!(c.class_attrs(0), all);
    assert!(
        matches!(&c.model, ModelSource::Caffe { proto: Some(_), model } if model.value.ends_with("fd_lpd.caffemodel"))
    );
    assert_eq!(
        info(&c),
        vec![
            "/ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest2_pgie2_config.txt: DeepStream-only keys ignored by the portable backend: model-engine-file"
        ]
    );
}

#[test]
fn deprecated_classifier_keys_and_mean_file() {
    let c = parse("ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest2_sgie_config.txt");
    assert_eq!(c.network_type, NetworkType::Classifier); // is-classifier=1
    assert_eq!(
        (c.input_object_min_width, c.input_object_min_height),
        (32, 32)
    ); // "32 #64"
    assert_eq!(c.model_color_format, ColorFormat::Bgr);
    assert_eq!(c.batch_size, 16);
    assert_eq!(c.classifier_threshold, 0.51);
    assert!(c.classifier_async_mode);
    assert!(c.accepts_object(1, 0, 40.0, 40.0));
    assert!(!c.accepts_object(1, 0, 31.0, 40.0));
    assert!(!c.accepts_object(2, 0, 40.0, 40.0));
    assert!(!c.accepts_object(1, 2, 40.0, 40.0));
    assert_eq!(
        warnings(&c),
        vec![
            "/ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest2_sgie_config.txt: [property] mean-file=../../../../samples/models/Secondary_VehicleTypes/mean.ppm: mean images are not supported by the portable backend; only 'offsets' is subtracted"
        ]
    );
}

#[test]
fn crlf_and_deprecated_input_dims() {
    let c = parse("preronamajumder__deepstream-lpr-python-version__trafficamnet_config.txt");
    assert_eq!(c.infer_dims, Some([3, 544, 960]));
    assert_eq!(c.network_input_order, TensorOrder::Nchw);
    assert_eq!(c.num_detected_classes, 4);
    assert_eq!(
        c.output_blob_names,
        vec!["output_bbox/BiasAdd", "output_cov/Sigmoid"]
    );
    assert!((c.net_scale_factor - 0.003_921_57).abs() < 1e-8);
    assert_eq!(
        warnings(&c),
        vec![
            "/preronamajumder__deepstream-lpr-python-version__trafficamnet_config.txt: [property] input-dims is deprecated; use infer-dims (read as infer-dims)"
        ]
    );
    let c = parse("callmesora__DeepStream-YOLO-DeepSORT__config_infer_primary_yoloV5.txt");
    assert_eq!(c.num_detected_classes, 80);
    assert!(
        matches!(&c.model, ModelSource::Darknet { cfg, weights: Some(w) } if cfg.value == "yolov5n.cfg" && w.value == "yolov5n.wts")
    );
}

#[test]
fn dbscan_peoplenet_with_trailing_semicolon_dims() {
    let c = parse("jocover__deepstream-people-flow-mqtt__config_infer_primary_peoplenet.txt");
    assert_eq!(c.infer_dims, Some([3, 544, 960])); // "3;544;960;"
    assert_eq!(c.cluster_mode, ClusterMode::Dbscan);
    assert_eq!(
        (
            c.class_attrs_all.eps,
            c.class_attrs_all.min_boxes,
            c.class_attrs_all.pre_cluster_threshold
        ),
        (0.7, 1, 0.4)
    );
    assert_eq!(c.class_attrs(1).pre_cluster_threshold, 1.4); // disables the class
    assert!(
        matches!(&c.model, ModelSource::Etlt(p) if p.value == "module/resnet34_peoplenet_pruned.etlt")
    );
}

#[test]
fn misspelled_key_is_a_warning() {
    let c = parse("preronamajumder__deepstream-lpr-python-version__lpr_config_sgie_us.txt");
    assert_eq!(c.process_mode, ProcessMode::Primary); // "process_mode=2" is not process-mode
    assert_eq!(
        warnings(&c),
        vec![
            "/preronamajumder__deepstream-lpr-python-version__lpr_config_sgie_us.txt: [property] unknown key 'process_mode' ignored"
        ]
    );
    assert_eq!(
        c.parse_classifier_func_name.as_deref(),
        Some("NvDsInferParseCustomNVPlate")
    );
}

#[test]
fn duplicate_groups_merge_and_foreign_groups_warn() {
    let c = parse("KamoliddinS__ds_yolov5-nvdsa-nvdsmsg__dstest4_pgie_config.txt");
    assert_eq!((c.interval, c.num_detected_classes), (5, 1));
    assert!(c.maintain_aspect_ratio);
    assert_eq!(
        (
            c.class_attrs_all.nms_iou_threshold,
            c.class_attrs_all.topk,
            c.class_attrs_all.pre_cluster_threshold
        ),
        (0.45, 300, 0.25)
    );
    assert_eq!(
        c.parse_bbox_func_name.as_deref(),
        Some("NvDsInferParseYolo")
    );

    let c = parse("NIH-CIT-OIR-SPIS__maskcam__maskcam_config.txt");
    let f = "/NIH-CIT-OIR-SPIS__maskcam__maskcam_config.txt";
    assert_eq!(
        warnings(&c),
        vec![
            format!("{f}: group [face-processor] is not an nvinfer group; ignored"),
            format!("{f}: group [mqtt] is not an nvinfer group; ignored"),
            format!("{f}: group [maskcam] is not an nvinfer group; ignored"),
        ]
    );
    assert!(matches!(&c.model, ModelSource::EngineOnly(_)));
}

#[test]
fn fractional_offsets_filter_out_and_long_floats() {
    let c = parse("Tariq-Abuhashim__deepstream-app__config_infer_primary_detr.txt");
    assert_eq!(c.offsets, vec![0.485, 0.456, 0.406]);
    assert_eq!(c.infer_dims, Some([3, 720, 1280]));
    assert_eq!(c.num_detected_classes, 91);

    let c = parse(
        "NVIDIA__DeepStream__src__apps__reference_apps__deepstream-tracker-3d-multi-view__config_templates__config_pgie_rt_detr.txt",
    );
    assert_eq!(c.filter_out_class_ids, vec![6]);
    assert_eq!(c.cluster_mode, ClusterMode::None);
    assert!(c.output_tensor_meta && c.maintain_aspect_ratio);
    assert!((c.class_attrs_all.pre_cluster_threshold - 0.465_230_9).abs() < 1e-6);
    assert_eq!(c.class_attrs_all.topk, 20);
    assert!(
        matches!(&c.model, ModelSource::Onnx(p) if p.path == Path::new("/workspace/models/RTDETR/rtdetr_warehouse_v1.0.fp16.onnx"))
    );
}

#[test]
fn relative_paths_resolve_against_the_config_folder() {
    let c = parse("ReconAI__AM-Traffic-I-P1-DeepstreamApp__dstest2_pgie1_config.txt");
    let ModelSource::Etlt(p) = &c.model else {
        panic!("{:?}", c.model)
    };
    assert_eq!(p.path, corpus("").join("../../../../samples/models/tlt_pretrained_models/trafficcamnet/resnet18_trafficcamnet_pruned.etlt"));
    assert_eq!(
        c.labelfile_path.as_ref().map(|l| l.value.as_str()),
        Some("../../../../samples/models/tlt_pretrained_models/trafficcamnet/labels.txt")
    );
}
