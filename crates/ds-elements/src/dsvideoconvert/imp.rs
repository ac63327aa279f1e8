use gst::glib;
use gst::prelude::*;

use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use std::sync::{LazyLock, Mutex};

use crate::caps;
use crate::meta;
use crate::util::lock;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsvideoconvert",
        gst::DebugColorFlags::empty(),
        Some("Portable nvvideoconvert"),
    )
});

struct Negotiated {
    in_info: gst_video::VideoInfo,
    out_info: gst_video::VideoInfo,
    in_batch: bool,
    out_batch: bool,
    conv: Option<gst_video::VideoConverter>,
    /// RGBA -> I420/NV12 of the same size with SIMD, in place of `conv`.
    fast: Option<super::rgba_yuv::RgbaToYuv>,
    /// Frames made into batches (their `frame_num`).
    frames: std::sync::atomic::AtomicI32,
}

/// The `dsvideoconvert` implementation.
#[derive(Default)]
pub struct DsVideoConvert {
    state: Mutex<Option<Negotiated>>,
    /// `gpu-id` and `nvbuf-memory-type`: accepted for compatibility, no effect.
    compat: Mutex<(u32, u32)>,
}

#[glib::object_subclass]
impl ObjectSubclass for DsVideoConvert {
    const NAME: &'static str = "DsVideoConvert";
    type Type = super::DsVideoConvert;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for DsVideoConvert {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("Set GPU Device ID")
                    .blurb("Accepted for compatibility; no effect (conversion runs on the CPU)")
                    .default_value(0)
                    .build(),
                glib::ParamSpecUInt::builder("nvbuf-memory-type")
                    .nick("Type of NvBufSurface memory allocated for output buffers")
                    .blurb("Accepted for compatibility; no effect (system memory)")
                    .maximum(4)
                    .default_value(0)
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut c = lock(&self.compat);
        match pspec.name() {
            "gpu-id" => c.0 = value.get().unwrap_or(0),
            "nvbuf-memory-type" => c.1 = value.get().unwrap_or(0),
            _ => {}
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let c = lock(&self.compat);
        match pspec.name() {
            "gpu-id" => c.0.to_value(),
            "nvbuf-memory-type" => c.1.to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }
}
impl GstObjectImpl for DsVideoConvert {}

fn all_caps() -> gst::Caps {
    let mut c = caps::batch_caps_any();
    c.merge(caps::raw_caps_any());
    c
}

impl ElementImpl for DsVideoConvert {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Video converter (portable nvvideoconvert)",
                "Filter/Converter/Video/Scaler",
                "Converts between DeepStream batches and plain video, and between raw formats and sizes",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static T: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            caps::sink_src_templates(&all_caps(), &all_caps())
        });
        T.as_ref()
    }
}

impl BaseTransformImpl for DsVideoConvert {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::NeverInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = true;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn transform_caps(
        &self,
        _direction: gst::PadDirection,
        caps: &gst::Caps,
        filter: Option<&gst::Caps>,
    ) -> Option<gst::Caps> {
        let mut out = gst::Caps::new_empty();
        {
            let outm = out.get_mut()?;
            for (s, f) in caps.iter_with_features() {
                let batch = f.contains(caps::CAPS_FEATURE_BATCH);
                // the same caps first, so that equal caps pass through
                outm.append_structure_full(s.to_owned(), Some(f.to_owned()));
                let mut free = s.to_owned();
                free.remove_fields([
                    "width",
                    "height",
                    "format",
                    "pixel-aspect-ratio",
                    "colorimetry",
                    "chroma-site",
                ]);
                let mut b = free.clone();
                b.set("format", "RGBA");
                if batch {
                    // a batch keeps its size
                    if let Ok(w) = s.value("width") {
                        b.set_value("width", w.clone());
                    }
                    if let Ok(h) = s.value("height") {
                        b.set_value("height", h.clone());
                    }
                } else {
                    b.set("width", gst::IntRange::new(1, i32::MAX));
                    b.set("height", gst::IntRange::new(1, i32::MAX));
                }
                let mut raw = free;
                raw.set(
                    "format",
                    gst::List::new(caps::RAW_FORMATS.iter().map(|f| f.to_str())),
                );
                raw.set("width", gst::IntRange::new(1, i32::MAX));
                raw.set("height", gst::IntRange::new(1, i32::MAX));
                let bf = gst::CapsFeatures::new([caps::CAPS_FEATURE_BATCH]);
                if batch {
                    outm.append_structure_full(b, Some(bf));
                    outm.append_structure(raw);
                } else {
                    outm.append_structure(raw);
                    outm.append_structure_full(b, Some(bf));
                }
            }
        }
        out.simplify();
        Some(match filter {
            Some(f) => f.intersect_with_mode(&out, gst::CapsIntersectMode::First),
            None => out,
        })
    }

