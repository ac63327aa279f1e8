//! The inference thread of a classifier in asynchronous mode (`classifier-async-mode=1`).
//!
//! As nvinfer: the streaming thread copies the crops of the tracked objects to classify,
//! queues them and pushes the buffer on at once; this thread classifies them; its results
//! go into the per-tracking-id cache when the streaming thread handles the next buffer, and
//! are attached to the object on the frames where it appears after that.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::util::lock;
use ds_infer::{Attribute, ImageRoi, Inference, Rect};

/// One object to classify: its crop, copied out of the frame.
pub(super) struct Job {
    pub source: u32,
    pub object_id: u64,
    /// RGBA pixels of the crop's bounding whole-pixel box, `width × 4` bytes a row.
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The object's rectangle in the copied pixels (sub-pixel position kept).
    pub roi: Rect,
}

impl Job {
    /// Copies `rect` (frame pixels, clipped to the frame) out of an RGBA frame.
    pub(super) fn crop(
        source: u32,
        object_id: u64,
        frame: &[u8],
        frame_w: u32,
        frame_h: u32,
        stride: usize,
        rect: Rect,
    ) -> Option<Job> {
        let x0 = rect.left.floor().clamp(0.0, frame_w as f32) as u32;
        let y0 = rect.top.floor().clamp(0.0, frame_h as f32) as u32;
        let x1 = rect.right().ceil().clamp(0.0, frame_w as f32) as u32;
        let y1 = rect.bottom().ceil().clamp(0.0, frame_h as f32) as u32;
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        let (w, h) = (x1 - x0, y1 - y0);
        let row = w as usize * 4;
        let mut pixels = Vec::with_capacity(row * h as usize);
        for y in y0..y1 {
            let start = y as usize * stride + x0 as usize * 4;
            pixels.extend_from_slice(frame.get(start..start + row)?);
        }
        Some(Job {
            source,
            object_id,
            pixels,
            width: w,
            height: h,
            roi: Rect::new(
                rect.left - x0 as f32,
                rect.top - y0 as f32,
                rect.width,
                rect.height,
            ),
        })
    }
}

/// A finished classification.
pub(super) struct Done {
    pub source: u32,
    pub object_id: u64,
    pub attributes: Vec<Attribute>,
}

type Results = Arc<Mutex<Vec<Result<Done, String>>>>;

/// The thread and its queues; dropping it lets the thread finish its queue and joins it.
pub(super) struct Worker {
    tx: Option<mpsc::Sender<Vec<Job>>>,
    results: Results,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread, which runs `inference` on the submitted crops and counts them in
    /// `counter`.
    pub(super) fn spawn(
        inference: Arc<Mutex<Inference>>,
        counter: Arc<AtomicU64>,
    ) -> std::io::Result<Worker> {
        let (tx, rx) = mpsc::channel::<Vec<Job>>();
        let results: Results = Arc::default();
        let out = results.clone();
        let handle = std::thread::Builder::new()
            .name("dsinfer-async".into())
            .spawn(move || {
                while let Ok(jobs) = rx.recv() {
                    let rois: Vec<ImageRoi> = jobs
                        .iter()
                        .map(|j| {
                            ImageRoi::region(
                                &j.pixels,
                                j.width,
                                j.height,
                                j.width as usize * 4,
                                j.roi,
                            )
                        })
                        .collect();
                    let res = lock(&inference).infer(&rois);
                    counter.fetch_add(jobs.len() as u64, Ordering::Relaxed);
                    let mut out = lock(&out);
                    match res {
                        Ok(outputs) => {
                            for (j, o) in jobs.iter().zip(outputs) {
                                out.push(Ok(Done {
                                    source: j.source,
                                    object_id: j.object_id,
                                    attributes: o.attributes,
                                }));
                            }
                        }
                        Err(e) => out.push(Err(e.to_string())),
                    }
                }
            })?;
        Ok(Worker {
            tx: Some(tx),
            results,
            handle: Some(handle),
        })
    }

    /// Queues crops to classify.
    pub(super) fn submit(&self, jobs: Vec<Job>) -> Result<(), String> {
        match &self.tx {
            Some(tx) => tx
                .send(jobs)
                .map_err(|_| "the asynchronous inference thread has stopped".to_string()),
            None => Err("the asynchronous inference thread has stopped".into()),
        }
    }

    /// The classifications finished since the last call (an error if one failed).
    pub(super) fn take_done(&self) -> Result<Vec<Done>, String> {
        let mut out = Vec::new();
        for r in std::mem::take(&mut *lock(&self.results)) {
            out.push(r?);
        }
        Ok(out)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
