"""The ONNX round trip of the committed models (docs/onnx.md): each model directory exported to
ONNX (golden/train/onnx_export.py), imported again (cosim import), the two directories compared
field by field and tensor by tensor, and the golden model's logits of both on every image of the
model's data set compared line by line. Exit 1 on any difference.

    /usr/bin/python3 scripts/onnx_roundtrip.py [--tamper] BUILD [MODEL_DIR ...]   (default: every models/*/model.json)

--tamper changes one weight of each imported copy before comparing: the run must then fail.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ("name", "type", "in_channels", "out_channels", "kernel", "stride", "padding", "in_features",
          "out_features", "relu", "output", "input_zero_point", "output_zero_point")


def differences(a, b):
    """What differs between model directories a and b (empty: the same integer model)."""
    ja, jb = (json.load(open(os.path.join(d, "model.json"))) for d in (a, b))
    bad = [f"{k}: {ja.get(k)} vs {jb.get(k)}" for k in ("act_bits", "weight_bits", "psum_bits", "input")
           if ja.get(k) != jb.get(k)]
    if len(ja["layers"]) != len(jb["layers"]):
        return bad + [f"{len(ja['layers'])} layers vs {len(jb['layers'])}"]
    for la, lb in zip(ja["layers"], jb["layers"]):
        bad += [f"{la['name']}.{k}: {la.get(k, 0)} vs {lb.get(k, 0)}" for k in FIELDS if la.get(k, 0) != lb.get(k, 0)]
        for t in ("weight", "bias", "multiplier", "shift"):
            if (t in la) != (t in lb):
                bad.append(f"{la['name']}.{t}: present in one only")
            elif t in la:
                x, y = (np.load(os.path.join(d, l[t])).astype(np.int64) for d, l in ((a, la), (b, lb)))
                if x.shape != y.shape or not np.array_equal(x, y):
                    bad.append(f"{la['name']}.{t}: {int(np.sum(x != y)) if x.shape == y.shape else 'shape'} values differ")
    return bad


def logits(build, model, images, labels):
    out = subprocess.run([os.path.join(build, "golden", "golden-infer"), "--model", model, "--images", images,
                          "--labels", labels, "--dump-logits", "100000"], check=True, capture_output=True, text=True)
    return [l for l in out.stdout.splitlines() if l.startswith("logits ")]


def round_trip(build, model, tmp, tamper=False):
    name = os.path.basename(os.path.normpath(model))
    onnx_file, back = os.path.join(tmp, name + ".onnx"), os.path.join(tmp, name)
    subprocess.run([sys.executable, os.path.join(ROOT, "golden", "train", "onnx_export.py"), model, onnx_file],
                   check=True, capture_output=True)
    subprocess.run([os.path.join(build, "sim", "cosim"), "import", onnx_file, "--out", back,
                    "--dataset", json.load(open(os.path.join(model, "model.json")))["dataset"]],
                   check=True, capture_output=True)
    if tamper:  # the check shown able to fail: one weight of the imported copy changed by one
        with open(os.path.join(back, "model.json")) as f:
            first = json.load(f)["layers"][0]["weight"]
        w = np.load(os.path.join(back, first))
        w.flat[0] = w.flat[0] + 1 if w.flat[0] < 0 else w.flat[0] - 1
        np.save(os.path.join(back, first), w)
    bad = differences(model, back)
    ref = json.load(open(os.path.join(model, "model.json")))["reference"]
    images, labels = (p if os.path.isabs(p) else os.path.join(ROOT, p) for p in (ref["images"], ref["labels"]))
    la, lb = logits(build, model, images, labels), logits(build, back, images, labels)
    same = sum(x == y for x, y in zip(la, lb)) if len(la) == len(lb) else 0
    return name, bad, same, len(la)


def main(argv):
    if len(argv) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    tamper = argv[0] == "--tamper"
    argv = argv[1:] if tamper else argv
    build = argv[0]
    top = os.path.join(ROOT, "models")
    models = argv[1:] or sorted(os.path.join(top, d) for d in os.listdir(top)
                                if os.path.isfile(os.path.join(top, d, "model.json")))  # not models/onnx/
    print("| model | integer model after export + import | golden logits bit-identical |\n|---|---|---|")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for m in models:
            name, bad, same, n = round_trip(build, m, tmp, tamper)
            ok = ok and not bad and same == n and n > 0
            print(f"| {name} | {'identical' if not bad else '; '.join(bad)} | {same}/{n} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
