#!/usr/bin/env bash
# Runs the libFuzzer targets for longer than `make test` does (20 s each).
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 600 csv idx
# Targets: safetensors idx cifar csv metadata run_config (default: all).
# New inputs collect in build/fuzz/fuzz/corpus/<target>; a crash is written to
# build/fuzz/fuzz/crashes/ and stops that target with a non-zero status. Copy
# a crash into fuzz/corpus/<target>/regression-<what> once it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors idx cifar csv metadata run_config)
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz
bin=build/fuzz/fuzz
status=0
for t in "${targets[@]}"; do
  echo "fuzz: $t for ${seconds} s"
  "$bin/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$bin/crashes/$t-" "$bin/corpus/$t" "fuzz/corpus/$t" 2>&1 |
    grep -E "^stat::number_of_executed_units|^Done|ERROR|SUMMARY|Test unit written" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status
