//! The portable appearance cue standing in for NvDCF's correlation filter and NvDeepSORT's
//! ReID feature: joint RGB colour histograms (8 levels per channel, 512 bins) of the upper and
//! lower halves of the central part of a box (the middle 60 % of its width, 80 % of its
//! height, where the object is and the background is not; a person's top and trousers apart),
//! sampled on a grid of at most 24 × 24 pixels. Similarity is the Bhattacharyya coefficient
//! (1 = same colour distribution, 0 = disjoint), the mean of the two halves'.
//!
//! NvDCF's tracker confidence (its correlation response) is approximated by
//! [`Appearance::discriminative_similarity`]: how much more the box looks like the target
//! than like the background the target was seen against (a ring around its box).

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
    /// The histogram of `b` in `img` (its central part, upper and lower halves apart);
    /// `None` if the box has no pixel inside the frame or the image is smaller than its
    /// stated size.
    pub fn of(img: &RgbaImage, b: &BBox) -> Option<Appearance> {
        let (cx, cy) = b.center();
        let inner = BBox::from_center(cx, cy, b.width * 0.6, b.height * 0.8);
        Self::sample(img, &inner, None, cy)
    }

    /// The histogram of the ring around `b` (the box grown by half its size on each side,
    /// without the box): the background the target is seen against.
    pub fn around(img: &RgbaImage, b: &BBox) -> Option<Appearance> {
        let (cx, cy) = b.center();
        let outer = BBox::from_center(cx, cy, b.width * 2.0, b.height * 2.0);
        Self::sample(img, &outer, Some(b), cy)
    }

    /// Samples `region` (minus `hole`) on a grid; rows above `split_y` go to the first half
    /// of the histogram, the others to the second; each half sums to 0.5.
    fn sample(
        img: &RgbaImage,
        region: &BBox,
        hole: Option<&BBox>,
        split_y: f32,
    ) -> Option<Appearance> {
        if img.width == 0
            || img.height == 0
            || img.stride < img.width as usize * 4
            || img.data.len() < img.stride * img.height as usize
        {
            return None;
        }
        let c = region.clipped(img.width as f32, img.height as f32)?;
        let nx = (c.width as usize).clamp(1, GRID);
        let ny = (c.height as usize).clamp(1, GRID);
        let mut bins = vec![0f32; 2 * BINS];
        let shift = 8 - LEVELS.trailing_zeros();
        let mut totals = [0f32; 2];
        for j in 0..ny {
            let yf = c.top + (j as f32 + 0.5) * c.height / ny as f32;
            let y = (yf as usize).min(img.height as usize - 1);
            let row = &img.data[y * img.stride..];
            let part = usize::from(yf >= split_y);
            for i in 0..nx {
                let xf = c.left + (i as f32 + 0.5) * c.width / nx as f32;
                if hole.is_some_and(|h| {
                    xf >= h.left && xf < h.right() && yf >= h.top && yf < h.bottom()
                }) {
                    continue;
                }
                let x = (xf as usize).min(img.width as usize - 1);
                let p = &row[x * 4..x * 4 + 3];
                let (r, g, bl) = (
                    (p[0] >> shift) as usize,
                    (p[1] >> shift) as usize,
                    (p[2] >> shift) as usize,
                );
                bins[part * BINS + (r * LEVELS + g) * LEVELS + bl] += 1.0;
                totals[part] += 1.0;
            }
        }
        match totals {
            [0.0, 0.0] => return None,
            // a half outside the frame looks like the other half
            [0.0, _] => bins.copy_within(BINS.., 0),
            [_, 0.0] => bins.copy_within(..BINS, BINS),
            _ => {}
        }
        let totals = totals.map(|t| if t == 0.0 { totals[0] + totals[1] } else { t });
        for (part, t) in totals.iter().enumerate() {
            for v in &mut bins[part * BINS..(part + 1) * BINS] {
                *v /= 2.0 * t;
            }
        }
        Some(Appearance::from_bins(bins))
    }

    /// How much more `candidate` looks like this target than like its `background`
    /// (0 ..= 1): 1 when it has the target's colours, 0 when it looks like the background
    /// (what a correlation filter's response tells apart: the object, not its surroundings).
    pub fn discriminative_similarity(
        &self,
        background: &Appearance,
        candidate: &Appearance,
    ) -> f32 {
        let (s_fg, s_bg) = (self.similarity(candidate), background.similarity(candidate));
        let contrast = 1.0 - self.similarity(background);
        if contrast <= 1e-3 {
            return s_fg;
        }
        ((s_fg - s_bg) / contrast).clamp(0.0, 1.0)
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
