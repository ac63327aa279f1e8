#!/usr/bin/env python3
"""Check the converted YOLOv3-tiny ONNX model against OpenCV's own Darknet reader.

Runs the original .cfg/.weights with OpenCV DNN (`cv2.dnn.readNetFromDarknet`) and the ONNX
model with ONNX Runtime on the same real frame, and compares every output row: box
(cx, cy, w, h), objectness, and the class scores (OpenCV reports objectness x class score and
zeroes it under its threshold; the ONNX model keeps them apart).
Prints a summary line and exits non-zero when the outputs differ by more than --tol.
Usage: check_darknet_onnx.py MODEL_DIR IMAGE_OR_VIDEO [--frame N] [--tol T] [--cfg NAME]
"""
import argparse
import sys

import cv2
import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("media")
    ap.add_argument("--frame", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--cfg", default="yolov3-tiny-fixed.cfg", help="cfg file in MODEL_DIR")
    a = ap.parse_args()

    cap = cv2.VideoCapture(a.media)
    cap.set(cv2.CAP_PROP_POS_FRAMES, a.frame)
    ok, bgr = cap.read()
    if not ok:
        sys.exit(f"{a.media}: cannot read frame {a.frame}")
    blob = cv2.dnn.blobFromImage(bgr, 1 / 255.0, (416, 416), swapRB=True, crop=False)

    net = cv2.dnn.readNetFromDarknet(f"{a.model_dir}/{a.cfg}", f"{a.model_dir}/yolov3-tiny.weights")
    net.setInput(blob)
    cv_outs = net.forward(net.getUnconnectedOutLayersNames())

    sess = ort.InferenceSession(f"{a.model_dir}/yolov3-tiny.onnx", providers=["CPUExecutionProvider"])
    onnx_outs = sess.run(None, {"data": blob})

    worst = 0.0
    detections = 0
    for cv_o, ox in zip(cv_outs, onnx_outs):
        ox = ox[0]
        if cv_o.shape != ox.shape:
            sys.exit(f"shape mismatch: OpenCV {cv_o.shape}, ONNX {ox.shape}")
        worst = max(worst, float(np.abs(cv_o[:, :5] - ox[:, :5]).max()))
        scores = ox[:, 4:5] * ox[:, 5:]
        live = cv_o[:, 5:] > 0  # OpenCV zeroes the scores under its threshold
        if live.any():
            worst = max(worst, float(np.abs(cv_o[:, 5:][live] - scores[live]).max()))
        detections += int((scores.max(axis=1) > 0.5).sum())
    print(f"frame {a.frame}: max abs difference {worst:.2e} over {sum(o.shape[0] for o in cv_outs)} rows; "
          f"{detections} rows above 0.5")
    if worst > a.tol:
        sys.exit(f"ONNX model differs from OpenCV's Darknet reader by {worst:.2e} (> {a.tol})")
    if detections == 0:
        sys.exit("no detection above 0.5 on a frame with people: the comparison proves nothing")


if __name__ == "__main__":
    main()
