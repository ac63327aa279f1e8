//! GPU image access on real NVIDIA-decoded frames (deepstream-imagedata-multistream-cupy's
//! device path without the rest of DeepStream): NVIDIA's `nvv4l2decoder` and `nvvideoconvert`
//! (PyPI `nvidia-deepstream-videodecode-cu13`, or DeepStream) give RGBA frames in CUDA device
//! memory; a probe takes each frame's device view with [`ds_meta::get_nvds_buf_surface_gpu`]
//! on the native provider and halves its red channel with the sample's CUDA kernel, in place.
//! The same clip decoded without the probe is the reference: every pixel of the edited output
//! must have `R = uint8(0.5 · R_ref + 0.5)` and unchanged G and B. Exits non-zero otherwise.
//!
//! ```sh
//! DS_META_ABI=9.1 cargo build -p ds-meta --example nvmm_device_edit
//! DS_META_LIB_DIR=<dir with libnvds_meta.so> GST_PLUGIN_PATH=<NVIDIA's plugins> \
//!   target/debug/examples/nvmm_device_edit streams/vtest.h264 100
//! ```

#[path = "../../../apps/deepstream-imagedata-multistream-cupy/src/cuda.rs"]
#[allow(dead_code)]
mod cuda;

use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use gst::prelude::*;

type Frames = Arc<Mutex<(Vec<Vec<u8>>, usize, usize)>>;

/// Decodes `frames` frames of `input` to packed RGBA on the host, with the device edit when
/// `edit`; returns the frames, width, height and the wall time.
fn decode(input: &str, frames: usize, edit: bool) -> anyhow::Result<(Vec<Vec<u8>>, usize, usize, std::time::Duration)> {
    let desc = format!(
        "filesrc location={input} ! h264parse ! nvv4l2decoder ! nvvideoconvert ! video/x-raw(memory:NVMM),format=RGBA \
         ! identity name=edit ! nvvideoconvert ! video/x-raw,format=RGBA ! fakesink name=out sync=false num-buffers={frames}"
    );
    let pipeline = gst::parse::launch(&desc)?.downcast::<gst::Pipeline>().map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    if edit {
        let pad = pipeline.by_name("edit").context("identity")?.static_pad("src").context("src pad")?;
        let failures = failures.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(buffer) = info.buffer_mut() {
                let r = ds_meta::get_nvds_buf_surface_gpu(buffer.make_mut(), 0).map_err(anyhow::Error::from).and_then(|f| {
                    let [h, w, c] = f.shape();
                    cuda::halve_red(f.gpu_id(), f.data_ptr() as cuda::DevicePtr, f.pitch(), w, h, c)
                });
                if let Err(e) = r {
                    failures.lock().unwrap().push(format!("{e:#}"));
                }
            }
            gst::PadProbeReturn::Ok
        });
    }
    let got: Frames = Arc::new(Mutex::new((Vec::new(), 0, 0)));
    let sinkpad = pipeline.by_name("out").context("fakesink")?.static_pad("sink").context("sink pad")?;
    let g = got.clone();
    sinkpad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        if let (Some(buffer), Some(caps)) = (info.buffer(), pad.current_caps())
            && let Ok(vi) = gst_video::VideoInfo::from_caps(&caps)
            && let Ok(frame) = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &vi)
            && let Ok(data) = frame.plane_data(0)
        {
            let (w, h, stride) = (vi.width() as usize, vi.height() as usize, vi.stride()[0] as usize);
            let mut packed = Vec::with_capacity(w * h * 4);
            for y in 0..h {
                packed.extend_from_slice(&data[y * stride..y * stride + w * 4]);
            }
            let mut g = g.lock().unwrap();
            g.0.push(packed);
            (g.1, g.2) = (w, h);
        }
        gst::PadProbeReturn::Ok
    });
    let start = std::time::Instant::now();
    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline.bus().context("bus")?;
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(120)) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                pipeline.set_state(gst::State::Null)?;
                bail!("{}: {} ({:?})", desc, e.error(), e.debug());
            }
            _ => {}
        }
    }
    let took = start.elapsed();
    pipeline.set_state(gst::State::Null)?;
    if let Some(e) = failures.lock().unwrap().first() {
        bail!("the device edit failed: {e}");
    }
    let (frames, w, h) = std::mem::take(&mut *got.lock().unwrap());
    Ok((frames, w, h, took))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let input = args.get(1).context("usage: nvmm_device_edit FILE.h264 [FRAMES]")?;
    let frames: usize = args.get(2).map(|f| f.parse()).transpose()?.unwrap_or(100);
    gst::init()?;
    ds_meta::set_provider(ds_meta::Provider::Native).context("the native provider (DS_META_LIB_DIR)")?;
    let (reference, w, h, t_ref) = decode(input, frames, false)?;
    let (edited, _, _, t_edit) = decode(input, frames, true)?;
    if reference.is_empty() || edited.len() != reference.len() {
        bail!("decoded {} reference and {} edited frames", reference.len(), edited.len());
    }
    let (mut wrong, mut changed) = (0usize, 0usize);
    for (a, b) in reference.iter().zip(&edited) {
        for (pa, pb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
            let want = (0.5 * pa[0] as f32 + 0.5) as u8;
            wrong += (pb[0] != want || pb[1] != pa[1] || pb[2] != pa[2]) as usize;
            changed += (pb[0] != pa[0]) as usize;
        }
    }
    println!(
        "nvmm_device_edit: {} frames {w}x{h} RGBA in CUDA memory edited in place; {changed} red values changed, \
         {wrong} pixels differ from R=0.5*R+0.5 with G, B kept; decode+convert {:.1} fps, with the edit {:.1} fps",
        edited.len(),
        reference.len() as f64 / t_ref.as_secs_f64(),
        edited.len() as f64 / t_edit.as_secs_f64()
    );
    if wrong > 0 || changed == 0 {
        bail!("{wrong} pixels wrong, {changed} changed");
    }
    Ok(())
}
