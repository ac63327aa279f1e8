//! The state estimators of NvMultiObjectTracker's `StateEstimator` group: constant-velocity
//! Kalman filters over the box, with one frame as the time step.
//!
//! - SIMPLE_BBOX_KF (`stateEstimatorType: 1`): 6 states {cx, cy, w, h, vx, vy}; process noise
//!   `diag(processNoiseVar4Loc ×2, processNoiseVar4Size ×2, processNoiseVar4Vel ×2)`;
//!   measurement noise `measurementNoiseVar4Detector` (pixels²) on {cx, cy, w, h}.
//! - REGULAR_BBOX_KF (`stateEstimatorType: 2`): 8 states {cx, cy, w|a, h, vx, vy, vw|va, vh},
//!   DeepSORT's model: noise standard deviations are `noiseWeightVar4Loc × h` (location) and
//!   `noiseWeightVar4Vel × h` (velocity); with `useAspectRatio` the state holds a = w/h with
//!   DeepSORT's fixed noise (1e-2, 1e-5, measurement 1e-1).

use crate::config::{StateEstimator, StateEstimatorType};
use crate::geometry::BBox;

type Vector = Vec<f64>;

/// A dense row-major matrix of `n × m` (small: at most 8 × 8).
#[derive(Debug, Clone)]
struct Mat {
    n: usize,
    m: usize,
    a: Vec<f64>,
}

impl Mat {
    fn zeros(n: usize, m: usize) -> Mat {
        Mat {
            n,
            m,
            a: vec![0.0; n * m],
        }
    }
    fn diag(d: &[f64]) -> Mat {
        let mut r = Mat::zeros(d.len(), d.len());
        for (i, v) in d.iter().enumerate() {
            r.a[i * d.len() + i] = *v;
        }
        r
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.m + j]
    }
    fn set(&mut self, i: usize, j: usize, v: f64) {
        self.a[i * self.m + j] = v;
    }
    fn mul(&self, o: &Mat) -> Mat {
        let mut r = Mat::zeros(self.n, o.m);
        for i in 0..self.n {
            for k in 0..self.m {
                let x = self.at(i, k);
                if x == 0.0 {
                    continue;
                }
                for j in 0..o.m {
                    r.a[i * o.m + j] += x * o.at(k, j);
                }
            }
        }
        r
    }
    fn t(&self) -> Mat {
        let mut r = Mat::zeros(self.m, self.n);
        for i in 0..self.n {
            for j in 0..self.m {
                r.set(j, i, self.at(i, j));
            }
        }
        r
    }
    fn add(&self, o: &Mat) -> Mat {
        Mat {
            n: self.n,
            m: self.m,
            a: self.a.iter().zip(&o.a).map(|(x, y)| x + y).collect(),
        }
    }
    fn mul_vec(&self, v: &[f64]) -> Vector {
        (0..self.n)
            .map(|i| (0..self.m).map(|j| self.at(i, j) * v[j]).sum())
            .collect()
    }
    /// Inverse by Gauss-Jordan with partial pivoting; `None` if singular.
    fn inverse(&self) -> Option<Mat> {
        let n = self.n;
        let mut a = self.clone();
        let mut inv = Mat::diag(&vec![1.0; n]);
        for c in 0..n {
            let p = (c..n).max_by(|&x, &y| a.at(x, c).abs().total_cmp(&a.at(y, c).abs()))?;
            if a.at(p, c).abs() < 1e-12 {
                return None;
            }
            for j in 0..n {
                a.a.swap(c * n + j, p * n + j);
                inv.a.swap(c * n + j, p * n + j);
            }
            let d = a.at(c, c);
            for j in 0..n {
                a.a[c * n + j] /= d;
                inv.a[c * n + j] /= d;
            }
            for r in 0..n {
                if r != c {
                    let f = a.at(r, c);
                    if f != 0.0 {
                        for j in 0..n {
                            a.a[r * n + j] -= f * a.at(c, j);
                            inv.a[r * n + j] -= f * inv.at(c, j);
                        }
                    }
                }
            }
        }
        Some(inv)
    }
}

/// A Kalman filter over one target's box.
#[derive(Debug, Clone)]
pub struct BoxFilter {
    params: StateEstimator,
    x: Vector,
    p: Mat,
}

impl BoxFilter {
    /// A filter started at `b` with zero velocity; `None` for `stateEstimatorType: 0`.
    pub fn new(params: &StateEstimator, b: &BBox) -> Option<BoxFilter> {
        let n = match params.kind {
            StateEstimatorType::None => return None,
            StateEstimatorType::Simple => 6,
            StateEstimatorType::Regular => 8,
        };
        let z = measure(params, b);
        let mut x = vec![0.0; n];
        x[..4].copy_from_slice(&z);
        let h = (b.height as f64).max(1.0);
        let p = match params.kind {
            StateEstimatorType::Simple => {
                let r = params.measurement_noise_var_detector as f64;
                let v = 10.0 * params.process_noise_var_vel as f64;
                Mat::diag(&[r, r, r, r, v, v])
            }
            _ => {
                let (sp, sv) = (
                    params.noise_weight_loc as f64 * h,
                    params.noise_weight_vel as f64 * h,
                );
                let (a0, a1) = if params.use_aspect_ratio {
                    (1e-2, 1e-5)
                } else {
                    (2.0 * sp, 10.0 * sv)
                };
                let s = [
                    2.0 * sp,
                    2.0 * sp,
                    a0,
                    2.0 * sp,
                    10.0 * sv,
                    10.0 * sv,
                    a1,
                    10.0 * sv,
                ];
                Mat::diag(&s.map(|v| v * v))
            }
        };
        Some(BoxFilter {
            params: params.clone(),
            x,
            p,
        })
    }

