// Elementwise CPU kernels: copy/fill/range, unary math, binary math and
// comparisons, clamp, where. Each op is one scalar functor run by shared
// strided loops; contiguous float transcendentals go to vector_math (SLEEF).
#include <cmath>

#include "backend/backend.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/vector_math.h"

namespace ember::cpu {
namespace {

// ---- loop shapes -----------------------------------------------------------

// out[i] = f(x[i]); contiguous operands take a plain (vectorizable) loop.
template <class Out, class In, class F>
void unary_loop(const Tensor& out, const Tensor& x, F f) {
  const Tensor* ops[2] = {&out, &x};
  const auto layout = make_layout(ops);
  for_each(layout, [&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
      Out* o = reinterpret_cast<Out*>(p[0]);
      const In* a = reinterpret_cast<const In*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[1] + i * s[1]));
    }
  });
}

// out[i] = f(a[i], b[i]), with fast paths for contiguous and scalar-broadcast operands.
template <class Out, class T, class F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const Tensor* ops[3] = {&out, &a, &b};
  const auto layout = make_layout(ops);
  for_each(layout, [&](char** p, const int64_t* s, int64_t n) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* y = reinterpret_cast<const T*>(p[2]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(Out) && s[1] == sizeof(T) && s[2] == 0) {
      const T yv = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == sizeof(T)) {
      const T xv = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
    }
  });
}

template <class T>
T sigmoid_scalar(T v) { return T(1) / (T(1) + std::exp(-v)); }

template <class T>
void unary_float(UnaryOp op, const Tensor& out, const Tensor& x) {
  if (out.is_contiguous() && x.is_contiguous() &&
      vector_unary(op, static_cast<T*>(out.data_ptr()), static_cast<const T*>(x.data_ptr()), x.numel()))
    return;
  switch (op) {
    case UnaryOp::sqrt: return unary_loop<T, T>(out, x, [](T v) { return std::sqrt(v); });
    case UnaryOp::rsqrt: return unary_loop<T, T>(out, x, [](T v) { return T(1) / std::sqrt(v); });
    case UnaryOp::exp: return unary_loop<T, T>(out, x, [](T v) { return std::exp(v); });
    case UnaryOp::log: return unary_loop<T, T>(out, x, [](T v) { return std::log(v); });
    case UnaryOp::log1p: return unary_loop<T, T>(out, x, [](T v) { return std::log1p(v); });
    case UnaryOp::expm1: return unary_loop<T, T>(out, x, [](T v) { return std::expm1(v); });
    case UnaryOp::sin: return unary_loop<T, T>(out, x, [](T v) { return std::sin(v); });
    case UnaryOp::cos: return unary_loop<T, T>(out, x, [](T v) { return std::cos(v); });
    case UnaryOp::tanh: return unary_loop<T, T>(out, x, [](T v) { return std::tanh(v); });
    case UnaryOp::sigmoid: return unary_loop<T, T>(out, x, sigmoid_scalar<T>);
    case UnaryOp::floor: return unary_loop<T, T>(out, x, [](T v) { return std::floor(v); });
    case UnaryOp::ceil: return unary_loop<T, T>(out, x, [](T v) { return std::ceil(v); });
    case UnaryOp::round: return unary_loop<T, T>(out, x, [](T v) { return std::nearbyint(v); });
    case UnaryOp::reciprocal: return unary_loop<T, T>(out, x, [](T v) { return T(1) / v; });
    case UnaryOp::erf: return unary_loop<T, T>(out, x, [](T v) { return std::erf(v); });
    case UnaryOp::relu: return unary_loop<T, T>(out, x, [](T v) { return v > T(0) || std::isnan(v) ? v : T(0); });
    default: break;
  }
  detail::fail("unary: op ", static_cast<int>(op), " has no float kernel");
}

template <class T>
void unary_exact(UnaryOp op, const Tensor& out, const Tensor& x) {
  switch (op) {
    case UnaryOp::neg: return unary_loop<T, T>(out, x, [](T v) { return static_cast<T>(-v); });
    case UnaryOp::abs:
      return unary_loop<T, T>(out, x, [](T v) {
        if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>) return v;
        else return static_cast<T>(v < T(0) ? -v : v);
      });
    case UnaryOp::square: return unary_loop<T, T>(out, x, [](T v) { return static_cast<T>(v * v); });
    case UnaryOp::logical_not: return unary_loop<bool, T>(out, x, [](T v) { return v == T(0); });
    case UnaryOp::relu:
      // Floats take unary_float's relu, which keeps NaN (as PyTorch); this one would give 0.
      if constexpr (!std::is_floating_point_v<T>)
        return unary_loop<T, T>(out, x, [](T v) { return v > T(0) ? v : T(0); });
      break;
    case UnaryOp::sign:
      return unary_loop<T, T>(out, x, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); });
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) return unary_float<T>(op, out, x);
  detail::fail("unary: op ", static_cast<int>(op), " needs a float tensor, got ", dtype_name(x.dtype()));
}

template <class T>
T int_pow(T base, T exp) {
  if constexpr (std::is_same_v<T, bool>) {
    return base || !exp;
  } else {
    if (exp < T(0)) return base == T(1) ? T(1) : (base == T(-1) ? (exp % 2 ? T(-1) : T(1)) : T(0));
    T result = 1;
    while (exp) {
      if (exp & 1) result = static_cast<T>(result * base);
      base = static_cast<T>(base * base);
      exp = static_cast<T>(exp >> 1);
    }
    return result;
  }
}

