#!/usr/bin/env python3
"""Extend the YOLOv3-tiny ONNX graph (scripts/darknet2onnx.py's output) with a decode head
that emits the four output tensors of a TensorFlow object-detection API SSD, as the
deepstream-ssd-parser sample expects of `ssd_inception_v2_coco_2018_01_28`.

Written for this project (scripts/setup.sh runs it); needs only numpy and the PyPI `onnx`
package. No SSD model can be fetched from the package registries and run here (see
../shared/reference/media-and-models.md in the project notes), so the portable sample runs a
real detector, YOLOv3-tiny, with this head:

- `num_detections` [N, 1]: K, the number of candidate rows (every row is a candidate; the
  sample's parser applies its own threshold);
- `detection_scores` [N, K]: objectness x best class score, sorted in descending order;
- `detection_classes` [N, K]: the best class as a COCO-91 id (1 = person, 3 = car ..., the
  ids of the TF model's labels.txt), as a float, as TF emits it;
- `detection_boxes` [N, K, 4]: [ymin, xmin, ymax, xmax] normalised to 0..1 of the network
  input (not clipped: the sample's parser clips).

K = min(200, rows); no NMS in the graph (the sample's parser does per-class NMS, as with the
TF model whose own NMS leaves overlaps of different classes). The YOLO outputs are kept as
outputs too, so the same file also runs through ds-infer's YOLO parser (the test compares the
two paths).

Usage: yolo_tfod_head.py yolov3-tiny.onnx out.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# COCO-80 (darknet's coco.names order) -> COCO-91 ids (the TF OD API's label map).
COCO80_TO_91 = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77,
    78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
]
TOP_K = 200


def main(src, dst):
    model = onnx.load(src)
    g = model.graph
    yolo_outputs = [o.name for o in g.output]
    inits = []
    nodes = []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, outputs, **attrs):
        nodes.append(helper.make_node(op, inputs, outputs, **attrs))
        return outputs[0]

    rows = node("Concat", yolo_outputs, ["head_rows"], axis=1)  # [N, R, 85]
    n_rows = 0
    for o in g.output:
        n_rows += o.type.tensor_type.shape.dim[1].dim_value
    k = min(TOP_K, n_rows)
    ax2 = const("head_axis2", np.array([2], dtype=np.int64))
    s = lambda a, b, name: node(
        "Slice",
        [rows, const(name + "_s", np.array([a], np.int64)), const(name + "_e", np.array([b], np.int64)), ax2],
        [name],
    )
    cx, cy, w, h = s(0, 1, "head_cx"), s(1, 2, "head_cy"), s(2, 3, "head_w"), s(3, 4, "head_h")
    obj = s(4, 5, "head_obj")
    cls = s(5, 85, "head_cls")
    best = node("ReduceMax", [cls], ["head_best"], axes=[2], keepdims=0)  # [N, R]
    best_c = node("ArgMax", [cls], ["head_best_c"], axis=2, keepdims=0)  # [N, R] int64
    obj2 = node("Squeeze", [obj, ax2], ["head_obj2"])
    score = node("Mul", [obj2, best], ["head_score"])
    half = const("head_half", np.array(0.5, np.float32))
    hw = node("Mul", [w, half], ["head_hw"])
    hh = node("Mul", [h, half], ["head_hh"])
    x1 = node("Sub", [cx, hw], ["head_x1"])
    x2 = node("Add", [cx, hw], ["head_x2"])
    y1 = node("Sub", [cy, hh], ["head_y1"])
    y2 = node("Add", [cy, hh], ["head_y2"])
    boxes = node("Concat", [y1, x1, y2, x2], ["head_boxes"], axis=2)  # [N, R, 4]
    top_s, top_i = "detection_scores", "head_top_i"
    node("TopK", [score, const("head_k", np.array([k], np.int64))], [top_s, top_i], axis=1, largest=1, sorted=1)
    cls_top = node("GatherElements", [best_c, top_i], ["head_cls_top"], axis=1)  # [N, K] int64
    table = const("head_coco91", np.array(COCO80_TO_91, np.float32))
    node("Gather", [table, cls_top], ["detection_classes"], axis=0)
    idx3 = node("Unsqueeze", [top_i, ax2], ["head_top_i3"])  # [N, K, 1]
    shape = node("Shape", [idx3], ["head_idx_shape"])
    four = const("head_four", np.array([1, 1, 4], np.int64))
    shape4 = node("Mul", [shape, four], ["head_idx_shape4"])
    idx4 = node("Expand", [idx3, shape4], ["head_top_i4"])
    node("GatherElements", [boxes, idx4], ["detection_boxes"], axis=1)
    # num_detections: K per batch item.
    n_shape = node("Shape", [score], ["head_score_shape"])
    n_only = node("Slice", [n_shape, const("head_n_s", np.array([0], np.int64)), const("head_n_e", np.array([1], np.int64))], ["head_n"])
    n1 = node("Concat", [n_only, const("head_one", np.array([1], np.int64))], ["head_n1"], axis=0)
    node("Expand", [const("head_kf", np.array([[float(k)]], np.float32)), n1], ["num_detections"])

    g.node.extend(nodes)
    g.initializer.extend(inits)
    f = TensorProto.FLOAT
    g.output.extend([
        helper.make_tensor_value_info("num_detections", f, ["N", 1]),
        helper.make_tensor_value_info("detection_scores", f, ["N", k]),
        helper.make_tensor_value_info("detection_classes", f, ["N", k]),
        helper.make_tensor_value_info("detection_boxes", f, ["N", k, 4]),
    ])
    onnx.checker.check_model(model)
    onnx.save(model, dst)

    # Check the head against numpy on a random input, with ONNX Runtime (setup.sh installs it).
    import onnxruntime

    x = np.random.default_rng(1).random((2, 3, 416, 416), dtype=np.float32)
    sess = onnxruntime.InferenceSession(dst, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    out = sess.run(names, {g.input[0].name: x})
    res = dict(zip(names, out))
    for b in range(2):
        allrows = np.concatenate([res[n] for n in yolo_outputs], axis=1)[b]
        sc = allrows[:, 4] * allrows[:, 5:].max(axis=1)
        order = np.argsort(-sc, kind="stable")[:k]
        assert np.allclose(res["detection_scores"][b], sc[order], atol=1e-6), "scores"
        for j in (0, k // 2, k - 1):
            r = allrows[order[j]]
            want = [r[1] - r[3] / 2, r[0] - r[2] / 2, r[1] + r[3] / 2, r[0] + r[2] / 2]
            assert np.allclose(res["detection_boxes"][b, j], want, atol=1e-6), "boxes"
            assert res["detection_classes"][b, j] == COCO80_TO_91[int(r[5:].argmax())], "classes"
    assert res["num_detections"].shape == (2, 1) and (res["num_detections"] == k).all()
    print(f"head checked: {k} rows of {n_rows}, batch of 2")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
