// Elementwise ops: broadcasting, type promotion and in-place rules around the
// backend's unary/binary/clamp/where kernels.
#include "graph/record.h"
#include "ops/internal.h"

namespace ember {
namespace ops {

void check_no_internal_overlap(const Tensor& t, const char* op) {
  for (int64_t d = 0; d < t.dim(); ++d)
    EMBER_CHECK(t.stride(d) != 0 || t.size(d) <= 1, op,
                ": unsupported operation: more than one element of the written-to tensor (shape ", t.sizes(),
                ", strides ", t.strides(), ") refers to a single memory location; clone() it first");
}

namespace {
// [first, last] byte offsets into its storage a view can touch (offsets, not
// addresses, so meta tensors, which have no memory, compare too).
std::pair<int64_t, int64_t> byte_range(const Tensor& t) {
  const int64_t base = t.storage_offset() * static_cast<int64_t>(t.element_size());
  int64_t lo = 0, hi = 0;
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t reach = (t.size(d) - 1) * t.stride(d);
    (reach < 0 ? lo : hi) += reach;
  }
  const int64_t es = static_cast<int64_t>(t.element_size());
  return {base + lo * es, base + hi * es + es - 1};
}
}  // namespace

Backend& copy_backend(const Tensor& dst, const Tensor& src, const char* op) {
  const Device to = dst.device(), from = src.device();
  if (to == from) return backend_for(to);
  EMBER_CHECK(to.is_cpu() || from.is_cpu(), op, ": cannot copy between ", from, " and ", to,
              " directly; copy through the cpu");
  return backend_for(to.is_cpu() ? from : to);
}

bool partially_overlaps(const Tensor& a, const Tensor& b) {
  if (a.storage().get() != b.storage().get() || a.numel() == 0 || b.numel() == 0) return false;
  if (a.storage_offset() == b.storage_offset() && a.sizes() == b.sizes() && a.strides() == b.strides()) return false;
  const auto [a0, a1] = byte_range(a);
  const auto [b0, b1] = byte_range(b);
  return a0 <= b1 && b0 <= a1;
}

}  // namespace ops

