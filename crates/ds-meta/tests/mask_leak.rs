//! Instance masks are freed with their object meta: 10 000 frames, each with objects whose
//! `mask_params` get a mask (`MaskParams::alloc`, as dsinfer's instance masks and pyds
//! `alloc_mask_array`), some replaced, some objects removed, every 10th buffer deep-copied;
//! the process's resident memory must not grow with the frames. A leak of the masks alone
//! would add about 9 500 × 4 × 4 KiB = 148 MiB after the warm-up.

mod common;

use ds_meta::BatchMeta;

const FRAMES: usize = 10_000;
const OBJECTS: usize = 4;
/// 32 × 32 floats: 4 KiB a mask.
const SIDE: u32 = 32;

/// Resident set size of this process in KiB (`/proc/self/statm`).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).expect("resident field").parse().expect("pages");
    // SAFETY: sysconf has no preconditions; 30 is _SC_PAGESIZE on Linux.
    let page = unsafe { sysconf(30) } as u64;
    pages * page / 1024
}

unsafe extern "C" {
    fn sysconf(name: i32) -> i64;
}

fn frame(n: usize) {
    let mut buf = gst::Buffer::with_size(64).unwrap();
    {
        let b = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap();
        let f = b.add_frame_meta().unwrap();
        f.set_frame_num(n as i32);
        for i in 0..OBJECTS {
            let o = f.add_obj_meta(None).unwrap();
            o.set_class_id(i as i32);
            let m = o.mask_params_mut();
            m.alloc(SIDE, SIDE).iter_mut().enumerate().for_each(|(k, v)| *v = (k % 7) as f32 / 7.0);
            m.set_threshold(0.5);
            if i == 0 {
                m.alloc(SIDE, SIDE); // replaced: the first one is freed
            }
        }
        f.retain_objects(|o| o.class_id() != 3); // removed: its mask is freed
    }
    if n.is_multiple_of(10) {
        let c = buf.copy(); // deep copy: masks copied, freed with the copy
        let b = BatchMeta::from_buffer(&c).unwrap();
        let f = b.frames().next().unwrap();
        let o = f.objects().next().unwrap();
        assert_eq!(o.mask_params().array().unwrap().dim(), (SIDE as usize, SIDE as usize));
    }
}

#[test]
fn ten_thousand_frames_of_masks_are_freed() {
    common::init().unwrap();
    for n in 0..500 {
        frame(n);
    }
    let start = rss_kib();
    for n in 500..FRAMES {
        frame(n);
    }
    let end = rss_kib();
    let grown = end.saturating_sub(start);
    let leak_would_be = (FRAMES - 500) as u64 * OBJECTS as u64 * (SIDE * SIDE * 4) as u64 / 1024;
    println!("RSS {start} KiB after 500 frames, {end} KiB after {FRAMES}: grew {grown} KiB (a mask leak would add {leak_would_be} KiB)");
    assert!(grown < 16 * 1024, "resident memory grew {grown} KiB over {} frames of masks", FRAMES - 500);
}
