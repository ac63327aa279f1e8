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
//! - Device view (pyds `get_nvds_buf_surface_gpu`, native provider): [`DeviceFrame`] gives
//!   the CUDA pointer, pitch, shape, strides and dtype of a surface in CUDA memory, for CUDA
//!   code of the caller's; nothing here needs CUDA to build. [`frame_access`] gives the device
//!   view on DeepStream and the host view on the portable backend, so one probe serves both.
//!
//! Safe by construction (the pyds bug reports: surfaces mapped and never unmapped, integers
//! passed as buffers, batch ids past the batch): every view borrows the `gst::BufferRef` it
//! came from and unmaps when it drops, so it cannot outlive the buffer:
//!
//! ```compile_fail
//! # ds_meta::init().unwrap();
//! let buffer = gst::Buffer::new();
//! let img = ds_meta::get_nvds_buf_surface(&buffer, 0).unwrap();
//! drop(buffer); // error: `buffer` is borrowed by `img`
//! img.view();
//! ```
//!
//! and every view checks the colour format (RGBA/RGB), the layout (pitch-linear), the memory
//! type (CPU-accessible for the host view, CUDA for the device view) and `batch_id <
//! numFilled` (`num_frames_in_batch` for portable batches), with an error naming what it found.

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

/// The checks every view of an `NvBufSurface` makes (pyds `get_nvds_buf_surface` and
/// `get_nvds_buf_surface_gpu`): the data is an `NvBufSurface`, `numFilled ≤ batchSize`,
/// `batch_id < numFilled`, the surface is RGBA or RGB and pitch-linear with
/// `pitch ≥ width × channels`. Gives the surface header, surface `batch_id` and its channels.
fn checked_surface(data: &[u8], batch_id: u32) -> Result<(sys::NvBufSurface, sys::NvBufSurfaceParams, usize)> {
    let bad = |m: String| Err(Error::BadBatchBuffer(m));
    if data.len() < size_of::<sys::NvBufSurface>() {
        return bad(format!("buffer holds {} bytes, not an NvBufSurface ({})", data.len(), size_of::<sys::NvBufSurface>()));
    }
    // SAFETY: the mapped data of an NVMM buffer is an NvBufSurface (size checked); read
    // unaligned as the mapping gives no alignment promise.
    let surf: sys::NvBufSurface = unsafe { std::ptr::read_unaligned(data.as_ptr() as *const sys::NvBufSurface) };
    if surf.numFilled > surf.batchSize {
        return bad(format!("NvBufSurface has numFilled {} > batchSize {}: not a valid surface", surf.numFilled, surf.batchSize));
    }
    if batch_id >= surf.numFilled || surf.surfaceList.is_null() {
        return Err(Error::NoSuchFrame { batch_id, num_frames: surf.numFilled });
    }
    // SAFETY: surfaceList holds batchSize ≥ numFilled > batch_id entries.
    let p = unsafe { std::ptr::read(surf.surfaceList.add(batch_id as usize)) };
    let channels = match p.colorFormat {
        Fmt::NVBUF_COLOR_FORMAT_RGBA => 4,
        Fmt::NVBUF_COLOR_FORMAT_RGB => 3,
        other => {
            return bad(format!(
                "get_nvds_buf_surface: only RGBA/RGB surfaces are supported, surface {batch_id} is {other:?} \
                 (put nvvideoconvert and a capsfilter with format=RGBA before the probe)"
            ));
        }
    };
    if p.layout != sys::NvBufSurfaceLayout::NVBUF_LAYOUT_PITCH {
        return bad(format!("surface {batch_id} is {:?}, not pitch-linear", p.layout));
    }
    if (p.pitch as usize) < p.width as usize * channels {
        return bad(format!("surface {batch_id}: pitch {} < width {} × {channels}", p.pitch, p.width));
    }
    Ok((surf, p, channels))
}

