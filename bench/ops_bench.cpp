// Tensor-core benchmarks: elementwise bandwidth (GB/s), reductions, matmul
// GFLOP/s against oneDNN called directly, and per-op overhead on 1-element
// tensors. bench/compare_pytorch.py runs the same cases in PyTorch.
#include <benchmark/benchmark.h>
#include <ember/ember.h>
#include <oneapi/dnnl/dnnl.h>

#include <oneapi/dnnl/dnnl.hpp>

using namespace ember;

namespace {

void report_bytes(benchmark::State& state, double bytes_per_iter) {
  state.counters["GB/s"] = benchmark::Counter(bytes_per_iter * static_cast<double>(state.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

void BM_add(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = rand({n}), b = rand({n});
  benchmark::DoNotOptimize(a + b);  // warm-up: the first result faults its pages in
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  report_bytes(state, 3.0 * 4 * static_cast<double>(n));
}

void BM_mul(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = rand({n}), b = rand({n});
  benchmark::DoNotOptimize(a * b);
  for (auto _ : state) benchmark::DoNotOptimize(a * b);
  report_bytes(state, 3.0 * 4 * static_cast<double>(n));
}

void BM_exp(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = rand({n});
  benchmark::DoNotOptimize(a.exp());
  for (auto _ : state) benchmark::DoNotOptimize(a.exp());
  report_bytes(state, 2.0 * 4 * static_cast<double>(n));
}

// The same add into a preallocated output (no allocation or page faults).
void BM_add_inplace(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = rand({n}), b = rand({n});
  for (auto _ : state) benchmark::DoNotOptimize(a.add_(b));
  report_bytes(state, 3.0 * 4 * static_cast<double>(n));
}

void BM_sum(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = rand({n});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
  report_bytes(state, 4.0 * static_cast<double>(n));
}

void report_flops(benchmark::State& state, int64_t n) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(n) * static_cast<double>(n) *
                                                     static_cast<double>(n) * static_cast<double>(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

void BM_matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = randn({n, n}), b = randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(a.matmul(b));
  report_flops(state, n);
}

// oneDNN's sgemm called directly into a preallocated C: the ceiling for BM_matmul.
void BM_sgemm_direct(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = randn({n, n}), b = randn({n, n}), c = empty({n, n});
  for (auto _ : state) {
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data_ptr<float>(), n, b.data_ptr<float>(), n, 0.0f, c.data_ptr<float>(), n);
    benchmark::ClobberMemory();
  }
  report_flops(state, n);
}

// Per-op overhead: one op on 1-element tensors, result allocated each time.
void BM_add_one_element(benchmark::State& state) {
  Tensor a = ones({1}), b = ones({1});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

void BM_add_scalar_one_element(benchmark::State& state) {
  Tensor a = ones({1});
  for (auto _ : state) benchmark::DoNotOptimize(a + 1.0);
}

void BM_sum_one_element(benchmark::State& state) {
  Tensor a = ones({1});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
}

// Autograd overhead: three ops recorded (mul, sum, and the seed) plus the
// backward walk that accumulates into a.grad().
void BM_autograd_tiny_backward(benchmark::State& state) {
  Tensor a = ones({1}).requires_grad_();
  for (auto _ : state) (a * a).sum().backward();
  benchmark::DoNotOptimize(a.grad());
}

// The same forward with a leaf that requires grad, recording only.
void BM_autograd_tiny_record(benchmark::State& state) {
  Tensor a = ones({1}).requires_grad_();
  for (auto _ : state) benchmark::DoNotOptimize((a * a).sum());
}

// A ResNet-style 3x3 convolution, 64 -> 64 channels on 32x32, batch 32:
// forward and backward (input and weight gradients). 3 x 2.4 GFLOP.
void BM_conv2d_train(benchmark::State& state) {
  manual_seed(0);
  Tensor x = randn({32, 64, 32, 32}).requires_grad_();
  Tensor w = randn({64, 64, 3, 3}).requires_grad_();
  for (auto _ : state) {
    F::conv2d(x, w, {}, {1, 1}, {1, 1}).sum().backward();
    x.set_grad({});
    w.set_grad({});
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(3 * 2.0 * 32 * 64 * 64 * 9 * 1024 * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}

// The same layer on oneDNN's convolution primitives (forward, backward-data,
// backward-weights) called directly on Ember's plain NCHW/OIHW layouts: the
// alternative to im2col + GEMM that the choice between them is measured on.
void BM_conv2d_train_onednn_direct(benchmark::State& state) {
  using namespace dnnl;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  const memory::dims x_dims = {32, 64, 32, 32}, w_dims = {64, 64, 3, 3}, strides = {1, 1}, pad = {1, 1};
  const auto f32 = memory::data_type::f32;
  const memory::desc x_md(x_dims, f32, memory::format_tag::nchw), w_md(w_dims, f32, memory::format_tag::oihw),
      y_md(x_dims, f32, memory::format_tag::nchw);
  const convolution_forward::primitive_desc fwd(
      convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, x_md, w_md, y_md, strides,
                                pad, pad),
      eng);
  const convolution_backward_data::primitive_desc bwd_data(
      convolution_backward_data::desc(algorithm::convolution_direct, x_md, w_md, y_md, strides, pad, pad), eng, fwd);
  const convolution_backward_weights::primitive_desc bwd_weights(
      convolution_backward_weights::desc(algorithm::convolution_direct, x_md, w_md, y_md, strides, pad, pad), eng, fwd);
  Tensor x = randn({32, 64, 32, 32}), w = randn({64, 64, 3, 3}), y = empty({32, 64, 32, 32}),
         gy = ones({32, 64, 32, 32}), gx = empty({32, 64, 32, 32}), gw = empty({64, 64, 3, 3});
  memory xm(x_md, eng, x.data_ptr()), wm(w_md, eng, w.data_ptr()), ym(y_md, eng, y.data_ptr()),
      gym(y_md, eng, gy.data_ptr()), gxm(x_md, eng, gx.data_ptr()), gwm(w_md, eng, gw.data_ptr());
  for (auto _ : state) {
    convolution_forward(fwd).execute(s, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
    convolution_backward_data(bwd_data).execute(s, {{DNNL_ARG_DIFF_DST, gym}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, gxm}});
    convolution_backward_weights(bwd_weights)
        .execute(s, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, gym}, {DNNL_ARG_DIFF_WEIGHTS, gwm}});
    s.wait();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(3 * 2.0 * 32 * 64 * 64 * 9 * 1024 * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}

// One AdamW step over 10M float32 parameters: reads param, grad, both
// moments and writes param and both moments: 28 bytes per parameter.
void BM_adamw_step(benchmark::State& state) {
  const int64_t n = 10'000'000;
  Tensor p = nn::parameter(randn({n}));
  p.set_grad(randn({n}));
  optim::AdamW opt({p}, {.lr = 1e-3});
  opt.step();  // state allocated and paged in
  for (auto _ : state) opt.step();
  report_bytes(state, 28.0 * static_cast<double>(n));
}

// The same bytes as a plain streaming kernel: copying 28 bytes per element's worth.
void BM_stream_copy(benchmark::State& state) {
  const int64_t n = 35'000'000;  // 140 MB read + 140 MB written = 280 MB, as the AdamW step
  Tensor src = randn({n}), dst = empty({n});
  dst.copy_(src);
  for (auto _ : state) dst.copy_(src);
  report_bytes(state, 8.0 * static_cast<double>(n));
}

// One shuffled epoch of Fashion-MNIST (60,000 examples), batch 64, from memory
// through the DataLoader's fast path; reports samples per second.
void BM_loader_fashion_mnist(benchmark::State& state) {
  auto train = std::make_shared<data::FashionMNIST>();
  data::DataLoader loader(train, {.batch_size = 64, .shuffle = true});
  int64_t samples = 0;
  for (auto _ : state)
    for (const data::Batch& b : loader) samples += b.data.size(0);
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

// The same epoch through an augmentation pipeline (random crop with padding 4,
// flip, ToTensor, Normalize), two worker threads.
void BM_loader_fashion_mnist_augmented(benchmark::State& state) {
  namespace T = data::transforms;
  auto train = std::make_shared<data::FashionMNIST>(data::FashionMNIST::kDefaultRoot, true,
                                                    T::Compose({T::RandomCrop(28, 4), T::RandomHorizontalFlip(),
                                                                T::ToTensor(), T::Normalize({0.286}, {0.353})}));
  data::DataLoader loader(train, {.batch_size = 64, .shuffle = true, .num_workers = 2});
  int64_t samples = 0;
  for (auto _ : state)
    for (const data::Batch& b : loader) samples += b.data.size(0);
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

// Loading all of Fashion-MNIST (train and test) from the .gz files.
void BM_load_fashion_mnist(benchmark::State& state) {
  for (auto _ : state) {
    data::FashionMNIST train, test(data::FashionMNIST::kDefaultRoot, false);
    benchmark::DoNotOptimize(train.size() + test.size());
  }
}

}  // namespace

BENCHMARK(BM_add)->Arg(1 << 20)->Arg(64 << 20)->UseRealTime();
BENCHMARK(BM_add_inplace)->Arg(1 << 20)->Arg(64 << 20)->UseRealTime();
BENCHMARK(BM_mul)->Arg(1 << 20)->Arg(64 << 20)->UseRealTime();
BENCHMARK(BM_exp)->Arg(1 << 20)->Arg(64 << 20)->UseRealTime();
BENCHMARK(BM_sum)->Arg(1 << 20)->Arg(64 << 20)->UseRealTime();
BENCHMARK(BM_matmul)->Arg(256)->Arg(1024)->Arg(2048)->UseRealTime();
BENCHMARK(BM_sgemm_direct)->Arg(256)->Arg(1024)->Arg(2048)->UseRealTime();
BENCHMARK(BM_add_one_element);
BENCHMARK(BM_add_scalar_one_element);
BENCHMARK(BM_sum_one_element);
BENCHMARK(BM_autograd_tiny_record);
BENCHMARK(BM_autograd_tiny_backward);
BENCHMARK(BM_conv2d_train)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_conv2d_train_onednn_direct)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_adamw_step)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_stream_copy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_loader_fashion_mnist)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_load_fashion_mnist)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_loader_fashion_mnist_augmented)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

BENCHMARK_MAIN();
