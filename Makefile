# The two commands of the README: `make run` (trains LeNet-5 on Fashion-MNIST) and `make test`.
# Both run the set-up (installs Debian packages once), then build incrementally.
.PHONY: run test test-asan build build-asan build-fuzz fuzz setup bench clean

setup:
	@bash scripts/setup.sh

build/release/build.ninja:
	cmake --preset release

build/debug/build.ninja:
	cmake --preset debug

build: setup build/release/build.ninja
	@cmake --build --preset release

build-asan: setup build/debug/build.ninja
	@cmake --build --preset debug

build/fuzz/build.ninja:
	cmake --preset fuzz

build-fuzz: setup build/fuzz/build.ninja
	@cmake --build --preset fuzz

run: build
	@./build/release/tools/ember train

# Optimized suite, the same suite under AddressSanitizer + UBSan, then each
# parser's libFuzzer target for 20 s (ASan + UBSan too).
test: build build-asan build-fuzz
	@ctest --preset release
	@ctest --preset debug
	@ctest --preset fuzz

# The fuzz targets for longer: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 300
fuzz: setup
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

test-asan: build-asan
	@ctest --preset debug

bench: build
	@./build/release/bench/ember-bench

clean:
	rm -rf build
