// The fused optimizer step and the multi-tensor norm on the CPU: the rules of
// backend/optimizer_rules.h run in one parallel pass over raw buffers.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"

namespace ember::cpu {
namespace {

template <class T>
T* pointer(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.data_ptr()) : nullptr;
}

// One thread's range. The body is a copy, so what it reads is visibly
// invariant, and the buffers never alias (__restrict), so the straight-line
// updates vectorize.
template <class T, class Body>
void run(const Body body, int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict s0,
         T* __restrict s1, T* __restrict s2) {
  for (int64_t i = begin; i < end; ++i) body(i, p, g, s0, s1, s2);
}

template <class T, class Body>
void loop(const Body& body, const Tensor& param, const Tensor& grad, const std::array<Tensor, 3>& state) {
  T* p = pointer<T>(param);
  const T* g = pointer<T>(grad);
  T *s0 = pointer<T>(state[0]), *s1 = pointer<T>(state[1]), *s2 = pointer<T>(state[2]);
  parallel_for(param.numel(), 16, [&](int64_t begin, int64_t end) { run<T>(body, begin, end, p, g, s0, s1, s2); });
}

template <class T, class Rule>
void apply(const Rule& rule, const Tensor& param, const Tensor& grad, const std::array<Tensor, 3>& state) {
  loop<T>(rule, param, grad, state);
}

// Adam's three flags become compile-time constants: with them in the loop the
// compiler would not vectorize it (the update is compute-bound for small models).
template <class T>
void apply(const AdamRule& rule, const Tensor& param, const Tensor& grad, const std::array<Tensor, 3>& state) {
  auto with = [&](auto decoupled, auto amsgrad, auto maximize) {
    const AdamFlags<decltype(decoupled)::value, decltype(amsgrad)::value, decltype(maximize)::value> flags;
    const auto body = [rule, flags](int64_t i, T* p, const T* g, T* s0, T* s1, T* s2) {
      rule.update(flags, i, p, g, s0, s1, s2);
    };
    loop<T>(body, param, grad, state);
  };
  auto pick_maximize = [&](auto d, auto a) {
    rule.maximize ? with(d, a, std::true_type{}) : with(d, a, std::false_type{});
  };
  auto pick_amsgrad = [&](auto d) {
    rule.amsgrad ? pick_maximize(d, std::true_type{}) : pick_maximize(d, std::false_type{});
  };
  rule.decoupled ? pick_amsgrad(std::true_type{}) : pick_amsgrad(std::false_type{});
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
