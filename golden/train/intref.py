"""The exporter's own integer reference: docs/quantization.md in int64 NumPy.

It reads a model directory (docs/model-format.md) and nothing from PyTorch, so
what it checks is the exported files themselves. Independent of the C++ golden
model in golden/src: the two are compared through expected_logits.npy.

    /usr/bin/python3 golden/train/intref.py models/mnist_int8 \
        data/mnist/test-images-idx3-ubyte.gz data/mnist/test-labels-idx1-ubyte.gz
"""

import json
import os
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_TENSOR_DTYPES = {"weight": np.int8, "bias": np.int32, "multiplier": np.int32, "shift": np.int32}


class Model:
    """A loaded model directory: the JSON header plus its tensors as int64 arrays."""

    def __init__(self, directory):
        self.directory = directory
        with open(os.path.join(directory, "model.json")) as f:
            self.header = json.load(f)
        h = self.header
        self.act_bits, self.weight_bits, self.psum_bits = h["act_bits"], h["weight_bits"], h["psum_bits"]
        self.layers = []
        for layer in h["layers"]:
            layer = dict(layer)
            for key, dtype in _TENSOR_DTYPES.items():
                if key in layer:
                    arr = np.load(os.path.join(directory, layer[key]))
                    if arr.dtype != np.dtype(dtype).newbyteorder("<"):
                        raise ValueError(f"{layer[key]}: dtype {arr.dtype}, expected {np.dtype(dtype)}")
                    layer[key] = arr.astype(np.int64)
            self.layers.append(layer)


def wrap(x, bits):
    """Two's complement wrap of exact int64 values to `bits` (rule 1 of the contract)."""
    half = np.int64(1) << (bits - 1)
    return ((x + half) & ((half << 1) - 1)) - half


def requantize(y, multiplier, shift, act_bits, zero_point=0):
    """clamp(floor((y*M + R) / 2^S) + z, 0, 2^A - 1), R = 2^(S-1) if S > 0 else 0, z the output
    zero point (rule 3).

    y is int64 with channels on the last axis. y*M is exact in int64 (|y| <= 2^32,
    M < 2^31); adding R could overflow, so use the identity
    floor((X + 2^(S-1)) / 2^S) = floor((floor(X / 2^(S-1)) + 1) / 2) for S >= 1,
    with >> as NumPy's arithmetic (floor) shift.
    """
    assert np.all(np.abs(y) <= (1 << 32)), "y outside the contract's 33-bit range"
    assert np.all((multiplier >= 1) & (multiplier < (1 << 31))) and np.all((shift >= 0) & (shift <= 62))
    x = y * multiplier
    half_shifted = x >> np.maximum(shift - 1, 0)
    q = np.where(shift > 0, (half_shifted + 1) >> 1, x)
    return np.clip(q + zero_point, 0, (1 << act_bits) - 1)


def requantize_exact(y, m, s, act_bits):
    """The same rule on Python ints (unbounded), to check requantize() against."""
    r = (1 << (s - 1)) if s > 0 else 0
    return min(max((y * m + r) >> s, 0), (1 << act_bits) - 1)


def conv2d(a, w, stride, padding):
    """a [N, C, H, W] int64, w [O, C, k, k] int64 -> exact sums [N, H', W', O] (im2col)."""
    n, c, _, _ = a.shape
    o, _, k, _ = w.shape
    ap = np.pad(a, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(ap, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]  # N C H' W' k k
    ho, wo = win.shape[2], win.shape[3]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * k * k)
    return (cols @ w.reshape(o, c * k * k).T).reshape(n, ho, wo, o)


