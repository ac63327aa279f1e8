#!/usr/bin/env python3
"""Convert MediaPipe Selfie Segmentation (TFLite) to an ONNX semantic-segmentation model.

Written for this project (scripts/setup.sh runs it); needs numpy, the PyPI `onnx` package and
the PyPI `tflite` package (the TFLite flatbuffer schema as Python classes, no runtime). The
input is `mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite` from the PyPI wheel
`mediapipe==0.10.14` (Apache-2.0): a 256x256 person/background segmenter (MobileNetV3-style
encoder with squeeze-excitation, a small decoder), fp16 weights behind DEQUANTIZE ops.

Off-the-shelf converters stop on this model (tflite2onnx 0.4.1: no HARD_SWISH; none knows
MediaPipe's custom `Convolution2DTransposeBias`), so the graph is translated op by op here.
The TFLite ops it has, and their ONNX forms (activations are NCHW in the ONNX graph):
- DEQUANTIZE (fp16 constant) -> the constant as fp32;
- CONV_2D -> Conv (weights OHWI -> OIHW), fused RELU -> Relu;
- DEPTHWISE_CONV_2D -> Conv with group = channels (weights 1HWC -> C1HW);
- ADD, MUL -> Add, Mul (NHWC constants transposed or reshaped to broadcast over NCHW);
- HARD_SWISH -> HardSwish; LOGISTIC -> Sigmoid; RELU -> Relu;
- AVERAGE_POOL_2D -> AveragePool; MEAN over H, W (landscape model) -> ReduceMean;
- RESIZE_BILINEAR -> Resize linear (align_corners / half_pixel / asymmetric as flagged);
- custom Convolution2DTransposeBias (options: TfLiteTransposeConvParams: padding, stride_w,
  stride_h) -> ConvTranspose (weights OHWI -> IOHW) with TensorFlow's SAME cropping.
Padding "SAME" is TensorFlow's (less before than after when odd): auto_pad SAME_UPPER.

The ONNX graph (what dsinfer's segmentation parser takes, like DeepStream's semantic UNet):
- input `input`: [N, 3, 256, 256] float RGB scaled to 0..1 (MediaPipe's ImageToTensor
  output_tensor_float_range 0..1, image stretched to 256x256): nvinfer's
  net-scale-factor=0.00392156862745098, model-color-format=0, maintain-aspect-ratio=0;
- output `segmentation`: [N, 2, 256, 256] class probabilities, class 0 background (1 - p),
  class 1 person (p, the TFLite model's sigmoid output). The background channel is added here
  so that argmax gives the class map (segmentation-threshold=0.5 then needs p >= 0.5 or 1 - p
  >= 0.5: every pixel gets a class).
- N is dynamic; opset 17.

Check (`--check IMAGE:FRACTION_MIN-FRACTION_MAX`): runs the ONNX model with ONNX Runtime on
the image (stretched to 256x256) and requires the share of person pixels to lie in the range;
the project's tests compare the masks with hand-drawn outlines (crates/ds-infer/tests).
"""
import argparse
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import tflite

BO = tflite.BuiltinOperator
OPNAMES = {v: k for k, v in BO.__dict__.items() if not k.startswith("_")}
TYPES = {tflite.TensorType.FLOAT32: np.float32, tflite.TensorType.FLOAT16: np.float16,
         tflite.TensorType.INT32: np.int32}


def opts(op, cls):
    t = op.BuiltinOptions()
    o = cls()
    o.Init(t.Bytes, t.Pos)
    return o


