//! The samples' per-stream FPS counter (`common/FPS.py`: `PERF_DATA`, `GETFPS`).
//!
//! Call [`PerfData::update_fps`] once per frame (e.g. from a probe, with
//! `"stream{pad_index}"`), and [`PerfData::start_printing`] to print every 5 s, like the
//! Python samples:
//!
//! ```text
//!
//! **PERF:  {'stream0': 29.97, 'stream1': 30.0}
//!
//! ```
//! The first frame of each stream starts its clock and is not counted, as in `GETFPS`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct StreamFps {
    start: Instant,
    first: bool,
    frames: u64,
}

/// Per-stream frame counters, shared between probes and the printing timer.
#[derive(Debug, Clone)]
pub struct PerfData {
    streams: Arc<Mutex<Vec<StreamFps>>>,
}

impl PerfData {
    /// Counters for `num_streams` streams, `stream0` .. `stream<N-1>`.
    pub fn new(num_streams: usize) -> PerfData {
        let now = Instant::now();
        PerfData {
            streams: Arc::new(Mutex::new(
                (0..num_streams).map(|_| StreamFps { start: now, first: true, frames: 0 }).collect(),
            )),
        }
    }

    /// Counts one frame of stream `index` (the frame meta's `pad_index`). Streams beyond the
    /// ones given to [`PerfData::new`] are added.
    pub fn update_fps(&self, index: usize) {
        let mut s = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        while s.len() <= index {
            s.push(StreamFps { start: Instant::now(), first: true, frames: 0 });
        }
        let st = &mut s[index];
        if st.first {
            st.first = false;
            st.start = Instant::now();
        } else {
            st.frames += 1;
        }
    }

    /// Frames per second of each stream since the last call, rounded to 2 decimals; resets.
    pub fn get_fps(&self) -> Vec<f64> {
        let mut s = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        s.iter_mut()
            .map(|st| {
                let secs = now.duration_since(st.start).as_secs_f64();
                let fps = if secs > 0.0 { st.frames as f64 / secs } else { 0.0 };
                st.frames = 0;
                st.start = now;
                (fps * 100.0).round() / 100.0
            })
            .collect()
    }

    /// The `**PERF:  {...} ` line (without the surrounding blank lines).
    pub fn perf_line(&self) -> String {
        let items: Vec<String> = self
            .get_fps()
            .iter()
            .enumerate()
            .map(|(i, f)| format!("'stream{i}': {}", python_float(*f)))
            .collect();
        format!("**PERF:  {{{}}} ", items.join(", "))
    }

    /// Prints [`PerfData::perf_line`] every `period` (the samples use 5 s) on the default
    /// main context, until the returned source is removed or the loop ends.
    pub fn start_printing(&self, period: Duration) -> glib::SourceId {
        let this = self.clone();
        glib::timeout_add(period, move || {
            println!("\n{}\n", this.perf_line());
            glib::ControlFlow::Continue
        })
    }
}

/// Formats like Python's `repr(float)`: `30.0`, `29.97`.
fn python_float(f: f64) -> String {
    if f.fract() == 0.0 { format!("{f:.1}") } else { format!("{f}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_frame_starts_the_clock_and_is_not_counted() {
        let p = PerfData::new(2);
        p.update_fps(0);
        std::thread::sleep(Duration::from_millis(50));
        for _ in 0..5 {
            p.update_fps(0);
        }
        // 6 frames seen, 5 counted: the first one only started the clock
        assert_eq!(p.streams.lock().unwrap()[0].frames, 5);
        let fps = p.get_fps();
        assert_eq!(fps.len(), 2);
        // 5 frames in at least 50 ms
        assert!(fps[0] > 0.0 && fps[0] <= 100.0, "{fps:?}");
        assert_eq!(fps[1], 0.0);
        // get_fps resets the count
        assert_eq!(p.streams.lock().unwrap()[0].frames, 0);
    }

    #[test]
    fn line_has_the_python_format() {
        let p = PerfData::new(2);
        let line = p.perf_line();
        assert_eq!(line, "**PERF:  {'stream0': 0.0, 'stream1': 0.0} ");
        assert_eq!(python_float(29.97), "29.97");
    }
}
