//! nvinferserver (Triton) configs: every protobuf-text config of the samples (`configs/`, the
//! DeepStream ones with NVIDIA's paths and the portable ones) is read and mapped onto the
//! nvinfer settings; malformed files and bad values are errors with line and column.

use std::path::{Path, PathBuf};

use ds_infer::config::Level;
use ds_infer::{ClusterMode, ColorFormat, ConfigError, InferConfig, ModelSource, NetworkType, ProcessMode};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `configs/` whose text is protobuf text (an nvinferserver config).
fn triton_configs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(text) = std::fs::read_to_string(&p)
                && ds_infer::prototext::looks_like_prototext(&text)
            {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&root().join("configs"), &mut v);
    v.sort();
    v
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ds-infer-inferserver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_sample_triton_config_is_read() {
    let files = triton_configs();
    let names: Vec<String> = files.iter().map(|p| p.strip_prefix(root().join("configs")).unwrap().display().to_string()).collect();
    for want in [
        "deepstream-test3/config_triton_infer_primary_peoplenet.txt",
        "deepstream-test3/config_triton_grpc_infer_primary_peoplenet.txt",
        "deepstream-test3/portable/config_triton_infer_primary_peoplenet.txt",
        "deepstream-test3/portable/config_triton_grpc_infer_primary_peoplenet.txt",
        "deepstream-rtsp-in-rtsp-out/dstest1_pgie_inferserver_config.txt",
        "deepstream-rtsp-in-rtsp-out/portable/dstest1_pgie_inferserver_config.txt",
        "deepstream-ssd-parser/dstest_ssd_nopostprocess.txt",
        "deepstream-ssd-parser/portable/dstest_ssd_nopostprocess.txt",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not among {names:?}");
    }
    for (path, name) in files.iter().zip(&names) {
        if name.contains("grpc") && !name.contains("/portable/") {
            // DeepStream's gRPC config names a remote Triton server and no model repository:
            // the portable backend says why it cannot run it and what to write instead.
            let e = InferConfig::parse_file(path).expect_err(name);
            let ConfigError::ProtoValue { field, value, expected, .. } = &e else { panic!("{name}: {e}") };
            assert_eq!((field.as_str(), value.as_str()), ("infer_config.backend.triton.grpc", "0.0.0.0:8001"));
            assert!(expected.contains("model_repo"), "{e}");
            continue;
        }
        let c = InferConfig::parse_file(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let warnings: Vec<&str> = c.diagnostics.iter().filter(|d| d.level == Level::Warning).map(|d| d.message.as_str()).collect();
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert!(matches!(c.model, ModelSource::Onnx(_)), "{name}: {:?}", c.model);
        if name.contains("/portable/") {
            // The portable ones run here (scripts/setup.sh fetched the model).
            InferConfig::from_file(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            // NVIDIA's model repository is not on this machine: the model is named.
            let e = InferConfig::from_file(path).expect_err(name);
            let ConfigError::MissingFile { group, key, resolved, .. } = &e else { panic!("{name}: {e}") };
            assert_eq!((group.as_str(), key.as_str()), ("infer_config", "backend.triton.model_name"), "{e}");
            assert!(resolved.starts_with("/opt/nvidia/deepstream/deepstream/samples"), "{e}");
        }
    }
}

#[test]
fn test3_peoplenet_triton_config_maps_onto_nvinfer_settings() {
    let path = root().join("configs/deepstream-test3/config_triton_infer_primary_peoplenet.txt");
    let c = InferConfig::parse_file(&path).unwrap();
    assert_eq!((c.gie_unique_id, c.batch_size), (1, 1));
    assert_eq!(c.output_blob_names, ["output_bbox/BiasAdd:0", "output_cov/Sigmoid:0"]);
    assert_eq!(c.model_color_format, ColorFormat::Rgb);
    assert!((c.net_scale_factor - 0.003_921_57).abs() < 1e-7);
    assert_eq!(c.offsets, [0.0, 0.0, 0.0]);
    assert!(!c.maintain_aspect_ratio);
    assert_eq!((c.network_type, c.num_detected_classes), (NetworkType::Detector, 4));
    assert_eq!(c.cluster_mode, ClusterMode::Nms);
    let all = &c.class_attrs_all;
    assert_eq!((all.pre_cluster_threshold, all.nms_iou_threshold, all.topk), (0.2, 0.5, 20));
    assert_eq!(c.class_attrs(0).pre_cluster_threshold, 0.4);
    assert_eq!(c.class_attrs(0).nms_iou_threshold, 0.5);
    assert_eq!(c.class_attrs(1).pre_cluster_threshold, 0.2);
    assert_eq!((c.process_mode, c.operate_on_gie_id, c.interval), (ProcessMode::Primary, -1, 0));
    let ModelSource::Onnx(m) = &c.model else { panic!("{:?}", c.model) };
    assert_eq!(m.path, Path::new("/opt/nvidia/deepstream/deepstream/samples/triton_model_repo/peoplenet/peoplenet.onnx"));
    let l = c.labelfile_path.as_ref().unwrap();
    assert_eq!(l.key, "postprocess.labelfile_path");
    let info: Vec<&str> = c.diagnostics.iter().filter(|d| d.level == Level::Info).map(|d| d.message.as_str()).collect();
    assert_eq!(
        info,
        [format!(
            "{}: DeepStream-only fields ignored by the portable backend: infer_config.gpu_ids, infer_config.backend.triton.model_repo.strict_model_config, infer_config.preprocess.frame_scaling_hw, infer_config.preprocess.frame_scaling_filter, infer_config.extra",
            path.display()
        )]
    );
}

#[test]
fn rtsp_ssd_triton_config_and_the_portable_ones() {
    let c = InferConfig::parse_file(&root().join("configs/deepstream-rtsp-in-rtsp-out/dstest1_pgie_inferserver_config.txt")).unwrap();
    assert_eq!((c.gie_unique_id, c.batch_size, c.num_detected_classes), (5, 4, 91));
    assert_eq!(c.parse_bbox_func_name.as_deref(), Some("NvDsInferParseCustomTfSSD"));
    assert!(c.output_tensor_meta);
    assert_eq!((c.class_attrs_all.pre_cluster_threshold, c.class_attrs_all.nms_iou_threshold), (0.5, 0.3));

    // ssd-parser: no post-processing, raw tensors only.
    let c = InferConfig::from_file(&root().join("configs/deepstream-ssd-parser/portable/dstest_ssd_nopostprocess.txt")).unwrap();
    assert_eq!((c.network_type, c.output_tensor_meta, c.gie_unique_id), (NetworkType::Other, true, 5));
    assert_eq!(c.output_blob_names, ["num_detections", "detection_scores", "detection_classes", "detection_boxes"]);
    assert_eq!(c.labels.len(), 91);

    // The portable test3 Triton config reads as the portable nvinfer config does.
    let t = InferConfig::from_file(&root().join("configs/deepstream-test3/portable/config_triton_infer_primary_peoplenet.txt")).unwrap();
    let n = InferConfig::from_file(&root().join("configs/deepstream-test3/portable/dstest3_pgie_config.txt")).unwrap();
    assert_eq!(t.model, ModelSource::Onnx(ds_infer::config::ConfigPath {
        group: "infer_config".into(),
        key: "backend.triton.model_name".into(),
        value: "yolov3-tiny".into(),
        path: root().join("configs/deepstream-test3/portable/../../../models/yolov3-tiny/yolov3-tiny.onnx"),
    }));
    assert_eq!(t.class_id_map, n.class_id_map);
    assert_eq!(t.output_blob_names, n.output_blob_names);
    assert_eq!(t.parse_bbox_func_name, n.parse_bbox_func_name);
    assert_eq!(t.labels, n.labels);
    assert_eq!((t.batch_size, t.gie_unique_id, t.num_detected_classes), (n.batch_size, n.gie_unique_id, n.num_detected_classes));
    assert_eq!(t.class_attrs_all.pre_cluster_threshold, n.class_attrs_all.pre_cluster_threshold);
    assert_eq!(t.class_attrs_all.nms_iou_threshold, n.class_attrs_all.nms_iou_threshold);
    assert_eq!(t.class_attrs_all.topk, n.class_attrs_all.topk);
    assert!((t.net_scale_factor - n.net_scale_factor).abs() < 1e-9);
}

#[test]
fn triton_repository_layout_is_followed() {
    let dir = std::env::temp_dir().join(format!("ds-infer-repo-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("repo/det/1")).unwrap();
    std::fs::create_dir_all(dir.join("repo/det/3")).unwrap();
    std::fs::write(dir.join("repo/det/3/model.onnx"), b"x").unwrap();
    let cfg = dir.join("c.txt");
    let text = |v: i32| format!("infer_config {{ backend {{ triton {{ model_name: \"det\" version: {v} model_repo {{ root: \"repo\" }} }} }} postprocess {{ other {{}} }} }}");
    std::fs::write(&cfg, text(-1)).unwrap();
    let c = InferConfig::parse_file(&cfg).unwrap();
    let ModelSource::Onnx(m) = &c.model else { panic!() };
    assert_eq!(m.path, dir.join("repo/det/3/model.onnx"));
    assert_eq!(c.network_type, NetworkType::Other);
    std::fs::write(&cfg, text(1)).unwrap();
    let e = InferConfig::from_file(&cfg).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: [infer_config] backend.triton.model_name=det: file not found: {}", cfg.display(), dir.join("repo/det/1/model.onnx").display()));
}

#[test]
fn malformed_files_and_bad_values_name_line_and_column() {
    let p = write("syntax.txt", "infer_config {\n  unique_id: 1\n  preprocess {\n    normalize { scale_factor 1.0 }\n  }\n}\n");
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert_eq!(e.to_string(), format!("{}:4:30: not a valid nvinferserver protobuf-text config: expected ':' or '{{' after field name 'scale_factor', found number 1.0", p.display()));

    let p = write("unclosed.txt", "infer_config {\n  unique_id: 1\n");
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert!(matches!(e, ConfigError::ProtoSyntax { line: 3, column: 1, .. }), "{e}");

    let base = "  backend { triton { model_name: \"m\" model_repo { root: \".\" } } }\n  postprocess { other {} }\n";
    let p = write("enum.txt", &format!("infer_config {{\n{base}  preprocess {{ network_format: IMAGE_FORMAT_RGBA }}\n}}\n"));
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert_eq!(e.to_string(), format!("{}:4:32: infer_config.preprocess.network_format: IMAGE_FORMAT_RGBA: expected one of MEDIA_FORMAT_NONE, IMAGE_FORMAT_RGB, IMAGE_FORMAT_BGR, IMAGE_FORMAT_GRAY", p.display()));

    let p = write("int.txt", &format!("infer_config {{\n{base}  unique_id: \"one\"\n}}\n"));
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert_eq!(e.to_string(), format!("{}:4:14: infer_config.unique_id: one: expected an integer", p.display()));

    let p = write("offsets.txt", &format!("infer_config {{\n{base}  preprocess {{ normalize {{ channel_offsets: [1, 2] }} }}\n}}\n"));
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert_eq!(e.to_string(), format!("{}:4:28: infer_config.preprocess.normalize.channel_offsets: [1, 2]: expected 3 values, one per channel of network_format", p.display()));

    // Unknown fields: a warning each, with the full name and where it is.
    let p = write("unknown.txt", &format!("infer_config {{\n{base}  preprocess {{ colour: 1 }}\n  frobnicate: true\n}}\nextra_control {{}}\n"));
    let c = InferConfig::parse_file(&p).unwrap();
    let w: Vec<String> = c.diagnostics.iter().filter(|d| d.level == Level::Warning).map(|d| d.message.clone()).collect();
    let f = p.display();
    assert_eq!(w, [
        format!("{f}:4:16: unknown field 'infer_config.preprocess.colour' ignored"),
        format!("{f}:5:3: unknown field 'infer_config.frobnicate' ignored"),
        format!("{f}:7:1: unknown field 'extra_control' ignored"),
    ]);

    // A remote Triton server only: refused, with what to write instead.
    let p = write("grpc.txt", "infer_config {\n  backend { triton { model_name: \"m\" grpc { url: \"0.0.0.0:8001\" } } }\n  postprocess { other {} }\n}\n");
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}:2:38: infer_config.backend.triton.grpc: 0.0.0.0:8001: a remote Triton server is not used by the portable backend", p.display())), "{e}");

    // A detector without its class count; a file without infer_config.
    let p = write("classes.txt", "infer_config {\n  backend { triton { model_name: \"m\" model_repo { root: \".\" } } }\n  postprocess { detection { nms { topk: 3 } } }\n}\n");
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert!(e.to_string().contains("[infer_config] postprocess.detection.num_detected_classes is missing"), "{e}");
    let p = write("empty.txt", "input_control { interval: 1 }\n");
    let e = InferConfig::parse_file(&p).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: no infer_config {{ ... }} message: an nvinferserver config needs one", p.display()));
}

#[test]
fn controls_clustering_and_filters() {
    let p = write(
        "controls.txt",
        "infer_config {\n  unique_id: 3 max_batch_size: 0\n  backend { inputs [ { name: \"in\" dims: [416, 416, 3] } ] trt_is { model_name: \"m\" model_repo { root: \".\" } } }\n  preprocess { network_format: IMAGE_FORMAT_BGR tensor_order: TENSOR_ORDER_NHWC maintain_aspect_ratio: 1 symmetric_padding: true }\n  postprocess { detection { num_detected_classes: 3 dbscan { pre_threshold: 0.3 eps: 0.7 min_boxes: 2 min_score: 0.5 } } }\n}\ninput_control { process_mode: PROCESS_MODE_CLIP_OBJECTS operate_on_gie_id: 1 operate_on_class_ids: [0, 2] interval: 2 object_control { bbox_filter { min_width: 32 min_height: 16 } } }\noutput_control { output_tensor_meta: 1 detect_control { default_filter { bbox_filter { min_width: 8 } roi_top_offset: 10 } } }\n",
    );
    let c = InferConfig::parse_file(&p).unwrap();
    assert_eq!((c.gie_unique_id, c.batch_size), (3, 1));
    assert_eq!(c.infer_dims, Some([3, 416, 416]));
    assert_eq!(c.model_color_format, ColorFormat::Bgr);
    assert!(c.maintain_aspect_ratio && c.symmetric_padding && c.output_tensor_meta);
    assert_eq!(c.cluster_mode, ClusterMode::Dbscan);
    let a = &c.class_attrs_all;
    assert_eq!((a.pre_cluster_threshold, a.eps, a.min_boxes, a.dbscan_min_score), (0.3, 0.7, 2, 0.5));
    assert_eq!((a.detected_min_w, a.roi_top_offset), (8, 10));
    assert_eq!((c.process_mode, c.operate_on_gie_id, c.interval), (ProcessMode::Secondary, 1, 2));
    assert_eq!(c.operate_on_class_ids, [0, 2]);
    assert_eq!((c.input_object_min_width, c.input_object_min_height), (32, 16));
}
