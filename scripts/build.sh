#!/usr/bin/env bash
# Builds CMake targets quietly for the user commands: one summary line, the full log in
# BUILD/build.log, and on failure the compiler's errors. Configures first when BUILD has not been
# configured (no generated Makefile: a configure that failed, e.g. for a missing package, leaves a
# cache behind and is rerun).
#   scripts/build.sh BUILD JOBS [TARGET...]     (no target: everything)
#   BUILD_TYPE=Debug|Release (default Release) and CMAKE_ARGS (more -D options, e.g. the fuzz
#   build's -DACCEL_FUZZ=ON) apply when configuring a new build directory.
set -uo pipefail
build=$1 jobs=$2
shift 2
log="$build/build.log"
mkdir -p "$build"
: >"$log"
start=$(date +%s)
if [[ ! -f "$build/Makefile" ]]; then
  if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >"$log" 2>&1; then
    grep -E 'Error|error' -A4 "$log" | head -40
    echo "build: configuring $build failed (full log: $log)" >&2
    exit 1
  fi
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
# An RTL edit that changes which classes Verilator generates (a new module or parameterisation)
# changes the model's file list; verilate() then reconfigures only on the next build, so this
# build links the old list and misses the new classes. One more build (reconfigured) fixes it.
if ! cmake --build "$build" -j "$jobs" "${targets[@]}" >>"$log" 2>&1 &&
   ! { grep -q "undefined reference to \`V" "$log" &&
       echo "build: the Verilated file lists changed; building again" >>"$log" &&
       cmake --build "$build" -j "$jobs" "${targets[@]}" >>"$log" 2>&1; }; then
  grep -E ': (fatal )?error|%Error|Error [0-9]|CMake Error' -A3 "$log" | head -60
  echo "build: failed (full log: $log)" >&2
  exit 1
fi
echo "build: ${*:-everything} up to date ($(( $(date +%s) - start )) s; log: $log)"
