//! deepstream-imagedata-multistream-redaction: port of
//! `deepstream_imagedata-multistream_redaction.py` (DeepStream 7.1 Python samples).
//!
//! N URIs → source bins → streammux → detector → convertor → RGBA capsfilter → tiler (720x576)
//! → convertor → OSD → RTSP-OUT. A probe on the tiler's sink pad has the OSD cover every face
//! with an opaque black box and every person with a half-transparent one, and on every 10th
//! frame of a stream saves the first face as a JPEG crop under `out_crops/stream_<i>/`.
//!
//! On DeepStream the detector is PeopleNet (Person, Bag, Face); on the portable backend two
//! detectors stand in for it: YOLOv3-tiny for the persons, then CenterFace for the faces
//! (both in `configs/deepstream-imagedata-multistream-redaction/portable/`).
//!
//! ```sh
//! cargo run -p deepstream-imagedata-multistream-redaction -- -i file://$PWD/streams/carphone_pristine.mp4
//! gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:8554/ds-test ! decodebin ! autovideosink
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{CommandFactory as _, Parser};
use gst::prelude::*;

use ds_app::rtsp::{Codec, RtspArgs, RtspOutOptions};
use ds_app::source::SourceOptions;
use ds_app::{AppArgs, Backend};
use ds_meta::BatchMeta;

const PGIE_CLASS_ID_PERSON: i32 = 0;
const PGIE_CLASS_ID_FACE: i32 = 2;
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 720;
const TILED_OUTPUT_HEIGHT: u32 = 576;
const APP: &str = "deepstream-imagedata-multistream-redaction";
/// The crops' folder, relative to the working directory (fixed, as in the sample).
const FOLDER_NAME: &str = "out_crops";

/// deepstream_imagedata-multistream_redaction: redaction of faces and persons, served over RTSP.
#[derive(Parser, Debug)]
#[command(name = "deepstream_imagedata-multistream_redaction", version, about)]
struct Args {
    /// Path to input streams (URIs: file:///..., rtsp://..., or local paths)
    #[arg(short = 'i', long = "uri_inputs", num_args = 1.., required = true, value_name = "N")]
    uri_inputs: Vec<String>,
    /// RTSP Streaming Codec H264/H265
    #[arg(short = 'c', long = "codec", default_value = "H264", value_parser = ["H264", "H265"])]
    codec: String,
    /// Set the encoding bitrate (bit/s)
    #[arg(short = 'b', long = "bitrate", default_value_t = ds_app::rtsp::DEFAULT_BITRATE)]
    bitrate: u32,
    #[command(flatten)]
    rtsp: RtspArgs,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    // No arguments at all: the help on stderr and exit 1, as the Python sample.
    if std::env::args().len() <= 1 {
        let _ = Args::command().write_help(&mut std::io::stderr());
        return ExitCode::FAILURE;
    }
    ds_app::exit_code(run(Args::parse()))
}

/// Frames seen per stream (`saved_count`: the "every 10th frame" gate).
type SavedCount = Arc<Mutex<BTreeMap<u32, u64>>>;

