// The fused optimizer step and the multi-tensor norm on the CPU: the rules of
// backend/optimizer_rules.h run in one parallel pass over raw buffers.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"

namespace ember::cpu {
namespace {

template <class T>
T* pointer(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.data_ptr()) : nullptr;
}

// The rule is copied into the loop so its flags are visibly invariant there (the
// compiler then hoists the branches and vectorizes the straight-line bodies).
template <class T, class Rule>
void apply(const Rule rule, const Tensor& param, const Tensor& grad, const std::array<Tensor, 3>& state) {
  T* p = pointer<T>(param);
  const T* g = pointer<T>(grad);
  T *s0 = pointer<T>(state[0]), *s1 = pointer<T>(state[1]), *s2 = pointer<T>(state[2]);
  parallel_for(param.numel(), 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) rule(i, p, g, s0, s1, s2);
  });
}

}  // namespace

void optimizer_step(const OptimizerRule& rule, const Tensor& param, const Tensor& grad,
                    const std::array<Tensor, 3>& state) {
  std::visit(
      [&](const auto& r) {
        if (param.dtype() == Dtype::float32) apply<float>(r, param, grad, state);
        else apply<double>(r, param, grad, state);
      },
      rule);
}

void total_norm(const Tensor& out, std::span<const Tensor> tensors, double norm_type) {
  const bool is_max = std::isinf(norm_type);
  // sum |x|^q (or max |x|) of x[begin, end), in double.
  auto part = [&](const auto* x, int64_t begin, int64_t end) {
    double acc = 0.0;
    for (int64_t i = begin; i < end; ++i) {
      const double a = std::abs(static_cast<double>(x[i]));
      if (is_max) acc = std::max(acc, a);
      else if (norm_type == 2.0) acc += a * a;
      else if (norm_type == 1.0) acc += a;
      else acc += std::pow(a, norm_type);
    }
    return acc;
  };
  // Fixed chunks combined in order: the result does not depend on the thread count.
  constexpr int64_t kChunk = 65536;
  double total = 0.0;
  for (const Tensor& t : tensors) {
    const int64_t n = t.numel(), chunks = (n + kChunk - 1) / kChunk;
    std::vector<double> partial(static_cast<size_t>(chunks), 0.0);
    dispatch_float(t.dtype(), "total_norm", [&](auto tag) {
      const auto* x = static_cast<const decltype(tag)*>(t.data_ptr());
      parallel_for(chunks, kChunk, [&](int64_t first, int64_t last) {
        for (int64_t c = first; c < last; ++c)
          partial[static_cast<size_t>(c)] = part(x, c * kChunk, std::min(n, (c + 1) * kChunk));
      });
    });
    for (double v : partial) total = is_max ? std::max(total, v) : total + v;
  }
  if (!is_max && norm_type != 1.0) total = norm_type == 2.0 ? std::sqrt(total) : std::pow(total, 1.0 / norm_type);
  *static_cast<double*>(out.data_ptr()) = total;
}

}  // namespace ember::cpu
