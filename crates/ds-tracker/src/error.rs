//! Error types of the crate.
//!
//! Every configuration error starts with the file's path and names the group and key (YAML:
//! `Group.key`; INI: `[group] key`) and what was expected, so a user can fix the file without
//! reading the source.

use std::path::PathBuf;

/// An error while reading a low-level tracker YAML config (`ll-config-file`) or the samples'
/// `[tracker]` INI file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read the tracker config: {message}")]
    Io {
        /// The config file.
        file: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The file is not valid YAML (after the OpenCV-style `%YAML:1.0` line), or not a
    /// mapping of groups.
    #[error("{file}: not a valid NvMultiObjectTracker YAML config: {message}")]
    Syntax {
        /// The config file.
        file: PathBuf,
        /// What the parser said (with line and column where known).
        message: String,
    },
    /// The file uses a schema NvMultiObjectTracker no longer reads (DeepStream 5.x's single
    /// `NvDCF:` / `IOUTracker:` map).
    #[error("{file}: {message}")]
    Schema {
        /// The config file.
        file: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A value has the wrong type or is out of range.
    #[error("{file}: {group}.{key}: {value}: expected {expected}")]
    BadValue {
        /// The config file.
        file: PathBuf,
        /// YAML group (`TargetManagement` ...) or INI group (`tracker`).
        group: String,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// What was expected instead.
        expected: String,
    },
    /// A value of the INI file has the wrong type.
    #[error("{file}: [{group}] {key}={value}: expected {expected}")]
    IniValue {
        /// The INI file.
        file: PathBuf,
        /// Group (`tracker`).
        group: String,
        /// Key.
        key: String,
        /// The value as written.
        value: String,
        /// What was expected instead.
        expected: String,
    },
    /// A value selects something the portable tracker does not implement.
    #[error("{file}: {group}.{key}: {value}: {what} is not supported by the portable tracker")]
    Unsupported {
        /// The config file.
        file: PathBuf,
        /// Group.
        group: String,
        /// Key.
        key: String,
        /// The value as written.
        value: String,
        /// What that value selects.
        what: String,
    },
    /// An INI group or key that is needed is absent.
    #[error("{file}: [{group}] {key}: missing: {why}")]
    Missing {
        /// The INI file.
        file: PathBuf,
        /// Group.
        group: String,
        /// Key (or the group itself when the whole group is absent).
        key: String,
        /// Why it is needed.
        why: String,
    },
    /// `ll-lib-file` names a library this project cannot stand in for.
    #[error("{file}: ll-lib-file={value}: unknown low-level tracker library; accepted: {accepted}")]
    UnknownLibrary {
        /// The INI file (or `<property>` when set on the element).
        file: PathBuf,
        /// The value as written.
        value: String,
        /// The accepted names.
        accepted: String,
    },
}
