//! deepstream-imagedata-multistream: port of `deepstream_imagedata-multistream.py`
//! (DeepStream 7.1 Python samples).
//!
//! N URIs → source bins → streammux → detector → convertor → RGBA capsfilter → tiler →
//! convertor → OSD → sink. A probe on the tiler's sink pad (frames still separate, RGBA) gets
//! each frame as an `ndarray` view (`get_nvds_buf_surface`). On every 30th frame of a stream,
//! for the first object of borderline confidence (0.3 < c < 0.4) it draws a box with open
//! corners and the label on the frame itself with OpenCV (so the marks are visible
//! downstream), and saves the annotated frame as `<FOLDER>/stream_<i>/frame_<n>.jpg`.
//!
//! ```sh
//! cargo run -p deepstream-imagedata-multistream -- file://$PWD/streams/vtest.mp4 file://$PWD/streams/market.mp4 out/frames
//! ```
//! Local paths are accepted as well as URIs (turned into `file://` URIs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use gst::prelude::*;
use opencv::core::{Point, Scalar};
use opencv::imgproc;

use ds_app::source::SourceOptions;
use ds_app::{AppArgs, Backend, SinkKind};
use ds_meta::{BatchMeta, ObjectMeta};

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1920;
const TILED_OUTPUT_HEIGHT: u32 = 1080;
const PGIE_CLASSES_STR: [&str; 4] = ["Vehicle", "TwoWheeler", "Person", "RoadSign"];
const MIN_CONFIDENCE: f32 = 0.3;
const MAX_CONFIDENCE: f32 = 0.4;
const APP: &str = "deepstream-imagedata-multistream";

/// deepstream_imagedata-multistream: frames as arrays, annotated and saved as JPEG.
#[derive(Parser, Debug)]
#[command(name = "deepstream_imagedata-multistream", version, about,
          override_usage = "deepstream-imagedata-multistream <uri1> [uri2] ... [uriN] <folder to save frames>")]
struct Args {
    /// URIs of the inputs (file:///..., rtsp://..., or local paths), then the folder to save
    /// frames in (must not exist)
    #[arg(num_args = 2.., required = true, value_name = "URI... FOLDER")]
    args: Vec<String>,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    if std::env::args().len() <= 2 {
        eprintln!("usage: deepstream-imagedata-multistream <uri1> [uri2] ... [uriN] <folder to save frames>");
        return ExitCode::FAILURE;
    }
    ds_app::exit_code(run(Args::parse()))
}

/// Frames seen per stream (`saved_count` of the Python sample: the "every 30th frame" gate).
type SavedCount = Arc<Mutex<BTreeMap<u32, u64>>>;

/// `draw_bounding_boxes` of the Python sample: a box with open corners (four 6-px lines, each
/// edge inset by 5 % of the box's size, 10 % for boxes up to 100 px) and
/// `"<class>,C=<confidence>"` above it, in colour (0, 0, 255, 0) on the RGBA frame.
fn draw_bounding_boxes(image: &mut impl opencv::core::ToInputOutputArray, obj: &Detection) -> opencv::Result<()> {
    let confidence = format!("{:.2}", obj.confidence);
    let rect_params = &obj.rect_params;
    let top = rect_params.top as i32;
    let left = rect_params.left as i32;
    let width = rect_params.width as i32;
    let height = rect_params.height as i32;
    let obj_name = obj.class_name();
    let color = Scalar::new(0.0, 0.0, 255.0, 0.0);
    let w_percents = if width > 100 { (width as f64 * 0.05) as i32 } else { (width as f64 * 0.1) as i32 };
    let h_percents = if height > 100 { (height as f64 * 0.05) as i32 } else { (height as f64 * 0.1) as i32 };
    let linetop_c1 = Point::new(left + w_percents, top);
    let linetop_c2 = Point::new(left + width - w_percents, top);
    imgproc::line(image, linetop_c1, linetop_c2, color, 6, imgproc::LINE_8, 0)?;
    let linebot_c1 = Point::new(left + w_percents, top + height);
    let linebot_c2 = Point::new(left + width - w_percents, top + height);
    imgproc::line(image, linebot_c1, linebot_c2, color, 6, imgproc::LINE_8, 0)?;
    let lineleft_c1 = Point::new(left, top + h_percents);
    let lineleft_c2 = Point::new(left, top + height - h_percents);
    imgproc::line(image, lineleft_c1, lineleft_c2, color, 6, imgproc::LINE_8, 0)?;
    let lineright_c1 = Point::new(left + width, top + h_percents);
    let lineright_c2 = Point::new(left + width, top + height - h_percents);
    imgproc::line(image, lineright_c1, lineright_c2, color, 6, imgproc::LINE_8, 0)?;
    // Note that on some systems cv2.putText erroneously draws horizontal lines across the image
    let text = format!("{obj_name},C={confidence}");
    imgproc::put_text(image, &text, Point::new(left - 10, top - 10), imgproc::FONT_HERSHEY_SIMPLEX, 0.5, color, 2, imgproc::LINE_8, false)?;
    Ok(())
}

