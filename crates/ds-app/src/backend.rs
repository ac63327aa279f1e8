//! Backend choice and the mapping from NVIDIA element names to the portable ones.
//!
//! Samples name NVIDIA's elements (`nvstreammux`, `nvinfer`, ...) so that their code reads
//! like the DeepStream sample they port; [`Backend::make`] builds the element of the chosen
//! backend. See DESIGN.md, "Backends".

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// Which elements and which metadata provider a process uses. Chosen once, at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// NVIDIA's elements and DeepStream's own `libnvds_meta.so` (DeepStream 7.0, 7.1, 8.0 or
    /// 9.x installed; ds-meta built with its layouts).
    DeepStream,
    /// This project's elements (`ds-elements`) and the builtin metadata provider.
    Portable,
}

/// The DeepStream libraries the `deepstream` backend needs, besides the `nvinfer` element.
pub const DEEPSTREAM_LIBS: &[&str] = &["libnvds_meta.so", "libnvdsgst_meta.so"];

/// Where DeepStream installs its libraries.
pub const DEEPSTREAM_LIB_DIR: &str = "/opt/nvidia/deepstream/deepstream/lib";

/// NVIDIA element → portable element. Elements not in the table are used as they are
/// (`filesrc`, `h264parse`, `queue` ...).
pub const ELEMENT_MAP: &[(&str, &str)] = &[
    ("nvstreammux", "dsstreammux"),
    ("nvstreamdemux", "dsstreamdemux"),
    ("nvinfer", "dsinfer"),
    ("nvinferserver", "dsinfer"),
    ("nvvideoconvert", "dsvideoconvert"),
    ("nvdsosd", "dsosd"),
    ("nvmultistreamtiler", "dstiler"),
    ("nvtracker", "dstracker"),
    ("nvdsanalytics", "dsanalytics"),
    ("nvmsgconv", "dsmsgconv"),
    ("nvmsgbroker", "dsmsgbroker"),
    ("nvdspreprocess", "dspreprocess"),
    ("nvof", "dsof"),
    ("nvofvisual", "dsofvisual"),
    ("nvsegvisual", "dssegvisual"),
    ("nvv4l2decoder", "avdec_h264"),
    ("nvv4l2h264enc", "x264enc"),
    ("nvv4l2h265enc", "x265enc"),
    ("nvdslogger", "dslogger"),
    ("nvurisrcbin", "dsurisrcbin"),
];

impl Backend {
    /// Resolves `arg` (the `--backend` flag; when `None`, the `DS_BACKEND` variable; when
    /// unset, `auto`). `auto` is `deepstream` where the `nvinfer` element and
    /// [`DEEPSTREAM_LIBS`] are found, else `portable`.
    ///
    /// Errors: an unknown name; `deepstream` where DeepStream is missing (the message names
    /// each missing part).
    pub fn resolve(arg: Option<&str>) -> anyhow::Result<Backend> {
        let from_env = std::env::var("DS_BACKEND").ok();
        let name = arg.map(str::to_owned).or(from_env).unwrap_or_else(|| "auto".into());
        match name.trim().to_ascii_lowercase().as_str() {
            "portable" => Ok(Backend::Portable),
            "deepstream" => {
                let missing = deepstream_missing();
                if !missing.is_empty() {
                    bail!(
                        "--backend deepstream: DeepStream is not usable here: {}. Found: {}. \
                         Install DeepStream (7.0, 7.1, 8.0 or 9.x) or use --backend portable",
                        missing.join("; "),
                        deepstream_found()
                    );
                }
                Ok(Backend::DeepStream)
            }
            "auto" => Ok(if deepstream_missing().is_empty() {
                Backend::DeepStream
            } else {
                Backend::Portable
            }),
            other => bail!("unknown backend '{other}': expected auto, deepstream or portable"),
        }
    }

