//! Image access: a frame of a batch buffer as an `ndarray` view `[height, width, channels]`
//! (`u8`, channels 4 for RGBA), without a copy — the pyds `get_nvds_buf_surface`
//! equivalent. The mapping is undone when the returned guard drops (the pyds
//! `unmap_nvds_buf_surface`).
//!
//! - Builtin provider, portable batch (`docs/batch-format.md`): frame `batch_id` is memory
//!   number `batch_id`, tightly packed RGBA of `pipeline_width` × `pipeline_height` (from the
//!   frame meta).
//! - Native provider, DeepStream NVMM buffer: the buffer's data is an `NvBufSurface`; frame
//!   `batch_id` is `surfaceList[batch_id]`, which must be RGBA or RGB, pitch-linear, and
//!   CPU-accessible (x86: `NVBUF_MEM_CUDA_UNIFIED`, `_CUDA_PINNED` or `_SYSTEM`; Jetson: already
//!   mapped with `NvBufSurfaceMap`, as pyds requires too). Rows are `pitch` bytes apart.

use crate::error::{Error, Result};
use crate::meta::BatchMeta;
use crate::provider::{Provider, current};
use crate::sys::{self, NvBufSurfaceColorFormat as Fmt, NvBufSurfaceMemType as Mem};
use ndarray::{ArrayView3, ArrayViewMut3, ShapeBuilder};

/// Where a frame's pixels are: `height` rows of `pitch` bytes, `width × channels` used.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    ptr: *mut u8,
    width: usize,
    height: usize,
    pitch: usize,
    channels: usize,
}

impl Geometry {
    fn shape(&self) -> ndarray::StrideShape<ndarray::Ix3> {
        (self.height, self.width, self.channels).strides((self.pitch, self.channels, 1))
    }
}

/// A frame mapped for reading; [`FrameImage::view`] gives the `[height, width, channels]` array.
pub struct FrameImage<'a> {
    _map: gst::buffer::BufferMap<'a, gst::buffer::Readable>,
    g: Geometry,
}

/// A frame mapped for writing; writes land in the frame's memory.
pub struct FrameImageMut<'a> {
    _map: MapMut<'a>,
    g: Geometry,
}