    fn n(&self) -> usize {
        self.x.len()
    }

    fn transition(&self) -> Mat {
        let n = self.n();
        let mut f = Mat::diag(&vec![1.0; n]);
        if n == 6 {
            f.set(0, 4, 1.0);
            f.set(1, 5, 1.0);
        } else {
            for i in 0..4 {
                f.set(i, i + 4, 1.0);
            }
        }
        f
    }

    fn observation(&self) -> Mat {
        let mut h = Mat::zeros(4, self.n());
        for i in 0..4 {
            h.set(i, i, 1.0);
        }
        h
    }

    fn height(&self) -> f64 {
        self.x[3].max(1.0)
    }

    /// Predicts one frame ahead (x = F x, P = F P Fᵀ + Q).
    pub fn predict(&mut self) {
        let f = self.transition();
        let q = match self.n() {
            6 => {
                let s = &self.params;
                let (l, z, v) = (
                    s.process_noise_var_loc as f64,
                    s.process_noise_var_size as f64,
                    s.process_noise_var_vel as f64,
                );
                Mat::diag(&[l, l, z, z, v, v])
            }
            _ => {
                let h = self.height();
                let (sp, sv) = (
                    self.params.noise_weight_loc as f64 * h,
                    self.params.noise_weight_vel as f64 * h,
                );
                let (a0, a1) = if self.params.use_aspect_ratio {
                    (1e-2, 1e-5)
                } else {
                    (sp, sv)
                };
                Mat::diag(&[sp, sp, a0, sp, sv, sv, a1, sv].map(|v| v * v))
            }
        };
        self.x = f.mul_vec(&self.x);
        self.p = f.mul(&self.p).mul(&f.t()).add(&q);
        // a box cannot shrink below one pixel
        self.x[3] = self.x[3].max(1.0);
        if !(self.n() == 8 && self.params.use_aspect_ratio) {
            self.x[2] = self.x[2].max(1.0);
        }
    }

    fn measurement_noise(&self, var_override: Option<f64>) -> Mat {
        match (self.n(), var_override) {
            (6, Some(v)) => Mat::diag(&[v; 4]),
            (6, None) => Mat::diag(&[self.params.measurement_noise_var_detector as f64; 4]),
            _ => {
                let sp = self.params.noise_weight_loc as f64 * self.height();
                let a = if self.params.use_aspect_ratio {
                    1e-1
                } else {
                    sp
                };
                Mat::diag(&[sp, sp, a, sp].map(|v| v * v))
            }
        }
    }

    /// Innovation covariance S = H P Hᵀ + R and innovation y = z − H x.
    fn innovation(&self, b: &BBox, var_override: Option<f64>) -> (Mat, Vector) {
        let h = self.observation();
        let s = h
            .mul(&self.p)
            .mul(&h.t())
            .add(&self.measurement_noise(var_override));
        let z = measure(&self.params, b);
        let hx = h.mul_vec(&self.x);
        (s, z.iter().zip(&hx).map(|(a, b)| a - b).collect())
    }

    /// Corrects with a measured box: a detection (`measurementNoiseVar4Detector`) or, with
    /// `tracker_measurement`, the visual tracker's box (`measurementNoiseVar4Tracker`).
    pub fn update(&mut self, b: &BBox, tracker_measurement: bool) {
        let var = tracker_measurement.then_some(self.params.measurement_noise_var_tracker as f64);
        let (s, y) = self.innovation(b, var);
        let Some(si) = s.inverse() else { return };
        let h = self.observation();
        let k = self.p.mul(&h.t()).mul(&si);
        let dx = k.mul_vec(&y);
        for (x, d) in self.x.iter_mut().zip(dx) {
            *x += d;
        }
        let kh = k.mul(&h);
        let n = self.n();
        let mut ikh = Mat::diag(&vec![1.0; n]);
        for i in 0..n * n {
            ikh.a[i] -= kh.a[i];
        }
        self.p = ikh.mul(&self.p);
    }

    /// Squared Mahalanobis distance of a detection box from the predicted box (DeepSORT's
    /// gating distance, on the 4 measured values).
    pub fn mahalanobis2(&self, b: &BBox) -> f32 {
        let (s, y) = self.innovation(b, None);
        match s.inverse() {
            Some(si) => {
                let t = si.mul_vec(&y);
                y.iter().zip(&t).map(|(a, b)| a * b).sum::<f64>() as f32
            }
            None => f32::INFINITY,
        }
    }

    /// The box of the current state.
    pub fn bbox(&self) -> BBox {
        let (cx, cy, h) = (self.x[0], self.x[1], self.x[3]);
        let w = if self.n() == 8 && self.params.use_aspect_ratio {
            self.x[2] * h
        } else {
            self.x[2]
        };
        BBox::from_center(cx as f32, cy as f32, w.max(1.0) as f32, h.max(1.0) as f32)
    }

    /// The velocity of the centre (pixels per frame).
    pub fn velocity(&self) -> (f32, f32) {
        (self.x[4] as f32, self.x[5] as f32)
    }
}

fn measure(params: &StateEstimator, b: &BBox) -> [f64; 4] {
    let (cx, cy) = b.center();
    let h = (b.height as f64).max(1.0);
    let w = if params.kind == StateEstimatorType::Regular && params.use_aspect_ratio {
        b.width as f64 / h
    } else {
        b.width as f64
    };
    [cx as f64, cy as f64, w, h]
}
