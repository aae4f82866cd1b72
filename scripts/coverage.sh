#!/usr/bin/env bash
# make coverage: Verilator line and toggle coverage of the RTL (docs/coverage.md). Runs the CTest
# suite and the regression (scripts/regress.sh) on a coverage build (-DACCEL_COVERAGE=ON), each
# Verilated context writing its counts into BUILD/coverage/dat/; merges them with
# verilator_coverage, writes lcov files and genhtml reports (BUILD/coverage/html/, lines;
# html/toggle/, toggles) and prints the per-module table (scripts/coverage_table.py).
#   scripts/coverage.sh [BUILD_DIR]   (default build-cov)
#     SEEDS=N (default 10) seeds of the regression, 0 skips it; JOBS=N; CTEST_ARGS (e.g. "-L rtl")
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-cov}
seeds=${SEEDS:-10}
jobs=${JOBS:-$(nproc)}
grep -q '^ACCEL_COVERAGE:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null ||
  { echo "error: $build is not a coverage build (configure it with -DACCEL_COVERAGE=ON; make coverage does)" >&2; exit 1; }
for tool in verilator_coverage genhtml python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (scripts/deps.sh --coverage)" >&2; exit 1; }
done
out="$(cd "$build" && pwd)/coverage"
rm -rf "$out"
mkdir -p "$out/dat"
export ACCEL_COVERAGE_DIR="$out/dat"
start=$(date +%s)

# shellcheck disable=SC2086  # CTEST_ARGS is a list of arguments
ctest --test-dir "$build" -j "$jobs" ${CTEST_ARGS:-} >"$out/ctest.log" 2>&1 ||
  { tail -20 "$out/ctest.log"; echo "error: the CTest suite failed on the coverage build (log: $out/ctest.log)" >&2; exit 1; }
t_ctest=$(date +%s)
echo "coverage: $(grep -E 'tests passed' "$out/ctest.log") ($((t_ctest - start)) s)"
if ((seeds > 0)); then
  SEEDS=$seeds JOBS=$jobs bash scripts/regress.sh "$build" >"$out/regress.log" 2>&1 ||
    { tail -20 "$out/regress.log"; echo "error: the regression failed on the coverage build (log: $out/regress.log)" >&2; exit 1; }
  echo "coverage: $(tail -1 "$out/regress.log")"
fi
t_regress=$(date +%s)

files=("$out"/dat/*.dat)
[[ -e "${files[0]}" ]] || { echo "error: no coverage data in $out/dat (was the build configured with -DACCEL_COVERAGE=ON?)" >&2; exit 1; }
# In batches of 500 files, each folded into the previous result: no command line grows too long.
merged="$out/merged.dat"
for ((i = 0; i < ${#files[@]}; i += 500)); do
  prev=()
  [[ -f "$merged" ]] && prev=("$merged")
  verilator_coverage --write "$merged.tmp" "${prev[@]}" "${files[@]:i:500}"
  mv "$merged.tmp" "$merged"
done
# One lcov file per kind of point (a toggle point sits on its signal's declaration line, which
# would otherwise count as a covered or uncovered line), the testbench (rtl/tb/) left out.
python3 scripts/coverage_table.py "$merged" --split "$out" >"$out/table.txt"
for kind in line toggle; do
  verilator_coverage --write-info "$out/$kind.info" "$out/$kind.dat"
  dest="$out/html"
  [[ $kind == toggle ]] && dest="$out/html/toggle"
  genhtml --quiet --legend --title "accel RTL $kind coverage" --output-directory "$dest" "$out/$kind.info" \
    >"$out/genhtml-$kind.log" 2>&1 || { cat "$out/genhtml-$kind.log"; echo "error: genhtml failed" >&2; exit 1; }
done
cat "$out/table.txt"
echo "coverage: ${#files[@]} data files; ctest $((t_ctest - start)) s, regress $((t_regress - t_ctest)) s," \
  "merge and report $(($(date +%s) - t_regress)) s; HTML: $out/html/index.html (toggles: html/toggle/)"
