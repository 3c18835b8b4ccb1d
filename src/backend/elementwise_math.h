// The math of every elementwise op, once. Each op's entry holds its functor
// `f`, written against a math library M (M::exp, M::sqrt, ...) so that the
// CPU's scalar loops (HostMath), its SIMD loops (SLEEF on AVX2 and AVX-512)
// and, later, CUDA kernels all instantiate the same code; its backward rule,
// written against the gradient's tensor type G (so this header needs no op
// library: the calls resolve where src/ops instantiates them); and the traits
// the loops and the autograd record read. The op lists themselves are in
// ember/elementwise_ops.h.
//
// Includes no C++ library header: vector_math_avx512.cpp, compiled for
// AVX-512, instantiates these functors (see there).
#pragma once

#include <stdint.h>

#include "backend/host_device.h"
#include "ember/elementwise_ops.h"

namespace ember {

// Every binary kernel: the regular family of ember/elementwise_ops.h and the
// ops with forms of their own.
#define EMBER_KERNEL_BINARY_OPS(X)                                                  \
  X(add) X(sub) EMBER_BINARY_OPS(X) X(div_trunc) X(pow) X(maximum) X(minimum) X(relu_backward) \
  X(eq) X(ne) X(lt) X(le) X(gt) X(ge) X(logical_and) X(logical_or) X(logical_xor)

#define EMBER_ENUM_ENTRY(name) name,
enum class UnaryOp : uint8_t { EMBER_UNARY_OPS(EMBER_ENUM_ENTRY) };
enum class BinaryOp : uint8_t { EMBER_KERNEL_BINARY_OPS(EMBER_ENUM_ENTRY) };
#undef EMBER_ENUM_ENTRY

namespace elementwise {

template <class T>
inline constexpr bool is_float = false;
template <>
inline constexpr bool is_float<float> = true;
template <>
inline constexpr bool is_float<double> = true;
template <class T>
inline constexpr bool is_signed = static_cast<T>(-1) < static_cast<T>(0);

// -a with two's complement wrap-around (so -INT64_MIN is INT64_MIN, not undefined).
template <class T>
EMBER_HD T wrapping_neg(T a) {
  return static_cast<T>(0ULL - static_cast<unsigned long long>(a));
}

// How a unary op treats integer and bool inputs: computes on them, computes
// in the default float dtype (the op converts first), or returns them as they are.
enum class Integers : uint8_t { keep, to_float, identity };

// A unary entry's defaults; each entry overrides what differs.
struct Unary {
  static constexpr Integers integers = Integers::to_float;
  // f uses only M's functions, so the SIMD loops may run it on vector registers.
  static constexpr bool simd = false;
  // backward reads the output y = f(x) rather than the input x.
  static constexpr bool grad_uses_output = false;
  static constexpr bool returns_bool = false;
  static constexpr bool differentiable = true;
};

// ---- unary entries: f(x), and backward(g, x, y) = dL/dx given g = dL/dy ----------

struct neg_op : Unary {
  static constexpr Integers integers = Integers::keep;
  template <class M, class T> EMBER_HD static T f(T x) { return static_cast<T>(-x); }
  template <class G> static G backward(const G& g, const G&, const G&) { return -g; }
};
struct abs_op : Unary {
  static constexpr Integers integers = Integers::keep;
  template <class M, class T> EMBER_HD static T f(T x) {
    if constexpr (is_signed<T>) return static_cast<T>(x < T(0) ? -x : x);
    else return x;
  }
  template <class G> static G backward(const G& g, const G& x, const G&) { return g * sign(x); }
};
struct sqrt_op : Unary {
  static constexpr bool grad_uses_output = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::sqrt(x); }
  template <class G> static G backward(const G& g, const G&, const G& y) { return g / (y * 2); }
};
struct rsqrt_op : Unary {
  static constexpr bool grad_uses_output = true;
  template <class M, class T> EMBER_HD static T f(T x) { return T(1) / M::sqrt(x); }
  // -x^(-3/2) / 2
  template <class G> static G backward(const G& g, const G&, const G& y) { return g * y * y * y * -0.5; }
};
struct exp_op : Unary {
  static constexpr bool simd = true, grad_uses_output = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::exp(x); }
  template <class G> static G backward(const G& g, const G&, const G& y) { return g * y; }
};
struct log_op : Unary {
  static constexpr bool simd = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::log(x); }
  template <class G> static G backward(const G& g, const G& x, const G&) { return g / x; }
};
struct log1p_op : Unary {
  static constexpr bool simd = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::log1p(x); }
  template <class G> static G backward(const G& g, const G& x, const G&) { return g / (x + 1); }
};
struct expm1_op : Unary {
  static constexpr bool simd = true, grad_uses_output = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::expm1(x); }
  template <class G> static G backward(const G& g, const G&, const G& y) { return g * (y + 1); }
};
struct sin_op : Unary {
  static constexpr bool simd = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::sin(x); }
  template <class G> static G backward(const G& g, const G& x, const G&) { return g * cos(x); }
};
struct cos_op : Unary {
  static constexpr bool simd = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::cos(x); }
  template <class G> static G backward(const G& g, const G& x, const G&) { return -g * sin(x); }
};
struct tanh_op : Unary {
  static constexpr bool simd = true, grad_uses_output = true;
  template <class M, class T> EMBER_HD static T f(T x) { return M::tanh(x); }
  template <class G> static G backward(const G& g, const G&, const G& y) { return g * (1 - y * y); }
};
struct sigmoid_op : Unary {
  static constexpr bool simd = true, grad_uses_output = true;
  // The scalar 1 broadcasts on SIMD registers too (a GCC/Clang vector extension).
  template <class M, class T> EMBER_HD static T f(T x) { return 1 / (1 + M::exp(-x)); }
  template <class G> static G backward(const G& g, const G&, const G& y) { return g * y * (1 - y); }
};
struct relu_op : Unary {
  static constexpr Integers integers = Integers::keep;
  static constexpr bool grad_uses_output = true;
  // Written so that NaN stays NaN, as in PyTorch.
  template <class M, class T> EMBER_HD static T f(T x) { return !(x <= T(0)) ? x : T(0); }
  // 0 at x = 0, as PyTorch; relu_backward is itself differentiable.
  template <class G> static G backward(const G& g, const G&, const G& y) { return relu_backward(g, y); }
};
// Flat almost everywhere: the gradient is 0.
struct Rounding : Unary {
  static constexpr Integers integers = Integers::identity;
  template <class G> static G backward(const G& g, const G&, const G&) { return zeros_like(g); }
};
struct floor_op : Rounding {
  template <class M, class T> EMBER_HD static T f(T x) { return M::floor(x); }
};
struct ceil_op : Rounding {
  template <class M, class T> EMBER_HD static T f(T x) { return M::ceil(x); }
};
struct round_op : Rounding {
  template <class M, class T> EMBER_HD static T f(T x) { return M::round_half_even(x); }
};
struct sign_op : Rounding {
  static constexpr Integers integers = Integers::keep;
  template <class M, class T> EMBER_HD static T f(T x) { return static_cast<T>((T(0) < x) - (x < T(0))); }
};
struct reciprocal_op : Unary {
  static constexpr bool grad_uses_output = true;
  template <class M, class T> EMBER_HD static T f(T x) { return T(1) / x; }
  template <class G> static G backward(const G& g, const G&, const G& y) { return -g * y * y; }  // -1 / x^2
};
struct square_op : Unary {
  static constexpr Integers integers = Integers::keep;
  template <class M, class T> EMBER_HD static T f(T x) { return static_cast<T>(x * x); }
  template <class G> static G backward(const G& g, const G& x, const G&) { return g * x * 2; }
};
struct erf_op : Unary {
  template <class M, class T> EMBER_HD static T f(T x) { return M::erf(x); }
  template <class G> static G backward(const G& g, const G& x, const G&) {
    return g * exp(-x * x) * 1.1283791670955126;  // 2 / sqrt(pi)
  }
};
struct logical_not_op : Unary {
  static constexpr Integers integers = Integers::keep;
  static constexpr bool returns_bool = true, differentiable = false;
  template <class M, class T> EMBER_HD static bool f(T x) { return x == T(0); }
};

