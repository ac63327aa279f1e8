//! The nvdspreprocess config file (DeepStream manual, "Gst-nvdspreprocess"): `[property]`,
//! `[user-configs]` and `[group-<n>]`, read with glib's `KeyFile` as nvdspreprocess reads it.
//!
//! What the portable backend does with it:
//! - `[property]`: `enable`, `unique-id`, `target-unique-ids`, `operate-on-gie-id`,
//!   `process-on-frame`, `network-input-order` (0 NCHW, 1 NHWC; 2 CUSTOM is refused),
//!   `network-input-shape` (batch;channels;height;width in that order), `network-color-format`,
//!   `tensor-data-type` (only 0, FP32), `tensor-name`, `processing-width`/`-height`,
//!   `maintain-aspect-ratio`, `symmetric-padding`, `custom-lib-path` and
//!   `custom-tensor-preparation-function`; GPU-only keys (pools, memory types, scaling
//!   hardware and filter, `gpu-id`) are named in one info line;
//! - `[user-configs]` (the keys of NVIDIA's default library `libcustom2d_preprocess.so`):
//!   `pixel-normalization-factor`, `offsets` (one per channel), `mean-file` (a warning: not
//!   supported, only offsets are subtracted);
//! - `[group-<n>]`: `src-ids` (-1 = every source), `process-on-roi`, `roi-params-src-<id>`
//!   (left;top;width;height per ROI), `process-on-all-objects`, `operate-on-class-ids`,
//!   `input-object-min/max-width/height`, `custom-input-transformation-function`, `draw-roi`,
//!   `roi-color`.
//!
//! `custom-lib-path` naming NVIDIA's default library (`libcustom2d_preprocess.so`, any folder)
//! maps to the portable implementation of the same functions (`CustomTensorPreparation`,
//! `CustomAsyncTransformation`/`CustomTransformation`); any other library is refused with an
//! error naming it. A key unknown to nvdspreprocess is a warning naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use glib::{KeyFile, KeyFileFlags};

use crate::config::{ColorFormat, Diagnostic, Level, TensorOrder};
use crate::error::ConfigError;

/// The file name of NVIDIA's default preprocess library, which the portable backend replaces.
pub const DEFAULT_CUSTOM_LIB: &str = "libcustom2d_preprocess.so";

/// `[property]` keys that only matter on NVIDIA's GPU (accepted, named in one info line).
pub const GPU_ONLY_KEYS: &[&str] = &[
    "gpu-id",
    "scaling-buf-pool-size",
    "tensor-buf-pool-size",
    "scaling-pool-memory-type",
    "scaling-pool-compute-hw",
    "scaling-filter",
];

/// A rectangle in frame pixels: `left;top;width;height` of `roi-params-src-<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoiRect {
    /// Left edge (pixels).
    pub left: u32,
    /// Top edge (pixels).
    pub top: u32,
    /// Width (pixels).
    pub width: u32,
    /// Height (pixels).
    pub height: u32,
}

/// One `[group-<n>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PreprocessGroup {
    /// `n` of `[group-<n>]`.
    pub id: u32,
    /// `src-ids`: the sources (muxer pad indexes) this group applies to; `None` for `-1` (all).
    pub src_ids: Option<Vec<u32>>,
    /// `process-on-roi`: build one tensor unit per ROI (else one per whole frame).
    pub process_on_roi: bool,
    /// `roi-params-src-<id>`: the ROIs of each source.
    pub rois: BTreeMap<u32, Vec<RoiRect>>,
    /// `process-on-all-objects` (object mode).
    pub process_on_all_objects: bool,
    /// `operate-on-class-ids` (object mode).
    pub operate_on_class_ids: Vec<i32>,
    /// `input-object-min-width` (object mode; 0 = none).
    pub input_object_min_width: u32,
    /// `input-object-min-height`.
    pub input_object_min_height: u32,
    /// `input-object-max-width` (0 = none).
    pub input_object_max_width: u32,
    /// `input-object-max-height` (0 = none).
    pub input_object_max_height: u32,
    /// `draw-roi`: draw the ROIs on the frame.
    pub draw_roi: bool,
    /// `roi-color` (r;g;b;a in 0..1).
    pub roi_color: Option<[f64; 4]>,
}

