use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use std::sync::{LazyLock, Mutex};

use ds_meta::BatchMeta;

use crate::caps;
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dssegvisual",
        gst::DebugColorFlags::empty(),
        Some("Portable nvsegvisual"),
    )
});

#[derive(Debug, Clone)]
struct Settings {
    batch_size: u32,
    width: u32,
    height: u32,
    original_background: bool,
    alpha: f64,
    gpu_id: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            batch_size: 1,
            width: 1280,
            height: 720,
            original_background: false,
            alpha: 0.5,
            gpu_id: 0,
        }
    }
}

#[derive(Default)]
struct State {
    in_info: Option<gst_video::VideoInfo>,
    out_info: Option<gst_video::VideoInfo>,
}

/// The `dssegvisual` implementation.
#[derive(Default)]
pub struct DsSegVisual {
    settings: Mutex<Settings>,
    state: Mutex<State>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsSegVisual {
    const NAME: &'static str = "DsSegVisual";
    type Type = super::DsSegVisual;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsSegVisual {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("batch-size")
                    .nick("Batch Size")
                    .blurb("Maximum number of frames in a batch")
                    .minimum(1)
                    .maximum(1024)
                    .default_value(1)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("width")
                    .nick("Width")
                    .blurb("Width of the segmentation picture")
                    .minimum(16)
                    .maximum(16384)
                    .default_value(1280)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("height")
                    .nick("Height")
                    .blurb("Height of the segmentation picture")
                    .minimum(16)
                    .maximum(16384)
                    .default_value(720)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("original-background")
                    .nick("Original Background")
                    .blurb("Blend the class colours over the frame instead of showing them alone")
                    .default_value(false)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecDouble::builder("alpha")
                    .nick("Alpha")
                    .blurb("Weight of the class colours when blended over the frame")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(0.5)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("GPU ID")
                    .blurb("Accepted for compatibility; no effect")
                    .default_value(0)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "batch-size" => s.batch_size = value.get().unwrap_or(1),
            "width" => s.width = value.get().unwrap_or(1280),
            "height" => s.height = value.get().unwrap_or(720),
            "original-background" => s.original_background = value.get().unwrap_or(false),
            "alpha" => s.alpha = value.get().unwrap_or(0.5),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
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
            "batch-size" => s.batch_size.to_value(),
            "width" => s.width.to_value(),
            "height" => s.height.to_value(),
            "original-background" => s.original_background.to_value(),
            "alpha" => s.alpha.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsSegVisual {}

impl ElementImpl for DsSegVisual {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Segmentation visualiser (portable nvsegvisual)",
                "Filter/Video",
                "Draws each frame's segmentation class map in colours",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            caps::sink_src_templates(&caps::batch_caps_any(), &caps::batch_or_rgba_caps())
        });
        T.as_ref()
    }
}

/// Colours one frame: `out` is `ow` x `oh` RGBA (tightly packed); `map` the class map
/// (`mw` x `mh`), `frame` the input frame (`iw` x `ih` RGBA, stride `istride`) when it is to
/// be blended in with weight `alpha`.
#[allow(clippy::too_many_arguments)]
fn paint(
    out: &mut [u8],
    (ow, oh): (usize, usize),
    map: Option<(&[i32], usize, usize)>,
    frame: Option<(&[u8], usize, usize, usize)>,
    alpha: f64,
) {
    for y in 0..oh {
        for x in 0..ow {
            let o = (y * ow + x) * 4;
            let class = map.map(|(m, mw, mh)| m[(y * mh / oh) * mw + x * mw / ow]);
            let rgb = match (class, frame) {
                (Some(c), None) => super::class_color(c),
                (None, None) => [0, 0, 0],
                (c, Some((f, iw, ih, stride))) => {
                    let i = (y * ih / oh) * stride + (x * iw / ow) * 4;
                    let px = [f[i], f[i + 1], f[i + 2]];
                    match c {
                        Some(c) if c >= 0 => {
                            let k = super::class_color(c);
                            let mut b = [0u8; 3];
                            for j in 0..3 {
                                b[j] = (k[j] as f64 * alpha + px[j] as f64 * (1.0 - alpha)).round() as u8;
                            }
                            b
                        }
                        _ => px,
                    }
                }
            };
            out[o..o + 3].copy_from_slice(&rgb);
            out[o + 3] = 255;
        }
    }
}

