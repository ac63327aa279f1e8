//! Helpers of the samples' integration tests (dev-dependency only): the checkout's paths,
//! running an app binary with a time bound (a hang fails the test instead of blocking CI),
//! and decoding what an app wrote.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use gst::prelude::*;

pub mod live;
pub mod servers;

/// The root of the checkout (where `streams/`, `models/` and `configs/` are).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("checkout root")
}

/// `streams/<name>`; fails the test with the fix when missing.
pub fn stream(name: &str) -> PathBuf {
    let p = root().join("streams").join(name);
    assert!(p.is_file(), "{} missing: run scripts/setup.sh", p.display());
    p
}

/// `file://` URI of `streams/<name>`.
pub fn stream_uri(name: &str) -> String {
    format!("file://{}", stream(name).display())
}

/// A path under `target/test-out/<app>/` (created), for a test's outputs.
pub fn out_path(app: &str, name: &str) -> PathBuf {
    let d = root().join("target/test-out").join(app);
    std::fs::create_dir_all(&d).expect("creating target/test-out");
    d.join(name)
}

/// The stack of every thread of process `pid`, from `gdb` where it is installed (what a
/// hung app was doing, for the failure message of a test); a note saying why not otherwise.
pub fn stacks(pid: u32) -> String {
    let out = std::process::Command::new("gdb")
        .args(["-p", &pid.to_string(), "-batch", "-nx", "-ex", "thread apply all bt 30"])
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with('#') || l.starts_with("Thread "))
            .collect::<Vec<_>>()
            .join("\n"),
        Ok(o) => format!("(gdb failed: {})", String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => format!("(no thread stacks: gdb not run: {e})"),
    }
}

/// Waits for `child` at most `limit`; kills it and fails the test when it hangs (with the
/// stacks of its threads, see [`stacks`]). Its piped
/// stdout and stderr are drained while it runs (an app that prints more than a pipe holds,
/// 64 KiB, would otherwise block on its next print and look hung).
pub fn wait(mut child: Child, limit: Duration, what: &str) -> Output {
    fn drain<R: std::io::Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break Ok(status);
        }
        if start.elapsed() > limit {
            let stacks = stacks(child.id());
            let _ = child.kill();
            let _ = child.wait();
            break Err(stacks);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        Ok(status) => Output { status, stdout, stderr },
        Err(stacks) => panic!(
            "{what}: still running after {limit:?} (hang)\nstdout:\n{}\nstderr:\n{}\nthreads:\n{stacks}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    }
}

/// The command for app binary `bin` with `args`, headless (no `DISPLAY`, no
/// `WAYLAND_DISPLAY`, no `DS_BACKEND`), stdout and stderr piped.
pub fn command(bin: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").env_remove("DS_BACKEND");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `bin` with `args` and `env` (see [`command`]) to its end, at most `limit`.
pub fn run(bin: &str, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let child = command(bin, args, env).spawn().expect("spawning the app");
    wait(child, limit, &format!("{bin} {args:?}"))
}

/// stdout and stderr as text.
pub fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A decoded RGBA frame: width, height, pixels (`width * height * 4` bytes).
#[derive(Debug, Clone)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGBA pixels, rows without padding.
    pub rgba: Vec<u8>,
}

impl Frame {
    /// Mean of each RGB channel over the rectangle `x, y, w, h`.
    pub fn mean_rgb(&self, x: u32, y: u32, w: u32, h: u32) -> [f64; 3] {
        let mut sum = [0f64; 3];
        let mut n = 0f64;
        for row in y..(y + h).min(self.height) {
            for col in x..(x + w).min(self.width) {
                let i = ((row * self.width + col) * 4) as usize;
                for (c, s) in sum.iter_mut().enumerate() {
                    *s += self.rgba[i + c] as f64;
                }
                n += 1.0;
            }
        }
        sum.map(|s| if n > 0.0 { s / n } else { 0.0 })
    }

    /// The rectangle `x, y, w, h` scaled to `gw` x `gh` grey values by block averaging.
    pub fn grey_thumbnail(&self, x: u32, y: u32, w: u32, h: u32, gw: u32, gh: u32) -> Vec<f64> {
        let mut out = Vec::with_capacity((gw * gh) as usize);
        for ty in 0..gh {
            for tx in 0..gw {
                let (x0, y0) = (x + tx * w / gw, y + ty * h / gh);
                let [r, g, b] = self.mean_rgb(x0, y0, (w / gw).max(1), (h / gh).max(1));
                out.push(0.299 * r + 0.587 * g + 0.114 * b);
            }
        }
        out
    }
}

/// Pearson correlation of two equally long series (0 when either is flat).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 { 0.0 } else { sab / (saa * sbb).sqrt() }
}

