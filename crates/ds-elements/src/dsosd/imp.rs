use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::sync::{LazyLock, Mutex};

use super::OsdMode;
use crate::caps;
use crate::draw::{Canvas, FontSet, Shape};
use crate::meta;
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsosd",
        gst::DebugColorFlags::empty(),
        Some("Portable nvdsosd"),
    )
});

#[derive(Debug, Clone)]
struct Settings {
    process_mode: OsdMode,
    display_text: bool,
    display_bbox: bool,
    display_mask: bool,
    display_clock: bool,
    clock_font_size: u32,
    x_clock_offset: u32,
    y_clock_offset: u32,
    clock_color: u32,
    gpu_id: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            process_mode: OsdMode::Gpu,
            display_text: true,
            display_bbox: true,
            display_mask: false,
            display_clock: false,
            clock_font_size: 12,
            x_clock_offset: 0,
            y_clock_offset: 0,
            clock_color: 0xff00_00ff,
            gpu_id: 0,
        }
    }
}

#[derive(Default)]
struct State {
    info: Option<gst_video::VideoInfo>,
    fonts: Option<FontSet>,
}

/// The `dsosd` implementation.
#[derive(Default)]
pub struct DsOsd {
    settings: Mutex<Settings>,
    state: Mutex<State>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsOsd {
    const NAME: &'static str = "DsOsd";
    type Type = super::DsOsd;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsOsd {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecEnum::builder_with_default("process-mode", OsdMode::Gpu)
                    .nick("Process Mode")
                    .blurb("Rect and text draw process mode (all modes draw on the CPU in the portable element)")
                    .build(),
                glib::ParamSpecBoolean::builder("display-text").nick("display-text").blurb("Whether to display text").default_value(true).build(),
                glib::ParamSpecBoolean::builder("display-bbox").nick("display-bbox").blurb("Whether to display bounding boxes").default_value(true).build(),
                glib::ParamSpecBoolean::builder("display-mask").nick("display-mask").blurb("Whether to display instance mask").default_value(false).build(),
                glib::ParamSpecBoolean::builder("display-clock").nick("clock").blurb("Whether to display clock").default_value(false).build(),
                glib::ParamSpecUInt::builder("clock-font-size").nick("clock-font-size").blurb("font size of the clock").maximum(60).default_value(12).build(),
                glib::ParamSpecUInt::builder("x-clock-offset").nick("x-clock-offset").blurb("x-clock-offset").default_value(0).build(),
                glib::ParamSpecUInt::builder("y-clock-offset").nick("y-clock-offset").blurb("y-clock-offset").default_value(0).build(),
                glib::ParamSpecUInt::builder("clock-color").nick("clock-color").blurb("clock-color as 0xRRGGBBAA").default_value(0xff00_00ff).build(),
                glib::ParamSpecUInt::builder("gpu-id").nick("Set GPU Device ID").blurb("Accepted for compatibility; no effect").default_value(0).build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "process-mode" => s.process_mode = value.get().unwrap_or_default(),
            "display-text" => s.display_text = value.get().unwrap_or(true),
            "display-bbox" => s.display_bbox = value.get().unwrap_or(true),
            "display-mask" => s.display_mask = value.get().unwrap_or(false),
            "display-clock" => s.display_clock = value.get().unwrap_or(false),
            "clock-font-size" => s.clock_font_size = value.get().unwrap_or(12),
            "x-clock-offset" => s.x_clock_offset = value.get().unwrap_or(0),
            "y-clock-offset" => s.y_clock_offset = value.get().unwrap_or(0),
            "clock-color" => s.clock_color = value.get().unwrap_or(0xff00_00ff),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "process-mode" => s.process_mode.to_value(),
            "display-text" => s.display_text.to_value(),
            "display-bbox" => s.display_bbox.to_value(),
            "display-mask" => s.display_mask.to_value(),
            "display-clock" => s.display_clock.to_value(),
            "clock-font-size" => s.clock_font_size.to_value(),
            "x-clock-offset" => s.x_clock_offset.to_value(),
            "y-clock-offset" => s.y_clock_offset.to_value(),
            "clock-color" => s.clock_color.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsOsd {}

impl ElementImpl for DsOsd {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "On-screen display (portable nvdsosd)",
                "Filter/Editor/Video",
                "Draws bounding boxes, labels, text, lines, arrows and circles from DeepStream metadata",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let c = caps::batch_or_rgba_caps();
            caps::sink_src_templates(&c, &c)
        });
        T.as_ref()
    }
}

impl BaseTransformImpl for DsOsd {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = lock(&self.settings).clone();
        let fonts = if s.display_text || s.display_clock {
            Some(FontSet::shared().map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::NotFound,
                    ["dsosd cannot draw text: {e}"]
                )
            })?)
        } else {
            None
        };
        lock(&self.state).fonts = fonts;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dsosd: cannot parse caps {incaps}"))?;
        lock(&self.state).info = Some(info);
        Ok(())
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let latency = crate::latency::Component::start();
        let s = lock(&self.settings).clone();
        let (info, fonts) = {
            let st = lock(&self.state);
            (st.info.clone(), st.fonts.clone())
        };
        let Some(info) = info else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let mut lists = meta::draw_lists(buf, s.display_bbox, s.display_text, s.display_mask);
        if s.display_clock {
            let now = glib::DateTime::now_local()
                .ok()
                .and_then(|d| d.format("%H:%M:%S").ok());
            if let Some(now) = now {
                let c = s.clock_color;
                let color = [
                    ((c >> 24) & 0xff) as f64 / 255.0,
                    ((c >> 16) & 0xff) as f64 / 255.0,
                    ((c >> 8) & 0xff) as f64 / 255.0,
                    (c & 0xff) as f64 / 255.0,
                ];
                let clock = Shape::Text {
                    x: s.x_clock_offset as f32,
                    y: s.y_clock_offset as f32,
                    text: now.to_string(),
                    font_name: "Sans".into(),
                    font_size: s.clock_font_size,
                    color,
                    bg_color: None,
                };
                for i in 0..buf.n_memory() as u32 {
                    match lists.iter_mut().find(|(b, _)| *b == i) {
                        Some((_, l)) => l.push(clock.clone()),
                        None => lists.push((i, vec![clock.clone()])),
                    }
                }
            }
        }
        let (w, h) = (info.width(), info.height());
        let stride = info.stride()[0] as usize;
        let n_mem = buf.n_memory();
        for (batch_id, shapes) in lists {
            if shapes.is_empty() {
                continue;
            }
            let i = batch_id as usize;
            if i >= n_mem {
                gst::warning!(
                    CAT,
                    imp = self,
                    "frame meta batch_id {batch_id} but the buffer has {n_mem} frames"
                );
                continue;
            }
            let mut map = if n_mem == 1 {
                buf.map_writable()
            } else {
                buf.map_range_writable(i..i + 1)
            }
            .map_err(|_| {
                gst::element_imp_error!(
                    self,
                    gst::ResourceError::Write,
                    ("dsosd: cannot map frame {i} writable")
                );
                gst::FlowError::Error
            })?;
            let Some(mut canvas) = Canvas::new(map.as_mut_slice(), w, h, stride) else {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("dsosd: frame {i} is smaller than {w}x{h} RGBA")
                );
                return Err(gst::FlowError::Error);
            };
            for shape in &shapes {
                canvas.draw(shape, fonts.as_ref());
            }
        }
        latency.finish(&self.obj().name(), buf);
        Ok(gst::FlowSuccess::Ok)
    }
}
