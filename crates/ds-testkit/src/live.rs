//! Live tests: a real RTSP server (gst-rtsp-server on 127.0.0.1, a free port) serving a real
//! clip, which a test can stop and restart on the same port; an RTSP client that decodes what
//! an app serves; and an app running in the background whose output lines are read as they
//! come, with the time each arrived.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, ExitStatus};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;
use gst_rtsp_server::prelude::*;

use crate::Frame;

enum Cmd {
    Stop(mpsc::Sender<()>),
    Resume(mpsc::Sender<bool>),
    Quit,
}

/// A gst-rtsp-server on 127.0.0.1 serving one media at `/ds-test`, run by its own thread and
/// main context. Dropping it stops the server.
pub struct RtspTestServer {
    /// `rtsp://127.0.0.1:<port>/ds-test`.
    pub url: String,
    /// The port it listens on (kept across [`RtspTestServer::stop`] and
    /// [`RtspTestServer::resume`]).
    pub port: u16,
    tx: mpsc::Sender<Cmd>,
}

/// The launch line that serves `clip` (an `.mp4` with H.264 video, or an `.h264` elementary
/// stream) as RTP payload `pay0`. MP4 clips are served in real time (the server's sinks sync
/// on their timestamps); an elementary stream has no timestamps and goes as fast as it is read.
pub fn clip_launch(clip: &std::path::Path) -> String {
    let demux = if clip.extension().is_some_and(|e| e == "mp4") { "qtdemux ! " } else { "" };
    format!(
        "( filesrc location=\"{}\" ! {demux}h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )",
        clip.display()
    )
}

impl RtspTestServer {
    /// Serves `streams/<name>` (see [`clip_launch`]) on a free port.
    pub fn serve_clip(name: &str) -> RtspTestServer {
        RtspTestServer::start(&clip_launch(&crate::stream(name)), 0)
    }

    /// Serves the media of `launch` (a gst-rtsp-server launch line) on 127.0.0.1:`port`
    /// (0: a free port). The media is shared by all clients.
    pub fn start(launch: &str, port: u16) -> RtspTestServer {
        gst::init().expect("gst init");
        let (tx, rx) = mpsc::channel::<Cmd>();
        let (ptx, prx) = mpsc::channel();
        let launch = launch.to_owned();
        std::thread::spawn(move || {
            let ctx = glib::MainContext::new();
            let _guard = ctx.acquire().expect("server context");
            // A new server (and media factory) each time it listens: a restarted server
            // knows nothing of the previous one, as after a real restart.
            let lctx = ctx.clone();
            let listen = move |port: u16| -> Option<(gst_rtsp_server::RTSPServer, glib::Source)> {
                let server = gst_rtsp_server::RTSPServer::new();
                server.set_address("127.0.0.1");
                server.set_service(&port.to_string());
                let factory = gst_rtsp_server::RTSPMediaFactory::new();
                factory.set_launch(&launch);
                factory.set_shared(true);
                server.mount_points()?.add_factory("/ds-test", factory);
                let source = server.create_source(None::<&gst_rtsp_server::gio::Cancellable>).ok()?;
                source.attach(Some(&lctx));
                Some((server, source))
            };
            let shut = |(server, source): (gst_rtsp_server::RTSPServer, glib::Source)| {
                // Drop every session (the shared media stops), close every client connection,
                // stop listening.
                if let Some(pool) = server.session_pool() {
                    pool.filter(Some(&mut |_, _| gst_rtsp_server::RTSPFilterResult::Remove));
                }
                server.client_filter(Some(&mut |_, _| gst_rtsp_server::RTSPFilterResult::Remove));
                source.destroy();
            };
            let first = listen(port).expect("RTSP test server listening");
            let bound = u16::try_from(first.0.bound_port()).unwrap_or(0);
            let mut current = Some(first);
            let _ = ptx.send(bound);
            let main_loop = glib::MainLoop::new(Some(&ctx), false);
            let l = main_loop.clone();
            let _poll = glib::timeout_source_new(Duration::from_millis(20), None, glib::Priority::DEFAULT, move || {
                while let Ok(cmd) = rx.try_recv() {
                    match cmd {
                        Cmd::Stop(done) => {
                            if let Some(c) = current.take() {
                                shut(c);
                            }
                            let _ = done.send(());
                        }
                        Cmd::Resume(done) => {
                            if current.is_none() {
                                current = listen(bound);
                            }
                            let _ = done.send(current.is_some());
                        }
                        Cmd::Quit => {
                            if let Some(c) = current.take() {
                                shut(c);
                            }
                            l.quit();
                            return glib::ControlFlow::Break;
                        }
                    }
                }
                glib::ControlFlow::Continue
            })
            .attach(Some(&ctx));
            main_loop.run();
        });
        let port = prx.recv_timeout(Duration::from_secs(10)).expect("RTSP test server started");
        RtspTestServer { url: format!("rtsp://127.0.0.1:{port}/ds-test"), port, tx }
    }

