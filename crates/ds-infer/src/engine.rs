//! Model engines behind one trait. The portable backend has one: ONNX Runtime
//! ([`OrtEngine`]). Formats ONNX Runtime cannot read (Caffe, UFF, TAO `.etlt`, TensorRT
//! engines, Darknet without a converted ONNX) are refused by [`crate::Inference::new`] with a
//! "not supported in the portable backend: convert to ONNX" error.

use std::path::{Path, PathBuf};

use ndarray::ArrayViewD;
use ort::session::Session;
use ort::value::{TensorElementType, TensorRef, ValueType};

use crate::error::InferError;
use crate::output::OutputTensor;

/// Name and dimensions of a model input or output (-1 for a dynamic dimension).
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSpec {
    /// Layer name.
    pub name: String,
    /// Dimensions, batch first; -1 where the model leaves a dimension open.
    pub dims: Vec<i64>,
}

/// A model that takes one float tensor and returns float tensors.
pub trait Engine: Send {
    /// The model's (single) input.
    fn input(&self) -> &TensorSpec;
    /// The model's outputs, in model order.
    fn outputs(&self) -> &[TensorSpec];
    /// Runs the model on `input` (`[batch, channels, height, width]` or NHWC) and returns
    /// every output in model order, for the whole batch (dims batch first).
    fn run(&mut self, input: ArrayViewD<'_, f32>) -> Result<Vec<OutputTensor>, String>;
}

/// ONNX Runtime: the CPU execution provider (one inter-op thread, and as many intra-op
/// threads as [`intra_op_threads`] says, which sleep rather than spin between operators),
/// or the CUDA one where [`crate::device`] chooses it.
pub struct OrtEngine {
    session: Session,
    target: crate::device::ExecutionTarget,
    input: TensorSpec,
    outputs: Vec<TensorSpec>,
}

fn spec(name: &str, t: &ValueType) -> TensorSpec {
    TensorSpec {
        name: name.to_string(),
        dims: t.tensor_shape().map(|s| s.to_vec()).unwrap_or_default(),
    }
}

/// Threads ONNX Runtime uses within one inference call: `DS_ORT_THREADS` when set (a
/// positive integer), else the number of CPUs this process may use.
///
/// Measured on 2 cores with YOLOv3-tiny (ONNX Runtime 1.32): 1 thread 86 ms per frame,
/// 2 threads 56 ms at batch 1 and 50 ms per frame at batch 4 (scripts/bench.sh gives the
/// pipeline figures).
///
/// Errors: `DS_ORT_THREADS` is not a positive integer (the message names it).
pub fn intra_op_threads() -> Result<usize, String> {
    match std::env::var("DS_ORT_THREADS") {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("DS_ORT_THREADS={v}: expected a positive integer")),
        },
        Err(_) => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

impl OrtEngine {
    /// Loads an ONNX model, creating the process's ONNX Runtime environment on first use
    /// (GPU 0 where [`crate::device`] picks CUDA).
    pub fn open(model: &Path) -> Result<OrtEngine, InferError> {
        OrtEngine::open_on(model, 0)
    }

