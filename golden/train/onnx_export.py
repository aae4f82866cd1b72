"""Writes a model directory (docs/model-format.md) as a quantized ONNX model in the QDQ form
(docs/onnx.md): what `cosim import` reads back into the same integer model.

    /usr/bin/python3 golden/train/onnx_export.py models/mnist_int8 out/mnist_int8.onnx

The graph takes the raw uint8 pixels [N, C, H, W]; a BitShift right by 8 - A gives the model's
input a = p >> (8 - A) (docs/quantization.md "Input"), DequantizeLinear its scale s_in. Each array
layer is Conv or Gemm on DequantizeLinear'd int8 weights (per-channel scales, axis 0) and int32
bias (scale s_in * s_w), Relu, then QuantizeLinear to its output scale and zero point (uint8; a
Clip to 0 .. 2^A - 1 below 8 bits, the QCDQ form) and DequantizeLinear; the last layer's float
output is the logits. The scales are the float32 values of model.json "scales" (the exporter's),
from which the importer computes multiplier and shift with the rule export.py used: a model whose
scales are missing cannot be written.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class OnnxExportError(Exception):
    pass


def _scales(layer, where):
    s = layer.get("scales")
    if not s or "input" not in s or "weight" not in s:
        raise OnnxExportError(f"{where}: layer '{layer['name']}' has no 'scales' (input, weight)")
    return s


class Graph:
    def __init__(self):
        self.nodes, self.inits = [], []

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op, inputs, output, **attrs):
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output


def _dequantized_weight(g, layer, weight_bits):
    name, s_w = layer["name"], np.asarray(layer["s_w"], dtype=np.float32)
    wq = g.const(f"{name}.w", np.asarray(layer["w"]).astype(np.int8))
    if weight_bits < 8:  # QCDQ: the Clip says the weights' width
        top = (1 << (weight_bits - 1)) - 1
        wq = g.node("Clip", [wq, g.const(f"{name}.w_lo", np.int8(-top - 1)), g.const(f"{name}.w_hi", np.int8(top))],
                    f"{name}.w_clip")
    wd = g.node("DequantizeLinear", [wq, g.const(f"{name}.w_scale", s_w),
                                     g.const(f"{name}.w_zero", np.zeros(len(s_w), np.int8))], f"{name}.wd", axis=0)
    bd = g.node("DequantizeLinear", [g.const(f"{name}.b", np.asarray(layer["b"]).astype(np.int32)),
                                     g.const(f"{name}.b_scale", np.float32(layer["s_in"]) * s_w),
                                     g.const(f"{name}.b_zero", np.zeros(len(s_w), np.int32))], f"{name}.bd", axis=0)
    return wd, bd


def _requantize(g, x, layer, act_bits):
    """QuantizeLinear (+ Clip below 8 bits) + DequantizeLinear of a layer's output."""
    name = layer["name"]
    s = g.const(f"{name}.y_scale", np.float32(layer["s_out"]))
    z = g.const(f"{name}.y_zero", np.uint8(layer.get("z_out", 0)))
    q = g.node("QuantizeLinear", [x, s, z], f"{name}.q")
    if act_bits < 8:
        q = g.node("Clip", [q, g.const(f"{name}.lo", np.uint8(0)), g.const(f"{name}.hi", np.uint8((1 << act_bits) - 1))],
                   f"{name}.clip")
    return g.node("DequantizeLinear", [q, s, z], f"{name}.dq")


def _layer(g, x, layer, act_bits, weight_bits):
    t = layer["type"]
    if t == "maxpool2d":
        k, s = layer["kernel"], layer["stride"]
        return g.node("MaxPool", [x], layer["name"], kernel_shape=[k, k], strides=[s, s])
    if t == "flatten":
        return g.node("Flatten", [x], layer["name"], axis=1)
    wd, bd = _dequantized_weight(g, layer, weight_bits)
    if t == "conv2d":
        k, p, s = layer["kernel"], layer["padding"], layer["stride"]
        y = g.node("Conv", [x, wd, bd], layer["name"], kernel_shape=[k, k], pads=[p] * 4, strides=[s, s])
    else:
        y = g.node("Gemm", [x, wd, bd], layer["name"], transB=1)
    if layer.get("relu"):
        y = g.node("Relu", [y], f"{layer['name']}.relu")
    if layer.get("s_out") is None:
        return y  # the logits
    return _requantize(g, y, layer, act_bits)


def layers_to_onnx(name, chw, act_bits, weight_bits, layers):
    """The QDQ graph of `layers`: dicts with "type" and "name"; maxpool2d "kernel", "stride";
    conv2d "kernel", "padding", "stride"; conv2d and linear "w" (int, [out][in...]), "b" (int32),
    float32 scales "s_in", "s_w" (per output channel) and "s_out" (None: the logits), zero points
    "z_in", "z_out", "relu"."""
    if act_bits > 8 or weight_bits > 8:
        raise OnnxExportError(f"{name}: widths {act_bits}/{weight_bits}: the QDQ form here is uint8/int8")
    g = Graph()
    x = "pixels"
    if act_bits < 8:
        x = g.node("BitShift", [x, g.const("input.shift", np.uint8(8 - act_bits))], "input.shifted", direction="RIGHT")
    first = next(l for l in layers if l["type"] in ("conv2d", "linear"))
    x = g.node("DequantizeLinear", [x, g.const("input.scale", np.float32(first["s_in"])),
                                    g.const("input.zero", np.uint8(first.get("z_in", 0)))], "input.dq")
    for layer in layers:
        x = _layer(g, x, layer, act_bits, weight_bits)
    graph = helper.make_graph(
        g.nodes, name, [helper.make_tensor_value_info("pixels", TensorProto.UINT8, ["N", *chw])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["N", None])], g.inits)
    model = helper.make_model(graph, producer_name="accel-cosim golden/train", opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def model_to_onnx(d):
    """A model directory's layers (its integer tensors, model.json's float32 scales) as ONNX."""
    with open(os.path.join(d, "model.json")) as f:
        m = json.load(f)
    layers = []
    for l in m["layers"]:
        e = dict(l)
        if l["type"] in ("conv2d", "linear"):
            sc = _scales(l, d)
            e.update(w=np.load(os.path.join(d, l["weight"])), b=np.load(os.path.join(d, l["bias"])),
                     s_in=sc["input"], s_w=sc["weight"], s_out=sc.get("output") if l["output"] != "logits" else None,
                     z_in=l.get("input_zero_point", 0), z_out=l.get("output_zero_point", 0))
        layers.append(e)
    inp = m["input"]
    return layers_to_onnx(m["name"], [inp["channels"], inp["height"], inp["width"]], m["act_bits"], m["weight_bits"],
                          layers)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir")
    ap.add_argument("out")
    args = ap.parse_args(argv)
    try:
        model = model_to_onnx(args.model_dir)
    except (OnnxExportError, KeyError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    onnx.save(model, args.out)
    print(f"onnx_export: {args.model_dir} -> {args.out} ({len(model.graph.node)} nodes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
