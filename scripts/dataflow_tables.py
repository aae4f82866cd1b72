#!/usr/bin/env python3
"""make dataflow: weight- against output-stationary, layer by layer, on the RTL.

For every network and configuration below, `cosim mnist` runs the network three times on the RTL
device, with --dataflow ws, os and auto (every psum and output checked against golden), and this
script tabulates per array layer: the measured cycles and utilization of each dataflow, what auto
chose, and the tiler's estimate against the measurement. Networks without a data set (VGG16, the
CIFAR-10 CNN) are written first by `cosim random-network` with seeded random values and run on
seeded random inputs. Writes docs/dataflow.md (the tables and how they were made) and prints it.

  scripts/dataflow_tables.py BUILD_DIR [--out docs/dataflow.md] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (title, model source, configurations, images). A model source is a directory of the repository
# or ("random", network name, configuration whose widths it takes).
RUNS = [
    ("MNIST CNN (models/mnist_int8, held-out digits)", "models/mnist_int8", ["int8", "int8_16x16"], 20),
    ("VGG16, CIFAR-10 shapes, 4-bit (vgg16_4bit_8x8_array_tiling)", ("random", "vgg16-cifar", "int4"),
     ["int4", "int4_16x16"], 2),
    ("CIFAR-10 CNN (cifar10_manual_quantization), 8-bit", ("random", "cifar10-cnn", "int8"),
     ["int8", "int8_16x16"], 20),
]
QUICK_IMAGES = 2


def run(cmd, log):
    with open(log, "w") as f:
        r = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        with open(log) as f:
            tail = f.read().splitlines()[-15:]
        sys.exit("error: " + " ".join(cmd) + " failed (exit %d):\n  " % r.returncode + "\n  ".join(tail))


def model_dir(src, build, work):
    if isinstance(src, str):
        return src, ["--images", "data/mnist/test-images-idx3-ubyte.gz", "--labels",
                     "data/mnist/test-labels-idx1-ubyte.gz"]
    _, network, cfg = src
    out = os.path.join(work, f"{network}_{cfg}")
    if not os.path.isdir(out):
        run([os.path.join(build, "sim", "cosim"), "random-network", "--network", network, "--config", cfg,
             "--seed", "1", "--out", out], os.path.join(work, f"{network}.log"))
    return out, ["--random-images", "", "--seed", "7"]


def layer_runs(build, work, model, inputs, cfg, images, dataflow):
    js = os.path.join(work, f"{os.path.basename(model)}-{cfg}-{dataflow}.json")
    args = list(inputs)
    if "--random-images" in args:
        args[args.index("--random-images") + 1] = str(images)
    else:
        args += ["--limit", str(images)]
    t0 = time.time()
    run([os.path.join(build, "sim", "cosim"), "mnist", "--model", model, *args, "--config", cfg, "--device", "rtl",
         "--dataflow", dataflow, "--batch", str(images), "--json", js], js + ".log")
    with open(js) as f:
        rep = json.load(f)
    if not rep["passed"]:
        sys.exit(f"error: {model} on {cfg} with --dataflow {dataflow} did not pass (see {js}.log)")
    return rep, time.time() - t0


def estimate_of(layer):
    for e in layer["estimates"]:
        if e["dataflow"] == layer["dataflow"] and e["strategy"] == layer["strategy"]:
            return e["cycles"]
    return None


def table(title, cfg, reps, images):
    ws, os_, auto = (reps[d][0] for d in ("ws", "os", "auto"))
    lines = [f"#### {title}: {cfg}, {images} image{'s' if images > 1 else ''}", "",
             "| layer | WS cycles | WS util | OS cycles | OS util | auto | auto cycles | estimate | error |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|"]
    worst = 0.0
    tot = {"ws": 0, "os": 0, "auto": 0}
    for lw, lo, la in zip(ws["layers"], os_["layers"], auto["layers"]):
        if lw["device"] == "host":
            continue
        est = estimate_of(la)
        err = (est - la["cycles"]) / la["cycles"] * 100 if est and la["cycles"] else 0.0
        for r in (lw, lo):
            e = estimate_of(r)
            if e and r["cycles"]:
                worst = max(worst, abs(e - r["cycles"]) / r["cycles"] * 100)
        tot["ws"] += lw["cycles"]
        tot["os"] += lo["cycles"]
        tot["auto"] += la["cycles"]
        lines.append(f"| {lw['name']} | {lw['cycles']:,} | {100 * lw['utilization']:.1f} % | {lo['cycles']:,} | "
                     f"{100 * lo['utilization']:.1f} % | {la['dataflow']} {la['strategy']} | {la['cycles']:,} | "
                     f"{est:,} | {err:+.1f} % |")
    lines.append(f"| **network** | **{tot['ws']:,}** | | **{tot['os']:,}** | | | **{tot['auto']:,}** | | |")
    agree = all(r[0]["agreement"]["identical"] == r[0]["agreement"]["total"] for r in reps.values())
    mism = sum(r[0]["mismatches"] for r in reps.values())
    lines += ["", f"Every run: {'all logits bit-identical to golden' if agree else 'LOGITS DIFFER'}, "
              f"{mism} mismatching psums/outputs; wall time ws {reps['ws'][1]:.0f} s, os {reps['os'][1]:.0f} s, "
              f"auto {reps['auto'][1]:.0f} s.", ""]
    return lines, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "dataflow.md"))
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_IMAGES} images per run, print only")
    a = ap.parse_args()
    body, worst = [], 0.0
    with tempfile.TemporaryDirectory() as work:
        for title, src, cfgs, images in RUNS:
            n = QUICK_IMAGES if a.quick else images
            model, inputs = model_dir(src, a.build, work)
            for cfg in cfgs:
                print(f"dataflow: {title} on {cfg} ...", file=sys.stderr, flush=True)
                reps = {d: layer_runs(a.build, work, model, inputs, cfg, n, d) for d in ("ws", "os", "auto")}
                lines, w = table(title, cfg, reps, n)
                body += lines
                worst = max(worst, w)
    head = ["# Weight- against output-stationary, layer by layer", "",
            "Made by `make dataflow` (scripts/dataflow_tables.py): each network runs on the RTL of each",
            "configuration three times, `cosim mnist --device rtl --dataflow ws|os|auto`, every psum row and",
            "output checked against golden. *util* = MACs / (Rows x Cols x cycles). *auto* is the tiler's",
            "choice (lowest one-image estimate, docs/tiler.md \"Estimates\"); *estimate* is its estimate for",
            "the run's batch and *error* = (estimate - measured) / measured. VGG16 and the CIFAR-10 CNN have",
            "no data set here: `cosim random-network` writes them with seeded random values (seed 1) and",
            "they run on seeded random inputs (`--random-images`, seed 7), so there is no accuracy, but every",
            "value is still checked.", "",
            f"Largest estimate error over every layer and dataflow measured: {worst:.1f} %.", ""]
    text = "\n".join(head + body)
    print(text)
    if not a.quick:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
