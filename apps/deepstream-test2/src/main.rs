//! deepstream-test2: port of `deepstream_test_2.py` (DeepStream 7.1 Python samples).
//!
//! test1's pipeline plus a tracker and two secondary classifiers on the tracked vehicles:
//! H.264 elementary stream → decoder → streammux → primary detector → tracker → SGIE1
//! (vehicle make) → SGIE2 (vehicle type) → convertor → OSD → sink. The probe on the OSD sink
//! pad counts vehicles and people, writes the text line on each frame, and prints the
//! tracker's past-frame data when the tracker attaches it.
//!
//! On the portable backend the detector is YOLOv3-tiny (COCO mapped onto the four classes),
//! the tracker is `dstracker` with the sample's NvDCF config, and both classifiers run
//! EfficientNet-Lite0 (ImageNet): SGIE1 reports the ImageNet vehicle class in place of a
//! make, SGIE2 maps ImageNet's vehicle classes onto VehicleTypeNet's six labels (see
//! `configs/deepstream-test2/portable/`).
//!
//! ```sh
//! cargo run -p deepstream-test2 -- streams/vtest.h264
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use ds_app::{AppArgs, SinkKind};
use ds_meta::BatchMeta;
use ds_meta::infer::TrackerPastFrames;

const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const APP: &str = "deepstream-test2";
/// The SGIEs' `gie-unique-id`s in the sample's configs.
const SGIE_IDS: [i32; 2] = [2, 3];

/// deepstream-test2: detection, tracking and vehicle classification on an H.264 stream.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// H.264 elementary stream (Annex B byte-stream, e.g. streams/vtest.h264)
    input: PathBuf,
    /// Ignored, as in the Python sample (past-frame data is always on in DeepStream 7.1)
    #[arg(hide = true)]
    past_frame: Option<String>,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// What the run saw, printed at the end (an addition to the Python sample): tracking ids
/// per class and the vehicles the two classifiers labelled.
#[derive(Debug, Default)]
struct Summary {
    ids: BTreeMap<i32, BTreeSet<u64>>,
    vehicles: u64,
    vehicles_with_both_labels: u64,
    labels: BTreeMap<String, u64>,
}

/// Python's `print(float)`: `12.0`, `3.25`.
fn py_float(f: f32) -> String {
    let f = f as f64;
    if f.fract() == 0.0 && f.abs() < 1e16 { format!("{f:.1}") } else { format!("{f}") }
}

