#!/usr/bin/python3
"""make sweep: the precision sweep (docs/sweep.md).

Every MNIST model of models/ (one per activation/weight width pair) runs all its held-out
images through the RTL configuration of its widths with `cosim mnist`, every psum and output
checked. The table (CSV, JSON) holds golden (float and integer) accuracy, RTL agreement, weight
and activation memory, cycles and energy per image; three PNG plots (matplotlib) show accuracy
against memory, cycles and energy.

The SIMD mode (docs/isa.md "SIMD mode"): every model whose activations are half as wide as those
of a configuration of the build tagged simd (same weight and psum widths) runs once more, on that
core with --simd; simd.md compares its cycles per layer with the model's own build (the mode off),
and the cycles and energy plots show both.

  scripts/sweep.py [--build build] [--out results/sweep] [--limit N] [--pairs 2/4,8/8] [--reuse]
"""
import argparse
import csv
import json
import math
import os
import struct
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTHS = (2, 4, 8)


def fail(msg):
    print(f"error: sweep: {msg}", file=sys.stderr)
    sys.exit(2)


def npy_elements(path):
    """Element count of a .npy file, from its header (no NumPy needed)."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            fail(f"{path}: not a .npy file")
        major = f.read(2)[0]
        n = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        header = f.read(n).decode("latin1")
    shape = header[header.index("(") + 1:header.index(")")]
    dims = [int(x) for x in shape.replace(" ", "").split(",") if x]
    return math.prod(dims)


def find_models(models_dir):
    """(act_bits, weight_bits) -> model directory, for the MNIST models of the project's CNN."""
    found = {}
    for name in sorted(os.listdir(models_dir)):
        path = os.path.join(models_dir, name, "model.json")
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            m = json.load(f)
        if m.get("dataset") != "mnist":
            continue
        key = (m["act_bits"], m["weight_bits"])
        if key in found:
            fail(f"two MNIST models for {key[0]}/{key[1]} bits: {found[key]} and models/{name}")
        found[key] = os.path.relpath(os.path.join(models_dir, name), REPO)
    return found


