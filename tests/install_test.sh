#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds examples/ against it
# twice (CMake's find_package(Ember) and pkg-config's ember.pc), and trains the
# example MLP for one short epoch. Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" > /dev/null
test -x "$work/prefix/bin/ember"
"$work/prefix/bin/ember" models | grep -q lenet5

launcher=()
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$source/examples" -B "$work/cmake-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" > /dev/null
cmake --build "$work/cmake-build" > /dev/null
# One epoch over the whole training set (about a second in a release build).
"$work/cmake-build/train_mlp" 1 | tee "$work/out.txt"
grep -q "epoch 1  train_loss" "$work/out.txt"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
c++ -O1 -o "$work/train_mlp_pc" "$source/examples/train_mlp.cpp" $(pkg-config --cflags --libs ember)
test -x "$work/train_mlp_pc"
echo "install test: ok"