    /// `"deepstream"` or `"portable"`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::DeepStream => "deepstream",
            Backend::Portable => "portable",
        }
    }

    /// The factory name this backend uses for NVIDIA's element `nv_factory`.
    pub fn factory_name(self, nv_factory: &str) -> &str {
        match self {
            Backend::DeepStream => nv_factory,
            Backend::Portable => ELEMENT_MAP
                .iter()
                .find(|(nv, _)| *nv == nv_factory)
                .map(|(_, ds)| *ds)
                .unwrap_or(nv_factory),
        }
    }

    /// Makes the element that stands for NVIDIA's `nv_factory` in this backend, named `name`
    /// (the Python sample's instance name).
    ///
    /// Errors name the factory and, for the portable backend, the NVIDIA element it stands in
    /// for when that stand-in is not written yet.
    ///
    /// Under the portable backend, `nvv4l2decoder` is NVIDIA's decoder where it is registered
    /// (see [`crate::nvdec`]), else `avdec_h264` (or `openh264dec` where only that one is
    /// installed).
    pub fn make(self, nv_factory: &str, name: &str) -> anyhow::Result<gst::Element> {
        if self == Backend::Portable && nv_factory == "nvv4l2decoder" && crate::nvdec::available() {
            return crate::nvdec::decoder_bin(name);
        }
        let factory = match self.factory_name(nv_factory) {
            "avdec_h264" => crate::nvdec::software_decoder(),
            f => f,
        };
        gst::ElementFactory::make(factory).name(name).build().map_err(|_| {
            if factory != nv_factory {
                anyhow::anyhow!(
                    "Unable to create {name}: element '{factory}' (the portable stand-in for \
                     '{nv_factory}') is not available: not implemented yet, or its GStreamer \
                     plugin is not installed"
                )
            } else if self == Backend::DeepStream && nv_factory.starts_with("nv") {
                anyhow::anyhow!(
                    "Unable to create {name}: DeepStream element '{nv_factory}' not found \
                     (is DeepStream 7.1 installed and its plugins in the GStreamer registry?)"
                )
            } else {
                anyhow::anyhow!(
                    "Unable to create {name}: GStreamer element '{factory}' not found \
                     (run scripts/setup.sh to install the GStreamer plugins)"
                )
            }
        })
    }

    /// The config file `file` of sample `app` for this backend: `configs/<app>/<file>` for
    /// DeepStream (the sample's own config, with NVIDIA's models), `configs/<app>/portable/<file>`
    /// for the portable backend (the models `scripts/setup.sh` fetched).
    ///
    /// Errors: the file does not exist (the message gives the path).
    pub fn config(self, app: &str, file: &str) -> anyhow::Result<PathBuf> {
        let dir = crate::paths::configs_dir()?.join(app);
        let path = match self {
            Backend::DeepStream => dir.join(file),
            Backend::Portable => dir.join("portable").join(file),
        };
        if !path.is_file() {
            bail!("config file {} not found (backend {})", path.display(), self.name());
        }
        Ok(path)
    }

    /// Selects the ds-meta provider of this backend for the whole process: DeepStream's
    /// `libnvds_meta.so` for `deepstream`, the builtin one for `portable`.
    pub fn select_meta_provider(self) -> anyhow::Result<()> {
        let provider = match self {
            Backend::DeepStream => ds_meta::Provider::Native,
            Backend::Portable => ds_meta::Provider::Builtin,
        };
        ds_meta::set_provider(provider)
            .with_context(|| format!("selecting the {} metadata provider", self.name()))?;
        Ok(())
    }
}

/// The DeepStream installation's `version` file (`Version: 8.0`): `DS_ROOT` or
/// `/opt/nvidia/deepstream/deepstream`.
fn installed_version() -> Result<(String, PathBuf), PathBuf> {
    let root = std::env::var_os("DS_ROOT").map(PathBuf::from).unwrap_or_else(|| "/opt/nvidia/deepstream/deepstream".into());
    let file = root.join("version");
    let text = std::fs::read_to_string(&file).map_err(|_| file.clone())?;
    let v = text.lines().find_map(|l| l.trim().strip_prefix("Version:")).map(|v| v.trim().to_owned());
    v.filter(|v| !v.is_empty()).map(|v| (v, file.clone())).ok_or(file)
}