def memory(model_dir):
    """Weight bytes at the model's weight width (biases apart, 32-bit each) and the activation
    buffer: the largest input plus output of one layer at the activation width."""
    with open(os.path.join(REPO, model_dir, "model.json")) as f:
        m = json.load(f)
    a, w = m["act_bits"], m["weight_bits"]
    weights = biases = 0
    shape = [m["input"]["channels"], m["input"]["height"], m["input"]["width"]]
    peak = 0
    for layer in m["layers"]:
        n_in = math.prod(shape)
        t = layer["type"]
        if t == "conv2d":
            k, s, p = layer["kernel"], layer.get("stride", 1), layer.get("padding", 0)
            h = (shape[1] + 2 * p - k) // s + 1
            shape = [layer["out_channels"], h, (shape[2] + 2 * p - k) // s + 1]
        elif t == "linear":
            shape = [layer["out_features"]]
        elif t == "maxpool2d":
            k, s = layer["kernel"], layer.get("stride", layer["kernel"])
            shape = [shape[0], (shape[1] - k) // s + 1, (shape[2] - k) // s + 1]
        elif t == "flatten":
            shape = [math.prod(shape)]
        if "weight" in layer:
            weights += npy_elements(os.path.join(REPO, model_dir, layer["weight"]))
            biases += npy_elements(os.path.join(REPO, model_dir, layer["bias"]))
        peak = max(peak, n_in + math.prod(shape))
    return math.ceil(weights * w / 8), biases * 4, math.ceil(peak * a / 8), m.get("metrics", {})


def psum_bits_needed(model_dir):
    """The accumulator width no input can overflow: per array layer the bound
    K * (2^A - 1) * max|w| + max|bias| (K the reduction length), as a signed width; the largest."""
    import numpy as np
    with open(os.path.join(REPO, model_dir, "model.json")) as f:
        m = json.load(f)
    a = m["act_bits"]
    need = 0
    for layer in m["layers"]:
        if "weight" not in layer:
            continue
        w = np.load(os.path.join(REPO, model_dir, layer["weight"])).astype(np.int64)
        b = np.load(os.path.join(REPO, model_dir, layer["bias"])).astype(np.int64)
        k = int(np.prod(w.shape[1:]))
        bound = k * (2 ** a - 1) * int(np.abs(w).max()) + int(np.abs(b).max())
        need = max(need, bound.bit_length() + 1)
    return need


def progress(done, total, images_done, images_total, t0):
    """done/total models, images/s and ETA, on a terminal only (quiet in CI logs)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return
    el = time.monotonic() - t0
    rate = images_done / el if el > 0 else 0
    eta = (images_total - images_done) / rate if rate > 0 else 0
    print(f"sweep: {done}/{total} models, {images_done}/{images_total} images, {rate:.0f} images/s, "
          f"ETA {eta:.0f} s", file=sys.stderr)


def simd_config(build, a, w, p, rows, cols):
    """The first configuration of the build with the SIMD mode for A/W/P models on a rows x cols
    array (the shape the model ran on without it, so the cycles compare), or None."""
    with open(os.path.join(build, "configs.list")) as f:
        for line in f:
            name, *kv = line.split()
            c = dict(x.split("=") for x in kv)
            if (c.get("Simd") == "1" and int(c["ActBits"]) == 2 * a and int(c["WeightBits"]) == w
                    and int(c["PsumBits"]) == p and int(c["Rows"]) == rows and int(c["Cols"]) == cols):
                return name
    return None


def run_pair(args, model_dir, out_json, simd_on=None):
    """simd_on: the configuration to run the model on in the SIMD mode (None: the mode off)."""
    if args.reuse and os.path.isfile(out_json):
        with open(out_json) as f:
            rep = json.load(f)
        if (rep.get("model_dir") == model_dir and (not args.limit or rep.get("images") == args.limit)
                and rep.get("lanes", 1) == (2 if simd_on else 1) and (not simd_on or rep.get("config") == simd_on)):
            return rep, 0 if rep.get("passed") else 1
    cmd = [os.path.join(args.build, "sim", "cosim"), "mnist", "--model", model_dir, "--json", out_json]
    if simd_on:
        cmd += ["--simd", "--config", simd_on]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    r = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1) or not os.path.isfile(out_json):
        fail(f"{' '.join(cmd)} failed (exit {r.returncode})")
    with open(out_json) as f:
        return json.load(f), r.returncode


def row_of(a, w, model_dir, rep):
    weight_bytes, bias_bytes, act_bytes, metrics = memory(model_dir)
    net = rep["network"]
    images = rep["images"]
    return {
        "act_bits": a, "weight_bits": w, "model": model_dir, "config": rep["config"],
        "images": images,
        "float_accuracy": metrics.get("float_accuracy"),
        "int_accuracy": rep["golden_accuracy"]["correct"] / images,
        "rtl_accuracy": rep["accuracy"]["correct"] / images,
        "rtl_agreement": rep["agreement"]["identical"] / images,
        "mismatches": rep["mismatches"],
        "weight_bytes": weight_bytes, "bias_bytes": bias_bytes, "activation_buffer_bytes": act_bytes,
        "psum_bits_needed": psum_bits_needed(model_dir),
        "cycles_per_image": net["cycles_per_image"],
        "utilization": net["utilization"],
        "energy_uj_per_image": net.get("energy_pj_per_image", 0) / 1e6,
        "layer_cycles_per_image": {l["name"]: l["cycles_per_image"] for l in rep["layers"] if l["device"] != "host"},
        "passed": rep["passed"],
    }


def markdown_table(rows):
    """The table as the README shows it."""
    pct = lambda x: "-" if x is None else f"{100 * x:.2f} %"
    out = ["| A/W bits | float | integer | RTL agreement | weight bytes | act. buffer bytes | psum bits needed "
           "| cycles/image | energy/image (estimate) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['act_bits']}/{r['weight_bits']} | {pct(r['float_accuracy'])} | {pct(r['int_accuracy'])} | "
                   f"{pct(r['rtl_agreement'])} ({r['images']} images, {r['mismatches']} mismatches) | "
                   f"{r['weight_bytes']:,} | {r['activation_buffer_bytes']:,} | {r['psum_bits_needed']} | "
                   f"{r['cycles_per_image']:,.0f} | {r['energy_uj_per_image']:.2f} uJ |")
    return "\n".join(out) + "\n"


def simd_table(pairs):
    """Cycles per image, per layer and for the network, without and with the SIMD mode."""
    out = []
    for off, on in pairs:
        out += [f"A{off['act_bits']}/W{off['weight_bits']} ({off['model']}): {off['config']} without the SIMD mode, "
                f"{on['config']} with it ({on['images']:,} images, RTL agreement {100 * on['rtl_agreement']:.2f} %, "
                f"{on['mismatches']} mismatches)", "",
                "| layer | cycles/image without | with SIMD | change |", "|---|---|---|---|"]
        rows = list(off["layer_cycles_per_image"].items()) + [("network", off["cycles_per_image"])]
        for name, c0 in rows:
            c1 = on["cycles_per_image"] if name == "network" else on["layer_cycles_per_image"][name]
            out.append(f"| {name} | {c0:,.0f} | {c1:,.0f} | {100 * (c1 - c0) / c0:+.1f} % |")
        out += [f"| utilization (of the mode's peak) | {100 * off['utilization']:.1f} % | "
                f"{100 * on['utilization']:.1f} % | |",
                f"| energy/image (estimate) | {off['energy_uj_per_image']:.2f} uJ | {on['energy_uj_per_image']:.2f} uJ "
                f"| {100 * (on['energy_uj_per_image'] / off['energy_uj_per_image'] - 1):+.1f} % |", ""]
    return "\n".join(out)


def plot(rows, out, simd_rows=()):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for key, label, fname in (("weight_bytes", "weight memory (bytes)", "accuracy_vs_memory.png"),
                              ("cycles_per_image", "core cycles per image", "accuracy_vs_cycles.png"),
                              ("energy_uj_per_image", "energy per image (uJ, estimate)", "accuracy_vs_energy.png")):
        fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
        for w, marker in zip(WIDTHS, "os^"):
            pts = [r for r in rows if r["weight_bits"] == w]
            ax.scatter([r[key] for r in pts], [100 * r["int_accuracy"] for r in pts], marker=marker, s=60,
                       label=f"{w}-bit weights")
            for r in pts:
                ax.annotate(f"A{r['act_bits']}/W{r['weight_bits']}", (r[key], 100 * r["int_accuracy"]),
                            textcoords="offset points", xytext=(5, 4), fontsize=8)
        if key in ("cycles_per_image", "energy_uj_per_image") and simd_rows:
            ax.scatter([r[key] for r in simd_rows], [100 * r["int_accuracy"] for r in simd_rows], marker="*", s=110,
                       label="SIMD mode (two products per PE)")
            for r in simd_rows:
                ax.annotate(f"A{r['act_bits']}/W{r['weight_bits']} SIMD", (r[key], 100 * r["int_accuracy"]),
                            textcoords="offset points", xytext=(5, -10), fontsize=8)
        ax.set_xlabel(label)
        ax.set_ylabel(f"accuracy on {rows[0]['images']:,} held-out MNIST images (%)")
        ax.set_title(f"Accuracy against {label.split(' (')[0]}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, fname))
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--out", default=os.path.join(REPO, "results", "sweep"))
    ap.add_argument("--limit", type=int, default=0, help="first N images of each model only (0: all)")
    ap.add_argument("--pairs", default="", help="only these A/W pairs, e.g. 2/4,8/8 (default: all nine)")
    ap.add_argument("--reuse", action="store_true",
                    help="take a pair's run from OUT/runs/ when it is there with the same images (no rerun)")
    args = ap.parse_args()
    if args.limit < 0:
        fail(f"--limit {args.limit}: expected 0 (all) or more")
    pairs = [(a, w) for a in WIDTHS for w in WIDTHS]
    if args.pairs:
        try:
            pairs = [tuple(int(x) for x in p.split("/")) for p in args.pairs.split(",")]
        except ValueError:
            fail(f"--pairs '{args.pairs}': expected A/W pairs like 2/4,8/8")
        bad = [p for p in pairs if len(p) != 2 or p[0] not in WIDTHS or p[1] not in WIDTHS]
        if bad:
            fail(f"--pairs '{args.pairs}': widths are 2, 4 or 8")
    models = find_models(os.path.join(REPO, "models"))
    missing = [f"{a}/{w}" for a, w in pairs if (a, w) not in models]
    if missing:
        fail(f"no MNIST model for {', '.join(missing)} (act/weight bits) in models/ (golden/train/train_all.sh)")
    if not os.access(os.path.join(args.build, "sim", "cosim"), os.X_OK):
        fail(f"{args.build}/sim/cosim not built (make build)")
    os.makedirs(args.out, exist_ok=True)
    runs = os.path.join(args.out, "runs")
    os.makedirs(runs, exist_ok=True)
    rows, t0, images_done = [], time.monotonic(), 0
    images_total = 0
    for a, w in pairs:
        with open(os.path.join(REPO, models[(a, w)], "model.json")) as f:
            count = json.load(f)["reference"]["count"]
        images_total += min(count, args.limit) if args.limit else count
    for k, (a, w) in enumerate(pairs):
        rep, code = run_pair(args, models[(a, w)], os.path.join(runs, f"a{a}w{w}.json"))
        images_done += rep["images"]
        r = row_of(a, w, models[(a, w)], rep)
        rows.append(r)
        print(f"sweep: A{a}/W{w} {r['model']} on {r['config']}: integer accuracy {100 * r['int_accuracy']:.2f} %, "
              f"RTL agreement {100 * r['rtl_agreement']:.2f} %, {r['cycles_per_image']:.0f} cycles/image, "
              f"{r['energy_uj_per_image']:.3f} uJ/image, {'PASS' if code == 0 else 'FAIL'}")
        sys.stdout.flush()
        progress(k + 1, len(pairs), images_done, images_total, t0)
    # The SIMD mode, on a configuration of the same array shape as the run without it.
    simd_pairs = []
    for a, w in pairs:
        with open(os.path.join(REPO, models[(a, w)], "model.json")) as f:
            m = json.load(f)
        with open(os.path.join(runs, f"a{a}w{w}.json")) as f:
            base = json.load(f)
        cfg = simd_config(args.build, a, w, m["psum_bits"], base["rows"], base["cols"])
        if cfg:
            simd_pairs.append((a, w, cfg))
            images_total += min(m["reference"]["count"], args.limit) if args.limit else m["reference"]["count"]
    total = len(pairs) + len(simd_pairs)
    simd_rows, compared = [], []
    for k, (a, w, cfg) in enumerate(simd_pairs):
        rep, code = run_pair(args, models[(a, w)], os.path.join(runs, f"a{a}w{w}_simd.json"), simd_on=cfg)
        images_done += rep["images"]
        r = row_of(a, w, models[(a, w)], rep)
        simd_rows.append(r)
        compared.append((next(x for x in rows if (x["act_bits"], x["weight_bits"]) == (a, w)), r))
        print(f"sweep: A{a}/W{w} {r['model']} on {r['config']} --simd: RTL agreement {100 * r['rtl_agreement']:.2f} %, "
              f"{r['cycles_per_image']:.0f} cycles/image ({compared[-1][0]['cycles_per_image']:.0f} without), "
              f"{r['energy_uj_per_image']:.3f} uJ/image, {'PASS' if code == 0 else 'FAIL'}")
        sys.stdout.flush()
        progress(len(pairs) + k + 1, total, images_done, images_total, t0)
    fields = [k for k in rows[0] if k != "layer_cycles_per_image"]
    with open(os.path.join(args.out, "sweep.csv"), "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        wr.writeheader()
        wr.writerows(rows)
    with open(os.path.join(args.out, "sweep.json"), "w") as f:
        json.dump({"energy_table": rep.get("energy_table", ""), "rows": rows, "simd_rows": simd_rows}, f, indent=1)
    with open(os.path.join(args.out, "sweep.md"), "w") as f:
        f.write(markdown_table(rows))
    with open(os.path.join(args.out, "simd.md"), "w") as f:
        f.write(simd_table(compared))
    plot(rows, args.out, simd_rows)
    print(f"sweep: {len(rows)} pairs and {len(simd_rows)} in the SIMD mode in {time.monotonic() - t0:.0f} s; "
          f"{args.out}/sweep.csv, sweep.json, sweep.md, simd.md and 3 plots")
    return 0 if all(r["passed"] for r in rows + simd_rows) else 1


if __name__ == "__main__":
    sys.exit(main())
