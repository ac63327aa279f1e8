//! deepstream-imagedata-multistream-cupy: port of `deepstream_imagedata-multistream_cupy.py`
//! (DeepStream 7.1 Python samples).
//!
//! N URIs → source bins → streammux → detector → convertor → RGBA capsfilter → tiler →
//! convertor → OSD → sink. A probe on the tiler's sink pad edits every frame where it is:
//! red channel ← 0.5 · red + 0.5 (a blue/cyan tint on screen). On DeepStream the frame is in
//! CUDA memory and [`ds_meta::frame_access`] gives a device view (pointer, pitch, shape),
//! edited by a CUDA kernel (`cuda.rs`: the driver is loaded at run time, nothing of CUDA is
//! needed to build); on the portable backend it gives the frame as a host `ndarray` view.
//!
//! ```sh
//! cargo run -p deepstream-imagedata-multistream-cupy -- -i file://$PWD/streams/vtest.mp4 file://$PWD/streams/market.mp4
//! cargo run -p deepstream-imagedata-multistream-cupy -- -i streams/vtest-4s.mp4 --sink file   # out/deepstream-imagedata-multistream-cupy.mp4
//! ```

mod cuda;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;

use ds_app::source::SourceOptions;
use ds_app::{AppArgs, Backend, SinkKind};
use ds_meta::{BatchMeta, FrameAccess};

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1920;
const TILED_OUTPUT_HEIGHT: u32 = 1080;
const APP: &str = "deepstream-imagedata-multistream-cupy";

/// deepstream_imagedata-multistream_cupy: frames edited in place, in GPU or host memory.
#[derive(Parser, Debug)]
#[command(name = "deepstream_imagedata-multistream_cupy", version, about)]
struct Args {
    /// Path to input streams (URIs: file:///..., rtsp://..., or local paths)
    #[arg(short = 'i', long = "input", num_args = 1.., required = true, value_name = "URIs")]
    input: Vec<String>,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// `tiler_sink_pad_buffer_probe` of the Python sample: counts objects, then halves the red
/// channel of each frame in place (`R ← uint8(0.5 · R + 0.5)`).
fn tiler_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, perf_data: &ds_app::perf::PerfData) -> anyhow::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return Ok(());
    };
    let frames: Vec<(u32, u32, i32, u32, [u32; 4])> = batch_meta
        .frames()
        .map(|f| {
            let mut obj_counter = [0u32; 4];
            for o in f.objects() {
                if let Some(c) = usize::try_from(o.class_id()).ok().filter(|&c| c < 4) {
                    obj_counter[c] += 1;
                }
            }
            (f.batch_id(), f.pad_index(), f.frame_num(), f.num_obj_meta(), obj_counter)
        })
        .collect();
    for (batch_id, pad_index, frame_number, num_rects, obj_counter) in frames {
        // get_nvds_buf_surface_gpu (DeepStream) or get_nvds_buf_surface (portable); the view
        // is unmapped when it drops at the end of the match.
        match ds_meta::frame_access(buffer, batch_id)? {
            FrameAccess::Device(frame) => {
                let [height, width, channels] = frame.shape();
                cuda::halve_red(frame.gpu_id(), frame.data_ptr() as cuda::DevicePtr, frame.pitch(), width, height, channels)?;
            }
            FrameAccess::Host(mut frame) => {
                let mut view = frame.view_mut();
                view.slice_mut(ndarray::s![.., .., 0]).mapv_inplace(|r| (0.5 * r as f32 + 0.5) as u8);
            }
        }
        println!(
            "Frame Number= {} Number of Objects= {} Vehicle_count= {} Person_count= {}",
            frame_number,
            num_rects,
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize]
        );
        // Update frame rate through this probe
        perf_data.update_fps(pad_index as usize);
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    let backend = ds_app::init(Some(&args.app.backend))?;
    if backend == Backend::DeepStream && ds_app::platform::PlatformInfo::get().is_integrated_gpu() {
        eprint!("\nThis app is not currently supported on integrated GPU. Exiting...\n\n\n\n");
        bail!("integrated GPU");
    }
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;
    let uris: Vec<String> = args.input.iter().map(|i| ds_app::source::to_uri(i)).collect();
    let number_sources = uris.len();
    let perf_data = ds_app::perf::PerfData::new(number_sources);

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux \n ");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions { verbose: true, ..Default::default() };
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;
    println!("Creating Pgie \n ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    // Add nvvidconv1 and filter1 to convert the frames to RGBA, which is easier to work with
    println!("Creating nvvidconv1 \n ");
    let nvvidconv1 = backend.make("nvvideoconvert", "convertor1")?;
    println!("Creating filter1 \n ");
    let filter1 = backend.make("capsfilter", "filter1")?;
    let feature = if backend == Backend::DeepStream { "memory:NVMM" } else { ds_meta::CAPS_FEATURE_BATCH };
    filter1.set_property("caps", gst::Caps::builder("video/x-raw").features([feature]).field("format", "RGBA").build());
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let sink: gst::Element = match &sink_kind {
        SinkKind::Fake => {
            let s = backend.make("fakesink", "fakesink")?;
            s.set_property("sync", false);
            s.set_property("qos", false);
            s
        }
        other => ds_app::sink::make_sink_bin(backend, other, "sink")?.upcast(),
    };

    if is_live {
        println!("Atleast one of the sources is live");
        streammux.set_property("live-source", true);
    }
    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = backend.config(APP, "dstest_imagedata_cupy_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    ds_app::override_batch_size(&pgie, number_sources);
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&pgie, &tiler, &nvvidconv, &filter1, &nvvidconv1, &nvosd, &sink])?;
    println!("Linking elements in the Pipeline \n");
    gst::Element::link_many([&streammux, &pgie, &nvvidconv1, &filter1, &tiler, &nvvidconv, &nvosd, &sink])
        .context("linking streammux, pgie, convertor1, filter1, tiler, convertor, OSD and sink")?;

    let tiler_sink_pad = tiler.static_pad("sink").context("Unable to get sink pad of the tiler")?;
    let perf = perf_data.clone();
    tiler_sink_pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = tiler_sink_pad_buffer_probe(buffer.make_mut(), &perf)
        {
            gst::element_error!(pad.parent_element().unwrap(), gst::LibraryError::Failed, ("tiler_sink_pad_buffer_probe: {e:#}"));
            return gst::PadProbeReturn::Drop;
        }
        gst::PadProbeReturn::Ok
    });
    // perf callback function to print fps every 5 sec
    let perf_timer = perf_data.start_printing(Duration::from_secs(5));

    // List the sources
    println!("Now playing...");
    for (i, source) in args.input.iter().enumerate() {
        println!("{i} :  {source}");
    }
    println!("Starting pipeline \n");
    let finalise: Vec<gst::Pad> = sink.static_pad("sink").into_iter().collect();
    let result = ds_app::bus::run(&pipeline, &finalise);
    perf_timer.remove();
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    println!("Exiting app\n");
    result
}
