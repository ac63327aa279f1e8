//! Errors of the analytics config reader.
//!
//! Every message starts with the config file's path and names the group and key, so a user
//! can fix the file without reading the source.

use std::path::PathBuf;

/// An error while reading a Gst-nvdsanalytics config file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read the analytics config: {message}")]
    Io {
        /// The config file.
        file: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The file is not a GKeyFile (what `g_key_file_load_from_file` refuses).
    #[error("{file}: not a valid key file: {message}")]
    Syntax {
        /// The config file.
        file: PathBuf,
        /// GLib's message (with the line).
        message: String,
    },
    /// The `[property]` group is absent (nvdsanalytics refuses such a file too).
    #[error("{file}: group [property] not specified")]
    NoPropertyGroup {
        /// The config file.
        file: PathBuf,
    },
    /// A value has the wrong type, is out of range or has the wrong number of entries.
    #[error("{file}: [{group}] {key}={value}: expected {expected}")]
    BadValue {
        /// The config file.
        file: PathBuf,
        /// The group (`roi-filtering-stream-0` ...).
        group: String,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// What was expected instead.
        expected: String,
    },
    /// A feature group without its rule keys (`roi-<label>`, `line-crossing-<label>`,
    /// `direction-<label>`), which nvdsanalytics refuses as well.
    #[error("{file}: [{group}]: no {what} key in the group")]
    Missing {
        /// The config file.
        file: PathBuf,
        /// The group.
        group: String,
        /// The key prefix that is needed (`roi-<label>` ...).
        what: String,
    },
    /// A feature group whose name does not end in a stream number or `all`.
    #[error("{file}: [{group}]: the group name must end in -stream-<N> or -stream-all")]
    BadGroup {
        /// The config file.
        file: PathBuf,
        /// The group.
        group: String,
    },
}
