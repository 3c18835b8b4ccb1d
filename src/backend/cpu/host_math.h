// The math library the elementwise entries (backend/elementwise_math.h) call
// as M:: in the CPU's scalar loops: the C++ standard library's functions.
#pragma once

#include <cmath>

namespace ember::cpu {

struct HostMath {
  template <class T> static T sqrt(T x) { return std::sqrt(x); }
  template <class T> static T exp(T x) { return std::exp(x); }
  template <class T> static T log(T x) { return std::log(x); }
  template <class T> static T log1p(T x) { return std::log1p(x); }
  template <class T> static T expm1(T x) { return std::expm1(x); }
  template <class T> static T sin(T x) { return std::sin(x); }
  template <class T> static T cos(T x) { return std::cos(x); }
  template <class T> static T tanh(T x) { return std::tanh(x); }
  template <class T> static T erf(T x) { return std::erf(x); }
  template <class T> static T floor(T x) { return std::floor(x); }
  template <class T> static T ceil(T x) { return std::ceil(x); }
  // Rounds in the default rounding mode, which is to nearest, ties to even.
  template <class T> static T round_half_even(T x) { return std::nearbyint(x); }
  template <class T> static T pow(T x, T y) { return std::pow(x, y); }
  template <class T> static T fmod(T x, T y) { return std::fmod(x, y); }
  template <class T> static T trunc(T x) { return std::trunc(x); }
  template <class T> static T copysign(T x, T y) { return std::copysign(x, y); }
};

}  // namespace ember::cpu
