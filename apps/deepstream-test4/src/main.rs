//! deepstream-test4: port of `deepstream_test_4.py` (DeepStream 7.1 Python samples).
//!
//! test1's pipeline (H.264 file → decoder → streammux → detector → convertor → OSD) ending in
//! a tee: one branch converts event metadata to DeepStream schema JSON (`nvmsgconv`) and
//! sends it to a broker (`nvmsgbroker`: Kafka, MQTT, Redis, AMQP through `-p`); the other
//! shows or writes the video. A probe on the OSD sink pad labels every object and attaches
//! an `NvDsEventMsgMeta` (with a vehicle or person extension object and an RFC 3339 time
//! stamp) to the first object of every 30th frame.
//!
//! ```sh
//! cargo run -p deepstream-test4 -- -i streams/vtest-5s.h264 -p libnvds_mqtt_proto.so \
//!     --conn-str "127.0.0.1;1883" -t test4 --sink file
//! cargo run -p deepstream-test4 -- -i streams/vtest-5s.h264 -p libnvds_redis_proto.so \
//!     --conn-str "127.0.0.1;6379" -t test4 -s 1 --no-display
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use gst::prelude::*;

use ds_app::{AppArgs, SinkKind};
use ds_meta::{BatchMeta, ExtObject, NvDsEventType, NvDsObjectType, Person, Vehicle};

const MAX_TIME_STAMP_LEN: usize = 32;
const PGIE_CLASS_ID_VEHICLE: i32 = 0;
const PGIE_CLASS_ID_PERSON: i32 = 2;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const PGIE_CLASSES_STR: [&str; 4] = ["Vehicle", "TwoWheeler", "Person", "Roadsign"];
const USAGE: &str = "Usage: deepstream-test4 -i <H264 filename> -p <Proto adaptor library> --conn-str=<Connection string>";

