#!/usr/bin/python3
"""Trains the MNIST CNN (float, then quantization-aware) and exports it as a model directory.

    nice -n 10 /usr/bin/python3 golden/train/train.py --name mnist_int8 --dataset mnist \
        --act-bits 8 --weight-bits 8 --psum-bits 32

Phase 1 trains the float network on pixels / 255. Phase 2 copies its weights
into the fake-quant network (qat.py), calibrates the activation ranges (EMA of
the batch max) during the first part of QAT, freezes them, and fine-tunes.
The export is then evaluated with intref.py, the exporter's own integer
implementation of docs/quantization.md, on the whole held-out set.
"""

import argparse
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import intref  # noqa: E402
from idx import read_idx  # noqa: E402
from qat import Net  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
DATASETS = {
    # name: (train images, train labels, test images, test labels); relative = repo root
    "mnist": ("data/mnist/train-images-idx3-ubyte.gz", "data/mnist/train-labels-idx1-ubyte.gz",
              "data/mnist/test-images-idx3-ubyte.gz", "data/mnist/test-labels-idx1-ubyte.gz"),
    "fashion-mnist": (f"{FASHION_DIR}/train-images-idx3-ubyte.gz", f"{FASHION_DIR}/train-labels-idx1-ubyte.gz",
                      f"{FASHION_DIR}/t10k-images-idx3-ubyte.gz", f"{FASHION_DIR}/t10k-labels-idx1-ubyte.gz"),
}


def log(msg):
    print(msg, flush=True)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def augment(x, gen, max_shift, max_rot_deg, max_scale, hflip):
    """Random affine (shift, rotation, scale) and optional horizontal flip of raw pixels [B,1,28,28].

    Resampled pixels are rounded back to integers 0..255, so the network only
    ever sees values a real image could have.
    """
    b = x.shape[0]
    u = torch.rand(b, 4, generator=gen) * 2 - 1
    ang = u[:, 0] * max_rot_deg * np.pi / 180
    scl = 1 + u[:, 1] * max_scale
    tx, ty = u[:, 2] * max_shift * 2 / 28, u[:, 3] * max_shift * 2 / 28
    cos, sin = torch.cos(ang) / scl, torch.sin(ang) / scl
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    if hflip:
        flip = (torch.rand(b, generator=gen) < 0.5).float() * -2 + 1
        theta[:, :, 0] *= flip[:, None]
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return torch.clamp(torch.floor(out + 0.5), 0, 255)


def predict(net, pixels, batch=500):
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(pixels), batch):
            out.append(net(pixels[i:i + batch]))
    return torch.cat(out)


def accuracy(logits, labels):
    return float((logits.argmax(1) == labels).float().mean())


