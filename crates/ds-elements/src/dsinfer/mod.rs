//! `dsinfer`: the portable `nvinfer` (primary mode), running ds-infer (ONNX Runtime on the CPU).
//!
//! Reads the nvinfer config file (`config-file-path`), infers on the frames of each batch
//! (whole frames, `batch-size` at a time) and adds an `NvDsObjectMeta` per detection with
//! nvinfer's defaults: `class_id`, `confidence`, `obj_label`, `rect_params` (border width 3,
//! the class's `border-color`, red by default, and `bg-color` when the config gives one),
//! `detector_bbox_info`, `text_params` (the label at (left, top - 10), "Serif" 11 points,
//! white on black), `object_id` = untracked, `unique_component_id` = `gie-unique-id`;
//! frames it inferred on get `bInferDone`.
//!
//! Properties, with nvinfer's names and defaults; as nvinfer, a property set on the element
//! wins over the config file's key, and reading one after `config-file-path` gives the
//! config's value (what BATCH-OVERRIDE in the samples relies on):
//! `config-file-path`, `batch-size` (1), `interval` (0: infer on every batch; N: then skip N
//! batches), `unique-id` (15), `process-mode` (1 primary; 2 secondary is refused on start:
//! not implemented yet), `output-tensor-meta` (false; true attaches each inferred frame's raw output
//! layers as `NvDsInferTensorMeta` frame user meta: FLOAT host buffers, `gpu_id` -1), `gpu-id` (accepted, no effect).
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! \
//!   dsinfer config-file-path=configs/deepstream-test1/dstest1_pgie_config.txt ! \
//!   dsosd ! dsvideoconvert ! autovideosink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

/// nvinfer's `process-mode` (`GstNvInferProcessModeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, glib::Enum, Default)]
#[repr(i32)]
#[enum_type(name = "GstDsInferProcessModeType")]
pub enum ProcessMode {
    /// Infer on whole frames.
    #[default]
    #[enum_value(name = "Primary (Full Frame)", nick = "primary")]
    Primary = 1,
    /// Infer on objects of an upstream GIE (not implemented yet).
    #[enum_value(name = "Secondary (Objects)", nick = "secondary")]
    Secondary = 2,
}

glib::wrapper! {
    /// The `dsinfer` element.
    pub struct DsInfer(ObjectSubclass<imp::DsInfer>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsinfer` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dsinfer", gst::Rank::NONE, DsInfer::static_type())
}
