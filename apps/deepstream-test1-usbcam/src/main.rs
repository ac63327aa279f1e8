//! deepstream-test1-usbcam: port of `deepstream_test_1_usb.py` (DeepStream 7.1 Python
//! samples).
//!
//! test1 with a V4L2 camera: `v4l2src` (30 fps) → `videoconvert` → `nvvideoconvert` →
//! streammux → detector → convertor → OSD → sink (`sync=false`). A probe on the OSD sink pad
//! counts vehicles and people and writes
//! `Frame Number=N Number of Objects=M Vehicle_count=V Person_count=P` on each frame.
//!
//! The device is checked before the pipeline starts: a missing path, or a path that is not a
//! V4L2 device (character device, major 81), is an error naming it.
//!
//! `--test-source` puts a live `videotestsrc` (640x480 YUY2, what a webcam gives) where
//! `v4l2src` is, for machines without a camera (CI, the tests); the rest of the pipeline is
//! the same. Ctrl-C stops the camera with EOS, so a `--sink file` MP4 is complete.
//!
//! ```sh
//! cargo run -p deepstream-test1-usbcam -- /dev/video0
//! cargo run -p deepstream-test1-usbcam -- --test-source --sink file     # no camera here
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::{AppArgs, Backend, SinkKind};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_BICYCLE: i32 = 1;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const PGIE_CLASS_ID_ROADSIGN: i32 = 3;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const APP: &str = "deepstream-test1-usbcam";
/// Major number of V4L2 character devices (`/dev/video*`).
const V4L_MAJOR: u64 = 81;

/// deepstream-test1-usbcam: detect vehicles and people in a V4L2 camera's video.
#[derive(Parser, Debug)]
#[command(name = "deepstream_test_1_usb", version, about)]
struct Args {
    /// V4L2 device path, e.g. /dev/video0
    #[arg(required_unless_present = "test_source")]
    device: Option<PathBuf>,
    /// Use a live test source (videotestsrc, 640x480 YUY2 at 30 fps) instead of a camera
    #[arg(long)]
    test_source: bool,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    // No arguments at all: the help on stderr and exit 1, as the Python sample.
    if std::env::args().len() <= 1 {
        let _ = Args::command().write_help(&mut std::io::stderr());
        return ExitCode::FAILURE;
    }
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ds_app::bus::PipelineError>().is_some() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Checks that `device` is a V4L2 device node.
///
/// Errors: it does not exist, or is not a character device of major 81 (the message names
/// the path and says how to list the cameras).
fn check_v4l2_device(device: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
    let hint = "list the cameras with `v4l2-ctl --list-devices` (or `ls /dev/video*`); without a camera, \
                --test-source runs the pipeline on a live test source";
    let meta = match std::fs::metadata(device) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("camera device {} not found: {hint}", device.display())
        }
        Err(e) => bail!("camera device {}: {e}: {hint}", device.display()),
    };
    let rdev = meta.rdev();
    let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
    if !meta.file_type().is_char_device() || major != V4L_MAJOR {
        bail!("{} is not a V4L2 camera device (expected a /dev/video* character device): {hint}", device.display());
    }
    Ok(())
}

