// Pointwise ops built from the elementwise ones: clamp with tensor bounds,
// lerp, addcmul and addcdiv, and their in-place forms. Their gradients follow
// from the composition.
#include "ember/creation.h"
#include "ember/ops.h"
#include "graph/record.h"
#include "ops/internal.h"

namespace ember {

Tensor& ops::assign_inplace(Tensor& self, const char* op, std::initializer_list<Tensor> others,
                            const std::function<Tensor(const Tensor&)>& result) {
  ops::check_defined(self, op);
  ops::check_no_internal_overlap(self, op);
  // Checked on both paths, before anything is written into self.
  const auto checked_result = [&](const Tensor& s) {
    Tensor values = result(s);
    EMBER_CHECK(can_cast(values.dtype(), self.dtype()), op, ": result type ", values.dtype(),
                " can't be cast to the desired output type ", self.dtype());
    EMBER_CHECK(values.sizes() == self.sizes(), op, ": the result's shape ", values.sizes(),
                " differs from the tensor's ", self.sizes(), " (in-place ops cannot broadcast self)");
    return values;
  };
  if (autograd::inplace_recorded(self, op, others, checked_result)) return self;
  NoGradGuard no_grad;
  return self.copy_(checked_result(self));
}

// min(max(x, lo), hi) as two wheres: the gradient reaches x where lo <= x <= hi,
// lo where x < lo (and lo <= hi), hi where the result is hi; NaN in x stays.
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  ops::check_defined(x, "clamp");
  EMBER_CHECK(lo.defined() || hi.defined(), "clamp: at least one of min and max must be given");
  EMBER_CHECK(x.dtype() != Dtype::boolean, "clamp: not defined for bool tensors");
  Tensor out = x;
  if (lo.defined()) out = where(lt(out, lo), lo, out);
  if (hi.defined()) out = where(gt(out, hi), hi, out);
  return out.is_same(x) ? x.clone() : out;
}

namespace {

void check_lerp(const Tensor& start, const Tensor& end, const Tensor* weight) {
  ops::check_defined(start, "lerp");
  ops::check_defined(end, "lerp", "end");
  EMBER_CHECK(is_floating(start.dtype()), "lerp: expected a floating-point start, got ", start.dtype());
  EMBER_CHECK(end.dtype() == start.dtype(), "lerp: expected dtype ", start.dtype(), " for end but got ", end.dtype());
  if (weight) {
    ops::check_defined(*weight, "lerp", "weight");
    EMBER_CHECK(weight->dtype() == start.dtype(), "lerp: expected dtype ", start.dtype(), " for weight but got ",
                weight->dtype());
  }
}

}  // namespace

// Two forms, as PyTorch's kernel, so lerp(a, b, 1) is exactly b.
Tensor lerp(const Tensor& start, const Tensor& end, Scalar weight) {
  check_lerp(start, end, nullptr);
  const double w = weight.to<double>();
  const Tensor diff = end - start;
  return std::abs(w) < 0.5 ? start + diff * w : end - diff * (1 - w);
}

Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  check_lerp(start, end, &weight);
  const Tensor diff = end - start;
  return where(lt(abs(weight), 0.5), start + weight * diff, end - diff * (1 - weight));
}

Tensor addcmul(const Tensor& x, const Tensor& t1, const Tensor& t2, Scalar value) {
  ops::check_defined(x, "addcmul");
  ops::check_defined(t1, "addcmul", "tensor1");
  ops::check_defined(t2, "addcmul", "tensor2");
  return x + t1 * value * t2;  // (value t1) t2, PyTorch's order of rounding
}

Tensor addcdiv(const Tensor& x, const Tensor& t1, const Tensor& t2, Scalar value) {
  ops::check_defined(x, "addcdiv");
  ops::check_defined(t1, "addcdiv", "tensor1");
  ops::check_defined(t2, "addcdiv", "tensor2");
  EMBER_CHECK(is_floating(t1.dtype()) || is_floating(t2.dtype()),
              "addcdiv: integer division is not supported (tensor1 ", t1.dtype(), ", tensor2 ", t2.dtype(),
              "); use x + value * tensor1 / tensor2 for true division");
  return x + t1 * value / t2;
}

Tensor& Tensor::clamp_(const Tensor& lo, const Tensor& hi) {
  return ops::assign_inplace(*this, "clamp_", {lo, hi}, [&](const Tensor& s) { return ember::clamp(s, lo, hi); });
}
Tensor& Tensor::lerp_(const Tensor& end, Scalar weight) {
  return ops::assign_inplace(*this, "lerp_", {end}, [&](const Tensor& s) { return ember::lerp(s, end, weight); });
}
Tensor& Tensor::lerp_(const Tensor& end, const Tensor& weight) {
  return ops::assign_inplace(*this, "lerp_", {end, weight}, [&](const Tensor& s) { return ember::lerp(s, end, weight); });
}
Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, Scalar value) {
  return ops::assign_inplace(*this, "addcmul_", {t1, t2}, [&](const Tensor& s) { return ember::addcmul(s, t1, t2, value); });
}
Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, Scalar value) {
  return ops::assign_inplace(*this, "addcdiv_", {t1, t2}, [&](const Tensor& s) { return ember::addcdiv(s, t1, t2, value); });
}

}  // namespace ember
