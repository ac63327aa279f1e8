//! The main loop of a sample: `bus_call` of the Python samples (`common/bus_call.py`) plus
//! what they lack: a non-zero exit on error, Ctrl-C → EOS so output files are finalised, and
//! outputs finalised after an error too.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Context as _;
use gst::prelude::*;

/// How long to wait for outputs to finish after an error before giving up on them.
const FINALISE_TIMEOUT: Duration = Duration::from_secs(5);

/// The pipeline stopped on an ERROR message, already printed on stderr by [`run`] as
/// `Error: <element>: <message>: <debug>`. Callers exit non-zero without printing it again
/// (`err.downcast_ref::<PipelineError>()`).
#[derive(Debug, Clone)]
pub struct PipelineError {
    /// Path of the element that posted the error, e.g. `/GstPipeline:p/GstH264Parse:h264-parser`.
    pub element: String,
    /// The error's message.
    pub message: String,
}

impl std::fmt::Display for PipelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.element, self.message)
    }
}

impl std::error::Error for PipelineError {}

/// Runs `pipeline` until EOS, an error, or Ctrl-C, then sets it to NULL.
///
/// - EOS: prints `End-of-stream` and returns `Ok`.
/// - WARNING: prints `Warning: <element>: <message>: <debug>` on stderr and goes on.
/// - ERROR: prints `Error: <element>: <message>: <debug>` on stderr, sends EOS into each of
///   `finalise` (e.g. the sink bin's sink pad) so that files are written out, waits for them
///   at most 5 s, and returns the error.
/// - Ctrl-C (SIGINT) once: sends EOS into the pipeline and keeps running until it arrives;
///   twice: stops at once.
pub fn run(pipeline: &gst::Pipeline, finalise: &[gst::Pad]) -> anyhow::Result<()> {
    run_with(pipeline, finalise, &glib::MainLoop::new(None, false), |_| false)
}

/// [`run`] on the caller's `main_loop` (so that the app's timers can quit it), with
/// `on_message` called first for every bus message: when it returns `true` the message is
/// handled and the default handling above is skipped (a sample's own `bus_call`, e.g.
/// runtime_source_add_delete's `stream-eos` messages and per-source errors).
pub fn run_with(
    pipeline: &gst::Pipeline,
    finalise: &[gst::Pad],
    main_loop: &glib::MainLoop,
    mut on_message: impl FnMut(&gst::Message) -> bool + 'static,
) -> anyhow::Result<()> {
    let main_loop = main_loop.clone();
    let bus = pipeline.bus().context("pipeline without a bus")?;
    let failure: Rc<RefCell<Option<PipelineError>>> = Rc::new(RefCell::new(None));

    let watch = {
        let main_loop = main_loop.clone();
        let failure = failure.clone();
        let finalise: Vec<gst::Pad> = finalise.to_vec();
        bus.add_watch_local(move |_, msg| {
            use gst::MessageView;
            if on_message(msg) {
                return glib::ControlFlow::Continue;
            }
            let mut src = msg.src().map(|s| s.path_string().to_string()).unwrap_or_else(|| "?".into());
            // An element inside a source bin: name the source as the user gave it.
            if let Some((index, uri)) = msg.src().and_then(crate::source::source_of) {
                src = format!("source {index} ({uri}): {src}");
            }
            match msg.view() {
                MessageView::Eos(_) => {
                    if failure.borrow().is_none() {
                        println!("End-of-stream");
                    }
                    main_loop.quit();
                }
                MessageView::Warning(w) => {
                    eprintln!("Warning: {src}: {}: {}", w.error(), w.debug().unwrap_or_default());
                }
                MessageView::Error(e) => {
                    eprintln!("Error: {src}: {}: {}", e.error(), e.debug().unwrap_or_default());
                    let first = failure.borrow().is_none();
                    if first {
                        *failure.borrow_mut() = Some(PipelineError { element: src, message: e.error().to_string() });
                        if !finalise.is_empty() {
                            // Sending EOS into a sink that never prerolled blocks until it
                            // does: do it from another thread, so the main loop (and its
                            // timeout and Ctrl-C handler) keeps running. Setting the
                            // pipeline to NULL afterwards releases that thread.
                            let pads = finalise.clone();
                            std::thread::spawn(move || {
                                for pad in &pads {
                                    pad.send_event(gst::event::Eos::new());
                                }
                            });
                            // Wait for the EOS message of the outputs, then stop either way.
                            let l = main_loop.clone();
                            glib::timeout_add_local_once(FINALISE_TIMEOUT, move || l.quit());
                            return glib::ControlFlow::Continue;
                        }
                    }
                    main_loop.quit();
                }
                _ => {}
            }
            glib::ControlFlow::Continue
        })
        .context("adding the bus watch")?
    };

    let interrupts = Rc::new(RefCell::new(0u32));
    let sigint = {
        let pipeline = pipeline.downgrade();
        let main_loop = main_loop.clone();
        glib_unix::unix_signal_add_local(2 /* SIGINT */, move || {
            *interrupts.borrow_mut() += 1;
            if *interrupts.borrow() == 1 {
                eprintln!("Interrupted: sending EOS to finish the output (Ctrl-C again to stop at once)");
                if let Some(p) = pipeline.upgrade() {
                    // Looping file sources would swallow the EOS: stop their looping first.
                    crate::source::stop_file_loops(&p);
                    p.send_event(gst::event::Eos::new());
                }
                glib::ControlFlow::Continue
            } else {
                main_loop.quit();
                glib::ControlFlow::Break
            }
        })
    };

    let started = pipeline.set_state(gst::State::Playing);
    if started.is_err() {
        // The reason is on the bus: let the watch print it.
        *failure.borrow_mut() = Some(PipelineError {
            element: pipeline.path_string().to_string(),
            message: "the pipeline could not start".into(),
        });
        let ctx = main_loop.context();
        while ctx.iteration(false) {}
    } else {
        main_loop.run();
    }

    let _ = pipeline.set_state(gst::State::Null);
    drop(watch);
    sigint.remove();
    if let Some(f) = failure.borrow().clone() {
        return Err(f.into());
    }
    Ok(())
}
