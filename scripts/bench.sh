#!/usr/bin/env bash
# make bench. Timings are noisy on a shared machine: compare figures of one run, as ratios.
#   1. simulation speed: simulated cycles per second of every configuration's core on a continuous
#      stream of back-to-back tiles (sim/accel_bench.cpp, one thread, no trace)
#   2. Verilator build time of each configuration's core (a fresh verilate + compile of
#      rtl/sources.f into a temporary directory, -O3 as sim/CMakeLists.txt, make -j2)
#   3. the edit-run loop: a one-line edit of an RTL file, then of a host-software file, each
#      followed by `make sim` until it prints its result (ccache off, so the figures hold without
#      it); the edited files are restored afterwards
#   4. end to end against the bare core, in one run: cosim mnist on BENCH_IMAGES images with
#      --jobs 1 (simulated cycles per second of wall time, target >= 85 % of the bare core's rate
#      measured right before it) and with --jobs 2 (wall-time speedup, target >= 1.8)
#   5. model build variants: the int8 model and accel-bench built in build directories of their
#      own (BUILD/bench-VARIANT: -O3, -O3 without the event counters (what they cost), -O2,
#      -x-assign 0, clang++, gcc with profile-guided optimisation), then each measured twice,
#      alternating, best of two
#   scripts/bench.sh [BUILD_DIR]   BENCH_CYCLES=N (default 2000000), BENCH_IMAGES=N (default 400: four batches of 100, which two jobs share evenly);
#                                  BENCH_BUILD=0, BENCH_EDIT=0, BENCH_E2E=0, BENCH_VARIANTS=0 skip
#                                  parts 2, 3, 4 and 5; BENCH_VARIANTS="v1 v2" builds only those
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

mnist_args=(mnist --model models/mnist_int8 --images data/mnist/test-images-idx3-ubyte.gz
            --labels data/mnist/test-labels-idx1-ubyte.gz --limit "${BENCH_IMAGES:-400}")
bare_rate() {  # bare_rate EXE: M cycles/s of the int8 core on the continuous stream
  "$1" --config int8 --cycles "$cycles" | sed -n 's/.*= \([0-9.]*\) M cycles\/s wall.*/\1/p'
}

if [[ "${BENCH_E2E:-1}" != "0" ]]; then
  echo "== end to end: cosim mnist (${BENCH_IMAGES:-400} images, int8, every psum checked) against the bare core"
  bare=$(bare_rate "$exe")
  e2e() {  # e2e JOBS: "wall-seconds M-cycles/s-end-to-end"
    CI=1 "$build/sim/cosim" "${mnist_args[@]}" --jobs "$1" |
      sed -n 's/.*wall time \([0-9.]*\) s, \([0-9.]*\) M cycles\/s end to end/\1 \2/p'
  }
  read -r w1 r1 <<<"$(e2e 1)"
  read -r w2 r2 <<<"$(e2e 2)"
  printf 'bare core          %5.2f M cycles/s (accel-bench, one thread)\n' "$bare"
  printf 'cosim --jobs 1     %5.2f M cycles/s end to end = %.0f %% of the bare core (target >= 85 %%), %.1f s\n' \
    "$r1" "$(echo "100 * $r1 / $bare" | bc -l)" "$w1"
  printf 'cosim --jobs 2     %5.2f M cycles/s end to end, %.1f s: %.2f x --jobs 1 (target >= 1.8)\n' \
    "$r2" "$w2" "$(echo "$w1 / $w2" | bc -l)"
fi

if [[ "${BENCH_VARIANTS:-1}" != "0" ]]; then
  echo "== model build variants (int8 model + accel-bench, each in BUILD/bench-VARIANT; best of two runs)"
  variants=(gcc-O3 gcc-O3-no-events gcc-O2 gcc-O3-x0 clang-O3 gcc-O3-pgo)
  # BENCH_VARIANTS="gcc-O3 gcc-O3-no-events": only those (names as above).
  if [[ "${BENCH_VARIANTS:-1}" != "1" ]]; then read -r -a variants <<<"$BENCH_VARIANTS"; fi
  declare -A vargs=(
    [gcc-O3]="-DACCEL_MODEL_OPT=-O3"
    [gcc-O3-no-events]="-DACCEL_EVENT_COUNTERS=OFF"
    [gcc-O2]="-DACCEL_MODEL_OPT=-O2"
    [gcc-O3-x0]="-DACCEL_X_ASSIGN=0"
    [clang-O3]="-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang"
    [gcc-O3-pgo]="-DACCEL_MODEL_PGO=generate"
  )
  vbuild() {  # vbuild VARIANT [extra cmake args]
    local d="$build/bench-$1"
    # shellcheck disable=SC2086
    cmake -S . -B "$d" -DCMAKE_BUILD_TYPE=Release ${vargs[$1]} "${@:2}" >"$d.log" 2>&1 &&
      cmake --build "$d" -j 2 --target accel_core_int8 accel-bench >>"$d.log" 2>&1 ||
      { tail -20 "$d.log"; echo "error: building variant $1 failed (log: $d.log)" >&2; exit 1; }
  }
  for v in "${variants[@]}"; do
    start=$(date +%s)
    vbuild "$v"
    if [[ $v == *-pgo ]]; then  # the profile: the bench stream; then rebuilt with it
      ACCEL_MODEL_DIR="$build/bench-$v/models" "$build/bench-$v/sim/accel-bench" --config int8 --cycles 500000 >/dev/null
      vbuild "$v" -DACCEL_MODEL_PGO=use
    fi
    echo "built $v in $(( $(date +%s) - start )) s"
  done
  declare -A best
  for round in 1 2; do
    for v in "${variants[@]}"; do
      r=$(ACCEL_MODEL_DIR="$build/bench-$v/models" bare_rate "$build/bench-$v/sim/accel-bench")
      if [[ -z "${best[$v]:-}" ]] || (( $(echo "$r > ${best[$v]}" | bc -l) )); then best[$v]=$r; fi
    done
  done
  for v in "${variants[@]}"; do
    printf 'variant %-16s %5.2f M cycles/s (%s)\n' "$v" "${best[$v]}" "${vargs[$v]/=generate/=generate, then use}"
  done
  # What the 13 event counters (energy estimate, docs/energy.md) cost in simulation speed.
  [[ -n "${best[gcc-O3]:-}" && -n "${best[gcc-O3-no-events]:-}" ]] && printf 'event counters cost %.1f %% of the bare core rate (gcc-O3 %.2f vs gcc-O3-no-events %.2f M cycles/s)\n' \
    "$(echo "100 * (${best[gcc-O3-no-events]} - ${best[gcc-O3]}) / ${best[gcc-O3-no-events]}" | bc -l)" \
    "${best[gcc-O3]}" "${best[gcc-O3-no-events]}"
fi
