//! `ntp_timestamp` of a frame when `attach-sys-ts=false`: the NTP time at which the sender
//! captured it, from RTCP sender reports.
//!
//! `rtspsrc add-reference-timestamp-meta=true` (what `configure_source_for_ntp_sync` sets on
//! the portable backend) makes its jitterbuffer attach a `GstReferenceTimestampMeta` with
//! caps `timestamp/x-ntp` to every RTP packet once an RTCP sender report mapped the stream's
//! RTP time to the sender's NTP clock; the depayloader, parser and decoder carry it to the
//! decoded frame. Frames before the first sender report have none: their `ntp_timestamp`
//! stays 0, as in DeepStream.

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_TO_UNIX_S: u64 = 2_208_988_800;

/// The sender's capture time of `buffer` in nanoseconds since the Unix epoch, from its
/// `timestamp/x-ntp` reference timestamp meta; `None` without one.
pub(super) fn from_rtcp(buffer: &gst::BufferRef) -> Option<u64> {
    buffer
        .iter_meta::<gst::ReferenceTimestampMeta>()
        .find(|m| m.reference().structure(0).is_some_and(|s| s.name() == "timestamp/x-ntp"))
        .map(|m| m.timestamp().nseconds().saturating_sub(NTP_TO_UNIX_S * 1_000_000_000))
}
