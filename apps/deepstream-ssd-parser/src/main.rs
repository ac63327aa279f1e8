//! deepstream-ssd-parser: port of `deepstream_ssd_parser.py` (DeepStream 7.1 Python samples).
//!
//! One H.264 elementary stream → decoder → streammux → inference with **no post-processing**
//! (`nvinferserver`, `output_tensor_meta: true`, `postprocess { other {} }`) → convertor → OSD
//! → MPEG-4 in an MP4 (`avenc_mpeg4`). A probe on the inference's src pad reads each frame's
//! raw output tensors (`NvDsInferTensorMeta`), parses the four layers of a TensorFlow
//! object-detection model ([`deepstream_ssd_parser::ssd_parser`]), clusters them per class
//! ([`deepstream_ssd_parser::nms`]) and adds the objects to the frame (red boxes, label and
//! confidence). A probe on the OSD's sink pad counts cars and people.
//!
//! DeepStream backend: the sample's Triton model `ssd_inception_v2_coco_2018_01_28`. Portable
//! backend: no SSD can be fetched from the package registries and run here, so `dsinfer` runs
//! YOLOv3-tiny extended with a decode head that emits the same four tensors
//! (`scripts/yolo_tfod_head.py`, run by `scripts/setup.sh`); no Triton server is needed.
//!
//! ```sh
//! cargo run -p deepstream-ssd-parser -- streams/vtest.h264            # writes ./out.mp4
//! cargo run -p deepstream-ssd-parser -- --backend portable -o out/ssd.mp4 streams/vtest.h264
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use deepstream_ssd_parser::ssd_parser::{
    BoxSizeParam, DetectionParam, Layer, NmsParam, ObjectDetectionInfo, nvds_infer_parse_custom_tf_ssd,
};
use ds_app::Backend;
use ds_meta::{BatchMeta, FrameMeta};

const APP: &str = "deepstream-ssd-parser";
const CLASS_NB: usize = 91;
const ACCURACY_ALL_CLASS: f32 = 0.5;
const UNTRACKED_OBJECT_ID: u64 = 0xffff_ffff_ffff_ffff;
const IMAGE_HEIGHT: u32 = 1080;
const IMAGE_WIDTH: u32 = 1920;
const MIN_BOX_WIDTH: u32 = 32;
const MIN_BOX_HEIGHT: u32 = 32;
const TOP_K: usize = 20;
const IOU_THRESHOLD: f32 = 0.3;
const OUTPUT_VIDEO_NAME: &str = "./out.mp4";
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;

/// deepstream-ssd-parser: detect objects with an SSD whose raw tensors are parsed in the app.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// H.264 elementary stream (Annex B byte-stream, e.g. streams/vtest.h264)
    input: PathBuf,
    /// Which elements to use: deepstream, portable or auto
    #[arg(long, env = "DS_BACKEND", default_value = "auto", value_parser = ["auto", "deepstream", "portable"])]
    backend: String,
    /// The MP4 written (the sample's ./out.mp4)
    #[arg(short, long, default_value = OUTPUT_VIDEO_NAME)]
    output: PathBuf,
    /// The inference config (default: the sample's dstest_ssd_nopostprocess.txt for the
    /// backend, under configs/deepstream-ssd-parser/)
    #[arg(short, long)]
    config: Option<PathBuf>,
}

fn main() -> ExitCode {
    ds_app::exit_code(run(Args::parse()))
}

/// The label file: one label per line, index = class id.
fn read_labels(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the labels {}", path.display()))?;
    Ok(text.lines().map(|l| l.trim_end_matches('\r').to_string()).collect())
}