// ---- binary entries: f(a, b), and backward(g, a, b, out, ...) ----------------------

template <class G>
struct GradPair {
  G a, b;
};

// A binary entry's defaults; each entry overrides what differs.
struct Binary {
  static constexpr bool uses_alpha = false;     // the kernel computes f(a, alpha * b)
  static constexpr bool returns_bool = false;   // comparisons and logical ops
  static constexpr bool integers_to_float = false;  // integer operands compute in the default float dtype
  // Divides: integer operands may not divide by zero (the op refuses it; f
  // gives 0 there) and bool ones are refused.
  static constexpr bool integer_division = false;
  static constexpr bool differentiable = true;
  // Which of a, b and out backward reads, given which gradients are wanted.
  static constexpr bool saves_a(bool /*need_a*/, bool /*need_b*/) { return true; }
  static constexpr bool saves_b(bool /*need_a*/, bool /*need_b*/) { return true; }
  static constexpr bool saves_out(bool /*need_a*/, bool /*need_b*/) { return false; }
};
struct Linear : Binary {  // a + alpha b, a - alpha b
  static constexpr bool uses_alpha = true;
  static constexpr bool saves_a(bool, bool) { return false; }
  static constexpr bool saves_b(bool, bool) { return false; }
};
struct Predicate : Binary {
  static constexpr bool returns_bool = true, differentiable = false;
};