/// `osd_sink_pad_buffer_probe` of the Python sample.
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, summary: &Mutex<Summary>) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    let mut summary = summary.lock().unwrap_or_else(|e| e.into_inner());
    // Initializing object counter with 0 (once per batch, as the Python sample).
    let mut obj_counter = [0u32; 4];
    for frame_meta in batch_meta.frames_mut() {
        for obj_meta in frame_meta.objects() {
            let class = obj_meta.class_id();
            if let Ok(c) = usize::try_from(class)
                && c < 4
            {
                obj_counter[c] += 1;
            }
            if obj_meta.object_id() != ds_meta::sys::UNTRACKED_OBJECT_ID {
                summary.ids.entry(class).or_default().insert(obj_meta.object_id());
            }
            if class == PGIE_CLASS_ID_VEHICLE {
                summary.vehicles += 1;
                let mut found = [false; 2];
                for cm in obj_meta.classifier_metas() {
                    if let Some(k) = SGIE_IDS.iter().position(|&id| id == cm.unique_component_id()) {
                        found[k] = true;
                        for l in cm.label_infos() {
                            *summary.labels.entry(format!("sgie{}:{}", k + 1, l.result_label())).or_default() += 1;
                        }
                    }
                }
                if found == [true, true] {
                    summary.vehicles_with_both_labels += 1;
                }
            }
        }
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize],
        );
        // Acquiring a display meta object and adding it to the frame.
        let display_meta = frame_meta.add_display_meta()?;
        let py_nvosd_text_params = display_meta.add_label()?;
        // Setting display text to be shown on screen
        py_nvosd_text_params.set_display_text(&text)?;
        // Now set the offsets where the string should appear
        py_nvosd_text_params.set_x_offset(10);
        py_nvosd_text_params.set_y_offset(12);
        // Font, font-color and font-size
        py_nvosd_text_params.font_params_mut().set_font_name("Serif")?;
        py_nvosd_text_params.font_params_mut().set_font_size(10);
        // set(red, green, blue, alpha); set to White
        py_nvosd_text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        // Text background color; set to Black
        py_nvosd_text_params.set_bg_enabled(true);
        py_nvosd_text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        // Using pyds.get_string() to get display_text as string
        println!("{}", py_nvosd_text_params.display_text());
    }
    // Past frame information
    for user_meta in batch_meta.user_metas() {
        let Some(pf_batch) = user_meta.tracker_past_frames() else { continue };
        for pf_stream in pf_batch.streams() {
            println!("streamId= {}", pf_stream.streamID);
            println!("surfaceStreamID= {}", pf_stream.surfaceStreamID);
            for pf_obj in TrackerPastFrames::objects(pf_stream) {
                println!("numobj= {}", pf_obj.numObj);
                println!("uniqueId= {}", pf_obj.uniqueId);
                println!("classId= {}", pf_obj.classId);
                println!("objLabel= {}", TrackerPastFrames::obj_label(pf_obj));
                for obj in TrackerPastFrames::frames(pf_obj) {
                    println!("frameNum: {}", obj.frameNum);
                    println!("tBbox.left: {}", py_float(obj.tBbox.left));
                    println!("tBbox.width: {}", py_float(obj.tBbox.width));
                    println!("tBbox.top: {}", py_float(obj.tBbox.top));
                    // The Python sample prints the height under this label.
                    println!("tBbox.right: {}", py_float(obj.tBbox.height));
                    println!("confidence: {}", py_float(obj.confidence));
                    println!("age: {}", obj.age);
                }
            }
        }
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    // Like the Python sample, this takes only an H.264 elementary stream: say so at once.
    ds_app::input::check_h264_elementary_stream(&args.input)?;
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = SinkKind::resolve(&args.app.sink, APP, args.app.output.clone())?;

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline ");
    let pipeline = gst::Pipeline::with_name(APP);
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is elementary h264 stream, we need a h264parser
    let h264parser = backend.make("h264parse", "h264-parser")?;
    // Use nvdec_h264 for hardware accelerated decode on GPU (avdec_h264 on the portable backend)
    let decoder = backend.make("nvv4l2decoder", "nvv4l2-decoder")?;
    // Create nvstreammux instance to form batches from one or more sources.
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    // Use nvinfer to run inferencing on decoder's output, behaviour of inferencing is set
    // through config file
    let pgie = backend.make("nvinfer", "primary-inference")?;
    let tracker = backend.make("nvtracker", "tracker")?;
    let sgie1 = backend.make("nvinfer", "secondary1-nvinference-engine")?;
    let sgie2 = backend.make("nvinfer", "secondary2-nvinference-engine")?;
    // Use convertor to convert from NV12 to RGBA as required by nvosd
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    // Create OSD to draw on the converted RGBA buffer
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;

    println!("Playing file {}", args.input.display());
    source.set_property("location", args.input.to_string_lossy().as_ref());
    streammux.set_property("width", 1920u32);
    streammux.set_property("height", 1080u32);
    streammux.set_property("batch-size", 1u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);

    // Set properties of pgie and sgie
    let cfg = |f: &str| -> anyhow::Result<String> { Ok(backend.config(APP, f)?.to_string_lossy().into_owned()) };
    pgie.set_property("config-file-path", cfg("dstest2_pgie_config.txt")?);
    sgie1.set_property("config-file-path", cfg("dstest2_sgie1_config.txt")?);
    sgie2.set_property("config-file-path", cfg("dstest2_sgie2_config.txt")?);

    // Set properties of tracker
    ds_app::tracker::configure_from_ini(&tracker, &backend.config(APP, "dstest2_tracker_config.txt")?)?;

    println!("Adding elements to Pipeline ");
    pipeline.add_many([&source, &h264parser, &decoder, &streammux, &pgie, &tracker, &sgie1, &sgie2, &nvvidconv, &nvosd])?;
    pipeline.add(&sink)?;

    // file-source -> h264-parser -> nvh264-decoder -> nvinfer -> nvtracker -> sgie1 -> sgie2 ->
    // nvvidconv -> nvosd -> video-renderer
    println!("Linking elements in the Pipeline ");
    gst::Element::link_many([&source, &h264parser, &decoder]).context("linking filesrc, h264parse and the decoder")?;
    let sinkpad = streammux.request_pad_simple("sink_0").context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder.static_pad("src").context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad).context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &pgie, &tracker, &sgie1, &sgie2, &nvvidconv, &nvosd])
        .context("linking streammux, pgie, tracker, sgie1, sgie2, convertor and OSD")?;
    nvosd.link(&sink).context("linking the OSD to the sink")?;

    // Lets add probe to get informed of the meta data generated, we add probe to the sink
    // pad of the osd element, since by that time, the buffer would have had got all the
    // metadata.
    let summary: Arc<Mutex<Summary>> = Arc::default();
    let osdsinkpad = nvosd.static_pad("sink").context("Unable to get sink pad of nvosd")?;
    let s = summary.clone();
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut(), &s)
        {
            eprintln!("osd_sink_pad_buffer_probe: {e}");
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline ");
    let sink_pad = sink.static_pad("sink").context("sink bin without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[sink_pad]);
    {
        let s = summary.lock().unwrap_or_else(|e| e.into_inner());
        let ids = |c: i32| s.ids.get(&c).map(|v| v.len()).unwrap_or(0);
        println!(
            "Tracked ids: Vehicle={} Person={}; vehicles with both classifier labels: {} of {}",
            ids(PGIE_CLASS_ID_VEHICLE),
            ids(PGIE_CLASS_ID_PERSON),
            s.vehicles_with_both_labels,
            s.vehicles
        );
        let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("Classifier labels: {}", labels.join(" "));
    }
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    result
}