/// `tiler_sink_pad_buffer_probe` of the Python sample: faces get an opaque black background
/// and persons a half-transparent one (drawn by the OSD downstream); on every 10th frame of a
/// stream the first face is cropped from the frame and saved.
fn tiler_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, perf_data: &ds_app::perf::PerfData, saved_count: &SavedCount) -> anyhow::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    // What is cropped after the metadata pass (the pixels are borrowed from the same buffer).
    let mut crops: Vec<(u32, u32, i32, ds_meta::RectParams)> = Vec::new();
    for frame_meta in batch_meta.frames_mut() {
        let (frame_number, pad_index, batch_id) = (frame_meta.frame_num(), frame_meta.pad_index(), frame_meta.batch_id());
        let num_rects = frame_meta.num_obj_meta();
        let mut is_first_obj = true;
        let mut obj_counter = [0u32; 3];
        let seen = saved_count.lock().unwrap_or_else(|e| e.into_inner()).get(&pad_index).copied().unwrap_or(0);
        for obj_meta in frame_meta.objects_mut() {
            let class_id = obj_meta.class_id();
            if let Some(c) = usize::try_from(class_id).ok().filter(|&c| c < 3) {
                obj_counter[c] += 1;
            }
            let rect_params = obj_meta.rect_params_mut();
            if class_id == PGIE_CLASS_ID_FACE {
                // Solid black box over the face
                rect_params.border_width = 0;
                rect_params.has_bg_color = 1;
                rect_params.bg_color.set(0.0, 0.0, 0.0, 1.0);
            } else if class_id == PGIE_CLASS_ID_PERSON {
                // Half-transparent black over the person
                rect_params.border_width = 0;
                rect_params.has_bg_color = 1;
                rect_params.bg_color.set(0.0, 0.0, 0.0, 0.5);
            }
            if class_id == PGIE_CLASS_ID_FACE {
                let r = obj_meta.rect_params();
                println!(
                    "Face in stream_{pad_index} frame {frame_number}: left={} top={} width={} height={}",
                    r.left as i32, r.top as i32, r.width as i32, r.height as i32
                );
                // Save the first face of every 10th frame of the stream
                if seen % 10 == 0 && is_first_obj {
                    is_first_obj = false;
                    crops.push((batch_id, pad_index, frame_number, *r));
                }
            }
        }
        println!(
            "Frame Number= {} Number of Objects= {} Face_count= {} Person_count= {}",
            frame_number, num_rects, obj_counter[PGIE_CLASS_ID_FACE as usize], obj_counter[PGIE_CLASS_ID_PERSON as usize]
        );
        // Update frame rate through this probe
        perf_data.update_fps(pad_index as usize);
        *saved_count.lock().unwrap_or_else(|e| e.into_inner()).entry(pad_index).or_default() += 1;
    }
    for (batch_id, pad_index, frame_number, r) in crops {
        // Getting Image data using get_nvds_buf_surface (unmapped when it drops)
        let n_frame = ds_meta::get_nvds_buf_surface(buffer, batch_id)?;
        let roi = opencv::core::Rect::new(r.left as i32, r.top as i32, r.width as i32, r.height as i32);
        // frame[top:top+height, left:left+width] copied and converted to cv2's colour order
        let frame_copy = ds_app::cv::to_bgra(&n_frame.view(), Some(roi))?;
        let img_path = Path::new(FOLDER_NAME).join(format!("stream_{pad_index}")).join(format!("frame_{frame_number}.jpg"));
        ds_app::cv::imwrite(&img_path, &frame_copy)?;
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    let uris: Vec<String> = args.uri_inputs.iter().map(|i| ds_app::source::to_uri(i)).collect();
    println!("URI Inputs: {:?}", args.uri_inputs);
    if Path::new(FOLDER_NAME).exists() {
        eprintln!("The output folder {FOLDER_NAME} already exists. Please remove it first.");
        bail!("output folder {FOLDER_NAME} exists");
    }
    let codec = Codec::parse(&args.codec)?;
    let backend = ds_app::init(Some(&args.app.backend))?;
    for (i, uri) in uris.iter().enumerate() {
        ds_app::source::check_uri(i, uri)?;
    }
    let number_sources = uris.len();
    std::fs::create_dir(FOLDER_NAME).with_context(|| format!("creating the output folder {FOLDER_NAME}"))?;
    for i in 0..number_sources {
        let d = PathBuf::from(FOLDER_NAME).join(format!("stream_{i}"));
        std::fs::create_dir(&d).with_context(|| format!("creating {}", d.display()))?;
    }
    let perf_data = ds_app::perf::PerfData::new(number_sources);
    let saved_count: SavedCount = Arc::default();

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    println!("Creating streamux \n ");
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    pipeline.add(&streammux)?;
    let opts = SourceOptions { verbose: true, ..Default::default() };
    ds_app::source::add_source_bins(backend, &pipeline, &streammux, &uris, &opts)?;
    println!("Creating Pgie \n ");
    let pgie = backend.make("nvinfer", "primary-inference")?;
    // Portable backend: CenterFace adds the faces that PeopleNet finds on DeepStream.
    let face_gie = match backend {
        Backend::Portable => Some(backend.make("nvinfer", "face-inference")?),
        Backend::DeepStream => None,
    };
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
    // convertor_postosd, filter, encoder, rtppay, udpsink; and the RTSP server
    let rtsp_opts = RtspOutOptions {
        codec,
        bitrate: args.bitrate,
        port: args.rtsp.rtsp_port,
        address: args.rtsp.rtsp_address.clone(),
        ..Default::default()
    };

    streammux.set_property("width", MUXER_OUTPUT_WIDTH);
    streammux.set_property("height", MUXER_OUTPUT_HEIGHT);
    streammux.set_property("batch-size", number_sources as u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = backend.config(APP, "config_infer_primary_peoplenet.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    ds_app::override_batch_size(&pgie, number_sources);
    if let Some(f) = &face_gie {
        f.set_property("config-file-path", backend.config(APP, "config_infer_faces.txt")?.to_string_lossy().as_ref());
        f.set_property("batch-size", number_sources as u32);
    }
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);
    if backend == Backend::DeepStream && !ds_app::platform::PlatformInfo::get().is_integrated_gpu() {
        // CUDA unified memory: the frames the probe maps are CPU-accessible
        for e in [&streammux, &nvvidconv, &nvvidconv1, &tiler] {
            e.set_property_from_str("nvbuf-memory-type", "3");
        }
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&pgie, &tiler, &nvvidconv, &filter1, &nvvidconv1, &nvosd])?;
    println!("Linking elements in the Pipeline \n");
    match &face_gie {
        Some(f) => {
            pipeline.add(f)?;
            gst::Element::link_many([&streammux, &pgie, f, &nvvidconv1]).context("linking streammux and the detectors")?;
        }
        None => gst::Element::link_many([&streammux, &pgie, &nvvidconv1]).context("linking streammux and pgie")?,
    }
    gst::Element::link_many([&nvvidconv1, &filter1, &tiler, &nvvidconv, &nvosd])
        .context("linking convertor1, filter1, tiler, convertor and OSD")?;
    let out = ds_app::rtsp::make_rtsp_out(backend, &rtsp_opts)?;
    pipeline.add(&out.bin)?;
    nvosd.link(&out.bin).context("linking the OSD to the RTSP output")?;

    let tiler_sink_pad = tiler.static_pad("sink").context("Unable to get sink pad of the tiler")?;
    {
        let (perf, saved_count) = (perf_data.clone(), saved_count.clone());
        tiler_sink_pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            if let Some(buffer) = info.buffer_mut()
                && let Err(e) = tiler_sink_pad_buffer_probe(buffer.make_mut(), &perf, &saved_count)
            {
                gst::element_error!(pad.parent_element().unwrap(), gst::LibraryError::Failed, ("tiler_sink_pad_buffer_probe: {e:#}"));
                return gst::PadProbeReturn::Drop;
            }
            gst::PadProbeReturn::Ok
        });
    }
    // perf callback function to print fps every 5 sec
    let perf_timer = perf_data.start_printing(Duration::from_secs(5));

    // List the sources
    println!("Now playing...");
    for (i, source) in args.uri_inputs.iter().enumerate() {
        println!("{i} :  {source}");
    }
    println!("Starting pipeline \n");
    let result = ds_app::bus::run(&pipeline, &[]);
    perf_timer.remove();
    drop(out);
    println!("Exiting app\n");
    result
}
