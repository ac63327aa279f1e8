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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntp_reference_timestamps_become_unix_time() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::new();
        assert_eq!(from_rtcp(&buffer), None);
        let other = gst::Caps::builder("timestamp/x-unix").build();
        let ntp = gst::Caps::builder("timestamp/x-ntp").build();
        // 2026-01-01T00:00:00Z = 1767225600 s Unix = 3976214400 s NTP
        let b = buffer.get_mut().unwrap();
        gst::ReferenceTimestampMeta::add(b, &other, gst::ClockTime::from_seconds(5), gst::ClockTime::NONE);
        gst::ReferenceTimestampMeta::add(b, &ntp, gst::ClockTime::from_seconds(3_976_214_400), gst::ClockTime::NONE);
        assert_eq!(from_rtcp(&buffer), Some(1_767_225_600 * 1_000_000_000));
    }
}
