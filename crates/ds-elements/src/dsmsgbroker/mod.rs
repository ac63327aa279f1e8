//! `dsmsgbroker`: the portable `nvmsgbroker`.
//!
//! A sink that sends every `NVDS_PAYLOAD_META` payload of the batches it receives (frame and
//! batch user metadata, made by `dsmsgconv` or by NVIDIA's nvmsgconv) to a broker through
//! ds-msg's adapters: `proto-lib` names DeepStream's adapter library
//! (`libnvds_kafka_proto.so`, `libnvds_mqtt_proto.so`, `libnvds_redis_proto.so`,
//! `libnvds_amqp_proto.so`) and selects ours; `conn-str`, `config` (`[message-broker]` keys)
//! and `topic` as nvmsgbroker's. `comp-id` non-zero sends only the payloads of that component.
//!
//! Sending never blocks the pipeline: payloads go into a bounded queue served by a thread of
//! its own, which reconnects with backoff while the broker is down and delivers the kept
//! messages in order once it is back (see [`ds_msg::broker`] for the `[message-broker]`
//! keys `retry-interval`, `max-retry-limit`, `auto-reconnect` and `queue-size`). At EOS the sink
//! waits for the queue to drain, at most `max-retry-limit` seconds (capped at 60). At stop it
//! prints `dsmsgbroker: <n> messages sent, <m> dropped (<f> failed attempts, <r> reconnections)`
//! on stderr.
//!
//! It is a plain element with one sink pad (flagged as a sink, posting EOS like one), not a
//! base sink: it never synchronises to the clock and never waits for preroll, so behind a
//! tee it never holds the other branches. `sync` is accepted for nvmsgbroker compatibility.
//!
//! Errors at start name what is wrong: an unknown `proto-lib`, a malformed `conn-str`, a
//! missing or bad config file (file, group, key), no topic.
//!
//! ```text
//! gst-launch-1.0 filesrc location=streams/vtest-5s.h264 ! h264parse ! avdec_h264 ! m.sink_0 \
//!   dsstreammux name=m batch-size=1 width=1280 height=720 ! \
//!   dsinfer config-file-path=configs/deepstream-test1/portable/dstest1_pgie_config.txt ! \
//!   dsmsgconv config=configs/deepstream-test4/portable/dstest4_msgconv_config.txt payload-type=1 ! \
//!   dsmsgbroker proto-lib=libnvds_redis_proto.so conn-str="127.0.0.1;6379" topic=test4
//! ```
//! (Messages come from the event metadata a probe attaches, as in deepstream-test4; this line
//! has none, so it connects to no broker.)

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `dsmsgbroker` element.
    pub struct DsMsgBroker(ObjectSubclass<imp::DsMsgBroker>) @extends gst::Element, gst::Object;
}

/// Registers `dsmsgbroker` (in `plugin`, or statically when `None`).
pub fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "dsmsgbroker",
        gst::Rank::NONE,
        DsMsgBroker::static_type(),
    )
}
