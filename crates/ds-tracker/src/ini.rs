//! The samples' tracker INI file (`dstest2_tracker_config.txt`: a `[tracker]` group read
//! with Python's configparser and mapped onto nvtracker's properties; spec "TRACKER-INI"),
//! and the low-level library names (`ll-lib-file`) the portable tracker stands in for.

use std::path::{Path, PathBuf};

use crate::error::ConfigError;

/// The name this project's tracker library goes by in `ll-lib-file` (the portable INI
/// files use it; any directory, with or without `.so`).
pub const PORTABLE_LIB: &str = "libds_tracker";

/// NVIDIA's NvMultiObjectTracker library, which the portable tracker stands in for.
pub const NVIDIA_LIB: &str = "libnvds_nvmultiobjecttracker.so";

/// Maps an `ll-lib-file` value onto the portable tracker: NVIDIA's
/// `libnvds_nvmultiobjecttracker.so` (any directory) and [`PORTABLE_LIB`] (with or without
/// `.so`, any directory) are accepted; anything else (DeepStream 5's `libnvds_mot_klt.so`,
/// `libnvds_nvdcf.so`, `libnvds_mot_iou.so`, a custom library) is an error naming it.
/// `file` is where the value came from (for the message).
pub fn check_ll_lib_file(value: &str, file: &Path) -> Result<(), ConfigError> {
    let name = Path::new(value.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name == NVIDIA_LIB || name == PORTABLE_LIB || name == format!("{PORTABLE_LIB}.so") {
        return Ok(());
    }
    Err(ConfigError::UnknownLibrary {
        file: file.to_path_buf(),
        value: value.to_string(),
        accepted: format!(
            "{NVIDIA_LIB} (NVIDIA's NvMultiObjectTracker, any directory) or {PORTABLE_LIB}[.so] (this project's portable tracker); DeepStream 5's libnvds_mot_klt.so, libnvds_nvdcf.so and libnvds_mot_iou.so are replaced by {NVIDIA_LIB} with an ll-config-file"
        ),
    })
}

/// The `[tracker]` group of a samples' tracker INI file. Keys absent from the file are
/// `None` (the element keeps its property defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackerIni {
    /// The INI file.
    pub file: PathBuf,
    /// `tracker-width` (pixels).
    pub tracker_width: Option<u32>,
    /// `tracker-height` (pixels).
    pub tracker_height: Option<u32>,
    /// `gpu-id`.
    pub gpu_id: Option<u32>,
    /// `ll-lib-file` as written.
    pub ll_lib_file: Option<String>,
    /// `ll-config-file`, resolved relative to the INI file's folder (as the samples run from
    /// their folder). Several files separated by `;` (sub-batches) are kept as written,
    /// each resolved.
    pub ll_config_file: Option<PathBuf>,
    /// `enable-batch-process` (0/1).
    pub enable_batch_process: Option<bool>,
    /// `enable-past-frame` (0/1).
    pub enable_past_frame: Option<bool>,
    /// `display-tracking-id` (0/1).
    pub display_tracking_id: Option<bool>,
    /// `tracking-id-reset-mode`.
    pub tracking_id_reset_mode: Option<u32>,
    /// `tracking-surface-type`.
    pub tracking_surface_type: Option<u32>,
    /// `compute-hw`.
    pub compute_hw: Option<u32>,
    /// `user-meta-pool-size`.
    pub user_meta_pool_size: Option<u32>,
    /// `sub-batches` as written.
    pub sub_batches: Option<String>,
    /// deepstream-app's `enable` (0/1): whether the app adds a tracker at all.
    pub enable: Option<bool>,
    /// Keys of `[tracker]` that nvtracker has no property for (warned about by apps).
    pub unknown_keys: Vec<String>,
}

/// A property value from the INI file (what the samples pass to `g_object_set`).
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    /// An unsigned integer property (`tracker-width` ...).
    UInt(u32),
    /// A signed integer property (`compute-hw`).
    Int(i32),
    /// A boolean property (`enable-batch-process` ...).
    Bool(bool),
    /// A string property (`ll-lib-file`, `ll-config-file`, `sub-batches`).
    Str(String),
}