    /// Stops serving: sessions and client connections are dropped, the port is closed.
    pub fn stop(&self) {
        let (tx, rx) = mpsc::channel();
        let _ = self.tx.send(Cmd::Stop(tx));
        rx.recv_timeout(Duration::from_secs(10)).expect("RTSP test server stopped");
    }

    /// Listens again on the same port (the media starts again from the clip's start).
    pub fn resume(&self) {
        let (tx, rx) = mpsc::channel();
        let _ = self.tx.send(Cmd::Resume(tx));
        let ok = rx.recv_timeout(Duration::from_secs(10)).expect("RTSP test server resumed");
        assert!(ok, "the RTSP test server could not listen again on port {}", self.port);
    }
}

impl Drop for RtspTestServer {
    fn drop(&mut self) {
        let _ = self.tx.send(Cmd::Quit);
    }
}

/// What [`rtsp_client`] received.
#[derive(Debug, Default)]
pub struct ClientResult {
    /// Decoded frames.
    pub frames: usize,
    /// The frames whose index was asked for.
    pub kept: Vec<(usize, Frame)>,
    /// The RTP encoding name the server announced (`H264`, `H265`).
    pub encoding: String,
    /// Errors posted by the client pipeline.
    pub errors: Vec<String>,
}

/// Connects to `url` with `rtspsrc` (over TCP, so that nothing depends on UDP ports),
/// decodes to RGBA and counts frames until `want` frames arrived or `limit` passed; keeps the
/// frames whose index is in `keep`.
pub fn rtsp_client(url: &str, want: usize, keep: &[usize], limit: Duration) -> ClientResult {
    gst::init().expect("gst init");
    let pipeline = gst::parse::launch(&format!(
        "rtspsrc name=src location={url} protocols=tcp latency=500 ! decodebin ! videoconvert ! \
         video/x-raw,format=RGBA ! appsink name=s sync=false max-buffers=4"
    ))
    .expect("client pipeline")
    .downcast::<gst::Pipeline>()
    .expect("pipeline");
    let encoding = Arc::new(Mutex::new(String::new()));
    if let Some(src) = pipeline.by_name("src") {
        let enc = encoding.clone();
        src.connect_pad_added(move |_, pad| {
            let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
            if let Some(s) = caps.structure(0)
                && let Ok(e) = s.get::<String>("encoding-name")
            {
                *enc.lock().unwrap() = e;
            }
        });
    }
    let sink = pipeline.by_name("s").expect("appsink").downcast::<gst_app::AppSink>().expect("appsink");
    let _ = pipeline.set_state(gst::State::Playing);
    let start = Instant::now();
    let mut res = ClientResult::default();
    let bus = pipeline.bus().expect("bus");
    while res.frames < want && start.elapsed() < limit {
        if let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error])
            && let gst::MessageView::Error(e) = msg.view()
        {
            res.errors.push(format!("{}: {}", e.error(), e.debug().unwrap_or_default()));
            break;
        }
        let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) else {
            if sink.is_eos() {
                break;
            }
            continue;
        };
        if keep.contains(&res.frames)
            && let Some(frame) = crate::sample_to_frame(&sample)
        {
            res.kept.push((res.frames, frame));
        }
        res.frames += 1;
    }
    res.encoding = encoding.lock().unwrap().clone();
    let _ = pipeline.set_state(gst::State::Null);
    res
}

