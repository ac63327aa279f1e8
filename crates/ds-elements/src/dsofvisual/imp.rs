use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::sync::{LazyLock, Mutex};

use ds_meta::BatchMeta;

use crate::caps;
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new("dsofvisual", gst::DebugColorFlags::empty(), Some("Portable nvofvisual"))
});

/// A frame's block colours (row-major), rows, cols.
type Painted = (Vec<[u8; 3]>, usize, usize);

/// The `dsofvisual` implementation.
#[derive(Default)]
pub struct DsOfVisual {
    gpu_id: Mutex<u32>,
    info: Mutex<Option<gst_video::VideoInfo>>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsOfVisual {
    const NAME: &'static str = "DsOfVisual";
    type Type = super::DsOfVisual;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsOfVisual {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![glib::ParamSpecUInt::builder("gpu-id")
                .nick("GPU ID")
                .blurb("Accepted for compatibility; no effect")
                .default_value(0)
                .build()]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if pspec.name() == "gpu-id" {
            *lock(&self.gpu_id) = value.get().unwrap_or(0);
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "gpu-id" => lock(&self.gpu_id).to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}

impl GstObjectImpl for DsOfVisual {}

impl ElementImpl for DsOfVisual {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Optical flow visualiser (portable nvofvisual)",
                "Filter/Video",
                "Replaces each frame with the colour coding of its optical flow",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let c = caps::batch_caps_any();
            caps::sink_src_templates(&c, &c)
        });
        T.as_ref()
    }
}

impl BaseTransformImpl for DsOfVisual {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "dsofvisual: bad caps {incaps}"))?;
        *lock(&self.info) = Some(info);
        Ok(())
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let Some(info) = lock(&self.info).clone() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let (w, h, stride) = (info.width() as usize, info.height() as usize, info.stride()[0] as usize);
        // Per memory (batch_id): the grid's colours, rows, cols.
        let mut paint: Vec<Option<Painted>> = vec![None; buf.n_memory()];
        if let Some(bm) = BatchMeta::from_buffer(buf) {
            for f in bm.frames() {
                let i = f.batch_id() as usize;
                if i >= paint.len() {
                    continue;
                }
                if let Some(of) = f.user_metas().find_map(|u| u.optical_flow()) {
                    let grid = ds_flow::FlowGrid {
                        rows: of.rows() as usize,
                        cols: of.cols() as usize,
                        block: 4,
                        vectors: of
                            .vectors()
                            .iter()
                            .map(|v| ds_flow::FlowVector { flowx: v.flowx, flowy: v.flowy })
                            .collect(),
                    };
                    paint[i] = Some((ds_flow::colorize(&grid, 1.0), grid.rows, grid.cols));
                }
            }
        }
        for (i, p) in paint.into_iter().enumerate() {
            let mem = buf.peek_memory_mut(i).map_err(|_| gst::FlowError::Error)?;
            let mut map = mem.map_writable().map_err(|_| gst::FlowError::Error)?;
            let data = map.as_mut_slice();
            if data.len() < stride * h {
                return Err(gst::FlowError::Error);
            }
            for y in 0..h {
                let row = &mut data[y * stride..y * stride + w * 4];
                for (x, px) in row.chunks_exact_mut(4).enumerate() {
                    let rgb = match &p {
                        Some((colors, rows, cols)) if *rows > 0 && *cols > 0 => {
                            colors[(y / 4).min(rows - 1) * cols + (x / 4).min(cols - 1)]
                        }
                        _ => [255, 255, 255],
                    };
                    px[..3].copy_from_slice(&rgb);
                    px[3] = 255;
                }
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}
