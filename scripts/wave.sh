#!/usr/bin/env bash
# make wave: runs a short tile sequence (sim/accel_wave.cpp) with an FST trace and opens it in
# GTKWave with the saved layout sim/waves/core.gtkw (instruction fields, L0 rows, PE row 0,
# OFIFO, SFP). Without a display it prints the command instead.
#   scripts/wave.sh [BUILD_DIR]      CONFIG=int8|int4|ece284|odd4x6 (layout made for int8)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
config=${CONFIG:-int8}
exe="$build/sim/accel-wave"
[[ -x "$exe" ]] || { echo "error: $exe not built (run make build)" >&2; exit 1; }
fst="$build/waves/core_${config}.fst"
"$exe" --config "$config" --out "$fst"
cmd=(gtkwave "$fst" sim/waves/core.gtkw)
if [[ -n "${DISPLAY:-}" ]]; then
  echo "wave: opening ${cmd[*]}"
  "${cmd[@]}" >/dev/null 2>&1 &
else
  echo "wave: no DISPLAY; view the trace with:"
  echo "  ${cmd[*]}"
fi
