//! deepstream-preprocess-test end to end on the portable backend: the app serves its tiled,
//! annotated video over RTSP and an RTSP client decodes it; its per-frame counts; bad
//! preprocess configs end the app with a clear error and a non-zero exit.

use std::time::Duration;

use ds_testkit::live::{LiveApp, rtsp_client};
use ds_testkit::{out_path, stream, text, write_png};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-preprocess-test");

#[test]
fn a_client_decodes_the_served_stream_and_people_are_counted() {
    let input = stream("vtest.mp4");
    let mut app = LiveApp::spawn(BIN, &["--backend", "portable", "-i", input.to_str().unwrap(), "--rtsp-port", "0"], &[]);
    let url = app.rtsp_url(Duration::from_secs(60)).unwrap_or_else(|| {
        panic!("no 'Launched RTSP Streaming at' line\n{}\n{}", app.stdout_text(), app.stderr_text())
    });
    let got = rtsp_client(&url, 30, &[25], Duration::from_secs(180));
    app.interrupt();
    let (status, stdout, stderr) = app.finish(Duration::from_secs(30));
    assert!(got.errors.is_empty(), "client errors: {:?}\n{stderr}", got.errors);
    assert!(got.frames >= 30, "the client decoded {} frames\n{stderr}", got.frames);
    let (_, frame) = &got.kept[0];
    assert_eq!((frame.width, frame.height), (1280, 720), "the tiler's output");
    write_png(&out_path("deepstream-preprocess-test", "client-25.png"), frame);
    assert!(status.success(), "exit {status:?}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Frame Number=")).collect();
    assert!(lines.len() >= 30, "{stdout}");
    let people: u32 = lines
        .iter()
        .filter_map(|l| l.rsplit("Person_count= ").next()?.trim().parse::<u32>().ok())
        .sum();
    println!("{} frames, {people} people counted in the ROIs", lines.len());
    assert!(people > 0, "people are found in vtest's ROIs\n{stdout}");
}

/// The portable config_preprocess.txt with `(from, to)` replacements, written to a temp file.
fn bad_config(name: &str, edits: &[(&str, &str)]) -> std::path::PathBuf {
    let root = ds_testkit::root();
    let mut text = std::fs::read_to_string(root.join("configs/deepstream-preprocess-test/portable/config_preprocess.txt")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    let dir = std::env::temp_dir().join(format!("preprocess-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn fails_with(config: &std::path::Path, wants: &[&str]) {
    let input = stream("vtest-4s.mp4");
    let out = ds_testkit::run(
        BIN,
        &["--backend", "portable", "-i", input.to_str().unwrap(), "--rtsp-port", "0", "--preprocess-config", config.to_str().unwrap()],
        &[],
        Duration::from_secs(120),
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "{stderr}");
    for w in wants {
        assert!(stderr.contains(w), "'{w}' not in:\n{stderr}");
    }
}

#[test]
fn a_network_input_shape_not_matching_the_model_is_an_error() {
    let p = bad_config(
        "shape.txt",
        &[("network-input-shape=4;3;416;416", "network-input-shape=4;3;320;320"), ("processing-width=416", "processing-width=320"), ("processing-height=416", "processing-height=320")],
    );
    fails_with(&p, &["network-input-shape", "3;416;416", "[2, 3, 320, 320]"]);
}

#[test]
fn a_custom_library_is_refused_naming_file_and_key() {
    let p = bad_config("lib.txt", &[("gst-plugins/libcustom2d_preprocess.so", "libmy_preprocess.so")]);
    fails_with(&p, &[p.to_str().unwrap(), "custom-lib-path=/opt/nvidia/deepstream/deepstream/lib/libmy_preprocess.so", "libcustom2d_preprocess.so"]);
}

#[test]
fn more_rois_than_the_batch_dimension_make_several_tensors() {
    // 2 ROIs on one source with a batch dimension of 1: two tensors per batch (as
    // nvdspreprocess); the app runs to the end.
    let p = bad_config("batch1.txt", &[("network-input-shape=4;3;416;416", "network-input-shape=1;3;416;416")]);
    let input = stream("vtest-4s.mp4");
    let out = ds_testkit::run(
        BIN,
        &["--backend", "portable", "-i", input.to_str().unwrap(), "--rtsp-port", "0", "--preprocess-config", p.to_str().unwrap()],
        &[],
        Duration::from_secs(240),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.lines().filter(|l| l.starts_with("Frame Number=")).count() > 20, "{stdout}");
}

#[test]
fn no_arguments_print_the_help_and_fail() {
    let out = ds_testkit::run(BIN, &[], &[], Duration::from_secs(30));
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("--input") && stderr.contains("--codec"), "{stderr}");
}

#[test]
fn both_backends_preprocess_configs_are_read() {
    use ds_infer::preprocess_config::{PreprocessConfig, RoiRect};
    let dir = ds_testkit::root().join("configs/deepstream-preprocess-test");
    // DeepStream's: the sample's 4 sources x 3 ROIs = 12 units for a batch dimension of 8 (two
    // tensors per batch, as nvdspreprocess makes them)
    let ds = PreprocessConfig::from_file(&dir.join("config_preprocess.txt")).unwrap();
    assert_eq!((ds.nchw(), ds.tensor_name.as_str()), ([8, 3, 544, 960], "input_1:0"));
    assert_eq!(ds.units(&[0, 1, 2, 3]), 12);
    assert_eq!(ds.groups[0].rois[&3][2], RoiRect { left: 0, top: 0, width: 540, height: 900 });
    assert!(ds.diagnostics.iter().any(|d| d.message.contains("each batch makes 2 tensors")), "{:?}", ds.diagnostics);
    // the portable one: YOLOv3-tiny's input, two ROIs per source inside the 1920x1080 frames
    let p = PreprocessConfig::from_file(&dir.join("portable/config_preprocess.txt")).unwrap();
    assert_eq!((p.nchw(), p.tensor_name.as_str()), ([4, 3, 416, 416], "data"));
    for (src, rois) in &p.groups[0].rois {
        assert_eq!(rois.len(), 2, "source {src}");
        assert!(rois.iter().all(|r| r.left + r.width <= 1920 && r.top + r.height <= 1080), "{rois:?}");
    }
}
