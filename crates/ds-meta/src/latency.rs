//! Latency measurement (`nvds_latency_meta.h`; pyds `nvds_measure_buffer_latency`).
//!
//! DeepStream measures latency when the environment asks for it:
//! - `NVDS_ENABLE_LATENCY_MEASUREMENT=1`: frame latency, from the moment a frame entered the
//!   pipeline's batching (the muxer) to the call of [`measure_buffer_latency`];
//! - `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT=1` in addition: each component records its
//!   own in and out times.
//!
//! Each record is an `NvDsMetaCompLatency` in the batch user meta list, of type
//! `NVDS_LATENCY_MEASUREMENT_META`, one per frame and component ([`ComponentLatency`]).
//! The portable muxer always records one when frame latency is enabled (its in time is the
//! frame's arrival, which is where a frame's latency starts); the other portable elements
//! record theirs when component latency is enabled. Times are milliseconds of the system
//! clock (`gettimeofday`, as DeepStream's).
//!
//! ```
//! # ds_meta::init()?;
//! use ds_meta::latency::{ComponentLatency, measure_buffer_latency};
//! let mut buffer = gst::Buffer::with_size(16).unwrap();
//! let batch = ds_meta::BatchMeta::attach(buffer.get_mut().unwrap(), 1)?;
//! let frame = batch.add_frame_meta()?;
//! frame.set_source_id(0);
//! frame.set_frame_num(7);
//! let now = ds_meta::latency::system_time_ms();
//! batch.add_c_user_meta(ComponentLatency::new("dsstreammux0", 0, 7, 0, now - 40.0, now - 39.0))?;
//! let info = measure_buffer_latency(&buffer);
//! assert_eq!((info[0].source_id, info[0].frame_num), (0, 7));
//! assert!(info[0].latency >= 40.0);
//! # Ok::<(), ds_meta::Error>(())
//! ```

use std::any::Any;
use std::ffi::c_char;

use crate::meta::BatchMeta;
use crate::sys::{self, NvDsMetaType};
use crate::user::CPayload;

/// `NVDS_ENABLE_LATENCY_MEASUREMENT`: whether frame latency is measured (`1`/`true`).
pub fn latency_measurement_enabled() -> bool {
    env_flag("NVDS_ENABLE_LATENCY_MEASUREMENT")
}

/// `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT`: whether each component records its latency
/// (`1`/`true`). As in DeepStream, it only has an effect with
/// [`latency_measurement_enabled`].
pub fn component_latency_measurement_enabled() -> bool {
    latency_measurement_enabled() && env_flag("NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT")
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).map(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "yes")).unwrap_or(false)
}

/// The system time in milliseconds since the Unix epoch (DeepStream's latency clock).
pub fn system_time_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// One component's latency for one frame (owned `NvDsMetaCompLatency`, batch user meta of
/// type `NVDS_LATENCY_MEASUREMENT_META`). Times in milliseconds ([`system_time_ms`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentLatency {
    /// `component_name` (at most 63 bytes are kept).
    pub component_name: String,
    /// `source_id` of the frame.
    pub source_id: u32,
    /// `frame_num` of the frame.
    pub frame_num: u32,
    /// `pad_index` of the frame.
    pub pad_index: u32,
    /// `in_system_timestamp`: when the frame reached the component.
    pub in_system_timestamp: f64,
    /// `out_system_timestamp`: when the component was done with it.
    pub out_system_timestamp: f64,
}

impl ComponentLatency {
    /// A record of `component_name` for frame `frame_num` of source `source_id`.
    pub fn new(
        component_name: &str,
        source_id: u32,
        frame_num: u32,
        pad_index: u32,
        in_ms: f64,
        out_ms: f64,
    ) -> ComponentLatency {
        ComponentLatency {
            component_name: component_name.to_owned(),
            source_id,
            frame_num,
            pad_index,
            in_system_timestamp: in_ms,
            out_system_timestamp: out_ms,
        }
    }
}

