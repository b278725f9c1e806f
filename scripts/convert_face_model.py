#!/usr/bin/python3
"""Converts the face descriptor of @vladmandic/face-api (a port of dlib's ResNet
face-recognition network, TF.js weights layout) to an ONNX graph that OpenCV's dnn
loads, and checks the graph against an independent numpy forward pass.

    convert_face_model.py MODEL_DIR OUT_DIR

MODEL_DIR holds face_recognition_model.bin and its -weights_manifest.json (from the
npm package). OUT_DIR receives:
  face_recognition.onnx            input "input" [1,3,150,150] = (RGB - mean) / 256,
                                   output "descriptor" [1,128] (not normalised)
  face_recognition.reference.json  the numpy reference output on a fixed input
                                   (the unit tests compare OpenCV's output with it)

Run with Debian's python3 (python3-numpy, python3-onnx); scripts/models does this.
The output is deterministic: the same weights give the same bytes.
"""
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MODEL = "face_recognition_model"

# The blocks of the network in order (see the package's FaceRecognitionNet.ts).
BLOCKS = [
    ("conv32_1", False), ("conv32_2", False), ("conv32_3", False),
    ("conv64_down", True), ("conv64_1", False), ("conv64_2", False), ("conv64_3", False),
    ("conv128_down", True), ("conv128_1", False), ("conv128_2", False),
    ("conv256_down", True), ("conv256_1", False), ("conv256_2", False),
    ("conv256_down_out", True),
]


def load_weights(model_dir, name=MODEL):
    """Reads the TF.js weights: uint8 tensors are dequantized as q * scale + min,
    tensors without a quantization entry are raw little-endian float32."""
    with open(os.path.join(model_dir, name + "-weights_manifest.json")) as f:
        manifest = json.load(f)
    weights = {}
    for group in manifest:
        blob = b""
        for path in group["paths"]:
            with open(os.path.join(model_dir, path), "rb") as f:
                blob += f.read()
        offset = 0
        for spec in group["weights"]:
            shape = spec["shape"]
            count = int(np.prod(shape)) if shape else 1
            q = spec.get("quantization")
            if q:
                if q["dtype"] != "uint8":
                    raise SystemExit(f"unsupported quantization {q['dtype']} for {spec['name']}")
                raw = np.frombuffer(blob, np.uint8, count, offset)
                offset += count
                values = raw.astype(np.float64) * q["scale"] + q["min"]
            else:
                if spec["dtype"] != "float32":
                    raise SystemExit(f"unsupported dtype {spec['dtype']} for {spec['name']}")
                values = np.frombuffer(blob, "<f4", count, offset).astype(np.float64)
                offset += 4 * count
            weights[spec["name"]] = values.astype(np.float32).astype(np.float64).reshape(shape)
        if offset != len(blob):
            raise SystemExit(f"{len(blob) - offset} bytes left over in {group['paths']}")
    return weights


# ---- the reference: TF semantics in numpy, NHWC, float64 ---------------------

def tf_conv(x, w, stride, padding):
    """x [H,W,C], w [kh,kw,ci,co]; TF's 'same' pads more at the bottom/right."""
    kh, kw = w.shape[:2]
    if padding == "same":
        out_h, out_w = math.ceil(x.shape[0] / stride), math.ceil(x.shape[1] / stride)
        ph = max((out_h - 1) * stride + kh - x.shape[0], 0)
        pw = max((out_w - 1) * stride + kw - x.shape[1], 0)
        x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(0, 1))[::stride, ::stride]
    # win: [oh, ow, C, kh, kw]
    return np.einsum("hwcij,ijco->hwo", win, w, optimize=True)


def tf_pool(x, k, stride, op):
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(0, 1))[::stride, ::stride]
    return op(win, axis=(3, 4))


def ref_conv_layer(x, W, prefix, stride, relu, padding):
    out = tf_conv(x, W[prefix + "/conv/filters"], stride, padding) + W[prefix + "/conv/bias"]
    out = out * W[prefix + "/scale/weights"] + W[prefix + "/scale/biases"]
    return np.maximum(out, 0) if relu else out


def ref_forward(W, x):
    """x: [150,150,3] normalised input. Returns the 128 raw descriptor values."""
    out = ref_conv_layer(x, W, "conv32_down", 2, True, "valid")
    out = tf_pool(out, 3, 2, np.max)
    for name, down in BLOCKS:
        if down:
            branch = ref_conv_layer(out, W, name + "/conv1", 2, True, "valid")
        else:
            branch = ref_conv_layer(out, W, name + "/conv1", 1, True, "same")
        branch = ref_conv_layer(branch, W, name + "/conv2", 1, False, "same")
        if down:
            short = tf_pool(out, 2, 2, np.mean)
            dh = short.shape[0] - branch.shape[0]
            dw = short.shape[1] - branch.shape[1]
            branch = np.pad(branch, ((0, dh), (0, dw), (0, 0)))
            dc = branch.shape[2] - short.shape[2]
            short = np.pad(short, ((0, 0), (0, 0), (0, dc)))
        else:
            short = out
        out = np.maximum(branch + short, 0)
    return out.mean(axis=(0, 1)) @ W["fc"]


