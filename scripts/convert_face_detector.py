#!/usr/bin/python3
"""Converts the fallback face detector of @vladmandic/face-api (tiny_face_detector,
a Tiny-YOLOv2 with depthwise-separable convolutions) and its 68-point landmark net
(face_landmark_68) to ONNX graphs that OpenCV's dnn loads, and checks both graphs
against independent numpy forward passes. id-face uses them when the YuNet model
is absent.

    convert_face_detector.py MODEL_DIR OUT_DIR

MODEL_DIR holds the two .bin files and their -weights_manifest.json (npm package).
OUT_DIR receives:
  face_detector_tiny.onnx   input "input" [1,3,416,416] = (RGB - (117.001, 114.697, 97.404)) / 255
                            of the image padded at the bottom/right to a square;
                            output "grid" [1,25,13,13]: per cell 5 anchors x (tx, ty, tw, th, score logit)
  face_landmark68.onnx      input "input" [1,3,112,112] = (RGB - (122.782, 117.001, 104.298)) / 255
                            of the face box padded centred to a square;
                            output "landmarks" [1,136]: x0, y0, x1, y1 ... in units of the square
  face_fallback.reference.json  numpy reference outputs on fixed inputs (unit tests and
                            check_face_model.mjs compare with them)

Run with Debian's python3 (python3-numpy, python3-onnx); scripts/models does this.
The output is deterministic: the same weights give the same bytes.
"""
import json
import math
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_face_model import Graph, fixed_input, load_weights, tf_conv  # noqa: E402
from convert_face_model import finish as finish_model  # noqa: E402

DETECTOR = "tiny_face_detector_model"
LANDMARKS = "face_landmark_68_model"
LEAK = np.float32(0.1)  # the network's leaky ReLU slope (TF: 0.10000000149011612)


# ---- numpy references (TF semantics, NHWC, float64) --------------------------

