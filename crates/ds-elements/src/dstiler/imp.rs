use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use crate::caps;
use crate::meta::{self, Affine, FrameInfo};
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dstiler",
        gst::DebugColorFlags::empty(),
        Some("Portable nvmultistreamtiler"),
    )
});

#[derive(Debug, Clone)]
struct Settings {
    rows: u32,
    columns: u32,
    width: u32,
    height: u32,
    show_source: i32,
    gpu_id: u32,
    compute_hw: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rows: 1,
            columns: 1,
            width: 1920,
            height: 1080,
            show_source: -1,
            gpu_id: 0,
            compute_hw: 0,
        }
    }
}

/// A tile's place in the output frame: x, y, width, height in pixels.
type Rect = (i32, i32, i32, i32);

/// What the tiles' places depend on: rows, columns, `show-source` and the output size. A
/// change of any of them starts the frame cache again from black.
type Layout = (u32, u32, i32, u32, u32);

#[derive(Default)]
struct State {
    in_info: Option<gst_video::VideoInfo>,
    out_info: Option<gst_video::VideoInfo>,
    /// Converters by destination rectangle.
    convs: HashMap<Rect, gst_video::VideoConverter>,
    /// The cache of old frames: the tiled frame as last composited (RGBA, the output's size,
    /// without what `dsosd` draws downstream), and the layout it was composited with. A source
    /// missing from a batch (a lower frame rate than the others, a live source that stalls)
    /// keeps its last picture in its tile instead of flickering to black, as
    /// nvmultistreamtiler's cache of old frames does. A source that reaches EOS or whose muxer
    /// pad is released has its tile cleared.
    canvas: Option<(gst::Buffer, Layout)>,
}

/// Where the frame of `source_id` goes in the output of `layout` (the plugin manual's row-major
/// tile order, tiles of the output size divided by columns and rows, rounded down; the whole
/// frame for the `show-source` source): `None` when the source is not shown.
fn tile_rect(layout: &Layout, source_id: u32) -> Option<Rect> {
    let &(rows, columns, show_source, width, height) = layout;
    if show_source >= 0 {
        return (source_id as i64 == show_source as i64).then_some((
            0,
            0,
            width as i32,
            height as i32,
        ));
    }
    let t = source_id as i64;
    if t >= rows as i64 * columns as i64 {
        return None;
    }
    let (tw, th) = (
        (width as f64 / columns as f64).floor(),
        (height as f64 / rows as f64).floor(),
    );
    let (c, r) = (t % columns as i64, t / columns as i64);
    Some((
        (c as f64 * tw) as i32,
        (r as f64 * th) as i32,
        tw as i32,
        th as i32,
    ))
}

/// Paints `rect` of the RGBA frame `data` (`width` x `height`, `stride` bytes a row) opaque
/// black, clipped to the frame (the OSD's canvas fill).
fn clear_rect(data: &mut [u8], width: u32, height: u32, stride: usize, rect: Rect) {
    if let Some(mut canvas) = crate::draw::Canvas::new(data, width, height, stride) {
        let (x, y, w, h) = (rect.0 as i64, rect.1 as i64, rect.2 as i64, rect.3 as i64);
        canvas.fill_rect(x, y, x + w, y + h, &[0.0, 0.0, 0.0, 1.0]);
    }
}

/// The `dstiler` implementation.
#[derive(Default)]
pub struct DsTiler {
    settings: Mutex<Settings>,
    state: Mutex<State>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsTiler {
    const NAME: &'static str = "DsTiler";
    type Type = super::DsTiler;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsTiler {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("rows")
                    .nick("Rows")
                    .blurb("Number of rows in the tiled 2D output")
                    .minimum(1)
                    .maximum(128)
                    .default_value(1)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("columns")
                    .nick("Columns")
                    .blurb("Number of columns in the tiled 2D output")
                    .minimum(1)
                    .maximum(128)
                    .default_value(1)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("width")
                    .nick("Width")
                    .blurb("Width of the tiled 2D output")
                    .minimum(16)
                    .maximum(16384)
                    .default_value(1920)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("height")
                    .nick("Height")
                    .blurb("Height of the tiled 2D output")
                    .minimum(16)
                    .maximum(16384)
                    .default_value(1080)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecInt::builder("show-source")
                    .nick("Show Source")
                    .blurb("The source to show full-frame, -1 for the tiled output of all sources")
                    .minimum(-1)
                    .default_value(-1)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("GPU ID")
                    .blurb("Accepted for compatibility; no effect")
                    .default_value(0)
                    .build(),
                glib::ParamSpecInt::builder("compute-hw")
                    .nick("compute-hw")
                    .blurb("Accepted for compatibility; no effect")
                    .minimum(0)
                    .maximum(2)
                    .default_value(0)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "rows" => s.rows = value.get().unwrap_or(1),
            "columns" => s.columns = value.get().unwrap_or(1),
            "width" => s.width = value.get().unwrap_or(1920),
            "height" => s.height = value.get().unwrap_or(1080),
            "show-source" => s.show_source = value.get().unwrap_or(-1),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            "compute-hw" => s.compute_hw = value.get().unwrap_or(0),
            _ => {}
        }
        drop(s);
        if matches!(pspec.name(), "width" | "height") {
            self.obj().reconfigure_src();
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "rows" => s.rows.to_value(),
            "columns" => s.columns.to_value(),
            "width" => s.width.to_value(),
            "height" => s.height.to_value(),
            "show-source" => s.show_source.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            "compute-hw" => s.compute_hw.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsTiler {}

impl ElementImpl for DsTiler {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Stream tiler (portable nvmultistreamtiler)",
                "Filter/Video/Compositor",
                "Composites a batch into one 2D tiled frame and maps the metadata into it",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let src = caps::batch_or_rgba_caps();
            caps::sink_src_templates(&caps::batch_caps_any(), &src)
        });
        T.as_ref()
    }
}

