#!/usr/bin/env bash
# make bench. Timings are noisy on a shared machine: compare figures of one run, as ratios.
#   1. simulation speed: simulated cycles per second of every configuration's core on a continuous
#      stream of back-to-back tiles (sim/accel_bench.cpp, one thread, no trace)
#   2. Verilator build time of each configuration's core (a fresh verilate + compile of
#      rtl/sources.f into a temporary directory, -O3 as sim/CMakeLists.txt, make -j2)
#   3. the edit-run loop: a one-line edit of an RTL file, then of a host-software file, each
#      followed by `make sim` until it prints its result (ccache off, so the figures hold without
#      it); the edited files are restored afterwards
#   scripts/bench.sh [BUILD_DIR]   BENCH_CYCLES=N (default 2000000); BENCH_BUILD=0 and BENCH_EDIT=0
#                                  skip parts 2 and 3
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cycles=${BENCH_CYCLES:-2000000}
exe="$build/sim/accel-bench"
list="$build/configs.list"
[[ -x "$exe" && -f "$list" ]] || { echo "error: $exe or $list missing (run make build)" >&2; exit 1; }

echo "== simulation speed (simulated cycles per second, one thread)"
first=1
while read -r name _; do
  if (( first )); then "$exe" --config "$name" --cycles "$cycles"; first=0
  else "$exe" --config "$name" --cycles $((cycles / 4)) | grep 'cycles/s' | sed "s/^/[$name] /"; fi
done < "$list"

if [[ "${BENCH_BUILD:-1}" != "0" ]]; then
  echo "== Verilator build time per configuration (verilate + C++ compile, -j2)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  while read -r name params; do
    gargs=()
    for p in $params; do gargs+=("-G$p"); done
    start=$(date +%s.%N)
    verilator --cc --build -j 2 --assert --trace-fst --trace-structs -x-assign fast -x-initial fast \
      -Wno-fatal --timescale 1ns/1ns --output-split-cfuncs 5000 rtl/lint.vlt -f rtl/sources.f --top-module core \
      --prefix "Vcore_$name" -Mdir "$tmp/$name" -MAKEFLAGS "OPT_FAST=-O3 OPT_SLOW=-O1" "${gargs[@]}" \
      >"$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log"; exit 1; }
    printf 'build %-12s %5.1f s (verilate + compile Vcore_%s)\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)" "$name"
  done < "$list"
fi

if [[ "${BENCH_EDIT:-1}" != "0" ]]; then
  echo "== edit-run loop: one-line edit, then make sim until its result (LIMIT=100, ccache off)"
  edit_run() {  # edit_run <label> <file>
    local label=$1 file=$2 saved
    saved=$(mktemp)
    cp -p "$file" "$saved"
    echo "// bench edit $(date +%s%N)" >>"$file"
    local start end rc=0
    start=$(date +%s.%N)
    CCACHE_DISABLE=1 make --no-print-directory sim BUILD="$build" >"$build/bench-edit.log" 2>&1 || rc=$?
    end=$(date +%s.%N)
    cp -p "$saved" "$file" && rm -f "$saved"
    touch "$file"
    # Bring the build back to the restored sources, so the next figure measures only its own edit.
    make --no-print-directory sim BUILD="$build" >/dev/null 2>&1
    [[ $rc == 0 ]] || { tail -20 "$build/bench-edit.log"; echo "error: make sim failed after editing $file" >&2; exit 1; }
    printf '%-9s edit of %-20s -> make sim result in %5.1f s (%s)\n' "$label" "$file" "$(echo "$end - $start" | bc)" \
      "$(grep -m1 '^result:' "$build/bench-edit.log")"
  }
  make --no-print-directory sim BUILD="$build" >/dev/null 2>&1  # start from an up-to-date build
  edit_run rtl rtl/mac_tile.sv
  edit_run sw sw/src/tiler.cpp
fi