/// An app running in the background; its stdout and stderr lines are collected as they come,
/// each with the time it arrived.
pub struct LiveApp {
    child: Child,
    /// stdout lines so far, with their arrival time.
    pub stdout: Arc<Mutex<Vec<(Instant, String)>>>,
    /// stderr lines so far, with their arrival time.
    pub stderr: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl LiveApp {
    /// Starts app binary `bin` with `args` and `env` (headless, see [`crate::command`]).
    pub fn spawn(bin: &str, args: &[&str], env: &[(&str, &str)]) -> LiveApp {
        LiveApp::spawn_command(crate::command(bin, args, env))
    }

    /// Starts `cmd` (made with [`crate::command`], e.g. with a working directory of its own);
    /// its stdout and stderr must be piped.
    pub fn spawn_command(mut cmd: std::process::Command) -> LiveApp {
        let mut child = cmd.spawn().expect("spawning the app");
        let read = |r: Box<dyn std::io::Read + Send>| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let l = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(r).lines() {
                    let Ok(line) = line else { break };
                    l.lock().unwrap().push((Instant::now(), line));
                }
            });
            lines
        };
        let stdout = read(Box::new(child.stdout.take().expect("stdout")));
        let stderr = read(Box::new(child.stderr.take().expect("stderr")));
        LiveApp { child, stdout, stderr }
    }

    /// Waits at most `limit` for a stdout line matching `pred`; returns it.
    pub fn wait_line(&mut self, limit: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some((_, l)) = self.stdout.lock().unwrap().iter().find(|(_, l)| pred(l)) {
                return Some(l.clone());
            }
            if self.child.try_wait().ok().flatten().is_some() {
                std::thread::sleep(Duration::from_millis(200));
                return self.stdout.lock().unwrap().iter().find(|(_, l)| pred(l)).map(|(_, l)| l.clone());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The URL of a `Launched RTSP Streaming at rtsp://...` line, waiting at most `limit`.
    pub fn rtsp_url(&mut self, limit: Duration) -> Option<String> {
        let line = self.wait_line(limit, |l| l.contains("Launched RTSP Streaming at "))?;
        line.split_whitespace().find(|w| w.starts_with("rtsp://")).map(str::to_owned)
    }

    /// Sends SIGINT (Ctrl-C) to the app.
    pub fn interrupt(&self) {
        let _ = std::process::Command::new("kill").arg("-INT").arg(self.child.id().to_string()).status();
    }

    /// Whether the app is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    /// Waits at most `limit` for the app to exit (kills it and fails the test when it
    /// hangs); returns its status and all its stdout and stderr.
    pub fn finish(mut self, limit: Duration) -> (ExitStatus, String, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                break s;
            }
            if start.elapsed() > limit {
                let stacks = crate::stacks(self.child.id());
                let _ = self.child.kill();
                let _ = self.child.wait();
                std::thread::sleep(Duration::from_millis(200));
                panic!("app still running after {limit:?} (hang)\nstdout:\n{}\nstderr:\n{}\nthreads:\n{stacks}", self.stdout_text(), self.stderr_text());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // let the reader threads take the last lines
        std::thread::sleep(Duration::from_millis(300));
        (status, self.stdout_text(), self.stderr_text())
    }

    /// stdout so far.
    pub fn stdout_text(&self) -> String {
        self.stdout.lock().unwrap().iter().map(|(_, l)| format!("{l}\n")).collect()
    }

    /// stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().iter().map(|(_, l)| format!("{l}\n")).collect()
    }
}

impl Drop for LiveApp {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