# ---- the ONNX graph: NCHW, scale layers folded into the convolutions ---------

class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def const(self, base, array, dtype=np.float32):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=dtype), n))
        return n

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, w_hwio, bias, stride, pads):
        w = np.transpose(w_hwio, (3, 2, 0, 1))  # -> OIHW
        return self.op("Conv", [x, self.const("w", w), self.const("b", bias)],
                       kernel_shape=list(w.shape[2:]), strides=[stride, stride], pads=pads)

    def conv_layer(self, x, W, prefix, stride, relu, pads):
        s = W[prefix + "/scale/weights"]
        # (conv(x, w) + b) * s + t == conv(x, w * s) + (b * s + t)
        w = W[prefix + "/conv/filters"] * s
        b = W[prefix + "/conv/bias"] * s + W[prefix + "/scale/biases"]
        out = self.conv(x, w, b, stride, pads)
        return self.op("Relu", [out]) if relu else out


def spatial(size, k, stride):
    return (size - k) // stride + 1


def build_onnx(W):
    g = Graph()
    x = "input"
    x = g.conv_layer(x, W, "conv32_down", 2, True, [0, 0, 0, 0])
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2])
    size = spatial(spatial(150, 7, 2), 3, 2)
    channels = 32
    for name, down in BLOCKS:
        if down:
            b = g.conv_layer(x, W, name + "/conv1", 2, True, [0, 0, 0, 0])
        else:
            b = g.conv_layer(x, W, name + "/conv1", 1, True, [1, 1, 1, 1])
        b = g.conv_layer(b, W, name + "/conv2", 1, False, [1, 1, 1, 1])
        if down:
            out_ch = W[name + "/conv2/conv/filters"].shape[3]
            conv_size = spatial(size, 3, 2)
            pool_size = spatial(size, 2, 2)
            # The shortcut is a 2x2/2 average pool whose extra channels are zero:
            # one 2x2/2 convolution with 0.25 on the channel diagonal does both.
            w = np.zeros((2, 2, channels, out_ch))
            for c in range(channels):
                w[:, :, c, c] = 0.25
            short = g.conv(x, w, np.zeros(out_ch), 2, [0, 0, 0, 0])
            if pool_size != conv_size:
                d = pool_size - conv_size
                pads = g.const("pads", [0, 0, 0, 0, 0, 0, d, d], np.int64)
                b = g.op("Pad", [b, pads], mode="constant")
            size, channels = pool_size, out_ch
        else:
            short = x
        x = g.op("Relu", [g.op("Add", [b, short])])
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    fc = g.const("fc", W["fc"].T)  # Gemm with transB: [128, 256]
    x = g.op("Gemm", [x, fc], transB=1)
    return finish(g, "descriptor", [1, 3, 150, 150], [1, 128], "idkit_face_descriptor", "idkit convert_face_model.py")


def finish(g, output, in_shape, out_shape, name, producer):
    """The graph's last node renamed to `output`, wrapped in a checked opset-11 model
    (ONNX IR 6: what OpenCV 4.6's dnn loads). The bytes are pinned in scripts/models."""
    g.nodes[-1].output[0] = output
    graph = helper.make_graph(
        g.nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, out_shape)],
        g.inits)
    model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 6
    onnx.checker.check_model(model)
    return model


def fixed_input():
    """The self-test input, [150,150,3] HWC, reproducible in C++:
    v(y, x, c) = 0.5 * sin(0.05 * (x + 1) * (c + 1)) * cos(0.031 * (y + 1))."""
    y, x, c = np.meshgrid(np.arange(150), np.arange(150), np.arange(3), indexing="ij")
    return 0.5 * np.sin(0.05 * (x + 1) * (c + 1)) * np.cos(0.031 * (y + 1))


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model_dir, out_dir = sys.argv[1], sys.argv[2]
    W = load_weights(model_dir)
    if len(W) != 117:
        raise SystemExit(f"expected 117 weight tensors, found {len(W)}")
    model = build_onnx(W)
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "face_recognition.onnx")
    with open(onnx_path + ".tmp", "wb") as f:
        f.write(model.SerializeToString())
    os.replace(onnx_path + ".tmp", onnx_path)

    ref = ref_forward(W, fixed_input())
    with open(os.path.join(out_dir, "face_recognition.reference.json"), "w") as f:
        json.dump({"input": "0.5*sin(0.05*(x+1)*(c+1))*cos(0.031*(y+1)), HWC RGB, 150x150",
                   "descriptor": [round(float(v), 9) for v in ref]}, f)
        f.write("\n")
    print(f"wrote {onnx_path} ({len(model.graph.node)} nodes)", file=sys.stderr)


if __name__ == "__main__":
    main()
