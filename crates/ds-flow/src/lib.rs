//! Dense optical flow between consecutive frames on DeepStream's NVOF block grid, on the CPU.
//!
//! The portable counterpart of the NVIDIA Optical Flow library behind `nvof` (DeepStream plugin
//! manual, Gst-nvof): [`FlowEstimator`] keeps the previous frame of one stream and, for each
//! new frame, computes OpenCV's DIS dense optical flow (Kroeger et al. 2016, `cv::DISOpticalFlow`)
//! and averages it over blocks of [`GridSize`] (4x4 pixels, nvof's only grid), giving one
//! [`FlowVector`] per block as NVOF emits them:
//!
//! - grid: `rows = ceil(height / 4)`, `cols = ceil(width / 4)`, row-major, block `(r, c)`
//!   covering pixels `[4r, 4r + 4) x [4c, 4c + 4)` (clipped at the frame's edge);
//! - vector: the motion of the block's content from the previous frame to this one, in pixels
//!   (`x` right, `y` down: content that moved right has `flowx > 0`), as S10.5 fixed point
//!   (`i16`, 1/32 pixel: `flowx = round(32 * dx)`, clamped to the `i16` range), the
//!   `NvOFFlowVector` format;
//! - the first frame of a stream (no previous frame) gets zero vectors.
//!
//! Internally the flow is computed from this frame back to the previous one (so that it lies
//! on this frame's grid) and negated.
//!
//! Presets ([`Preset`], nvof's `preset-level`): `Fast` is DIS's FAST preset, `Medium` DIS's
//! MEDIUM, `Slow` DIS's MEDIUM refined down to full resolution (finest scale 0).
//!
//! ```no_run
//! use ds_flow::{FlowEstimator, Preset};
//! let (w, h) = (640, 480);
//! let mut est = FlowEstimator::new(Preset::Fast).unwrap();
//! let frame0 = vec![0u8; w * h];
//! let frame1 = vec![0u8; w * h];
//! let _ = est.push_gray(&frame0, w, h).unwrap(); // zeros
//! let grid = est.push_gray(&frame1, w, h).unwrap();
//! assert_eq!((grid.rows, grid.cols), (120, 160));
//! ```

#![warn(missing_docs)]

use opencv::core::{Mat, Vec2f};
use opencv::prelude::*;
use opencv::video;

/// Fixed-point scale of [`FlowVector`]: S10.5, 32 units per pixel.
pub const FIXED_POINT_SCALE: f32 = 32.0;

/// Errors of the flow computation.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The frame's size or buffer does not fit.
    #[error("bad frame: {0}")]
    BadFrame(String),
    /// OpenCV failed.
    #[error("OpenCV: {0}")]
    OpenCv(#[from] opencv::Error),
}

/// nvof's `preset-level` (`NV_OF_PERF_LEVEL_*`): speed against quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// 0, `NV_OF_PERF_LEVEL_FAST` (nvof's default): DIS FAST.
    #[default]
    Fast,
    /// 1, `NV_OF_PERF_LEVEL_MEDIUM`: DIS MEDIUM.
    Medium,
    /// 2, `NV_OF_PERF_LEVEL_SLOW`: DIS MEDIUM down to full resolution.
    Slow,
}

/// nvof's `grid-size`: the block size of the vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GridSize {
    /// 0, `NVOF_GRID_SIZE_4x4` (nvof's only and default grid).
    #[default]
    Grid4x4,
}

impl GridSize {
    /// Block side in pixels.
    pub fn block(self) -> usize {
        match self {
            GridSize::Grid4x4 => 4,
        }
    }
}

/// One block's motion (`NvOFFlowVector`): S10.5 fixed point, 1/32 pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowVector {
    /// Horizontal motion × 32 (right is positive).
    pub flowx: i16,
    /// Vertical motion × 32 (down is positive).
    pub flowy: i16,
}

impl FlowVector {
    /// The motion in pixels `(dx, dy)`.
    pub fn pixels(self) -> (f32, f32) {
        (self.flowx as f32 / FIXED_POINT_SCALE, self.flowy as f32 / FIXED_POINT_SCALE)
    }
}

