//! Errors of this crate.

/// Everything that can go wrong in `ds-meta`. Messages name what was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The native provider was asked for but DeepStream's libraries could not be loaded.
    #[error(
        "the native metadata provider needs DeepStream's libnvds_meta.so and libnvdsgst_meta.so, \
         which could not be loaded ({detail}); install DeepStream (7.0, 7.1, 8.0 or 9.1), set DS_META_LIB_DIR to the folder holding them, or use the builtin provider"
    )]
    NativeLibrariesMissing {
        /// What the loader said, for each library tried.
        detail: String,
    },
    /// The loaded DeepStream library's metadata layouts (its pools' element sizes) are not
    /// those this build of ds-meta was compiled with.
    #[error(
        "DeepStream's {library} is version {library_version} by its metadata sizes ({detail}), but this \
         build of ds-meta uses DeepStream {layouts}'s layouts (from {layouts_source}); rebuild with \
         DS_META_ABI set to the installed version (supported: 7.0, 7.1, 8.0, 9.1) or point \
         DS_META_LIB_DIR at DeepStream {layouts}'s libraries"
    )]
    NativeAbiMismatch {
        /// The library file.
        library: String,
        /// The DeepStream version(s) whose sizes the library has, or "unknown".
        library_version: String,
        /// `sys::ABI_VERSION`.
        layouts: &'static str,
        /// `sys::ABI_SOURCE`.
        layouts_source: &'static str,
        /// Each pool whose element size differs: `frame 232 (layouts: 200)`.
        detail: String,
    },
    /// A symbol was missing from a DeepStream library.
    #[error("symbol `{symbol}` not found in {library}: {detail}")]
    NativeSymbolMissing {
        /// The C function.
        symbol: &'static str,
        /// The library file.
        library: String,
        /// What the loader said.
        detail: String,
    },
    /// `set_provider` after the provider was already chosen (by `init` or an earlier call).
    #[error("the metadata provider is already {current:?} for this process; cannot switch to {requested:?}")]
    ProviderAlreadySet {
        /// The provider in use.
        current: crate::Provider,
        /// The provider asked for.
        requested: crate::Provider,
    },
    /// An environment variable held a value this crate does not know.
    #[error("environment variable {var}={value:?} is not one of {allowed}")]
    BadEnv {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// The accepted values.
        allowed: &'static str,
    },
    /// A buffer carries no batch metadata.
    #[error("the buffer carries no NvDsBatchMeta")]
    NoBatchMeta,
    /// A buffer already carries batch metadata.
    #[error("the buffer already carries an NvDsBatchMeta")]
    BatchMetaExists,
    /// The batch is full.
    #[error("the batch already holds {max} frames (max_frames_in_batch)")]
    BatchFull {
        /// `max_frames_in_batch`.
        max: u32,
    },
    /// A metadata pool returned no element.
    #[error("the {what} pool returned no element")]
    PoolExhausted {
        /// The kind of metadata.
        what: &'static str,
    },
    /// A string that goes into a C field held a NUL byte.
    #[error("string for {field} contains a NUL byte at position {position}")]
    InteriorNul {
        /// The C field.
        field: &'static str,
        /// Byte index of the NUL.
        position: usize,
    },
    /// A string is longer than a fixed C char array allows.
    #[error("string for {field} is {len} bytes; the C array holds at most {max}")]
    StringTooLong {
        /// The C field.
        field: &'static str,
        /// Byte length given.
        len: usize,
        /// Maximum byte length (without the NUL).
        max: usize,
    },
    /// A display meta array is full.
    #[error("display meta already holds {max} {what}")]
    DisplayMetaFull {
        /// Which array (`rects`, `labels` ...).
        what: &'static str,
        /// Its capacity.
        max: usize,
    },
    /// An object given as parent is not in the frame.
    #[error("the parent object is not in this frame's object list")]
    ParentNotInFrame,
    /// The item to remove is not in the list.
    #[error("the {what} to remove is not in the list")]
    NotInList {
        /// The kind of metadata.
        what: &'static str,
    },
    /// No frame of the batch has this `batch_id`.
    #[error("no frame with batch_id {batch_id} in the batch (it holds {num_frames})")]
    NoSuchFrame {
        /// The id asked for.
        batch_id: u32,
        /// `num_frames_in_batch`.
        num_frames: u32,
    },
    /// The buffer does not hold the frame memory the batch format promises.
    #[error("batch buffer: {0}")]
    BadBatchBuffer(String),
    /// Mapping buffer memory failed.
    #[error("cannot map memory {index} of the buffer {mode}")]
    Map {
        /// Memory index.
        index: usize,
        /// "readable" or "writable".
        mode: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