impl PreprocessGroup {
    /// The tensor units (batch entries) this group makes for a frame of source `src`: its ROIs
    /// with `process-on-roi=1`, else the whole frame; none when the group is not for `src`.
    pub fn units_for_source(&self, src: u32) -> usize {
        let applies = self.src_ids.as_ref().is_none_or(|ids| ids.contains(&src));
        match (applies, self.process_on_roi) {
            (false, _) => 0,
            (true, true) => self.rois.get(&src).map_or(0, Vec::len),
            (true, false) => 1,
        }
    }
}

/// A parsed nvdspreprocess config file.
#[derive(Debug, Clone, PartialEq)]
pub struct PreprocessConfig {
    /// The config file, as given.
    pub file: PathBuf,
    /// `enable` (default 1): 0 = pass buffers through untouched.
    pub enable: bool,
    /// `unique-id` (default 15): written to the preprocess batch meta.
    pub unique_id: u32,
    /// `target-unique-ids`: the GIEs that use the tensor.
    pub target_unique_ids: Vec<u32>,
    /// `operate-on-gie-id` (object mode; -1 = any).
    pub operate_on_gie_id: i32,
    /// `process-on-frame` (default 1): frames/ROIs; 0 = objects (not supported by the portable
    /// element yet: it says so at start).
    pub process_on_frame: bool,
    /// `network-input-order`.
    pub network_input_order: TensorOrder,
    /// `network-input-shape`: `[batch, channels, height, width]` for NCHW, `[batch, height,
    /// width, channels]` for NHWC, as written.
    pub network_input_shape: [usize; 4],
    /// `network-color-format`.
    pub network_color_format: ColorFormat,
    /// `tensor-name`: the model input the tensor is for.
    pub tensor_name: String,
    /// `processing-width`: the size each unit is scaled to before the tensor is made.
    pub processing_width: u32,
    /// `processing-height`.
    pub processing_height: u32,
    /// `maintain-aspect-ratio`.
    pub maintain_aspect_ratio: bool,
    /// `symmetric-padding`.
    pub symmetric_padding: bool,
    /// `[user-configs] pixel-normalization-factor` (default 1): `y = factor × (x − offset)`.
    pub pixel_normalization_factor: f32,
    /// `[user-configs] offsets`: per-channel mean (empty = 0).
    pub offsets: Vec<f32>,
    /// The groups, in file order.
    pub groups: Vec<PreprocessGroup>,
    /// Warnings and info lines produced while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl PreprocessConfig {
    /// `[batch, channels, height, width]` of the tensor, whatever the order.
    pub fn nchw(&self) -> [usize; 4] {
        let s = self.network_input_shape;
        match self.network_input_order {
            TensorOrder::Nchw => s,
            TensorOrder::Nhwc => [s[0], s[3], s[1], s[2]],
        }
    }

    /// Tensor units for one frame of each source in `sources`, in total.
    pub fn units(&self, sources: &[u32]) -> usize {
        sources.iter().map(|&s| self.groups.iter().map(|g| g.units_for_source(s)).sum::<usize>()).sum()
    }

    /// Reads and checks an nvdspreprocess config file; prints nothing (see
    /// [`PreprocessConfig::diagnostics`]).
    ///
    /// Errors name the file, group, key and value ([`ConfigError`]): a bad value, a custom
    /// library other than NVIDIA's default one, a 5-D or custom-order tensor, a data type other
    /// than FP32, offsets that do not match the colour format. More ROIs for the listed
    /// sources than the tensor's batch dimension are not an error: nvdspreprocess makes
    /// several tensors per batch then (an info line says how many).
    pub fn from_file(path: &Path) -> Result<PreprocessConfig, ConfigError> {
        let file = path.to_path_buf();
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Io { file: file.clone(), message: e.to_string() })?;
        let kf = KeyFile::new();
        kf.load_from_bytes(&glib::Bytes::from(&bytes[..]), KeyFileFlags::NONE)
            .map_err(|e| ConfigError::Syntax { file: file.clone(), message: e.message().to_string() })?;
        if !kf.has_group("property") {
            return Err(ConfigError::NoPropertyGroup { file });
        }
        let mut p = Reader { file: &file, kf: &kf, diagnostics: Vec::new() };
        p.parse()
    }
}

