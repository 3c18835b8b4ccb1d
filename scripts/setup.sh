#!/usr/bin/env bash
# Installs everything Ember's build, tests and benchmarks need, from Debian's
# packages only. Idempotent: when every package is present it does nothing.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache make pkg-config
  libdnnl-dev      # oneDNN: GEMM (and later convolution, pooling, RNN)
  libsleef-dev     # SLEEF: vectorized exp/log/tanh/sin/cos
  zlib1g-dev       # gzip-compressed datasets
  nlohmann-json3-dev  # safetensors headers
  libstb-dev       # stb_image: PNG/JPEG decoding for ImageFolder
  libplplot-dev plplot-driver-cairo  # PLplot and its headless pngcairo device: training curves
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev  # libFuzzer and clang's sanitizers: the fuzz targets of the parsers
  dataset-fashion-mnist  # /usr/share/datasets/fashion-mnist, used by training
  python3-optuna   # the tune tests check that Optuna itself loads the journals Ember writes
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