    /// Loads an ONNX model for GPU `gpu_id` (nvinfer's `gpu-id`): CUDA there where
    /// [`crate::device::register`] says so, else the CPU.
    ///
    /// Errors: the model does not load, has more than one input or a non-float input;
    /// `DS_ORT_PROVIDER=cuda` where CUDA does not register.
    pub fn open_on(model: &Path, gpu_id: u32) -> Result<OrtEngine, InferError> {
        let env = crate::runtime::environment()?;
        let err = |message: String| InferError::Model {
            model: model.to_path_buf(),
            message,
        };
        let mut builder = Session::builder(&env)
            .map_err(|e| err(e.to_string()))?
            .with_intra_threads(intra_op_threads().map_err(err)?)
            .map_err(|e| err(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| err(e.to_string()))?
            // no spin-waiting between operators: in a pipeline the decoder, the OSD and the
            // encoder need those cycles (measured with the INT8 YOLOv3-tiny, 2 threads on 2
            // busy cores: 25 CPU-ms a frame instead of 35, and less wall time too)
            .with_intra_op_spinning(false)
            .map_err(|e| err(e.to_string()))?
            // INT8 (QDQ) models: a QuantizeLinear stays after the float pooling that precedes
            // it. Moved above the pooling, as this transformer does, the pooling runs on
            // uint8 in ONNX Runtime's slow NCHW kernel (the INT8 YOLOv3-tiny, whose first
            // block is float: 9.8 ms for one 2x2 pooling; 15.6 ms for the whole network
            // without the move). Float models have no QuantizeLinear: no effect.
            .with_disabled_optimizers("QDQPropagationTransformer")
            .map_err(|e| err(e.to_string()))?;
        let target = crate::device::register(&mut builder, gpu_id).map_err(err)?;
        let session = builder
            .commit_from_file(model)
            .map_err(|e| err(e.to_string()))?;
        let inputs: Vec<TensorSpec> = session
            .inputs()
            .iter()
            .map(|o| spec(o.name(), o.dtype()))
            .collect();
        let outputs: Vec<TensorSpec> = session
            .outputs()
            .iter()
            .map(|o| spec(o.name(), o.dtype()))
            .collect();
        let input = match inputs.as_slice() {
            [one] => one.clone(),
            _ => {
                return Err(InferError::ModelMismatch {
                    model: model.to_path_buf(),
                    message: format!(
                        "the model has {} inputs ({}); the portable backend feeds exactly one image tensor",
                        inputs.len(),
                        inputs
                            .iter()
                            .map(|i| i.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        };
        if let Some(t) = session.inputs()[0].dtype().tensor_type()
            && t != TensorElementType::Float32
        {
            return Err(InferError::ModelMismatch {
                model: model.to_path_buf(),
                message: format!(
                    "input '{}' is {t:?}; the portable backend feeds float32",
                    input.name
                ),
            });
        }
        Ok(OrtEngine {
            session,
            target,
            input,
            outputs,
        })
    }
}

impl OrtEngine {
    /// Where this model runs.
    pub fn target(&self) -> crate::device::ExecutionTarget {
        self.target
    }
}

impl Engine for OrtEngine {
    fn input(&self) -> &TensorSpec {
        &self.input
    }

    fn outputs(&self) -> &[TensorSpec] {
        &self.outputs
    }

    fn run(&mut self, input: ArrayViewD<'_, f32>) -> Result<Vec<OutputTensor>, String> {
        let tensor = TensorRef::from_array_view(input).map_err(|e| e.to_string())?;
        let name = self.input.name.clone();
        let outputs = self
            .session
            .run(ort::inputs![name => tensor])
            .map_err(|e| e.to_string())?;
        let mut result = Vec::with_capacity(self.outputs.len());
        for spec in &self.outputs {
            let v = outputs
                .get(&spec.name)
                .ok_or_else(|| format!("output '{}' missing from the run", spec.name))?;
            let (dims, data): (Vec<usize>, Vec<f32>) =
                if let Ok((s, d)) = v.try_extract_tensor::<f32>() {
                    (s.iter().map(|&x| x.max(0) as usize).collect(), d.to_vec())
                } else if let Ok((s, d)) = v.try_extract_tensor::<i64>() {
                    (
                        s.iter().map(|&x| x.max(0) as usize).collect(),
                        d.iter().map(|&x| x as f32).collect(),
                    )
                } else if let Ok((s, d)) = v.try_extract_tensor::<i32>() {
                    (
                        s.iter().map(|&x| x.max(0) as usize).collect(),
                        d.iter().map(|&x| x as f32).collect(),
                    )
                } else if let Ok((s, d)) = v.try_extract_tensor::<f64>() {
                    (
                        s.iter().map(|&x| x.max(0) as usize).collect(),
                        d.iter().map(|&x| x as f32).collect(),
                    )
                } else {
                    return Err(format!(
                        "output '{}' is not a float or integer tensor",
                        spec.name
                    ));
                };
            result.push(OutputTensor {
                name: spec.name.clone(),
                dims,
                data,
            });
        }
        Ok(result)
    }
}

/// Where the ONNX file for a Darknet `.cfg` would be: same folder and stem, `.onnx`.
pub fn darknet_onnx_path(cfg: &Path) -> PathBuf {
    cfg.with_extension("onnx")
}
