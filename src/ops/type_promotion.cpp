// PyTorch's result_type: dimensioned tensors outrank 0-dim tensors, which
// outrank wrapped scalars; a lower-priority operand only matters when it is
// of a higher category (bool < integral < floating).
#include "ops/internal.h"

namespace ember {
namespace {

struct PromotionState {
  std::optional<Dtype> dimensioned, zero_dim, wrapped;
};

void promote_into(std::optional<Dtype>& slot, Dtype d) { slot = slot ? promote_types(*slot, d) : d; }

std::optional<Dtype> combine(std::optional<Dtype> higher, std::optional<Dtype> lower) {
  if (!higher) return lower;
  if (!lower || is_floating(*higher)) return higher;
  if (*higher == Dtype::boolean || is_floating(*lower)) return promote_types(*higher, *lower);
  return higher;
}

Dtype finish(const PromotionState& s) {
  return *combine(s.dimensioned, combine(s.zero_dim, s.wrapped));
}

void add_tensor(PromotionState& s, const Tensor& t) {
  promote_into(t.dim() == 0 ? s.zero_dim : s.dimensioned, t.dtype());
}

void add_scalar(PromotionState& s, Scalar v) {
  // A wrapped float counts as the default dtype, not float64.
  promote_into(s.wrapped, v.is_floating() ? default_dtype() : v.dtype());
}

}  // namespace

Dtype result_type(const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return a.dtype();
  PromotionState s;
  add_tensor(s, a);
  add_tensor(s, b);
  return finish(s);
}

Dtype result_type(const Tensor& a, Scalar b) {
  PromotionState s;
  add_tensor(s, a);
  add_scalar(s, b);
  return finish(s);
}

}  // namespace ember
