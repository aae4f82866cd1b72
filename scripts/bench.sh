#!/usr/bin/env bash
# make bench: simulated cycles per second of the int8 core on a continuous stream of back-to-back
# tiles (sim/accel_bench.cpp, one thread, no trace), then the other configurations briefly, then
# the Verilator build time of each configuration's core (a fresh verilate + compile into a
# temporary directory, -O3 as in sim/CMakeLists.txt, make -j2).
#   scripts/bench.sh [BUILD_DIR]     BENCH_CYCLES=N (default 2000000), BENCH_BUILD=0 skips builds
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cycles=${BENCH_CYCLES:-2000000}
exe="$build/sim/accel-bench"
[[ -x "$exe" ]] || { echo "error: $exe not built (run make build)" >&2; exit 1; }

echo "== simulation speed"
"$exe" --config int8 --cycles "$cycles"
for c in int4 ece284 odd4x6; do
  "$exe" --config "$c" --cycles $((cycles / 4)) | grep 'cycles/s'  | sed "s/^/[$c] /"
done

[[ "${BENCH_BUILD:-1}" == "0" ]] && exit 0
echo "== Verilator build time per configuration (verilate + C++ compile, -j2)"
design=(rtl/accel_pkg.sv rtl/sram.sv rtl/fifo_sync.sv rtl/l0.sv rtl/mac_tile.sv rtl/mac_array.sv
        rtl/ofifo.sv rtl/sfp.sv rtl/corelet.sv rtl/core.sv)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name rows cols act wgt psum xdepth pdepth l0depth ofdepth; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  start=$(date +%s.%N)
  verilator --cc --build -j 2 --assert --trace-fst --trace-structs -x-assign fast -x-initial fast \
    -Wno-fatal --timescale 1ns/1ns --output-split-cfuncs 5000 rtl/lint.vlt "${design[@]}" --top-module core --prefix "Vcore_$name" \
    -Mdir "$tmp/$name" -MAKEFLAGS "OPT_FAST=-O3 OPT_SLOW=-O1" \
    -GRows="$rows" -GCols="$cols" -GActBits="$act" -GWeightBits="$wgt" -GPsumBits="$psum" \
    -GXmemDepth="$xdepth" -GPmemDepth="$pdepth" -GL0Depth="$l0depth" -GOfifoDepth="$ofdepth" \
    >"$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log"; exit 1; }
  end=$(date +%s.%N)
  printf 'build %-7s %5.1f s (verilate + compile Vcore_%s)\n' "$name" "$(echo "$end - $start" | bc)" "$name"
done < rtl/configs.txt
