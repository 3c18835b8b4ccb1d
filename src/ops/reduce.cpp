// Reductions: sum/mean/prod/amax/amin/max/min/argmax/argmin/all/any run on the
// backend's (O, I) reduce kernels; var/std/norm/logsumexp are composed of them.
#include <algorithm>
#include <cmath>
#include <limits>

#include "graph/record.h"
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
  // Reduced dims [first, last] in one run with kept dims after them (e.g. dim 1
  // of (N, K, L)): moving them last would copy the tensor; view it as
  // (A, R, B) instead, which the kernels reduce slab by slab.
  const auto first = std::find(reduced.begin(), reduced.end(), true) - reduced.begin();
  const auto last = std::find(reduced.rbegin(), reduced.rend(), true).base() - reduced.begin() - 1;
  if (nd > 1 && first <= last && last < nd - 1 && x.is_contiguous() &&
      std::all_of(reduced.begin() + first, reduced.begin() + last + 1, [](bool r) { return r; })) {
    int64_t A = 1, B = 1;
    for (int64_t d = 0; d < first; ++d) A *= x.size(d);
    for (int64_t d = last + 1; d < nd; ++d) B *= x.size(d);
    return {x.view({A, inner, B}), A * B, inner, std::move(out_shape)};
  }
  const Tensor permuted = nd == 0 ? x : x.permute(order);
  return {permuted.reshape({outer, inner}), outer, inner, std::move(out_shape)};
}

}  // namespace ops

namespace {

using autograd::Grads;
using autograd::Saved;

// Runs the kernel only; the public ops record their own rules.
Tensor reduce_op(ReduceOp op, const char* name, const Tensor& x, IntArrayRef dims, bool keepdim, Dtype dtype) {
  std::optional<NoGradGuard> internal;
  if (is_grad_enabled() && autograd::requires_grad(x)) internal.emplace();
  ops::ReductionPlan plan = ops::plan_reduction(ops::as_dtype(x, dtype), dims, keepdim, name);
  if (op == ReduceOp::amax || op == ReduceOp::amin)
    EMBER_CHECK(plan.reduced > 0 || plan.outputs == 0, name,
                ": expected a non-empty reduction, but the reduced dims of shape ", x.sizes(), " hold no elements");
  Tensor out = ops::new_tensor(plan.out_shape, dtype, x.device());
  ops::backend_of(out).reduce(op, out.view({plan.outputs}), plan.x);
  return out;
}

// The wrapped, sorted dims a reduction over `dims` (all when empty) covers.
Shape reduced_dims(const Tensor& x, IntArrayRef dims, const char* op) {
  Shape out;
  if (x.dim() == 0) return out;  // a 0-dim tensor has no dims to restore
  if (dims.empty())
    for (int64_t d = 0; d < x.dim(); ++d) out.push_back(d);
  for (int64_t d : dims) out.push_back(wrap_dim(d, x.dim(), op));
  std::sort(out.begin(), out.end());
  return out;
}

// A reduction's gradient (or output) with the reduced dims back as size 1,
// so that it broadcasts against the input.
Tensor keep_dims(const Tensor& g, const Shape& dims, bool keepdim) {
  if (keepdim) return g;
  Tensor out = g;
  for (int64_t d : dims) out = out.unsqueeze(d);
  return out;
}

// amax/amin and full max/min: the gradient goes to the extreme elements,
// shared evenly between ties. dx = g * (x == out) / count(x == out)
Tensor record_extreme(const char* op, const Tensor& out, const Tensor& x, const Shape& dims, bool keepdim) {
  return autograd::record(op, out, {x}, [sx = Saved::input(x), so = Saved::output(out), dims, keepdim](const Tensor& g) {
    const Tensor mask = eq(sx.get(), keep_dims(so.get(), dims, keepdim)).to(g.dtype());
    return Grads{keep_dims(g, dims, keepdim) * mask / mask.sum(dims, true)};
  });
}

// max/min along a dim: the gradient goes to the selected index.
Tensor record_selected(const char* op, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim,
                       bool keepdim) {
  return autograd::record(op, values, {x}, [in = x.sizes().shape(), idx = Saved::input(indices), dim,
                                           keepdim](const Tensor& g) {
    const Shape d{dim};
    return Grads{scatter(zeros(in, {.dtype = g.dtype(), .device = g.device()}), dim, keep_dims(idx.get(), d, keepdim),
                         keep_dims(g, d, keepdim))};
  });
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
  const Tensor s = sum(centered * centered, dims, keepdim);
  const int64_t n = s.numel() == 0 ? 0 : x.numel() / s.numel();
  return s / static_cast<double>(std::max<int64_t>(n - correction, 0));
}

std::pair<Tensor, Tensor> arg_reduce(bool is_max, const char* name, const Tensor& x, int64_t dim, bool keepdim) {
  ops::check_defined(x, name);
  const int64_t w = wrap_dim(dim, x.dim(), name);
  EMBER_CHECK(x.dim() == 0 || x.size(w) > 0, name, ": expected reduction dim ", w,
              " to have a non-zero size, shape ", x.sizes());
  Tensor values, indices;
  {
    NoGradGuard no_grad;
    ops::ReductionPlan plan = ops::plan_reduction(x, {w}, keepdim, name);
    values = ops::new_tensor(plan.out_shape, x.dtype(), x.device());
    indices = ops::new_tensor(plan.out_shape, Dtype::int64, x.device());
    ops::backend_of(x).arg_reduce(is_max, values.view({plan.outputs}), indices.view({plan.outputs}), plan.x);
  }
  if (x.dim() == 0)  // the value itself
    return {autograd::record(name, values, {x}, [](const Tensor& g) { return Grads{g}; }), indices};
  return {record_selected(name, values, indices, x, w, keepdim), indices};
}

Tensor arg_only(bool is_max, const char* name, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  ops::check_defined(x, name);
  NoGradGuard no_grad;  // the indices alone: nothing to differentiate
  if (dim) return arg_reduce(is_max, name, x, *dim, keepdim).second;
  EMBER_CHECK(x.numel() > 0, name, ": expected a non-empty tensor, got shape ", x.sizes());
  Tensor flat = arg_reduce(is_max, name, x.reshape({-1}), 0, false).second;
  return keepdim ? flat.reshape(Shape(static_cast<size_t>(x.dim()), 1)) : flat;
}

}  // namespace