/// deepstream-test4: detections as DeepStream schema messages to a message broker.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Set the adaptor config file. Optional if connection string has relevant details.
    #[arg(short = 'c', long = "cfg-file", value_name = "FILE")]
    cfg_file: Option<PathBuf>,
    /// Set the input H264 file
    #[arg(short = 'i', long = "input-file", value_name = "FILE")]
    input_file: Option<PathBuf>,
    /// Set the adaptor library to be used (libnvds_kafka_proto.so, libnvds_mqtt_proto.so,
    /// libnvds_redis_proto.so, libnvds_amqp_proto.so)
    #[arg(short = 'p', long = "proto-lib", value_name = "PATH")]
    proto_lib: Option<String>,
    /// Connection string of backend server. Optional if it is part of config file.
    #[arg(long = "conn-str", value_name = "STR")]
    conn_str: Option<String>,
    /// Type of message schema (0=Full, 1=minimal), default=0
    #[arg(
        short = 's',
        long = "schema-type",
        value_name = "<0|1>",
        default_value = "0"
    )]
    schema_type: String,
    /// Name of message topic. Optional if it is part of connection string or config file.
    #[arg(short = 't', long = "topic", value_name = "TOPIC")]
    topic: Option<String>,
    /// Disable display (fakesink; overrides --sink)
    #[arg(long = "no-display")]
    no_display: bool,
    /// msgconv config to use instead of configs/deepstream-test4/[portable/]dstest4_msgconv_config.txt
    /// (an addition of this port: one config per pipeline node, e.g. its own [sensor0] id)
    #[arg(long = "msgconv-config", value_name = "FILE")]
    msgconv_config: Option<PathBuf>,
    #[command(flatten)]
    app: AppArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.input_file.is_none() || args.proto_lib.is_none() {
        println!("{USAGE}");
        return ExitCode::FAILURE;
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ds_app::bus::PipelineError>().is_some() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `generate_vehicle_meta` of the Python sample.
fn generate_vehicle_meta() -> ExtObject {
    ExtObject::Vehicle(Vehicle {
        type_: "sedan".into(),
        color: "blue".into(),
        make: "Bugatti".into(),
        model: "M".into(),
        license: "XX1234".into(),
        region: "CA".into(),
    })
}

/// `generate_person_meta` of the Python sample.
fn generate_person_meta() -> ExtObject {
    ExtObject::Person(Person {
        age: 45,
        cap: "none".into(),
        hair: "black".into(),
        gender: "male".into(),
        apparel: "formal".into(),
    })
}

/// `generate_event_msg_meta` of the Python sample: sensor, place and module 0, the time
/// stamp, and by class the event type, object type and extension object.
fn generate_event_msg_meta(meta: &mut ds_meta::EventMsgMeta, class_id: i32) -> ds_meta::Result<()> {
    meta.set_sensor_id(0);
    meta.set_place_id(0);
    meta.set_module_id(0);
    meta.set_sensor_str("sensor-0")?;
    let ts = ds_meta::generate_ts_rfc3339();
    debug_assert!(ts.len() <= MAX_TIME_STAMP_LEN);
    meta.set_ts(&ts)?;
    // This demonstrates how to attach custom objects. Any custom object as per requirement can
    // be generated and attached like NvDsVehicleObject / NvDsPersonObject. Then that object
    // should be handled in the payload generator library (nvmsgconv / dsmsgconv).
    if class_id == PGIE_CLASS_ID_VEHICLE {
        meta.set_event_type(NvDsEventType::NVDS_EVENT_MOVING);
        meta.set_ext(&generate_vehicle_meta())?;
        meta.set_obj_type(NvDsObjectType::NVDS_OBJECT_TYPE_VEHICLE);
        meta.set_obj_class_id(PGIE_CLASS_ID_VEHICLE);
    }
    if class_id == PGIE_CLASS_ID_PERSON {
        meta.set_event_type(NvDsEventType::NVDS_EVENT_ENTRY);
        meta.set_ext(&generate_person_meta())?;
        meta.set_obj_type(NvDsObjectType::NVDS_OBJECT_TYPE_PERSON);
        meta.set_obj_class_id(PGIE_CLASS_ID_PERSON);
    }
    Ok(())
}

/// `osd_sink_pad_buffer_probe` of the Python sample: label every object with its class,
/// count vehicles and people, and attach event metadata to the first object of every 30th
/// frame (printed as `Event message attached: frame N, class C`, an addition of this port).
fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> ds_meta::Result<()> {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return Ok(());
    };
    for frame_meta in batch_meta.frames_mut() {
        let mut is_first_object = true;
        let mut obj_counter = [0u32; 4];
        let frame_number = frame_meta.frame_num();
        let mut event: Option<(ds_meta::sys::NvDsRect, u64, f64, i32)> = None;
        for obj_meta in frame_meta.objects_mut() {
            let class_id = obj_meta.class_id();
            // Update the object text display
            let txt_params = obj_meta.text_params_mut();
            txt_params.set_display_text(
                PGIE_CLASSES_STR
                    .get(class_id as usize)
                    .copied()
                    .unwrap_or("Unknown"),
            )?;
            if let Some(c) = obj_counter.get_mut(class_id as usize) {
                *c += 1;
            }
            // Font, font-color and font-size
            txt_params.font_params_mut().set_font_name("Serif")?;
            txt_params.font_params_mut().set_font_size(10);
            // set(red, green, blue, alpha); set to White
            txt_params
                .font_params_mut()
                .font_color_mut()
                .set(1.0, 1.0, 1.0, 1.0);
            // Text background color: black
            txt_params.set_bg_enabled(true);
            txt_params.text_bg_clr_mut().set(0.0, 0.0, 0.0, 1.0);

            // Ideally NVDS_EVENT_MSG_META should be attached to buffer by the component
            // implementing detection / recognition logic. Here it demonstrates how to use /
            // attach that meta data.
            if is_first_object && frame_number % 30 == 0 {
                let r = obj_meta.rect_params();
                let rect = ds_meta::sys::NvDsRect {
                    top: r.top,
                    left: r.left,
                    width: r.width,
                    height: r.height,
                };
                event = Some((
                    rect,
                    obj_meta.object_id(),
                    obj_meta.confidence() as f64,
                    class_id,
                ));
                is_first_object = false;
            }
        }
        if let Some((rect, object_id, confidence, class_id)) = event {
            // nvds_acquire_user_meta_from_pool + alloc_nvds_event_msg_meta +
            // nvds_add_user_meta_to_frame (NVDS_EVENT_MSG_META)
            let msg_meta = match frame_meta.add_event_msg_meta() {
                Ok(m) => m,
                Err(e) => {
                    println!("Error in attaching event meta to buffer: {e}");
                    continue;
                }
            };
            *msg_meta.bbox_mut() = rect;
            msg_meta.set_frame_id(frame_number);
            msg_meta.set_tracking_id(object_id);
            msg_meta.set_confidence(confidence);
            generate_event_msg_meta(msg_meta, class_id)?;
            println!("Event message attached: frame {frame_number}, class {class_id}");
        }
        println!(
            "Frame Number = {} Vehicle Count = {} Person Count = {}",
            frame_number,
            obj_counter[PGIE_CLASS_ID_VEHICLE as usize],
            obj_counter[PGIE_CLASS_ID_PERSON as usize]
        );
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    let (Some(input), Some(proto_lib)) = (args.input_file.clone(), args.proto_lib.clone()) else {
        anyhow::bail!("{USAGE}");
    };
    ds_app::input::check_h264_elementary_stream(&input)?;
    if let Some(cfg) = &args.cfg_file
        && !cfg.is_file()
    {
        anyhow::bail!("adaptor config file {} not found (-c)", cfg.display());
    }
    let schema_type = if args.schema_type == "0" { 0 } else { 1 };
    let backend = ds_app::init(Some(&args.app.backend))?;
    let sink_kind = if args.no_display {
        SinkKind::Fake
    } else {
        SinkKind::resolve(&args.app.sink, "deepstream-test4", args.app.output.clone())?
    };

    println!("Creating Pipeline");
    let pipeline = gst::Pipeline::with_name("deepstream-test4");
    let source = backend.make("filesrc", "file-source")?;
    let h264parser = backend.make("h264parse", "h264-parser")?;
    let decoder = backend.make("nvv4l2decoder", "nvv4l2-decoder")?;
    let streammux = backend.make("nvstreammux", "Stream-muxer")?;
    let pgie = backend.make("nvinfer", "primary-inference")?;
    let nvvidconv = backend.make("nvvideoconvert", "convertor")?;
    let nvosd = backend.make("nvdsosd", "onscreendisplay")?;
    let msgconv = backend.make("nvmsgconv", "nvmsg-converter")?;
    let msgbroker = backend.make("nvmsgbroker", "nvmsg-broker")?;
    let tee = backend.make("tee", "nvsink-tee")?;
    let queue1 = backend.make("queue", "nvtee-que1")?;
    let queue2 = backend.make("queue", "nvtee-que2")?;
    let sink = ds_app::sink::make_sink_bin(backend, &sink_kind, "sink")?;

    println!("Playing file {}", input.display());
    source.set_property("location", input.to_string_lossy().as_ref());
    streammux.set_property("width", 1920u32);
    streammux.set_property("height", 1080u32);
    streammux.set_property("batch-size", 1u32);
    streammux.set_property("batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    let pgie_config = backend.config("deepstream-test4", "dstest4_pgie_config.txt")?;
    pgie.set_property("config-file-path", pgie_config.to_string_lossy().as_ref());
    let msgconv_config = match &args.msgconv_config {
        Some(p) if p.is_file() => p.clone(),
        Some(p) => anyhow::bail!(
            "msgconv config file {} not found (--msgconv-config)",
            p.display()
        ),
        None => backend.config("deepstream-test4", "dstest4_msgconv_config.txt")?,
    };
    msgconv.set_property("config", msgconv_config.to_string_lossy().as_ref());
    // NVIDIA's payload-type is an enum, ours an int: set it from its string form.
    msgconv.set_property_from_str("payload-type", &schema_type.to_string());
    msgbroker.set_property("proto-lib", proto_lib.as_str());
    if let Some(c) = &args.conn_str {
        msgbroker.set_property("conn-str", c.as_str());
    }
    if let Some(cfg) = &args.cfg_file {
        msgbroker.set_property("config", cfg.to_string_lossy().as_ref());
    }
    if let Some(topic) = &args.topic {
        msgbroker.set_property("topic", topic.as_str());
    }
    msgbroker.set_property("sync", false);

    println!("Adding elements to Pipeline");
    pipeline.add_many([
        &source,
        &h264parser,
        &decoder,
        &streammux,
        &pgie,
        &nvvidconv,
        &nvosd,
        &tee,
        &queue1,
        &queue2,
        &msgconv,
        &msgbroker,
    ])?;
    pipeline.add(&sink)?;

    println!("Linking elements in the Pipeline");
    gst::Element::link_many([&source, &h264parser, &decoder])
        .context("linking filesrc, h264parse and the decoder")?;
    let sinkpad = streammux
        .request_pad_simple("sink_0")
        .context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder
        .static_pad("src")
        .context("Unable to get source pad of decoder")?;
    srcpad
        .link(&sinkpad)
        .context("linking the decoder to the streammux")?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd, &tee])
        .context("linking streammux, nvinfer, convertor, OSD and tee")?;
    gst::Element::link_many([&queue1, &msgconv, &msgbroker])
        .context("linking queue, msgconv and msgbroker")?;
    queue2
        .link(&sink)
        .context("linking the queue to the sink")?;
    let tee_msg_pad = tee
        .request_pad_simple("src_%u")
        .context("Unable to get request pads of the tee")?;
    let tee_render_pad = tee
        .request_pad_simple("src_%u")
        .context("Unable to get request pads of the tee")?;
    tee_msg_pad
        .link(&queue1.static_pad("sink").context("queue1 sink pad")?)
        .context("linking the tee to nvtee-que1")?;
    tee_render_pad
        .link(&queue2.static_pad("sink").context("queue2 sink pad")?)
        .context("linking the tee to nvtee-que2")?;

    let osdsinkpad = nvosd
        .static_pad("sink")
        .context("Unable to get sink pad of osd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buffer) = info.buffer_mut()
            && let Err(e) = osd_sink_pad_buffer_probe(buffer.make_mut())
        {
            eprintln!("osd_sink_pad_buffer_probe: {e}");
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline");
    let sink_pad = sink
        .static_pad("sink")
        .context("sink bin without a sink pad")?;
    let result = ds_app::bus::run(&pipeline, &[sink_pad]);
    if let SinkKind::File(path) = &sink_kind {
        ds_app::sink::report_output(path, result.is_ok());
    }
    result
}