class Converter:
    def __init__(self, path):
        buf = open(path, "rb").read()
        self.m = tflite.Model.GetRootAsModel(buf, 0)
        self.g = self.m.Subgraphs(0)
        self.nodes, self.inits, self.consts, self.n = [], [], {}, 0
        self.shapes = {}

    def tensor(self, i):
        return self.g.Tensors(i)

    def name(self, i):
        return "t%d" % i

    def shape(self, i):
        return [int(x) for x in self.tensor(i).ShapeAsNumpy()]

    def data(self, i):
        """The constant data of tensor i (NHWC/TFLite layout), or None."""
        if i in self.consts:
            return self.consts[i]
        t = self.tensor(i)
        b = self.m.Buffers(t.Buffer())
        if b is None or b.DataLength() == 0:
            return None
        a = np.frombuffer(b.DataAsNumpy().tobytes(), dtype=TYPES[t.Type()]).reshape(self.shape(i))
        return a

    def init(self, arr, dtype=np.float32):
        self.n += 1
        nm = "c%d" % self.n
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr.astype(dtype)), nm))
        return nm

    def node(self, op, ins, outs, **kw):
        self.nodes.append(helper.make_node(op, ins, outs, **kw))

    def act(self, fused, out):
        """Applies a fused activation to the value written to `out`; returns the name the
        producing op must write to."""
        if fused == tflite.ActivationFunctionType.NONE:
            return out
        if fused == tflite.ActivationFunctionType.RELU:
            pre = out + "_pre"
            self.node("Relu", [pre], [out])
            return pre
        raise NotImplementedError("fused activation %d" % fused)

    def operand(self, i):
        """Name of an operand of an element-wise op: an activation, or a constant arranged to
        broadcast over NCHW."""
        d = self.data(i)
        if d is None:
            return self.name(i)
        d = d.astype(np.float32)
        if d.ndim == 4:
            d = d.transpose(0, 3, 1, 2)
        elif d.ndim == 1 and d.size > 1:
            d = d.reshape(-1, 1, 1)
        return self.init(d)

    def convert(self):
        g = self.g
        for k in range(g.OperatorsLength()):
            op = g.Operators(k)
            oc = self.m.OperatorCodes(op.OpcodeIndex())
            code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
            ins = [int(x) for x in op.InputsAsNumpy()]
            outs = [int(x) for x in op.OutputsAsNumpy()]
            o = self.name(outs[0])
            if code == BO.DEQUANTIZE:
                self.consts[outs[0]] = self.data(ins[0]).astype(np.float32)
            elif code == BO.CONV_2D:
                p = opts(op, tflite.Conv2DOptions)
                w = self.data(ins[1]).transpose(0, 3, 1, 2)
                args = [self.name(ins[0]), self.init(w)]
                if len(ins) > 2 and ins[2] >= 0:
                    args.append(self.init(self.data(ins[2])))
                self.node("Conv", args, [self.act(p.FusedActivationFunction(), o)],
                          kernel_shape=list(w.shape[2:]), strides=[p.StrideH(), p.StrideW()],
                          dilations=[p.DilationHFactor(), p.DilationWFactor()],
                          auto_pad="SAME_UPPER" if p.Padding() == tflite.Padding.SAME else "VALID")
            elif code == BO.DEPTHWISE_CONV_2D:
                p = opts(op, tflite.DepthwiseConv2DOptions)
                w = self.data(ins[1])  # [1, KH, KW, C*mult]
                cin = self.shape(ins[0])[3]
                w = w.transpose(3, 0, 1, 2)  # [C*mult, 1, KH, KW]
                args = [self.name(ins[0]), self.init(w)]
                if len(ins) > 2 and ins[2] >= 0:
                    args.append(self.init(self.data(ins[2])))
                self.node("Conv", args, [self.act(p.FusedActivationFunction(), o)],
                          kernel_shape=list(w.shape[2:]), strides=[p.StrideH(), p.StrideW()],
                          dilations=[p.DilationHFactor(), p.DilationWFactor()], group=cin,
                          auto_pad="SAME_UPPER" if p.Padding() == tflite.Padding.SAME else "VALID")
            elif code in (BO.ADD, BO.MUL):
                cls = tflite.AddOptions if code == BO.ADD else tflite.MulOptions
                p = opts(op, cls)
                self.node("Add" if code == BO.ADD else "Mul",
                          [self.operand(ins[0]), self.operand(ins[1])],
                          [self.act(p.FusedActivationFunction(), o)])
            elif code == BO.HARD_SWISH:
                self.node("HardSwish", [self.name(ins[0])], [o])
            elif code == BO.LOGISTIC:
                self.node("Sigmoid", [self.name(ins[0])], [o])
            elif code == BO.RELU:
                self.node("Relu", [self.name(ins[0])], [o])
            elif code == BO.AVERAGE_POOL_2D:
                p = opts(op, tflite.Pool2DOptions)
                self.node("AveragePool", [self.name(ins[0])], [self.act(p.FusedActivationFunction(), o)],
                          kernel_shape=[p.FilterHeight(), p.FilterWidth()],
                          strides=[p.StrideH(), p.StrideW()],
                          auto_pad="SAME_UPPER" if p.Padding() == tflite.Padding.SAME else "VALID")
            elif code == BO.MEAN:
                axes = [int(a) for a in self.data(ins[1]).reshape(-1)]
                nchw = {0: 0, 1: 2, 2: 3, 3: 1}
                keep = opts(op, tflite.ReducerOptions).KeepDims()
                if not keep:
                    raise NotImplementedError("MEAN without keep_dims")
                self.node("ReduceMean", [self.name(ins[0])], [o], axes=[nchw[a] for a in axes], keepdims=1)
            elif code == BO.RESIZE_BILINEAR:
                p = opts(op, tflite.ResizeBilinearOptions)
                h, w = [int(x) for x in self.data(ins[1]).reshape(-1)]
                c = self.shape(ins[0])[3]
                mode = "align_corners" if p.AlignCorners() else ("half_pixel" if p.HalfPixelCenters() else "asymmetric")
                sizes = self.init(np.array([1, c, h, w]), np.int64)
                self.node("Resize", [self.name(ins[0]), "", "", sizes], [o], mode="linear",
                          coordinate_transformation_mode=mode)
            elif code == BO.CUSTOM and oc.CustomCode() == b"Convolution2DTransposeBias":
                padding, sw, sh = struct.unpack("<iii", op.CustomOptionsAsNumpy().tobytes()[:12])
                w = self.data(ins[1])  # [O, KH, KW, I]
                kh, kw = w.shape[1], w.shape[2]
                ih, iw = self.shape(ins[0])[1:3]
                oh, ow = self.shape(outs[0])[1:3]
                pads = [0, 0, 0, 0]
                if padding == tflite.Padding.SAME:
                    th = max(0, (ih - 1) * sh + kh - oh)
                    tw = max(0, (iw - 1) * sw + kw - ow)
                    pads = [th // 2, tw // 2, th - th // 2, tw - tw // 2]
                self.node("ConvTranspose",
                          [self.name(ins[0]), self.init(w.transpose(3, 0, 1, 2)), self.init(self.data(ins[2]))],
                          [o], kernel_shape=[kh, kw], strides=[sh, sw], pads=pads)
            else:
                nm = OPNAMES.get(code, code)
                raise NotImplementedError("TFLite op %s is not handled by this converter" % nm)

        inp, out = int(g.Inputs(0)), int(g.Outputs(0))
        _, h, w, c = self.shape(inp)
        self.nodes.insert(0, helper.make_node("Identity", ["input"], [self.name(inp)]))
        # background = 1 - p, person = p
        one = self.init(np.array(1.0))
        self.node("Sub", [one, self.name(out)], ["background"])
        self.node("Concat", ["background", self.name(out)], ["segmentation"], axis=1)
        graph = helper.make_graph(
            self.nodes, "selfie_segmentation",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", c, h, w])],
            [helper.make_tensor_value_info("segmentation", TensorProto.FLOAT, ["N", 2, h, w])],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                  producer_name="deepstream-rs selfie_tflite_to_onnx.py")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def check(onnx_path, spec):
    import cv2
    import onnxruntime as ort
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    for s in spec:
        img, rng = s.rsplit(":", 1)
        lo, hi = [float(x) for x in rng.split("-")]
        bgr = cv2.imread(img)
        if bgr is None:
            sys.exit("check: cannot read %s" % img)
        x = cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), (256, 256), interpolation=cv2.INTER_LINEAR)
        x = (x.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        seg = sess.run(None, {"input": x})[0]
        frac = float((seg[0, 1] >= 0.5).mean())
        print("check %s: person fraction %.3f (expected %.2f-%.2f)" % (img, frac, lo, hi))
        if not lo <= frac <= hi:
            sys.exit("check failed on %s: person fraction %.3f outside %.2f-%.2f" % (img, frac, lo, hi))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tflite")
    ap.add_argument("onnx")
    ap.add_argument("--check", action="append", default=[], metavar="IMAGE:MIN-MAX")
    a = ap.parse_args()
    model = Converter(a.tflite).convert()
    onnx.save(model, a.onnx)
    check(a.onnx, a.check)


if __name__ == "__main__":
    main()
