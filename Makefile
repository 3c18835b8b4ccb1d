# The two commands of the README: `make run` (trains LeNet-5 on Fashion-MNIST) and `make test`.
# Both run the set-up (installs Debian packages once), then build incrementally.
.PHONY: run test test-asan build build-asan setup bench clean

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

run: build
	@./build/release/tools/ember train

# Optimized suite, then the same suite under AddressSanitizer + UBSan.
test: build build-asan
	@ctest --preset release
	@ctest --preset debug

test-asan: build-asan
	@ctest --preset debug

bench: build
	@./build/release/bench/ember-bench

clean:
	rm -rf build
