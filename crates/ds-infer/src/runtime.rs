//! Finding and loading ONNX Runtime, once per process.
//!
//! The library is the C API library of the PyPI `onnxruntime==1.32.0` wheel, which
//! `scripts/setup.sh` puts at `models/onnxruntime/libonnxruntime.so.1.32.0` under the
//! workspace root. No environment variable is needed; [`find_library`] looks, in order:
//!
//! 1. `$DS_ORT_LIB` (an override: the library's full path);
//! 2. `<root>/models/onnxruntime/libonnxruntime.so.1.32.0`, for every folder `<root>` of
//!    [`candidate_roots`]: `$DS_ROOT`, the current directory and its parents, the
//!    executable's folder and its parents, the workspace root known at compile time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;

use crate::error::RuntimeError;

/// File name of the ONNX Runtime library.
pub const ORT_LIBRARY_NAME: &str = "libonnxruntime.so.1.32.0";
/// Path of the library below a workspace root.
pub const ORT_LIBRARY_SUBPATH: &str = "models/onnxruntime/libonnxruntime.so.1.32.0";
/// The environment variable that overrides the search.
pub const ORT_LIBRARY_ENV: &str = "DS_ORT_LIB";

/// The workspace root known at compile time (`crates/ds-infer/../..`).
pub fn compile_time_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// Where a workspace root (the folder holding `configs/`, `models/`, `streams/`) may be, in
/// the order to try: `$DS_ROOT` when set, the current directory and its parents, the
/// executable's folder and its parents, the workspace root known at compile time. Without
/// duplicates. ds-app's `paths::root` and [`find_library`] both search these.
pub fn candidate_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(r) = std::env::var_os("DS_ROOT") {
        roots.push(PathBuf::from(r));
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        roots.extend(dir.ancestors().map(Path::to_path_buf));
    }
    roots.push(compile_time_root());
    let mut seen = std::collections::HashSet::new();
    roots.retain(|r| seen.insert(r.clone()));
    roots
}

/// The workspace root: the first folder (search order of [`find_library`], without the
/// override) that holds `models/onnxruntime/libonnxruntime.so.1.32.0`. Apps and tests find
/// `models/` and `streams/` under it.
pub fn find_root() -> Option<PathBuf> {
    candidate_roots()
        .into_iter()
        .find(|r| r.join(ORT_LIBRARY_SUBPATH).is_file())
}

/// Finds `libonnxruntime.so.1.32.0` (see the module documentation for the order).
///
/// The error lists every path tried and says to run `scripts/setup.sh`.
pub fn find_library() -> Result<PathBuf, RuntimeError> {
    let mut tried = Vec::new();
    if let Some(p) = std::env::var_os(ORT_LIBRARY_ENV) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p);
    }
    for root in candidate_roots() {
        let p = root.join(ORT_LIBRARY_SUBPATH);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p);
    }
    Err(RuntimeError::LibraryNotFound {
        name: ORT_LIBRARY_NAME.into(),
        tried,
    })
}

static ENVIRONMENT: OnceLock<Result<Environment, RuntimeError>> = OnceLock::new();

/// The process's ONNX Runtime environment, created on first use from [`find_library`].
///
/// Later calls return the same environment (or the same error).
pub fn environment() -> Result<Environment, RuntimeError> {
    ENVIRONMENT
        .get_or_init(|| {
            let path = find_library()?;
            let builder = ort::init_from(&path).map_err(|e| RuntimeError::Load {
                path: path.clone(),
                message: e.to_string(),
            })?;
            builder
                .with_name("ds-infer")
                .build()
                .map_err(|e| RuntimeError::Load {
                    path: path.clone(),
                    message: e.to_string(),
                })
        })
        .clone()
}
