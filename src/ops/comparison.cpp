// Inspection and closeness: isnan/isinf/isfinite, nan_to_num, isclose,
// allclose and equal, composed of the elementwise ops (PyTorch's formulas).
#include <cmath>
#include <limits>

#include "ember/creation.h"
#include "ember/ops.h"
#include "ops/internal.h"

namespace ember {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor all_false(const Tensor& x) { return zeros(x.sizes(), {.dtype = Dtype::boolean, .device = x.device()}); }

// The largest finite value of a floating dtype.
double largest_finite(Dtype dtype) {
  switch (dtype) {
    case Dtype::float16: return 65504.0;
    case Dtype::bfloat16: return 3.3895313892515355e38;  // (2 - 2^-7) 2^127
    case Dtype::float32: return std::numeric_limits<float>::max();
    default: return std::numeric_limits<double>::max();
  }
}

// float16 and bfloat16 are stored, not computed in: their values are looked
// at in float32, which holds each of them exactly.
Tensor computable(const Tensor& x) {
  return x.dtype() == Dtype::float16 || x.dtype() == Dtype::bfloat16 ? x.to(Dtype::float32) : x;
}

}  // namespace

Tensor isnan(const Tensor& x) {
  ops::check_defined(x, "isnan");
  const Tensor v = computable(x);
  return is_floating(x.dtype()) ? ne(v, v) : all_false(x);
}

Tensor isinf(const Tensor& x) {
  ops::check_defined(x, "isinf");
  return is_floating(x.dtype()) ? eq(abs(computable(x)), kInf) : all_false(x);
}

Tensor isfinite(const Tensor& x) {
  ops::check_defined(x, "isfinite");
  // NaN compares false, so it is not finite either
  return is_floating(x.dtype()) ? lt(abs(computable(x)), kInf) : logical_not(all_false(x));
}

// The gradient reaches x where it is finite (the replaced elements are constants).
Tensor nan_to_num(const Tensor& x, double nan, std::optional<double> posinf, std::optional<double> neginf) {
  ops::check_defined(x, "nan_to_num");
  if (!is_floating(x.dtype())) return x.clone();
  const double high = posinf.value_or(largest_finite(x.dtype())), low = neginf.value_or(-largest_finite(x.dtype()));
  const Tensor v = computable(x);
  return ops::as_dtype(where(ne(v, v), nan, where(eq(v, kInf), high, where(eq(v, -kInf), low, v))), x.dtype());
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  ops::check_defined(a, "isclose");
  ops::check_defined(b, "isclose", "other");
  EMBER_CHECK(a.dtype() == b.dtype(), "isclose: both tensors must have one dtype, got ", a.dtype(), " and ",
              b.dtype());
  EMBER_CHECK(rtol >= 0, "isclose: rtol must be greater than or equal to zero, got ", rtol);
  EMBER_CHECK(atol >= 0, "isclose: atol must be greater than or equal to zero, got ", atol);
  const Tensor x = computable(a.detach()), y = computable(b.detach());
  Tensor close = eq(x, y);  // also equal infinities
  if (equal_nan && is_floating(x.dtype())) close = logical_or(close, logical_and(isnan(x), isnan(y)));
  if (rtol == 0 && atol == 0) return close;
  const Dtype work = x.dtype() == Dtype::boolean ? default_dtype() : x.dtype();
  const Tensor xw = ops::as_dtype(x, work), yw = ops::as_dtype(y, work);
  const Tensor error = abs(xw - yw);
  const Tensor allowed = abs(yw * rtol) + atol;
  return logical_or(close, logical_and(isfinite(error), le(error, allowed)));
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return isclose(a, b, rtol, atol, equal_nan).all().item<bool>();
}

bool equal(const Tensor& a, const Tensor& b) {
  ops::check_defined(a, "equal");
  ops::check_defined(b, "equal", "other");
  return a.sizes() == b.sizes() && eq(a.detach(), b.detach()).all().item<bool>();
}

Tensor& Tensor::nan_to_num_(double nan, std::optional<double> posinf, std::optional<double> neginf) {
  return ops::assign_inplace(*this, "nan_to_num_", {},
                             [&](const Tensor& s) { return ember::nan_to_num(s, nan, posinf, neginf); });
}

}  // namespace ember
