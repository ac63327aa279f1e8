//! Chooses the DeepStream version whose metadata layouts `sys` compiles with.
//!
//! 1. `DS_META_ABI=7.0|7.1|8.0|9.1` (9.0 is 9.1's layout), when set;
//! 2. else the installed DeepStream's version file
//!    (`$DS_ROOT` or `/opt/nvidia/deepstream/deepstream`, file `version`: `Version: 8.0`);
//! 3. else 7.1 (no DeepStream here: the portable binaries, builtin provider).
//!
//! Emits `cfg(ds_abi_ge_71)`, `cfg(ds_abi_ge_80)`, `cfg(ds_abi_ge_90)` and the env
//! `DS_META_ABI_VERSION` (read by `sys::ABI_VERSION`).

use std::path::PathBuf;

const SUPPORTED: &[&str] = &["7.0", "7.1", "8.0", "9.1"];

fn normalise(v: &str) -> Option<&'static str> {
    let mut it = v.trim().split('.');
    let major = it.next()?.trim();
    let minor = it.next().unwrap_or("0").trim();
    match (major, minor) {
        ("7", "0") => Some("7.0"),
        ("7", "1") => Some("7.1"),
        ("8", "0") => Some("8.0"),
        ("9", "0") | ("9", "1") => Some("9.1"),
        _ => None,
    }
}

fn main() {
    println!("cargo::rerun-if-env-changed=DS_META_ABI");
    println!("cargo::rerun-if-env-changed=DS_ROOT");
    for c in ["ds_abi_ge_71", "ds_abi_ge_80", "ds_abi_ge_90"] {
        println!("cargo::rustc-check-cfg=cfg({c})");
    }
    let root = PathBuf::from(std::env::var("DS_ROOT").unwrap_or_else(|_| "/opt/nvidia/deepstream/deepstream".into()));
    let version_file = root.join("version");
    println!("cargo::rerun-if-changed=build.rs");
    // Watched only where it exists (a missing file would make every build rebuild ds-meta
    // and all that depends on it). Installing DeepStream later: `cargo clean -p ds-meta`,
    // or set DS_META_ABI.
    if version_file.is_file() {
        println!("cargo::rerun-if-changed={}", version_file.display());
    }

    let (abi, source) = if let Ok(v) = std::env::var("DS_META_ABI") {
        match normalise(&v) {
            Some(a) => (a, "DS_META_ABI".to_string()),
            None => panic!("DS_META_ABI={v:?}: expected one of {} (9.0 uses 9.1's layouts)", SUPPORTED.join(", ")),
        }
    } else if let Ok(text) = std::fs::read_to_string(&version_file) {
        let found = text.lines().find_map(|l| l.trim().strip_prefix("Version:")).map(str::trim).unwrap_or("");
        match normalise(found) {
            Some(a) => (a, version_file.display().to_string()),
            None => {
                println!(
                    "cargo::warning=DeepStream version {found:?} in {} is not supported (supported: {}); \
                     ds-meta uses 7.1 layouts and the native provider will refuse a library that differs",
                    version_file.display(),
                    SUPPORTED.join(", ")
                );
                ("7.1", "default".to_string())
            }
        }
    } else {
        ("7.1", "default (no DeepStream installed)".to_string())
    };
    let n: u32 = abi.replace('.', "").parse().unwrap_or(71);
    if n >= 71 {
        println!("cargo::rustc-cfg=ds_abi_ge_71");
    }
    if n >= 80 {
        println!("cargo::rustc-cfg=ds_abi_ge_80");
    }
    if n >= 90 {
        println!("cargo::rustc-cfg=ds_abi_ge_90");
    }
    println!("cargo::rustc-env=DS_META_ABI_VERSION={abi}");
    println!("cargo::rustc-env=DS_META_ABI_SOURCE={source}");
}
