//! `PlatformInfo` of the Python samples (`common/platform_info.py`): Jetson (integrated GPU),
//! ARM server with a dGPU, x86 with a dGPU, or no NVIDIA GPU at all.
//!
//! The Python helper asks CUDA (`cudaDeviceProp.integrated`); this one reads what the system
//! shows, so it needs no CUDA library: `/etc/nv_tegra_release` or a Tegra device-tree model
//! for Jetson, `/proc/driver/nvidia/gpus` or `/dev/nvidia0` for a dGPU.

use std::path::Path;
use std::sync::OnceLock;

/// What kind of machine this is, detected once per process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformInfo {
    /// Jetson: an integrated (Tegra) GPU.
    pub integrated_gpu: bool,
    /// A discrete NVIDIA GPU with its driver loaded.
    pub discrete_gpu: bool,
    /// The CPU is aarch64 (`is_platform_aarch64`).
    pub aarch64: bool,
    /// Running under WSL (`is_wsl`).
    pub wsl: bool,
}

impl PlatformInfo {
    /// The platform of this machine (detected on the first call).
    pub fn get() -> PlatformInfo {
        static INFO: OnceLock<PlatformInfo> = OnceLock::new();
        *INFO.get_or_init(|| {
            let tegra_model = std::fs::read_to_string("/proc/device-tree/model")
                .map(|m| m.to_ascii_lowercase())
                .unwrap_or_default();
            PlatformInfo {
                integrated_gpu: Path::new("/etc/nv_tegra_release").exists()
                    || tegra_model.contains("jetson")
                    || tegra_model.contains("tegra"),
                discrete_gpu: Path::new("/proc/driver/nvidia/gpus").is_dir()
                    || Path::new("/dev/nvidia0").exists(),
                aarch64: std::env::consts::ARCH == "aarch64",
                wsl: std::fs::read_to_string("/proc/version")
                    .map(|v| v.to_ascii_lowercase().contains("microsoft"))
                    .unwrap_or(false),
            }
        })
    }

    /// `is_integrated_gpu()` of the Python helper.
    pub fn is_integrated_gpu(&self) -> bool {
        self.integrated_gpu
    }

    /// `is_platform_aarch64()` of the Python helper.
    pub fn is_platform_aarch64(&self) -> bool {
        self.aarch64
    }

    /// One line for humans: `Jetson`, `dGPU (x86_64)`, `no NVIDIA GPU (x86_64)` ...
    pub fn describe(&self) -> String {
        let arch = std::env::consts::ARCH;
        if self.integrated_gpu {
            "Jetson (integrated GPU)".to_owned()
        } else if self.discrete_gpu {
            format!("dGPU ({arch})")
        } else {
            format!("no NVIDIA GPU ({arch})")
        }
    }

    /// The display sink of SINK-SELECT: `nv3dsink` on Jetson and ARM servers, else
    /// `nveglglessink`.
    pub fn deepstream_display_sink(&self) -> &'static str {
        if self.integrated_gpu || self.aarch64 { "nv3dsink" } else { "nveglglessink" }
    }
}