struct add_op : Linear {
  template <class M, class T> EMBER_HD static T f(T a, T b) { return static_cast<T>(a + b); }
  template <class G>
  static GradPair<G> backward(const G& g, const G&, const G&, const G&, double alpha, bool, bool need_b) {
    return {g, need_b ? (alpha == 1 ? g : g * alpha) : G()};
  }
};
struct sub_op : Linear {
  template <class M, class T> EMBER_HD static T f(T a, T b) { return static_cast<T>(a - b); }
  template <class G>
  static GradPair<G> backward(const G& g, const G&, const G&, const G&, double alpha, bool, bool need_b) {
    return {g, need_b ? (alpha == 1 ? -g : g * -alpha) : G()};
  }
};
struct mul_op : Binary {
  static constexpr bool saves_a(bool, bool need_b) { return need_b; }
  static constexpr bool saves_b(bool need_a, bool) { return need_a; }
  template <class M, class T> EMBER_HD static T f(T a, T b) { return static_cast<T>(a * b); }
  template <class G>
  static GradPair<G> backward(const G& g, const G& a, const G& b, const G&, double, bool need_a, bool need_b) {
    return {need_a ? g * b : G(), need_b ? g * a : G()};
  }
};
struct div_op : Binary {
  static constexpr bool integers_to_float = true;
  static constexpr bool saves_a(bool, bool need_b) { return need_b; }
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) return a / b;
    else return b == T(0) ? T(0) : static_cast<T>(a / b);  // not reached: integers compute as floats
  }
  // da = g / b,  db = -g a / b^2
  template <class G>
  static GradPair<G> backward(const G& g, const G& a, const G& b, const G&, double, bool need_a, bool need_b) {
    return {need_a ? g / b : G(), need_b ? -g * a / (b * b) : G()};
  }
};