enum MapMut<'a> {
    Writable(#[allow(dead_code)] gst::buffer::BufferMap<'a, gst::buffer::Writable>),
    /// NVMM: the surface memory is not the buffer's; the buffer (holding the NvBufSurface)
    /// stays mapped readable while the view lives.
    Surface(#[allow(dead_code)] gst::buffer::BufferMap<'a, gst::buffer::Readable>),
}

/// Width and height of frame `batch_id` of a portable batch, checked against memory
/// `batch_id`'s size.
fn portable_size(buffer: &gst::BufferRef, batch_id: u32) -> Result<(usize, usize)> {
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

/// The geometry of surface `batch_id` of the `NvBufSurface` in `data`.
fn surface_geometry(data: &[u8], batch_id: u32) -> Result<Geometry> {
    let bad = |m: String| Err(Error::BadBatchBuffer(m));
    if data.len() < size_of::<sys::NvBufSurface>() {
        return bad(format!("buffer holds {} bytes, not an NvBufSurface ({})", data.len(), size_of::<sys::NvBufSurface>()));
    }
    // SAFETY: the mapped data of an NVMM buffer is an NvBufSurface (size checked); read
    // unaligned as the mapping gives no alignment promise.
    let surf: sys::NvBufSurface = unsafe { std::ptr::read_unaligned(data.as_ptr() as *const sys::NvBufSurface) };
    if batch_id >= surf.numFilled || surf.surfaceList.is_null() {
        return Err(Error::NoSuchFrame { batch_id, num_frames: surf.numFilled });
    }
    // SAFETY: surfaceList holds batchSize ≥ numFilled entries.
    let p = unsafe { &*surf.surfaceList.add(batch_id as usize) };
    let channels = match p.colorFormat {
        Fmt::NVBUF_COLOR_FORMAT_RGBA => 4,
        Fmt::NVBUF_COLOR_FORMAT_RGB => 3,
        other => return bad(format!("get_nvds_buf_surface: only RGBA/RGB surfaces are supported, this one is {other:?}")),
    };
    if p.layout != sys::NvBufSurfaceLayout::NVBUF_LAYOUT_PITCH {
        return bad(format!("surface {batch_id} is {:?}, not pitch-linear", p.layout));
    }
    let ptr = if !p.mappedAddr.addr[0].is_null() {
        p.mappedAddr.addr[0]
    } else if cfg!(target_arch = "x86_64")
        && matches!(surf.memType, Mem::NVBUF_MEM_CUDA_UNIFIED | Mem::NVBUF_MEM_CUDA_PINNED | Mem::NVBUF_MEM_SYSTEM)
    {
        p.dataPtr
    } else {
        return bad(format!(
            "surface {batch_id} ({:?}) is not CPU-accessible: use nvbuf-memory-type=3 (CUDA unified) on x86, \
             or map it with NvBufSurfaceMap on Jetson",
            surf.memType
        ));
    };
    if ptr.is_null() || (p.pitch as usize) < p.width as usize * channels {
        return bad(format!("surface {batch_id}: no data or pitch {} < width {} × {channels}", p.pitch, p.width));
    }
    Ok(Geometry { ptr: ptr as *mut u8, width: p.width as usize, height: p.height as usize, pitch: p.pitch as usize, channels })
}

/// Maps frame `batch_id` of a batch buffer for reading (pyds `get_nvds_buf_surface`).
pub fn get_nvds_buf_surface(buffer: &gst::BufferRef, batch_id: u32) -> Result<FrameImage<'_>> {
    if current() == Provider::Native {
        let map = buffer.map_readable().map_err(|_| Error::Map { index: 0, mode: "readable" })?;
        let g = surface_geometry(map.as_slice(), batch_id)?;
        return Ok(FrameImage { _map: map, g });
    }
    let (width, height) = portable_size(buffer, batch_id)?;
    let i = batch_id as usize;
    let map = buffer.map_range_readable(i..=i).map_err(|_| Error::Map { index: i, mode: "readable" })?;
    let g = Geometry { ptr: map.as_ptr() as *mut u8, width, height, pitch: width * 4, channels: 4 };
    Ok(FrameImage { _map: map, g })
}

/// Maps frame `batch_id` of a writable batch buffer for writing. In a portable batch the
/// memory is made writable first (copied if shared), so the changes belong to this buffer
/// only; in an NVMM buffer the surface is written in place, as with pyds.
#[doc(alias = "get_nvds_buf_surface")]
pub fn get_nvds_buf_surface_mut(buffer: &mut gst::BufferRef, batch_id: u32) -> Result<FrameImageMut<'_>> {
    if current() == Provider::Native {
        let map = buffer.map_readable().map_err(|_| Error::Map { index: 0, mode: "readable" })?;
        let g = surface_geometry(map.as_slice(), batch_id)?;
        return Ok(FrameImageMut { _map: MapMut::Surface(map), g });
    }
    let (width, height) = portable_size(buffer, batch_id)?;
    let i = batch_id as usize;
    // Mapping a range writable replaces a shared memory by a private copy first.
    let mut map = buffer.map_range_writable(i..=i).map_err(|_| Error::Map { index: i, mode: "writable" })?;
    let g = Geometry { ptr: map.as_mut_ptr(), width, height, pitch: width * 4, channels: 4 };
    Ok(FrameImageMut { _map: MapMut::Writable(map), g })
}

macro_rules! read_methods {
    () => {
        /// The frame as `[height, width, channels]` bytes (channels: 4 for RGBA).
        pub fn view(&self) -> ArrayView3<'_, u8> {
            // SAFETY: the geometry describes memory that stays mapped while `self` lives.
            unsafe { ArrayView3::from_shape_ptr(self.g.shape(), self.g.ptr as *const u8) }
        }
        /// Width in pixels.
        pub fn width(&self) -> usize {
            self.g.width
        }
        /// Height in pixels.
        pub fn height(&self) -> usize {
            self.g.height
        }
        /// Bytes from one row to the next.
        pub fn pitch(&self) -> usize {
            self.g.pitch
        }
    };
}

impl FrameImage<'_> {
    read_methods!();
}