impl BaseTransformImpl for DsSegVisual {
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
            .map_err(|_| gst::loggable_error!(CAT, "dssegvisual: bad input caps {incaps}"))?;
        let out_info = gst_video::VideoInfo::from_caps(outcaps)
            .map_err(|_| gst::loggable_error!(CAT, "dssegvisual: bad output caps {outcaps}"))?;
        let mut st = lock(&self.state);
        st.in_info = Some(in_info);
        st.out_info = Some(out_info);
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = State::default();
        Ok(())
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
        let n = match &inbuf {
            gst_base::subclass::base_transform::InputBuffer::Writable(b) => b.n_memory(),
            gst_base::subclass::base_transform::InputBuffer::Readable(b) => b.n_memory(),
        }
        .max(1);
        let mut out = crate::util::output_buffer_like(&inbuf, size)?;
        {
            let outm = out.get_mut().ok_or(gst::FlowError::Error)?;
            for _ in 1..n {
                outm.append_memory(gst::Memory::with_size(size));
            }
        }
        Ok(gst_base::subclass::base_transform::PrepareOutputBufferSuccess::Buffer(out))
    }

    fn transform(
        &self,
        inbuf: &gst::Buffer,
        outbuf: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let s = lock(&self.settings).clone();
        let (in_info, out_info) = {
            let st = lock(&self.state);
            match (st.in_info.clone(), st.out_info.clone()) {
                (Some(i), Some(o)) => (i, o),
                _ => return Err(gst::FlowError::NotNegotiated),
            }
        };
        let (ow, oh) = (out_info.width() as usize, out_info.height() as usize);
        let (iw, ih) = (in_info.width() as usize, in_info.height() as usize);
        let istride = in_info.stride()[0] as usize;
        let batch = BatchMeta::from_buffer(inbuf.as_ref());
        for i in 0..outbuf.n_memory().min(inbuf.n_memory()) {
            let seg = batch
                .and_then(|b| b.frame(i as u32))
                .and_then(|f| f.user_metas().find_map(|u| u.segmentation()));
            let map = seg.and_then(|m| m.class_map());
            let map_ref = map.as_ref().and_then(|m| {
                let (mh, mw) = m.dim();
                m.as_slice().map(|sl| (sl, mw, mh))
            });
            let in_map = if s.original_background {
                Some(inbuf.peek_memory(i).map_readable().map_err(|_| gst::FlowError::Error)?)
            } else {
                None
            };
            let frame = in_map.as_ref().and_then(|m| {
                (m.size() >= istride * ih).then_some((m.as_slice(), iw, ih, istride))
            });
            let mut om = outbuf
                .peek_memory_mut(i)
                .map_err(|_| gst::FlowError::Error)?
                .map_writable()
                .map_err(|_| gst::FlowError::Error)?;
            paint(om.as_mut_slice(), (ow, oh), map_ref, frame, s.alpha);
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_scales_the_map_and_colours_classes() {
        // 2x2 map: classes 0, 1 / -1, 3 painted at 4x4
        let map = [0, 1, -1, 3];
        let mut out = vec![0u8; 4 * 4 * 4];
        paint(&mut out, (4, 4), Some((&map, 2, 2)), None, 0.5);
        let px = |x: usize, y: usize| [out[(y * 4 + x) * 4], out[(y * 4 + x) * 4 + 1], out[(y * 4 + x) * 4 + 2]];
        assert_eq!(px(0, 0), super::super::class_color(0));
        assert_eq!(px(3, 1), super::super::class_color(1));
        assert_eq!(px(1, 3), [0, 0, 0]);
        assert_eq!(px(2, 2), super::super::class_color(3));
    }
}