// sum(x) = x_1 + ... + x_n
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x, "sum");
  Tensor out = reduce_op(ReduceOp::sum, "sum", x, dims, keepdim, widen_integers(x.dtype()));
  if (!autograd::should_record_any(out.dtype(), x)) return out;
  // dx = g broadcast back over the reduced dims
  return autograd::record("sum", out, {x},
                          [in = x.sizes().shape(), d = reduced_dims(x, dims, "sum"), keepdim](const Tensor& g) {
                            return Grads{keep_dims(g, d, keepdim).expand(in)};
                          });
}

// mean(x) = sum(x) / n       dx = g / n, broadcast back over the reduced dims
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim) {
  check_float(x, "mean");
  check_dims(x, dims, "mean");
  Tensor out = reduce_op(ReduceOp::sum, "mean", x, dims, keepdim, x.dtype());
  const int64_t n = out.numel() == 0 ? 0 : x.numel() / out.numel();
  {
    NoGradGuard no_grad;
    out.div_(static_cast<double>(n));
  }
  if (!autograd::should_record_any(out.dtype(), x)) return out;
  return autograd::record("mean", out, {x},
                          [in = x.sizes().shape(), d = reduced_dims(x, dims, "mean"), keepdim, n](const Tensor& g) {
                            return Grads{(keep_dims(g, d, keepdim) / static_cast<double>(n)).expand(in)};
                          });
}

// prod(x) = x_1 * ... * x_n
// dx_i = g * prod_{j != i} x_j, computed without dividing by zero: with no zero
// in the slice it is prod / x_i; with one zero, only that element gets the
// product of the others; with more, all get 0.
Tensor prod_backward(const Tensor& g, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  const Tensor xs = dim ? x : x.reshape({-1});
  const int64_t d = dim ? *dim : 0;
  const Tensor gd = !dim ? g.reshape({1}) : (keepdim ? g : g.unsqueeze(d));
  const Tensor is_zero = eq(xs, 0);
  const Tensor zeros_in_slice = is_zero.sum({d}, true);
  const Tensor x_safe = where(is_zero, 1.0, xs);
  const Tensor others = prod(x_safe, d, true);
  const Tensor grad = where(eq(zeros_in_slice, 0), others / x_safe,
                            where(logical_and(is_zero, eq(zeros_in_slice, 1)), others, 0.0));
  return (gd * grad).reshape(x.sizes());
}