impl BaseTransformImpl for DsTiler {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::NeverInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn transform_caps(
        &self,
        direction: gst::PadDirection,
        caps: &gst::Caps,
        filter: Option<&gst::Caps>,
    ) -> Option<gst::Caps> {
        let s = lock(&self.settings).clone();
        let mut out = gst::Caps::new_empty();
        {
            let outm = out.get_mut()?;
            for st in caps.iter() {
                let mut base = gst::Structure::builder("video/x-raw")
                    .field("format", "RGBA")
                    .build();
                if let Ok(fr) = st.value("framerate") {
                    base.set_value("framerate", fr.clone());
                }
                if direction == gst::PadDirection::Sink {
                    base.set("width", s.width as i32);
                    base.set("height", s.height as i32);
                    outm.append_structure_full(
                        base.clone(),
                        Some(gst::CapsFeatures::new([caps::CAPS_FEATURE_BATCH])),
                    );
                    outm.append_structure(base);
                } else {
                    base.set("width", gst::IntRange::new(1, i32::MAX));
                    base.set("height", gst::IntRange::new(1, i32::MAX));
                    outm.append_structure_full(
                        base,
                        Some(gst::CapsFeatures::new([caps::CAPS_FEATURE_BATCH])),
                    );
                }
            }
        }
        Some(match filter {
            Some(f) => f.intersect_with_mode(&out, gst::CapsIntersectMode::First),
            None => out,
        })
    }

    fn set_caps(&self, incaps: &gst::Caps, outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let in_info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dstiler: bad input caps {incaps}"))?;
        let out_info = gst_video::VideoInfo::from_caps(outcaps)
            .map_err(|_| gst::loggable_error!(CAT, "dstiler: bad output caps {outcaps}"))?;
        let mut st = lock(&self.state);
        st.in_info = Some(in_info);
        st.out_info = Some(out_info);
        st.convs.clear();
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = State::default();
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        // a source that ended or left: its tile goes black instead of keeping its last picture
        if let Some((name, id)) = crate::events::parse(&event)
            && (name == crate::events::STREAM_EOS || name == crate::events::PAD_DELETED)
        {
            let mut st = lock(&self.state);
            let stride = st.out_info.as_ref().map(|i| i.stride()[0] as usize);
            if let (Some(stride), Some((buf, layout))) = (stride, st.canvas.as_mut())
                && let Some(rect) = tile_rect(layout, id)
                && let Some(b) = buf.get_mut()
                && let Ok(mut map) = b.map_writable()
            {
                gst::debug!(CAT, imp = self, "{name}: clearing the tile of source {id}");
                clear_rect(&mut map, layout.3, layout.4, stride, rect);
            }
        }
        self.parent_sink_event(event)
    }

    fn prepare_output_buffer(
        &self,
        inbuf: gst_base::subclass::base_transform::InputBuffer,
    ) -> Result<gst_base::subclass::base_transform::PrepareOutputBufferSuccess, gst::FlowError>
    {
        let size = lock(&self.state)
            .out_info
            .as_ref()
            .map(|i| i.size())
            .ok_or(gst::FlowError::NotNegotiated)?;
        let out = crate::util::output_buffer_like(&inbuf, size)?;
        Ok(gst_base::subclass::base_transform::PrepareOutputBufferSuccess::Buffer(out))
    }