impl TrackerIni {
    /// The nvtracker properties the file sets, by property name, in the file's key order as
    /// the samples map them (TRACKER-INI: `tracker-width`, `tracker-height`, `gpu-id`,
    /// `ll-lib-file`, `ll-config-file` resolved against the INI's folder, and the optional
    /// ones). deepstream-app's `enable` is not a property and is left out.
    pub fn properties(&self) -> Vec<(&'static str, PropertyValue)> {
        use PropertyValue::{Bool, Str, UInt};
        let mut v = Vec::new();
        let mut u = |name, x: Option<u32>| {
            if let Some(x) = x {
                v.push((name, UInt(x)));
            }
        };
        u("tracker-width", self.tracker_width);
        u("tracker-height", self.tracker_height);
        u("gpu-id", self.gpu_id);
        u("tracking-id-reset-mode", self.tracking_id_reset_mode);
        u("tracking-surface-type", self.tracking_surface_type);
        u("user-meta-pool-size", self.user_meta_pool_size);
        if let Some(s) = &self.ll_lib_file {
            v.push(("ll-lib-file", Str(s.clone())));
        }
        if let Some(p) = &self.ll_config_file {
            v.push(("ll-config-file", Str(p.to_string_lossy().into_owned())));
        }
        for (name, b) in [
            ("enable-batch-process", self.enable_batch_process),
            ("enable-past-frame", self.enable_past_frame),
            ("display-tracking-id", self.display_tracking_id),
        ] {
            if let Some(b) = b {
                v.push((name, Bool(b)));
            }
        }
        if let Some(x) = self.compute_hw {
            v.push((
                "compute-hw",
                PropertyValue::Int(x.min(i32::MAX as u32) as i32),
            ));
        }
        if let Some(s) = &self.sub_batches {
            v.push(("sub-batches", Str(s.clone())));
        }
        v
    }

    /// Reads the `[tracker]` group of `path`. Values are checked (integers, 0/1 booleans);
    /// `ll-lib-file` is checked with [`check_ll_lib_file`]; `ll-config-file` is resolved
    /// relative to `path`'s folder but not read (the element reads it at start).
    pub fn from_file(path: &Path) -> Result<TrackerIni, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::from_str_at(&text, path)
    }

    /// Parses `text` as the content of the INI file `path`.
    pub fn from_str_at(text: &str, path: &Path) -> Result<TrackerIni, ConfigError> {
        let file = path.to_path_buf();
        let mut ini = TrackerIni {
            file: file.clone(),
            ..Default::default()
        };
        let mut group: Option<String> = None;
        let mut seen_tracker = false;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(g) = line.strip_prefix('[') {
                let Some(g) = g.strip_suffix(']') else {
                    return Err(ConfigError::Syntax {
                        file,
                        message: format!("line {}: group header without `]`: {line}", n + 1),
                    });
                };
                seen_tracker |= g.trim() == "tracker";
                group = Some(g.trim().to_string());
                continue;
            }
            let Some((key, value)) = line.split_once(['=', ':']) else {
                return Err(ConfigError::Syntax {
                    file,
                    message: format!("line {}: expected key=value: {line}", n + 1),
                });
            };
            if group.as_deref() != Some("tracker") {
                continue;
            }
            let key = key.trim();
            // configparser keeps inline text; GKeyFile too: drop only a `#` comment after a value
            let value = value.split(" #").next().unwrap_or("").trim();
            let bad = |expected: &str| ConfigError::IniValue {
                file: file.clone(),
                group: "tracker".into(),
                key: key.into(),
                value: value.into(),
                expected: expected.into(),
            };
            let uint = || {
                value
                    .parse::<u32>()
                    .map_err(|_| bad("a non-negative integer"))
            };
            let boolean = || match value {
                "0" | "false" | "False" => Ok(false),
                "1" | "true" | "True" => Ok(true),
                _ => Err(bad("0 or 1")),
            };
            match key {
                "tracker-width" => ini.tracker_width = Some(uint()?),
                "tracker-height" => ini.tracker_height = Some(uint()?),
                "gpu-id" => ini.gpu_id = Some(uint()?),
                "ll-lib-file" => {
                    check_ll_lib_file(value, &file)?;
                    ini.ll_lib_file = Some(value.to_string());
                }
                "ll-config-file" => {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    let resolved: Vec<String> = value
                        .split(';')
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| dir.join(s.trim()).to_string_lossy().into_owned())
                        .collect();
                    if resolved.is_empty() {
                        return Err(bad("a file name"));
                    }
                    ini.ll_config_file = Some(PathBuf::from(resolved.join(";")));
                }
                "enable-batch-process" => ini.enable_batch_process = Some(boolean()?),
                "enable-past-frame" => ini.enable_past_frame = Some(boolean()?),
                "display-tracking-id" => ini.display_tracking_id = Some(boolean()?),
                "tracking-id-reset-mode" => ini.tracking_id_reset_mode = Some(uint()?),
                "tracking-surface-type" => ini.tracking_surface_type = Some(uint()?),
                "compute-hw" => ini.compute_hw = Some(uint()?),
                "user-meta-pool-size" => ini.user_meta_pool_size = Some(uint()?),
                "sub-batches" => ini.sub_batches = Some(value.to_string()),
                "enable" => ini.enable = Some(boolean()?),
                other => ini.unknown_keys.push(other.to_string()),
            }
        }
        if !seen_tracker {
            return Err(ConfigError::Missing {
                file,
                group: "tracker".into(),
                key: "[tracker]".into(),
                why: "a tracker INI file needs a [tracker] group".into(),
            });
        }
        Ok(ini)
    }
}
