//! [`Inference`]: a config file's model, pre-processing and output parsing, batched.

use std::path::PathBuf;

use ndarray::ArrayViewD;

use crate::classifier;
use crate::cluster;
use crate::config::{
    ConfigFormat, ConfigPath, InferConfig, ModelSource, NetworkMode, NetworkType, PROPERTY_GROUP, TensorOrder,
};
use crate::engine::{Engine, OrtEngine, darknet_onnx_path};
use crate::error::{ConfigError, InferError};
use crate::output::{Detection, InferOutput, InstanceMask, OutputTensor};
use crate::parse::{self, DetectorParams, DetectorParser, Layer};
use crate::preprocess::{ImageRoi, Normalization, Rect, Transform, preprocess_into};

/// A loaded model with its config: what one `nvinfer`/`dsinfer` instance runs.
///
/// Created from an [`InferConfig`] (which already holds the labels); [`Inference::infer`]
/// takes any number of RGBA regions and runs them in batches of at most `batch-size`
/// (or the model's fixed batch size).
pub struct Inference {
    config: InferConfig,
    engine: Box<dyn Engine>,
    model_path: PathBuf,
    channels: usize,
    net_h: usize,
    net_w: usize,
    fixed_batch: Option<usize>,
    run_batch: usize,
    parser: Option<DetectorParser>,
    norm: Normalization,
    /// Indices (into the engine's outputs) of the layers to parse, in parsing order.
    parse_outputs: Vec<usize>,
    buffer: Vec<f32>,
    /// Instance segmentation (`network-type=3`): the mask head run on each detected box.
    mask_head: Option<Box<Inference>>,
}

fn unsupported(config: &InferConfig, p: &ConfigPath, why: &str) -> InferError {
    InferError::Config(ConfigError::Unsupported {
        file: config.file.clone(),
        group: PROPERTY_GROUP.into(),
        key: p.key.clone(),
        value: p.value.clone(),
        why: why.into(),
    })
}

