//! `dsinfer`: the portable `nvinfer` and `nvinferserver`, running ds-infer (ONNX Runtime on
//! the CPU).
//!
//! Reads the nvinfer config file (`config-file-path`), or an nvinferserver (Triton) config in
//! protobuf text (recognised by its first token; see `ds_infer::inferserver`: the model named
//! in the Triton repository runs in process, no Triton server is needed).
//!
//! Primary mode (`process-mode=1`): infers on the frames of each batch (whole frames,
//! `batch-size` at a time) and adds an `NvDsObjectMeta` per detection with nvinfer's
//! defaults: `class_id`, `confidence`, `obj_label`, `rect_params` (border width 3, the class's
//! `border-color`, red by default, and `bg-color` when the config gives one),
//! `detector_bbox_info`, `text_params` (the label at (left, top - 10), "Serif" 11 points,
//! white on black), `object_id` = untracked, `unique_component_id` = `gie-unique-id`;
//! frames it inferred on get `bInferDone`. Segmentation models (`network-type=2`) add an
//! `NvDsInferSegmentationMeta` per frame instead (frame user meta of type
//! `NVDSINFER_SEGMENTATION_META`: the class map at the model's output size, -1 where the best
//! class is below `segmentation-threshold`, and the class probabilities); a model whose first
//! output is not a `[batch, classes, height, width]` mask is refused at start.
//!
//! Instance segmentation (`network-type=3`, `output-instance-mask=1`) fills each object's
//! `mask_params` (`NvOSD_MaskParams`: `data` = `width × height` floats g_malloc'd and owned by
//! the object meta, freed when the meta is released, `size` in bytes, `threshold` =
//! `segmentation-threshold`, `width`, `height`), as nvinfer does for Mask R-CNN style models.
//! The portable backend has no such model or parser: it runs the config's detector
//! (`parse-bbox-func-name`) and, on each box of the `instance-mask-class-ids` classes, the
//! segmentation model of the config named by `instance-mask-config-file` (portable keys); the
//! mask is that model's probability map of its last class over the box, at the model's output
//! size. `network-type=3` without `instance-mask-config-file` is refused at start, and so is
//! a mask config whose model has no mask output.
//!
//! Secondary mode (`process-mode=2`, see `secondary.rs` and `ds_infer::secondary`): infers on
//! the objects of the upstream GIE `operate-on-gie-id` (-1: any) whose class is in
//! `operate-on-class-ids` and whose size (pixels of the muxer's frame) is within
//! `input-object-min/max-width/height`, cropped and batched `batch-size` at a time.
//! Classifiers add `NvDsClassifierMeta` + `NvDsLabelInfo` and append their labels to the
//! object's display text (`"Vehicle van "`); `classifier-async-mode`,
//! `secondary-reinfer-interval` and the per-tracking-id result cache follow nvinfer.
//! Secondary detectors add objects whose `parent` is the cropped object. When no GIE
//! upstream has the `operate-on-gie-id`, a WARNING message names the element and the id.
//!
//! Properties, with nvinfer's names and defaults; as nvinfer, a property set on the element
//! wins over the config file's key, and reading one after `config-file-path` gives the
//! config's value (what BATCH-OVERRIDE in the samples relies on):
//! `config-file-path`, `batch-size` (1), `interval` (0: infer on every batch; N: then skip N
//! batches; primary mode only), `unique-id` (15), `process-mode` (1 primary, 2 secondary),
//! `infer-on-gie-id` (-1; the config's `operate-on-gie-id`), `infer-on-class-ids` (`""`: all;
//! `0:2:3`; the config's `operate-on-class-ids`), `filter-out-class-ids` (`0;2;3`),
//! `output-tensor-meta` (false; true attaches raw output layers as `NvDsInferTensorMeta`:
//! frame user meta in primary mode, object user meta in secondary mode; FLOAT host buffers,
//! `gpu_id` -1), `output-instance-mask` (false; the config's key), `gpu-id` (the GPU of ONNX
//! Runtime's CUDA provider where ds-infer uses it, see `ds_infer::device`; over the config's
//! `gpu-id`).
//! `input-tensor-meta` (false; true: infer on the tensor `dspreprocess`/nvdspreprocess
//! attached as preprocess batch meta whose `target-unique-ids` holds this `unique-id`, instead
//! of pre-processing frames; the tensor's `tensor-name` must be the model's input, else a
//! warning and the tensor is skipped, as nvinfer; a shape other than the model's input is an
//! error naming both; objects go to the frame of each ROI in frame pixels, clipped to the ROI,
//! with no parent, as nvinfer's primary mode; the config's pre-processing keys are ignored).
//! Portable extension: `inferred-objects` (read-only u64): inputs inferred since the element
//! started (objects in secondary mode, frames in primary mode), to measure what a cache saves.
//! nvinfer properties without a portable equivalent (`model-engine-file`,
//! `raw-output-file-write`, `raw-output-generated-callback`,
//! `clip-object-outside-roi` (the portable element always clips to the ROI), `crop-objects-to-roi-boundary`) are not
//! registered.
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! \
//!   dsinfer config-file-path=configs/deepstream-test1/portable/dstest1_pgie_config.txt ! \
//!   dsosd ! dsvideoconvert ! autovideosink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;
mod secondary;
mod worker;

/// nvinfer's `process-mode` (`GstNvInferProcessModeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, glib::Enum, Default)]
#[repr(i32)]
#[enum_type(name = "GstDsInferProcessModeType")]
pub enum ProcessMode {
    /// Infer on whole frames.
    #[default]
    #[enum_value(name = "Primary (Full Frame)", nick = "primary")]
    Primary = 1,
    /// Infer on objects of an upstream GIE.
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