/// The geometry of surface `batch_id` of the `NvBufSurface` in `data`, for CPU access.
fn surface_geometry(data: &[u8], batch_id: u32) -> Result<Geometry> {
    let bad = |m: String| Err(Error::BadBatchBuffer(m));
    let (surf, p, channels) = checked_surface(data, batch_id)?;
    let ptr = if !p.mappedAddr.addr[0].is_null() {
        p.mappedAddr.addr[0]
    } else if cfg!(target_arch = "x86_64")
        && matches!(surf.memType, Mem::NVBUF_MEM_CUDA_UNIFIED | Mem::NVBUF_MEM_CUDA_PINNED | Mem::NVBUF_MEM_SYSTEM)
    {
        p.dataPtr
    } else {
        return bad(format!(
            "surface {batch_id} ({:?}) is not CPU-accessible: use nvbuf-memory-type=3 (CUDA unified) on x86, \
             or map it with NvBufSurfaceMap on Jetson; get_nvds_buf_surface_gpu gives a device view",
            surf.memType
        ));
    };
    if ptr.is_null() {
        return bad(format!("surface {batch_id} has no data pointer"));
    }
    Ok(Geometry { ptr: ptr as *mut u8, width: p.width as usize, height: p.height as usize, pitch: p.pitch as usize, channels })
}

/// Element type of a [`DeviceFrame`] (pyds returns numpy's `uint8`; the only one for RGBA/RGB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// 8-bit unsigned, numpy `uint8`, CUDA `unsigned char`.
    U8,
}

/// A frame in CUDA memory, described for CUDA code (cupy, cudarc, a kernel of your own): what
/// pyds `get_nvds_buf_surface_gpu` returns as `(dtype, shape, strides, dataptr, size)`.
/// It borrows the buffer, which stays mapped until the view drops: the pointer is valid only
/// while the `DeviceFrame` lives. No CUDA is needed to build or use the descriptor; reading or
/// writing the memory is the caller's CUDA code's job (on the default stream, synchronised
/// before the probe returns, as the Python sample does).
pub struct DeviceFrame<'a> {
    _map: gst::buffer::BufferMap<'a, gst::buffer::Readable>,
    ptr: *mut std::ffi::c_void,
    width: usize,
    height: usize,
    pitch: usize,
    channels: usize,
    size: usize,
    mem_type: Mem,
    gpu_id: u32,
}

impl DeviceFrame<'_> {
    /// The device pointer of the first pixel (`surfaceList[batch_id].dataPtr`).
    pub fn data_ptr(&self) -> *mut std::ffi::c_void {
        self.ptr
    }
    /// `[height, width, channels]` (channels 4 for RGBA, 3 for RGB).
    pub fn shape(&self) -> [usize; 3] {
        [self.height, self.width, self.channels]
    }
    /// Strides in bytes, numpy-style: `[pitch, channels, 1]`.
    pub fn strides(&self) -> [usize; 3] {
        [self.pitch, self.channels, 1]
    }
    /// Bytes from one row to the next.
    pub fn pitch(&self) -> usize {
        self.pitch
    }
    /// Element type: always [`DType::U8`].
    pub fn dtype(&self) -> DType {
        DType::U8
    }
    /// Bytes of the surface (`dataSize`), at least `pitch × height`.
    pub fn size(&self) -> usize {
        self.size
    }
    /// The surface's memory type (`NvBufSurface.memType`).
    pub fn mem_type(&self) -> Mem {
        self.mem_type
    }
    /// The GPU the memory is on (`NvBufSurface.gpuId`).
    pub fn gpu_id(&self) -> u32 {
        self.gpu_id
    }
}

