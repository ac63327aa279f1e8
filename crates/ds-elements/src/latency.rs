//! Latency records of the portable elements (DeepStream's `NVDS_LATENCY_MEASUREMENT_META`,
//! see [`ds_meta::latency`]).
//!
//! - The muxer records, per frame, its arrival (in) and the batch's push (out) when
//!   `NVDS_ENABLE_LATENCY_MEASUREMENT=1`: that in time is where the frame latency starts.
//! - Every other element records its own in/out per frame when
//!   `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT=1` as well: call [`Component::start`] when a
//!   batch arrives and [`Component::finish`] before it leaves.
//!
//! Both variables are read once per process, as DeepStream does.

use std::sync::OnceLock;

use ds_meta::BatchMeta;
use ds_meta::latency::{ComponentLatency, system_time_ms};

/// `NVDS_ENABLE_LATENCY_MEASUREMENT`, read once.
pub(crate) fn frame_latency_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(ds_meta::latency::latency_measurement_enabled)
}

/// `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT` (with the frame one), read once.
pub(crate) fn component_latency_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(ds_meta::latency::component_latency_measurement_enabled)
}

/// The in time of one batch in one element, when component latency is measured.
pub(crate) struct Component(Option<f64>);

impl Component {
    /// Notes the in time (nothing when component latency is off).
    pub(crate) fn start() -> Component {
        Component(component_latency_enabled().then(system_time_ms))
    }

    /// Adds one record per frame of `buffer`'s batch, named `name` (the element's name),
    /// from the in time to now. Failing to add (a full pool) only skips the records.
    pub(crate) fn finish(self, name: &str, buffer: &mut gst::BufferRef) {
        let Some(in_ms) = self.0 else { return };
        let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
            return;
        };
        add_records(batch, name, in_ms, None);
    }
}

/// Adds one record per frame of `batch`, named `name`, out time now; the in time is
/// `in_ms`, or per frame `per_frame_in[batch_id]` when given.
pub(crate) fn add_records(batch: &mut BatchMeta, name: &str, in_ms: f64, per_frame_in: Option<&[f64]>) {
    let out = system_time_ms();
    let frames: Vec<(u32, u32, u32, u32)> = batch
        .frames()
        .map(|f| (f.batch_id(), f.source_id(), f.frame_num() as u32, f.pad_index()))
        .collect();
    for (batch_id, source_id, frame_num, pad_index) in frames {
        let t_in = per_frame_in.and_then(|v| v.get(batch_id as usize).copied()).unwrap_or(in_ms);
        let rec = ComponentLatency::new(name, source_id, frame_num, pad_index, t_in, out);
        let _ = batch.add_c_user_meta(rec);
    }
}