namespace {

using autograd::Grads;
using autograd::Saved;
using ops::as_dtype;
using ops::broadcast_to;

Shape broadcast_of(const Tensor& a, const Tensor& b, const char* op) {
  return a.sizes() == b.sizes() ? a.sizes().shape() : broadcast_shapes(a.sizes(), b.sizes(), op);
}

// The dtype `op` computes in, given the promoted type of its operands.
Dtype compute_dtype(BinaryOp op, Dtype promoted, Scalar alpha, const char* name) {
  if (op == BinaryOp::div && is_integral(promoted, true)) return default_dtype();
  if (op == BinaryOp::sub && promoted == Dtype::boolean)
    detail::fail(name, ": subtraction with two bool tensors is not supported; use logical_xor() instead");
  if ((op == BinaryOp::add || op == BinaryOp::sub) && alpha.is_floating() && is_integral(promoted, true))
    detail::fail(name, ": for integral input tensors, alpha must not be a floating point number (got ", alpha, ")");
  return promoted;
}

// The kernel call alone (no recording; the casts and broadcasts it makes are internal).
Tensor binary_op(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Dtype promoted, Scalar alpha = 1) {
  std::optional<NoGradGuard> internal;
  if (is_grad_enabled() && (autograd::requires_grad(a) || autograd::requires_grad(b))) internal.emplace();
  ops::check_defined(a, name);
  ops::check_defined(b, name);
  if (a.device() != b.device()) [[unlikely]] {
    const Tensor a_moved = ops::with_device_of(a, b), b_moved = ops::with_device_of(b, a);
    ops::check_same_device(a_moved, b_moved, name);
    return binary_op(op, name, a_moved, b_moved, promoted, alpha);
  }
  const Dtype compute = compute_dtype(op, promoted, alpha, name);
  const Shape shape = broadcast_of(a, b, name);
  Tensor out = ops::new_tensor(shape, is_comparison(op) ? Dtype::boolean : compute, a.device());
  ops::backend_of(out).binary(op, out, broadcast_to(as_dtype(a, compute), shape),
                              broadcast_to(as_dtype(b, compute), shape), alpha);
  return out;
}

Tensor binary_op(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Scalar alpha = 1) {
  ops::check_defined(a, name);
  ops::check_defined(b, name);
  return binary_op(op, name, a, b, result_type(a, b), alpha);
}

Tensor binary_op(BinaryOp op, const char* name, const Tensor& a, Scalar b, Scalar alpha = 1) {
  ops::check_defined(a, name);
  const Dtype promoted = result_type(a, b);
  return binary_op(op, name, a, ops::scalar_as(b, promoted, a.device()), promoted, alpha);
}

Tensor binary_recorded(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Scalar alpha);

// The backward rules of the binary ops (comparisons and logical ops have none).
// out = op(a, b); g = dL/dout.
Grads binary_backward(BinaryOp op, const Tensor& g, const Tensor& a, const Tensor& b, const Tensor& out, Scalar alpha,
                      bool need_a, bool need_b) {
  Tensor da, db;
  switch (op) {
    case BinaryOp::add:  // a + alpha b
      da = g;
      if (need_b) db = alpha.to<double>() == 1 ? g : g * alpha;
      break;
    case BinaryOp::sub:  // a - alpha b
      da = g;
      if (need_b) db = alpha.to<double>() == 1 ? -g : g * -alpha.to<double>();
      break;
    case BinaryOp::mul:  // a b
      if (need_a) da = g * b;
      if (need_b) db = g * a;
      break;
    case BinaryOp::div:  // a / b:  da = g / b,  db = -g a / b^2
      if (need_a) da = g / b;
      if (need_b) db = -g * a / (b * b);
      break;
    case BinaryOp::pow:  // a^b:  da = g b a^(b-1),  db = g a^b ln a  (0 where a = 0 and b >= 0, as PyTorch)
      if (need_a) da = where(eq(b, 0), 0.0, g * b * pow(a, b - 1));  // b = 0: 0, even at a = 0
      if (need_b) db = where(logical_and(eq(a, 0), ge(b, 0)), 0.0, g * out * log(a));
      break;
    case BinaryOp::maximum:  // ties split the gradient evenly
    case BinaryOp::minimum: {
      const Tensor a_wins = op == BinaryOp::maximum ? gt(a, b) : lt(a, b);
      const Tensor half = g * 0.5;
      if (need_a) da = where(a_wins, g, where(eq(a, b), half, 0.0));
      if (need_b) db = where(a_wins, 0.0, where(eq(a, b), half, g));
      break;
    }
    case BinaryOp::relu_backward:  // linear in a; flat in b almost everywhere
      if (need_a) da = binary_recorded(BinaryOp::relu_backward, "relu_backward", g, b, 1);
      break;
    default: break;
  }
  return Grads{need_a ? da : Tensor(), need_b ? db : Tensor()};
}

// binary_op plus its autograd record.
Tensor binary_recorded(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Dtype promoted,
                       Scalar alpha = 1) {
  Tensor out = binary_op(op, name, a, b, promoted, alpha);
  if (is_comparison(op) || !autograd::should_record_any(out.dtype(), a, b)) return out;
  const bool need_a = autograd::requires_grad(a), need_b = autograd::requires_grad(b);
  const bool save_a = op == BinaryOp::pow || op >= BinaryOp::maximum || (op != BinaryOp::add && op != BinaryOp::sub && need_b);
  const bool save_b = op != BinaryOp::add && op != BinaryOp::sub;
  return autograd::record(name, out, {a, b},
                          [op, alpha, need_a, need_b, sa = save_a ? Saved::input(a) : Saved(),
                           sb = save_b ? Saved::input(b) : Saved(),
                           so = op == BinaryOp::pow && need_b ? Saved::output(out) : Saved()](const Tensor& g) {
                            return binary_backward(op, g, sa.get(), sb.get(), so.get(), alpha, need_a, need_b);
                          });
}

Tensor binary_recorded(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Scalar alpha = 1) {
  ops::check_defined(a, name);
  ops::check_defined(b, name);
  return binary_recorded(op, name, a, b, result_type(a, b), alpha);
}

Tensor binary_recorded(BinaryOp op, const char* name, const Tensor& a, Scalar b, Scalar alpha = 1) {
  ops::check_defined(a, name);
  const Dtype promoted = result_type(a, b);
  return binary_recorded(op, name, a, ops::scalar_as(b, promoted, a.device()), promoted, alpha);
}

Tensor& binary_inplace(BinaryOp op, const char* name, Tensor& self, const Tensor& other, Dtype promoted,
                       Scalar alpha = 1) {
  ops::check_defined(self, name);
  ops::check_defined(other, name);
  if (self.device() != other.device()) [[unlikely]] {
    const Tensor moved = ops::with_device_of(other, self);
    ops::check_same_device(self, moved, name);
    return binary_inplace(op, name, self, moved, promoted, alpha);
  }
  ops::check_no_internal_overlap(self, name);
  const Dtype compute = compute_dtype(op, promoted, alpha, name);
  EMBER_CHECK(can_cast(compute, self.dtype()), name, ": result type ", dtype_name(compute),
              " can't be cast to the desired output type ", dtype_name(self.dtype()));
  const Shape shape = broadcast_of(self, other, name);
  EMBER_CHECK(IntArrayRef(shape) == self.sizes(), name, ": output with shape ", self.sizes(),
              " doesn't match the broadcast shape ", shape);
  if (autograd::inplace_recorded(self, name, {other}, [&](const Tensor& s) {
        // x.mul_(x): both operands are the old value (saving self itself would make a cycle)
        return binary_recorded(op, name, s, other.is_same(self) ? s : other, promoted, alpha);
      }))
    return self;
  const Tensor source = ops::partially_overlaps(self, other) ? other.clone() : other;
  Backend& backend = ops::backend_of(self);
  const Tensor rhs = broadcast_to(as_dtype(source, compute), shape);
  if (compute == self.dtype()) {
    backend.binary(op, self, self, rhs, alpha);
  } else {
    Tensor tmp = ops::new_tensor(shape, compute, self.device());
    backend.binary(op, tmp, self.to(compute), rhs, alpha);
    backend.copy(self, tmp);
  }
  ops::bump_version(self);
  return self;
}

Tensor& binary_inplace(BinaryOp op, const char* name, Tensor& self, const Tensor& other, Scalar alpha = 1) {
  ops::check_defined(self, name);
  ops::check_defined(other, name);
  return binary_inplace(op, name, self, other, result_type(self, other), alpha);
}

Tensor& binary_inplace(BinaryOp op, const char* name, Tensor& self, Scalar other, Scalar alpha = 1) {
  ops::check_defined(self, name);
  const Dtype promoted = result_type(self, other);
  return binary_inplace(op, name, self, ops::scalar_as(other, promoted, self.device()), promoted, alpha);
}

// How a unary op treats integer inputs.
enum class IntegerRule { keep, to_float, identity };

IntegerRule integer_rule(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg:
    case UnaryOp::abs:
    case UnaryOp::relu:
    case UnaryOp::sign:
    case UnaryOp::square:
    case UnaryOp::logical_not: return IntegerRule::keep;
    case UnaryOp::floor:
    case UnaryOp::ceil:
    case UnaryOp::round: return IntegerRule::identity;
    default: return IntegerRule::to_float;
  }
}