/// The device view of surface `batch_id` (checks as [`checked_surface`], plus a CUDA memory
/// type and `dataSize ≥ pitch × height`).
fn device_frame(map: gst::buffer::BufferMap<'_, gst::buffer::Readable>, batch_id: u32) -> Result<DeviceFrame<'_>> {
    let (surf, p, channels) = checked_surface(map.as_slice(), batch_id)?;
    let cuda = matches!(surf.memType, Mem::NVBUF_MEM_CUDA_DEVICE | Mem::NVBUF_MEM_CUDA_UNIFIED | Mem::NVBUF_MEM_CUDA_PINNED)
        || (surf.memType == Mem::NVBUF_MEM_DEFAULT && cfg!(target_arch = "x86_64"));
    if !cuda {
        return Err(Error::BadBatchBuffer(format!(
            "get_nvds_buf_surface_gpu: surface {batch_id} is {:?}, not CUDA memory (x86/dGPU only: \
             NVBUF_MEM_DEFAULT, _CUDA_DEVICE, _CUDA_UNIFIED or _CUDA_PINNED)",
            surf.memType
        )));
    }
    let (pitch, height) = (p.pitch as usize, p.height as usize);
    if p.dataPtr.is_null() || (p.dataSize as usize) < pitch * height {
        return Err(Error::BadBatchBuffer(format!(
            "surface {batch_id}: no data pointer or dataSize {} < pitch {pitch} × height {height}",
            p.dataSize
        )));
    }
    Ok(DeviceFrame {
        ptr: p.dataPtr,
        width: p.width as usize,
        height,
        pitch,
        channels,
        size: p.dataSize as usize,
        mem_type: surf.memType,
        gpu_id: surf.gpuId,
        _map: map,
    })
}

/// Frame `batch_id` of a DeepStream NVMM batch as a device view (pyds
/// `get_nvds_buf_surface_gpu`). Native provider only: a portable batch is in host memory
/// (use [`get_nvds_buf_surface_mut`], or [`frame_access`] which picks the right one).
///
/// Errors: not the native provider; the buffer is not an `NvBufSurface`; `batch_id ≥
/// numFilled`; not RGBA/RGB; not pitch-linear; not CUDA memory (Jetson surface arrays).
pub fn get_nvds_buf_surface_gpu(buffer: &mut gst::BufferRef, batch_id: u32) -> Result<DeviceFrame<'_>> {
    if current() != Provider::Native {
        return Err(Error::BadBatchBuffer(
            "get_nvds_buf_surface_gpu: a portable batch is in host memory; use get_nvds_buf_surface_mut \
             (or frame_access)"
                .into(),
        ));
    }
    let map = buffer.map_readable().map_err(|_| Error::Map { index: 0, mode: "readable" })?;
    device_frame(map, batch_id)
}