template <class T>
void binary_typed(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  constexpr bool is_float = std::is_floating_point_v<T>;
  const T al = alpha.to<T>();
  const bool unit_alpha = alpha.to_double() == 1.0;
  switch (op) {
    case BinaryOp::add:
      if (unit_alpha) return binary_loop<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x + y); });
      return binary_loop<T, T>(out, a, b, [al](T x, T y) { return static_cast<T>(x + al * y); });
    case BinaryOp::sub:
      if (unit_alpha) return binary_loop<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x - y); });
      return binary_loop<T, T>(out, a, b, [al](T x, T y) { return static_cast<T>(x - al * y); });
    case BinaryOp::mul: return binary_loop<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x * y); });
    case BinaryOp::div:
      return binary_loop<T, T>(out, a, b, [](T x, T y) {
        if constexpr (is_float) return x / y;
        else return y == T(0) ? T(0) : static_cast<T>(x / y);  // ops promote integer division to float
      });
    case BinaryOp::pow:
      return binary_loop<T, T>(out, a, b, [](T x, T y) {
        if constexpr (is_float) return std::pow(x, y);
        else return int_pow<T>(x, y);
      });
    case BinaryOp::maximum:
      return binary_loop<T, T>(out, a, b, [](T x, T y) {
        if constexpr (is_float) if (std::isnan(x)) return x;
        return x > y ? x : y;
      });
    case BinaryOp::minimum:
      return binary_loop<T, T>(out, a, b, [](T x, T y) {
        if constexpr (is_float) if (std::isnan(x)) return x;
        return x < y ? x : y;
      });
    case BinaryOp::relu_backward:
      return binary_loop<T, T>(out, a, b, [](T g, T y) { return y > T(0) ? g : T(0); });
    case BinaryOp::eq: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x == y; });
    case BinaryOp::ne: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != y; });
    case BinaryOp::lt: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x < y; });
    case BinaryOp::le: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x <= y; });
    case BinaryOp::gt: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x > y; });
    case BinaryOp::ge: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x >= y; });
    case BinaryOp::logical_and:
      return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != T(0) && y != T(0); });
    case BinaryOp::logical_or:
      return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != T(0) || y != T(0); });
    case BinaryOp::logical_xor:
      return binary_loop<bool, T>(out, a, b, [](T x, T y) { return (x != T(0)) != (y != T(0)); });
  }
}

}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous()) {
    char* d = static_cast<char*>(dst.data_ptr());
    const char* s = static_cast<const char*>(src.data_ptr());
    const int64_t bytes = static_cast<int64_t>(dst.nbytes());
    if (d != s)
      parallel_for(bytes, 1, [&](int64_t b, int64_t e) { std::memmove(d + b, s + b, static_cast<size_t>(e - b)); });
    return;
  }
  dispatch_storage(dst.dtype(), "copy", [&](auto out_tag) {
    using Out = decltype(out_tag);
    dispatch_storage(src.dtype(), "copy", [&](auto in_tag) {
      using In = decltype(in_tag);
      unary_loop<Out, In>(dst, src, [](In v) { return convert<Out>(v); });
    });
  });
}

void fill(const Tensor& dst, Scalar value) {
  dispatch_storage(dst.dtype(), "fill_", [&](auto tag) {
    using T = decltype(tag);
    const T v = value.is_floating() ? convert<T>(value.to_double()) : convert<T>(value.to_int());
    const Tensor* ops[1] = {&dst};
    for_each(make_layout(ops), [&](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) std::fill_n(reinterpret_cast<T*>(p[0]), n, v);
      else for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
    });
  });
}

void range(const Tensor& out, double start, double step, std::optional<double> end) {
  dispatch_all(out.dtype(), "range", [&](auto tag) {
    using T = decltype(tag);
    T* o = static_cast<T*>(out.data_ptr());
    const int64_t n = out.numel(), half = n / 2;
    parallel_for(n, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const double v = end && i >= half ? *end - static_cast<double>(n - 1 - i) * step : start + static_cast<double>(i) * step;
        o[i] = convert<T>(v);
      }
    });
  });
}

void unary(UnaryOp op, const Tensor& out, const Tensor& x) {
  dispatch_all(x.dtype(), "unary", [&](auto tag) { unary_exact<decltype(tag)>(op, out, x); });
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  dispatch_all(a.dtype(), "binary", [&](auto tag) { binary_typed<decltype(tag)>(op, out, a, b, alpha); });
}

void clamp(const Tensor& out, const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  dispatch_all(x.dtype(), "clamp", [&](auto tag) {
    using T = decltype(tag);
    const bool has_lo = lo.has_value(), has_hi = hi.has_value();
    const T l = has_lo ? lo->to<T>() : T(0), h = has_hi ? hi->to<T>() : T(0);
    unary_loop<T, T>(out, x, [=](T v) {
      if constexpr (std::is_floating_point_v<T>) if (std::isnan(v)) return v;
      if (has_lo && v < l) v = l;
      if (has_hi && v > h) v = h;
      return v;
    });
  });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  dispatch_all(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    const Tensor* ops[4] = {&out, &cond, &a, &b};
    for_each(make_layout(ops), [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                     ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                     : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    });
  });
}

}  // namespace ember::cpu
