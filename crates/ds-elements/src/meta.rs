//! The one place that reads and writes DeepStream metadata (through ds-meta), so the
//! elements stay independent of the metadata API's shape.
//!
//! TEMPORARY: stubs until ds-meta's API is committed.
#![allow(dead_code, unused_variables)]

use crate::draw::Shape;

/// What the muxer knows about one frame of a batch.
#[derive(Debug, Clone)]
pub(crate) struct FrameInfo {
    pub batch_id: u32,
    pub pad_index: u32,
    pub source_id: u32,
    pub frame_num: i32,
    pub buf_pts: u64,
    pub ntp_timestamp: u64,
    pub source_width: u32,
    pub source_height: u32,
}

pub(crate) fn attach_batch_meta(buf: &mut gst::BufferRef, max_frames: u32, width: u32, height: u32, frames: &[FrameInfo]) -> Result<(), String> { Ok(()) }
pub(crate) fn read_frames(buf: &gst::BufferRef) -> Vec<FrameInfo> { Vec::new() }
pub(crate) fn draw_lists(buf: &gst::BufferRef, display_bbox: bool, display_text: bool) -> Vec<(u32, Vec<Shape>)> { Vec::new() }
pub(crate) fn ensure_single_frame_meta(buf: &mut gst::BufferRef, width: u32, height: u32, src_width: u32, src_height: u32, frame_num: i32) -> Result<(), String> { Ok(()) }
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affine { pub sx: f64, pub sy: f64, pub ox: f64, pub oy: f64 }
pub(crate) fn tile_meta(buf: &mut gst::BufferRef, map: &dyn Fn(&FrameInfo) -> Option<Affine>) {}
pub(crate) fn single_frame_meta(out: &mut gst::BufferRef, src: &gst::BufferRef, batch_id: u32) -> Result<(), String> { Ok(()) }
pub(crate) struct NewObject<'a> {
    pub class_id: i32,
    pub confidence: f32,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
    pub label: Option<&'a str>,
    pub border_color: [f64; 4],
    pub bg_color: Option<[f64; 4]>,
}
pub(crate) fn add_objects(buf: &mut gst::BufferRef, batch_id: u32, unique_id: u32, objects: &[NewObject]) -> Result<(), String> { Ok(()) }