Dtype unary_dtype(UnaryOp op, const Tensor& x, const char* name) {
  if (op == UnaryOp::neg)
    EMBER_CHECK(x.dtype() != Dtype::boolean, name, ": negation of a bool tensor is not supported; use logical_not()");
  if (is_floating(x.dtype()) || integer_rule(op) != IntegerRule::to_float) return x.dtype();
  return default_dtype();
}

// The kernel call alone (no recording).
Tensor unary_op(UnaryOp op, const char* name, const Tensor& x) {
  std::optional<NoGradGuard> internal;
  if (is_grad_enabled() && autograd::requires_grad(x)) internal.emplace();
  ops::check_defined(x, name);
  if (op == UnaryOp::logical_not) {
    Tensor out = ops::new_tensor(x.sizes(), Dtype::boolean, x.device());
    ops::backend_of(out).unary(op, out, x);
    return out;
  }
  const Dtype dtype = unary_dtype(op, x, name);
  if (!is_floating(dtype) && integer_rule(op) == IntegerRule::identity) return x.clone();
  Tensor out = ops::new_tensor(x.sizes(), dtype, x.device());
  ops::backend_of(out).unary(op, out, as_dtype(x, dtype));
  return out;
}

// Whether a unary rule reads its output (y) rather than its input (x).
bool rule_uses_output(UnaryOp op) {
  switch (op) {
    case UnaryOp::sqrt: case UnaryOp::rsqrt: case UnaryOp::exp: case UnaryOp::expm1: case UnaryOp::tanh:
    case UnaryOp::sigmoid: case UnaryOp::relu: case UnaryOp::reciprocal: return true;
    default: return false;
  }
}