    fn transform(
        &self,
        inbuf: &gst::Buffer,
        outbuf: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let latency = crate::latency::Component::start();
        let s = lock(&self.settings).clone();
        let mut guard = lock(&self.state);
        let (Some(in_info), Some(out_info)) = (guard.in_info.clone(), guard.out_info.clone())
        else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let (iw, ih) = (in_info.width() as f64, in_info.height() as f64);
        let n_mem = inbuf.n_memory();
        let mut frames = meta::read_frames(inbuf.as_ref());
        if frames.is_empty() {
            // no metadata: frame i is source i
            frames = (0..n_mem as u32)
                .map(|i| FrameInfo {
                    batch_id: i,
                    pad_index: i,
                    source_id: i,
                    frame_num: 0,
                    buf_pts: 0,
                    ntp_timestamp: 0,
                    source_width: in_info.width(),
                    source_height: in_info.height(),
                })
                .collect();
        }
        let (width, height) = (out_info.width(), out_info.height());
        let layout: Layout = (s.rows, s.columns, s.show_source, width, height);
        let place = |f: &FrameInfo| tile_rect(&layout, f.source_id);
        let st = &mut *guard;
        let canvas = match &mut st.canvas {
            Some((buf, l)) if *l == layout => buf,
            other => {
                // a new layout: every tile black until its source's next frame
                let mut buf =
                    gst::Buffer::with_size(out_info.size()).map_err(|_| gst::FlowError::Error)?;
                {
                    let b = buf.get_mut().ok_or(gst::FlowError::Error)?;
                    let mut map = b.map_writable().map_err(|_| gst::FlowError::Error)?;
                    let stride = out_info.stride()[0] as usize;
                    clear_rect(
                        &mut map,
                        width,
                        height,
                        stride,
                        (0, 0, width as i32, height as i32),
                    );
                }
                &mut other.insert((buf, layout)).0
            }
        };
        {
            let mut dst = gst_video::VideoFrameRef::from_buffer_ref_writable(
                canvas.get_mut().ok_or(gst::FlowError::Error)?,
                &out_info,
            )
            .map_err(|_| gst::FlowError::Error)?;
            let frame_size = in_info.size();
            for f in &frames {
                let Some(rect) = place(f) else { continue };
                let i = f.batch_id as usize;
                if i >= n_mem {
                    continue;
                }
                let mem = inbuf.peek_memory(i);
                if mem.size() < frame_size {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        (
                            "dstiler: frame {i} has {} bytes, expected {frame_size}",
                            mem.size()
                        )
                    );
                    return Err(gst::FlowError::Error);
                }
                let mut one = gst::Buffer::new();
                one.get_mut()
                    .ok_or(gst::FlowError::Error)?
                    // a new reference, not a copy (`MemoryRef::to_owned` copies the pixels)
                    .append_memory(inbuf.memory(i).ok_or(gst::FlowError::Error)?);
                let src =
                    gst_video::VideoFrameRef::from_buffer_ref_readable(one.as_ref(), &in_info)
                        .map_err(|_| gst::FlowError::Error)?;
                if let std::collections::hash_map::Entry::Vacant(e) = st.convs.entry(rect) {
                    let target = gst_video::VideoInfo::builder(
                        gst_video::VideoFormat::Rgba,
                        out_info.width(),
                        out_info.height(),
                    )
                    .fps(in_info.fps())
                    .build()
                    .map_err(|_| gst::FlowError::Error)?;
                    let mut cfg = gst_video::VideoConverterConfig::new();
                    cfg.set_dest_x(rect.0);
                    cfg.set_dest_y(rect.1);
                    cfg.set_dest_width(Some(rect.2));
                    cfg.set_dest_height(Some(rect.3));
                    cfg.set_fill_border(false);
                    let conv = gst_video::VideoConverter::new(&in_info, &target, Some(cfg))
                        .map_err(|e| {
                            gst::element_imp_error!(
                                self,
                                gst::CoreError::Negotiation,
                                ("dstiler: cannot scale into tile {rect:?}: {e}")
                            );
                            gst::FlowError::Error
                        })?;
                    e.insert(conv);
                }
                if let Some(conv) = st.convs.get(&rect) {
                    conv.frame_ref(&src, &mut dst);
                }
            }
        }
        // the tiled frame: this batch's frames over the cached pictures of the sources it lacks
        {
            let from = canvas.map_readable().map_err(|_| gst::FlowError::Error)?;
            outbuf
                .copy_from_slice(0, &from)
                .map_err(|_| gst::FlowError::Error)?;
        }
        drop(guard);
        meta::tile_meta(outbuf, &|f: &FrameInfo| {
            place(f).map(|(x, y, w, h)| Affine {
                sx: w as f64 / iw,
                sy: h as f64 / ih,
                ox: x as f64,
                oy: y as f64,
            })
        });
        latency.finish(&self.obj().name(), outbuf);
        Ok(gst::FlowSuccess::Ok)
    }
}