def same_pads(size, k, stride):
    """TF 'same' padding: (before, after), the extra pixel after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def tf_depthwise(x, w, stride, padding):
    """x [H,W,C], w [3,3,C,1]."""
    if padding == "same":
        ph, pw = same_pads(x.shape[0], 3, stride), same_pads(x.shape[1], 3, stride)
        x = np.pad(x, (ph, pw, (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))[::stride, ::stride]
    return np.einsum("hwcij,ijc->hwc", win, w[:, :, :, 0], optimize=True)


def tf_maxpool_same(x, stride):
    ph, pw = same_pads(x.shape[0], 2, stride), same_pads(x.shape[1], 2, stride)
    x = np.pad(x, (ph, pw, (0, 0)), constant_values=-np.inf)
    win = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(0, 1))[::stride, ::stride]
    return win.max(axis=(3, 4))


def leaky(x):
    return np.where(x > 0, x, x * float(LEAK))


def separable(x, W, prefix, stride, padding="same"):
    out = tf_depthwise(x, W[prefix + "/depthwise_filter"], stride, padding)
    return np.einsum("hwc,co->hwo", out, W[prefix + "/pointwise_filter"][0, 0]) + W[prefix + "/bias"]


def ref_detector(W, x):
    """x [416,416,3] normalised. Returns the grid [13,13,25]."""
    out = leaky(tf_conv(x, W["conv0/filters"], 1, "valid") + W["conv0/bias"])
    for i in range(1, 6):
        out = tf_maxpool_same(out, 2)
        out = np.pad(out, ((1, 1), (1, 1), (0, 0)))
        out = separable(out, W, f"conv{i}", 1, "valid")
        out = leaky(out)
    out = tf_maxpool_same(out, 1)
    return tf_conv(out, W["conv8/filters"], 1, "valid") + W["conv8/bias"]


def ref_landmarks(W, x):
    """x [112,112,3] normalised. Returns the 136 raw outputs."""
    out = x
    for d in range(4):
        p = f"dense{d}/"
        if d == 0:
            out1 = tf_conv(out, W[p + "conv0/filters"], 2, "same") + W[p + "conv0/bias"]
        else:
            out1 = separable(out, W, p + "conv0", 2)
        out1 = np.maximum(out1, 0)
        out2 = separable(out1, W, p + "conv1", 1)
        out3 = separable(np.maximum(out1 + out2, 0), W, p + "conv2", 1)
        out4 = separable(np.maximum(out1 + out2 + out3, 0), W, p + "conv3", 1)
        out = np.maximum(out1 + out2 + out3 + out4, 0)
    return out.mean(axis=(0, 1)) @ W["fc/weights"] + W["fc/bias"]


# ---- ONNX graphs (NCHW) -------------------------------------------------------

def depthwise(g, x, w_hwc1, stride, pads):
    w = np.transpose(w_hwc1, (2, 3, 0, 1))  # [C,1,3,3]
    c = w.shape[0]
    return g.op("Conv", [x, g.const("dw", w), g.const("b", np.zeros(c))],
                kernel_shape=[3, 3], strides=[stride, stride], pads=pads, group=c)


def separable_onnx(g, x, W, prefix, stride, pads):
    x = depthwise(g, x, W[prefix + "/depthwise_filter"], stride, pads)
    return g.conv(x, W[prefix + "/pointwise_filter"], W[prefix + "/bias"], 1, [0, 0, 0, 0])


def pads_same(size, k, stride):
    b, a = same_pads(size, k, stride)
    return [b, b, a, a]  # square maps: same along both axes (top, left, bottom, right)


def finish(g, output, in_shape, out_shape, name):
    return finish_model(g, output, in_shape, out_shape, name, "idkit convert_face_detector.py")


def build_detector(W):
    g = Graph()
    x = g.conv("input", W["conv0/filters"], W["conv0/bias"], 1, [0, 0, 0, 0])
    x = g.op("LeakyRelu", [x], alpha=float(LEAK))
    size = 414
    for i in range(1, 6):
        x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2], pads=pads_same(size, 2, 2))
        size = math.ceil(size / 2)
        x = separable_onnx(g, x, W, f"conv{i}", 1, [1, 1, 1, 1])
        x = g.op("LeakyRelu", [x], alpha=float(LEAK))
    x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[1, 1], pads=pads_same(size, 2, 1))
    g.conv(x, W["conv8/filters"], W["conv8/bias"], 1, [0, 0, 0, 0])
    return finish(g, "grid", [1, 3, 416, 416], [1, 25, 13, 13], "idkit_face_detector_tiny")


def build_landmarks(W):
    g = Graph()
    x, size = "input", 112
    for d in range(4):
        p = f"dense{d}/"
        pads = pads_same(size, 3, 2)
        if d == 0:
            o1 = g.conv(x, W[p + "conv0/filters"], W[p + "conv0/bias"], 2, pads)
        else:
            o1 = separable_onnx(g, x, W, p + "conv0", 2, pads)
        size = math.ceil(size / 2)
        o1 = g.op("Relu", [o1])
        o2 = separable_onnx(g, o1, W, p + "conv1", 1, [1, 1, 1, 1])
        s12 = g.op("Add", [o1, o2])
        o3 = separable_onnx(g, g.op("Relu", [s12]), W, p + "conv2", 1, [1, 1, 1, 1])
        s123 = g.op("Add", [s12, o3])
        o4 = separable_onnx(g, g.op("Relu", [s123]), W, p + "conv3", 1, [1, 1, 1, 1])
        x = g.op("Relu", [g.op("Add", [s123, o4])])
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    # OpenCV's importer wants Gemm weights as [out, in] (transB)
    g.op("Gemm", [x, g.const("fc", W["fc/weights"].T), g.const("fcb", W["fc/bias"])], transB=1)
    return finish(g, "landmarks", [1, 3, 112, 112], [1, 136], "idkit_face_landmark68")


def fixed(size):
    """convert_face_model.fixed_input's formula on a size x size image."""
    y, x, c = np.meshgrid(np.arange(size), np.arange(size), np.arange(3), indexing="ij")
    return 0.5 * np.sin(0.05 * (x + 1) * (c + 1)) * np.cos(0.031 * (y + 1))


def write(model, path):
    with open(path + ".tmp", "wb") as f:
        f.write(model.SerializeToString())
    os.replace(path + ".tmp", path)
    print(f"wrote {path} ({len(model.graph.node)} nodes)", file=sys.stderr)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model_dir, out_dir = sys.argv[1], sys.argv[2]
    assert np.allclose(fixed(150), fixed_input())
    Wd = load_weights(model_dir, DETECTOR)
    Wl = load_weights(model_dir, LANDMARKS)
    if len(Wd) != 19 or len(Wl) != 49:
        raise SystemExit(f"expected 19 + 49 weight tensors, found {len(Wd)} + {len(Wl)}")
    os.makedirs(out_dir, exist_ok=True)
    write(build_detector(Wd), os.path.join(out_dir, "face_detector_tiny.onnx"))
    write(build_landmarks(Wl), os.path.join(out_dir, "face_landmark68.onnx"))
    grid = np.transpose(ref_detector(Wd, fixed(416)), (2, 0, 1))  # -> [25,13,13], ONNX order
    marks = ref_landmarks(Wl, fixed(112))
    with open(os.path.join(out_dir, "face_fallback.reference.json"), "w") as f:
        json.dump({"input": "0.5*sin(0.05*(x+1)*(c+1))*cos(0.031*(y+1)), HWC RGB, NxN",
                   "detector": [round(float(v), 7) for v in grid.ravel()],
                   "landmarks": [round(float(v), 9) for v in marks]}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