// The backward rules of the unary ops: y = op(x), g = dL/dy.
Tensor unary_backward(UnaryOp op, const Tensor& g, const Tensor& x, const Tensor& y) {
  switch (op) {
    case UnaryOp::neg: return -g;
    case UnaryOp::abs: return g * sign(x);                    // d|x| = sign(x)
    case UnaryOp::sqrt: return g / (y * 2);                   // 1 / (2 sqrt x)
    case UnaryOp::rsqrt: return g * y * y * y * -0.5;         // -x^(-3/2) / 2
    case UnaryOp::exp: return g * y;
    case UnaryOp::log: return g / x;
    case UnaryOp::log1p: return g / (x + 1);
    case UnaryOp::expm1: return g * (y + 1);
    case UnaryOp::sin: return g * cos(x);
    case UnaryOp::cos: return -g * sin(x);
    case UnaryOp::tanh: return g * (1 - y * y);
    case UnaryOp::sigmoid: return g * y * (1 - y);
    case UnaryOp::relu: return binary_recorded(BinaryOp::relu_backward, "relu_backward", g, y);  // 0 at x = 0, as PyTorch
    case UnaryOp::reciprocal: return -g * y * y;              // -1 / x^2
    case UnaryOp::square: return g * x * 2;
    case UnaryOp::erf: return g * exp(-x * x) * 1.1283791670955126;  // 2 / sqrt(pi)
    default: return zeros_like(g);                            // floor, ceil, round, sign: flat almost everywhere
  }
}

// unary_op plus its autograd record.
Tensor unary_recorded(UnaryOp op, const char* name, const Tensor& x) {
  Tensor y = unary_op(op, name, x);
  if (!autograd::should_record_any(y.dtype(), x)) return y;
  const bool uses_y = rule_uses_output(op);
  return autograd::record(name, y, {x},
                          [op, sx = uses_y ? Saved() : Saved::input(x), sy = uses_y ? Saved::output(y) : Saved()](
                              const Tensor& g) { return Grads{unary_backward(op, g, sx.get(), sy.get())}; });
}

