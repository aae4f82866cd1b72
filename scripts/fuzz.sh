#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, a clang ACCEL_FUZZ build in BUILD) and runs each for
# SECONDS, one at a time; prints the executions per harness and a summary table; exits non-zero if
# any harness found something (a crash, a sanitizer report, an uncaught exception, a timeout, a leak,
# running out of memory). docs/fuzzing.md.
#   scripts/fuzz.sh BUILD SECONDS JOBS [HARNESS...]      (no harness: every one)
# Each harness reads the committed seeds (fuzz/corpus/<h>/, never written) and keeps what it finds
# in BUILD/fuzz-corpus/<h>/; findings go to BUILD/fuzz-findings/<h>-{crash,leak,timeout,oom}-*,
# the log of each run to BUILD/fuzz-logs/<h>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1 seconds=$2 jobs=$3
shift 3
harnesses=("$@")
# Every harness is one fuzz/fuzz_<name>.cpp (fuzz/CMakeLists.txt builds each).
[[ ${#harnesses[@]} -gt 0 ]] || mapfile -t harnesses < <(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')

# The fuzz build is its own directory: clang, every file instrumented (CMakeLists.txt, ACCEL_FUZZ).
CC=clang CXX=clang++ CMAKE_ARGS="-DACCEL_FUZZ=ON" BUILD_TYPE=RelWithDebInfo \
  bash scripts/build.sh "$build" "$jobs" "${harnesses[@]}" || exit 1

findings_dir="$build/fuzz-findings" logs="$build/fuzz-logs"
mkdir -p "$findings_dir" "$logs"
rows=() failed=0
for h in "${harnesses[@]}"; do
  work="$build/fuzz-corpus/$h"
  mkdir -p "$work"
  before=$(find "$findings_dir" -name "$h-*" | wc -l)
  # The committed seeds are the second corpus directory: libFuzzer adds new inputs to the first only.
  "$build/fuzz/$h" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings_dir/$h-" "$work" "fuzz/corpus/$h" >"$logs/$h.log" 2>&1
  rc=$?
  execs=$(awk -F: '/stat::number_of_executed_units/ { gsub(/ /, "", $NF); print $NF }' "$logs/$h.log" | tail -1)
  new=$(( $(find "$findings_dir" -name "$h-*" | wc -l) - before ))
  corpus=$(find "$work" -type f | wc -l)
  status=ok
  if (( rc != 0 || new > 0 )) || [[ -z "$execs" ]]; then
    status="FINDING (exit $rc; log $logs/$h.log)"
    failed=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz finding|.*runtime error)' "$logs/$h.log" | head -5
  fi
  echo "fuzz: $h: ${execs:-?} executions in $seconds s, $new finding(s)"
  rows+=("$(printf '%-18s %8s %12s %10s %10s  %s' "$h" "$seconds" "${execs:-?}" \
    "$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))" "$corpus" "$status")")
done

printf '\n%-18s %8s %12s %10s %10s  %s\n' harness seconds executions "exec/s" corpus result
printf '%s\n' "${rows[@]}"
if (( failed )); then
  echo "fuzz: findings kept in $findings_dir (docs/fuzzing.md: reproducing a finding)"
  exit 1
fi
echo "fuzz: ${#harnesses[@]} harness(es), no crash, hang, leak or sanitizer report"
