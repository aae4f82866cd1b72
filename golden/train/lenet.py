"""Trains the reference LeNet (mnist_lenet_affine_quantizer_notebook: conv 1->20 k5, max-pool 2,
conv 20->50 k5, max-pool 2, fc 800->500, fc 500->10) on the 7,996 MNIST training images, quantizes
it after training with an affine quantizer like the notebook's (scale and zero point of each
activation from its calibrated [min, max]), and writes it as a QDQ ONNX model (docs/onnx.md
"LeNet"), which `cosim import` brings in.

    /usr/bin/python3 golden/train/lenet.py --out models/onnx/lenet_affine.onnx

The input is normalised as in the notebook, x = (p / 255 - mean) / std, with the mean rounded to a
whole pixel (33 / 255 = 0.1294 instead of 0.1307): x = (p - 33) / (255 * std) is then exactly the
affine quantization of the raw pixel with scale 1 / (255 * std) and zero point 33, so the model's
input stays the pixel and its first layer reads it with input zero point 33. The hidden activations
come out of a ReLU: their calibrated minimum is 0 and, by the notebook's rule, so is their zero point.
Weights are symmetric int8, one scale per output channel (fc2: one scale, so the raw integer
logits rank the classes as the float ones do); biases int32 in the accumulator's scale.
"""

import argparse
import json
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idx import read_idx  # noqa: E402
from onnx_export import layers_to_onnx  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUT_ZERO = 33      # round(255 * 0.1307): the notebook's mean, as a whole pixel
INPUT_STD = 0.3081   # the notebook's std


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.fc1 = nn.Linear(800, 500)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, pixels, taps=None):
        x = (pixels - INPUT_ZERO) / (255.0 * INPUT_STD)
        a1 = F.relu(self.conv1(x))
        a2 = F.relu(self.conv2(F.max_pool2d(a1, 2)))
        a3 = F.relu(self.fc1(F.max_pool2d(a2, 2).flatten(1)))
        if taps is not None:
            taps.extend([a1, a2, a3])
        return self.fc2(a3)


def calc_scale_zero_point(lo, hi, bits=8):
    """The notebook's calcScaleZeroPoint: an affine map of [lo, hi] onto 0 .. 2^bits - 1."""
    qmax = (1 << bits) - 1
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # the real 0 must be representable
    scale = np.float32((hi - lo) / qmax)
    zero = int(round(min(max(-lo / float(scale), 0), qmax)))
    return scale, zero


def quantize_weights(layer, per_channel):
    w = layer.weight.detach().double().numpy()
    flat = np.abs(w.reshape(w.shape[0], -1))
    m = flat.max(axis=1) if per_channel else np.full(w.shape[0], flat.max())
    s_w = (np.maximum(m, 1e-12) / 127).astype(np.float32)
    shape = (-1,) + (1,) * (w.ndim - 1)
    w_int = np.clip(np.round(w / s_w.astype(np.float64).reshape(shape)), -127, 127).astype(np.int8)
    return w_int, s_w


def export_layers(net, act_ranges):
    """The integer layers with float32 scales and zero points, as layers_to_onnx takes them."""
    s_in, z_in = np.float32(1.0 / (255.0 * INPUT_STD)), INPUT_ZERO
    specs = [("conv1", net.conv1, True), ("conv2", net.conv2, True), ("fc1", net.fc1, True), ("fc2", net.fc2, False)]
    extra = {"conv1": [("pool1", "maxpool2d")], "conv2": [("pool2", "maxpool2d"), ("flatten", "flatten")]}
    layers = []
    for i, (name, layer, per_channel) in enumerate(specs):
        w_int, s_w = quantize_weights(layer, per_channel)
        acc = np.float64(s_in) * s_w.astype(np.float64)
        b_int = np.round(layer.bias.detach().double().numpy() / acc).astype(np.int64)
        assert np.all(np.abs(b_int) < 2**31)
        e = {"name": name, "type": "conv2d" if name.startswith("conv") else "linear", "w": w_int, "b": b_int,
             "s_in": s_in, "s_w": s_w, "z_in": z_in, "relu": name != "fc2", "kernel": 5, "padding": 0, "stride": 1,
             "s_out": None, "z_out": 0}
        if i < 3:
            e["s_out"], e["z_out"] = calc_scale_zero_point(*act_ranges[i])
            s_in, z_in = e["s_out"], e["z_out"]
        layers.append(e)
        for n, t in extra.get(name, []):
            layers.append({"name": n, "type": t, "kernel": 2, "stride": 2})
    return layers


def fit(net, x, y, epochs, tag, lr=2e-3, batch=64):
    """Float training: Adam with a one-cycle cosine schedule, cross-entropy; leaves net in eval mode."""
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps = epochs * ((len(x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15,
                                                anneal_strategy="cos", cycle_momentum=False)
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"[{tag}] epoch {epoch + 1}/{epochs} loss {float(loss):.4f}", flush=True)
    net.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(REPO, "models", "onnx", "lenet_affine.onnx"))
    ap.add_argument("--data", default=os.path.join(REPO, "data", "mnist"))
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    load = lambda s: (torch.tensor(read_idx(os.path.join(args.data, f"{s}-images-idx3-ubyte.gz")), dtype=torch.float32)
                      .unsqueeze(1), torch.tensor(read_idx(os.path.join(args.data, f"{s}-labels-idx1-ubyte.gz")),
                                                  dtype=torch.long))
    (x, y), (xt, yt) = load("train"), load("test")
    net = LeNet()
    fit(net, x, y, args.epochs, "lenet")
    with torch.no_grad():
        taps = []
        net(x, taps)  # calibration: each activation's range over the training set
        ranges = [(float(t.min()), float(t.max())) for t in taps]
        float_acc = float((net(xt).argmax(1) == yt).float().mean())
    layers = export_layers(net, ranges)
    model = layers_to_onnx("lenet_affine", [1, 28, 28], 8, 8, layers)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    import onnx
    onnx.save(model, args.out)
    meta = {"float_accuracy": float_acc, "test_images": len(yt), "input_zero_point": INPUT_ZERO,
            "zero_points": {l["name"]: [l["z_in"], l["z_out"]] for l in layers if "w" in l}}
    print(f"[lenet] float accuracy {float_acc * 100:.2f} % on {len(yt)} held-out images; wrote {args.out}")
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
