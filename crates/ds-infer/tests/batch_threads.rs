//! A batch prepared on several threads (`DS_PREPROCESS_THREADS`) gives exactly the
//! detections of the same batch prepared on one: 8 frames of `streams/vtest-5s.h264` at
//! deepstream-test1's 1920x1080, 4 per call.

mod common;

use common::{h264_frames, root};
use ds_infer::{InferConfig, Inference, NetworkMode};

#[test]
fn a_batch_prepared_on_several_threads_gives_the_same_detections() {
    let path = root().join("configs/deepstream-test1/portable/dstest1_pgie_config.txt");
    let mut config = InferConfig::from_file(&path).unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"));
    config.network_mode = NetworkMode::Fp32;
    config.batch_size = 4;
    let mut inference = Inference::new(&config).expect("model");
    let frames = h264_frames("vtest-5s.h264", 1920, 1080);
    let rois: Vec<_> = frames.iter().take(8).map(|f| f.full()).collect();
    let mut runs = Vec::new();
    for threads in ["1", "4"] {
        // SAFETY: this test binary has this one test; nothing else reads the variable.
        unsafe { std::env::set_var("DS_PREPROCESS_THREADS", threads) };
        let out = inference.infer(&rois).expect("inference");
        runs.push(out.into_iter().map(|o| o.detections).collect::<Vec<_>>());
    }
    let boxes: usize = runs[0].iter().map(Vec::len).sum();
    assert!(boxes >= 20, "only {boxes} boxes in 8 frames of vtest");
    assert_eq!(runs[0], runs[1], "one thread and four threads disagree");
}
