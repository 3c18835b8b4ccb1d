// Helpers for the optimizers' fused updates: every parameter's update is one
// parallel pass over raw contiguous float/double buffers (no temporaries).
#pragma once

#include "backend/cpu/loops.h"
#include "ember/creation.h"
#include "ember/optim/optimizer.h"

namespace ember::optim::fused {

// The gradient of p, contiguous (copied only if it is not).
inline Tensor grad_of(const Tensor& p) {
  const Tensor& g = p.grad();
  EMBER_CHECK(g.sizes() == p.sizes(), "optimizer: gradient of shape ", g.sizes(), " does not match parameter ",
              p.sizes());
  return g.dtype() == p.dtype() && g.is_contiguous() ? g : g.to(p.dtype()).contiguous();
}

// The named buffer of a parameter's state, made (filled with `init`) on first use.
inline Tensor& buffer(ParamState& s, const std::string& name, const Tensor& like, double init = 0.0) {
  Tensor& b = s.buffers[name];
  if (!b.defined()) b = full(like.sizes(), init, {.dtype = like.dtype()});
  return b;
}

template <class T>
T* ptr(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.data_ptr()) : nullptr;
}

// f(T{}) with T the parameter's element type.
template <class F>
void dispatch(const Tensor& p, F f) {
  if (p.dtype() == Dtype::float32) f(float{});
  else f(double{});
}

// body(i) for i in [0, n), split across threads above the grain size.
template <class Body>
void for_each(int64_t n, Body body) {
  cpu::parallel_for(n, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) body(i);
  });
}

// body(begin, end) over chunks of [0, n), split across threads above the grain size.
template <class Body>
void for_range(int64_t n, Body body) {
  cpu::parallel_for(n, 16, body);
}

}  // namespace ember::optim::fused