struct Reader<'a> {
    file: &'a Path,
    kf: &'a KeyFile,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn raw(&self, g: &str, k: &str) -> String {
        let v = self.kf.value(g, k).map(|v| v.to_string()).unwrap_or_default();
        // an inline comment after the value, as nvinfer's reader accepts
        let cut = v.find(" #").unwrap_or(v.len());
        v[..cut].trim().to_string()
    }

    fn bad(&self, g: &str, k: &str, expected: &str) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.to_path_buf(),
            group: g.into(),
            key: k.into(),
            value: self.raw(g, k),
            expected: expected.into(),
        }
    }

    fn unsupported(&self, g: &str, k: &str, why: &str) -> ConfigError {
        ConfigError::Unsupported {
            file: self.file.to_path_buf(),
            group: g.into(),
            key: k.into(),
            value: self.raw(g, k),
            why: why.into(),
        }
    }

    fn warn(&mut self, message: String) {
        let file = self.file.display();
        self.diagnostics.push(Diagnostic { level: Level::Warning, message: format!("{file}: {message}") });
    }

    fn int(&self, g: &str, k: &str, min: i64, max: i64) -> Result<i64, ConfigError> {
        match self.raw(g, k).parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.bad(g, k, &format!("expected an integer from {min} to {max}"))),
        }
    }

    fn boolean(&self, g: &str, k: &str) -> Result<bool, ConfigError> {
        match self.raw(g, k).to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(self.bad(g, k, "expected 0 or 1 (or true/false)")),
        }
    }

    fn float(&self, g: &str, k: &str) -> Result<f32, ConfigError> {
        match self.raw(g, k).parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x as f32),
            _ => Err(self.bad(g, k, "expected a number")),
        }
    }

    fn list(&self, g: &str, k: &str) -> Vec<String> {
        self.raw(g, k).split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    }

    fn ints(&self, g: &str, k: &str, min: i64) -> Result<Vec<i64>, ConfigError> {
        self.list(g, k)
            .iter()
            .map(|s| s.parse::<i64>().ok().filter(|&n| n >= min))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| self.bad(g, k, &format!("expected a ';'-separated list of integers >= {min}")))
    }

    fn floats(&self, g: &str, k: &str) -> Result<Vec<f32>, ConfigError> {
        self.list(g, k)
            .iter()
            .map(|s| s.parse::<f32>().ok().filter(|x| x.is_finite()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| self.bad(g, k, "expected a ';'-separated list of numbers"))
    }

    fn keys(&self, g: &str) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.kf
            .keys(g)
            .map(|ks| ks.iter().map(|k| k.to_string()).filter(|k| seen.insert(k.clone())).collect())
            .unwrap_or_default()
    }

    fn parse(&mut self) -> Result<PreprocessConfig, ConfigError> {
        let mut c = PreprocessConfig {
            file: self.file.to_path_buf(),
            enable: true,
            unique_id: 15,
            target_unique_ids: Vec::new(),
            operate_on_gie_id: -1,
            process_on_frame: true,
            network_input_order: TensorOrder::Nchw,
            network_input_shape: [0; 4],
            network_color_format: ColorFormat::Rgb,
            tensor_name: String::new(),
            processing_width: 0,
            processing_height: 0,
            maintain_aspect_ratio: false,
            symmetric_padding: false,
            pixel_normalization_factor: 1.0,
            offsets: Vec::new(),
            groups: Vec::new(),
            diagnostics: Vec::new(),
        };
        let g = "property";
        let mut gpu_only = Vec::new();
        let mut shape_set = false;
        for key in self.keys(g) {
            let k = key.as_str();
            match k {
                "enable" => c.enable = self.boolean(g, k)?,
                "unique-id" => c.unique_id = self.int(g, k, 0, i32::MAX as i64)? as u32,
                "target-unique-ids" => c.target_unique_ids = self.ints(g, k, 0)?.into_iter().map(|x| x as u32).collect(),
                "operate-on-gie-id" => c.operate_on_gie_id = self.int(g, k, -1, i32::MAX as i64)? as i32,
                "process-on-frame" => c.process_on_frame = self.boolean(g, k)?,
                "network-input-order" => {
                    c.network_input_order = match self.int(g, k, 0, 2)? {
                        0 => TensorOrder::Nchw,
                        1 => TensorOrder::Nhwc,
                        _ => return Err(self.unsupported(g, k, "network-input-order=2 (CUSTOM) needs a custom library; the portable backend makes NCHW (0) or NHWC (1) tensors")),
                    }
                }
                "network-input-shape" => {
                    let d = self.ints(g, k, 1)?;
                    if d.len() != 4 {
                        return Err(self.unsupported(g, k, &format!("{} dimensions: the portable backend makes 4-D tensors (batch;channels;height;width, or batch;height;width;channels for NHWC)", d.len())));
                    }
                    c.network_input_shape = [d[0] as usize, d[1] as usize, d[2] as usize, d[3] as usize];
                    shape_set = true;
                }
                "network-color-format" => {
                    c.network_color_format = match self.int(g, k, 0, 2)? {
                        0 => ColorFormat::Rgb,
                        1 => ColorFormat::Bgr,
                        _ => ColorFormat::Gray,
                    }
                }
                "tensor-data-type" => {
                    if self.int(g, k, 0, 5)? != 0 {
                        return Err(self.unsupported(g, k, "the portable backend makes FP32 tensors only (tensor-data-type=0)"));
                    }
                }
                "tensor-name" => c.tensor_name = self.raw(g, k),
                "processing-width" => c.processing_width = self.int(g, k, 1, 1 << 16)? as u32,
                "processing-height" => c.processing_height = self.int(g, k, 1, 1 << 16)? as u32,
                "maintain-aspect-ratio" => c.maintain_aspect_ratio = self.boolean(g, k)?,
                "symmetric-padding" => c.symmetric_padding = self.boolean(g, k)?,
                "custom-lib-path" => {
                    let v = self.raw(g, k);
                    if Path::new(&v).file_name().and_then(|f| f.to_str()) != Some(DEFAULT_CUSTOM_LIB) {
                        return Err(self.unsupported(g, k, &format!("only NVIDIA's default library ({DEFAULT_CUSTOM_LIB}) has a portable implementation; a custom preprocess library cannot run on the portable backend")));
                    }
                }
                "custom-tensor-preparation-function" => {
                    if self.raw(g, k) != "CustomTensorPreparation" {
                        return Err(self.unsupported(g, k, "the portable backend implements CustomTensorPreparation of the default library only"));
                    }
                }
                _ if GPU_ONLY_KEYS.contains(&k) => gpu_only.push(key.clone()),
                _ => self.warn(format!("[{g}] unknown key '{k}' ignored")),
            }
        }
        if !shape_set {
            return Err(ConfigError::MissingKey {
                file: self.file.to_path_buf(),
                group: g.into(),
                key: "network-input-shape".into(),
                why: "the tensor's shape (batch;channels;height;width) is needed".into(),
            });
        }
        let channels = c.nchw()[1];
        if channels != c.network_color_format.channels() {
            return Err(self.bad(g, "network-input-shape", &format!("{channels} channels do not match network-color-format (which gives {})", c.network_color_format.channels())));
        }

        let u = "user-configs";
        if self.kf.has_group(u) {
            for key in self.keys(u) {
                let k = key.as_str();
                match k {
                    "pixel-normalization-factor" => c.pixel_normalization_factor = self.float(u, k)?,
                    "offsets" => {
                        c.offsets = self.floats(u, k)?;
                        if c.offsets.len() != c.network_color_format.channels() {
                            return Err(self.bad(u, k, &format!("expected {} values, one per channel of network-color-format", c.network_color_format.channels())));
                        }
                    }
                    "mean-file" => {
                        let v = self.raw(u, k);
                        self.warn(format!("[{u}] mean-file={v}: mean images are not supported by the portable backend; only offsets are subtracted"));
                    }
                    _ => self.warn(format!("[{u}] unknown key '{k}' ignored (the default library reads pixel-normalization-factor, offsets and mean-file)")),
                }
            }
        }

        let groups: Vec<String> = self.kf.groups().iter().map(|s| s.to_string()).collect();
        for group in &groups {
            if group == "property" || group == u {
                continue;
            }
            let Some(id) = group.strip_prefix("group-").and_then(|n| n.parse::<u32>().ok()) else {
                self.warn(format!("group [{group}] is not an nvdspreprocess group; ignored"));
                continue;
            };
            c.groups.push(self.group(group, id)?);
        }
        if c.groups.is_empty() {
            return Err(ConfigError::MissingKey {
                file: self.file.to_path_buf(),
                group: "group-0".into(),
                key: "src-ids".into(),
                why: "nvdspreprocess needs at least one [group-<n>] naming its sources".into(),
            });
        }
        // More units for the listed sources than the tensor's batch dimension: nvdspreprocess
        // then makes several tensors per batch (meta_id 0, 1, ...); said in an info line.
        let listed: std::collections::BTreeSet<u32> = c.groups.iter().filter_map(|g| g.src_ids.clone()).flatten().collect();
        let listed: Vec<u32> = listed.into_iter().collect();
        let units = c.units(&listed);
        let batch = c.network_input_shape[0];
        if c.process_on_frame && units > batch {
            let file = self.file.display();
            self.diagnostics.push(Diagnostic {
                level: Level::Info,
                message: format!(
                    "{file}: {units} ROIs/frames for sources {listed:?} exceed the tensor's batch dimension {batch} (network-input-shape): each batch makes {} tensors, as nvdspreprocess does",
                    units.div_ceil(batch)
                ),
            });
        }

        if !gpu_only.is_empty() {
            let file = self.file.display();
            self.diagnostics.push(Diagnostic {
                level: Level::Info,
                message: format!("{file}: DeepStream-only keys ignored by the portable backend: {}", gpu_only.join(", ")),
            });
        }
        c.diagnostics = std::mem::take(&mut self.diagnostics);
        Ok(c)
    }

    fn group(&mut self, g: &str, id: u32) -> Result<PreprocessGroup, ConfigError> {
        let mut grp = PreprocessGroup {
            id,
            src_ids: None,
            process_on_roi: false,
            rois: BTreeMap::new(),
            process_on_all_objects: false,
            operate_on_class_ids: Vec::new(),
            input_object_min_width: 0,
            input_object_min_height: 0,
            input_object_max_width: 0,
            input_object_max_height: 0,
            draw_roi: false,
            roi_color: None,
        };
        let mut src_ids_set = false;
        for key in self.keys(g) {
            let k = key.as_str();
            match k {
                "src-ids" => {
                    src_ids_set = true;
                    let ids = self.ints(g, k, -1)?;
                    grp.src_ids = if ids.contains(&-1) { None } else { Some(ids.into_iter().map(|x| x as u32).collect()) };
                }
                "process-on-roi" => grp.process_on_roi = self.boolean(g, k)?,
                "process-on-all-objects" => grp.process_on_all_objects = self.boolean(g, k)?,
                "operate-on-class-ids" => grp.operate_on_class_ids = self.ints(g, k, -1)?.into_iter().map(|x| x as i32).collect(),
                "input-object-min-width" => grp.input_object_min_width = self.int(g, k, 0, u32::MAX as i64)? as u32,
                "input-object-min-height" => grp.input_object_min_height = self.int(g, k, 0, u32::MAX as i64)? as u32,
                "input-object-max-width" => grp.input_object_max_width = self.int(g, k, 0, u32::MAX as i64)? as u32,
                "input-object-max-height" => grp.input_object_max_height = self.int(g, k, 0, u32::MAX as i64)? as u32,
                "draw-roi" => grp.draw_roi = self.boolean(g, k)?,
                "roi-color" => {
                    let l = self.floats(g, k)?;
                    if l.len() != 4 || l.iter().any(|x| !(0.0..=1.0).contains(x)) {
                        return Err(self.bad(g, k, "expected red;green;blue;alpha, each from 0 to 1"));
                    }
                    grp.roi_color = Some([l[0] as f64, l[1] as f64, l[2] as f64, l[3] as f64]);
                }
                "custom-input-transformation-function" => {
                    let v = self.raw(g, k);
                    if v != "CustomAsyncTransformation" && v != "CustomTransformation" {
                        return Err(self.unsupported(g, k, "the portable backend implements CustomAsyncTransformation and CustomTransformation of the default library only"));
                    }
                }
                _ => {
                    if let Some(src) = k.strip_prefix("roi-params-src-") {
                        let Ok(src) = src.parse::<u32>() else {
                            self.warn(format!("[{g}] unknown key '{k}' ignored"));
                            continue;
                        };
                        let v = self.ints(g, k, 0)?;
                        if v.len() % 4 != 0 || v.is_empty() {
                            return Err(self.bad(g, k, "expected left;top;width;height for each ROI (a multiple of 4 integers)"));
                        }
                        let rois = v
                            .chunks(4)
                            .map(|q| RoiRect { left: q[0] as u32, top: q[1] as u32, width: q[2] as u32, height: q[3] as u32 })
                            .collect::<Vec<_>>();
                        if rois.iter().any(|r| r.width == 0 || r.height == 0) {
                            return Err(self.bad(g, k, "every ROI needs a width and a height above 0"));
                        }
                        grp.rois.insert(src, rois);
                    } else {
                        self.warn(format!("[{g}] unknown key '{k}' ignored"));
                    }
                }
            }
        }
        if !src_ids_set {
            return Err(ConfigError::MissingKey {
                file: self.file.to_path_buf(),
                group: g.into(),
                key: "src-ids".into(),
                why: "each group names its sources (-1 = all)".into(),
            });
        }
        Ok(grp)
    }
}
