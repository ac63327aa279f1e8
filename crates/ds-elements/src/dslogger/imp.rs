use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new("dslogger", gst::DebugColorFlags::empty(), Some("Portable nvdslogger"))
});

#[derive(Debug, Clone)]
struct Settings {
    interval_sec: u32,
    show_fps: bool,
    show_latency: bool,
    silent: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { interval_sec: 5, show_fps: true, show_latency: false, silent: true }
    }
}

/// Per-source counters, shared with the timer.
#[derive(Debug, Default)]
struct Counters {
    /// pad_index → (frames in this interval, at EOS)
    sources: BTreeMap<u32, (u64, bool)>,
    last_tick: Option<Instant>,
}

impl Counters {
    /// One timer tick: the `**PERF : ` line, or `None` on the first tick (which only starts
    /// the count) or when no source was seen yet.
    fn tick(&mut self, now: Instant) -> Option<String> {
        let Some(last) = self.last_tick.replace(now) else {
            for c in self.sources.values_mut() {
                c.0 = 0;
            }
            return None;
        };
        if self.sources.is_empty() {
            return None;
        }
        let secs = now.duration_since(last).as_secs_f64();
        let mut line = String::from("**PERF : ");
        for (id, (count, eos)) in self.sources.iter_mut() {
            let fps = if *eos || secs <= 0.0 { 0.0 } else { *count as f64 / secs };
            line.push_str(&format!("FPS_{id} ({fps:.2})\t"));
            *count = 0;
        }
        Some(line)
    }
}

/// The `dslogger` implementation.
#[derive(Default)]
pub struct DsLogger {
    settings: Mutex<Settings>,
    counters: Arc<Mutex<Counters>>,
    timer: Mutex<Option<glib::SourceId>>,
    batches: Mutex<u64>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsLogger {
    const NAME: &'static str = "DsLogger";
    type Type = super::DsLogger;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsLogger {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("fps-measurement-interval-sec")
                    .nick("fps-measurement-interval-sec")
                    .blurb("Interval in seconds over which frames are counted for the FPS print (0: no print)")
                    .default_value(5)
                    .build(),
                glib::ParamSpecBoolean::builder("show-fps")
                    .nick("Show FPS")
                    .blurb("Print per-source FPS every interval (DeepStream 7.1 behaviour: on)")
                    .default_value(true)
                    .build(),
                glib::ParamSpecBoolean::builder("show-latency")
                    .nick("Show Latency")
                    .blurb("Print each batch's frame latency (needs NVDS_ENABLE_LATENCY_MEASUREMENT=1)")
                    .default_value(false)
                    .build(),
                glib::ParamSpecBoolean::builder("silent")
                    .nick("silent")
                    .blurb("When false, print one line per buffer (PTS, running time)")
                    .default_value(true)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "fps-measurement-interval-sec" => s.interval_sec = value.get().unwrap_or(5),
            "show-fps" => s.show_fps = value.get().unwrap_or(true),
            "show-latency" => s.show_latency = value.get().unwrap_or(false),
            "silent" => s.silent = value.get().unwrap_or(true),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "fps-measurement-interval-sec" => s.interval_sec.to_value(),
            "show-fps" => s.show_fps.to_value(),
            "show-latency" => s.show_latency.to_value(),
            "silent" => s.silent.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsLogger {}

impl ElementImpl for DsLogger {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Logger (portable nvdslogger)",
                "Generic",
                "Passes batches through and prints per-source FPS and frame latency",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(|| crate::caps::sink_src_templates(&gst::Caps::new_any(), &gst::Caps::new_any()));
        T.as_ref()
    }
}

impl BaseTransformImpl for DsLogger {
    const MODE: gst_base::subclass::BaseTransformMode = gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings).clone();
        *lock(&self.counters) = Counters::default();
        *lock(&self.batches) = 0;
        if s.show_fps && s.interval_sec > 0 {
            let counters = self.counters.clone();
            let id = glib::timeout_add(Duration::from_secs(s.interval_sec as u64), move || {
                if let Some(line) = lock(&counters).tick(Instant::now()) {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                }
                glib::ControlFlow::Continue
            });
            *lock(&self.timer) = Some(id);
        }
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        if let Some(id) = lock(&self.timer).take() {
            id.remove();
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let Some((name, source)) = crate::events::parse(&event)
            && name == crate::events::STREAM_EOS
        {
            lock(&self.counters).sources.entry(source).or_default().1 = true;
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let s = lock(&self.settings).clone();
        if let Some(batch) = ds_meta::BatchMeta::from_buffer(buf) {
            let mut c = lock(&self.counters);
            for f in batch.frames() {
                let e = c.sources.entry(f.pad_index()).or_default();
                e.0 += 1;
                e.1 = false;
            }
        } else {
            gst::warning!(CAT, imp = self, "NvDsBatchMeta not found for input buffer");
        }
        if s.show_latency && crate::latency::frame_latency_enabled() {
            let n = {
                let mut b = lock(&self.batches);
                *b += 1;
                *b - 1
            };
            if let Some(report) = ds_meta::latency::latency_report(buf, n) {
                print!("{report}");
            }
        }
        if !s.silent {
            let obj = self.obj();
            let running = obj.current_running_time();
            println!(
                "{} BUF_PTS : {} element time {}",
                obj.name(),
                buf.pts().display(),
                running.display()
            );
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_tick_only_starts_the_count() {
        let mut c = Counters::default();
        let t0 = Instant::now();
        c.sources.insert(0, (7, false));
        assert_eq!(c.tick(t0), None);
        c.sources.insert(0, (10, false));
        c.sources.insert(1, (5, true));
        let line = c.tick(t0 + Duration::from_secs(2)).unwrap();
        assert_eq!(line, "**PERF : FPS_0 (5.00)\tFPS_1 (0.00)\t");
        // counts were reset
        assert_eq!(c.sources[&0].0, 0);
    }
}
