//! nvinfer-compatible inference on the CPU, with no GStreamer: what the portable `dsinfer`
//! element runs.
//!
//! - [`InferConfig`]: the nvinfer config file (`[property]`, `[class-attrs-all]`,
//!   `[class-attrs-<id>]`), read with glib's `KeyFile` as nvinfer reads it; or an
//!   nvinferserver config (protobuf text, [`inferserver`], read by [`prototext`]) mapped onto
//!   the same settings.
//! - [`Inference`]: loads the model in ONNX Runtime ([`runtime`] finds the library), then
//!   [`Inference::infer`] takes RGBA frame regions ([`ImageRoi`]) and returns, per input,
//!   an [`InferOutput`]: detections in frame pixels, classifier attributes, a segmentation
//!   map, raw output tensors.
//! - [`preprocess_config`]: nvdspreprocess's config file (`[property]`, `[user-configs]`,
//!   `[group-<n>]`), for the portable `dspreprocess` (the element itself is not written yet).
//! - [`preprocess`], [`parse`], [`cluster`]: nvinfer's pre-processing, output parsers and
//!   clustering, usable on their own; [`classifier`]: classifier results with the portable
//!   `class-id-map`; [`secondary`]: which objects a secondary GIE infers on, and its
//!   per-tracking-id result cache.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use ds_infer::{ImageRoi, InferConfig, Inference};
//! let config = InferConfig::from_file(std::path::Path::new("configs/deepstream-test1/dstest1_pgie_config.txt"))?;
//! let mut infer = Inference::new(&config)?;
//! let (width, height) = (768u32, 576u32);
//! let frame = vec![0u8; (width * height * 4) as usize]; // RGBA
//! let out = infer.infer(&[ImageRoi::full_frame(&frame, width, height, width as usize * 4)])?;
//! for d in &out[0].detections {
//!     println!("{} {:.2} {:?}", d.label.as_deref().unwrap_or("?"), d.confidence, d.rect);
//! }
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
// Config errors carry the file, group, key and value as owned data; they are rare and not on a
// hot path, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod classifier;
pub mod cluster;
pub mod config;
pub mod device;
pub mod engine;
pub mod error;
pub mod inference;
pub mod inferserver;
pub mod int8;
pub mod output;
pub mod parse;
pub mod preprocess;
pub mod preprocess_config;
pub mod preprocess_tensor;
pub mod prototext;
pub mod runtime;
pub mod secondary;

pub use config::{
    ClassAttrs, ClusterMode, ColorFormat, ConfigFormat, InferConfig, ModelSource, NetworkMode, NetworkType, ProcessMode,
    TensorOrder,
};
pub use error::{ConfigError, InferError, RuntimeError};
pub use inference::Inference;
pub use output::{Attribute, Detection, InferOutput, InstanceMask, OutputTensor, Segmentation};
pub use preprocess::{ImageRoi, Rect};