/// `osd_sink_pad_buffer_probe` of the sample: count the objects by class (one counter per
/// batch) and add the text overlay to each frame (printed too).
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    let mut obj_counter = [0u32; 4];
    for frame_meta in batch_meta.frames_mut() {
        for obj_meta in frame_meta.objects_mut() {
            let class = obj_meta.class_id();
            if matches!(class, PGIE_CLASS_ID_VEHICLE | PGIE_CLASS_ID_BICYCLE | PGIE_CLASS_ID_PERSON | PGIE_CLASS_ID_ROADSIGN) {
                obj_counter[class as usize] += 1;
            }
        }
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize],
        );
        let display_meta = frame_meta.add_display_meta()?;
        let text_params = display_meta.add_label()?;
        text_params.set_display_text(&text)?;
        text_params.set_x_offset(10);
        text_params.set_y_offset(12);
        text_params.font_params_mut().set_font_name("Serif")?;
        text_params.font_params_mut().set_font_size(10);
        text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        text_params.set_bg_enabled(true);
        text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        println!("{}", text_params.display_text());
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    if !args.test_source
        && let Some(d) = &args.device
    {
        check_v4l2_device(d)?;
    }
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;

    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name(APP);
    // Source element for reading from the camera (or the live test source standing in)
    println!("Creating Source");
    let source = if args.test_source {
        let s = backend.make("videotestsrc", "usb-cam-source")?;
        s.set_property("is-live", true);
        s.set_property_from_str("pattern", "ball");
        s
    } else {
        backend.make("v4l2src", "usb-cam-source")?
    };
    let caps_v4l2src = backend.make("capsfilter", "v4l2src_caps")?;
    // videoconvert to make sure a superset of raw formats are supported
    println!("Creating Video Converter");
    let vidconvsrc = backend.make("videoconvert", "convertor_src1")?;
    // nvvideoconvert to convert incoming raw buffers to NVMM Mem (NvBufSurface API)
    let nvvidconvsrc = backend.make("nvvideoconvert", "convertor_src2")?;
    let caps_vidconvsrc = backend.make("capsfilter", "nvmm_caps")?;
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    let pgie = backend.make("nvinfer", "primary-inference")?;
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;
    // Set sync = false to avoid late frame drops at the display-sink
    if let Some(renderer) = sink.by_name("nvvideo-renderer").or_else(|| sink.by_name("nv3d-sink")) {
        renderer.set_property("sync", false);
    }

    match &args.device {
        Some(d) if !args.test_source => {
            println!("Playing cam {}", d.display());
            source.set_property("device", d.to_string_lossy().as_ref());
        }
        _ => println!("Playing the live test source (--test-source)"),
    }
    let mut raw = gst::Caps::builder("video/x-raw").field("framerate", gst::Fraction::new(30, 1));
    if args.test_source {
        raw = raw.field("format", "YUY2").field("width", 640i32).field("height", 480i32);
    }
    caps_v4l2src.set_property("caps", raw.build());
    let nvmm = match backend {
        Backend::DeepStream => gst::Caps::builder("video/x-raw").features(["memory:NVMM"]).build(),
        // The portable muxer takes system memory.
        Backend::Portable => gst::Caps::builder("video/x-raw").build(),
    };
    caps_vidconvsrc.set_property("caps", nvmm);
    streammux.set_property("width", 1920u32);
    streammux.set_property("height", 1080u32);
    streammux.set_property("batch-size", 1u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = backend.config(APP, "dstest1_pgie_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());

    println!("Adding elements to Pipeline");
    pipeline.add_many([&source, &caps_v4l2src, &vidconvsrc, &nvvidconvsrc, &caps_vidconvsrc, &streammux, &pgie, &nvvidconv, &nvosd])?;
    pipeline.add(&sink)?;

    // v4l2src -> nvvideoconvert -> mux -> nvinfer -> nvvideoconvert -> nvosd -> video-renderer
    println!("Linking elements in the Pipeline");
    gst::Element::link_many([&source, &caps_v4l2src, &vidconvsrc, &nvvidconvsrc, &caps_vidconvsrc])
        .context("linking the camera, its caps and the converters")?;
    let sinkpad = streammux.request_pad_simple("sink_0").context("Unable to get the sink pad of streammux")?;
    let srcpad = caps_vidconvsrc.static_pad("src").context("Unable to get source pad of caps_vidconvsrc")?;
    srcpad.link(&sinkpad).context("linking the camera branch to the streammux")?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd]).context("linking streammux, nvinfer, convertor and OSD")?;
    nvosd.link(&sink).context("linking the OSD to the sink")?;

    let osdsinkpad = nvosd.static_pad("sink").context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut())
        {
            eprintln!("osd_sink_pad_buffer_probe: {e}");
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    let sink_pad = sink.static_pad("sink").context("sink bin without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[sink_pad]);
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    result
}
