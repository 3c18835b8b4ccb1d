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
  if (from.is_meta() && !to.is_meta()) detail::fail_no_data(op, src.sizes());  // meta holds no values to copy
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

// relu's gradient, g where relu's output y > 0: itself an op with a rule (the
// entries' backward rules call it).
Tensor relu_backward(const Tensor& g, const Tensor& y);

namespace {

using autograd::Grads;
using autograd::Saved;
using elementwise::Integers;
using ops::as_dtype;
using ops::broadcast_to;

Shape broadcast_of(const Tensor& a, const Tensor& b, const char* op) {
  return a.sizes() == b.sizes() ? a.sizes().shape() : broadcast_shapes(a.sizes(), b.sizes(), op);
}

// ---- binary ops: an entry of backend/elementwise_math.h, its kernel and its record ----

// The dtype the entry computes in, given the promoted type of its operands.
template <class Entry>
Dtype compute_dtype(BinaryOp op, Dtype promoted, Scalar alpha, const char* name) {
  if (Entry::integers_to_float && is_integral(promoted, true)) return default_dtype();
  if (Entry::integer_division && promoted == Dtype::boolean)
    detail::fail(name, ": not implemented for bool tensors");
  if (op == BinaryOp::sub && promoted == Dtype::boolean)
    detail::fail(name, ": subtraction with two bool tensors is not supported; use logical_xor() instead");
  if (Entry::uses_alpha && alpha.is_floating() && is_integral(promoted, true))
    detail::fail(name, ": for integral input tensors, alpha must not be a floating point number (got ", alpha, ")");
  return promoted;
}

// Integer division by zero is an Error (the kernels give 0 there), as in PyTorch.
template <class Entry>
void check_divisor(Dtype compute, const Tensor& divisor, const char* name) {
  if constexpr (Entry::integer_division) {
    if (is_integral(compute, false) && ops::has_values(divisor))
      EMBER_CHECK(!any(eq(divisor, 0)).template item<bool>(), name, ": integer division by zero (ZeroDivisionError)");
  }
}

// The kernel call alone (no recording; the casts and broadcasts it makes are internal).
template <class Entry>
Tensor binary_op(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Dtype promoted, Scalar alpha = 1) {
  std::optional<NoGradGuard> internal;
  if (is_grad_enabled() && (autograd::requires_grad(a) || autograd::requires_grad(b))) internal.emplace();
  ops::check_defined(a, name);
  ops::check_defined(b, name);
  if (a.device() != b.device()) [[unlikely]] {
    const Tensor a_moved = ops::with_device_of(a, b), b_moved = ops::with_device_of(b, a);
    ops::check_same_device(a_moved, b_moved, name);
    return binary_op<Entry>(op, name, a_moved, b_moved, promoted, alpha);
  }
  const Dtype compute = compute_dtype<Entry>(op, promoted, alpha, name);
  const Shape shape = broadcast_of(a, b, name);
  check_divisor<Entry>(compute, b, name);
  Tensor out = ops::new_tensor(shape, Entry::returns_bool ? Dtype::boolean : compute, a.device());
  ops::backend_of(out).binary(op, out, broadcast_to(as_dtype(a, compute), shape),
                              broadcast_to(as_dtype(b, compute), shape), alpha);
  return out;
}

// binary_op plus its autograd record.
template <class Entry>
Tensor binary_recorded(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Dtype promoted,
                       Scalar alpha = 1) {
  Tensor out = binary_op<Entry>(op, name, a, b, promoted, alpha);
  if constexpr (!Entry::differentiable) {
    return out;
  } else {
    if (!autograd::should_record_any(out.dtype(), a, b)) return out;
    const bool need_a = autograd::requires_grad(a), need_b = autograd::requires_grad(b);
    return autograd::record(
        name, out, {a, b},
        [alpha = alpha.to_double(), need_a, need_b, sa = Entry::saves_a(need_a, need_b) ? Saved::input(a) : Saved(),
         sb = Entry::saves_b(need_a, need_b) ? Saved::input(b) : Saved(),
         so = Entry::saves_out(need_a, need_b) ? Saved::output(out) : Saved()](const Tensor& g) {
          auto [da, db] = Entry::backward(g, sa.get(), sb.get(), so.get(), alpha, need_a, need_b);
          return Grads{need_a ? da : Tensor(), need_b ? db : Tensor()};
        });
  }
}

// The tensor-and-tensor and tensor-and-scalar forms, promoting as PyTorch.
template <class Entry>
Tensor binary(BinaryOp op, const char* name, const Tensor& a, const Tensor& b, Scalar alpha = 1) {
  ops::check_defined(a, name);
  ops::check_defined(b, name);
  return binary_recorded<Entry>(op, name, a, b, result_type(a, b), alpha);
}

template <class Entry>
Tensor binary(BinaryOp op, const char* name, const Tensor& a, Scalar b, Scalar alpha = 1) {
  ops::check_defined(a, name);
  const Dtype promoted = result_type(a, b);
  return binary_recorded<Entry>(op, name, a, ops::scalar_as(b, promoted, a.device()), promoted, alpha);
}

template <class Entry>
Tensor& binary_inplace(BinaryOp op, const char* name, Tensor& self, const Tensor& other, Dtype promoted,
                       Scalar alpha = 1) {
  ops::check_defined(self, name);
  ops::check_defined(other, name);
  if (self.device() != other.device()) [[unlikely]] {
    const Tensor moved = ops::with_device_of(other, self);
    ops::check_same_device(self, moved, name);
    return binary_inplace<Entry>(op, name, self, moved, promoted, alpha);
  }
  ops::check_no_internal_overlap(self, name);
  const Dtype compute = compute_dtype<Entry>(op, promoted, alpha, name);
  EMBER_CHECK(can_cast(compute, self.dtype()), name, ": result type ", dtype_name(compute),
              " can't be cast to the desired output type ", dtype_name(self.dtype()));
  const Shape shape = broadcast_of(self, other, name);
  EMBER_CHECK(IntArrayRef(shape) == self.sizes(), name, ": output with shape ", self.sizes(),
              " doesn't match the broadcast shape ", shape);
  check_divisor<Entry>(compute, other, name);
  if (autograd::inplace_recorded(self, name, {other}, [&](const Tensor& s) {
        // x.mul_(x): both operands are the old value (saving self itself would make a cycle)
        return binary_recorded<Entry>(op, name, s, other.is_same(self) ? s : other, promoted, alpha);
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
    backend.copy(self, tmp, false);
  }
  ops::bump_version(self);
  return self;
}

template <class Entry>
Tensor& binary_inplace(BinaryOp op, const char* name, Tensor& self, const Tensor& other, Scalar alpha = 1) {
  ops::check_defined(self, name);
  ops::check_defined(other, name);
  return binary_inplace<Entry>(op, name, self, other, result_type(self, other), alpha);
}

template <class Entry>
Tensor& binary_inplace(BinaryOp op, const char* name, Tensor& self, Scalar other, Scalar alpha = 1) {
  ops::check_defined(self, name);
  const Dtype promoted = result_type(self, other);
  return binary_inplace<Entry>(op, name, self, ops::scalar_as(other, promoted, self.device()), promoted, alpha);
}

// ---- unary ops ------------------------------------------------------------------------

template <class Entry>
Dtype unary_dtype(UnaryOp op, const Tensor& x, const char* name) {
  if (op == UnaryOp::neg)
    EMBER_CHECK(x.dtype() != Dtype::boolean, name, ": negation of a bool tensor is not supported; use logical_not()");
  if (is_floating(x.dtype()) || Entry::integers != Integers::to_float) return x.dtype();
  return default_dtype();
}

// The kernel call alone (no recording).
template <class Entry>
Tensor unary_op(UnaryOp op, const char* name, const Tensor& x) {
  std::optional<NoGradGuard> internal;
  if (is_grad_enabled() && autograd::requires_grad(x)) internal.emplace();
  ops::check_defined(x, name);
  const Dtype dtype = unary_dtype<Entry>(op, x, name);
  if (!is_floating(dtype) && Entry::integers == Integers::identity) return x.clone();
  Tensor out = ops::new_tensor(x.sizes(), Entry::returns_bool ? Dtype::boolean : dtype, x.device());
  ops::backend_of(out).unary(op, out, as_dtype(x, dtype));
  return out;
}

// unary_op plus its autograd record.
template <class Entry>
Tensor unary_recorded(UnaryOp op, const char* name, const Tensor& x) {
  Tensor y = unary_op<Entry>(op, name, x);
  if constexpr (!Entry::differentiable) {
    return y;
  } else {
    if (!autograd::should_record_any(y.dtype(), x)) return y;
    constexpr bool uses_y = Entry::grad_uses_output;
    return autograd::record(name, y, {x},
                            [sx = uses_y ? Saved() : Saved::input(x), sy = uses_y ? Saved::output(y) : Saved()](
                                const Tensor& g) { return Grads{Entry::backward(g, sx.get(), sy.get())}; });
  }
}

template <class Entry>
Tensor& unary_inplace(UnaryOp op, const char* name, Tensor& self) {
  ops::check_defined(self, name);
  ops::check_no_internal_overlap(self, name);
  if constexpr (Entry::returns_bool) {
    // x.logical_not_(): the bool result written back in x's dtype, as PyTorch.
    return self.copy_(unary_op<Entry>(op, name, self));
  } else {
    const Dtype dtype = unary_dtype<Entry>(op, self, name);
    EMBER_CHECK(dtype == self.dtype(), name, ": result type ", dtype_name(dtype),
                " can't be cast to the desired output type ", dtype_name(self.dtype()));
    if (!is_floating(dtype) && Entry::integers == Integers::identity) return self;
    if (autograd::inplace_recorded(self, name, {},
                                   [&](const Tensor& s) { return unary_recorded<Entry>(op, name, s); }))
      return self;
    ops::backend_of(self).unary(op, self, self);
    ops::bump_version(self);
    return self;
  }
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
Tensor relu_backward(const Tensor& g, const Tensor& y) {
  return binary<elementwise::relu_backward_op>(BinaryOp::relu_backward, "relu_backward", g, y);
}

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) { return binary<elementwise::add_op>(BinaryOp::add, "add", a, b, alpha); }
Tensor add(const Tensor& a, Scalar b, Scalar alpha) { return binary<elementwise::add_op>(BinaryOp::add, "add", a, b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) { return binary<elementwise::sub_op>(BinaryOp::sub, "sub", a, b, alpha); }
Tensor sub(const Tensor& a, Scalar b, Scalar alpha) { return binary<elementwise::sub_op>(BinaryOp::sub, "sub", a, b, alpha); }
Tensor pow(const Tensor& a, const Tensor& e) { return binary<elementwise::pow_op>(BinaryOp::pow, "pow", a, e); }
Tensor pow(const Tensor& a, Scalar e) {
  ops::check_defined(a, "pow");
  check_integer_pow(a, e, "pow");
  return binary<elementwise::pow_op>(BinaryOp::pow, "pow", a, e);
}
Tensor pow(Scalar a, const Tensor& e) {
  ops::check_defined(e, "pow");
  const Dtype promoted = result_type(e, a);
  return binary_recorded<elementwise::pow_op>(BinaryOp::pow, "pow", ops::scalar_as(a, promoted, e.device()), e, promoted);
}
Tensor maximum(const Tensor& a, const Tensor& b) { return binary<elementwise::maximum_op>(BinaryOp::maximum, "maximum", a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary<elementwise::minimum_op>(BinaryOp::minimum, "minimum", a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return binary<elementwise::logical_and_op>(BinaryOp::logical_and, "logical_and", a, b);
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return binary<elementwise::logical_or_op>(BinaryOp::logical_or, "logical_or", a, b);
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return binary<elementwise::logical_xor_op>(BinaryOp::logical_xor, "logical_xor", a, b);
}

// div(a, b, rounding_mode): "trunc" or "floor" rounds the quotient, and integers stay integers.
namespace {
// fn(entry, op) for the rounding mode's entry; any other mode is an Error naming `name`.
template <class Fn>
decltype(auto) with_rounding(const std::string& mode, const char* name, Fn&& fn) {
  if (mode == "trunc") return fn(elementwise::div_trunc_op{}, BinaryOp::div_trunc);
  EMBER_CHECK(mode == "floor", name, ": expected rounding_mode to be one of None, 'trunc', or 'floor' but found '",
              mode, "'");
  return fn(elementwise::floor_divide_op{}, BinaryOp::floor_divide);
}
}  // namespace

Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode) {
  return with_rounding(rounding_mode, "div", [&](auto entry, BinaryOp op) {
    return binary<decltype(entry)>(op, "div", a, b);
  });
}
Tensor div(const Tensor& a, Scalar b, const std::string& rounding_mode) {
  return with_rounding(rounding_mode, "div", [&](auto entry, BinaryOp op) {
    return binary<decltype(entry)>(op, "div", a, b);
  });
}
Tensor Tensor::div(const Tensor& o, const std::string& rounding_mode) const { return ember::div(*this, o, rounding_mode); }
Tensor Tensor::div(Scalar o, const std::string& rounding_mode) const { return ember::div(*this, o, rounding_mode); }
Tensor& Tensor::div_(const Tensor& o, const std::string& rounding_mode) {
  return with_rounding(rounding_mode, "div_", [&](auto entry, BinaryOp op) -> Tensor& {
    return binary_inplace<decltype(entry)>(op, "div_", *this, o);
  });
}
Tensor& Tensor::div_(Scalar o, const std::string& rounding_mode) {
  return with_rounding(rounding_mode, "div_", [&](auto entry, BinaryOp op) -> Tensor& {
    return binary_inplace<decltype(entry)>(op, "div_", *this, o);
  });
}

// The comparisons: a tensor or a scalar on the right, a bool result.
#define EMBER_DEFINE_COMPARISON(name)                                                                      \
  Tensor name(const Tensor& a, const Tensor& b) { return binary<elementwise::name##_op>(BinaryOp::name, #name, a, b); } \
  Tensor name(const Tensor& a, Scalar b) { return binary<elementwise::name##_op>(BinaryOp::name, #name, a, b); }
EMBER_DEFINE_COMPARISON(eq)
EMBER_DEFINE_COMPARISON(ne)
EMBER_DEFINE_COMPARISON(lt)
EMBER_DEFINE_COMPARISON(le)
EMBER_DEFINE_COMPARISON(gt)
EMBER_DEFINE_COMPARISON(ge)
#undef EMBER_DEFINE_COMPARISON

// The regular binary ops of ember/elementwise_ops.h: free functions and methods, in place too.
#define EMBER_DEFINE_BINARY(name)                                                                             \
  Tensor name(const Tensor& a, const Tensor& b) { return binary<elementwise::name##_op>(BinaryOp::name, #name, a, b); }    \
  Tensor name(const Tensor& a, Scalar b) { return binary<elementwise::name##_op>(BinaryOp::name, #name, a, b); }           \
  Tensor Tensor::name(const Tensor& other) const { return ember::name(*this, other); }                        \
  Tensor Tensor::name(Scalar other) const { return ember::name(*this, other); }                               \
  Tensor& Tensor::name##_(const Tensor& other) {                                                              \
    return binary_inplace<elementwise::name##_op>(BinaryOp::name, #name "_", *this, other);                                \
  }                                                                                                           \
  Tensor& Tensor::name##_(Scalar other) { return binary_inplace<elementwise::name##_op>(BinaryOp::name, #name "_", *this, other); }
EMBER_BINARY_OPS(EMBER_DEFINE_BINARY)
#undef EMBER_DEFINE_BINARY

// ---- unary ------------------------------------------------------------------------
// The ops of ember/elementwise_ops.h: free functions and methods, in place too.
#define EMBER_DEFINE_UNARY(name)                                                                               \
  Tensor name(const Tensor& x) { return unary_recorded<elementwise::name##_op>(UnaryOp::name, #name, x); }                  \
  Tensor Tensor::name() const { return ember::name(*this); }                                                   \
  Tensor& Tensor::name##_() { return unary_inplace<elementwise::name##_op>(UnaryOp::name, #name "_", *this); }
EMBER_UNARY_OPS(EMBER_DEFINE_UNARY)
#undef EMBER_DEFINE_UNARY

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
Tensor& Tensor::add_(const Tensor& o, Scalar alpha) { return binary_inplace<elementwise::add_op>(BinaryOp::add, "add_", *this, o, alpha); }
Tensor& Tensor::add_(Scalar o, Scalar alpha) { return binary_inplace<elementwise::add_op>(BinaryOp::add, "add_", *this, o, alpha); }
Tensor& Tensor::sub_(const Tensor& o, Scalar alpha) { return binary_inplace<elementwise::sub_op>(BinaryOp::sub, "sub_", *this, o, alpha); }
Tensor& Tensor::sub_(Scalar o, Scalar alpha) { return binary_inplace<elementwise::sub_op>(BinaryOp::sub, "sub_", *this, o, alpha); }
Tensor& Tensor::pow_(Scalar e) {
  ops::check_defined(*this, "pow_");
  check_integer_pow(*this, e, "pow_");
  return binary_inplace<elementwise::pow_op>(BinaryOp::pow, "pow_", *this, e);
}

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
  ops::copy_backend(*this, s, "copy_").copy(*this, broadcast_to(s, shape), false);
  ops::bump_version(*this);
  return *this;
}

}  // namespace ember
