//! Where ONNX Runtime runs a model: the CPU, or the CUDA execution provider on the GPU that
//! `gpu-id` names (nvinfer's `gpu-id`, Gst-nvinfer manual, "Gst Properties" and the config
//! file's `[property]` group).
//!
//! The choice is `DS_ORT_PROVIDER`:
//! - `auto` (the default): CUDA on GPU `gpu-id` when the loaded ONNX Runtime library has the
//!   CUDA execution provider (PyPI `onnxruntime-gpu`; `DS_ORT_LIB` names it) and the provider
//!   registers (its CUDA and cuDNN libraries load, the GPU exists); else the CPU. The reason
//!   for falling back to the CPU is printed once per process.
//! - `cpu`: always the CPU (to compare both on one machine).
//! - `cuda`: CUDA or an error naming what failed.
//!
//! The library `scripts/setup.sh` installs (PyPI `onnxruntime`) has no CUDA provider, so the
//! portable backend runs on the CPU everywhere unless a GPU build of ONNX Runtime is named.

use std::sync::Once;

use ort::ep::{CUDA, ExecutionProvider};
use ort::session::builder::SessionBuilder;

/// The environment variable that selects the execution provider.
pub const PROVIDER_ENV: &str = "DS_ORT_PROVIDER";

/// What [`PROVIDER_ENV`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderChoice {
    /// CUDA where it works, else the CPU.
    Auto,
    /// The CPU only.
    Cpu,
    /// CUDA, or an error.
    Cuda,
}

/// Where a session runs, as chosen by [`register`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionTarget {
    /// ONNX Runtime's CPU execution provider.
    Cpu,
    /// ONNX Runtime's CUDA execution provider on this GPU.
    Cuda(u32),
}

impl std::fmt::Display for ExecutionTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecutionTarget::Cpu => write!(f, "CPU"),
            ExecutionTarget::Cuda(id) => write!(f, "CUDA GPU {id}"),
        }
    }
}

/// Reads [`PROVIDER_ENV`].
///
/// Errors: a value other than `auto`, `cpu` or `cuda` (the message names the variable).
pub fn provider_choice() -> Result<ProviderChoice, String> {
    match std::env::var(PROVIDER_ENV) {
        Err(_) => Ok(ProviderChoice::Auto),
        Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(ProviderChoice::Auto),
            "cpu" => Ok(ProviderChoice::Cpu),
            "cuda" | "gpu" => Ok(ProviderChoice::Cuda),
            _ => Err(format!("{PROVIDER_ENV}={v}: expected auto, cpu or cuda")),
        },
    }
}

static FALLBACK: Once = Once::new();

/// Registers the execution provider [`provider_choice`] asks for on `builder`, for GPU
/// `gpu_id`, and returns where the session will run.
///
/// Errors: `DS_ORT_PROVIDER=cuda` where the CUDA provider is missing from the library or
/// fails to register (ONNX Runtime's message, with the GPU id); a bad `DS_ORT_PROVIDER`.
pub fn register(builder: &mut SessionBuilder, gpu_id: u32) -> Result<ExecutionTarget, String> {
    let choice = provider_choice()?;
    if choice == ProviderChoice::Cpu {
        return Ok(ExecutionTarget::Cpu);
    }
    let why = match CUDA::is_available() {
        Ok(true) => match CUDA::default().with_device_id(gpu_id as i32).register(builder) {
            Ok(()) => return Ok(ExecutionTarget::Cuda(gpu_id)),
            Err(e) => format!("the CUDA execution provider did not register on GPU {gpu_id}: {e}"),
        },
        Ok(false) => "the ONNX Runtime library has no CUDA execution provider (a GPU build is PyPI onnxruntime-gpu; DS_ORT_LIB names its libonnxruntime.so)".to_owned(),
        Err(e) => format!("cannot ask ONNX Runtime for its execution providers: {e}"),
    };
    if choice == ProviderChoice::Cuda {
        return Err(format!("{PROVIDER_ENV}=cuda: {why}"));
    }
    fallback_note(&why);
    Ok(ExecutionTarget::Cpu)
}

/// Prints, once per process, why inference runs on the CPU although `auto` was asked for.
pub fn fallback_note(why: &str) {
    // Where no GPU build is loaded (every CPU machine) this is the normal case: say it only
    // when a GPU build was named, so CPU runs stay quiet.
    if std::env::var_os(crate::runtime::ORT_LIBRARY_ENV).is_none() {
        return;
    }
    FALLBACK.call_once(|| eprintln!("ds-infer: inference on the CPU: {why}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_library_falls_back_to_the_cpu_and_cuda_alone_is_an_error() {
        // setup.sh's ONNX Runtime (PyPI onnxruntime) has no CUDA provider.
        let env = crate::runtime::environment().expect("ONNX Runtime loads (run scripts/setup.sh)");
        let mut b = ort::session::Session::builder(&env).unwrap();
        assert_eq!(register(&mut b, 0), Ok(ExecutionTarget::Cpu));
        // SAFETY: tests of this module are the only readers of the variable.
        unsafe { std::env::set_var(PROVIDER_ENV, "cuda") };
        let e = register(&mut b, 0).unwrap_err();
        unsafe { std::env::set_var(PROVIDER_ENV, "bogus") };
        let bad = register(&mut b, 0).unwrap_err();
        unsafe { std::env::remove_var(PROVIDER_ENV) };
        assert!(e.contains("DS_ORT_PROVIDER=cuda") && e.contains("no CUDA execution provider"), "{e}");
        assert!(bad.contains("expected auto, cpu or cuda"), "{bad}");
    }
}
