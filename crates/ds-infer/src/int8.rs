//! INT8 inference (`network-mode=1`): the calibration file and the quantized model.
//!
//! DeepStream calibrates once on real frames and keeps the result in the file that
//! `int8-calib-file` names (a TensorRT calibration table); nvinfer builds its INT8 engine from
//! the model and that table. The portable backend follows the same split with ONNX Runtime:
//!
//! - the calibration file is ONNX Runtime's JSON calibration cache (per-tensor ranges from its
//!   MinMax calibrator, `calibration_cache_path` of `onnxruntime.quantization.quantize_static`),
//!   made from real frames by `scripts/int8_calibrate.py`;
//! - the quantized model is built from the float model and that file by the same command, and
//!   sits next to the calibration file with the extension `.onnx`
//!   (`yolov3-tiny-int8.calib` → `yolov3-tiny-int8.onnx`): QDQ format, uint8 activations,
//!   int8 per-channel weights, which ONNX Runtime runs as QLinearConv (VNNI / AMX kernels).
//!
//! scripts/setup.sh makes the file and the model the samples' configs name. A TensorRT
//! calibration table is refused with a message saying how to make the portable one.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::config::{InferConfig, PROPERTY_GROUP};
use crate::error::{ConfigError, InferError};

/// The command that makes `calib` (and the quantized model) for `model`, as a user types it.
pub fn calibrate_command(model: &Path, calib: &Path) -> String {
    format!(
        ".venv/bin/python scripts/int8_calibrate.py {} {} --clip <H.264 or MP4 clip with typical frames>",
        model.display(),
        calib.display()
    )
}

/// The quantized model built from calibration file `calib`: the same path with the
/// extension `.onnx`.
pub fn quantized_model_path(calib: &Path) -> PathBuf {
    calib.with_extension("onnx")
}

/// The model to run for `network-mode=1`: the quantized model of `config`'s
/// `int8-calib-file`, after checking that the calibration file is an ONNX Runtime
/// calibration cache and that the quantized model exists and is not older than the
/// calibration file or the float model `model`.
///
/// Errors (each names the config file, the key and the command to run): no
/// `int8-calib-file`; the file is missing or is not ONNX Runtime's JSON cache (a TensorRT
/// table); the quantized model is missing or stale.
pub fn quantized_model(config: &InferConfig, model: &Path) -> Result<PathBuf, InferError> {
    let file = config.file.clone();
    let Some(calib) = &config.int8_calib_file else {
        return Err(InferError::Config(ConfigError::MissingKey {
            file,
            group: PROPERTY_GROUP.into(),
            key: "int8-calib-file".into(),
            why: format!(
                "network-mode=1 (INT8) needs the calibration file made from real frames: make one with `{}` and name it here",
                calibrate_command(model, Path::new("<model>-int8.calib"))
            ),
        }));
    };
    let bad = |why: String| {
        InferError::Config(ConfigError::Unsupported {
            file: file.clone(),
            group: calib.group.clone(),
            key: calib.key.clone(),
            value: calib.value.clone(),
            why,
        })
    };
    let text = match std::fs::read(&calib.path) {
        Ok(t) => t,
        Err(e) => {
            return Err(bad(format!(
                "INT8 calibration file {} cannot be read ({e}): make it from real frames with `{}` (scripts/setup.sh makes the samples' one)",
                calib.path.display(),
                calibrate_command(model, &calib.path)
            )));
        }
    };
    let head = String::from_utf8_lossy(&text[..text.len().min(4096)]);
    if !head.trim_start().starts_with('{') || !head.contains("\"TensorsData\"") {
        return Err(bad(format!(
            "{} is not an ONNX Runtime calibration cache (a TensorRT calibration table cannot be used by the portable backend): make one with `{}`",
            calib.path.display(),
            calibrate_command(model, &calib.path)
        )));
    }
    let quantized = quantized_model_path(&calib.path);
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let rebuild = format!(
        ".venv/bin/python scripts/int8_calibrate.py {} {}",
        model.display(),
        calib.path.display()
    );
    let Some(qt) = mtime(&quantized) else {
        return Err(bad(format!(
            "the INT8 model {} built from it is missing: build it from the calibration file with `{rebuild}`",
            quantized.display()
        )));
    };
    let newer = |p: &Path| mtime(p).is_some_and(|t: SystemTime| t > qt);
    if newer(&calib.path) || newer(model) {
        return Err(bad(format!(
            "the INT8 model {} is older than {} or {}: build it again with `{rebuild}`",
            quantized.display(),
            calib.path.display(),
            model.display()
        )));
    }
    Ok(quantized)
}
