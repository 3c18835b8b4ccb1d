// Helpers shared by the op files: result allocation, argument checks, and
// the in-place rules (castable result dtype, no self-overlapping output).
#pragma once

#include <functional>

#include "backend/backend.h"
#include "ember/creation.h"
#include "ember/ops.h"

namespace ember::ops {

inline Tensor new_tensor(IntArrayRef sizes, Dtype dtype, Device device) {
  const int64_t numel = shape_numel(sizes);
  auto storage = IntrusivePtr<Storage>::make(static_cast<size_t>(numel) * element_size(dtype), device);
  return Tensor(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, sizes.shape(), contiguous_strides(sizes), 0));
}

inline Backend& backend_of(const Tensor& t) { return backend_for(t.device()); }

// The backend that copies src into dst: theirs when both are on one device,
// otherwise the non-CPU side's (a transfer); an Error for two different non-CPU devices.
Backend& copy_backend(const Tensor& dst, const Tensor& src, const char* op);

inline void check_defined(const Tensor& t, const char* op, const char* what = "input") {
  EMBER_CHECK(t.defined(), op, ": ", what, " tensor is undefined");
}

// Checks that read values (index bounds, probabilities) run where there are
// values: never on the meta device.
inline bool has_values(const Tensor& t) { return !t.is_meta(); }
// Ops whose result's shape depends on the values (nonzero, masked_select) cannot run on meta.
inline void check_has_values(const Tensor& t, const char* op) {
  EMBER_CHECK(!t.is_meta(), op, ": the result's shape depends on the values of the input (shape ", t.sizes(),
              "), and a meta tensor has none");
}

// PyTorch lets a 0-dim CPU tensor (a number held in a tensor) join an op on
// any device: t moved to other's device when it is one, t itself otherwise.
inline Tensor with_device_of(const Tensor& t, const Tensor& other) {
  return t.device() != other.device() && t.dim() == 0 && t.device().is_cpu() ? t.to(other.device()) : t;
}

inline void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  EMBER_CHECK(a.device() == b.device(), op, ": expected all tensors on one device, got ", a.device(), " and ",
              b.device());
}

// A 0-dim tensor holding `value` as `dtype`.
inline Tensor scalar_as(Scalar value, Dtype dtype, Device device) {
  Tensor t = new_tensor({}, dtype, device);
  backend_for(device).fill(t, value);
  return t;
}

// Casts only when needed.
inline Tensor as_dtype(const Tensor& t, Dtype dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

// A view of t broadcast to `shape` (t itself when the shape already matches).
inline Tensor broadcast_to(const Tensor& t, IntArrayRef shape) {
  return t.sizes() == shape ? t : t.expand(shape);
}

// The in-place form of a composite op: `result(self)` replaces self's values (cast to its dtype,
// which must be able to hold them); under autograd it is recorded as self's new history.
Tensor& assign_inplace(Tensor& self, const char* op, std::initializer_list<Tensor> others,
                       const std::function<Tensor(const Tensor&)>& result);

// In-place outputs may not have several elements at one address (expanded views).
void check_no_internal_overlap(const Tensor& t, const char* op);
// True when a and b may read/write the same bytes without being the same view.
bool partially_overlaps(const Tensor& a, const Tensor& b);
// Marks t's storage as modified in place (autograd's version counter).
inline void bump_version(const Tensor& t) { t.storage()->bump_version(); }

// The gradient of a view op: zeros of the input's shape with `view_of(zeros)`
// set to g. Recorded, so double backward works (its own gradient is view_of(gg)).
Tensor view_backward(const Tensor& g, IntArrayRef input_sizes, std::function<Tensor(const Tensor&)> view_of,
                     const char* op);

// Reduction plumbing: wraps dims, then returns x viewed as (kept, reduced) and
// the output shape (with or without keepdim).
struct ReductionPlan {
  // (O, I); or, when the reduced dims are one run of a contiguous tensor
  // followed by kept dims, the copy-free (A, R, B) view reduced over R.
  Tensor x;
  int64_t outputs = 0, reduced = 0;  // O (= A * B) and I (= R)
  Shape out_shape;
};
ReductionPlan plan_reduction(const Tensor& x, IntArrayRef dims, bool keepdim, const char* op);

}  // namespace ember::ops
