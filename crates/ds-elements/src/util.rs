//! Small helpers shared by the elements.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the elements keep
/// their state consistent at every unlock, so the data is still valid).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A new output buffer of `size` bytes carrying `inbuf`'s flags, timestamps and metas (what
/// `GstBaseTransform` copies), for the transforms that make their own output buffers.
pub(crate) fn output_buffer_like(
    inbuf: &gst_base::subclass::base_transform::InputBuffer,
    size: usize,
) -> Result<gst::Buffer, gst::FlowError> {
    let inbuf: &gst::BufferRef = match inbuf {
        gst_base::subclass::base_transform::InputBuffer::Writable(b) => b,
        gst_base::subclass::base_transform::InputBuffer::Readable(b) => b,
    };
    let mut out = gst::Buffer::with_size(size).map_err(|_| gst::FlowError::Error)?;
    {
        let outm = out.get_mut().ok_or(gst::FlowError::Error)?;
        inbuf
            .copy_into(
                outm,
                gst::BufferCopyFlags::FLAGS
                    | gst::BufferCopyFlags::TIMESTAMPS
                    | gst::BufferCopyFlags::META,
                ..,
            )
            .map_err(|_| gst::FlowError::Error)?;
    }
    Ok(out)
}
