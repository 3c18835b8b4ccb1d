// Elementwise CPU kernels: copy/fill/range, unary math, binary math and
// comparisons, clamp, where. The unary and binary ops run their entries'
// functors (backend/elementwise_math.h) in shared strided loops; contiguous
// float transcendentals go to vector_math (SLEEF).
#include <cmath>

#include "backend/backend.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/host_math.h"
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

// out = entry(x) for one element type T: the entry's own functor, through
// the SIMD loops when it has a vector form and the operands are contiguous.
template <class T, class Entry>
void unary_typed(UnaryOp op, const Tensor& out, const Tensor& x) {
  if constexpr (!elementwise::is_float<T> && Entry::integers != elementwise::Integers::keep) {
    detail::fail("unary: op ", static_cast<int>(op), " needs a float tensor, got ", dtype_name(x.dtype()));
  } else {
    if constexpr (Entry::simd && elementwise::is_float<T>)
      if (out.is_contiguous() && x.is_contiguous() &&
          vector_unary(op, static_cast<T*>(out.data_ptr()), static_cast<const T*>(x.data_ptr()), x.numel()))
        return;
    using Out = decltype(Entry::template f<HostMath>(T{}));
    unary_loop<Out, T>(out, x, [](T v) { return Entry::template f<HostMath>(v); });
  }
}

// out = entry(a, b), or entry(a, alpha * b) for the entries that take alpha.
template <class T, class Entry>
void binary_typed(const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  using Out = decltype(Entry::template f<HostMath>(T{}, T{}));
  if constexpr (Entry::uses_alpha) {
    if (alpha.to_double() != 1.0) {
      const T al = alpha.to<T>();
      return binary_loop<Out, T>(out, a, b, [al](T x, T y) {
        return Entry::template f<HostMath>(x, static_cast<T>(al * y));
      });
    }
  }
  binary_loop<Out, T>(out, a, b, [](T x, T y) { return Entry::template f<HostMath>(x, y); });
}

}  // namespace

void copy(const Tensor& dst, const Tensor& src, bool /*non_blocking: the CPU copies at once*/) {
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
  dispatch_all(x.dtype(), "unary", [&](auto tag) {
    elementwise::visit(op, [&](auto entry) { unary_typed<decltype(tag), decltype(entry)>(op, out, x); });
  });
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  dispatch_all(a.dtype(), "binary", [&](auto tag) {
    elementwise::visit(op, [&](auto entry) { binary_typed<decltype(tag), decltype(entry)>(out, a, b, alpha); });
  });
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
