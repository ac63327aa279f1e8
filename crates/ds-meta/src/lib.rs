//! # ds-meta: DeepStream metadata in Rust (the pyds equivalent), 7.0 to 9.1
//!
//! - [`sys`]: the C structs, enums and constants with the exact layouts of one DeepStream
//!   version per build ([`sys::ABI_VERSION`]: 7.0, 7.1, 8.0 or 9.1; `DS_META_ABI`, else the
//!   installed DeepStream, else 7.1). The safe API is the same for all of them; the native
//!   provider refuses a library whose metadata sizes are another version's.
//! - Safe types borrowed from the buffer: [`BatchMeta`], [`FrameMeta`], [`ObjectMeta`],
//!   [`ClassifierMeta`], [`LabelInfo`], [`DisplayMeta`], [`UserMeta`], [`EventMsgMeta`], and
//!   the readers in [`infer`], [`analytics`] (nvdsanalytics' C++ structs) and [`preprocess`]
//!   (nvdspreprocess' tensor and ROIs). Lists are
//!   iterators; strings are `&str`.
//! - Acquire-and-add in one call (`frame.add_obj_meta(None)?` is
//!   `nvds_acquire_obj_meta_from_pool` + `nvds_add_obj_meta_to_frame`); removal with
//!   `retain_*`. The pyds names are doc aliases, so searching the docs for them finds these.
//! - Typed user metadata: [`UserPayload`].
//! - A [`Provider`] supplies the C functions: [`Provider::Builtin`] (default; Rust, own
//!   `GstMeta`) or [`Provider::Native`] (DeepStream's libraries, loaded at run time).
//! - Image access: [`image::get_nvds_buf_surface`] gives a frame as `[height, width, 4]`;
//!   [`image::get_nvds_buf_surface_gpu`] a device view of a CUDA surface; [`image::frame_access`]
//!   whichever the backend has.
//!
//! ## A pad probe, as in deepstream-test1
//!
//! The pyds probe is ~45 lines of casts, `try/except StopIteration` and `.next`; here:
//!
//! ```
//! use ds_meta::{BatchMeta, Result};
//!
//! const VEHICLE: i32 = 0;
//! const PERSON: i32 = 2;
//!
//! fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> Result<()> {
//!     let Some(batch) = BatchMeta::from_buffer_mut(buffer) else { return Ok(()) };
//!     for frame in batch.frames_mut() {
//!         let mut counts = [0u32; 4];
//!         for obj in frame.objects_mut() {
//!             counts[obj.class_id().clamp(0, 3) as usize] += 1;
//!             obj.rect_params_mut().border_color.set(0.0, 0.0, 1.0, 0.8);
//!         }
//!         let text = format!(
//!             "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
//!             frame.frame_num(), frame.num_obj_meta(), counts[VEHICLE as usize], counts[PERSON as usize]);
//!         let label = frame.add_display_meta()?.add_label()?;
//!         label.set_display_text(&text)?;
//!         label.set_x_offset(10);
//!         label.set_y_offset(12);
//!         label.font_params_mut().set_font_name("Serif")?;
//!         label.font_params_mut().set_font_size(10);
//!         label.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
//!         label.set_bg_enabled(true);
//!         label.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
//!         println!("{}", label.display_text());
//!     }
//!     Ok(())
//! }
//!
//! // Attach with: pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
//! //     if let Some(buffer) = info.buffer_mut() { let _ = osd_sink_pad_buffer_probe(buffer); }
//! //     gst::PadProbeReturn::Ok });
//! # ds_meta::init()?;
//! # let mut buffer = gst::Buffer::with_size(16).unwrap();
//! # {
//! #     let b = BatchMeta::attach(buffer.get_mut().unwrap(), 1)?;
//! #     let f = b.add_frame_meta()?;
//! #     f.add_obj_meta(None)?.set_class_id(PERSON);
//! # }
//! # osd_sink_pad_buffer_probe(buffer.get_mut().unwrap())?;
//! # let b = BatchMeta::from_buffer(&buffer).unwrap();
//! # let f = b.frames().next().unwrap();
//! # assert_eq!(f.display_metas().next().unwrap().labels()[0].display_text(),
//! #     "Frame Number=0 Number of Objects=1 Vehicle_count=0 Person_count=1");
//! # assert_eq!(f.objects().next().unwrap().rect_params().border_color.alpha, 0.8);
//! # Ok::<(), ds_meta::Error>(())
//! ```
//!
//! ## Producing a batch (what a muxer does)
//!
//! ```
//! # ds_meta::init()?;
//! let mut buffer = gst::Buffer::with_size(64 * 48 * 4).unwrap();
//! let batch = ds_meta::BatchMeta::attach(buffer.get_mut().unwrap(), 4)?;
//! let frame = batch.add_frame_meta()?;           // batch_id 0
//! frame.set_source_id(0);
//! frame.set_pipeline_width(64);
//! frame.set_pipeline_height(48);
//! let car = frame.add_obj_meta(None)?;
//! car.set_class_id(0);
//! car.set_obj_label("car")?;
//! assert_eq!(ds_meta::BatchMeta::from_buffer(&buffer).unwrap().num_frames_in_batch(), 1);
//! # Ok::<(), ds_meta::Error>(())
//! ```
#![warn(missing_docs)]