// remainder, fmod and the rounded divisions. Integer quotients by -1 negate
// (wrapping), so INT_MIN / -1 is not the processor's overflow trap.
struct Division : Binary {
  static constexpr bool integer_division = true;
};
// a - b floor(a / b): the sign of b.
struct remainder_op : Division {
  static constexpr bool saves_a(bool, bool need_b) { return need_b; }
  static constexpr bool saves_b(bool, bool need_b) { return need_b; }
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) {
      T r = M::fmod(a, b);
      if (r != T(0) && ((b < T(0)) != (r < T(0)))) r += b;
      return r;
    } else {
      if (b == T(0)) return T(0);
      if constexpr (is_signed<T>) {
        if (b == T(-1)) return T(0);
      }
      T r = static_cast<T>(a % b);
      if constexpr (is_signed<T>) {
        if (r != T(0) && ((r < T(0)) != (b < T(0)))) r = static_cast<T>(r + b);
      }
      return r;
    }
  }
  // da = g, db = -g floor(a / b)
  template <class G>
  static GradPair<G> backward(const G& g, const G& a, const G& b, const G&, double, bool, bool need_b) {
    return {g, need_b ? -g * div(a, b, "floor") : G()};
  }
};
// a - b trunc(a / b): the sign of a.
struct fmod_op : Division {
  static constexpr bool saves_a(bool, bool need_b) { return need_b; }
  static constexpr bool saves_b(bool, bool need_b) { return need_b; }
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) {
      return M::fmod(a, b);
    } else {
      if (b == T(0)) return T(0);
      if constexpr (is_signed<T>) {
        if (b == T(-1)) return T(0);
      }
      return static_cast<T>(a % b);
    }
  }
  // da = g, db = -g trunc(a / b)
  template <class G>
  static GradPair<G> backward(const G& g, const G& a, const G& b, const G&, double, bool, bool need_b) {
    return {g, need_b ? -g * div(a, b, "trunc") : G()};
  }
};
// The rounded divisions are flat almost everywhere: zero gradients.
struct RoundedDivision : Division {
  static constexpr bool saves_a(bool, bool) { return false; }
  static constexpr bool saves_b(bool, bool) { return false; }
  template <class G>
  static GradPair<G> backward(const G& g, const G&, const G&, const G&, double, bool need_a, bool need_b) {
    return {need_a ? zeros_like(g) : G(), need_b ? zeros_like(g) : G()};
  }
};
// floor(a / b), computed from fmod so that the quotient of two floats is the
// exact floor of their real quotient (a / b rounded first could cross an integer).
struct floor_divide_op : RoundedDivision {
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) {
      if (b == T(0)) return a / b;  // inf or nan, as IEEE division
      const T r = M::fmod(a, b);
      T q = (a - r) / b;  // an integer, up to rounding
      if (r != T(0) && ((b < T(0)) != (r < T(0)))) q -= T(1);
      if (q == T(0)) return M::copysign(T(0), a / b);
      T floored = M::floor(q);
      if (q - floored > T(0.5)) floored += T(1);  // q was an integer rounded down below it
      return floored;
    } else {
      if (b == T(0)) return T(0);
      if constexpr (is_signed<T>) {
        if (b == T(-1)) return wrapping_neg(a);
        const T q = static_cast<T>(a / b);
        return (a % b != 0 && ((a < T(0)) != (b < T(0)))) ? static_cast<T>(q - 1) : q;
      } else {
        return static_cast<T>(a / b);
      }
    }
  }
};
// trunc(a / b): div(a, b, "trunc").
struct div_trunc_op : RoundedDivision {
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) {
      return M::trunc(a / b);
    } else {
      if (b == T(0)) return T(0);
      if constexpr (is_signed<T>) {
        if (b == T(-1)) return wrapping_neg(a);
      }
      return static_cast<T>(a / b);
    }
  }
};

// Integer powers by squaring; negative exponents as C truncation gives them.
template <class T>
EMBER_HD T integer_pow(T base, T exponent) {
  if constexpr (static_cast<T>(2) == static_cast<T>(1)) {  // bool
    return base || !exponent;
  } else {
    if (exponent < T(0))
      return base == T(1) ? T(1) : (base == T(-1) ? (exponent % 2 ? T(-1) : T(1)) : T(0));
    T result = 1;
    while (exponent) {
      if (exponent & 1) result = static_cast<T>(result * base);
      base = static_cast<T>(base * base);
      exponent = static_cast<T>(exponent >> 1);
    }
    return result;
  }
}

