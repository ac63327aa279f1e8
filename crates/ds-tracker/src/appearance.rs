//! The portable appearance cue standing in for NvDCF's correlation filter and NvDeepSORT's
//! ReID feature: a joint RGB colour histogram (8 levels per channel, 512 bins) of the central
//! part of a box (the middle 60 % of its width, 80 % of its height, where the object is and
//! the background is not), sampled on a grid of at most 24 × 24 pixels. Similarity is the
//! Bhattacharyya coefficient (1 = same colour distribution, 0 = disjoint).

use crate::geometry::BBox;

/// Bins per colour channel.
const LEVELS: usize = 8;
/// Histogram size.
pub const BINS: usize = LEVELS * LEVELS * LEVELS;
/// Grid of samples per axis, at most.
const GRID: usize = 24;

/// A borrowed RGBA frame (tightly packed or with a row stride), as the portable batch carries.
#[derive(Debug, Clone, Copy)]
pub struct RgbaImage<'a> {
    /// The pixels, `stride` bytes per row, 4 bytes per pixel (R, G, B, A).
    pub data: &'a [u8],
    /// Width (pixels).
    pub width: u32,
    /// Height (pixels).
    pub height: u32,
    /// Bytes per row (≥ 4 × width).
    pub stride: usize,
}

/// A normalised histogram, stored as the square roots of the bin frequencies (so the
/// Bhattacharyya coefficient is a dot product).
#[derive(Debug, Clone, PartialEq)]
pub struct Appearance {
    sqrt_bins: Vec<f32>,
    bins: Vec<f32>,
}

impl Appearance {
    /// The histogram of `b` in `img`; `None` if the box has no pixel inside the frame or the
    /// image is smaller than its stated size.
    pub fn of(img: &RgbaImage, b: &BBox) -> Option<Appearance> {
        if img.stride < img.width as usize * 4 || img.data.len() < img.stride * img.height as usize
        {
            return None;
        }
        let inner = BBox::from_center(b.center().0, b.center().1, b.width * 0.6, b.height * 0.8);
        let c = inner.clipped(img.width as f32, img.height as f32)?;
        let nx = (c.width as usize).clamp(1, GRID);
        let ny = (c.height as usize).clamp(1, GRID);
        let mut bins = vec![0f32; BINS];
        let shift = 8 - LEVELS.trailing_zeros();
        for j in 0..ny {
            let y = (c.top + (j as f32 + 0.5) * c.height / ny as f32) as usize;
            let y = y.min(img.height as usize - 1);
            let row = &img.data[y * img.stride..];
            for i in 0..nx {
                let x = (c.left + (i as f32 + 0.5) * c.width / nx as f32) as usize;
                let x = x.min(img.width as usize - 1);
                let p = &row[x * 4..x * 4 + 3];
                let (r, g, bl) = (
                    (p[0] >> shift) as usize,
                    (p[1] >> shift) as usize,
                    (p[2] >> shift) as usize,
                );
                bins[(r * LEVELS + g) * LEVELS + bl] += 1.0;
            }
        }
        let total = (nx * ny) as f32;
        for v in &mut bins {
            *v /= total;
        }
        Some(Appearance::from_bins(bins))
    }

    fn from_bins(bins: Vec<f32>) -> Appearance {
        let sqrt_bins = bins.iter().map(|v| v.sqrt()).collect();
        Appearance { sqrt_bins, bins }
    }

    /// Bhattacharyya coefficient with `o` (0 ..= 1).
    pub fn similarity(&self, o: &Appearance) -> f32 {
        self.sqrt_bins
            .iter()
            .zip(&o.sqrt_bins)
            .map(|(a, b)| a * b)
            .sum::<f32>()
            .clamp(0.0, 1.0)
    }

    /// Moves the template towards `o` by `lr` (NvDCF's `filterLr` as an exponential moving
    /// average).
    pub fn learn(&mut self, o: &Appearance, lr: f32) {
        let bins = self
            .bins
            .iter()
            .zip(&o.bins)
            .map(|(a, b)| (1.0 - lr) * a + lr * b)
            .collect();
        *self = Appearance::from_bins(bins);
    }
}
