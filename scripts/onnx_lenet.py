"""The reference LeNet from ONNX checked by two implementations of the contract that share no
code: models/onnx/lenet_affine.onnx imported (cosim import), then the golden model (golden-infer,
C++) and the exporter's NumPy reference (golden/train/intref.py) on all 2,004 held-out images;
their logits must be identical image for image (docs/onnx.md "LeNet"). Exit 1 otherwise.

    /usr/bin/python3 scripts/onnx_lenet.py [--tamper] BUILD

--tamper gives the NumPy side conv1's input zero point as 0 (the comparison shown able to fail).
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "golden", "train"))
import intref  # noqa: E402
from idx import read_idx  # noqa: E402

IMAGES = os.path.join(ROOT, "data", "mnist", "test-images-idx3-ubyte.gz")
LABELS = os.path.join(ROOT, "data", "mnist", "test-labels-idx1-ubyte.gz")


def main(argv):
    tamper = bool(argv) and argv[0] == "--tamper"
    argv = argv[1:] if tamper else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    build = argv[0]
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "lenet_affine")
        subprocess.run([os.path.join(build, "sim", "cosim"), "import",
                        os.path.join(ROOT, "models", "onnx", "lenet_affine.onnx"), "--out", model], check=True)
        out = subprocess.run([os.path.join(build, "golden", "golden-infer"), "--model", model, "--images", IMAGES,
                              "--labels", LABELS, "--dump-logits", "100000"], check=True, capture_output=True,
                             text=True).stdout
        golden = np.array([[int(v) for v in l.split(": ", 1)[1].split()] for l in out.splitlines()
                           if l.startswith("logits ")])
        labels = read_idx(LABELS)
        if tamper:
            with open(os.path.join(model, "model.json")) as f:
                header = json.load(f)
            header["layers"][0]["input_zero_point"] = 0
            with open(os.path.join(model, "model.json"), "w") as f:
                json.dump(header, f)
        numpy_logits, acc = intref.evaluate(intref.Model(model), read_idx(IMAGES), labels)
    same = int((numpy_logits == golden).all(axis=1).sum()) if numpy_logits.shape == golden.shape else 0
    print(f"lenet_affine: golden (C++) and intref (NumPy) logits identical on {same}/{len(labels)} images; "
          f"accuracy {acc * 100:.2f} %{'' if same == len(labels) else ' MISMATCH'}")
    return 0 if same == len(labels) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