pub mod analytics;
pub mod batch;
mod copy;
pub mod error;
pub mod event;
pub mod image;
pub mod infer;
pub mod latency;
mod list;
mod meta;
pub mod osd;
pub mod preprocess;
mod provider;
mod strings;
pub mod sys;
mod user;

pub use analytics::{AnalyticsFrameMeta, AnalyticsObjInfo};
pub use batch::CAPS_FEATURE_BATCH;
pub use error::{Error, Result};
pub use event::{EventMsgMeta, Events, ExtObject, Face, Payload, Person, Vehicle, generate_ts_rfc3339};
pub use image::{
    DType, DeviceFrame, FrameAccess, FrameImage, FrameImageMut, frame_access, get_nvds_buf_surface, get_nvds_buf_surface_gpu,
    get_nvds_buf_surface_mut,
};
pub use list::{MetaIter, MetaIterMut};
pub use meta::{
    BatchMeta, ClassifierMeta, DisplayMeta, FrameMeta, LabelInfo, MetaLock, ObjectKey, ObjectMeta,
};
pub use preprocess::{PreProcessBatchMeta, PreProcessTensorMeta, PreprocessBatch, PreprocessRoi, PreprocessTensor, RoiMeta};
pub use osd::{ArrowParams, BboxCoords, CircleParams, ColorParams, FontParams, LineParams, MaskParams, RectParams, TextParams};
pub use provider::{Provider, current as current_provider, init, native_library_version, set_provider, user_meta_type};
pub use sys::{NvDsEventType, NvDsMetaType, NvDsObjectType};
pub use user::{CPayload, UserMeta, UserPayload};

/// `gst_buffer_get_nvds_batch_meta`: the batch meta of a buffer, read-only
/// (same as [`BatchMeta::from_buffer`]).
pub fn gst_buffer_get_nvds_batch_meta(buffer: &gst::BufferRef) -> Option<&BatchMeta> {
    BatchMeta::from_buffer(buffer)
}

/// `nvds_measure_buffer_latency` (same as [`latency::measure_buffer_latency`]).
pub fn nvds_measure_buffer_latency(buffer: &gst::BufferRef) -> Vec<sys::NvDsFrameLatencyInfo> {
    latency::measure_buffer_latency(buffer)
}

/// `nvds_get_user_meta_type` (same as [`user_meta_type`]).
pub fn nvds_get_user_meta_type(descriptor: &str) -> NvDsMetaType {
    user_meta_type(descriptor)
}