/// The flow of one frame on the block grid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowGrid {
    /// Block rows, `ceil(height / block)`.
    pub rows: usize,
    /// Block columns, `ceil(width / block)`.
    pub cols: usize,
    /// Block side in pixels.
    pub block: usize,
    /// `rows * cols` vectors, row-major.
    pub vectors: Vec<FlowVector>,
}

impl FlowGrid {
    /// A grid of zero vectors for a `width` x `height` frame.
    pub fn zeros(width: usize, height: usize, grid: GridSize) -> FlowGrid {
        let b = grid.block();
        let (rows, cols) = (height.div_ceil(b), width.div_ceil(b));
        FlowGrid { rows, cols, block: b, vectors: vec![FlowVector::default(); rows * cols] }
    }

    /// The vector of block `(row, col)`.
    pub fn at(&self, row: usize, col: usize) -> FlowVector {
        self.vectors[row * self.cols + col]
    }

    /// Mean motion in pixels over the blocks whose centres lie in the pixel rectangle
    /// `x, y, w, h`; `None` when no block centre is inside.
    pub fn mean_in(&self, x: f32, y: f32, w: f32, h: f32) -> Option<(f32, f32)> {
        let (mut sx, mut sy, mut n) = (0f64, 0f64, 0usize);
        for r in 0..self.rows {
            let cy = (r * self.block) as f32 + self.block as f32 / 2.0;
            if cy < y || cy >= y + h {
                continue;
            }
            for c in 0..self.cols {
                let cx = (c * self.block) as f32 + self.block as f32 / 2.0;
                if cx < x || cx >= x + w {
                    continue;
                }
                let (dx, dy) = self.at(r, c).pixels();
                sx += dx as f64;
                sy += dy as f64;
                n += 1;
            }
        }
        (n > 0).then(|| ((sx / n as f64) as f32, (sy / n as f64) as f32))
    }
}

/// Dense flow of one stream: give it the stream's frames in order.
pub struct FlowEstimator {
    dis: opencv::core::Ptr<video::DISOpticalFlow>,
    grid: GridSize,
    prev: Option<(Mat, usize, usize)>,
}

impl FlowEstimator {
    /// An estimator with `preset` on the 4x4 grid.
    ///
    /// Errors: OpenCV cannot create the DIS estimator.
    pub fn new(preset: Preset) -> Result<FlowEstimator, FlowError> {
        let p = match preset {
            Preset::Fast => video::DISOpticalFlow_PRESET_FAST,
            Preset::Medium | Preset::Slow => video::DISOpticalFlow_PRESET_MEDIUM,
        };
        let mut dis = video::DISOpticalFlow::create(p)?;
        if preset == Preset::Slow {
            dis.set_finest_scale(0)?;
        }
        Ok(FlowEstimator { dis, grid: GridSize::Grid4x4, prev: None })
    }

    /// Forgets the previous frame (the next frame gets zero vectors), e.g. after a seek or a
    /// stream's restart.
    pub fn reset(&mut self) {
        self.prev = None;
    }

    /// Takes the next frame as 8-bit grey (`width * height` bytes, rows without padding) and
    /// returns its flow from the previous frame; zeros for the first frame or after a size
    /// change.
    ///
    /// Errors: `gray` is not `width * height` bytes, a size is 0, or OpenCV fails.
    pub fn push_gray(&mut self, gray: &[u8], width: usize, height: usize) -> Result<FlowGrid, FlowError> {
        if width == 0 || height == 0 || gray.len() != width * height {
            return Err(FlowError::BadFrame(format!(
                "{} bytes for a {width}x{height} grey frame",
                gray.len()
            )));
        }
        let cur = Mat::new_rows_cols_with_data(height as i32, width as i32, gray)?.try_clone()?;
        let out = match &self.prev {
            Some((prev, pw, ph)) if *pw == width && *ph == height => {
                let mut flow = Mat::default();
                // From this frame back to the previous one: on this frame's grid.
                self.dis.calc(&cur, prev, &mut flow)?;
                self.blocks(&flow, width, height)?
            }
            _ => FlowGrid::zeros(width, height, self.grid),
        };
        self.prev = Some((cur, width, height));
        Ok(out)
    }

