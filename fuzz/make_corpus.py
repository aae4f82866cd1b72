#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (docs/fuzzing.md) to fuzz/corpus/<harness>/.

Small valid and near-valid inputs: .npy and IDX files built here byte by byte, the tiny test
model's model.json (tests/support/tiny_model_files.hpp) and variants, vector sets written by
`cosim export-vectors` (give --cosim; without it the vector seeds are left as they are) and cosim
command lines from docs/cosim.md. Every file stays under 8 KiB.

    /usr/bin/python3 fuzz/make_corpus.py [--cosim build/sim/cosim]
"""
import argparse
import gzip
import json
import pathlib
import shutil
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def npy(descr, shape, values, version=1, fortran=False):
    fmt = {"|i1": "b", "|u1": "B", "<i2": "<h", "<i4": "<i", "<i8": "<q", ">i4": ">i", "<f4": "<f"}[descr]
    shape_txt = "(" + "".join(f"{d}, " for d in shape).rstrip(" ") + ")" if len(shape) != 1 else f"({shape[0]},)"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_txt}, }}"
    prefix = 10 if version == 1 else 12
    pad = (64 - (prefix + len(header) + 1) % 64) % 64
    header = (header + " " * pad + "\n").encode()
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    body = b"".join(struct.pack(fmt, v) for v in values)
    return b"\x93NUMPY" + bytes([version, 0]) + length + header + body


def npy_header_only(dict_text):
    header = (dict_text + "\n").encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\x00" * 4


def npy_seeds():
    valid = {
        "int8_2x3": npy("|i1", [2, 3], [1, -2, 3, -4, 5, -128]),
        "uint8_4": npy("|u1", [4], [0, 1, 254, 255]),
        "int16_2x2": npy("<i2", [2, 2], [-32768, 32767, 0, 1]),
        "int32_v2": npy("<i4", [3], [1, -1, 2**31 - 1], version=2),
        "int64_scalar": npy("<i8", [], [-(2**63)]),
        "int32_empty": npy("<i4", [0, 3], []),
        "int8_oihw": npy("|i1", [2, 1, 3, 3], list(range(-9, 9))),
    }
    bad = {
        "fortran": npy("|i1", [2, 2], [1, 2, 3, 4], fortran=True),
        "big_endian": npy(">i4", [2], [1, 2]),
        "float32": npy("<f4", [2], [1.0, 2.0]),
        "truncated": npy("<i4", [4], [1, 2, 3, 4])[:-3],
        "trailing": npy("|u1", [2], [1, 2]) + b"\x00",
        "bad_magic": b"\x93NUMPZ" + npy("|u1", [1], [7])[6:],
        # found by fuzz_npy: a key with a newline and no ':' after it (tests/test_npy.cpp)
        "key_newline_no_colon": npy_header_only("{'de\nscr' '<i4', 'fortran_order': False, 'shape': (1,), }"),
    }
    for name in ("conv1.bias.npy", "conv1.weight.npy"):
        valid["mnist_" + name.replace(".npy", "")] = (ROOT / "models/mnist_int8" / name).read_bytes()
    return {**valid, **bad}


def idx3(count, rows, cols, pixels):
    return struct.pack(">IIII", 0x803, count, rows, cols) + bytes(pixels)


def idx1(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def idx_seeds():
    with gzip.open(ROOT / "data/mnist/test-images-idx3-ubyte.gz") as f:
        f.read(16)
        digit = f.read(28 * 28)
    seeds = {
        "images_2x3x3": idx3(2, 3, 3, range(18)),
        "images_mnist_1": idx3(1, 28, 28, digit),
        "images_empty": idx3(0, 28, 28, b""),
        "labels_5": idx1([0, 1, 2, 9, 3]),
        "labels_out_of_range": idx1([0, 10, 255]),
        "images_truncated": idx3(2, 3, 3, range(17)),
        "images_trailing": idx3(1, 2, 2, range(4)) + b"\x01",
        "images_huge_count": struct.pack(">IIII", 0x803, 0xFFFFFFFF, 4096, 4096),
        "bad_magic": struct.pack(">II", 0x802, 1) + b"\x00",
        "labels_mnist_gz": (ROOT / "data/mnist/test-labels-idx1-ubyte.gz").read_bytes(),
    }
    for name in ("images_2x3x3", "images_mnist_1", "labels_5"):
        seeds[name + "_gz"] = gzip.compress(seeds[name], mtime=0)
    seeds["two_gzip_members"] = gzip.compress(idx1([1]), mtime=0) + gzip.compress(b"\x02", mtime=0)
    seeds["gzip_truncated"] = seeds["labels_5_gz"][:-6]
    return seeds


def tiny_model():
    conv = {"name": "conv1", "type": "conv2d", "in_channels": 1, "out_channels": 2, "kernel": 3, "stride": 1,
            "padding": 1, "relu": True, "output": "requant", "weight": "conv1.weight.npy", "bias": "conv1.bias.npy",
            "multiplier": "conv1.multiplier.npy", "shift": "conv1.shift.npy"}
    fc = {"name": "fc", "type": "linear", "in_features": 8, "out_features": 3, "relu": False, "output": "logits",
          "weight": "fc.weight.npy", "bias": "fc.bias.npy"}
    return {"format": "accel-cosim-model", "version": 1, "name": "tiny", "act_bits": 8, "weight_bits": 8,
            "psum_bits": 32, "input": {"channels": 1, "height": 4, "width": 4},
            "layers": [conv, {"name": "pool", "type": "maxpool2d", "kernel": 2, "stride": 2},
                       {"name": "flatten", "type": "flatten"}, fc]}


def model_seeds():
    seeds = {}
    m = tiny_model()
    seeds["tiny"] = json.dumps(m, indent=1).encode()
    extra = tiny_model()
    extra["layers"][3]["bias"] = "extra.npy"
    seeds["tiny_extra_bias"] = json.dumps(extra).encode() + b"\n#npy\n" + npy("<i4", [3], [5, -6, 7])
    extra["layers"][3]["bias"] = "extra.npy"
    seeds["tiny_extra_bias_wrong_dtype"] = json.dumps(extra).encode() + b"\n#npy\n" + npy("|i1", [3], [5, -6, 7])
    extra = tiny_model()
    extra["layers"][0]["weight"] = "extra.npy"
    seeds["tiny_extra_weight"] = json.dumps(extra).encode() + b"\n#npy\n" + npy("|i1", [2, 1, 3, 3], [1] * 18)
    no_pool = tiny_model()
    no_pool["layers"][1]["stride"] = 3
    seeds["tiny_pool_stride3"] = json.dumps(no_pool).encode()
    int4 = tiny_model()
    int4.update(act_bits=4, weight_bits=4, psum_bits=16)
    seeds["tiny_int4"] = json.dumps(int4).encode()
    seeds["not_object"] = b"[1, 2, 3]"
    seeds["malformed"] = json.dumps(m).encode()[:-7]
    mnist = json.loads((ROOT / "models/mnist_int8/model.json").read_text())
    for layer in mnist["layers"]:
        layer.pop("scales", None)
    seeds["mnist_int8_no_scales"] = json.dumps(mnist).encode()
    return seeds


def pack_vector_set(config_index, options, files):
    head = bytes([config_index, options[0], options[1], options[2], options[3]])
    return head + b"".join(b"@@ " + name.encode() + b"\n" + data for name, data in files)


def vector_seeds(cosim):
    # (config, index in rtl/configs.txt, export flags)
    sets = {
        "ece284_k1": ("ece284", 2, ["--size", "2", "--kernel", "1", "--padding", "0"]),
        "odd4x6_k2_combined": ("odd4x6", 3, ["--size", "2", "--kernel", "2", "--padding", "0", "--combined-psum"]),
        "int8_k1_s2": ("int8", 0, ["--size", "3", "--kernel", "1", "--padding", "0", "--stride", "2"]),
    }
    seeds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (config, index, flags) in sets.items():
            out = pathlib.Path(tmp) / name
            subprocess.run([cosim, "export-vectors", "--out", str(out), "--config", config] + flags, check=True,
                           stdout=subprocess.DEVNULL)
            files = [(p.name, p.read_bytes()) for p in sorted(out.iterdir())]
            padded = int(flags[1]) + 2 * int(flags[5])
            kernel, stride = int(flags[3]), 2 if "--stride" in flags else 1
            seeds[name] = pack_vector_set(index, (0, 0, 0, 0), files)
            # every shape option given (byte 1 = 7), with the values the set has
            seeds[name + "_options"] = pack_vector_set(index, (7, padded, kernel, stride), files)
            no_psum = [(n, d) for n, d in files if not n.startswith("psum")]
            seeds[name + "_no_psum"] = pack_vector_set(index, (0, 0, 0, 0), no_psum)
        short = [(n, d[: len(d) // 2]) for n, d in files]
        seeds["truncated_files"] = pack_vector_set(0, (0, 0, 0, 0), short)
    return seeds


def cosim_seeds():
    lines = {
        "mnist": "mnist --model models/mnist_int8 --images data/mnist/test-images-idx3-ubyte.gz "
                 "--labels data/mnist/test-labels-idx1-ubyte.gz --limit 100 --jobs 2 --shard 1/4 --json r.json",
        "mnist_rtl_layers": "mnist --model m --images i --labels l --device functional --rtl-layers conv2,fc1 "
                            "--batch 10 --config int8 --inject-mismatch fc1",
        "layer_model": "layer --model models/mnist_int8 --layer conv2 --image 3 --device rtl --trace t.fst "
                       "--trace-window 0:400 --strategy kernel-major",
        "layer_random": "layer --seed 7 --kind conv --in-ch 16 --out-ch 8 --size 6 --kernel 3 --stride 2 "
                        "--padding 1 --batch 4 --logits --config int4 --json j.json",
        "layer_linear": "layer --seed 2 --kind linear --in-features 64 --out-features 16 --device functional",
        "vectors": "vectors --dir d --config ece284 --device functional --stride 1 --kernel 3 --padded-width 8 "
                   "--weight w0.txt --weight w1.txt --psum p.txt --activation a.txt --output o.txt",
        "vectors_positional": "vectors d",
        "export": "export-vectors --out d --config ece284 --seed 3 --in-ch 8 --out-ch 8 --size 6 --kernel 3 "
                  "--stride 1 --padding 1 --in-tile 0 --out-tile 0 --combined-psum",
        "export_model": "export-vectors --out d --model models/mnist_int8 --layer conv1 --image 0",
        "merge": "merge a.json b.json --json m.json --results-only",
        "help": "--help",
        "layer_help": "layer --help",
        "unknown": "frobnicate --x",
        "bad_number": "layer --seed -1 --batch 99999999999999999999",
    }
    return {name: "\n".join(text.split(" ")).encode() for name, text in lines.items()}


def write(harness, seeds):
    d = CORPUS / harness
    d.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        assert len(data) <= 8192, (harness, name, len(data))
        (d / name).write_bytes(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cosim", help="a built cosim, for the vector-set seeds (cosim export-vectors)")
    args = ap.parse_args()
    write("fuzz_npy", npy_seeds())
    write("fuzz_idx", idx_seeds())
    write("fuzz_model", model_seeds())
    write("fuzz_cosim_args", cosim_seeds())
    if args.cosim:
        shutil.rmtree(CORPUS / "fuzz_vectors", ignore_errors=True)
        write("fuzz_vectors", vector_seeds(args.cosim))


if __name__ == "__main__":
    main()