/// A frame to edit in place, wherever its pixels are: the same probe code serves both
/// backends (deepstream-imagedata-multistream-cupy).
pub enum FrameAccess<'a> {
    /// Host memory (portable batches): a writable `[height, width, 4]` ndarray view.
    Host(FrameImageMut<'a>),
    /// CUDA memory (DeepStream NVMM batches): a device view for CUDA code.
    Device(DeviceFrame<'a>),
}

/// Frame `batch_id` for in-place editing: [`FrameAccess::Device`] for an NVMM batch of the
/// native provider (any CUDA memory type), [`FrameAccess::Host`] for a portable batch.
/// Errors as [`get_nvds_buf_surface_gpu`] and [`get_nvds_buf_surface_mut`].
pub fn frame_access(buffer: &mut gst::BufferRef, batch_id: u32) -> Result<FrameAccess<'_>> {
    if current() == Provider::Native {
        return get_nvds_buf_surface_gpu(buffer, batch_id).map(FrameAccess::Device);
    }
    get_nvds_buf_surface_mut(buffer, batch_id).map(FrameAccess::Host)
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

    #[test]
    fn refuses_block_linear_and_short_pitch() {
        gst::init().unwrap();
        let mut px = vec![0u8; 64];
        let mut bl = [params(&mut px, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
        bl[0].layout = sys::NvBufSurfaceLayout::NVBUF_LAYOUT_BLOCK_LINEAR;
        let buf = nvmm_buffer(&mut bl, Mem::NVBUF_MEM_CUDA_UNIFIED);
        let e = surface_geometry(buf.map_readable().unwrap().as_slice(), 0).unwrap_err();
        assert!(e.to_string().contains("not pitch-linear"), "{e}");

        let mut px = vec![0u8; 64];
        let mut short = [params(&mut px, 4, 4, 12, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
        let buf = nvmm_buffer(&mut short, Mem::NVBUF_MEM_CUDA_UNIFIED);
        let e = surface_geometry(buf.map_readable().unwrap().as_slice(), 0).unwrap_err();
        assert!(e.to_string().contains("pitch 12 < width 4 × 4"), "{e}");
    }

    #[test]
    fn batch_id_must_be_below_num_filled() {
        gst::init().unwrap();
        let mut a = vec![0u8; 64];
        let mut b = vec![0u8; 64];
        let mut ps = [params(&mut a, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA), params(&mut b, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
        // batchSize 2, but only one surface filled: batch_id 1 is past the batch.
        let mut buf = nvmm_buffer(&mut ps, Mem::NVBUF_MEM_CUDA_DEVICE);
        set_num_filled(&mut buf, 1);
        let map = buf.map_readable().unwrap();
        assert!(checked_surface(map.as_slice(), 0).is_ok());
        for id in [1, 2, u32::MAX] {
            let e = checked_surface(map.as_slice(), id).err().unwrap();
            assert!(matches!(e, Error::NoSuchFrame { num_frames: 1, .. }), "{e}");
            assert!(e.to_string().contains("it holds 1"), "{e}");
        }
        drop(map);
        // numFilled past batchSize: the header itself is wrong.
        set_num_filled(&mut buf, 3);
        let e = checked_surface(buf.map_readable().unwrap().as_slice(), 0).err().unwrap();
        assert!(e.to_string().contains("numFilled 3 > batchSize 2"), "{e}");
    }

    fn set_num_filled(buf: &mut gst::Buffer, n: u32) {
        let mut map = buf.make_mut().map_writable().unwrap();
        let off = std::mem::offset_of!(sys::NvBufSurface, numFilled);
        map.as_mut_slice()[off..off + 4].copy_from_slice(&n.to_ne_bytes());
    }

    /// The device view of a hand-built CUDA surface layout: pointer, pitch, shape, strides,
    /// dtype and size as pyds `get_nvds_buf_surface_gpu` gives them (no CUDA involved: the
    /// "device" memory is a host vector here).
    #[test]
    fn device_view_descriptor() {
        gst::init().unwrap();
        // Two 5 × 3 RGBA surfaces with a 32-byte pitch (12 bytes of padding per row).
        let mut a = vec![0u8; 32 * 3];
        let mut b = vec![0u8; 32 * 3];
        let mut ps = [params(&mut a, 5, 3, 32, Fmt::NVBUF_COLOR_FORMAT_RGBA), params(&mut b, 5, 3, 32, Fmt::NVBUF_COLOR_FORMAT_RGB)];
        for mem in [Mem::NVBUF_MEM_CUDA_DEVICE, Mem::NVBUF_MEM_CUDA_UNIFIED, Mem::NVBUF_MEM_DEFAULT] {
            let buf = nvmm_buffer(&mut ps, mem);
            let d = device_frame(buf.map_readable().unwrap(), 0).unwrap();
            assert_eq!(d.data_ptr(), a.as_mut_ptr() as *mut std::ffi::c_void);
            assert_eq!(d.shape(), [3, 5, 4]);
            assert_eq!(d.strides(), [32, 4, 1]);
            assert_eq!((d.pitch(), d.size(), d.dtype(), d.mem_type(), d.gpu_id()), (32, 96, DType::U8, mem, 0));
            drop(d);
            let d = device_frame(buf.map_readable().unwrap(), 1).unwrap();
            assert_eq!(d.data_ptr(), b.as_mut_ptr() as *mut std::ffi::c_void);
            assert_eq!((d.shape(), d.strides()), ([3, 5, 3], [32, 3, 1]));
            let e = device_frame(buf.map_readable().unwrap(), 2).err().unwrap();
            assert!(matches!(e, Error::NoSuchFrame { batch_id: 2, num_frames: 2 }), "{e}");
        }
    }

    #[test]
    fn device_view_refusals() {
        gst::init().unwrap();
        // Memory type: plain system memory and Jetson surface arrays are not CUDA memory.
        for mem in [Mem::NVBUF_MEM_SYSTEM, Mem::NVBUF_MEM_SURFACE_ARRAY, Mem::NVBUF_MEM_HANDLE] {
            let mut px = vec![0u8; 64];
            let mut ps = [params(&mut px, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
            let buf = nvmm_buffer(&mut ps, mem);
            let e = device_frame(buf.map_readable().unwrap(), 0).err().unwrap();
            assert!(e.to_string().contains("not CUDA memory"), "{mem:?}: {e}");
        }
        // Colour format.
        let mut px = vec![0u8; 64];
        let mut ps = [params(&mut px, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_NV12)];
        let buf = nvmm_buffer(&mut ps, Mem::NVBUF_MEM_CUDA_DEVICE);
        let e = device_frame(buf.map_readable().unwrap(), 0).err().unwrap();
        assert!(e.to_string().contains("only RGBA/RGB"), "{e}");
        // dataSize smaller than the rows.
        let mut px = vec![0u8; 64];
        let mut ps = [params(&mut px, 4, 4, 16, Fmt::NVBUF_COLOR_FORMAT_RGBA)];
        ps[0].dataSize = 40;
        let buf = nvmm_buffer(&mut ps, Mem::NVBUF_MEM_CUDA_DEVICE);
        let e = device_frame(buf.map_readable().unwrap(), 0).err().unwrap();
        assert!(e.to_string().contains("dataSize 40 < pitch 16 × height 4"), "{e}");
    }
}