def train_phase(net, x, y, epochs, lr, args, gen, on_epoch=None, tag=""):
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=args.weight_decay)
    steps_per_epoch = (len(x) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch,
                                                pct_start=0.15 if tag == "float" else 0.05,
                                                anneal_strategy="cos", cycle_momentum=False)
    for epoch in range(epochs):
        if on_epoch:
            on_epoch(epoch)
        net.train()
        perm = torch.randperm(len(x), generator=gen)
        t0, total, n = time.time(), 0.0, 0
        for i in range(0, len(x), args.batch):
            idx = perm[i:i + args.batch]
            xb = x[idx]
            if args.augment:
                xb = augment(xb, gen, args.shift, args.rotate, args.scale, args.hflip)
            loss = F.cross_entropy(net(xb), y[idx], label_smoothing=args.label_smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            n += len(idx)
        log(f"[{args.name}] {tag} epoch {epoch + 1}/{epochs} loss {total / n:.4f} "
            f"({time.time() - t0:.0f} s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", required=True, help="model name; written to --models/<name>")
    ap.add_argument("--dataset", choices=sorted(DATASETS), default="mnist")
    ap.add_argument("--act-bits", type=int, default=8)
    ap.add_argument("--weight-bits", type=int, default=8)
    ap.add_argument("--psum-bits", type=int, default=32)
    ap.add_argument("--models", default=os.path.join(REPO, "models"))
    ap.add_argument("--float-epochs", type=int, default=12)
    ap.add_argument("--qat-epochs", type=int, default=6)
    ap.add_argument("--calib-epochs", type=int, default=2, help="QAT epochs with range calibration on")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--qat-lr", type=float, default=3e-4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--clip", choices=["max", "mse"], default="max",
                    help="weight clip and activation range: the maximum, or the squared-error optimum "
                         "(for 2-bit models, golden/train/README.md)")
    ap.add_argument("--no-augment", dest="augment", action="store_false")
    ap.add_argument("--shift", type=float, default=2.0, help="max shift, pixels")
    ap.add_argument("--rotate", type=float, default=10.0, help="max rotation, degrees")
    ap.add_argument("--scale", type=float, default=0.08, help="max relative scale change")
    ap.add_argument("--hflip", action="store_true", help="random horizontal flips")
    ap.add_argument("--min-int-accuracy", type=float, default=0.0, help="fail below this")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    log(f"[{args.name}] seed {args.seed}, torch {torch.__version__}, {args.threads} threads")

    paths = [p if os.path.isabs(p) else os.path.join(REPO, p) for p in DATASETS[args.dataset]]
    train_x, train_y, test_x, test_y = (read_idx(p) for p in paths)
    xt = torch.from_numpy(train_x.astype(np.float32))[:, None]
    yt = torch.from_numpy(train_y.astype(np.int64))
    xv = torch.from_numpy(test_x.astype(np.float32))[:, None]
    yv = torch.from_numpy(test_y.astype(np.int64))
    log(f"[{args.name}] {args.dataset}: {len(xt)} train, {len(xv)} held-out images")

    # Phase 1: float. Input p / 255 whatever the target A, so one float model per seed.
    fnet = Net(8, 8, quant=False, dropout=args.dropout)
    train_phase(fnet, xt, yt, args.float_epochs, args.lr, args, gen, tag="float")
    float_acc = accuracy(predict(fnet, xv), yv)
    log(f"[{args.name}] float accuracy {float_acc * 100:.2f} %")

    # Phase 2: quantization-aware fine-tuning.
    qnet = Net(args.act_bits, args.weight_bits, quant=True, dropout=args.dropout, clip=args.clip)
    qnet.load_state_dict(fnet.state_dict())

    def on_epoch(epoch):
        qnet.set_calibrating(epoch < args.calib_epochs)

    train_phase(qnet, xt, yt, args.qat_epochs, args.qat_lr, args, gen, on_epoch=on_epoch, tag="qat")
    qnet.set_calibrating(False)
    fq_logits = predict(qnet, xv)
    fq_acc = accuracy(fq_logits, yv)
    log(f"[{args.name}] fake-quant accuracy {fq_acc * 100:.2f} %, ranges "
        + ", ".join(f"{float(q.range):.3f}" for q in (qnet.q1, qnet.q2, qnet.q3)))

    # Export, then judge the exported files with the integer reference.
    intref.self_test()
    directory = os.path.join(args.models, args.name)
    ref_images, ref_labels = DATASETS[args.dataset][2:4]
    model = export.write_model(qnet, directory, args.name, args.dataset, args.psum_bits,
                               ref_images, test_x, ref_labels)
    int_logits, int_acc = intref.evaluate(model, test_x, test_y)
    agree = float(np.mean(intref.predict(int_logits) == fq_logits.argmax(1).numpy()))
    assert np.array_equal(np.load(os.path.join(directory, "expected_logits.npy")), int_logits[:20])
    seconds = time.time() - t_start
    log(f"[{args.name}] integer accuracy {int_acc * 100:.2f} %, integer/fake-quant argmax "
        f"agreement {agree * 100:.2f} %, {seconds:.0f} s")

    model.header["metrics"] = {
        "float_accuracy": round(float_acc, 6),
        "fake_quant_accuracy": round(fq_acc, 6),
        "int_accuracy": round(int_acc, 6),
        "int_fake_quant_agreement": round(agree, 6),
        "test_images": int(len(test_x)),
        "train_images": int(len(train_x)),
        "seed": args.seed,
    }
    export.write_json(directory, model.header)

    if agree < 0.99:
        log(f"error: integer and fake-quant models agree on only {agree * 100:.2f} % of images")
        return 1
    if int_acc < args.min_int_accuracy:
        log(f"error: integer accuracy {int_acc * 100:.2f} % below the target "
            f"{args.min_int_accuracy * 100:.2f} %")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
