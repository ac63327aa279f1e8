//! `dsmsgconv`: the portable `nvmsgconv`.
//!
//! An in-place pass-through that turns the `NvDsEventMsgMeta` frame user metadata of each
//! batch into DeepStream schema JSON (ds-msg's [`ds_msg::schema`]) and attaches each message
//! as `NVDS_PAYLOAD_META` frame user metadata holding an `NvDsPayload` (ds-meta's
//! [`ds_meta::Payload`]), as nvmsgconv does, for `dsmsgbroker` (or NVIDIA's nvmsgbroker) to
//! send.
//!
//! Properties as nvmsgconv's: `config` (msgconv config: `[sensorN]`, `[placeN]`,
//! `[analyticsN]`, key file or YAML; required for the full schema), `payload-type` (0 full:
//! one message per event; 1 minimal: one message per frame; 2 protobuf and 257 custom are
//! errors), `comp-id` (stored in each payload's `componentId`), `debug-payload-dir` (each
//! message also written to `<dir>/<n>.json`), `frame-interval`, `multiple-payloads`,
//! `dummy-payload`. `msg2p-lib` (a custom converter library) and `msg2p-newapi=true` fail at
//! start with an error saying they are not supported. A config that cannot be read fails
//! at start with the file, group and key.
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest-5s.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! \
//!   dsinfer config-file-path=configs/deepstream-test1/portable/dstest1_pgie_config.txt ! \
//!   dsmsgconv config=configs/deepstream-test4/portable/dstest4_msgconv_config.txt payload-type=0 ! \
//!   dsmsgbroker proto-lib=libnvds_mqtt_proto.so conn-str="127.0.0.1;1883" topic=test4
//! ```
//! (Messages come from event metadata a probe attached, as in deepstream-test4.)

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dsmsgconv` element.
    pub struct DsMsgConv(ObjectSubclass<imp::DsMsgConv>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `dsmsgconv` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dsmsgconv",
        gst::Rank::NONE,
        DsMsgConv::static_type(),
    )
}