Tensor prod(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  ops::check_defined(x, "prod");
  const Dtype dtype = widen_integers(x.dtype());
  Tensor out = dim ? reduce_op(ReduceOp::prod, "prod", x, {*dim}, keepdim, dtype)
                   : reduce_op(ReduceOp::prod, "prod", x, {}, false, dtype);
  std::optional<int64_t> d;  // none: the product of all elements
  if (dim && x.dim() > 0) d = wrap_dim(*dim, x.dim(), "prod");
  return autograd::record("prod", out, {x}, [sx = Saved::input(x), d, keepdim](const Tensor& g) {
    return Grads{prod_backward(g, sx.get(), d, keepdim)};
  });
}

Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x, "amax");
  return record_extreme("amax", reduce_op(ReduceOp::amax, "amax", x, dims, keepdim, x.dtype()), x,
                        reduced_dims(x, dims, "amax"), keepdim);
}
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x, "amin");
  return record_extreme("amin", reduce_op(ReduceOp::amin, "amin", x, dims, keepdim, x.dtype()), x,
                        reduced_dims(x, dims, "amin"), keepdim);
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

// std(x) = sqrt(var(x))    dx = g (x - mean) / ((n - correction) std), and 0 where std = 0 (as PyTorch)
Tensor std(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sqrt(var_impl(x, dims, correction, keepdim, "std"));
  }
  if (!autograd::should_record_any(out.dtype(), x)) return out;
  const int64_t n = out.numel() == 0 ? 0 : x.numel() / out.numel();
  return autograd::record("std", out, {x}, [sx = Saved::input(x), so = Saved::output(out), d = reduced_dims(x, dims, "std"),
                                            keepdim, divisor = static_cast<double>(std::max<int64_t>(n - correction, 0))](
                                               const Tensor& g) {
    const Tensor v = sx.get(), s = keep_dims(so.get(), d, keepdim);
    const Tensor centered = v - v.mean(d, true);
    return Grads{where(eq(s, 0), 0.0, keep_dims(g, d, keepdim) / s) * centered / divisor};
  });
}

// ||x||_p = (sum |x|^p)^(1/p); p = inf: max |x|; p = 0: count of nonzeros
Tensor norm(const Tensor& x, double p, IntArrayRef dims, bool keepdim) {
  check_float(x, "norm");
  check_dims(x, dims, "norm");
  if (p == 1) return sum(abs(x), dims, keepdim);
  if (std::isinf(p)) {
    if (x.numel() == 0) return sum(abs(x), dims, keepdim);  // the norm of nothing is 0
    return p > 0 ? amax(abs(x), dims, keepdim) : amin(abs(x), dims, keepdim);
  }
  if (p == 0) return sum(ne(x, 0), dims, keepdim).to(x.dtype());
  EMBER_CHECK(p > 0, "norm: p must be positive, 0 or +-inf, got ", p);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = p == 2 ? sqrt(sum(x * x, dims, keepdim)) : pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
  }
  // dx = g x |x|^(p-2) / norm^(p-1), and 0 where the norm is 0 (as PyTorch)
  return autograd::record("norm", out, {x}, [sx = Saved::input(x), so = Saved::output(out), d = reduced_dims(x, dims, "norm"),
                                             keepdim, p](const Tensor& g) {
    const Tensor v = sx.get(), n = keep_dims(so.get(), d, keepdim), gk = keep_dims(g, d, keepdim);
    if (p == 2) return Grads{where(eq(n, 0), 0.0, v * (gk / n))};
    // sign(x) |x|^(p-1): finite at x = 0 for p >= 1; masked there for p < 1
    const Tensor dx = sign(v) * pow(abs(v), p - 1) * (gk / pow(n, p - 1));
    return Grads{where(logical_or(eq(n, 0), eq(v, 0)), 0.0, dx)};
  });
}

