//! Custom downstream events that `dsstreammux` sends, named like DeepStream's `gst-nvevent.h`
//! events, so that batch-aware elements downstream (`dsstreamdemux`) learn about sources.
//!
//! Each is a serialized custom downstream event whose structure carries `source-id` (u32, the
//! muxer's sink pad index).

/// A source (muxer sink pad) reached EOS; sent after that source's last frame.
pub const STREAM_EOS: &str = "nv-stream-eos";
/// A muxer sink pad received its first buffer.
pub const PAD_ADDED: &str = "nv-pad-added";
/// A muxer sink pad was released.
pub const PAD_DELETED: &str = "nv-pad-deleted";

/// Builds one of the events above for `source_id`.
pub fn new(name: &str, source_id: u32) -> gst::Event {
    gst::event::CustomDownstream::new(
        gst::Structure::builder(name)
            .field("source-id", source_id)
            .build(),
    )
}

/// If `event` is one of the events above, returns its name and source id.
pub fn parse(event: &gst::EventRef) -> Option<(&'static str, u32)> {
    if event.type_() != gst::EventType::CustomDownstream {
        return None;
    }
    let s = event.structure()?;
    let id = s.get::<u32>("source-id").ok()?;
    [STREAM_EOS, PAD_ADDED, PAD_DELETED]
        .into_iter()
        .find(|n| s.name() == *n)
        .map(|n| (n, id))
}
