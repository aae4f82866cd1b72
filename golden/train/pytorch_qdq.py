"""A small CNN quantized by PyTorch itself (eager-mode post-training static quantization, fbgemm)
and exported by torch.onnx.export: the QDQ form PyTorch writes (QuantizeLinear, Cast,
DequantizeLinear, ConstantOfShape zero points), kept as test data of the importer
(tests/data/onnx/pytorch_qdq.onnx, docs/onnx.md). One training epoch on the MNIST training split (lenet.fit),
calibration on 512 of its images.

    /usr/bin/python3 golden/train/pytorch_qdq.py --out tests/data/onnx/pytorch_qdq.onnx
"""

import argparse
import os
import sys

import torch
import torch.nn as nn
from torch.ao.quantization import (MinMaxObserver, PerChannelMinMaxObserver, QConfig, QuantStub, DeQuantStub,
                                   convert, fuse_modules, prepare)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idx import read_idx  # noqa: E402
from lenet import fit  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = QuantStub(), DeQuantStub()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):  # x: pixels / 255
        x = self.pool(self.relu(self.conv(self.quant(x))))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "data", "onnx", "pytorch_qdq.onnx"))
    ap.add_argument("--data", default=os.path.join(REPO, "data", "mnist"))
    args = ap.parse_args(argv)
    torch.manual_seed(1)
    torch.set_num_threads(2)
    x = torch.tensor(read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz")), dtype=torch.float32)
    x = x.unsqueeze(1) / 255
    y = torch.tensor(read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")), dtype=torch.long)
    net = Small()
    fit(net, x, y, 1, "pytorch_qdq")
    # Full 8-bit activations (no reduce_range), symmetric weights: per channel in the conv, per
    # tensor in the logits layer (the importer's rule for the raw logits).
    act = MinMaxObserver.with_args(dtype=torch.quint8, quant_min=0, quant_max=255)
    net.qconfig = QConfig(activation=act, weight=PerChannelMinMaxObserver.with_args(
        dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    net.fc.qconfig = QConfig(activation=act, weight=MinMaxObserver.with_args(dtype=torch.qint8,
                                                                            qscheme=torch.per_tensor_symmetric))
    fuse_modules(net, [["conv", "relu"]], inplace=True)
    prepare(net, inplace=True)
    with torch.no_grad():
        net(x[:512])
    convert(net, inplace=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.onnx.export(net, x[:1], args.out, opset_version=13, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}})
    print(f"pytorch_qdq: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
