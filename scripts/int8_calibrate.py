#!/usr/bin/env python3
"""INT8 calibration and quantization of an ONNX detector for the portable backend's
`network-mode=1` (nvinfer's INT8 mode).

    .venv/bin/python scripts/int8_calibrate.py MODEL.onnx CALIB [--clip CLIP --every N --skip S ...]
                      [--width W --height H --scale F]

Two steps, as DeepStream splits them (a calibration cache made once from real frames, the
INT8 engine built from it):

1. Calibration (only when CALIB does not exist yet): frames are decoded from each `--clip`
   with OpenCV (one in every `--every`, after the first `--skip`), prepared like the
   portable backend prepares them for the model (scaled to the model's input size, RGB,
   multiplied by `--scale`, NCHW float32), and run through ONNX Runtime's MinMax calibrator.
   The per-tensor ranges are written to CALIB, ONNX Runtime's JSON calibration cache
   (`calibration_cache_path` of `onnxruntime.quantization.quantize_static`). CALIB is what
   nvinfer's `int8-calib-file` names.
2. Quantization (always): the INT8 model is built from MODEL and the ranges in CALIB, and
   written next to CALIB with the extension `.onnx` (`yolov3-tiny-int8.calib` ->
   `yolov3-tiny-int8.onnx`). Format QDQ (ONNX Runtime fuses it into its quantized
   operators: QLinearConv with VNNI / AMX kernels), uint8 activations, int8 per-channel
   weights, the x86 choice that ONNX Runtime's documentation gives for CPUs with VNNI.
   The model's output convolutions (the nodes producing the model outputs) stay float: their
   values are box coordinates and logits, where 8 bits cost detections. With
   `--float-input-conv` the first convolution block (convolution, activation, pooling) stays
   float too: it is faster so on the CPU (see `input_block`); the portable backend runs INT8
   models with ONNX Runtime's QDQPropagationTransformer off so that the pooling stays float.

The portable backend loads the quantized model when the config says `network-mode=1`, and
refuses with this command in its message when CALIB or the model is missing or older than
the float model.
"""
import argparse
import hashlib
import os
import sys
import tempfile

import cv2
import numpy as np
import onnx
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)


def frames(clips, every, skip, limit, size, scale):
    w, h = size
    out = []
    for clip in clips:
        cap = cv2.VideoCapture(clip)
        if not cap.isOpened():
            sys.exit(f"int8_calibrate: cannot open clip {clip}")
        i, n = 0, 0
        while n < limit:
            ok, bgr = cap.read()
            if not ok:
                break
            i += 1
            if i <= skip or (i - skip - 1) % every:
                continue
            rgb = cv2.cvtColor(cv2.resize(bgr, (w, h), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
            out.append((rgb.astype(np.float32) * scale).transpose(2, 0, 1)[None])
            n += 1
    if not out:
        sys.exit(f"int8_calibrate: no frames read from {clips}")
    return out


class Reader(CalibrationDataReader):
    def __init__(self, name, tensors):
        self.it = iter([{name: t} for t in tensors])

    def get_next(self):
        return next(self.it, None)


def output_heads(model):
    """Names of the nodes from each model output back to (and with) the nearest Conv: the
    detection head that decodes boxes and scores, kept in float."""
    producer = {o: n for n in model.graph.node for o in n.output}
    keep, todo = [], [o.name for o in model.graph.output]
    while todo:
        n = producer.get(todo.pop())
        if n is None or n.name in keep:
            continue
        keep.append(n.name)
        if n.op_type != "Conv":
            todo.extend(i for i in n.input if i in producer)
    return keep


def input_block(model):
    """Names of the nodes from the model input up to (not with) the next convolution: the
    first convolution with its activation and pooling. With its 3 input channels that
    convolution is slower in ONNX Runtime's INT8 kernel (im2col over 27 values) than in its
    float NCHWc kernel, and a quantized pooling after it falls back to a slow NCHW kernel
    (YOLOv3-tiny on this CPU: 6.2 + 0.9 + 0.4 ms in INT8 against 2.6 + 0.8 ms in float), so
    the block stays float, as TensorRT keeps a layer in whichever precision is faster."""
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    keep, todo, first = [], [model.graph.input[0].name], True
    while todo:
        for n in consumers.get(todo.pop(), []):
            if n.name in keep or (n.op_type == "Conv" and not first):
                continue
            first = False
            keep.append(n.name)
            todo.extend(n.output)
    return keep


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("calib", help="calibration file (int8-calib-file); made when missing")
    p.add_argument("--clip", action="append", default=[], help="H.264 / MP4 clip with calibration frames")
    p.add_argument("--every", type=int, default=10, help="take one frame in N")
    p.add_argument("--skip", type=int, default=0, help="frames skipped at the start of each clip")
    p.add_argument("--limit", type=int, default=32, help="calibration frames per clip at most")
    p.add_argument("--scale", type=float, default=1 / 255, help="net-scale-factor")
    p.add_argument("--out", help="quantized model (default: CALIB with extension .onnx)")
    p.add_argument("--no-model", action="store_true", help="write the calibration file only")
    p.add_argument("--expect-calib-sha256", help="refuse a CALIB with another sha256")
    p.add_argument("--fp32-sha256", help="refuse a MODEL with another sha256")
    p.add_argument("--float-input-conv", action="store_true",
                   help="keep the first convolution, its activation and pooling in float (faster on the CPU)")
    a = p.parse_args()

    model = onnx.load(a.model)
    inp = model.graph.input[0]
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    if len(dims) != 4 or dims[2] <= 0 or dims[3] <= 0:
        sys.exit(f"int8_calibrate: {a.model}: input {inp.name} is {dims}, expected NCHW with a fixed size")
    # ONNX Runtime's quantizer addresses nodes by name: give unnamed ones their first output's
    for n in model.graph.node:
        if not n.name:
            n.name = f"{n.op_type}:{n.output[0]}"
    exclude = output_heads(model)
    if a.float_input_conv:
        exclude += input_block(model)
    out = a.out or os.path.splitext(a.calib)[0] + ".onnx"
    named = (out if not a.no_model else a.calib) + ".named.onnx"
    onnx.save(model, named)

    reader = None
    for path, want in ((a.model, a.fp32_sha256), (a.calib, a.expect_calib_sha256)):
        if want:
            with open(path, "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
            if got != want:
                sys.exit(f"int8_calibrate: {path} has sha256 {got}, expected {want}")
    if not os.path.exists(a.calib):
        if not a.clip:
            sys.exit(f"int8_calibrate: {a.calib} does not exist: give --clip with calibration frames")
        tensors = frames(a.clip, a.every, a.skip, a.limit, (dims[3], dims[2]), a.scale)
        print(f"calibrating on {len(tensors)} frames from {', '.join(a.clip)}")
        reader = Reader(inp.name, tensors)
    scratch = tempfile.TemporaryDirectory(prefix="int8_calibrate.")
    tmp = os.path.join(scratch.name, "model.onnx") if a.no_model else out + ".part"
    quantize_static(named, tmp, reader, quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=exclude,
                    calibration_cache_path=a.calib)
    os.remove(named)
    os.chmod(a.calib, 0o644)
    if a.no_model:
        print(f"calibration: {a.calib}")
        return
    os.replace(tmp, out)
    convs = [n for n in exclude if n.startswith("Conv:")]
    print(f"calibration: {a.calib}\nINT8 model: {out} (kept in float: {len(exclude)} head nodes, {', '.join(convs)})")


if __name__ == "__main__":
    main()
