// How an op records itself for backward (used by every file in src/ops):
//
//   // y = tanh(x)       dy/dx = 1 - y^2
//   Tensor y = ...forward...;
//   return autograd::record("tanh", y, {x}, [y = Saved::output(y)](const Tensor& g) {
//     const Tensor t = y.get();
//     return Grads{g * (1 - t * t)};
//   });
//
// record() returns `out` untouched when grad mode is off or no input requires
// grad, so inference pays nothing but the check. Rules use public ops, so they
// are themselves differentiable (create_graph). Gradients of broadcast inputs
// are summed back to the input's shape by the engine, not by each rule.
#pragma once

#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "ember/autograd.h"

namespace ember::autograd {

using Grads = std::vector<Tensor>;

// Makes a stale view's history again, from its base's current one (an
// as_strided of the base): an in-place write through another view, or into the
// base, gave the base a new history after this view was taken.
void refresh_view(const Tensor& view);

inline void refresh_if_stale(const Tensor& t) {
  const TensorImpl* impl = t.impl();
  if (impl->is_view() && impl->history_seen() != impl->storage()->history_version()) refresh_view(t);
}

inline bool requires_grad(const Tensor& t) {
  refresh_if_stale(t);
  const auto& meta = t.impl()->autograd_meta();
  return meta && meta->requires_grad;
}

template <class Range>
bool any_requires_grad(const Range& tensors) {
  for (const Tensor& t : tensors)
    if (t.defined() && requires_grad(t)) return true;
  return false;
}
inline bool any_requires_grad(std::initializer_list<Tensor> tensors) {
  return any_requires_grad<std::initializer_list<Tensor>>(tensors);
}

// Whether an op on these inputs records a node (checked before building a
// rule's captures, so ops that record nothing pay only this).
template <class... Ts>
bool should_record_any(Dtype out_dtype, const Ts&... inputs) {
  return is_grad_enabled() && is_floating(out_dtype) && ((inputs.defined() && requires_grad(inputs)) || ...);
}

// A tensor kept for backward. Inputs keep their history, so double backward
// differentiates through them. Outputs are kept without it (the node would
// own itself otherwise); under create_graph the engine re-attaches them to the
// node being run. get() throws if the data was modified in place since. A
// view is kept without its base (the base's history may come to hold this
// node, through an in-place write, and would then own itself).
class Saved {
 public:
  Saved() = default;
  static Saved input(const Tensor& t) {
    return Saved(t.impl()->is_view() ? Tensor(t.impl()->alias_without_base()) : t, t, false);
  }
  static Saved output(const Tensor& t) { return Saved(t.detach(), t, true); }
  Tensor get() const;

 private:
  Saved(Tensor data, const Tensor& original, bool is_output)
      : data_(std::move(data)), version_(original.storage()->version()), is_output_(is_output) {}
  Tensor data_;
  uint64_t version_ = 0;
  bool is_output_ = false;
};

// Thrown by a node whose saved tensors were freed by an earlier backward.
[[noreturn]] void fail_released(const Node& node);

// A node whose backward rule is the lambda `F` (Grads(const Tensor& g)).
template <class F>
class FnNode final : public Node {
 public:
  FnNode(const char* op, F fn) : Node(op), fn_(std::move(fn)) {}
  // Saved tensors go first, so ~Node sees the edges' true use counts.
  ~FnNode() override { fn_.reset(); }
  std::vector<Tensor> apply(const Tensor& grad) override {
    if (!fn_) fail_released(*this);
    return (*fn_)(grad);
  }
  void release() override { fn_.reset(); }

 private:
  std::optional<F> fn_;
};

// Whether `op` is in the declared list of ops with rules (src/graph/rules.cpp).
bool is_declared_rule(const char* op);

// Makes `node` the grad_fn of `out`, with one edge per input.
void set_history(Tensor& out, std::shared_ptr<Node> node, const Tensor* inputs, size_t count);

// Whether an op with these inputs producing a `dtype` output records a node.
template <class Range>
bool should_record(Dtype dtype, const Range& inputs) {
  return is_grad_enabled() && is_floating(dtype) && any_requires_grad(inputs);
}
inline bool should_record(Dtype dtype, std::initializer_list<Tensor> inputs) {
  return should_record<std::initializer_list<Tensor>>(dtype, inputs);
}

template <class Range, class F>
Tensor record_range(const char* op, Tensor out, const Range& inputs, F&& backward) {
  if (!should_record(out.dtype(), inputs)) return out;
  set_history(out, std::make_shared<FnNode<std::decay_t<F>>>(op, std::forward<F>(backward)), std::data(inputs),
              std::size(inputs));
  return out;
}

template <class F>
Tensor record(const char* op, Tensor out, std::initializer_list<Tensor> inputs, F&& backward) {
  return record_range(op, std::move(out), inputs, std::forward<F>(backward));
}

// For ops with a list of inputs (cat).
template <class F>
Tensor record(const char* op, Tensor out, const std::vector<Tensor>& inputs, F&& backward) {
  return record_range(op, std::move(out), inputs, std::forward<F>(backward));
}

// In-place ops under autograd. When `self` or one of `others` requires grad,
// runs `out_of_place(copy of self)` (recorded as usual), writes the result into
// self and makes its node self's grad_fn; returns true. Returns false when no
// recording is needed (the caller then runs its in-place kernel). A leaf that
// requires grad (or a view of one) is an Error. Through a view, the result goes
// into the view's cells and the base gets the new history (CopySlices: the
// base's old history outside those cells, the result's inside).
template <class F>
bool inplace_recorded(Tensor& self, const char* op, std::initializer_list<Tensor> others, F out_of_place);
void check_inplace(const Tensor& self, const char* op);
void adopt_result(Tensor& self, const Tensor& result);
void write_through_view(Tensor& view, const Tensor& result);

template <class F>
bool inplace_recorded(Tensor& self, const char* op, std::initializer_list<Tensor> others, F out_of_place) {
  if (!is_grad_enabled() || !is_floating(self.dtype()) || !(requires_grad(self) || any_requires_grad(others)))
    return false;
  check_inplace(self, op);
  const Tensor result = out_of_place(self.clone());
  if (self.impl()->is_view()) {
    write_through_view(self, result);
  } else {
    adopt_result(self, result);
  }
  return true;
}

}  // namespace ember::autograd
