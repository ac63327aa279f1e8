//! RTSP reconnection of `dsurisrcbin` (`rtsp-reconnect-interval`, `rtsp-reconnect-attempts`,
//! with nvurisrcbin's semantics, plus a backoff).
//!
//! - A watchdog checks the source every 200 ms. When no decoded frame came for
//!   `rtsp-reconnect-interval` seconds (counted from the start too, so a server that is down
//!   at start is retried), the source is reset: its `uridecodebin` (and `rtspsrc`) is set to
//!   NULL, removed, and a new one connects; a warning `No data from <uri> for N s: reconnecting
//!   (attempt k)` is posted.
//! - **Backoff**: while the source stays down, the wait before the next attempt doubles after
//!   each failed attempt, up to 4 × the interval (interval 2 s: the first attempt after 2 s of
//!   silence, the next ones 2, 4, 8, 8 ... s apart).
//!   A frame resets the count and the wait.
//! - `rtsp-reconnect-attempts` (-1, or 0 as in nvurisrcbin: no limit) bounds the attempts in a
//!   row. When they are spent the source gives up: a warning, an element message
//!   `rtsp-reconnect-attempts-exceeded` (fields `uri`, `attempts`), and EOS on its pad, so the
//!   muxer neither waits for it nor stalls at the end.
//! - While reconnection is on, errors of the inner elements (connection refused, lost
//!   connection) are posted as warnings, and an EOS from the stream itself is dropped (as
//!   nvurisrcbin does). An EOS sent to the element (the app stopping) stops the source and
//!   goes out of `vsrc_0` at once (the frames still on their way from the server are lost).
//! - The `vsrc_0` pad is exposed at once (without a target until the stream's first decoded
//!   pad appears) and kept across reconnections: downstream stays linked; each new connection
//!   sends a new `stream-start`, caps and segment through it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;
use gst::subclass::prelude::*;

use crate::util::lock;

/// Shared between the element, its data probe and its watchdog thread.
#[derive(Debug)]
pub(super) struct Live {
    state: Mutex<LiveState>,
    /// The watchdog runs (between READY→PAUSED and PAUSED→READY).
    pub(super) running: AtomicBool,
    /// EOS was sent to the element, or it gave up: let EOS through, post errors as errors.
    pub(super) stopping: AtomicBool,
}

#[derive(Debug)]
struct LiveState {
    last_data: Instant,
    last_reset: Instant,
    /// Resets since the last frame.
    failed: u32,
    gave_up: bool,
}

impl Default for Live {
    fn default() -> Self {
        let now = Instant::now();
        Live {
            state: Mutex::new(LiveState { last_data: now, last_reset: now, failed: 0, gave_up: false }),
            running: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        }
    }
}

impl Live {
    /// A frame came: the source is up.
    pub(super) fn data(&self) {
        let mut s = lock(&self.state);
        s.last_data = Instant::now();
        s.failed = 0;
    }

    /// Starting (READY→PAUSED): the silence is counted from now.
    pub(super) fn restart(&self) {
        let now = Instant::now();
        *lock(&self.state) = LiveState { last_data: now, last_reset: now, failed: 0, gave_up: false };
        self.stopping.store(false, Ordering::SeqCst);
    }
}

/// The wait before the attempt that follows `failed` failed attempts: the interval, doubled
/// per failed attempt, at most 4 × the interval.
pub(super) fn backoff(interval: Duration, failed: u32) -> Duration {
    interval * (1u32 << failed.min(2))
}

/// What the watchdog decided.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Decision {
    Wait,
    /// Reset the source: attempt number `attempt`, after `silent` without data.
    Reset { attempt: u32, silent: Duration },
    /// The attempts are spent.
    GiveUp { attempts: u32 },
}

