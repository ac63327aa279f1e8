//! dsurisrcbin on live RTSP: reconnection after its server went away (and came back), giving
//! up after the attempts, and the sender's NTP time on the frames. Real RTSP servers
//! (gst-rtsp-server on 127.0.0.1, free ports) serve a real clip in real time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use ds_testkit::live::RtspTestServer;
use gst::prelude::*;

/// Arrival time and NTP reference timestamp of each frame.
type Frames = Arc<Mutex<Vec<(Instant, Option<u64>)>>>;

/// A running `dsurisrcbin uri=<url> <props> ! videoconvert ! appsink`: the arrival time and
/// NTP reference timestamp (ns since 1900, if any) of every frame, and the bus messages.
struct Run {
    pipeline: gst::Pipeline,
    frames: Frames,
}

impl Run {
    fn start(url: &str, props: &str) -> Run {
        gst::init().unwrap();
        ds_elements::register_static().unwrap();
        let pipeline = gst::parse::launch(&format!(
            "dsurisrcbin name=src uri={url} {props} ! videoconvert ! appsink name=s sync=false"
        ))
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        let sink = pipeline.by_name("s").unwrap().downcast::<gst_app::AppSink>().unwrap();
        let frames: Frames = Arc::default();
        let f = frames.clone();
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |s| {
                    let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let ntp = sample.buffer().and_then(|b| {
                        b.iter_meta::<gst::ReferenceTimestampMeta>()
                            .find(|m| m.reference().structure(0).is_some_and(|s| s.name() == "timestamp/x-ntp"))
                            .map(|m| m.timestamp().nseconds())
                    });
                    f.lock().unwrap().push((Instant::now(), ntp));
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        pipeline.set_state(gst::State::Playing).unwrap();
        Run { pipeline, frames }
    }

    fn count_after(&self, t: Instant) -> usize {
        self.frames.lock().unwrap().iter().filter(|(at, _)| *at > t).count()
    }

    /// Waits (at most `limit`) for `n` frames after `t`.
    fn wait_frames_after(&self, t: Instant, n: usize, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.count_after(t) >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// The bus messages so far of `types`.
    fn messages(&self, types: &[gst::MessageType]) -> Vec<gst::Message> {
        let bus = self.pipeline.bus().unwrap();
        std::iter::from_fn(|| bus.pop_filtered(types)).collect()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

#[test]
fn a_server_that_goes_away_and_comes_back_is_reconnected() {
    let server = RtspTestServer::serve_clip("vtest.mp4");
    let run = Run::start(&server.url, "rtsp-reconnect-interval=1");
    let t0 = Instant::now();
    assert!(run.wait_frames_after(t0, 25, Duration::from_secs(20)), "the stream did not start");
    server.stop();
    let stopped = Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    let during = run.count_after(stopped + Duration::from_secs(2));
    server.resume();
    let resumed = Instant::now();
    assert!(run.wait_frames_after(resumed, 25, Duration::from_secs(20)), "no frames after the server came back");
    assert_eq!(during, 0, "frames while the server was down");
    let warnings: Vec<String> = run
        .messages(&[gst::MessageType::Warning])
        .iter()
        .filter_map(|m| match m.view() {
            gst::MessageView::Warning(w) => Some(w.error().to_string()),
            _ => None,
        })
        .collect();
    assert!(warnings.iter().any(|w| w.contains("reconnecting (attempt 1)")), "{warnings:?}");
    let errors = run.messages(&[gst::MessageType::Error, gst::MessageType::Eos]);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_dead_server_is_given_up_after_the_attempts_with_eos() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("rtsp://127.0.0.1:{}/ds-test", l.local_addr().unwrap().port());
    drop(l);
    let start = Instant::now();
    let run = Run::start(&url, "rtsp-reconnect-interval=1 rtsp-reconnect-attempts=2");
    let bus = run.pipeline.bus().unwrap();
    let mut gave_up = None;
    let end = loop {
        let types = [gst::MessageType::Eos, gst::MessageType::Error, gst::MessageType::Element];
        let msg = bus.timed_pop_filtered(gst::ClockTime::from_seconds(30), &types).expect("EOS within 30 s");
        if msg.structure().is_some_and(|s| s.name() == "rtsp-reconnect-attempts-exceeded") {
            gave_up = Some(msg);
        } else if msg.type_() != gst::MessageType::Element {
            break msg;
        }
    };
    assert!(matches!(end.view(), gst::MessageView::Eos(_)), "{end:?}");
    // attempts after 1 s and 2 s of silence, given up at 4 s
    assert!(start.elapsed() < Duration::from_secs(15), "{:?}", start.elapsed());
    let gave_up = gave_up.expect("rtsp-reconnect-attempts-exceeded message before the EOS");
    let s = gave_up.structure().unwrap();
    assert_eq!(s.get::<String>("uri").unwrap(), url);
    assert_eq!(s.get::<u32>("attempts").unwrap(), 2);
}

#[test]
fn frames_carry_the_senders_ntp_time_from_rtcp() {
    let server = RtspTestServer::serve_clip("vtest.mp4");
    let run = Run::start(&server.url, "");
    assert!(run.wait_frames_after(Instant::now(), 150, Duration::from_secs(30)), "150 frames");
    let now_ntp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 + 2_208_988_800 * 1_000_000_000;
    let frames = run.frames.lock().unwrap().clone();
    let stamped: Vec<u64> = frames.iter().filter_map(|(_, n)| *n).collect();
    assert!(stamped.len() >= 50, "{} of {} frames carry an NTP time", stamped.len(), frames.len());
    for n in &stamped {
        let off = (*n as i128 - now_ntp as i128).abs();
        assert!(off < 30_000_000_000, "NTP time {} s from now", off / 1_000_000_000);
    }
    assert!(stamped.windows(2).all(|w| w[1] >= w[0]), "NTP times go back");
}
