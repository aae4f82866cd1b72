"""Writes a fake-quant Net as a model directory (docs/model-format.md) and checks it with intref."""

import json
import math
import os

import numpy as np
import torch

import intref

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


class ExportError(Exception):
    pass


def multiplier_shift(scale):
    """scale ~= M / 2^S with M in [2^30, 2^31) and S <= 62 (docs/quantization.md)."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ExportError(f"requantization scale {scale} is not positive")
    _, e = math.frexp(scale)  # scale = f * 2^e, f in [0.5, 1)
    s = min(31 - e, 62)
    m = math.floor(scale * 2.0 ** s + 0.5)  # scale * 2^s < 2^31: exact in float64
    if m == 1 << 31:  # rounded up out of range
        m, s = 1 << 30, s - 1
    if s < 0:
        raise ExportError(f"requantization scale {scale} >= 2 needs a negative shift")
    if not 1 <= m < (1 << 31):
        raise ExportError(f"requantization scale {scale} underflows (M = {m} at S = 62)")
    return m, s


def _save(directory, name, array, dtype):
    arr = np.ascontiguousarray(array).astype(np.dtype(dtype).newbyteorder("<"))
    np.save(os.path.join(directory, name), arr, allow_pickle=False)
    return name


def integer_layers(net):
    """Returns per-layer dicts with integer tensors and float scales, from the fake-quant state."""
    specs = [("conv1", net.conv1, net.q1, True), ("conv2", net.conv2, net.q2, True),
             ("fc1", net.fc1, net.q3, True), ("fc2", net.fc2, None, False)]
    s_in = torch.tensor(net.input_scale)
    wmax = (1 << (net.weight_bits - 1)) - 1
    out = []
    with torch.no_grad():
        for name, layer, q_out, per_channel in specs:
            _, _, w_int, b_int, s_w = net.layer_params(layer, s_in, per_channel)
            w = w_int.numpy().astype(np.int64)
            b = b_int.numpy().astype(np.int64)
            assert np.all(np.abs(w) <= wmax) and np.all((b >= INT32_MIN) & (b <= INT32_MAX))
            entry = {"name": name, "layer": layer, "weight": w, "bias": b,
                     "s_in": float(s_in), "s_w": s_w.double().numpy()}
            if q_out is not None:
                s_out = float(q_out.scale())
                ms = [multiplier_shift(float(s_in) * float(sw) / s_out) for sw in entry["s_w"]]
                entry["multiplier"] = np.array([m for m, _ in ms], dtype=np.int64)
                entry["shift"] = np.array([s for _, s in ms], dtype=np.int64)
                entry["s_out"] = s_out
                s_in = q_out.scale().detach()
            out.append(entry)
    return out


def write_model(net, directory, name, dataset, psum_bits, reference_images, reference_pixels,
                reference_labels, count=20):
    """Writes model.json, the tensors and expected_logits.npy; returns the intref Model."""
    os.makedirs(directory, exist_ok=True)
    layers_json = []
    for e in integer_layers(net):
        layer = e["layer"]
        j = {"name": e["name"]}
        if isinstance(layer, torch.nn.Conv2d):
            j.update({"type": "conv2d", "in_channels": layer.in_channels,
                      "out_channels": layer.out_channels, "kernel": layer.kernel_size[0],
                      "stride": layer.stride[0], "padding": layer.padding[0]})
        else:
            j.update({"type": "linear", "in_features": layer.in_features,
                      "out_features": layer.out_features})
        last = "multiplier" not in e
        j.update({"relu": not last, "output": "logits" if last else "requant"})
        j["weight"] = _save(directory, f"{e['name']}.weight.npy", e["weight"], np.int8)
        j["bias"] = _save(directory, f"{e['name']}.bias.npy", e["bias"], np.int32)
        scales = {"input": e["s_in"], "weight": [float(x) for x in e["s_w"]]}
        if not last:
            j["multiplier"] = _save(directory, f"{e['name']}.multiplier.npy", e["multiplier"], np.int32)
            j["shift"] = _save(directory, f"{e['name']}.shift.npy", e["shift"], np.int32)
            scales["output"] = e["s_out"]
        j["scales"] = scales
        layers_json.append(j)
        if e["name"] == "conv2":
            layers_json.append({"name": "pool", "type": "maxpool2d", "kernel": 3, "stride": 2})
            layers_json.append({"name": "flatten", "type": "flatten"})

    header = {
        "format": "accel-cosim-model",
        "version": 1,
        "name": name,
        "dataset": dataset,
        "act_bits": net.act_bits,
        "weight_bits": net.weight_bits,
        "psum_bits": psum_bits,
        "input": {"channels": 1, "height": 28, "width": 28},
        "layers": layers_json,
        "reference": {"images": reference_images, "labels": reference_labels, "count": count, "logits": "expected_logits.npy"},
        "metrics": {},
    }
    write_json(directory, header)
    model = intref.Model(directory)
    logits = intref.forward(model, reference_pixels[:count])
    _save(directory, "expected_logits.npy", logits, np.int64)
    return model


def write_json(directory, header):
    text = json.dumps(header, indent=2)
    with open(os.path.join(directory, "model.json"), "w") as f:
        f.write(text + "\n")