/// Threads that prepare the inputs of one batch: `DS_PREPROCESS_THREADS` when set (a
/// positive integer), else the CPUs this process may use. A batch of one input is prepared
/// on the calling thread.
pub fn preprocess_threads() -> usize {
    std::env::var("DS_PREPROCESS_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

impl Inference {
    /// Loads the config's model in ONNX Runtime and checks that it fits the config
    /// (input size against `infer-dims`, channels against `model-color-format`, output names
    /// against `output-blob-names`, a known `parse-bbox-func-name`).
    ///
    /// Models ONNX Runtime cannot read are refused with "not supported in the portable
    /// backend: convert to ONNX". A Darknet config (`custom-network-config=x.cfg`) runs
    /// `x.onnx` from the same folder when it exists.
    pub fn new(config: &InferConfig) -> Result<Inference, InferError> {
        let config = config.clone();
        let model_path = match &config.model {
            ModelSource::Onnx(p) => p.path.clone(),
            ModelSource::Darknet { cfg, .. } => {
                let onnx = darknet_onnx_path(&cfg.path);
                if !onnx.is_file() {
                    return Err(unsupported(
                        &config,
                        cfg,
                        &format!(
                            "Darknet models are not supported in the portable backend: convert to ONNX ({} was not found) and set onnx-file",
                            onnx.display()
                        ),
                    ));
                }
                eprintln!(
                    "ds-infer: info: {}: [property] {}={}: running its ONNX conversion {}",
                    config.file.display(),
                    cfg.key,
                    cfg.value,
                    onnx.display()
                );
                onnx
            }
            ModelSource::Caffe { model, .. } => {
                return Err(unsupported(
                    &config,
                    model,
                    "Caffe models are not supported in the portable backend: convert to ONNX and set onnx-file",
                ));
            }
            ModelSource::Uff(p) => {
                return Err(unsupported(
                    &config,
                    p,
                    "UFF models are not supported in the portable backend: convert to ONNX and set onnx-file",
                ));
            }
            ModelSource::Etlt(p) => {
                return Err(unsupported(
                    &config,
                    p,
                    "TAO .etlt models are not supported in the portable backend: convert to ONNX and set onnx-file",
                ));
            }
            ModelSource::EngineOnly(p) => {
                return Err(unsupported(
                    &config,
                    p,
                    "a TensorRT engine cannot run in the portable backend: set onnx-file to the model it was built from",
                ));
            }
            ModelSource::None => {
                return Err(InferError::Config(ConfigError::MissingKey {
                    file: config.file.clone(),
                    group: PROPERTY_GROUP.into(),
                    key: "onnx-file".into(),
                    why: "no model is named (onnx-file, model-file or custom-network-config)"
                        .into(),
                }));
            }
        };
        if !model_path.is_file() {
            if let Err(e) = config.check_files() {
                return Err(e.into());
            }
            return Err(InferError::Model {
                model: model_path,
                message: "file not found".into(),
            });
        }
        // network-mode=1: the model quantized from int8-calib-file (see crate::int8)
        let model_path = if config.network_mode == NetworkMode::Int8 {
            let q = crate::int8::quantized_model(&config, &model_path)?;
            eprintln!(
                "ds-infer: info: {}: [property] network-mode=1 (INT8): running {} (quantized from {} with {})",
                config.file.display(),
                q.display(),
                model_path.display(),
                config.int8_calib_file.as_ref().map(|c| c.path.display().to_string()).unwrap_or_default()
            );
            q
        } else {
            model_path
        };

        let parser = match config.network_type {
            NetworkType::Detector | NetworkType::InstanceSegmentation => {
                match DetectorParser::from_func_name(config.parse_bbox_func_name.as_deref()) {
                    Some(p) => Some(p),
                    None => {
                        return Err(InferError::Config(ConfigError::Unsupported {
                            file: config.file.clone(),
                            group: PROPERTY_GROUP.into(),
                            key: "parse-bbox-func-name".into(),
                            value: config.parse_bbox_func_name.clone().unwrap_or_default(),
                            why: format!(
                                "no built-in parser of that name in the portable backend; built-in parsers: {}",
                                DetectorParser::KNOWN
                            ),
                        }));
                    }
                }
            }
            _ => None,
        };
        if config.network_type == NetworkType::Classifier
            && let Some(name) = &config.parse_classifier_func_name
        {
            return Err(InferError::Config(ConfigError::Unsupported {
                file: config.file.clone(),
                group: PROPERTY_GROUP.into(),
                key: "parse-classifier-func-name".into(),
                value: name.clone(),
                why: "custom classifier parsers are not supported in the portable backend; remove the key to use the softmax parser".into(),
            }));
        }

        if config.network_type == NetworkType::Classifier
            && let Some(map) = &config.class_id_map
            && let Some(&top) = map.values().max()
            && let Some(line) = config.labels.iter().find(|l| l.len() <= top as usize)
        {
            return Err(InferError::Config(ConfigError::BadValue {
                file: config.file.clone(),
                group: PROPERTY_GROUP.into(),
                key: "class-id-map".into(),
                value: map
                    .iter()
                    .map(|(a, b)| format!("{a}:{b}"))
                    .collect::<Vec<_>>()
                    .join(";"),
                expected: format!(
                    "output classes that the label file names: class {top} has no label (the line '{}' has {})",
                    line.join(";"),
                    line.len()
                ),
            }));
        }
        let mask_head = match (&config.network_type, &config.instance_mask_config) {
            (NetworkType::InstanceSegmentation, Some(p)) => Some(Box::new(Inference::mask_head(&config, p)?)),
            _ => None,
        };
        let engine = OrtEngine::open_on(&model_path, config.gpu_id)?;
        if engine.target() != crate::device::ExecutionTarget::Cpu {
            eprintln!("ds-infer: {}: inference on {}", model_path.display(), engine.target());
        }
        let mut inference = Inference::with_engine(config, Box::new(engine), model_path, parser)?;
        inference.mask_head = mask_head;
        Ok(inference)
    }

    /// Loads the mask head named by `instance-mask-config-file`: a segmentation config
    /// (`network-type=2`) whose model gives a `[batch, classes, height, width]` mask.
    fn mask_head(config: &InferConfig, p: &ConfigPath) -> Result<Inference, InferError> {
        let wrap = |source: InferError| InferError::MaskHead {
            file: config.file.clone(),
            value: p.value.clone(),
            source: Box::new(source),
        };
        if !p.path.is_file() {
            return Err(InferError::Config(ConfigError::MissingFile {
                file: config.file.clone(),
                group: PROPERTY_GROUP.into(),
                key: p.key.clone(),
                value: p.value.clone(),
                resolved: p.path.clone(),
            }));
        }
        let head_config = InferConfig::from_file(&p.path).map_err(|e| wrap(e.into()))?;
        if head_config.network_type != NetworkType::Segmentation {
            return Err(wrap(InferError::Config(ConfigError::BadValue {
                file: head_config.file.clone(),
                group: PROPERTY_GROUP.into(),
                key: "network-type".into(),
                value: format!("{:?}", head_config.network_type),
                expected: "a mask head must be a segmentation model (network-type=2)".into(),
            })));
        }
        Inference::new(&head_config).map_err(wrap)
    }

    fn with_engine(
        config: InferConfig,
        engine: Box<dyn Engine>,
        model_path: PathBuf,
        parser: Option<DetectorParser>,
    ) -> Result<Inference, InferError> {
        let mismatch = |message: String| InferError::ModelMismatch {
            model: model_path.clone(),
            message,
        };
        let input = engine.input().clone();
        if input.dims.len() != 4 {
            return Err(mismatch(format!(
                "input '{}' has dims {:?}; expected [batch, channels, height, width]",
                input.name, input.dims
            )));
        }
        let (c, h, w) = match config.network_input_order {
            TensorOrder::Nchw => (input.dims[1], input.dims[2], input.dims[3]),
            TensorOrder::Nhwc => (input.dims[3], input.dims[1], input.dims[2]),
        };
        let model_dims = [c, h, w];
        let dims: [usize; 3] = match config.infer_dims {
            Some(d) => {
                for (i, (&m, &want)) in model_dims.iter().zip(&d).enumerate() {
                    if m > 0 && m as usize != want {
                        return Err(mismatch(format!(
                            "input '{}' has dims {:?} but infer-dims in {} is {};{};{} ({} differs); use a model with that input size or fix infer-dims",
                            input.name,
                            input.dims,
                            config.file.display(),
                            d[0],
                            d[1],
                            d[2],
                            ["channels", "height", "width"][i]
                        )));
                    }
                }
                d
            }
            None => {
                if model_dims.iter().any(|&x| x <= 0) {
                    return Err(InferError::Config(ConfigError::MissingKey {
                        file: config.file.clone(),
                        group: PROPERTY_GROUP.into(),
                        key: "infer-dims".into(),
                        why: format!(
                            "the model's input '{}' has open dimensions {:?}; set channels;height;width",
                            input.name, input.dims
                        ),
                    }));
                }
                [c as usize, h as usize, w as usize]
            }
        };
        if dims[0] != config.model_color_format.channels() {
            return Err(mismatch(format!(
                "input '{}' has {} channels but model-color-format gives {}",
                input.name,
                dims[0],
                config.model_color_format.channels()
            )));
        }
        let fixed_batch = (input.dims[0] > 0).then_some(input.dims[0] as usize);
        let run_batch = fixed_batch.unwrap_or(config.batch_size as usize).max(1);

        // Layers to parse: output-blob-names (TensorFlow ':0' suffixes tolerated), else all.
        let outs = engine.outputs();
        let parse_outputs = if config.output_blob_names.is_empty() {
            (0..outs.len()).collect()
        } else {
            let strip = |s: &str| s.strip_suffix(":0").unwrap_or(s).to_string();
            let mut v = Vec::new();
            for name in &config.output_blob_names {
                let i = outs
                    .iter()
                    .position(|o| o.name == *name || strip(&o.name) == strip(name))
                    .ok_or_else(|| {
                        InferError::Config(ConfigError::BadValue {
                            file: config.file.clone(),
                            group: PROPERTY_GROUP.into(),
                            key: "output-blob-names".into(),
                            value: config.output_blob_names.join(";"),
                            expected: format!(
                                "the model {} has no output '{name}'; its outputs are: {}",
                                model_path.display(),
                                outs.iter()
                                    .map(|o| o.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        })
                    })?;
                v.push(i);
            }
            v
        };
        // network-type=2: the first parsed output must be a mask, [batch, classes, height,
        // width] (as nvinfer's segmentation output); a classifier's or detector's vector
        // output is refused here rather than per frame.
        if config.network_type == NetworkType::Segmentation {
            let first = parse_outputs.first().map(|&i| &outs[i]);
            let is_mask = first.is_some_and(|o| o.dims.len() == 4 && o.dims[2] != 1 && o.dims[3] != 1);
            if !is_mask {
                return Err(mismatch(format!(
                    "network-type=2 (segmentation) in {} needs a mask output [batch, classes, height, width]; the model's outputs are: {}",
                    config.file.display(),
                    outs.iter()
                        .map(|o| format!("'{}' {:?}", o.name, o.dims))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        let norm = Normalization::from_config(&config);
        Ok(Inference {
            channels: dims[0],
            net_h: dims[1],
            net_w: dims[2],
            fixed_batch,
            run_batch,
            parser,
            norm,
            parse_outputs,
            buffer: Vec::new(),
            mask_head: None,
            config,
            engine,
            model_path,
        })
    }

    /// The config this inference was made from.
    pub fn config(&self) -> &InferConfig {
        &self.config
    }

    /// Network input size: `[channels, height, width]`.
    pub fn input_dims(&self) -> [usize; 3] {
        [self.channels, self.net_h, self.net_w]
    }

    /// The model's input layer name (what nvdspreprocess' `tensor-name` must be for
    /// [`Inference::infer_tensor`]).
    pub fn input_name(&self) -> &str {
        &self.engine.input().name
    }

    /// Most inputs per engine run: the model's fixed batch size, else `batch-size`.
    pub fn max_batch(&self) -> usize {
        self.run_batch
    }

    /// The detector parser in use (detectors only).
    pub fn detector_parser(&self) -> Option<DetectorParser> {
        self.parser
    }

    /// Pre-processes `inputs` into one network input tensor, `[n, channels, height, width]`
    /// (or NHWC; `n` is the model's fixed batch size when it has one, else the number of
    /// inputs), and returns it with the per-input transforms. Exposed for tests and
    /// benchmarks; [`Inference::infer`] does this itself.
    pub fn preprocess(
        &mut self,
        inputs: &[ImageRoi],
    ) -> Result<(ndarray::ArrayD<f32>, Vec<Transform>), InferError> {
        let n = self.fixed_batch.unwrap_or(inputs.len()).max(inputs.len());
        let mut data = Vec::new();
        let transforms = self.fill(inputs, 0, n, &mut data)?;
        let arr =
            ndarray::ArrayD::from_shape_vec(self.input_shape(n).to_vec(), data).map_err(|e| {
                InferError::BadInput {
                    index: 0,
                    message: e.to_string(),
                }
            })?;
        Ok((arr, transforms))
    }

    /// Runs the model on `buffer`, a filled input tensor of `n` items whose first is input
    /// `start` of the caller's list (for error messages), and keeps the buffer for the next
    /// batch.
    fn run_buffer(&mut self, buffer: Vec<f32>, n: usize, start: usize) -> Result<Vec<OutputTensor>, InferError> {
        let shape = self.input_shape(n);
        let outputs = {
            let view = ArrayViewD::from_shape(&shape[..], &buffer[..]).map_err(|e| InferError::BadInput {
                index: start,
                message: e.to_string(),
            })?;
            self.engine.run(view).map_err(|message| InferError::Run {
                model: self.model_path.clone(),
                message,
            })?
        };
        self.buffer = buffer;
        Ok(outputs)
    }

    /// Input tensor shape for a batch of `n`.
    fn input_shape(&self, n: usize) -> [usize; 4] {
        match self.norm.order {
            TensorOrder::Nchw => [n, self.channels, self.net_h, self.net_w],
            TensorOrder::Nhwc => [n, self.net_h, self.net_w, self.channels],
        }
    }

    /// Fills `buffer` with `n` network inputs (zeros after `inputs`); `first` is the index of
    /// `inputs[0]` in the caller's list, for error messages.
    fn fill(
        &self,
        inputs: &[ImageRoi],
        first: usize,
        n: usize,
        buffer: &mut Vec<f32>,
    ) -> Result<Vec<Transform>, InferError> {
        let per = self.channels * self.net_h * self.net_w;
        buffer.clear();
        buffer.resize(n * per, 0.0);
        let (norm, w, h) = (&self.norm, self.net_w, self.net_h);
        let one = |i: usize, img: &ImageRoi, out: &mut [f32]| {
            preprocess_into(img, norm, w, h, out).map_err(|message| InferError::BadInput {
                index: first + i,
                message,
            })
        };
        // Several inputs: prepared on up to `preprocess_threads()` threads at once (each input
        // has its own slice of the tensor), as nvinfer prepares a batch in one GPU pass.
        let threads = preprocess_threads().min(inputs.len());
        if threads <= 1 {
            return inputs
                .iter()
                .zip(buffer.chunks_mut(per))
                .enumerate()
                .map(|(i, (img, out))| one(i, img, out))
                .collect();
        }
        let per_thread = inputs.len().div_ceil(threads);
        let results: Vec<Result<Vec<Transform>, InferError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = inputs
                .chunks(per_thread)
                .zip(buffer[..inputs.len() * per].chunks_mut(per_thread * per))
                .enumerate()
                .map(|(k, (imgs, outs))| {
                    let one = &one;
                    scope.spawn(move || {
                        imgs.iter()
                            .zip(outs.chunks_mut(per))
                            .enumerate()
                            .map(|(j, (img, out))| one(k * per_thread + j, img, out))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(InferError::BadInput {
                            index: first,
                            message: "the pre-processing thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        let mut transforms = Vec::with_capacity(inputs.len());
        for r in results {
            transforms.extend(r?);
        }
        Ok(transforms)
    }

    /// Runs inference on every input and returns one [`InferOutput`] per input, in order.
    ///
    /// Each input is a region of an RGBA frame (the whole frame for a primary GIE, an object
    /// for a secondary GIE). Inputs are batched `batch-size` at a time. Detections come back
    /// in frame pixels, clustered per class and filtered by the `[class-attrs-*]` limits;
    /// classifier attributes with their labels; segmentation maps at the model's output
    /// size; raw tensors when `output-tensor-meta=1`.
    pub fn infer(&mut self, inputs: &[ImageRoi]) -> Result<Vec<InferOutput>, InferError> {
        let mut results = Vec::with_capacity(inputs.len());
        let mut start = 0;
        while start < inputs.len() {
            let chunk = &inputs[start..(start + self.run_batch).min(inputs.len())];
            let n = self.fixed_batch.unwrap_or(chunk.len());
            let mut buffer = std::mem::take(&mut self.buffer);
            let transforms = self.fill(chunk, start, n, &mut buffer)?;
            let outputs = self.run_buffer(buffer, n, start)?;
            for (i, (img, t)) in chunk.iter().zip(&transforms).enumerate() {
                let mut out = self.postprocess(&outputs, n, i, (img.width, img.height), t)?;
                self.add_masks(img, &mut out.detections)?;
                results.push(out);
            }
            start += chunk.len();
        }
        Ok(results)
    }

    /// Runs inference on a tensor made upstream (nvinfer's `input-tensor-meta=1`: the tensor
    /// of nvdspreprocess) instead of pre-processing frames itself.
    ///
    /// `data` holds a tensor of `shape` `[n, channels, height, width]` (NHWC when the config's
    /// `network-input-order` says so) and must have the model's input size; `items` gives,
    /// per batch item, its frame's size (width, height in pixels) and how the item was made
    /// from the frame ([`Transform`]: the ROI, scale and padding), so that detections come back
    /// in frame pixels, clipped to the ROI. Items are run `batch-size` at a time (padded with
    /// zeros to a model's fixed batch size).
    ///
    /// Errors: a tensor whose shape is not `n × the model's input` ([`InferError::ModelMismatch`],
    /// naming both shapes), or `items` not matching `n` ([`InferError::BadInput`]).
    pub fn infer_tensor(
        &mut self,
        shape: &[usize],
        data: &[f32],
        items: &[((u32, u32), Transform)],
    ) -> Result<Vec<InferOutput>, InferError> {
        let shape = shape.to_vec();
        let want = self.input_shape(items.len());
        if shape.len() != 4 || shape[1..] != want[1..] {
            return Err(InferError::ModelMismatch {
                model: self.model_path.clone(),
                message: format!(
                    "the input tensor has shape {shape:?} but the model's input is {:?} (batch first): \
                     the preprocess config's network-input-shape must be <batch>;{}",
                    want,
                    want[1..].iter().map(|d| d.to_string()).collect::<Vec<_>>().join(";")
                ),
            });
        }
        if shape[0] != items.len() {
            return Err(InferError::BadInput {
                index: 0,
                message: format!("the tensor holds {} items but {} ROIs describe it", shape[0], items.len()),
            });
        }
        let per = want[1..].iter().product::<usize>();
        if data.len() != shape[0] * per {
            return Err(InferError::BadInput {
                index: 0,
                message: format!("{} values for a tensor of shape {shape:?}", data.len()),
            });
        }
        let mut results = Vec::with_capacity(items.len());
        let mut start = 0;
        while start < items.len() {
            let chunk = &items[start..(start + self.run_batch).min(items.len())];
            let n = self.fixed_batch.unwrap_or(chunk.len());
            let mut buffer = std::mem::take(&mut self.buffer);
            buffer.clear();
            buffer.extend_from_slice(&data[start * per..(start + chunk.len()) * per]);
            buffer.resize(n * per, 0.0);
            let outputs = self.run_buffer(buffer, n, start)?;
            for (i, (frame, t)) in chunk.iter().enumerate() {
                results.push(self.postprocess(&outputs, n, i, *frame, t)?);
            }
            start += chunk.len();
        }
        Ok(results)
    }

    /// Instance segmentation with `output-instance-mask=1`: runs the mask head on the box of
    /// each detection of the `instance-mask-class-ids` classes and gives it the probability
    /// map of the head's last class (at the head's output size) as its mask.
    fn add_masks(&mut self, img: &ImageRoi, detections: &mut [Detection]) -> Result<(), InferError> {
        let c = &self.config;
        if !c.output_instance_mask {
            return Ok(());
        }
        let Some(head) = self.mask_head.as_mut() else {
            return Ok(());
        };
        let wanted: Vec<usize> = (0..detections.len())
            .filter(|&k| {
                let id = detections[k].class_id;
                c.instance_mask_class_ids.is_empty() || c.instance_mask_class_ids.contains(&id)
            })
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let rois: Vec<ImageRoi> = wanted
            .iter()
            .map(|&k| ImageRoi::region(img.data, img.width, img.height, img.stride, detections[k].rect))
            .collect();
        let outs = head.infer(&rois)?;
        for (&k, out) in wanted.iter().zip(outs) {
            let Some(seg) = out.segmentation else { continue };
            let (classes, h, w) = seg.probabilities.dim();
            if classes == 0 {
                continue;
            }
            let plane = seg.probabilities.index_axis(ndarray::Axis(0), classes - 1);
            detections[k].mask = Some(InstanceMask {
                width: w as u32,
                height: h as u32,
                data: plane.iter().copied().collect(),
                threshold: c.segmentation_threshold,
            });
        }
        Ok(())
    }

    fn item_layer<'o>(
        &self,
        out: &'o OutputTensor,
        n: usize,
        i: usize,
    ) -> Result<Layer<'o>, InferError> {
        if !out.dims.is_empty() && out.dims[0] == n {
            let per = out.data.len() / n;
            Ok(Layer {
                name: &out.name,
                dims: &out.dims[1..],
                data: &out.data[i * per..(i + 1) * per],
            })
        } else if n == 1 {
            Ok(Layer {
                name: &out.name,
                dims: &out.dims,
                data: &out.data,
            })
        } else {
            Err(InferError::ModelMismatch {
                model: self.model_path.clone(),
                message: format!(
                    "output '{}' has dims {:?}: its first dimension is not the batch size {n}",
                    out.name, out.dims
                ),
            })
        }
    }

    fn postprocess(
        &self,
        outputs: &[OutputTensor],
        n: usize,
        i: usize,
        frame: (u32, u32),
        t: &Transform,
    ) -> Result<InferOutput, InferError> {
        let c = &self.config;
        let mut result = InferOutput::default();
        let layers: Vec<Layer> = self
            .parse_outputs
            .iter()
            .map(|&k| self.item_layer(&outputs[k], n, i))
            .collect::<Result<_, _>>()?;
        let parse_err = |parser: String, message: String| InferError::Parse {
            model: self.model_path.clone(),
            parser,
            message,
        };
        match c.network_type {
            NetworkType::Detector | NetworkType::InstanceSegmentation => {
                let parser = self.parser.unwrap_or(DetectorParser::DetectNetV2);
                let params = DetectorParams {
                    net_w: self.net_w,
                    net_h: self.net_h,
                    num_classes: c.num_detected_classes,
                    thresholds: (0..c.num_detected_classes)
                        .map(|k| c.class_attrs(k).pre_cluster_threshold)
                        .collect(),
                };
                let raw = parser
                    .parse(&layers, &params)
                    .map_err(|m| parse_err(format!("{parser:?}"), m))?;
                let (fw, fh) = (frame.0 as f32, frame.1 as f32);
                // boxes are clipped to the input region: the frame for a primary GIE, the
                // object's crop for a secondary one
                let roi = t.roi;
                let (rl, rt) = (roi.left.max(0.0), roi.top.max(0.0));
                let (rr_max, rb_max) = (roi.right().min(fw), roi.bottom().min(fh));
                let mut dets: Vec<Detection> = Vec::with_capacity(raw.len());
                for mut d in raw {
                    if c.filter_out_class_ids.contains(&d.class_id) {
                        continue;
                    }
                    if let Some(map) = &c.class_id_map {
                        match map.get(&d.class_id) {
                            Some(&to) => d.class_id = to,
                            None => continue,
                        }
                    }
                    let r = t.rect_to_frame(d.rect);
                    let (l, tp) = (r.left.max(rl), r.top.max(rt));
                    let (rr, b) = (r.right().min(rr_max), r.bottom().min(rb_max));
                    if rr <= l || b <= tp {
                        continue;
                    }
                    d.rect = Rect::new(l, tp, rr - l, b - tp);
                    for lm in &mut d.landmarks {
                        let (x, y) = t.to_frame(lm[0], lm[1]);
                        *lm = [x, y];
                    }
                    dets.push(d);
                }
                let dets = cluster::cluster(dets, c.cluster_mode, |k| c.class_attrs(k));
                let mut dets = cluster::filter_by_size(dets, fh, |k| c.class_attrs(k));
                for d in &mut dets {
                    d.label = c.class_label(d.class_id).map(str::to_string);
                }
                result.detections = dets;
            }
            NetworkType::Classifier => {
                result.attributes = classifier::classify(
                    &layers,
                    c.classifier_threshold,
                    &c.labels,
                    c.class_id_map.as_ref(),
                );
            }
            NetworkType::Segmentation => {
                let layer = layers.first().ok_or_else(|| {
                    parse_err("segmentation".into(), "the model has no output".into())
                })?;
                result.segmentation = Some(
                    parse::parse_segmentation(layer, c.segmentation_threshold)
                        .map_err(|m| parse_err("segmentation".into(), m))?,
                );
            }
            NetworkType::Other => {}
        }
        if c.output_tensor_meta || c.network_type == NetworkType::Other {
            // nvinferserver's backend.outputs name the tensors Triton returns: only those.
            // nvinfer's output-blob-names only choose what is parsed: every output.
            let listed = c.format == ConfigFormat::InferServer && !c.output_blob_names.is_empty();
            for (k, out) in outputs.iter().enumerate() {
                if listed && !self.parse_outputs.contains(&k) {
                    continue;
                }
                let l = self.item_layer(out, n, i)?;
                result.tensors.push(OutputTensor {
                    name: l.name.to_string(),
                    dims: l.dims.to_vec(),
                    data: l.data.to_vec(),
                });
            }
        }
        Ok(result)
    }
}