/// `add_obj_meta_to_frame` of the sample: one parsed detection as an object of the frame.
fn add_obj_meta_to_frame(frame_object: &ObjectDetectionInfo, frame_meta: &mut FrameMeta, label_names: &[String]) -> ds_meta::Result<()> {
    let obj_meta = frame_meta.add_obj_meta(None)?;
    // Set bbox properties. These are in input resolution.
    let rect_params = obj_meta.rect_params_mut();
    rect_params.left = (IMAGE_WIDTH as f32 * frame_object.left) as i32 as f32;
    rect_params.top = (IMAGE_HEIGHT as f32 * frame_object.top) as i32 as f32;
    rect_params.width = (IMAGE_WIDTH as f32 * frame_object.width) as i32 as f32;
    rect_params.height = (IMAGE_HEIGHT as f32 * frame_object.height) as i32 as f32;
    // Semi-transparent yellow background, not drawn
    rect_params.has_bg_color = 0;
    rect_params.bg_color.set(1.0, 1.0, 0.0, 0.4);
    // Red border of width 3
    rect_params.border_width = 3;
    rect_params.border_color.set(1.0, 0.0, 0.0, 1.0);
    let (left, top) = (rect_params.left, rect_params.top);
    // Set object info including class, detection confidence, etc.
    obj_meta.set_confidence(frame_object.detection_confidence);
    obj_meta.set_class_id(frame_object.class_id as i32);
    // There is no tracking ID upon detection. The tracker will assign an ID.
    obj_meta.set_object_id(UNTRACKED_OBJECT_ID);
    let id = if (frame_object.class_id as usize) < label_names.len() { frame_object.class_id as usize } else { 0 };
    let label = label_names.get(id).map(String::as_str).unwrap_or("");
    obj_meta.set_obj_label(label)?;
    // Set the object caption: label and confidence
    let txt_params = obj_meta.text_params_mut();
    txt_params.set_x_offset(left as u32);
    txt_params.set_y_offset((top as i32 - 10).max(0) as u32);
    txt_params.set_display_text(&format!("{label} {:04.3}", frame_object.detection_confidence))?;
    // Font, font-color and font-size: white Serif 10
    txt_params.font_params_mut().set_font_name("Serif")?;
    txt_params.font_params_mut().set_font_size(10);
    txt_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
    // Text background color: black
    txt_params.set_bg_enabled(true);
    txt_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
    Ok(())
}

/// `pgie_src_pad_buffer_probe` of the sample: parse each frame's output tensors and add the
/// objects found.
fn pgie_src_pad_buffer_probe(buffer: &mut gst::BufferRef, label_names: &[String]) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    let detection_params = DetectionParam::new(CLASS_NB, ACCURACY_ALL_CLASS);
    let box_size_param = BoxSizeParam {
        image_height: IMAGE_HEIGHT,
        image_width: IMAGE_WIDTH,
        min_box_width: MIN_BOX_WIDTH,
        min_box_height: MIN_BOX_HEIGHT,
    };
    let nms_param = NmsParam { top_k: TOP_K, iou_threshold: IOU_THRESHOLD };
    for frame_meta in batch_meta.frames_mut() {
        let mut frame_objects = Vec::new();
        // Frame user metas that are tensor output (the sample's loop skips the others)
        for user_meta in frame_meta.user_metas() {
            let Some(tensor_meta) = user_meta.tensor_output() else { continue };
            // The layers, each with its host buffer (get_nvds_LayerInfo)
            let infos: Vec<_> = tensor_meta.layers().collect();
            let layers: Vec<Layer> = infos
                .iter()
                .map(|l| Layer { name: l.name(), data: l.as_f32(), dims: &l.dims().d[..l.dims().numDims as usize] })
                .collect();
            match nvds_infer_parse_custom_tf_ssd(&layers, &detection_params, &box_size_param, &nms_param) {
                Ok(objects) => frame_objects.extend(objects),
                Err(e) => eprintln!("{e}"),
            }
        }
        for frame_object in &frame_objects {
            add_obj_meta_to_frame(frame_object, frame_meta, label_names)?;
        }
        frame_meta.set_infer_done(true);
    }
    Ok(())
}

/// `osd_sink_pad_buffer_probe` of the sample: count cars and people and write the counts on
/// the frame (and on stdout).
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, label_names: &[String]) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    let index = |name: &str| label_names.iter().position(|l| l == name);
    let (car, person) = (index("car"), index("person"));
    for frame_meta in batch_meta.frames_mut() {
        let mut obj_counter = vec![0u32; CLASS_NB];
        for obj_meta in frame_meta.objects() {
            if let Some(c) = obj_counter.get_mut(obj_meta.class_id() as usize) {
                *c += 1;
            }
        }
        let count = |i: Option<usize>| i.and_then(|i| obj_counter.get(i)).copied().unwrap_or(0);
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
            frame_meta.frame_num(),
            frame_meta.num_obj_meta(),
            count(car),
            count(person)
        );
        let display_meta = frame_meta.add_display_meta()?;
        let py_nvosd_text_params = display_meta.add_label()?;
        py_nvosd_text_params.set_display_text(&text)?;
        // Now set the offsets where the string should appear
        py_nvosd_text_params.set_x_offset(10);
        py_nvosd_text_params.set_y_offset(12);
        // Font, font-color and font-size: white Serif 10
        py_nvosd_text_params.font_params_mut().set_font_name("Serif")?;
        py_nvosd_text_params.font_params_mut().set_font_size(10);
        py_nvosd_text_params.font_params_mut().font_color_mut().set(1.0, 1.0, 1.0, 1.0);
        // Text background color: black
        py_nvosd_text_params.set_bg_enabled(true);
        py_nvosd_text_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);
        println!("{}", py_nvosd_text_params.display_text());
    }
    Ok(())
}