/// What DeepStream this machine has, in words, for the `deepstream` backend's messages: the
/// installed version (its `version` file), the version whose metadata sizes the
/// `libnvds_meta.so` the native provider would load has (and its path), and the
/// DeepStream version of ds-meta's layouts in this build. E.g. `DeepStream 8.0
/// (/opt/nvidia/deepstream/deepstream/version); libnvds_meta.so of DeepStream 8.0
/// (/opt/.../libnvds_meta.so); metadata layouts of DeepStream 8.0`.
pub fn deepstream_found() -> String {
    let installed = match installed_version() {
        Ok((v, file)) => format!("DeepStream {v} ({})", file.display()),
        Err(file) => format!("no DeepStream installation ({} not found)", file.display()),
    };
    let lib = match ds_meta::native_library_version() {
        Ok((v, path)) => format!("libnvds_meta.so of DeepStream {v} ({path})"),
        Err(_) => "no libnvds_meta.so".to_owned(),
    };
    format!("{installed}; {lib}; metadata layouts of DeepStream {}", ds_meta::sys::ABI_VERSION)
}

/// What the `deepstream` backend lacks here, one entry per missing part (empty when usable).
pub fn deepstream_missing() -> Vec<String> {
    let mut missing = Vec::new();
    if gst::ElementFactory::find("nvinfer").is_none() {
        missing.push("GStreamer element 'nvinfer' not found".to_owned());
    }
    for lib in DEEPSTREAM_LIBS {
        if find_library(lib).is_none() {
            missing.push(format!("library {lib} not found in DS_META_LIB_DIR, {DEEPSTREAM_LIB_DIR} or LD_LIBRARY_PATH"));
        }
    }
    missing
}

fn find_library(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    dirs.push(PathBuf::from(DEEPSTREAM_LIB_DIR));
    // ds-meta's native provider loads from here, and only here, when it is set.
    if let Some(d) = std::env::var_os("DS_META_LIB_DIR").filter(|d| !d.is_empty()) {
        dirs = vec![PathBuf::from(d)];
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| Path::new(p).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_names_follow_the_design_table() {
        let b = Backend::Portable;
        assert_eq!(b.factory_name("nvstreammux"), "dsstreammux");
        assert_eq!(b.factory_name("nvinfer"), "dsinfer");
        assert_eq!(b.factory_name("nvdspreprocess"), "dspreprocess");
        assert_eq!(b.factory_name("nvdsosd"), "dsosd");
        assert_eq!(b.factory_name("h264parse"), "h264parse");
        assert_eq!(Backend::DeepStream.factory_name("nvinfer"), "nvinfer");
    }

    #[test]
    fn unknown_backend_is_an_error_naming_it() {
        let err = Backend::resolve(Some("cuda")).unwrap_err().to_string();
        assert!(err.contains("unknown backend 'cuda'"), "{err}");
    }

    #[test]
    fn deepstream_where_missing_names_what_is_missing() {
        gst::init().unwrap();
        if deepstream_missing().is_empty() {
            return; // DeepStream is installed on this machine: nothing to check here.
        }
        let err = Backend::resolve(Some("deepstream")).unwrap_err().to_string();
        assert!(err.contains("nvinfer"), "{err}");
        assert!(err.contains("libnvds_meta.so"), "{err}");
        assert!(err.contains(&format!("metadata layouts of DeepStream {}", ds_meta::sys::ABI_VERSION)), "{err}");
        assert!(err.contains("Found: "), "the DeepStream found is named: {err}");
        assert_eq!(Backend::resolve(Some("auto")).unwrap(), Backend::Portable);
    }
}
