#!/usr/bin/env bash
# make wave: a real MNIST layer on the RTL with an FST trace of a slot window (cosim layer
# --trace), then GTKWave with the layout cosim writes beside the trace for its configuration
# (instruction fields, L0 rows, PE row 0, OFIFO, SFP, counters; docs/cosim.md "Traces"). Without a
# display it prints the command instead.
#   scripts/wave.sh [BUILD_DIR]   MODEL=models/mnist_int8 LAYER=conv2 IMAGE=0 WINDOW=0:400 CONFIG=name
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
model=${MODEL:-models/mnist_int8}
layer=${LAYER:-conv2}
image=${IMAGE:-0}
window=${WINDOW:-0:400}
exe="$build/sim/cosim"
[[ -x "$exe" ]] || { echo "error: $exe not built (run make build)" >&2; exit 1; }
mkdir -p "$build/waves"
fst="$build/waves/$(basename "$model")_${layer}_image${image}.fst"
"$exe" layer --model "$model" --layer "$layer" --image "$image" --device rtl ${CONFIG:+--config "$CONFIG"} \
  --trace "$fst" --trace-window "$window"
cmd=(gtkwave "$fst" "${fst%.fst}.gtkw")
if [[ -n "${DISPLAY:-}" ]]; then
  echo "wave: opening ${cmd[*]}"
  "${cmd[@]}" >/dev/null 2>&1 &
else
  echo "wave: no DISPLAY; view the trace with:"
  echo "  ${cmd[*]}"
fi
