#!/usr/bin/env bash
# make test-slurm: sharded runs through a real Slurm give the reports of local runs. Starts the
# one-node cluster of scripts/slurm_cluster.sh, then for a regression (SEEDS seeds, every
# configuration) and an mnist run (LIMIT images): the local run's JSON report and the merged
# report of SHARDS array tasks, both through `cosim merge --results-only`, must be identical byte
# for byte. The last line is the verdict.
#   scripts/test_slurm.sh BUILD      SHARDS (default 3), SEEDS (default 4), LIMIT (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
cosim="$build/sim/cosim"
shards=${SHARDS:-3} seeds=${SEEDS:-4} limit=${LIMIT:-300}
work="$build/slurm-test"
rm -rf "$work" && mkdir -p "$work"
bash scripts/slurm_cluster.sh start "$build/slurm"
export SLURM_CONF="$build/slurm/slurm.conf"
fail=0

same() {  # same LABEL LOCAL.json MERGED.json
  "$cosim" merge --results-only "$2" --json "$work/$1.local.json" >/dev/null || true
  "$cosim" merge --results-only "$3" --json "$work/$1.merged.json" >/dev/null || true
  if cmp -s "$work/$1.local.json" "$work/$1.merged.json"; then
    echo "test-slurm: $1: merged report of $shards Slurm tasks = local report ($(wc -c <"$work/$1.local.json") bytes)"
  else
    echo "test-slurm: $1: merged report differs from the local one:"
    diff "$work/$1.local.json" "$work/$1.merged.json" | head -20
    fail=1
  fi
}

echo "== regress: $seeds seeds, local"
SEEDS=$seeds REPORT="$work/regress.local-run.json" bash scripts/regress.sh "$build" | tail -1
echo "== regress: $seeds seeds, $shards Slurm tasks"
SEEDS=$seeds SHARDS=$shards OUT="$work/regress" bash scripts/slurm_launch.sh regress "$build" | tail -3
same regress "$work/regress.local-run.json" "$work/regress/merged.json"

echo "== mnist: $limit images, local"
"$cosim" mnist --model models/mnist_int8 --images data/mnist/test-images-idx3-ubyte.gz \
  --labels data/mnist/test-labels-idx1-ubyte.gz --limit "$limit" --json "$work/mnist.local-run.json" | tail -4
echo "== mnist: $limit images, $shards Slurm tasks"
LIMIT=$limit SHARDS=$shards OUT="$work/mnist" bash scripts/slurm_launch.sh mnist "$build" | tail -8
same mnist "$work/mnist.local-run.json" "$work/mnist/merged.json"

bash scripts/slurm_cluster.sh stop "$build/slurm"
[[ $fail == 0 ]] && echo "test-slurm: PASS" || { echo "test-slurm: FAIL"; exit 1; }