/// What the probe needs of an object (copied out of the metadata: the frame's pixels are
/// borrowed mutably from the same buffer while drawing).
struct Detection {
    class_id: i32,
    confidence: f32,
    rect_params: ds_meta::RectParams,
}

impl Detection {
    fn of(obj_meta: &ObjectMeta) -> Detection {
        Detection { class_id: obj_meta.class_id(), confidence: obj_meta.confidence(), rect_params: *obj_meta.rect_params() }
    }
    fn class_name(&self) -> &'static str {
        PGIE_CLASSES_STR.get(self.class_id as usize).copied().unwrap_or("Unknown")
    }
}

/// `tiler_sink_pad_buffer_probe` of the Python sample: per frame, count objects; on the
/// stream's every 30th frame, draw the first borderline object on the frame in place and save
/// a BGRA copy of the annotated frame as JPEG.
fn tiler_sink_pad_buffer_probe(
    buffer: &mut gst::BufferRef,
    folder: &Path,
    perf_data: &ds_app::perf::PerfData,
    saved_count: &SavedCount,
) -> anyhow::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return Ok(());
    };
    let frames: Vec<(u32, u32, i32, u32, Vec<Detection>)> = batch_meta
        .frames()
        .map(|f| (f.batch_id(), f.pad_index(), f.frame_num(), f.num_obj_meta(), f.objects().map(Detection::of).collect()))
        .collect();
    for (batch_id, pad_index, frame_number, num_rects, objects) in frames {
        let mut is_first_obj = true;
        let mut save_image = false;
        let mut frame_copy = None;
        let mut obj_counter = [0u32; 4];
        let stream_index = format!("stream_{pad_index}");
        let seen = saved_count.lock().unwrap_or_else(|e| e.into_inner()).get(&pad_index).copied().unwrap_or(0);
        for obj_meta in &objects {
            if let Some(c) = usize::try_from(obj_meta.class_id).ok().filter(|&c| c < 4) {
                obj_counter[c] += 1;
            }
            // Periodically check for objects with borderline confidence value that may be false
            // positive detections. If such detections are found, annotate the frame with
            // bboxes and confidence value. Save the annotated frame to file.
            if seen % 30 == 0 && MIN_CONFIDENCE < obj_meta.confidence && obj_meta.confidence < MAX_CONFIDENCE {
                if is_first_obj {
                    is_first_obj = false;
                    // Getting Image data using get_nvds_buf_surface: a view on the frame itself,
                    // unmapped when it drops
                    let mut n_frame = ds_meta::get_nvds_buf_surface_mut(buffer, batch_id)?;
                    let mut view = n_frame.view_mut();
                    draw_bounding_boxes(&mut ds_app::cv::mat_mut(&mut view)?, obj_meta)?;
                    // convert python array into numpy array format in the copy mode, and
                    // convert the array into cv2 default color format
                    frame_copy = Some(ds_app::cv::to_bgra(&view.view(), None)?);
                    let r = &obj_meta.rect_params;
                    println!(
                        "Borderline object in {stream_index} frame {frame_number}: {} confidence={:.4} left={} top={} width={} height={}",
                        obj_meta.class_name(), obj_meta.confidence, r.left as i32, r.top as i32, r.width as i32, r.height as i32
                    );
                }
                save_image = true;
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
        if save_image && let Some(frame_copy) = &frame_copy {
            let img_path = folder.join(&stream_index).join(format!("frame_{frame_number}.jpg"));
            ds_app::cv::imwrite(&img_path, frame_copy)?;
        }
        *saved_count.lock().unwrap_or_else(|e| e.into_inner()).entry(pad_index).or_default() += 1;
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    let (inputs, folder) = args.args.split_at(args.args.len() - 1);
    let folder_name = PathBuf::from(&folder[0]);
    if folder_name.exists() {
        eprintln!("The output folder {} already exists. Please remove it first.", folder_name.display());
        bail!("output folder {} exists", folder_name.display());
    }
    let backend = ds_app::init(Some(&args.app.backend))?;
    let uris: Vec<String> = inputs.iter().map(|i| ds_app::source::to_uri(i)).collect();
    for (i, uri) in uris.iter().enumerate() {
        ds_app::source::check_uri(i, uri)?;
    }
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;
    let number_sources = uris.len();

    std::fs::create_dir(&folder_name).with_context(|| format!("creating the output folder {}", folder_name.display()))?;
    println!("Frames will be saved in  {}", folder_name.display());
    for i in 0..number_sources {
        let d = folder_name.join(format!("stream_{i}"));
        std::fs::create_dir(&d).with_context(|| format!("creating {}", d.display()))?;
    }
    let perf_data = ds_app::perf::PerfData::new(number_sources);
    let saved_count: SavedCount = Arc::default();
    let dgpu = backend == Backend::DeepStream && !ds_app::platform::PlatformInfo::get().is_integrated_gpu();

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline \n ");
    let pipeline = gst::Pipeline::with_name(APP);
    let is_live = ds_app::source::any_live(&uris);
    println!("Creating streamux \n ");
    // Create nvstreammux instance to form batches from one or more sources.
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
    filter1.set_property("caps", rgba_batch_caps(backend));
    println!("Creating tiler \n ");
    let tiler = backend.make("nvmultistreamtiler", "nvtiler")?;
    println!("Creating nvvidconv \n ");
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    println!("Creating nvosd \n ");
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let sink: gst::Element = match &sink_kind {
        SinkKind::Fake => {
            println!("Creating FakeSink \n");
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
    let config = backend.config(APP, "dstest_imagedata_config.txt")?;
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());
    ds_app::override_batch_size(&pgie, number_sources);
    let (tiler_rows, tiler_columns) = ds_app::source::tiler_grid(number_sources);
    tiler.set_property("rows", tiler_rows);
    tiler.set_property("columns", tiler_columns);
    tiler.set_property("width", TILED_OUTPUT_WIDTH);
    tiler.set_property("height", TILED_OUTPUT_HEIGHT);
    if dgpu {
        // CUDA unified memory: the frames the probe maps are CPU-accessible
        for e in [&streammux, &nvvidconv, &nvvidconv1, &tiler] {
            e.set_property_from_str("nvbuf-memory-type", "3");
        }
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&pgie, &tiler, &nvvidconv, &filter1, &nvvidconv1, &nvosd, &sink])?;
    println!("Linking elements in the Pipeline \n");
    gst::Element::link_many([&streammux, &pgie, &nvvidconv1, &filter1, &tiler, &nvvidconv, &nvosd, &sink])
        .context("linking streammux, pgie, convertor1, filter1, tiler, convertor, OSD and sink")?;

    // The frames are still separate (and RGBA) on the tiler's sink pad.
    let tiler_sink_pad = tiler.static_pad("sink").context("Unable to get sink pad of the tiler")?;
    {
        let (perf, saved_count, folder) = (perf_data.clone(), saved_count.clone(), folder_name.clone());
        tiler_sink_pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            if let Some(buffer) = info.buffer_mut()
                && let Err(e) = tiler_sink_pad_buffer_probe(buffer.make_mut(), &folder, &perf, &saved_count)
            {
                // An image that cannot be written (disk full, folder removed) stops the run.
                gst::element_error!(
                    pad.parent_element().unwrap(),
                    gst::LibraryError::Failed,
                    ("tiler_sink_pad_buffer_probe: {e:#}")
                );
                return gst::PadProbeReturn::Drop;
            }
            gst::PadProbeReturn::Ok
        });
    }
    // perf callback function to print fps every 5 sec
    let perf_timer = perf_data.start_printing(Duration::from_secs(5));

    // List the sources
    println!("Now playing...");
    for (i, source) in inputs.iter().enumerate() {
        println!("{i} :  {source}");
    }
    println!("Starting pipeline \n");
    let finalise: Vec<gst::Pad> = sink.static_pad("sink").into_iter().collect();
    let result = ds_app::bus::run(&pipeline, &finalise);
    perf_timer.remove();
    let saved = (0..number_sources)
        .map(|i| std::fs::read_dir(folder_name.join(format!("stream_{i}"))).map(|d| d.count()).unwrap_or(0))
        .sum::<usize>();
    println!("{saved} annotated frames saved in {}", folder_name.display());
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    println!("Exiting app\n");
    result
}

/// `video/x-raw(memory:NVMM), format=RGBA` on DeepStream; the portable batch in RGBA otherwise.
fn rgba_batch_caps(backend: Backend) -> gst::Caps {
    let feature = match backend {
        Backend::DeepStream => "memory:NVMM",
        Backend::Portable => ds_meta::CAPS_FEATURE_BATCH,
    };
    gst::Caps::builder("video/x-raw").features([feature]).field("format", "RGBA").build()
}