def maxpool2d(a, kernel, stride):
    """a [N, C, H, W] -> [N, C, H', W'], no padding, floor mode."""
    win = sliding_window_view(a, (kernel, kernel), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.max(axis=(4, 5))


def forward(model, pixels):
    """pixels uint8 [N, H, W] (or [N, C, H, W]) -> int64 logits [N, classes]."""
    x = pixels.astype(np.int64)
    if x.ndim == 3:
        x = x[:, None]
    x = x >> (8 - model.act_bits)  # the input rule: a = p >> (8 - A)
    for layer in model.layers:
        t = layer["type"]
        # Rule 1 with the input zero point z: sum of (a - z) * w; padding is the real 0, a = z.
        z = layer.get("input_zero_point", 0)
        if t == "conv2d":
            acc = conv2d(x - z, layer["weight"], layer["stride"], layer["padding"])  # N H W O
        elif t == "linear":
            acc = (x - z) @ layer["weight"].T  # N O
        elif t == "maxpool2d":
            x = maxpool2d(x, layer["kernel"], layer["stride"])
            continue
        elif t == "flatten":
            x = x.reshape(x.shape[0], -1)  # C-order = PyTorch's c*H*W + y*W + x
            continue
        else:
            raise ValueError(f"unknown layer type {t}")
        y = wrap(acc, model.psum_bits) + layer["bias"]  # bias add exact, not wrapped
        if layer["relu"]:
            y = np.maximum(y, 0)
        if layer["output"] == "logits":
            x = y
        else:
            x = requantize(y, layer["multiplier"], layer["shift"], model.act_bits, layer.get("output_zero_point", 0))
        if t == "conv2d":
            x = x.transpose(0, 3, 1, 2)  # back to N C H W
    return x


def predict(logits):
    """Argmax; np.argmax returns the lowest index on ties, as the contract requires."""
    return np.argmax(logits, axis=1)


def evaluate(model, images, labels, batch=250):
    """Returns (logits of all images, accuracy)."""
    out = [forward(model, images[i:i + batch]) for i in range(0, len(images), batch)]
    logits = np.concatenate(out)
    return logits, float(np.mean(predict(logits) == labels))


def self_test(seed=1):
    """Checks wrap() and requantize() against Python ints, edge cases included."""
    rng = np.random.default_rng(seed)
    ys = [0, 1, -1, (1 << 32), -(1 << 32), (1 << 32) - 2, 12345, -54321]
    ys += rng.integers(-(1 << 32), (1 << 32) + 1, 200).tolist()
    ms = [1, (1 << 31) - 1, 1 << 30] + rng.integers(1, 1 << 31, 20).tolist()
    ss = [0, 1, 2, 31, 32, 61, 62] + rng.integers(0, 63, 10).tolist()
    for bits in (4, 8):
        y = np.array(ys, dtype=np.int64)[:, None, None]
        m = np.array(ms, dtype=np.int64)[None, :, None]
        s = np.array(ss, dtype=np.int64)[None, None, :]
        got = requantize(y, m, s, bits)
        for i, yv in enumerate(ys):
            for j, mv in enumerate(ms):
                for k, sv in enumerate(ss):
                    assert got[i, j, k] == requantize_exact(yv, mv, sv, bits), (yv, mv, sv)
    # Half rounds up, towards +infinity: 3/2 -> 2, -3/2 -> -1 (then clamped).
    assert requantize(np.array([3]), np.array([1]), np.array([1]), 8)[0] == 2
    assert requantize(np.array([5]), np.array([1]), np.array([2]), 8)[0] == 1  # 1.25 -> 1
    assert requantize(np.array([6]), np.array([1]), np.array([2]), 8)[0] == 2  # 1.5 -> 2
    assert requantize(np.array([10 ** 6]), np.array([1]), np.array([0]), 8)[0] == 255
    v = np.array([0, (1 << 15), (1 << 16) - 1, (1 << 16), -(1 << 15) - 1, 3 << 31], dtype=np.int64)
    assert wrap(v, 16).tolist() == [0, -(1 << 15), -1, 0, (1 << 15) - 1, 0]
    assert wrap(v, 32).tolist() == [0, 1 << 15, (1 << 16) - 1, 1 << 16, -(1 << 15) - 1, -(1 << 31)]
    # Convolution against a direct loop.
    a = rng.integers(0, 256, (2, 3, 7, 6)).astype(np.int64)
    w = rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int64)
    got = conv2d(a, w, 2, 1)
    ap = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for n in range(2):
        for oy in range(got.shape[1]):
            for ox in range(got.shape[2]):
                for o in range(4):
                    ref = int(np.sum(ap[n, :, 2 * oy:2 * oy + 3, 2 * ox:2 * ox + 3] * w[o]))
                    assert got[n, oy, ox, o] == ref
    assert got.shape == (2, 4, 3, 4)


def main(argv):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from idx import read_idx
    self_test()
    model = Model(argv[1])
    images, labels = read_idx(argv[2]), read_idx(argv[3])
    limit = int(argv[4]) if len(argv) > 4 else len(images)
    logits, acc = evaluate(model, images[:limit], labels[:limit])
    print(f"{argv[1]}: integer accuracy {acc * 100:.2f} % on {limit} images")
    ref = model.header.get("reference", {})
    exp_path = os.path.join(argv[1], ref.get("logits", "expected_logits.npy"))
    if os.path.exists(exp_path):
        exp = np.load(exp_path)
        same = np.array_equal(exp, forward(model, images[:len(exp)]))
        print(f"expected_logits.npy ({len(exp)} images): {'match' if same else 'MISMATCH'}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
