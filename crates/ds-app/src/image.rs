//! Writing pictures the samples save (`cv2.imwrite` in the Python samples): class maps,
//! flow renderings, crops.

use std::path::Path;

use anyhow::{Context as _, bail};

/// Writes `rgb` (`width` x `height` pixels, 3 bytes each, rows without padding) as a JPEG
/// file at `path` (GStreamer's `jpegenc`, default quality 85), as `cv2.imwrite(path, img)`
/// does in the Python samples (their arrays are BGR; this one is RGB).
///
/// Errors: `rgb` has the wrong length, the encoder is missing (gst-plugins-good), or the file
/// cannot be written (the message names it).
pub fn write_jpeg_rgb(path: &Path, width: u32, height: u32, rgb: &[u8]) -> anyhow::Result<()> {
    let row = width as usize * 3;
    if rgb.len() != row * height as usize {
        bail!("write_jpeg_rgb {}: {} bytes for {width}x{height} RGB, expected {}", path.display(), rgb.len(), row * height as usize);
    }
    // RGB rows in GStreamer are padded to 4 bytes.
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgb, width, height)
        .fps(gst::Fraction::new(1, 1))
        .build()
        .context("RGB video info")?;
    let stride = info.stride()[0] as usize;
    let mut data = vec![0u8; info.size()];
    for (y, src) in rgb.chunks_exact(row).enumerate() {
        data[y * stride..y * stride + row].copy_from_slice(src);
    }
    let caps = info.to_caps().context("RGB caps")?;
    let sample = gst::Sample::builder().buffer(&gst::Buffer::from_mut_slice(data)).caps(&caps).build();
    let jpeg_caps = gst::Caps::builder("image/jpeg").build();
    let jpeg = gst_video::convert_sample(&sample, &jpeg_caps, Some(gst::ClockTime::from_seconds(10)))
        .with_context(|| format!("encoding {} as JPEG (needs jpegenc, gstreamer1.0-plugins-good)", path.display()))?;
    let buffer = jpeg.buffer().context("JPEG encoder gave no buffer")?;
    let map = buffer.map_readable().context("mapping the JPEG")?;
    std::fs::write(path, map.as_slice()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
