// Reductions: sum/mean/prod/amax/amin/max/min/argmax/argmin/all/any run on the
// backend's (O, I) reduce kernels; var/std/norm/logsumexp are composed of them.
#include <cmath>
#include <limits>

#include "ops/internal.h"

namespace ember {
namespace ops {

ReductionPlan plan_reduction(const Tensor& x, IntArrayRef dims, bool keepdim, const char* op) {
  check_defined(x, op);
  const int64_t nd = x.dim();
  std::vector<bool> reduced(static_cast<size_t>(std::max<int64_t>(nd, 1)), dims.empty());
  for (int64_t d : dims) {
    const size_t w = static_cast<size_t>(wrap_dim(d, nd, op));
    EMBER_CHECK(dims.empty() || !reduced[w], op, ": dim ", w, " appears multiple times in the list of dims ", dims);
    reduced[w] = true;
  }
  Shape order, out_shape;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < nd; ++d) {
    const size_t du = static_cast<size_t>(d);
    if (!reduced[du]) order.push_back(d), outer *= x.size(d), out_shape.push_back(x.size(d));
    else if (keepdim) out_shape.push_back(1);
  }
  for (int64_t d = 0; d < nd; ++d)
    if (reduced[static_cast<size_t>(d)]) order.push_back(d), inner *= x.size(d);
  if (keepdim) {  // rebuild in dim order: kept sizes stay, reduced become 1
    out_shape.clear();
    for (int64_t d = 0; d < nd; ++d) out_shape.push_back(reduced[static_cast<size_t>(d)] ? 1 : x.size(d));
  }
  const Tensor permuted = nd == 0 ? x : x.permute(order);
  return {permuted.reshape({outer, inner}), std::move(out_shape)};
}

}  // namespace ops

namespace {

Tensor reduce_op(ReduceOp op, const char* name, const Tensor& x, IntArrayRef dims, bool keepdim, Dtype dtype) {
  ops::ReductionPlan plan = ops::plan_reduction(ops::as_dtype(x, dtype), dims, keepdim, name);
  if (op == ReduceOp::amax || op == ReduceOp::amin)
    EMBER_CHECK(plan.x2d.size(1) > 0 || plan.x2d.size(0) == 0, name,
                ": expected a non-empty reduction, but the reduced dims of shape ", x.sizes(), " hold no elements");
  Tensor out = ops::new_tensor({plan.x2d.size(0)}, dtype, x.device());
  ops::backend_of(out).reduce(op, out, plan.x2d);
  return out.view(plan.out_shape);
}

Dtype widen_integers(Dtype d) { return is_integral(d, true) ? Dtype::int64 : d; }

void check_float(const Tensor& x, const char* op) {
  ops::check_defined(x, op);
  EMBER_CHECK(is_floating(x.dtype()), op, ": expected a floating point input, got ", dtype_name(x.dtype()),
              " (convert with to(kFloat32) first)");
}

// Composites (mean, var, norm, ...) check their dims up front so that a bad dim
// is reported under their own name, not that of the op they are built on.
void check_dims(const Tensor& x, IntArrayRef dims, const char* op) {
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), false);
  for (int64_t d : dims) {
    const size_t w = static_cast<size_t>(wrap_dim(d, x.dim(), op));
    EMBER_CHECK(!seen[w], op, ": dim ", w, " appears multiple times in the list of dims ", dims);
    seen[w] = true;
  }
}

// var and std share this; `op` names the one the caller used.
Tensor var_impl(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim, const char* op) {
  check_float(x, op);
  check_dims(x, dims, op);
  const Tensor centered = x - mean(x, dims, true);
  Tensor s = sum(centered * centered, dims, keepdim);
  const int64_t n = s.numel() == 0 ? 0 : x.numel() / s.numel();
  return s.div_(static_cast<double>(std::max<int64_t>(n - correction, 0)));
}

std::pair<Tensor, Tensor> arg_reduce(bool is_max, const char* name, const Tensor& x, int64_t dim, bool keepdim) {
  ops::check_defined(x, name);
  const int64_t w = wrap_dim(dim, x.dim(), name);
  EMBER_CHECK(x.dim() == 0 || x.size(w) > 0, name, ": expected reduction dim ", w,
              " to have a non-zero size, shape ", x.sizes());
  ops::ReductionPlan plan = ops::plan_reduction(x, {w}, keepdim, name);
  Tensor values = ops::new_tensor({plan.x2d.size(0)}, x.dtype(), x.device());
  Tensor indices = ops::new_tensor({plan.x2d.size(0)}, Dtype::int64, x.device());
  ops::backend_of(x).arg_reduce(is_max, values, indices, plan.x2d);
  return {values.view(plan.out_shape), indices.view(plan.out_shape)};
}

Tensor arg_only(bool is_max, const char* name, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  ops::check_defined(x, name);
  if (dim) return arg_reduce(is_max, name, x, *dim, keepdim).second;
  EMBER_CHECK(x.numel() > 0, name, ": expected a non-empty tensor, got shape ", x.sizes());
  Tensor flat = arg_reduce(is_max, name, x.reshape({-1}), 0, false).second;
  return keepdim ? flat.reshape(Shape(static_cast<size_t>(x.dim()), 1)) : flat;
}

}  // namespace