/// Gives the encoder's output buffers their input's timestamps where the encoder lost them.
///
/// `avenc_mpeg4` of gst-libav 1.22 with Debian 12's FFmpeg 5.1.9 stamps every output buffer
/// with PTS = DTS = 2^63 ns; `mpeg4videoparse` then drops the PTS and `qtmux` stops with
/// "Buffer has no PTS". The encoder emits one buffer per input frame in order (no B-frames,
/// `max-bframes=0`), so the input timestamps are put back in that order, moved into the
/// encoder's output segment (which starts 1000 hours later than its input's).
fn restore_encoder_timestamps(encoder: &gst::Element) -> anyhow::Result<()> {
    #[derive(Default)]
    struct Stamps {
        fifo: std::collections::VecDeque<Option<gst::ClockTime>>,
        in_start: u64,
        out_start: u64,
    }
    fn lock(s: &std::sync::Mutex<Stamps>) -> std::sync::MutexGuard<'_, Stamps> {
        s.lock().unwrap_or_else(|e| e.into_inner())
    }
    let stamps: std::sync::Arc<std::sync::Mutex<Stamps>> = Default::default();
    let segment_start = |e: &gst::EventRef| match e.view() {
        gst::EventView::Segment(s) => s.segment().downcast_ref::<gst::ClockTime>().and_then(|s| s.start()).map(|t| t.nseconds()),
        _ => None,
    };
    let st = stamps.clone();
    let probe = gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM;
    encoder.static_pad("sink").context("encoder without a sink pad")?.add_probe(probe, move |_, info| {
        match &info.data {
            Some(gst::PadProbeData::Buffer(b)) => lock(&st).fifo.push_back(b.pts()),
            Some(gst::PadProbeData::Event(e)) => {
                if let Some(start) = segment_start(e) {
                    lock(&st).in_start = start;
                }
            }
            _ => {}
        }
        gst::PadProbeReturn::Ok
    });
    encoder.static_pad("src").context("encoder without a src pad")?.add_probe(probe, move |_, info| {
        if let Some(gst::PadProbeData::Event(e)) = &info.data {
            if let Some(start) = segment_start(e) {
                lock(&stamps).out_start = start;
            }
            return gst::PadProbeReturn::Ok;
        }
        let (input, shift) = {
            let mut s = lock(&stamps);
            (s.fifo.pop_front().flatten(), s.out_start as i128 - s.in_start as i128)
        };
        if let Some(buffer) = info.buffer_mut() {
            let broken = buffer.pts().is_none_or(|t| t.nseconds() >= 1 << 62);
            if broken && let Some(pts) = input {
                let pts = gst::ClockTime::from_nseconds((pts.nseconds() as i128 + shift).max(0) as u64);
                let b = buffer.make_mut();
                b.set_pts(pts);
                b.set_dts(pts);
            }
        }
        gst::PadProbeReturn::Ok
    });
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    ds_app::input::check_h264_elementary_stream(&args.input)?;
    let backend = ds_app::init(Some(&args.backend))?;
    let label_names = std::sync::Arc::new(read_labels(&backend.config(APP, "labels.txt")?)?);

    // Standard GStreamer initialization done; create the pipeline and its elements.
    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name(APP);
    // Source element for reading from the file
    let source = backend.make("filesrc", "file-source")?;
    // Since the data format in the input file is an elementary h264 stream, we need a parser
    let h264parser = backend.make("h264parse", "h264-parser")?;
    // Hardware decoder on DeepStream; avdec_h264 (software) on the portable backend
    let decoder = backend.make("nvv4l2decoder", "nvv4l2-decoder")?;
    // nvstreammux forms batches from one or more sources
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    // nvinferserver (dsinfer on the portable backend) runs the model without post-processing
    let pgie = backend.make("nvinferserver", "primary-inference")?;
    // Convert from NV12 to RGBA as required by nvosd
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    // OSD draws on the converted RGBA buffer
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    // MP4-OUT: queue, convertor, I420, MPEG-4 encoder, parser, muxer, file
    let queue = backend.make("queue", "queue")?;
    let nvvidconv2 = backend.make("nvvideoconvert", "convertor2")?;
    let capsfilter = backend.make("capsfilter", "capsfilter")?;
    capsfilter.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "I420").build());
    let encoder = backend.make("avenc_mpeg4", "encoder").inspect_err(|_| {
        eprintln!("Unable to create encoder: on Jetson, export LD_PRELOAD=/usr/lib/aarch64-linux-gnu/libgomp.so.1 first");
    })?;
    encoder.set_property("bitrate", 2_000_000i32);
    restore_encoder_timestamps(&encoder)?;
    let codeparser = backend.make("mpeg4videoparse", "mpeg4-parser")?;
    let container = backend.make("qtmux", "qtmux")?;
    let sink = backend.make("filesink", "filesink")?;
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    sink.set_property("location", args.output.to_string_lossy().as_ref());
    sink.set_property("sync", false);
    sink.set_property("async", false);

    println!("Playing file {}", args.input.display());
    source.set_property("location", args.input.to_string_lossy().as_ref());
    streammux.set_property("width", IMAGE_WIDTH);
    streammux.set_property("height", IMAGE_HEIGHT);
    streammux.set_property("batch-size", 1u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let config = match &args.config {
        Some(c) => c.clone(),
        None => backend.config(APP, "dstest_ssd_nopostprocess.txt")?,
    };
    pgie.set_property("config-file-path", config.to_string_lossy().as_ref());

    println!("Adding elements to Pipeline");
    pipeline.add_many([&source, &h264parser, &decoder, &streammux, &pgie, &nvvidconv, &nvosd])?;
    pipeline.add_many([&queue, &nvvidconv2, &capsfilter, &encoder, &codeparser, &container, &sink])?;
    // The portable convertor outputs RGBA: videoconvert makes the encoder's I420 from it.
    let videoconvert = if backend == Backend::Portable {
        let v = backend.make("videoconvert", "videoconvert")?;
        pipeline.add(&v)?;
        Some(v)
    } else {
        None
    };

    // file-source -> h264-parser -> decoder -> streammux -> pgie -> convertor -> osd ->
    // queue -> convertor2 -> capsfilter -> encoder -> mpeg4 parser -> qtmux -> filesink
    println!("Linking elements in the Pipeline");
    gst::Element::link_many([&source, &h264parser, &decoder]).context("linking filesrc, h264parse and the decoder")?;
    let sinkpad = streammux.request_pad_simple("sink_0").context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder.static_pad("src").context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad).context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd, &queue, &nvvidconv2])
        .context("linking streammux, inference, convertor, OSD, queue and convertor2")?;
    let mut tail: Vec<&gst::Element> = vec![&nvvidconv2];
    tail.extend(videoconvert.as_ref());
    tail.extend([&capsfilter, &encoder, &codeparser, &container, &sink]);
    gst::Element::link_many(tail).context("linking the MPEG-4 MP4 output")?;

    // Probe on the inference's src pad: parse the raw tensors and add objects
    let pgiesrcpad = pgie.static_pad("src").context("Unable to get src pad of primary infer")?;
    let labels = label_names.clone();
    pgiesrcpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = pgie_src_pad_buffer_probe(buffer.make_mut(), &labels)
        {
            eprintln!("pgie_src_pad_buffer_probe: {e}");
        }
        gst::PadProbeReturn::Ok
    });
    // Probe on the OSD's sink pad: count the objects
    let osdsinkpad = nvosd.static_pad("sink").context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut(), &label_names)
        {
            eprintln!("osd_sink_pad_buffer_probe: {e}");
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    let queue_pad = queue.static_pad("sink").context("queue without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[queue_pad]);
    ds_app::sink::report_output(&args.output, result.is_ok());
    result
}