// SAFETY: the C view holds no pointers.
unsafe impl CPayload for ComponentLatency {
    type C = sys::NvDsMetaCompLatency;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_LATENCY_MEASUREMENT_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn Any>) {
        // SAFETY: a plain C struct of numbers and char arrays: all-zero is valid.
        let mut c: sys::NvDsMetaCompLatency = unsafe { std::mem::zeroed() };
        copy_name(&mut c.component_name, &self.component_name);
        c.in_system_timestamp = self.in_system_timestamp;
        c.out_system_timestamp = self.out_system_timestamp;
        c.source_id = self.source_id;
        c.frame_num = self.frame_num;
        c.pad_index = self.pad_index;
        (c, Box::new(()))
    }
}

fn copy_name(dst: &mut [c_char; sys::MAX_COMPONENT_LEN], name: &str) {
    let mut end = name.len().min(sys::MAX_COMPONENT_LEN - 1);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    for (d, &b) in dst.iter_mut().zip(&name.as_bytes()[..end]) {
        *d = b as c_char;
    }
}

fn name_of(c: &sys::NvDsMetaCompLatency) -> String {
    let bytes: Vec<u8> = c.component_name.iter().take_while(|&&b| b != 0).map(|&b| b as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The component latency records of a batch, in the order they were added (read from the
/// C structs, so records attached by DeepStream's elements are read too).
pub fn component_latencies(batch: &BatchMeta) -> Vec<ComponentLatency> {
    batch
        .user_metas()
        .filter_map(|u| u.c_payload::<ComponentLatency>())
        .map(|c| ComponentLatency {
            component_name: name_of(c),
            source_id: c.source_id,
            frame_num: c.frame_num,
            pad_index: c.pad_index,
            in_system_timestamp: c.in_system_timestamp,
            out_system_timestamp: c.out_system_timestamp,
        })
        .collect()
}

/// `nvds_measure_buffer_latency`: the latency of each frame of the batch in `buffer`, one
/// `NvDsFrameLatencyInfo` per frame that has a latency record: `comp_in_timestamp` is the
/// earliest in time recorded for that frame (its arrival at the muxer), `latency` is now
/// minus that, in ms. Empty when the buffer has no batch meta or no records (latency
/// measurement not enabled upstream): pyds' function returns 0 then.
pub fn measure_buffer_latency(buffer: &gst::BufferRef) -> Vec<sys::NvDsFrameLatencyInfo> {
    let Some(batch) = BatchMeta::from_buffer(buffer) else {
        return Vec::new();
    };
    let records = component_latencies(batch);
    let now = system_time_ms();
    batch
        .frames()
        .filter_map(|f| {
            let (src, num) = (f.source_id(), f.frame_num() as u32);
            let first = records
                .iter()
                .filter(|r| r.source_id == src && r.frame_num == num)
                .map(|r| r.in_system_timestamp)
                .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.min(t))))?;
            Some(sys::NvDsFrameLatencyInfo {
                source_id: src,
                frame_num: num,
                comp_in_timestamp: first,
                latency: now - first,
            })
        })
        .collect()
}

/// What pyds' `nvds_measure_buffer_latency` prints for a batch (`batch_num` counts the
/// batches measured): a `************BATCH-NUM = N**************` line, with component
/// latency one `Comp name = ...` line per record, then one
/// `Source id = S Frame_num = F Frame latency = L (ms) ` line per frame.
pub fn latency_report(buffer: &gst::BufferRef, batch_num: u64) -> Option<String> {
    let frames = measure_buffer_latency(buffer);
    if frames.is_empty() {
        return None;
    }
    let mut out = format!("************BATCH-NUM = {batch_num}**************\n");
    if component_latency_measurement_enabled()
        && let Some(batch) = BatchMeta::from_buffer(buffer)
    {
        {
            for r in component_latencies(batch) {
                out.push_str(&format!(
                    "Comp name = {} source_id = {} pad_index = {} frame_num = {} in_system_timestamp = {:.6} \
                     out_system_timestamp = {:.6} component_latency = {:.6}\n",
                    r.component_name,
                    r.source_id,
                    r.pad_index,
                    r.frame_num,
                    r.in_system_timestamp,
                    r.out_system_timestamp,
                    r.out_system_timestamp - r.in_system_timestamp
                ));
            }
        }
    }
    for f in &frames {
        out.push_str(&format!(
            "Source id = {} Frame_num = {} Frame latency = {:.6} (ms) \n",
            f.source_id, f.frame_num, f.latency
        ));
    }
    Some(out)
}
