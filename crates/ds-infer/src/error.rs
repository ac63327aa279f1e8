//! Error types of the crate.
//!
//! Every configuration error names the config file, the group, the key and the value that
//! caused it, so that a user can fix the file without reading the source.

use std::path::PathBuf;

/// An error while reading an nvinfer config file (`config-file-path` of `nvinfer`/`dsinfer`).
///
/// The `Display` text always starts with the config file's path; errors about one key read
/// `<file>: [<group>] <key>=<value>: <what is wrong>`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read the config file: {message}")]
    Io {
        /// Config file.
        file: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The file is not a key file (GKeyFile syntax error).
    #[error("{file}: not a valid nvinfer key-file config: {message}")]
    Syntax {
        /// Config file.
        file: PathBuf,
        /// glib's message.
        message: String,
    },
    /// An nvinferserver (protobuf text) config that does not follow the format.
    #[error("{file}:{line}:{column}: not a valid nvinferserver protobuf-text config: {message}")]
    ProtoSyntax {
        /// Config file.
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// A field of an nvinferserver config with a bad or unsupported value.
    #[error("{file}:{line}:{column}: {field}: {value}: {expected}")]
    ProtoValue {
        /// Config file.
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// The field's full name (`infer_config.preprocess.network_format`).
        field: String,
        /// The value as written.
        value: String,
        /// What was expected instead.
        expected: String,
    },
    /// The file has no `[property]` group.
    #[error("{file}: no [property] group: an nvinfer config needs one")]
    NoPropertyGroup {
        /// Config file.
        file: PathBuf,
    },
    /// A value could not be parsed or is out of range.
    #[error("{file}: [{group}] {key}={value}: {expected}")]
    BadValue {
        /// Config file.
        file: PathBuf,
        /// Group (`property`, `class-attrs-all`, `class-attrs-3` ...).
        group: String,
        /// Key.
        key: String,
        /// The value as written.
        value: String,
        /// What was expected instead.
        expected: String,
    },
    /// A file named by a key does not exist (paths are relative to the config file).
    #[error("{file}: [{group}] {key}={value}: file not found: {}", resolved.display())]
    MissingFile {
        /// Config file.
        file: PathBuf,
        /// Group.
        group: String,
        /// Key.
        key: String,
        /// The value as written.
        value: String,
        /// The path that was looked for.
        resolved: PathBuf,
    },
    /// A file named by a key exists but could not be read.
    #[error("{file}: [{group}] {key}={value}: cannot read {}: {message}", resolved.display())]
    UnreadableFile {
        /// Config file.
        file: PathBuf,
        /// Group.
        group: String,
        /// Key.
        key: String,
        /// The value as written.
        value: String,
        /// The path that was read.
        resolved: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// A key that this configuration needs is absent.
    #[error("{file}: [{group}] {key} is missing: {why}")]
    MissingKey {
        /// Config file.
        file: PathBuf,
        /// Group.
        group: String,
        /// Key.
        key: String,
        /// Why it is needed.
        why: String,
    },
    /// The file is valid for DeepStream but uses something the portable backend cannot do.
    #[error("{file}: [{group}] {key}={value}: {why}")]
    Unsupported {
        /// Config file.
        file: PathBuf,
        /// Group.
        group: String,
        /// Key.
        key: String,
        /// The value as written.
        value: String,
        /// What is not supported and what to do instead.
        why: String,
    },
    /// The whole file is in a form the portable backend does not read.
    #[error("{file}: {why}")]
    UnsupportedFile {
        /// Config file.
        file: PathBuf,
        /// What is not supported and what to do instead.
        why: String,
    },
}

/// An error while locating or loading ONNX Runtime.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    /// `libonnxruntime.so.1.32.0` was found nowhere.
    #[error(
        "ONNX Runtime library {name} not found; tried: {}; run scripts/setup.sh (or set DS_ORT_LIB to the library's path)",
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    LibraryNotFound {
        /// File name looked for.
        name: String,
        /// Every path tried, in order.
        tried: Vec<PathBuf>,
    },
    /// The library exists but could not be loaded or initialised.
    #[error("ONNX Runtime library {}: cannot load: {message}", path.display())]
    Load {
        /// The library's path.
        path: PathBuf,
        /// The loader's or ONNX Runtime's message.
        message: String,
    },
}

/// An error while creating an [`crate::Inference`] or running it.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    /// The config file is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// ONNX Runtime could not be found or loaded.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The model could not be loaded by the engine.
    #[error("{}: cannot load the model: {message}", model.display())]
    Model {
        /// Model file.
        model: PathBuf,
        /// The engine's message.
        message: String,
    },
    /// The model's inputs or outputs do not fit the config (wrong shapes, layer names ...).
    #[error("{}: {message}", model.display())]
    ModelMismatch {
        /// Model file.
        model: PathBuf,
        /// What does not fit.
        message: String,
    },
    /// An input image or region is invalid.
    #[error("input {index}: {message}")]
    BadInput {
        /// Index of the input in the `infer` call.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The engine failed while running.
    #[error("{}: inference failed: {message}", model.display())]
    Run {
        /// Model file.
        model: PathBuf,
        /// The engine's message.
        message: String,
    },
    /// The mask head of an instance segmentation config (`instance-mask-config-file`) could
    /// not be loaded.
    #[error("{}: [property] instance-mask-config-file={value}: {source}", file.display())]
    MaskHead {
        /// The instance segmentation config.
        file: PathBuf,
        /// The key's value as written.
        value: String,
        /// Why the mask head's config or model was refused.
        source: Box<InferError>,
    },
    /// The outputs could not be parsed by the configured parser.
    #[error("{}: output parsing ({parser}) failed: {message}", model.display())]
    Parse {
        /// Model file.
        model: PathBuf,
        /// The parser in use.
        parser: String,
        /// What is wrong with the outputs.
        message: String,
    },
}