/// Decodes the video of any file GStreamer reads (`uridecodebin`) to RGBA: the number of
/// frames, and the frames whose index is in `keep`. Fails the test on a decoding error.
pub fn decode(path: &Path, keep: &[usize]) -> (usize, Vec<(usize, Frame)>) {
    gst::init().expect("gst init");
    let pipeline = gst::parse::launch(&format!(
        "uridecodebin uri=\"file://{}\" caps=video/x-raw ! videoconvert ! video/x-raw,format=RGBA ! appsink name=s sync=false",
        path.display()
    ))
    .expect("decode pipeline")
    .downcast::<gst::Pipeline>()
    .expect("pipeline");
    let sink = pipeline.by_name("s").expect("appsink").downcast::<gst_app::AppSink>().expect("appsink");
    pipeline.set_state(gst::State::Playing).expect("playing");
    let mut count = 0;
    let mut kept = Vec::new();
    while let Ok(sample) = sink.pull_sample() {
        if keep.contains(&count)
            && let Some(frame) = sample_to_frame(&sample)
        {
            kept.push((count, frame));
        }
        count += 1;
    }
    let errored = pipeline.bus().expect("bus").pop_filtered(&[gst::MessageType::Error]);
    pipeline.set_state(gst::State::Null).expect("null");
    assert!(errored.is_none(), "decoding {} failed: {errored:?}", path.display());
    (count, kept)
}

/// An RGBA sample (from an appsink after `videoconvert ! video/x-raw,format=RGBA`) as a
/// [`Frame`]; `None` when it has no caps, size or buffer.
pub fn sample_to_frame(sample: &gst::Sample) -> Option<Frame> {
    let caps = sample.caps()?;
    let s = caps.structure(0)?;
    let (w, h) = (s.get::<i32>("width").ok()? as u32, s.get::<i32>("height").ok()? as u32);
    let map = sample.buffer()?.map_readable().ok()?;
    // RGBA rows are 4-byte aligned already: the stride is the row size.
    let row = (w * 4) as usize;
    let rgba = map.as_slice().get(..row * h as usize)?.to_vec();
    Some(Frame { width: w, height: h, rgba })
}

/// Writes `frame` as a PNG (to look at a test's output).
pub fn write_png(path: &Path, frame: &Frame) {
    let pipeline = gst::parse::launch(&format!(
        "appsrc name=a caps=video/x-raw,format=RGBA,width={},height={},framerate=1/1 num-buffers=1 ! videoconvert ! pngenc ! filesink location=\"{}\"",
        frame.width,
        frame.height,
        path.display()
    ))
    .expect("png pipeline")
    .downcast::<gst::Pipeline>()
    .expect("pipeline");
    let src = pipeline.by_name("a").expect("appsrc").downcast::<gst_app::AppSrc>().expect("appsrc");
    pipeline.set_state(gst::State::Playing).expect("playing");
    src.push_buffer(gst::Buffer::from_slice(frame.rgba.clone())).expect("push");
    src.end_of_stream().expect("eos");
    let bus = pipeline.bus().expect("bus");
    let _ = bus.timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Eos, gst::MessageType::Error]);
    pipeline.set_state(gst::State::Null).expect("null");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hung_process_is_killed_and_the_failure_shows_its_threads() {
        let child = std::process::Command::new("sleep")
            .arg("60")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sleep");
        let started = Instant::now();
        let failure = std::panic::catch_unwind(|| wait(child, Duration::from_millis(300), "sleep 60")).expect_err("a hang must fail");
        let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(started.elapsed() < Duration::from_secs(30), "killed at the limit");
        assert!(message.contains("sleep 60: still running after 300ms (hang)"), "{message}");
        // gdb is installed by scripts/setup.sh: the stack of sleep's one thread
        assert!(message.contains("threads:\nThread 1") && message.contains("#0 "), "{message}");
    }
}
