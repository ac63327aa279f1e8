//! Image access: a frame of a batch buffer as an `ndarray` view `[height, width, 4]` (RGBA,
//! `u8`), without a copy — the pyds `get_nvds_buf_surface` equivalent.
//!
//! In a portable batch buffer (see `docs/batch-format.md`) frame `batch_id` is memory
//! number `batch_id`, tightly packed RGBA of the size the frame meta gives in
//! `pipeline_width` × `pipeline_height`. The mapping is undone when the returned guard
//! drops (the pyds `unmap_nvds_buf_surface`).

use crate::error::{Error, Result};
use crate::meta::BatchMeta;
use ndarray::{ArrayView3, ArrayViewMut3};

/// A frame mapped for reading; [`FrameImage::view`] gives the `[height, width, 4]` array.
pub struct FrameImage<'a> {
    map: gst::buffer::BufferMap<'a, gst::buffer::Readable>,
    width: usize,
    height: usize,
}

/// A frame mapped for writing; writes land in the buffer.
pub struct FrameImageMut<'a> {
    map: gst::buffer::BufferMap<'a, gst::buffer::Writable>,
    width: usize,
    height: usize,
}

/// Width and height of frame `batch_id`, checked against memory `batch_id`'s size.
fn frame_size(buffer: &gst::BufferRef, batch_id: u32) -> Result<(usize, usize)> {
    let batch = BatchMeta::from_buffer(buffer).ok_or(Error::NoBatchMeta)?;
    let frame = batch
        .frame(batch_id)
        .ok_or(Error::NoSuchFrame { batch_id, num_frames: batch.num_frames_in_batch() })?;
    let (w, h) = (frame.pipeline_width() as usize, frame.pipeline_height() as usize);
    if w == 0 || h == 0 {
        return Err(Error::BadBatchBuffer(format!(
            "frame {batch_id} has pipeline_width × pipeline_height = {w} × {h}; the muxer must set them"
        )));
    }
    let n = buffer.n_memory();
    if batch_id as usize >= n {
        return Err(Error::BadBatchBuffer(format!("frame {batch_id} needs memory {batch_id}, the buffer has {n}")));
    }
    let size = buffer.peek_memory(batch_id as usize).size();
    if size < w * h * 4 {
        return Err(Error::BadBatchBuffer(format!(
            "memory {batch_id} holds {size} bytes, an RGBA frame of {w} × {h} needs {}",
            w * h * 4
        )));
    }
    Ok((w, h))
}

/// Maps frame `batch_id` of a batch buffer for reading (pyds `get_nvds_buf_surface`).
pub fn get_nvds_buf_surface(buffer: &gst::BufferRef, batch_id: u32) -> Result<FrameImage<'_>> {
    let (width, height) = frame_size(buffer, batch_id)?;
    let i = batch_id as usize;
    let map = buffer.map_range_readable(i..=i).map_err(|_| Error::Map { index: i, mode: "readable" })?;
    Ok(FrameImage { map, width, height })
}

/// Maps frame `batch_id` of a writable batch buffer for writing; the memory is made
/// writable first (copied if shared), so the changes belong to this buffer only.
#[doc(alias = "get_nvds_buf_surface")]
pub fn get_nvds_buf_surface_mut(buffer: &mut gst::BufferRef, batch_id: u32) -> Result<FrameImageMut<'_>> {
    let (width, height) = frame_size(buffer, batch_id)?;
    let i = batch_id as usize;
    // Mapping a range writable replaces a shared memory by a private copy first.
    let map = buffer.map_range_writable(i..=i).map_err(|_| Error::Map { index: i, mode: "writable" })?;
    Ok(FrameImageMut { map, width, height })
}

impl FrameImage<'_> {
    /// The frame as `[height, width, 4]` RGBA bytes.
    pub fn view(&self) -> ArrayView3<'_, u8> {
        let n = self.height * self.width * 4;
        ArrayView3::from_shape((self.height, self.width, 4), &self.map.as_slice()[..n])
            .unwrap_or_else(|_| unreachable!("size checked when mapping"))
    }
    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }
}

impl FrameImageMut<'_> {
    /// The frame as `[height, width, 4]` RGBA bytes.
    pub fn view(&self) -> ArrayView3<'_, u8> {
        let n = self.height * self.width * 4;
        ArrayView3::from_shape((self.height, self.width, 4), &self.map.as_slice()[..n])
            .unwrap_or_else(|_| unreachable!("size checked when mapping"))
    }
    /// The frame as `[height, width, 4]` RGBA bytes, writable.
    pub fn view_mut(&mut self) -> ArrayViewMut3<'_, u8> {
        let n = self.height * self.width * 4;
        ArrayViewMut3::from_shape((self.height, self.width, 4), &mut self.map.as_mut_slice()[..n])
            .unwrap_or_else(|_| unreachable!("size checked when mapping"))
    }
    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }
}
