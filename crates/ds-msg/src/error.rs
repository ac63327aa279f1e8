//! Errors of the messaging crate. Config errors name the file, the group and the key;
//! broker errors name the protocol and what failed.

use std::path::PathBuf;

/// What can go wrong reading configs, converting events or talking to a broker.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config file cannot be read or is not a key file / YAML document.
    #[error("{file}: {reason}")]
    ConfigFile {
        /// The file.
        file: PathBuf,
        /// Why.
        reason: String,
    },
    /// A group of the config is wrong as a whole (its name, a duplicate ...).
    #[error("{file}: [{group}]: {reason}")]
    ConfigGroup {
        /// The file.
        file: PathBuf,
        /// The group.
        group: String,
        /// Why.
        reason: String,
    },
    /// A key of the config has a bad value.
    #[error("{file}: [{group}] {key}: {reason}")]
    ConfigValue {
        /// The file.
        file: PathBuf,
        /// The group.
        group: String,
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The `conn-str` does not fit the protocol.
    #[error("conn-str \"{conn_str}\" for {proto}: {reason}")]
    ConnStr {
        /// The connection string.
        conn_str: String,
        /// The protocol.
        proto: &'static str,
        /// Why.
        reason: String,
    },
    /// A `proto-lib` this crate cannot stand in for.
    #[error("proto-lib \"{name}\": {reason}")]
    ProtoLib {
        /// What was given.
        name: String,
        /// Why.
        reason: String,
    },
    /// A feature of DeepStream's components that is not implemented here.
    #[error("not supported by the portable backend: {0}")]
    NotSupported(String),
    /// The broker refused or failed an operation (connect, send).
    #[error("{proto}: {reason}")]
    Broker {
        /// The protocol.
        proto: &'static str,
        /// What failed.
        reason: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
