//! Image access on a portable batch buffer (docs/batch-format.md).

use ds_meta::{BatchMeta, Error, get_nvds_buf_surface, get_nvds_buf_surface_mut};

const W: usize = 8;
const H: usize = 6;

/// A batch of `n` RGBA frames; pixel (y, x) of frame i has R = i, G = y, B = x, A = 255.
fn batch(n: u32) -> gst::Buffer {
    let mut buf = gst::Buffer::new();
    {
        let b = buf.get_mut().unwrap();
        for i in 0..n {
            let mut data = vec![0u8; W * H * 4];
            for y in 0..H {
                for x in 0..W {
                    data[(y * W + x) * 4..][..4].copy_from_slice(&[i as u8, y as u8, x as u8, 255]);
                }
            }
            b.append_memory(gst::Memory::from_mut_slice(data));
        }
        let bm = BatchMeta::attach(b, n).unwrap();
        for _ in 0..n {
            let f = bm.add_frame_meta().unwrap();
            f.set_pipeline_width(W as u32);
            f.set_pipeline_height(H as u32);
        }
    }
    buf
}

#[test]
fn frames_read_as_hw4_views() {
    ds_meta::init().unwrap();
    let buf = batch(2);
    for i in 0..2u32 {
        let img = get_nvds_buf_surface(&buf, i).unwrap();
        let v = img.view();
        assert_eq!(v.shape(), &[H, W, 4]);
        assert_eq!((img.width(), img.height()), (W, H));
        assert_eq!(v[[3, 5, 0]], i as u8);
        assert_eq!(v[[3, 5, 1]], 3);
        assert_eq!(v[[3, 5, 2]], 5);
        assert_eq!(v[[3, 5, 3]], 255);
    }
}

#[test]
fn writes_land_in_the_buffer_and_only_there() {
    ds_meta::init().unwrap();
    let mut buf = batch(2);
    let shared = buf.clone(); // another reference: make_mut copies
    {
        let b = buf.make_mut();
        let mut img = get_nvds_buf_surface_mut(b, 1).unwrap();
        let mut v = img.view_mut();
        v.slice_mut(ndarray::s![0..2, .., 0..3]).fill(0); // blacken two rows
        assert_eq!(img.view()[[1, 7, 1]], 0);
    } // unmapped here
    let img = get_nvds_buf_surface(&buf, 1).unwrap();
    assert_eq!(img.view()[[1, 7, 2]], 0);
    assert_eq!(img.view()[[2, 7, 2]], 7);
    assert_eq!(get_nvds_buf_surface(&shared, 1).unwrap().view()[[1, 7, 2]], 7, "the other buffer is unchanged");
    assert_eq!(get_nvds_buf_surface(&buf, 0).unwrap().view()[[1, 7, 2]], 7, "other frame unchanged");
}

#[test]
fn errors_name_what_is_missing() {
    ds_meta::init().unwrap();
    let plain = gst::Buffer::with_size(W * H * 4).unwrap();
    assert!(matches!(get_nvds_buf_surface(&plain, 0), Err(Error::NoBatchMeta)));

    let buf = batch(2);
    let e = get_nvds_buf_surface(&buf, 2).err().unwrap();
    assert!(matches!(e, Error::NoSuchFrame { batch_id: 2, num_frames: 2 }), "{e}");

    // Frame meta without the frame size.
    let mut buf = gst::Buffer::with_size(W * H * 4).unwrap();
    BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap().add_frame_meta().unwrap();
    let e = get_nvds_buf_surface(&buf, 0).err().unwrap();
    assert!(e.to_string().contains("pipeline_width"), "{e}");

    // Memory too small for the announced size.
    let mut buf = gst::Buffer::with_size(10).unwrap();
    let f = BatchMeta::attach(buf.get_mut().unwrap(), 1).unwrap().add_frame_meta().unwrap();
    f.set_pipeline_width(W as u32);
    f.set_pipeline_height(H as u32);
    let e = get_nvds_buf_surface(&buf, 0).err().unwrap();
    assert!(e.to_string().contains("holds 10 bytes"), "{e}");

    // Frame 1 announced, but only one memory.
    let mut buf = gst::Buffer::with_size(W * H * 4).unwrap();
    let bm = BatchMeta::attach(buf.get_mut().unwrap(), 2).unwrap();
    for _ in 0..2 {
        let f = bm.add_frame_meta().unwrap();
        f.set_pipeline_width(W as u32);
        f.set_pipeline_height(H as u32);
    }
    let e = get_nvds_buf_surface(&buf, 1).err().unwrap();
    assert!(e.to_string().contains("needs memory 1"), "{e}");
}

#[test]
fn frame_access_is_the_host_view_on_the_portable_backend() {
    ds_meta::init().unwrap();
    let mut buf = batch(2);
    let b = buf.make_mut();
    match ds_meta::frame_access(b, 1).unwrap() {
        ds_meta::FrameAccess::Host(mut img) => {
            // The cupy sample's edit: R ← R / 2 + 0.5 (here R = 1 → 1, so write a known value).
            img.view_mut().slice_mut(ndarray::s![.., .., 0]).fill(200);
        }
        ds_meta::FrameAccess::Device(_) => panic!("a portable batch is in host memory"),
    }
    assert_eq!(get_nvds_buf_surface(&buf, 1).unwrap().view()[[5, 7, 0]], 200);
    assert_eq!(get_nvds_buf_surface(&buf, 0).unwrap().view()[[5, 7, 0]], 0, "frame 0 untouched");

    // No device view of host memory, and batch ids past the batch are errors, not crashes.
    let e = ds_meta::get_nvds_buf_surface_gpu(buf.make_mut(), 0).err().unwrap();
    assert!(e.to_string().contains("host memory"), "{e}");
    let e = ds_meta::frame_access(buf.make_mut(), 2).err().unwrap();
    assert!(matches!(e, Error::NoSuchFrame { batch_id: 2, num_frames: 2 }), "{e}");
}
