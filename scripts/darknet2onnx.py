#!/usr/bin/env python3
"""Convert a Darknet YOLOv3(-tiny) model (.cfg + .weights) to ONNX.

Written for this project (scripts/setup.sh runs it); needs only numpy and the PyPI `onnx`
package. Supported Darknet layers: convolutional (with or without batch_normalize; linear or
leaky activation), maxpool, route, upsample, shortcut, yolo.

The ONNX graph:
- input `data`: [N, 3, H, W] float, RGB, scaled by 1/255 (N is dynamic; H, W from [net]);
- one output per [yolo] layer, in cfg order, named `yolo_<layer index>`: [N, G*G*A, 5 + C]
  where G is the layer's grid size, A its number of anchors (mask) and C the classes. Rows go
  grid row y, grid column x, anchor a (the order of OpenCV's Darknet reader). Each row is
  [cx, cy, w, h, objectness, C class scores]: cx, cy, w, h normalised to 0..1 of the network
  input; objectness and class scores are sigmoids, NOT multiplied together (the detection
  score is objectness x class score, computed by the parser).

Usage: darknet2onnx.py model.cfg model.weights out.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def parse_cfg(path):
    sections = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                if not line.endswith("]"):
                    raise SystemExit(f"{path}: bad section line {raw!r}")
                sections.append({"type": line[1:-1].strip()})
            else:
                if not sections or "=" not in line:
                    raise SystemExit(f"{path}: bad line {raw!r}")
                k, v = line.split("=", 1)
                sections[-1][k.strip()] = v.strip()
    if not sections or sections[0]["type"] not in ("net", "network"):
        raise SystemExit(f"{path}: the first section must be [net]")
    return sections[0], sections[1:]


class Builder:
    def __init__(self):
        self.nodes, self.inits = [], []
        self.n = 0

    def name(self, prefix):
        self.n += 1
        return f"{prefix}_{self.n}"

    def const(self, arr, prefix="c"):
        nm = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), nm))
        return nm

    def op(self, op_type, inputs, prefix=None, out=None, **attrs):
        out = out or self.name(prefix or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out


def convert(cfg_path, weights_path, out_path):
    net, layers = parse_cfg(cfg_path)
    width, height, channels = int(net["width"]), int(net["height"]), int(net.get("channels", 3))
    with open(weights_path, "rb") as f:
        major, minor, _rev = np.frombuffer(f.read(12), dtype=np.int32)
        f.read(8 if major * 10 + minor >= 2 else 4)  # images seen
        weights = np.frombuffer(f.read(), dtype=np.float32)
    pos = 0

    def take(count):
        nonlocal pos
        if pos + count > weights.size:
            raise SystemExit(f"{weights_path}: too short for {cfg_path} (needs more than {weights.size} floats)")
        out = weights[pos:pos + count]
        pos += count
        return out

    b = Builder()
    x = "data"
    outs = []  # (name, channels, h, w) per layer
    c, h, w = channels, height, width
    yolo_outputs = []
    for i, l in enumerate(layers):
        t = l["type"]
        if t == "convolutional":
            filters, size = int(l["filters"]), int(l["size"])
            stride = int(l.get("stride", 1))
            pad = size // 2 if int(l.get("pad", 0)) else int(l.get("padding", 0))
            bn = int(l.get("batch_normalize", 0))
            if bn:
                bias = take(filters)
                scale = take(filters)
                mean = take(filters)
                var = take(filters)
            else:
                bias = take(filters).copy()
            wt = take(filters * c * size * size).reshape(filters, c, size, size).copy()
            if bn:
                # Darknet normalises with (x - mean) / (sqrt(var) + .000001)
                k = scale / (np.sqrt(var) + 0.000001)
                wt = wt * k[:, None, None, None]
                bias = bias - mean * k
            y = b.op("Conv", [x, b.const(wt.astype(np.float32), "w"), b.const(bias.astype(np.float32), "b")],
                     kernel_shape=[size, size], strides=[stride, stride], pads=[pad, pad, pad, pad])
            act = l.get("activation", "linear")
            if act == "leaky":
                y = b.op("LeakyRelu", [y], alpha=0.1)
            elif act != "linear":
                raise SystemExit(f"{cfg_path}: layer {i}: activation {act!r} not supported")
            c = filters
            h = (h + 2 * pad - size) // stride + 1
            w = (w + 2 * pad - size) // stride + 1
            x = y
        elif t == "maxpool":
            size, stride = int(l["size"]), int(l.get("stride", 1))
            padding = int(l.get("padding", size - 1))
            # Darknet: out = (in + padding - size) / stride + 1, offset -padding/2 (left/top)
            begin = padding // 2
            end = padding - begin
            oh = (h + padding - size) // stride + 1
            ow = (w + padding - size) // stride + 1
            # Only the end padding that the output actually reaches is kept.
            end_h = (oh - 1) * stride + size - h - begin
            end_w = (ow - 1) * stride + size - w - begin
            x = b.op("MaxPool", [x], kernel_shape=[size, size], strides=[stride, stride],
                     pads=[begin, begin, max(end_h, 0), max(end_w, 0)])
            h, w = oh, ow
        elif t == "route":
            idx = [int(v) for v in l["layers"].split(",")]
            idx = [j if j >= 0 else i + j for j in idx]
            srcs = [outs[j] for j in idx]
            if len(srcs) == 1:
                x, c, h, w = srcs[0]
            else:
                x = b.op("Concat", [s[0] for s in srcs], axis=1)
                c = sum(s[1] for s in srcs)
                h, w = srcs[0][2], srcs[0][3]
        elif t == "upsample":
            s = int(l.get("stride", 2))
            x = b.op("Resize", [x, "", b.const(np.array([1, 1, s, s], dtype=np.float32), "scales")],
                     mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
            h, w = h * s, w * s
        elif t == "shortcut":
            j = int(l["from"])
            j = j if j >= 0 else i + j
            x = b.op("Add", [x, outs[j][0]])
        elif t == "yolo":
            mask = [int(v) for v in l["mask"].split(",")]
            anchors = [float(v) for v in l["anchors"].split(",")]
            classes = int(l["classes"])
            a = len(mask)
            if c != a * (5 + classes):
                raise SystemExit(f"{cfg_path}: layer {i}: {c} channels, expected {a * (5 + classes)}")
            aw = np.array([anchors[2 * m] / width for m in mask], dtype=np.float32)
            ah = np.array([anchors[2 * m + 1] / height for m in mask], dtype=np.float32)
            r = b.op("Reshape", [x, b.const(np.array([-1, a, 5 + classes, h, w], dtype=np.int64), "shape")])
            r = b.op("Transpose", [r], perm=[0, 3, 4, 1, 2])  # [N, h, w, a, 5 + C]

            def sl(lo, hi):
                return b.op("Slice", [r, b.const(np.array([lo], dtype=np.int64)), b.const(np.array([hi], dtype=np.int64)),
                                      b.const(np.array([4], dtype=np.int64))])
            gx = np.tile(np.arange(w, dtype=np.float32)[None, :], (h, 1)).reshape(1, h, w, 1, 1)
            gy = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, w)).reshape(1, h, w, 1, 1)
            cx = b.op("Div", [b.op("Add", [b.op("Sigmoid", [sl(0, 1)]), b.const(gx)]), b.const(np.float32(w))])
            cy = b.op("Div", [b.op("Add", [b.op("Sigmoid", [sl(1, 2)]), b.const(gy)]), b.const(np.float32(h))])
            bw = b.op("Mul", [b.op("Exp", [sl(2, 3)]), b.const(aw.reshape(1, 1, 1, a, 1))])
            bh = b.op("Mul", [b.op("Exp", [sl(3, 4)]), b.const(ah.reshape(1, 1, 1, a, 1))])
            rest = b.op("Sigmoid", [sl(4, 5 + classes)])
            cat = b.op("Concat", [cx, cy, bw, bh, rest], axis=4)
            name = f"yolo_{i}"
            b.op("Reshape", [cat, b.const(np.array([-1, h * w * a, 5 + classes], dtype=np.int64), "shape")], out=name)
            yolo_outputs.append((name, h * w * a, 5 + classes))
        else:
            raise SystemExit(f"{cfg_path}: layer {i}: [{t}] not supported")
        outs.append((x, c, h, w))

    if pos != weights.size:
        raise SystemExit(f"{weights_path}: {weights.size - pos} floats left over: weights do not match {cfg_path}")
    if not yolo_outputs:
        raise SystemExit(f"{cfg_path}: no [yolo] layer")
    graph = helper.make_graph(
        b.nodes, "darknet",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, ["N", channels, height, width])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["N", rows, cols]) for n, rows, cols in yolo_outputs],
        initializer=b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="deepstream-rs darknet2onnx")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
    print(f"{out_path}: {len(b.nodes)} nodes, outputs {[n for n, _, _ in yolo_outputs]}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: darknet2onnx.py model.cfg model.weights out.onnx")
    convert(*sys.argv[1:])