Tensor& unary_inplace(UnaryOp op, const char* name, Tensor& self) {
  ops::check_defined(self, name);
  ops::check_no_internal_overlap(self, name);
  const Dtype dtype = unary_dtype(op, self, name);
  EMBER_CHECK(dtype == self.dtype(), name, ": result type ", dtype_name(dtype),
              " can't be cast to the desired output type ", dtype_name(self.dtype()));
  if (!is_floating(dtype) && integer_rule(op) == IntegerRule::identity) return self;
  if (autograd::inplace_recorded(self, name, {}, [&](const Tensor& s) { return unary_recorded(op, name, s); }))
    return self;
  ops::backend_of(self).unary(op, self, self);
  ops::bump_version(self);
  return self;
}

// As PyTorch: an integer tensor to a negative integer scalar power is an error
// (tensor exponents are not value-checked and truncate, 2^-1 = 0).
void check_integer_pow(const Tensor& a, Scalar e, const char* name) {
  EMBER_CHECK(!is_integral(a.dtype(), true) || e.is_floating() || e.to_int() >= 0, name,
              ": integers to negative integer powers are not allowed (exponent ", e, ")");
}

Dtype clamp_dtype(const Tensor& x, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  Dtype d = x.dtype();
  if (lo) d = result_type(x.to(d), *lo);
  if (hi) d = promote_types(d, result_type(x.to(d), *hi));
  return d;
}

}  // namespace

