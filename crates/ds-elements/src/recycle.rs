//! Frame memory that goes back to its owner when the last buffer using it is freed, instead
//! of back to the allocator: what NVIDIA's elements get from their NvBufSurface pools.
//!
//! A 1080p RGBA frame is 8 MB; freshly allocated for every frame, each one is first touched
//! through about 2000 page faults and zeroed by the kernel (`dsstreammux` at 60 frames/s:
//! a tenth of the CPU time of deepstream-test1 without output went to that). Reused, the
//! pages stay mapped.

use std::sync::{Arc, Mutex};

/// A set of equal-sized byte vectors, handed out as `gst::Memory` and taken back when that
/// memory is freed. At most `keep` vectors wait for reuse; more are freed.
#[derive(Debug, Clone)]
pub struct Recycler {
    free: Arc<Mutex<Vec<Vec<u8>>>>,
    size: usize,
    keep: usize,
}

/// The owner of one vector inside a `gst::Memory`; gives it back on drop.
struct Recycled {
    data: Vec<u8>,
    free: std::sync::Weak<Mutex<Vec<Vec<u8>>>>,
    keep: usize,
}

impl AsRef<[u8]> for Recycled {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl AsMut<[u8]> for Recycled {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }
}

impl Drop for Recycled {
    fn drop(&mut self) {
        if let Some(free) = self.free.upgrade() {
            let mut free = crate::util::lock(&free);
            if free.len() < self.keep {
                free.push(std::mem::take(&mut self.data));
            }
        }
    }
}

impl Recycler {
    /// Vectors of `size` bytes, at most `keep` of them kept for reuse.
    pub fn new(size: usize, keep: usize) -> Recycler {
        Recycler {
            free: Arc::new(Mutex::new(Vec::new())),
            size,
            keep,
        }
    }

    /// A buffer of one memory of `size` bytes: a returned vector (its old contents: the
    /// caller overwrites it) or a new zeroed one.
    pub fn buffer(&self) -> gst::Buffer {
        let data = crate::util::lock(&self.free)
            .pop()
            .unwrap_or_else(|| vec![0u8; self.size]);
        gst::Buffer::from_mut_slice(Recycled {
            data,
            free: Arc::downgrade(&self.free),
            keep: self.keep,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_memory_is_handed_out_again_and_the_surplus_is_dropped() {
        gst::init().unwrap();
        let r = Recycler::new(16, 1);
        let a = r.buffer();
        let ptr = a.map_readable().unwrap().as_ptr();
        let b = r.buffer();
        assert_ne!(b.map_readable().unwrap().as_ptr(), ptr);
        // the memory outlives its first buffer inside another one (a batch)
        let mem = a.memory(0).unwrap();
        drop(a);
        assert!(crate::util::lock(&r.free).is_empty());
        drop(mem);
        drop(b);
        // one kept (keep = 1), the other freed
        assert_eq!(crate::util::lock(&r.free).len(), 1);
        let c = r.buffer();
        assert_eq!(c.size(), 16);
        assert!(crate::util::lock(&r.free).is_empty());
    }
}