    fn fixate_caps(
        &self,
        _direction: gst::PadDirection,
        caps: &gst::Caps,
        othercaps: gst::Caps,
    ) -> gst::Caps {
        let mut oc = othercaps;
        oc.truncate();
        if let (Some(s), Some(om)) = (caps.structure(0), oc.get_mut())
            && let Some(os) = om.structure_mut(0)
        {
            if let Ok(w) = s.get::<i32>("width") {
                os.fixate_field_nearest_int("width", w);
            }
            if let Ok(h) = s.get::<i32>("height") {
                os.fixate_field_nearest_int("height", h);
            }
            if let Ok(fmt) = s.get::<&str>("format") {
                os.fixate_field_str("format", fmt);
            }
            if let Ok(fr) = s.get::<gst::Fraction>("framerate") {
                os.fixate_field_nearest_fraction("framerate", fr);
            }
        }
        oc.fixate();
        oc
    }

    fn set_caps(&self, incaps: &gst::Caps, outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let in_info = gst_video::VideoInfo::from_caps(incaps).map_err(|_| {
            gst::loggable_error!(CAT, "dsvideoconvert: cannot parse input caps {incaps}")
        })?;
        let out_info = gst_video::VideoInfo::from_caps(outcaps).map_err(|_| {
            gst::loggable_error!(CAT, "dsvideoconvert: cannot parse output caps {outcaps}")
        })?;
        let in_batch = caps::is_batch(incaps);
        let out_batch = caps::is_batch(outcaps);
        let fast = super::rgba_yuv::RgbaToYuv::new(&in_info, &out_info);
        let conv = if in_info == out_info || fast.is_some() {
            None
        } else {
            // the converter wants equal frame rates; output buffers do not depend on them
            let target = gst_video::VideoInfo::builder(
                out_info.format(),
                out_info.width(),
                out_info.height(),
            )
            .fps(in_info.fps())
            .interlace_mode(in_info.interlace_mode())
            .build()
            .map_err(|e| gst::loggable_error!(CAT, "dsvideoconvert: {e}"))?;
            Some(
                gst_video::VideoConverter::new(&in_info, &target, None).map_err(|e| {
                    gst::loggable_error!(
                        CAT,
                        "dsvideoconvert: cannot convert {incaps} to {outcaps}: {e}"
                    )
                })?,
            )
        };
        gst::debug!(CAT, imp = self, "{incaps} -> {outcaps}");
        *lock(&self.state) = Some(Negotiated {
            in_info,
            out_info,
            in_batch,
            out_batch,
            conv,
            fast,
            frames: Default::default(),
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn prepare_output_buffer(
        &self,
        inbuf: gst_base::subclass::base_transform::InputBuffer,
    ) -> Result<gst_base::subclass::base_transform::PrepareOutputBufferSuccess, gst::FlowError>
    {
        if self.obj().is_passthrough() {
            return Ok(gst_base::subclass::base_transform::PrepareOutputBufferSuccess::InputBuffer);
        }
        let (size, share) = match lock(&self.state).as_ref() {
            Some(n) => (n.out_info.size(), n.shares_memory()),
            None => return Err(gst::FlowError::NotNegotiated),
        };
        if share {
            // Only the caps feature changes (a batch of one frame <-> plain video of the
            // same format and size): the output shares the input's memory, no pixel copy.
            // An element that writes into it later gets its own copy from GStreamer when
            // the memory is still shared then.
            let inbuf: &gst::BufferRef = match &inbuf {
                gst_base::subclass::base_transform::InputBuffer::Writable(b) => b,
                gst_base::subclass::base_transform::InputBuffer::Readable(b) => b,
            };
            if inbuf.n_memory() == 1 {
                let mut out = gst::Buffer::new();
                {
                    let outm = out.get_mut().ok_or(gst::FlowError::Error)?;
                    inbuf
                        .copy_into(
                            outm,
                            gst::BufferCopyFlags::FLAGS
                                | gst::BufferCopyFlags::TIMESTAMPS
                                | gst::BufferCopyFlags::META
                                | gst::BufferCopyFlags::MEMORY,
                            ..,
                        )
                        .map_err(|_| gst::FlowError::Error)?;
                }
                return Ok(gst_base::subclass::base_transform::PrepareOutputBufferSuccess::Buffer(out));
            }
        }
        let out = crate::util::output_buffer_like(&inbuf, size)?;
        Ok(gst_base::subclass::base_transform::PrepareOutputBufferSuccess::Buffer(out))
    }

    fn transform(
        &self,
        inbuf: &gst::Buffer,
        outbuf: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let st = lock(&self.state);
        let Some(n) = st.as_ref() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        if n.in_batch && !n.out_batch && inbuf.n_memory() > 1 {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                (
                    "dsvideoconvert: a batch of {} frames cannot become plain video; put dstiler or dsstreamdemux before dsvideoconvert (or use batch-size=1)",
                    inbuf.n_memory()
                )
            );
            return Err(gst::FlowError::Error);
        }
        let shared = n.shares_memory()
            && outbuf.n_memory() == 1
            && inbuf.n_memory() == 1
            && outbuf.peek_memory(0).as_ptr() == inbuf.peek_memory(0).as_ptr();
        if !shared {
            self.convert(n, inbuf, outbuf)?;
        }
        if n.out_batch && !n.in_batch {
            let num = n.frames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if let Err(e) = meta::ensure_single_frame_meta(
                outbuf,
                n.out_info.width(),
                n.out_info.height(),
                n.in_info.width(),
                n.in_info.height(),
                num,
            ) {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("dsvideoconvert: cannot attach NvDsBatchMeta: {e}")
                );
                return Err(gst::FlowError::Error);
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

impl Negotiated {
    /// Whether output buffers share the input's memory: the same format and size, only the
    /// batch caps feature added or removed.
    fn shares_memory(&self) -> bool {
        self.conv.is_none() && self.fast.is_none() && self.in_batch != self.out_batch
    }
}

impl DsVideoConvert {
    /// Converts (or copies) the pixels of `inbuf` into `outbuf`.
    fn convert(
        &self,
        n: &Negotiated,
        inbuf: &gst::Buffer,
        outbuf: &mut gst::BufferRef,
    ) -> Result<(), gst::FlowError> {
        let src = gst_video::VideoFrameRef::from_buffer_ref_readable(inbuf.as_ref(), &n.in_info)
            .map_err(|_| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("dsvideoconvert: input buffer does not match caps")
                );
                gst::FlowError::Error
            })?;
        {
            let mut dst =
                gst_video::VideoFrameRef::from_buffer_ref_writable(&mut *outbuf, &n.out_info)
                    .map_err(|_| {
                        gst::element_imp_error!(
                            self,
                            gst::StreamError::Format,
                            ("dsvideoconvert: output buffer does not match caps")
                        );
                        gst::FlowError::Error
                    })?;
            match (&n.conv, &n.fast) {
                (Some(c), _) => c.frame_ref(&src, &mut dst),
                (None, Some(f)) => f.convert(&src, &mut dst).map_err(|e| {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        ("dsvideoconvert: RGBA -> {:?}: {e}", n.out_info.format())
                    );
                    gst::FlowError::Error
                })?,
                (None, None) => {
                    if src.copy(&mut dst).is_err() {
                        return Err(gst::FlowError::Error);
                    }
                }
            }
        }
        Ok(())
    }
}