// sum(x) = x_1 + ... + x_n
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x, "sum");
  return reduce_op(ReduceOp::sum, "sum", x, dims, keepdim, widen_integers(x.dtype()));
}

// mean(x) = sum(x) / n
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim) {
  check_float(x, "mean");
  check_dims(x, dims, "mean");
  Tensor s = sum(x, dims, keepdim);
  const int64_t n = s.numel() == 0 ? 0 : x.numel() / s.numel();
  return s.div_(static_cast<double>(n));
}

Tensor prod(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  ops::check_defined(x, "prod");
  const Dtype dtype = widen_integers(x.dtype());
  if (!dim) return reduce_op(ReduceOp::prod, "prod", x, {}, false, dtype);
  return reduce_op(ReduceOp::prod, "prod", x, {*dim}, keepdim, dtype);
}

Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x, "amax");
  return reduce_op(ReduceOp::amax, "amax", x, dims, keepdim, x.dtype());
}
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x, "amin");
  return reduce_op(ReduceOp::amin, "amin", x, dims, keepdim, x.dtype());
}

Tensor max(const Tensor& x) {
  ops::check_defined(x, "max");
  EMBER_CHECK(x.numel() > 0, "max: expected a non-empty tensor (or give a dim), got shape ", x.sizes());
  return amax(x);
}
Tensor min(const Tensor& x) {
  ops::check_defined(x, "min");
  EMBER_CHECK(x.numel() > 0, "min: expected a non-empty tensor (or give a dim), got shape ", x.sizes());
  return amin(x);
}
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) { return arg_reduce(true, "max", x, dim, keepdim); }
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) { return arg_reduce(false, "min", x, dim, keepdim); }
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_only(true, "argmax", x, dim, keepdim); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_only(false, "argmin", x, dim, keepdim); }

// var(x) = sum((x - mean(x))^2) / (n - correction)
Tensor var(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  return var_impl(x, dims, correction, keepdim, "var");
}

// std(x) = sqrt(var(x))
Tensor std(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  return var_impl(x, dims, correction, keepdim, "std").sqrt_();
}

// ||x||_p = (sum |x|^p)^(1/p); p = inf: max |x|; p = 0: count of nonzeros
Tensor norm(const Tensor& x, double p, IntArrayRef dims, bool keepdim) {
  check_float(x, "norm");
  check_dims(x, dims, "norm");
  if (p == 2) return sum(x * x, dims, keepdim).sqrt_();
  if (p == 1) return sum(abs(x), dims, keepdim);
  if (std::isinf(p)) {
    if (x.numel() == 0) return sum(abs(x), dims, keepdim);  // the norm of nothing is 0
    return p > 0 ? amax(abs(x), dims, keepdim) : amin(abs(x), dims, keepdim);
  }
  if (p == 0) return sum(ne(x, 0), dims, keepdim).to(x.dtype());
  EMBER_CHECK(p > 0, "norm: p must be positive, 0 or +-inf, got ", p);
  return pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
}

// logsumexp(x) = m + log(sum(exp(x - m))), m = max(x) (finite) for stability
Tensor logsumexp(const Tensor& x_in, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x_in, "logsumexp");
  check_dims(x_in, dims, "logsumexp");
  const Tensor x = is_floating(x_in.dtype()) ? x_in : x_in.to(default_dtype());
  if (x.numel() == 0) return log(sum(exp(x), dims, keepdim));
  Tensor m = amax(x, dims, true);
  m.masked_fill_(ne(abs(m), std::numeric_limits<double>::infinity()).logical_not(), 0);  // inf/nan: shift by 0
  const Tensor s = sum(exp(x - m), dims, keepdim);
  return log(s).add_(m.view(s.sizes()));
}

Tensor all(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  ops::check_defined(x, "all");
  if (!dim) return reduce_op(ReduceOp::all, "all", x, {}, false, Dtype::boolean);
  return reduce_op(ReduceOp::all, "all", x, {*dim}, keepdim, Dtype::boolean);
}

Tensor any(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  ops::check_defined(x, "any");
  if (!dim) return reduce_op(ReduceOp::any, "any", x, {}, false, Dtype::boolean);
  return reduce_op(ReduceOp::any, "any", x, {*dim}, keepdim, Dtype::boolean);
}

// cumsum(x)_i = x_1 + ... + x_i along dim
Tensor cumsum(const Tensor& x, int64_t dim) {
  ops::check_defined(x, "cumsum");
  const int64_t w = wrap_dim(dim, x.dim(), "cumsum");
  const Dtype dtype = widen_integers(x.dtype());
  const Tensor src = ops::as_dtype(x, dtype).contiguous();
  Tensor out = ops::new_tensor(x.sizes(), dtype, x.device());
  if (x.dim() == 0) return out.copy_(src);
  if (x.numel() == 0) return out;  // the kernel starts each run at element 0, which an empty tensor lacks
  ops::backend_of(out).cumsum(out, src, w);
  return out;
}

}  // namespace ember