impl FrameImageMut<'_> {
    read_methods!();

    /// The frame as `[height, width, channels]` bytes, writable.
    pub fn view_mut(&mut self) -> ArrayViewMut3<'_, u8> {
        // SAFETY: as `view`, and the memory is writable and exclusively borrowed.
        unsafe { ArrayViewMut3::from_shape_ptr(self.g.shape(), self.g.ptr) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An NVMM-style buffer: its data is an NvBufSurface whose surfaces point at `pixels`.
    fn nvmm_buffer(params: &mut [sys::NvBufSurfaceParams], mem: Mem) -> gst::Buffer {
        let surf = sys::NvBufSurface {
            gpuId: 0,
            batchSize: params.len() as u32,
            numFilled: params.len() as u32,
            isContiguous: 0,
            memType: mem,
            surfaceList: params.as_mut_ptr(),
            #[cfg(ds_abi_ge_80)]
            isImportedBuf: 0,
            _reserved: [std::ptr::null_mut(); 4],
        };
        // SAFETY: plain bytes of a repr(C) struct.
        let bytes = unsafe {
            std::slice::from_raw_parts(&surf as *const _ as *const u8, size_of::<sys::NvBufSurface>())
        };
        gst::Buffer::from_slice(bytes.to_vec())
    }

    fn params(pixels: &mut [u8], w: u32, h: u32, pitch: u32, fmt: Fmt) -> sys::NvBufSurfaceParams {
        // SAFETY: all-zero is a valid NvBufSurfaceParams (integers and null pointers).
        let mut p: sys::NvBufSurfaceParams = unsafe { std::mem::zeroed() };
        p.width = w;
        p.height = h;
        p.pitch = pitch;
        p.colorFormat = fmt;
        p.dataPtr = pixels.as_mut_ptr() as *mut _;
        p.dataSize = pixels.len() as u32;
        p
    }

    #[test]
    fn nvbufsurface_frames_with_pitch() {
        gst::init().unwrap();
        // 3 × 2 RGBA with a pitch of 16 bytes (4 bytes of padding per row).
        let mut px: Vec<u8> = (0..32).collect();
        let mut ps = [params(&mut px, 3, 2, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
        let buf = nvmm_buffer(&mut ps, Mem::NVBUF_MEM_CUDA_UNIFIED);
        let map = buf.map_readable().unwrap();
        let g = surface_geometry(map.as_slice(), 0).unwrap();
        assert_eq!((g.width, g.height, g.pitch, g.channels), (3, 2, 16, 4));
        // SAFETY: px is alive.
        let v = unsafe { ArrayView3::from_shape_ptr(g.shape(), g.ptr as *const u8) };
        assert_eq!(v.shape(), &[2, 3, 4]);
        assert_eq!(v[[0, 2, 3]], 11);
        assert_eq!(v[[1, 0, 0]], 16, "second row starts at the pitch");
        assert!(matches!(surface_geometry(map.as_slice(), 1), Err(Error::NoSuchFrame { batch_id: 1, num_frames: 1 })));
    }

    #[test]
    fn nvbufsurface_refusals() {
        gst::init().unwrap();
        let mut px = vec![0u8; 64];
        let mut nv12 = [params(&mut px, 4, 4, 4, Fmt::NVBUF_COLOR_FORMAT_NV12)];
        let buf = nvmm_buffer(&mut nv12, Mem::NVBUF_MEM_CUDA_UNIFIED);
        let e = surface_geometry(buf.map_readable().unwrap().as_slice(), 0).unwrap_err();
        assert!(e.to_string().contains("only RGBA/RGB"), "{e}");

        let mut px = vec![0u8; 64];
        let mut dev = [params(&mut px, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
        let buf = nvmm_buffer(&mut dev, Mem::NVBUF_MEM_CUDA_DEVICE);
        let e = surface_geometry(buf.map_readable().unwrap().as_slice(), 0).unwrap_err();
        assert!(e.to_string().contains("not CPU-accessible"), "{e}");

        let small = gst::Buffer::from_slice(vec![0u8; 8]);
        let e = surface_geometry(small.map_readable().unwrap().as_slice(), 0).unwrap_err();
        assert!(e.to_string().contains("not an NvBufSurface"), "{e}");
    }
}