struct pow_op : Binary {
  static constexpr bool saves_out(bool, bool need_b) { return need_b; }
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) return M::pow(a, b);
    else return integer_pow<T>(a, b);
  }
  // da = g b a^(b-1) (0 where b = 0, even at a = 0); db = g a^b ln a (0 where
  // a = 0 and b >= 0), as PyTorch.
  template <class G>
  static GradPair<G> backward(const G& g, const G& a, const G& b, const G& out, double, bool need_a, bool need_b) {
    return {need_a ? where(eq(b, 0), 0.0, g * b * pow(a, b - 1)) : G(),
            need_b ? where(logical_and(eq(a, 0), ge(b, 0)), 0.0, g * out * log(a)) : G()};
  }
};
// maximum and minimum: NaN in either operand wins; ties split the gradient evenly.
template <bool kMax>
struct Extremum : Binary {
  template <class M, class T> EMBER_HD static T f(T a, T b) {
    if constexpr (is_float<T>) {
      if (a != a) return a;
    }
    return (kMax ? a > b : a < b) ? a : b;
  }
  template <class G>
  static GradPair<G> backward(const G& g, const G& a, const G& b, const G&, double, bool need_a, bool need_b) {
    const G a_wins = kMax ? gt(a, b) : lt(a, b), tie = eq(a, b), half = g * 0.5;
    return {need_a ? where(a_wins, g, where(tie, half, 0.0)) : G(),
            need_b ? where(a_wins, 0.0, where(tie, half, g)) : G()};
  }
};
struct maximum_op : Extremum<true> {};
struct minimum_op : Extremum<false> {};
// a where b > 0, else 0 (a: the gradient, b: relu's output).
struct relu_backward_op : Binary {
  static constexpr bool saves_a(bool, bool) { return false; }
  template <class M, class T> EMBER_HD static T f(T a, T b) { return b > T(0) ? a : T(0); }
  // Linear in a; flat in b almost everywhere.
  template <class G>
  static GradPair<G> backward(const G& g, const G&, const G& b, const G&, double, bool need_a, bool) {
    return {need_a ? relu_backward(g, b) : G(), G()};
  }
};

struct eq_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a == b; }
};
struct ne_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a != b; }
};
struct lt_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a < b; }
};
struct le_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a <= b; }
};
struct gt_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a > b; }
};
struct ge_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a >= b; }
};
struct logical_and_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a != T(0) && b != T(0); }
};
struct logical_or_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return a != T(0) || b != T(0); }
};
struct logical_xor_op : Predicate {
  template <class M, class T> EMBER_HD static bool f(T a, T b) { return (a != T(0)) != (b != T(0)); }
};

// ---- from an op's enum value to its entry ------------------------------------------

// fn(entry{}) for op's entry; every case returns fn's one return type.
template <class Fn>
EMBER_HD decltype(auto) visit(UnaryOp op, Fn&& fn) {
  switch (op) {
#define EMBER_VISIT_CASE(name) \
  case UnaryOp::name: return fn(name##_op{});
    EMBER_UNARY_OPS(EMBER_VISIT_CASE)
#undef EMBER_VISIT_CASE
  }
  return fn(neg_op{});  // not reached: the switch covers every op
}

template <class Fn>
EMBER_HD decltype(auto) visit(BinaryOp op, Fn&& fn) {
  switch (op) {
#define EMBER_VISIT_CASE(name) \
  case BinaryOp::name: return fn(name##_op{});
    EMBER_KERNEL_BINARY_OPS(EMBER_VISIT_CASE)
#undef EMBER_VISIT_CASE
  }
  return fn(add_op{});  // not reached
}

}  // namespace elementwise
}  // namespace ember
