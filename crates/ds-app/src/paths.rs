//! Where the workspace's `configs/`, `models/`, `streams/` and `out/` are.
//!
//! The root is, in order: the `DS_ROOT` variable; the first directory holding
//! `scripts/setup.sh` and `configs/` walking up from the current directory, then from the
//! executable's directory; the workspace this crate was built in. So `cargo run` works from
//! any directory, and a copied binary works from inside a checkout.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

fn is_root(dir: &Path) -> bool {
    dir.join("scripts/setup.sh").is_file() && dir.join("configs").is_dir()
}

/// The workspace root (see the module documentation for the search order).
///
/// Errors: `DS_ROOT` names a folder without `scripts/setup.sh` and `configs/`, or no
/// candidate holds them.
pub fn root() -> anyhow::Result<PathBuf> {
    if let Some(r) = std::env::var_os("DS_ROOT").map(PathBuf::from) {
        if !is_root(&r) {
            bail!("DS_ROOT={} does not hold scripts/setup.sh and configs/", r.display());
        }
        return Ok(r);
    }
    let candidates = ds_infer::runtime::candidate_roots();
    match candidates.iter().find(|d| is_root(d)) {
        Some(found) => Ok(found.canonicalize().unwrap_or_else(|_| found.clone())),
        None => bail!(
            "cannot find the workspace root (a directory with scripts/setup.sh and configs/) above \
             the current directory, the executable or {}; set DS_ROOT",
            candidates.last().map(|p| p.display().to_string()).unwrap_or_default()
        ),
    }
}

/// `<root>/configs`.
pub fn configs_dir() -> anyhow::Result<PathBuf> {
    Ok(root()?.join("configs"))
}

/// `<root>/streams/<name>`, which must exist (else: "run scripts/setup.sh").
pub fn stream(name: &str) -> anyhow::Result<PathBuf> {
    let p = root()?.join("streams").join(name);
    if !p.is_file() {
        bail!("{} not found: run scripts/setup.sh", p.display());
    }
    Ok(p)
}

/// `<root>/out/<file>`; creates `out/`.
pub fn out_file(file: &str) -> anyhow::Result<PathBuf> {
    let dir = root()?.join("out");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.join(file))
}