// ---- binary ---------------------------------------------------------------------
// Each line: the op, and the math it computes.
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) { return binary_recorded(BinaryOp::add, "add", a, b, alpha); }
Tensor add(const Tensor& a, Scalar b, Scalar alpha) { return binary_recorded(BinaryOp::add, "add", a, b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) { return binary_recorded(BinaryOp::sub, "sub", a, b, alpha); }
Tensor sub(const Tensor& a, Scalar b, Scalar alpha) { return binary_recorded(BinaryOp::sub, "sub", a, b, alpha); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary_recorded(BinaryOp::mul, "mul", a, b); }
Tensor mul(const Tensor& a, Scalar b) { return binary_recorded(BinaryOp::mul, "mul", a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary_recorded(BinaryOp::div, "div", a, b); }
Tensor div(const Tensor& a, Scalar b) { return binary_recorded(BinaryOp::div, "div", a, b); }
Tensor pow(const Tensor& a, const Tensor& e) { return binary_recorded(BinaryOp::pow, "pow", a, e); }
Tensor pow(const Tensor& a, Scalar e) {
  ops::check_defined(a, "pow");
  check_integer_pow(a, e, "pow");
  return binary_recorded(BinaryOp::pow, "pow", a, e);
}
Tensor pow(Scalar a, const Tensor& e) {
  ops::check_defined(e, "pow");
  const Dtype promoted = result_type(e, a);
  return binary_recorded(BinaryOp::pow, "pow", ops::scalar_as(a, promoted, e.device()), e, promoted);
}
Tensor maximum(const Tensor& a, const Tensor& b) { return binary_recorded(BinaryOp::maximum, "maximum", a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary_recorded(BinaryOp::minimum, "minimum", a, b); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::eq, "eq", a, b); }
Tensor eq(const Tensor& a, Scalar b) { return binary_op(BinaryOp::eq, "eq", a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::ne, "ne", a, b); }
Tensor ne(const Tensor& a, Scalar b) { return binary_op(BinaryOp::ne, "ne", a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::lt, "lt", a, b); }
Tensor lt(const Tensor& a, Scalar b) { return binary_op(BinaryOp::lt, "lt", a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::le, "le", a, b); }
Tensor le(const Tensor& a, Scalar b) { return binary_op(BinaryOp::le, "le", a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::gt, "gt", a, b); }
Tensor gt(const Tensor& a, Scalar b) { return binary_op(BinaryOp::gt, "gt", a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::ge, "ge", a, b); }
Tensor ge(const Tensor& a, Scalar b) { return binary_op(BinaryOp::ge, "ge", a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::logical_and, "logical_and", a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::logical_or, "logical_or", a, b); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::logical_xor, "logical_xor", a, b); }

// ---- unary ------------------------------------------------------------------------
Tensor neg(const Tensor& x) { return unary_recorded(UnaryOp::neg, "neg", x); }                     // -x
Tensor abs(const Tensor& x) { return unary_recorded(UnaryOp::abs, "abs", x); }                     // |x|
Tensor sqrt(const Tensor& x) { return unary_recorded(UnaryOp::sqrt, "sqrt", x); }                  // x^(1/2)
Tensor rsqrt(const Tensor& x) { return unary_recorded(UnaryOp::rsqrt, "rsqrt", x); }               // x^(-1/2)
Tensor exp(const Tensor& x) { return unary_recorded(UnaryOp::exp, "exp", x); }                     // e^x
Tensor log(const Tensor& x) { return unary_recorded(UnaryOp::log, "log", x); }                     // ln x
Tensor log1p(const Tensor& x) { return unary_recorded(UnaryOp::log1p, "log1p", x); }               // ln(1 + x)
Tensor expm1(const Tensor& x) { return unary_recorded(UnaryOp::expm1, "expm1", x); }               // e^x - 1
Tensor sin(const Tensor& x) { return unary_recorded(UnaryOp::sin, "sin", x); }
Tensor cos(const Tensor& x) { return unary_recorded(UnaryOp::cos, "cos", x); }
Tensor tanh(const Tensor& x) { return unary_recorded(UnaryOp::tanh, "tanh", x); }
Tensor sigmoid(const Tensor& x) { return unary_recorded(UnaryOp::sigmoid, "sigmoid", x); }         // 1 / (1 + e^-x)
Tensor relu(const Tensor& x) { return unary_recorded(UnaryOp::relu, "relu", x); }                  // max(x, 0)
Tensor floor(const Tensor& x) { return unary_recorded(UnaryOp::floor, "floor", x); }
Tensor ceil(const Tensor& x) { return unary_recorded(UnaryOp::ceil, "ceil", x); }
Tensor round(const Tensor& x) { return unary_recorded(UnaryOp::round, "round", x); }               // half to even
Tensor sign(const Tensor& x) { return unary_recorded(UnaryOp::sign, "sign", x); }                  // -1, 0 or 1
Tensor reciprocal(const Tensor& x) { return unary_recorded(UnaryOp::reciprocal, "reciprocal", x); } // 1 / x
Tensor square(const Tensor& x) { return unary_recorded(UnaryOp::square, "square", x); }            // x * x
Tensor erf(const Tensor& x) { return unary_recorded(UnaryOp::erf, "erf", x); }
Tensor logical_not(const Tensor& x) { return unary_op(UnaryOp::logical_not, "logical_not", x); }

// ---- where / masked_fill / clamp -----------------------------------------------------
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  ops::check_defined(cond, "where", "condition");
  ops::check_defined(a, "where");
  ops::check_defined(b, "where");
  EMBER_CHECK(cond.dtype() == Dtype::boolean, "where: expected a bool condition, got ", dtype_name(cond.dtype()));
  const Dtype dtype = result_type(a, b);
  const Shape shape = broadcast_shapes(broadcast_of(a, b, "where"), cond.sizes(), "where");
  Tensor out = ops::new_tensor(shape, dtype, a.device());
  {
    NoGradGuard no_grad;
    ops::backend_of(out).where(out, broadcast_to(cond, shape), broadcast_to(as_dtype(a, dtype), shape),
                               broadcast_to(as_dtype(b, dtype), shape));
  }
  // da = g where cond, db = g elsewhere
  return autograd::record("where", out, {a, b}, [c = Saved::input(cond)](const Tensor& g) {
    const Tensor mask = c.get();
    return Grads{where(mask, g, 0.0), where(mask, 0.0, g)};
  });
}
Tensor where(const Tensor& cond, const Tensor& a, Scalar b) {
  ops::check_defined(a, "where");
  return where(cond, a, ops::scalar_as(b, result_type(a, b), a.device()));
}
Tensor where(const Tensor& cond, Scalar a, const Tensor& b) {
  ops::check_defined(b, "where");
  return where(cond, ops::scalar_as(a, result_type(b, a), b.device()), b);
}

