#!/usr/bin/env python3
"""The loop a user would write instead of deepstream-test1: the yardstick of scripts/bench.sh.

    .venv/bin/python scripts/yardstick.py CLIP [--output OUT.mp4] [--frames N] [--model M.onnx]

OpenCV decodes CLIP; each frame is resized to the model's input (416x416 RGB, x/255) and
run through ONNX Runtime (FP32 YOLOv3-tiny as scripts/setup.sh converts it, CPU, one
intra-op thread per core, ONNX Runtime's defaults otherwise); the two YOLO outputs
(`[1, N, 85]`: centre x, y, w, h in input pixels / 416, objectness, 80 class scores) are
thresholded at 0.3 (objectness x class score, the portable test1 config's
pre-cluster-threshold) and merged with OpenCV's NMS at IoU 0.45 per class; the boxes and the
per-frame counts are drawn with cv2 and, with --output, the frame is written to an MP4 (H.264
through OpenCV's FFmpeg writer when it has it, else MPEG-4 part 2) at the clip's size.
Prints one line: `yardstick frames=<n> seconds=<s> fps=<f> peak_rss_kib=<VmHWM>`.
"""
import argparse
import os
import resource
import sys
import time

import cv2
import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# COCO -> test1's classes, as the portable config's class-id-map: vehicle, two-wheeler, person, sign
CLASS_MAP = {2: 0, 5: 0, 7: 0, 1: 1, 3: 1, 0: 2, 9: 3, 11: 3}


def writer(path, size, fps):
    for fourcc in ("avc1", "mp4v"):
        w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps, size)
        if w.isOpened():
            return w
    sys.exit(f"yardstick: OpenCV cannot write {path}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("clip")
    p.add_argument("--output")
    p.add_argument("--frames", type=int, default=0, help="frames from the start (0 = all)")
    p.add_argument("--model", default=os.path.join(ROOT, "models/yolov3-tiny/yolov3-tiny.onnx"))
    a = p.parse_args()

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = os.cpu_count() or 1
    sess = ort.InferenceSession(a.model, opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    _, _, mh, mw = sess.get_inputs()[0].shape

    cap = cv2.VideoCapture(a.clip)
    if not cap.isOpened():
        sys.exit(f"yardstick: cannot open {a.clip}")
    out = None
    n = 0
    start = time.time()
    while not a.frames or n < a.frames:
        ok, frame = cap.read()
        if not ok:
            break
        h, w = frame.shape[:2]
        x = cv2.cvtColor(cv2.resize(frame, (mw, mh)), cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
        preds = np.concatenate([o.reshape(-1, o.shape[-1]) for o in sess.run(None, {name: x.transpose(2, 0, 1)[None]})])
        scores = preds[:, 4:5] * preds[:, 5:]
        cls = scores.argmax(1)
        conf = scores[np.arange(len(cls)), cls]
        keep = conf >= 0.3
        boxes, conf, cls = preds[keep, :4], conf[keep], cls[keep]
        rects = [[float((cx - bw / 2) * w), float((cy - bh / 2) * h), float(bw * w), float(bh * h)] for cx, cy, bw, bh in boxes]
        counts = [0, 0, 0, 0]
        for c in set(cls.tolist()):
            if c not in CLASS_MAP:
                continue
            idx = [i for i in range(len(cls)) if cls[i] == c]
            for j in np.array(cv2.dnn.NMSBoxes([rects[i] for i in idx], [float(conf[i]) for i in idx], 0.3, 0.45)).flatten():
                bx, by, bw, bh = (int(v) for v in rects[idx[j]])
                cv2.rectangle(frame, (bx, by), (bx + bw, by + bh), (255, 0, 0), 2)
                counts[CLASS_MAP[c]] += 1
        cv2.putText(frame, f"Frame Number={n} Number of Objects={sum(counts)} Vehicle_count={counts[0]} Person_count={counts[2]}",
                    (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        if a.output:
            if out is None:
                out = writer(a.output, (w, h), cap.get(cv2.CAP_PROP_FPS) or 30)
            out.write(frame)
        n += 1
    if out is not None:
        out.release()
    secs = time.time() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"yardstick frames={n} seconds={secs:.3f} fps={n / secs:.2f} peak_rss_kib={rss}")


if __name__ == "__main__":
    main()