impl Live {
    /// One watchdog check at `now`.
    pub(super) fn check(&self, now: Instant, interval: Duration, max_attempts: i32) -> Decision {
        let mut s = lock(&self.state);
        if s.gave_up || interval.is_zero() {
            return Decision::Wait;
        }
        let silent = now.saturating_duration_since(s.last_data);
        let since_reset = now.saturating_duration_since(s.last_reset);
        if silent < interval || since_reset < backoff(interval, s.failed.saturating_sub(1)).max(interval) {
            return Decision::Wait;
        }
        if max_attempts > 0 && s.failed >= max_attempts as u32 {
            s.gave_up = true;
            return Decision::GiveUp { attempts: s.failed };
        }
        s.failed += 1;
        s.last_reset = now;
        Decision::Reset { attempt: s.failed, silent }
    }
}

/// Starts the watchdog thread of `bin` (it ends when the element stops or is freed).
pub(super) fn spawn_watchdog(bin: &super::DsUriSrcBin, live: Arc<Live>) {
    live.running.store(true, Ordering::SeqCst);
    let weak = bin.downgrade();
    let spawned = std::thread::Builder::new().name("dsurisrcbin-watch".into()).spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            if !live.running.load(Ordering::SeqCst) {
                break;
            }
            let Some(bin) = weak.upgrade() else { break };
            let imp = bin.imp();
            let (interval, attempts) = imp.reconnect_settings();
            match live.check(Instant::now(), interval, attempts) {
                Decision::Wait => {}
                Decision::Reset { attempt, silent } => {
                    let uri = imp.uri();
                    let limit = if attempts > 0 { format!("/{attempts}") } else { String::new() };
                    gst::element_warning!(
                        bin,
                        gst::ResourceError::Read,
                        ("No data from {} for {} s: reconnecting (attempt {attempt}{limit})", uri, silent.as_secs())
                    );
                    imp.reset_source();
                }
                Decision::GiveUp { attempts } => {
                    imp.give_up(attempts);
                    break;
                }
            }
        }
    });
    if spawned.is_err() {
        gst::element_error!(bin, gst::CoreError::Failed, ("dsurisrcbin: cannot start the RTSP reconnection watchdog"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resets_after_the_interval_then_backs_off_then_gives_up() {
        let live = Live::default();
        let t0 = Instant::now();
        let i = Duration::from_secs(2);
        let at = |s: f64| t0 + Duration::from_secs_f64(s);
        assert_eq!(live.check(at(1.9), i, 3), Decision::Wait);
        assert!(matches!(live.check(at(2.0), i, 3), Decision::Reset { attempt: 1, .. }));
        // the next attempt waits the interval, then twice, then 4 times it
        assert_eq!(live.check(at(3.9), i, 3), Decision::Wait);
        assert!(matches!(live.check(at(4.0), i, 3), Decision::Reset { attempt: 2, .. }));
        assert_eq!(live.check(at(7.9), i, 3), Decision::Wait);
        assert!(matches!(live.check(at(8.0), i, 3), Decision::Reset { attempt: 3, .. }));
        assert_eq!(live.check(at(15.9), i, 3), Decision::Wait);
        assert_eq!(live.check(at(16.0), i, 3), Decision::GiveUp { attempts: 3 });
        assert_eq!(live.check(at(100.0), i, 3), Decision::Wait);
    }

    #[test]
    fn data_resets_the_count_and_no_limit_never_gives_up() {
        let live = Live::default();
        let i = Duration::from_secs(1);
        let mut t = Instant::now();
        for _ in 0..10 {
            t += Duration::from_secs(5);
            assert!(matches!(live.check(t, i, -1), Decision::Reset { .. }));
        }
        live.data();
        assert_eq!(live.check(Instant::now(), i, -1), Decision::Wait);
        assert!(matches!(live.check(t + i, i, -1), Decision::Reset { attempt: 1, .. }));
        assert_eq!(backoff(i, 0), i);
        assert_eq!(backoff(i, 7), 4 * i);
    }
}
