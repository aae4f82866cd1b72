#!/usr/bin/env bash
# verilator --lint-only -Wall on the RTL, once per configuration of rtl/configs.txt (core top),
# plus the test tops (rtl/tb/). Waivers live only in rtl/lint.vlt. Prints one summary line;
# exits non-zero on any warning or error.
set -uo pipefail
cd "$(dirname "$0")/.."

design=(rtl/accel_pkg.sv rtl/sram.sv rtl/fifo_sync.sv rtl/l0.sv rtl/mac_tile.sv rtl/mac_array.sv
        rtl/ofifo.sv rtl/sfp.sv rtl/corelet.sv rtl/core.sv)
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

while read -r name rows cols act wgt psum xdepth pdepth l0depth ofdepth; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  shape=(-GRows="$rows" -GCols="$cols" -GActBits="$act" -GWeightBits="$wgt" -GPsumBits="$psum"
         -GPmemDepth="$pdepth" -GL0Depth="$l0depth" -GOfifoDepth="$ofdepth")
  lint "core ($name)" "${design[@]}" --top-module core "${shape[@]}" -GXmemDepth="$xdepth"
  lint "unit_top ($name)" "${design[@]:0:9}" rtl/tb/unit_top.sv --top-module unit_top "${shape[@]}"
done < rtl/configs.txt
lint "instr_probe" rtl/accel_pkg.sv rtl/tb/instr_probe.sv --top-module instr_probe

echo "lint summary: $total warning(s) in $runs verilator runs ($(verilator --version | cut -d' ' -f1-2), -Wall, waivers: rtl/lint.vlt)"
[[ $total -eq 0 ]]