// dx = g, zeroed where the mask is set
Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value) {
  ops::check_defined(x, "masked_fill");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x.clone();
    out.masked_fill_(mask, value);
  }
  return autograd::record("masked_fill", out, {x}, [m = Saved::input(mask)](const Tensor& g) {
    return Grads{g.masked_fill(m.get(), 0)};
  });
}

Tensor clamp(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  ops::check_defined(x, "clamp");
  EMBER_CHECK(lo || hi, "clamp: at least one of 'min' or 'max' must be given");
  const Dtype dtype = clamp_dtype(x, lo, hi);
  Tensor out = ops::new_tensor(x.sizes(), dtype, x.device());
  {
    NoGradGuard no_grad;
    ops::backend_of(out).clamp(out, as_dtype(x, dtype), lo, hi);
  }
  // dx = g where lo <= x <= hi (inclusive, as PyTorch), 0 elsewhere
  return autograd::record("clamp", out, {x}, [sx = Saved::input(x), lo, hi](const Tensor& g) {
    const Tensor v = sx.get();
    Tensor inside = lo ? ge(v, *lo) : ones_like(v, {.dtype = Dtype::boolean});
    if (hi) inside = logical_and(inside, le(v, *hi));
    return Grads{where(inside, g, 0.0)};
  });
}

// ---- Tensor methods: elementwise and in place ------------------------------------------
Tensor& Tensor::add_(const Tensor& o, Scalar alpha) { return binary_inplace(BinaryOp::add, "add_", *this, o, alpha); }
Tensor& Tensor::add_(Scalar o, Scalar alpha) { return binary_inplace(BinaryOp::add, "add_", *this, o, alpha); }
Tensor& Tensor::sub_(const Tensor& o, Scalar alpha) { return binary_inplace(BinaryOp::sub, "sub_", *this, o, alpha); }
Tensor& Tensor::sub_(Scalar o, Scalar alpha) { return binary_inplace(BinaryOp::sub, "sub_", *this, o, alpha); }
Tensor& Tensor::mul_(const Tensor& o) { return binary_inplace(BinaryOp::mul, "mul_", *this, o); }
Tensor& Tensor::mul_(Scalar o) { return binary_inplace(BinaryOp::mul, "mul_", *this, o); }
Tensor& Tensor::div_(const Tensor& o) { return binary_inplace(BinaryOp::div, "div_", *this, o); }
Tensor& Tensor::div_(Scalar o) { return binary_inplace(BinaryOp::div, "div_", *this, o); }
Tensor& Tensor::pow_(Scalar e) {
  ops::check_defined(*this, "pow_");
  check_integer_pow(*this, e, "pow_");
  return binary_inplace(BinaryOp::pow, "pow_", *this, e);
}
Tensor& Tensor::neg_() { return unary_inplace(UnaryOp::neg, "neg_", *this); }
Tensor& Tensor::abs_() { return unary_inplace(UnaryOp::abs, "abs_", *this); }
Tensor& Tensor::sqrt_() { return unary_inplace(UnaryOp::sqrt, "sqrt_", *this); }
Tensor& Tensor::exp_() { return unary_inplace(UnaryOp::exp, "exp_", *this); }
Tensor& Tensor::log_() { return unary_inplace(UnaryOp::log, "log_", *this); }
Tensor& Tensor::tanh_() { return unary_inplace(UnaryOp::tanh, "tanh_", *this); }
Tensor& Tensor::sigmoid_() { return unary_inplace(UnaryOp::sigmoid, "sigmoid_", *this); }
Tensor& Tensor::relu_() { return unary_inplace(UnaryOp::relu, "relu_", *this); }

Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) {
  ops::check_defined(*this, "clamp_");
  EMBER_CHECK(lo || hi, "clamp_: at least one of 'min' or 'max' must be given");
  ops::check_no_internal_overlap(*this, "clamp_");
  const Dtype dtype = clamp_dtype(*this, lo, hi);
  EMBER_CHECK(can_cast(dtype, this->dtype()), "clamp_: result type ", dtype_name(dtype),
              " can't be cast to the desired output type ", dtype_name(this->dtype()));
  if (autograd::inplace_recorded(*this, "clamp_", {}, [&](const Tensor& s) { return ember::clamp(s, lo, hi); }))
    return *this;
  ops::backend_of(*this).clamp(*this, *this, lo, hi);
  ops::bump_version(*this);
  return *this;
}