// logsumexp(x) = m + log(sum(exp(x - m))), m = max(x) (finite) for stability
Tensor logsumexp(const Tensor& x_in, IntArrayRef dims, bool keepdim) {
  ops::check_defined(x_in, "logsumexp");
  check_dims(x_in, dims, "logsumexp");
  const Tensor x = is_floating(x_in.dtype()) ? x_in : x_in.to(default_dtype());
  if (x.numel() == 0) return log(sum(exp(x), dims, keepdim));
  Tensor m;
  {  // a constant shift: the gradient is the same without it
    NoGradGuard no_grad;
    m = amax(x, dims, true);
    m.masked_fill_(ne(abs(m), std::numeric_limits<double>::infinity()).logical_not(), 0);  // inf/nan: shift by 0
  }
  const Tensor s = sum(exp(x - m), dims, keepdim);
  return log(s) + m.view(s.sizes());
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

namespace {

// The running `op` of x along dim (integers widened to int64, as PyTorch's scans).
Tensor scan_values(const Tensor& x, int64_t w, ScanOp op) {
  const Dtype dtype = widen_integers(x.dtype());
  const Tensor src = ops::as_dtype(x, dtype).contiguous();
  Tensor out = ops::new_tensor(x.sizes(), dtype, x.device());
  NoGradGuard no_grad;
  if (x.dim() == 0) return out.copy_(src.detach());
  // (the kernel starts each run at element 0, which an empty tensor lacks)
  if (x.numel() > 0) ops::backend_of(out).scan(op, out, src, w);
  return out;
}

// sum_{j >= i} t_j along dim: a cumulative sum from the end.
Tensor reverse_cumsum(const Tensor& t, int64_t w) { return flip(cumsum(flip(t, {w}), w), {w}); }

}  // namespace

// cumsum(x)_i = x_1 + ... + x_i along dim
Tensor cumsum(const Tensor& x, int64_t dim) {
  ops::check_defined(x, "cumsum");
  const int64_t w = wrap_dim(dim, x.dim(), "cumsum");
  // dx_i = g_i + ... + g_n
  return autograd::record("cumsum", scan_values(x, w, ScanOp::sum), {x},
                          [w](const Tensor& g) { return Grads{g.dim() == 0 ? g : reverse_cumsum(g, w)}; });
}

// cumprod(x)_i = x_1 ... x_i along dim. dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k:
// before a line's first zero that is reverse_cumsum(g y)_i / x_i; at the first
// zero, reverse_cumsum(g y')_i with y' the cumprod of x with that zero set to 1;
// after it, 0 (every product holds the zero). As PyTorch's rule, exact with zeros.
Tensor cumprod(const Tensor& x, int64_t dim) {
  ops::check_defined(x, "cumprod");
  const int64_t w = wrap_dim(dim, x.dim(), "cumprod");
  const Tensor out = scan_values(x, w, ScanOp::prod);
  return autograd::record("cumprod", out, {x}, [w, x_ = autograd::Saved::input(x), y_ = autograd::Saved::output(out)](
                                                   const Tensor& g) {
    const Tensor xv = x_.get(), y = y_.get();
    if (g.dim() == 0) return Grads{g};
    const Tensor zero = eq(xv, 0);
    const Tensor zeros_so_far = cumsum(zero.to(Dtype::int64), w);
    const Tensor before_zero = eq(zeros_so_far, 0), first_zero = logical_and(zero, eq(zeros_so_far, 1));
    const Tensor plain = reverse_cumsum(g * y, w) / where(zero, 1.0, xv);
    const Tensor at_zero = reverse_cumsum(g * cumprod(where(first_zero, 1.0, xv), w), w);
    return Grads{where(before_zero, plain, where(first_zero, at_zero, 0.0))};
  });
}

// logcumsumexp(x)_i = log(e^x_1 + ... + e^x_i), each step log_add_exp in the
// accumulator's precision. dx = e^(x - y) reverse-cumsummed g, computed as
// PyTorch does in log space, positive and negative parts apart (no overflow).
Tensor logcumsumexp(const Tensor& x, int64_t dim) {
  ops::check_defined(x, "logcumsumexp");
  EMBER_CHECK(is_floating(x.dtype()), "logcumsumexp: expected a floating-point input, got ", dtype_name(x.dtype()));
  const int64_t w = wrap_dim(dim, x.dim(), "logcumsumexp");
  const Tensor out = scan_values(x, w, ScanOp::logsumexp);
  return autograd::record("logcumsumexp", out, {x}, [w, x_ = autograd::Saved::input(x), y_ = autograd::Saved::output(out)](
                                                        const Tensor& g) {
    if (g.dim() == 0) return Grads{g};
    const Tensor xv = x_.get(), y = y_.get();
    const auto reverse_logcumsumexp = [w](const Tensor& t) { return flip(logcumsumexp(flip(t, {w}), w), {w}); };
    const double lowest = g.dtype() == Dtype::float64 ? std::numeric_limits<double>::lowest()
                                                      : static_cast<double>(std::numeric_limits<float>::lowest());
    const Tensor log_abs_g = g.abs().log();
    const Tensor log_positive = where(gt(g, 0), log_abs_g, lowest), log_negative = where(lt(g, 0), log_abs_g, lowest);
    return Grads{(reverse_logcumsumexp(log_positive - y) + xv).exp() - (reverse_logcumsumexp(log_negative - y) + xv).exp()};
  });
}

}  // namespace ember
