// The AVX-512 half of vector_math: compiled with -mavx512f and called only
// after a run-time CPU check. It includes no C++ library headers on purpose:
// inline library code compiled here with AVX-512 could be picked by the linker
// for callers on CPUs without it. Everything it instantiates has internal
// linkage (the math library below lives in an unnamed namespace).
#include "backend/cpu/vector_math_avx512.h"

#include <immintrin.h>
#include <sleef.h>

namespace ember::cpu::avx512 {
namespace {

// The math library (M in backend/elementwise_math.h) on AVX-512 registers: SLEEF, 1-ULP.
struct Sleef512 {
  static __m512 exp(__m512 x) { return Sleef_expf16_u10avx512f(x); }
  static __m512d exp(__m512d x) { return Sleef_expd8_u10avx512f(x); }
  static __m512 log(__m512 x) { return Sleef_logf16_u10avx512f(x); }
  static __m512d log(__m512d x) { return Sleef_logd8_u10avx512f(x); }
  static __m512 log1p(__m512 x) { return Sleef_log1pf16_u10avx512f(x); }
  static __m512d log1p(__m512d x) { return Sleef_log1pd8_u10avx512f(x); }
  static __m512 expm1(__m512 x) { return Sleef_expm1f16_u10avx512f(x); }
  static __m512d expm1(__m512d x) { return Sleef_expm1d8_u10avx512f(x); }
  static __m512 sin(__m512 x) { return Sleef_sinf16_u10avx512f(x); }
  static __m512d sin(__m512d x) { return Sleef_sind8_u10avx512f(x); }
  static __m512 cos(__m512 x) { return Sleef_cosf16_u10avx512f(x); }
  static __m512d cos(__m512d x) { return Sleef_cosd8_u10avx512f(x); }
  static __m512 tanh(__m512 x) { return Sleef_tanhf16_u10avx512f(x); }
  static __m512d tanh(__m512d x) { return Sleef_tanhd8_u10avx512f(x); }
};

template <class Entry>
int64_t map16(float* y, const float* x, int64_t n) {
  int64_t i = 0;
  if constexpr (Entry::simd)
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, Entry::template f<Sleef512>(_mm512_loadu_ps(x + i)));
  return i;
}

template <class Entry>
int64_t map8(double* y, const double* x, int64_t n) {
  int64_t i = 0;
  if constexpr (Entry::simd)
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, Entry::template f<Sleef512>(_mm512_loadu_pd(x + i)));
  return i;
}

}  // namespace

int64_t map(UnaryOp op, float* y, const float* x, int64_t n) {
  return elementwise::visit(op, [&](auto entry) { return map16<decltype(entry)>(y, x, n); });
}

int64_t map(UnaryOp op, double* y, const double* x, int64_t n) {
  return elementwise::visit(op, [&](auto entry) { return map8<decltype(entry)>(y, x, n); });
}

}  // namespace ember::cpu::avx512