Tensor& Tensor::masked_fill_(const Tensor& mask, Scalar value) {
  ops::check_defined(*this, "masked_fill_");
  ops::check_defined(mask, "masked_fill_", "mask");
  EMBER_CHECK(mask.dtype() == Dtype::boolean, "masked_fill_: expected a bool mask, got ", dtype_name(mask.dtype()));
  ops::check_no_internal_overlap(*this, "masked_fill_");
  const Shape shape = broadcast_shapes(sizes(), mask.sizes(), "masked_fill_");
  EMBER_CHECK(IntArrayRef(shape) == sizes(), "masked_fill_: mask of shape ", mask.sizes(),
              " is not broadcastable to the tensor's shape ", sizes());
  if (autograd::inplace_recorded(*this, "masked_fill_", {},
                                 [&](const Tensor& s) { return ember::masked_fill(s, mask, value); }))
    return *this;
  const Tensor m = ops::partially_overlaps(*this, mask) ? mask.clone() : mask;
  const Tensor fill = ops::scalar_as(value, dtype(), device()).expand(shape);
  ops::backend_of(*this).where(*this, broadcast_to(m, shape), fill, *this);
  ops::bump_version(*this);
  return *this;
}

// Shared by fill_ and zero_ so that errors name the op the caller used.
static Tensor& fill_inplace(Tensor& self, Scalar value, const char* name) {
  ops::check_defined(self, name);
  ops::check_no_internal_overlap(self, name);
  // Under autograd the old value's history gets a zero gradient.
  if (autograd::inplace_recorded(self, name, {}, [&](const Tensor& s) {
        return where(ones_like(s, {.dtype = Dtype::boolean}), value, s);
      }))
    return self;
  ops::backend_of(self).fill(self, value);
  ops::bump_version(self);
  return self;
}

Tensor& Tensor::fill_(Scalar value) { return fill_inplace(*this, value, "fill_"); }
Tensor& Tensor::zero_() { return fill_inplace(*this, 0, "zero_"); }

Tensor& Tensor::copy_(const Tensor& src) {
  ops::check_defined(*this, "copy_");
  ops::check_defined(src, "copy_", "source");
  ops::check_no_internal_overlap(*this, "copy_");
  const Shape shape = broadcast_of(*this, src, "copy_");
  EMBER_CHECK(IntArrayRef(shape) == sizes(), "copy_: source of shape ", src.sizes(),
              " is not broadcastable to the destination's shape ", sizes());
  // Under autograd: d(self's old value) = 0, d(src) = g summed to src's shape.
  if (autograd::inplace_recorded(*this, "copy_", {src}, [&](const Tensor& s) {
        return where(ones_like(s, {.dtype = Dtype::boolean}), src.to(device()).to(dtype()), s);
      }))
    return *this;
  const Tensor s = ops::partially_overlaps(*this, src) ? src.clone() : src;
  ops::copy_backend(*this, s, "copy_").copy(*this, broadcast_to(s, shape));
  ops::bump_version(*this);
  return *this;
}

}  // namespace ember
