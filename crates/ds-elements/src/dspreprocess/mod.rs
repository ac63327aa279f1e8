//! `dspreprocess`: the portable `nvdspreprocess`. Builds a GIE's input tensor from ROIs of
//! the frames (or whole frames) of each batch and attaches it as DeepStream's preprocess
//! batch meta (`GstNvDsPreProcessBatchMeta`, batch user meta of type
//! `NVDS_PREPROCESS_BATCH_META`, with one `NvDsRoiMeta` per batch item); a `dsinfer` with
//! `input-tensor-meta=true` whose `unique-id` is in `target-unique-ids` infers on it.
//!
//! The config file is nvdspreprocess' (`ds_infer::preprocess_config`: `[property]`,
//! `[user-configs]` of NVIDIA's default library, `[group-<n>]`); the tensor is built by
//! `ds_infer::preprocess_tensor` (units group by group, ROIs clipped and even-aligned, scaled
//! with `maintain-aspect-ratio` / `symmetric-padding`, `y = pixel-normalization-factor ×
//! (x − offsets[c])`, NCHW or NHWC). More units than `network-input-shape[0]` make several
//! tensors per batch (`meta_id` 0, 1, …), as nvdspreprocess does. The tensor is FP32 host
//! memory (`gpu_id` is the `gpu-id` property, for nvinfer's check). `draw-roi=1` adds a
//! display rectangle per ROI in `roi-color`.
//!
//! Properties, with nvdspreprocess' names and defaults (a property set on the element wins
//! over the config's key): `config-file` (required), `unique-id` (15), `enable` (true;
//! false or the config's `enable=0`: buffers pass untouched), `process-on-frame` (true;
//! false, object mode, is not implemented yet: the element refuses to start saying so),
//! `target-unique-ids` (`"1;2"`), `operate-on-gie-id` (-1), `gpu-id` (0, written to the tensor
//! meta only). A `custom-lib-path` other than NVIDIA's `libcustom2d_preprocess.so` is refused
//! at start, naming the file and key.
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! \
//!   dspreprocess config-file=configs/deepstream-preprocess-test/portable/config_preprocess.txt ! \
//!   dsinfer config-file-path=configs/deepstream-preprocess-test/portable/dstest1_pgie_config.txt \
//!     input-tensor-meta=true ! dsosd ! dsvideoconvert ! autovideosink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dspreprocess` element.
    pub struct DsPreprocess(ObjectSubclass<imp::DsPreprocess>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dspreprocess` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(plugin, "dspreprocess", gst::Rank::NONE, DsPreprocess::static_type())
}
