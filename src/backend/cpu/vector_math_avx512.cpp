// The AVX-512 half of vector_math: compiled with -mavx512f and called only
// after a run-time CPU check. It includes no C++ library headers on purpose:
// inline library code compiled here with AVX-512 could be picked by the linker
// for callers on CPUs without it.
#include "backend/cpu/vector_math_avx512.h"

#include <immintrin.h>
#include <sleef.h>

namespace ember::cpu::avx512 {
namespace {

__m512 sigmoid16(__m512 v) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), v))));
}
__m512d sigmoid8(__m512d v) {
  const __m512d one = _mm512_set1_pd(1.0);
  return _mm512_div_pd(one, _mm512_add_pd(one, Sleef_expd8_u10avx512f(_mm512_sub_pd(_mm512_setzero_pd(), v))));
}

template <class F>
int64_t map16(F f, float* y, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, f(_mm512_loadu_ps(x + i)));
  return i;
}

template <class F>
int64_t map8(F f, double* y, const double* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, f(_mm512_loadu_pd(x + i)));
  return i;
}

}  // namespace

int64_t map_f32(int op, float* y, const float* x, int64_t n) {
  switch (op) {
    case kExp: return map16(Sleef_expf16_u10avx512f, y, x, n);
    case kLog: return map16(Sleef_logf16_u10avx512f, y, x, n);
    case kLog1p: return map16(Sleef_log1pf16_u10avx512f, y, x, n);
    case kExpm1: return map16(Sleef_expm1f16_u10avx512f, y, x, n);
    case kSin: return map16(Sleef_sinf16_u10avx512f, y, x, n);
    case kCos: return map16(Sleef_cosf16_u10avx512f, y, x, n);
    case kTanh: return map16(Sleef_tanhf16_u10avx512f, y, x, n);
    case kSigmoid: return map16(sigmoid16, y, x, n);
    default: return 0;
  }
}

int64_t map_f64(int op, double* y, const double* x, int64_t n) {
  switch (op) {
    case kExp: return map8(Sleef_expd8_u10avx512f, y, x, n);
    case kLog: return map8(Sleef_logd8_u10avx512f, y, x, n);
    case kLog1p: return map8(Sleef_log1pd8_u10avx512f, y, x, n);
    case kExpm1: return map8(Sleef_expm1d8_u10avx512f, y, x, n);
    case kSin: return map8(Sleef_sind8_u10avx512f, y, x, n);
    case kCos: return map8(Sleef_cosd8_u10avx512f, y, x, n);
    case kTanh: return map8(Sleef_tanhd8_u10avx512f, y, x, n);
    case kSigmoid: return map8(sigmoid8, y, x, n);
    default: return 0;
  }
}

}  // namespace ember::cpu::avx512
