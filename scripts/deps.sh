#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing.
# Idempotent and non-interactive: when everything is present it runs nothing.
#   scripts/deps.sh            build, test and simulation packages
#   scripts/deps.sh --train    also the Python/PyTorch packages for `make train`
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  verilator libsystemc-dev
  catch2 libfmt-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  gtkwave xvfb
  dataset-fashion-mnist
)
if [[ "${1:-}" == "--train" ]]; then
  packages+=(python3 python3-numpy python3-torch nodejs npm)
fi

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
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
