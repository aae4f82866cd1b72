"""The MNIST CNN in PyTorch, float or with fake quantization that follows docs/quantization.md.

Fake quantization simulates the integer network in float:
  input    a = floor(p / 2^(8-A)), value a * s_in, s_in = 2^(8-A) / 255
  weights  per output channel, symmetric, w_int in [-(2^(W-1)-1), 2^(W-1)-1]
           (the last layer uses one scale for all outputs, so its raw integer
           logits are all in the same unit and their argmax is the float argmax)
  bias     int32 in the accumulator scale s_in * s_w[o]
  outputs  unsigned A-bit, zero point 0, scale = calibrated range / (2^A - 1);
           the clamp at 0 is the ReLU
The weight clip and the activation range are the maximum (clip="max", the
default) or, with clip="mse", the value that minimizes the squared quantization
error (mse_clip): with 2 bits the maximum leaves most weights at 0 and most
activations in the lowest level. Either way the integers obey the same contract.
Rounding is half-up (floor(x + 0.5)) like the contract's requantization.
Gradients pass straight through round() (STE) and stop outside the clamp range.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
CLIPS = ("max", "mse")
CLIP_FRACTIONS = torch.arange(1, 101, dtype=torch.float32) / 100  # mse_clip's candidates, of the max
ACT_SAMPLES = 16384  # activations per batch that mse_clip sees during calibration


def round_half_up(x):
    return torch.floor(x + 0.5)


def ste_quant(x, lo, hi):
    """clamp(round_half_up(x), lo, hi) forward; identity gradient inside [lo, hi], zero outside."""
    xc = torch.clamp(x, lo, hi)
    return xc + (torch.clamp(round_half_up(xc), lo, hi) - xc).detach()


def mse_clip(x, lo, hi):
    """Per row of x [R, N]: the clip c = f * max|x| (f in CLIP_FRACTIONS) that minimizes
    sum (x - clamp(round_half_up(x / s), lo, hi) * s)^2 with s = c / hi; the smallest f on ties."""
    amax = x.abs().amax(1).clamp_min(1e-8)
    best_c, best_e = None, None
    for f in CLIP_FRACTIONS:
        c = amax * f
        s = (c / hi)[:, None]
        e = ((x - torch.clamp(round_half_up(x / s), lo, hi) * s) ** 2).sum(1)
        if best_e is None:
            best_c, best_e = c, e
        else:
            better = e < best_e
            best_c, best_e = torch.where(better, c, best_c), torch.where(better, e, best_e)
    return best_c


class ActQuant(nn.Module):
    """Unsigned A-bit activation quantizer with an EMA range, frozen after calibration.

    The EMA follows the batch maximum (clip="max") or the squared-error-optimal clip of
    ACT_SAMPLES activations of the batch (clip="mse"), drawn with the quantizer's own
    fixed-seed generator so the training RNG streams are the same for both.
    """

    def __init__(self, bits, momentum=0.95, clip="max"):
        super().__init__()
        assert clip in CLIPS
        self.qmax = (1 << bits) - 1
        self.momentum = momentum
        self.clip = clip
        self.sampler = torch.Generator().manual_seed(0) if clip == "mse" else None
        self.calibrating = True
        self.register_buffer("range", torch.zeros(()))
        self.register_buffer("seen", torch.zeros((), dtype=torch.long))

    def scale(self):
        return self.range.clamp_min(1e-8) / self.qmax

    def forward(self, y):
        if self.training and self.calibrating:
            if self.clip == "mse":
                flat = y.detach().flatten()
                pick = torch.randint(flat.numel(), (ACT_SAMPLES,), generator=self.sampler)
                m = mse_clip(flat[pick].clamp_min(0)[None], 0, self.qmax)[0]
            else:
                m = y.detach().max().clamp_min(0)
            if self.seen == 0:
                self.range.copy_(m)
            else:
                self.range.mul_(self.momentum).add_((1 - self.momentum) * m)
            self.seen += 1
        s = self.scale()
        return ste_quant(y / s, 0, self.qmax) * s


class Net(nn.Module):
    """conv1 1->32 k5 s1 p2, ReLU, conv2 32->32 k3 s2 p1, ReLU, maxpool k3 s2, fc1 1152->128, ReLU, fc2 128->10."""

    def __init__(self, act_bits=8, weight_bits=8, quant=False, dropout=0.0, clip="max"):
        super().__init__()
        assert clip in CLIPS
        self.act_bits, self.weight_bits, self.quant, self.clip = act_bits, weight_bits, quant, clip
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5, stride=1, padding=2)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, stride=2, padding=1)
        self.fc1 = nn.Linear(1152, 128)
        self.fc2 = nn.Linear(128, 10)
        self.dropout = dropout
        self.q1, self.q2, self.q3 = (ActQuant(act_bits, clip=clip) for _ in range(3))

    @property
    def input_scale(self):
        return float(1 << (8 - self.act_bits)) / 255.0

    def input_codes(self, pixels):
        """Raw pixel values (float tensor of integers 0..255) -> a = p >> (8 - A)."""
        return torch.floor(pixels / float(1 << (8 - self.act_bits)))

    # ---- quantized parameters, shared by the fake-quant forward and the exporter ----

    def weight_scale(self, layer, per_channel=True):
        w = layer.weight.detach()
        qmax = (1 << (self.weight_bits - 1)) - 1
        rows = w.flatten(1) if per_channel else w.reshape(1, -1)
        if self.clip == "mse":
            amax = mse_clip(rows, -qmax, qmax)
        else:
            amax = rows.abs().amax(1)
        return amax.clamp_min(1e-8).expand(w.shape[0]) / qmax

    def quant_weight(self, layer, per_channel=True):
        """Returns (w_int as float tensor with STE gradient w.r.t. layer.weight, s_w [O])."""
        s_w = self.weight_scale(layer, per_channel)
        qmax = (1 << (self.weight_bits - 1)) - 1
        shape = (-1,) + (1,) * (layer.weight.dim() - 1)
        return ste_quant(layer.weight / s_w.view(shape), -qmax, qmax), s_w

    @staticmethod
    def quant_bias(layer, s_acc):
        return ste_quant(layer.bias / s_acc, INT32_MIN, INT32_MAX)

    def layer_params(self, layer, s_in, per_channel=True):
        """Fake-quantized (weight, bias) in float units plus the integer-side values."""
        w_int, s_w = self.quant_weight(layer, per_channel)
        s_acc = s_in * s_w
        b_int = self.quant_bias(layer, s_acc)
        shape = (-1,) + (1,) * (layer.weight.dim() - 1)
        return w_int * s_w.view(shape), b_int * s_acc, w_int, b_int, s_w

    # ---- forward ----

    def forward(self, pixels):
        x = self.input_codes(pixels) * self.input_scale
        drop = lambda t: F.dropout(t, self.dropout, self.training) if self.dropout else t
        if not self.quant:
            x = F.relu(self.conv1(x))
            x = F.max_pool2d(F.relu(self.conv2(x)), 3, 2)
            x = drop(torch.flatten(x, 1))
            x = drop(F.relu(self.fc1(x)))
            return self.fc2(x)
        s = torch.tensor(self.input_scale)
        w, b, *_ = self.layer_params(self.conv1, s)
        x = self.q1(F.conv2d(x, w, b, stride=1, padding=2))
        w, b, *_ = self.layer_params(self.conv2, self.q1.scale().detach())
        x = self.q2(F.conv2d(x, w, b, stride=2, padding=1))
        x = drop(torch.flatten(F.max_pool2d(x, 3, 2), 1))
        w, b, *_ = self.layer_params(self.fc1, self.q2.scale().detach())
        x = drop(self.q3(F.linear(x, w, b)))
        w, b, *_ = self.layer_params(self.fc2, self.q3.scale().detach(), per_channel=False)
        return F.linear(x, w, b)

    def set_calibrating(self, on):
        for q in (self.q1, self.q2, self.q3):
            q.calibrating = on
