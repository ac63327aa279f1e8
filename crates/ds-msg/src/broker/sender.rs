//! The sending thread: a bounded queue in front of one adapter.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Adapter, Protocol, RetryPolicy};

/// Counters of a [`Sender`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages the broker confirmed.
    pub sent: u64,
    /// Messages dropped: queue full, retries given up, or left at close.
    pub dropped: u64,
    /// Failed connect or send attempts.
    pub failed_attempts: u64,
    /// Successful connections after a failure.
    pub reconnects: u64,
    /// Messages waiting (queued or being sent).
    pub pending: u64,
}

struct Msg {
    topic: String,
    payload: Vec<u8>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Msg>,
    in_flight: bool,
    closing: bool,
    abort: bool,
    stats: Stats,
}

struct Shared {
    state: Mutex<State>,
    cv: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A bounded, ordered, retrying queue in front of one [`Adapter`], on a thread of its own.
/// [`Sender::send`] never blocks on the network.
pub struct Sender {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    proto: Protocol,
    queue_size: usize,
    default_topic: Option<String>,
}

impl Sender {
    /// Starts the thread; the adapter connects on the first message.
    pub fn start(adapter: Box<dyn Adapter>, proto: Protocol, policy: RetryPolicy) -> Sender {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            cv: Condvar::new(),
        });
        let default_topic = adapter.default_topic();
        let s2 = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("ds-msg-{}", proto.name().to_ascii_lowercase()))
            .spawn(move || worker(adapter, proto, policy, &s2))
            .ok();
        if thread.is_none() {
            eprintln!(
                "ds-msg {}: cannot start the sending thread; messages will be dropped",
                proto.name()
            );
        }
        Sender {
            shared,
            thread,
            proto,
            queue_size: policy.queue_size,
            default_topic,
        }
    }

    /// The adapter's topic from `conn-str` or its config, if any.
    pub fn default_topic(&self) -> Option<&str> {
        self.default_topic.as_deref()
    }

    /// Queues `payload` for `topic`. Returns false when it was dropped (queue full or the
    /// sender closing); drops are counted and logged.
    pub fn send(&self, topic: &str, payload: Vec<u8>) -> bool {
        let mut st = self.shared.lock();
        let waiting = st.queue.len() + st.in_flight as usize;
        if st.closing || self.thread.is_none() || waiting >= self.queue_size {
            st.stats.dropped += 1;
            let n = st.stats.dropped;
            if n == 1 || n.is_power_of_two() {
                eprintln!(
                    "ds-msg {}: queue full ({} messages waiting for the broker): message dropped ({n} dropped so far)",
                    self.proto.name(),
                    waiting
                );
            }
            return false;
        }
        st.queue.push_back(Msg {
            topic: topic.to_string(),
            payload,
        });
        self.shared.cv.notify_all();
        true
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        let st = self.shared.lock();
        let mut s = st.stats;
        s.pending = st.queue.len() as u64 + st.in_flight as u64;
        s
    }

    /// Waits until every queued message was sent or dropped, at most `timeout`; returns
    /// the counters then.
    pub fn flush(&self, timeout: Duration) -> Stats {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.lock();
        while (!st.queue.is_empty() || st.in_flight) && self.thread.is_some() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            st = self
                .shared
                .cv
                .wait_timeout(st, deadline - now)
                .map(|r| r.0)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        drop(st);
        self.stats()
    }

    /// Flushes (at most `timeout`), stops the thread and disconnects; what is still queued
    /// is dropped, counted and logged. Returns the final counters.
    pub fn close(&mut self, timeout: Duration) -> Stats {
        self.shared.lock().closing = true;
        self.shared.cv.notify_all();
        self.flush(timeout);
        {
            let mut st = self.shared.lock();
            st.abort = true;
            let left = st.queue.len() as u64;
            if left > 0 {
                st.stats.dropped += left;
                st.queue.clear();
                eprintln!(
                    "ds-msg {}: closing with {left} unsent messages: dropped",
                    self.proto.name()
                );
            }
        }
        self.shared.cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.stats()
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.close(Duration::ZERO);
        }
    }
}

fn worker(mut adapter: Box<dyn Adapter>, proto: Protocol, policy: RetryPolicy, shared: &Shared) {
    let name = proto.name();
    let mut connected = false;
    let mut failing_since: Option<Instant> = None;
    let mut backoff = policy.retry_interval;
    loop {
        let (topic, payload) = {
            let mut st = shared.lock();
            while st.queue.is_empty() && !st.closing && !st.abort {
                st = shared.cv.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.abort || (st.queue.is_empty() && st.closing) {
                break;
            }
            st.in_flight = true;
            let m = &st.queue[0];
            (m.topic.clone(), m.payload.clone())
        };
        let result = if connected { Ok(()) } else { adapter.connect() }.and_then(|()| {
            connected = true;
            adapter.send(&topic, &payload)
        });
        let mut st = shared.lock();
        st.in_flight = false;
        match result {
            Ok(()) => {
                st.queue.pop_front();
                st.stats.sent += 1;
                if let Some(t) = failing_since.take() {
                    st.stats.reconnects += 1;
                    eprintln!(
                        "ds-msg {name}: broker reachable again after {:.1} s; sending the {} queued messages",
                        t.elapsed().as_secs_f64(),
                        st.queue.len()
                    );
                }
                backoff = policy.retry_interval;
                shared.cv.notify_all();
            }
            Err(e) => {
                st.stats.failed_attempts += 1;
                if connected {
                    adapter.disconnect();
                    connected = false;
                }
                let since = *failing_since.get_or_insert_with(|| {
                    eprintln!("ds-msg {name}: {e}; keeping messages and retrying (retry-interval {} s, max-retry-limit {} s)",
                        policy.retry_interval.as_secs(), policy.max_retry.as_secs());
                    Instant::now()
                });
                if !policy.auto_reconnect || since.elapsed() >= policy.max_retry {
                    let n = st.queue.len() as u64;
                    st.stats.dropped += n;
                    st.queue.clear();
                    eprintln!(
                        "ds-msg {name}: giving up after {:.1} s ({e}): {n} queued messages dropped",
                        since.elapsed().as_secs_f64()
                    );
                    failing_since = None;
                    backoff = policy.retry_interval;
                    shared.cv.notify_all();
                    continue;
                }
                shared.cv.notify_all();
                // Wait before the next attempt; close() interrupts the wait.
                let until = Instant::now() + backoff;
                while !st.abort {
                    let now = Instant::now();
                    if now >= until {
                        break;
                    }
                    st = shared
                        .cv
                        .wait_timeout(st, until - now)
                        .map(|r| r.0)
                        .unwrap_or_else(|e| e.into_inner().0);
                }
                backoff = (backoff * 2).min(policy.retry_interval * 8);
            }
        }
    }
    if connected {
        adapter.disconnect();
    }
}