    /// Averages the per-pixel backward flow over the blocks, negated (motion from the
    /// previous frame to this one), in S10.5.
    fn blocks(&self, flow: &Mat, width: usize, height: usize) -> Result<FlowGrid, FlowError> {
        let data: &[Vec2f] = flow.data_typed::<Vec2f>()?;
        let mut g = FlowGrid::zeros(width, height, self.grid);
        let b = g.block;
        for r in 0..g.rows {
            for c in 0..g.cols {
                let (mut sx, mut sy, mut n) = (0f32, 0f32, 0f32);
                for y in r * b..((r + 1) * b).min(height) {
                    for x in c * b..((c + 1) * b).min(width) {
                        let v = data[y * width + x];
                        sx += v[0];
                        sy += v[1];
                        n += 1.0;
                    }
                }
                let fix = |v: f32| (-v / n * FIXED_POINT_SCALE).round().clamp(i16::MIN as f32, i16::MAX as f32) as i16;
                g.vectors[r * g.cols + c] = FlowVector { flowx: fix(sx), flowy: fix(sy) };
            }
        }
        Ok(g)
    }
}

/// RGBA (or RGBx/BGRA...: the first three bytes of each pixel as R, G, B) to 8-bit grey
/// with BT.601 weights, for [`FlowEstimator::push_gray`]; `stride` is the row size in bytes.
pub fn rgba_to_gray(rgba: &[u8], width: usize, height: usize, stride: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(width * height);
    for y in 0..height {
        let row = &rgba[y * stride..y * stride + width * 4];
        out.extend(row.chunks_exact(4).map(|p| {
            ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8) as u8
        }));
    }
    out
}

/// The Middlebury colour wheel (Baker et al., "A Database and Evaluation Methodology for
/// Optical Flow", 2011): 55 hues, red → yellow → green → cyan → blue → magenta → red.
fn color_wheel() -> Vec<[f32; 3]> {
    let (ry, yg, gc, cb, bm, mr) = (15, 6, 4, 11, 13, 6);
    let mut w = Vec::with_capacity(55);
    for i in 0..ry {
        w.push([255.0, 255.0 * i as f32 / ry as f32, 0.0]);
    }
    for i in 0..yg {
        w.push([255.0 - 255.0 * i as f32 / yg as f32, 255.0, 0.0]);
    }
    for i in 0..gc {
        w.push([0.0, 255.0, 255.0 * i as f32 / gc as f32]);
    }
    for i in 0..cb {
        w.push([0.0, 255.0 - 255.0 * i as f32 / cb as f32, 255.0]);
    }
    for i in 0..bm {
        w.push([255.0 * i as f32 / bm as f32, 0.0, 255.0]);
    }
    for i in 0..mr {
        w.push([255.0, 0.0, 255.0 - 255.0 * i as f32 / mr as f32]);
    }
    w
}

/// The colour coding of nvofvisual's picture: each block's vector as an RGB colour on the
/// Middlebury colour wheel, the hue giving the direction and the saturation the magnitude
/// relative to the largest of the frame (at least `min_scale` pixels, so that a still frame's
/// noise stays near white); zero motion is white.
pub fn colorize(grid: &FlowGrid, min_scale: f32) -> Vec<[u8; 3]> {
    let wheel = color_wheel();
    let n = wheel.len() as f32;
    let max = grid
        .vectors
        .iter()
        .map(|v| {
            let (x, y) = v.pixels();
            (x * x + y * y).sqrt()
        })
        .fold(min_scale.max(1e-3), f32::max);
    grid.vectors
        .iter()
        .map(|v| {
            let (x, y) = v.pixels();
            let (u, w) = (x / max, y / max);
            let rad = (u * u + w * w).sqrt().min(1.0);
            let a = (-w).atan2(-u) / std::f32::consts::PI;
            let fk = (a + 1.0) / 2.0 * (n - 1.0);
            let k0 = fk.floor() as usize % wheel.len();
            let k1 = (k0 + 1) % wheel.len();
            let f = fk - fk.floor();
            let mut rgb = [0u8; 3];
            for c in 0..3 {
                let col = ((1.0 - f) * wheel[k0][c] + f * wheel[k1][c]) / 255.0;
                rgb[c] = (255.0 * (1.0 - rad * (1.0 - col))).round() as u8;
            }
            rgb
        })
        .collect()
}
