#!/usr/bin/env bash
# verilator --lint-only -Wall on the RTL (rtl/sources.f), once per configuration (the list CMake
# generates from rtl/configs.txt: BUILD/configs.list), plus the test tops (rtl/tb/). Waivers live
# only in rtl/lint.vlt. Prints one summary line; exits non-zero on any warning or error.
#   scripts/lint.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
list="$build/configs.list"
[[ -f "$list" ]] || { echo "error: $list missing (make configure generates it from rtl/configs.txt)" >&2; exit 1; }

total=0
runs=0
lint() {  # lint <label> <verilator args...>
  local label=$1
  shift
  local out n
  out=$(verilator --lint-only -Wall rtl/lint.vlt "$@" 2>&1)
  local rc=$?
  n=$(grep -c '^%Warning' <<<"$out")
  if [[ $rc -ne 0 || $n -ne 0 ]]; then
    echo "$out"
    (( n == 0 )) && n=1  # an error counts as a finding too
  fi
  echo "lint: $label: $n warning(s)"
  total=$((total + n))
  runs=$((runs + 1))
}

while read -r name params; do
  gargs=() uargs=()
  for p in $params; do
    gargs+=("-G$p")
    [[ $p == XmemDepth=* ]] || uargs+=("-G$p")  # unit_top has every core parameter but XmemDepth
  done
  lint "core ($name)" -f rtl/sources.f --top-module core "${gargs[@]}"
  lint "unit_top ($name)" -f rtl/sources.f rtl/tb/unit_top.sv --top-module unit_top "${uargs[@]}"
done < "$list"
lint "instr_probe" rtl/accel_pkg.sv rtl/tb/instr_probe.sv --top-module instr_probe

echo "lint summary: $total warning(s) in $runs verilator runs ($(verilator --version | cut -d' ' -f1-2), -Wall, waivers: rtl/lint.vlt)"
[[ $total -eq 0 ]]
