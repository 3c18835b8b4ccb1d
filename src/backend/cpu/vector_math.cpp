// The SIMD loops of the elementwise entries marked `simd`, over contiguous
// float32/float64: the AVX2 ones here, the AVX-512 ones in
// vector_math_avx512.cpp, chosen once at run time from the CPU's features.
// Both instantiate the entries' own functors with a SLEEF math library.
#include "backend/cpu/vector_math.h"

#include <immintrin.h>
#include <sleef.h>

#include "backend/cpu/host_math.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/vector_math_avx512.h"

namespace ember::cpu {
namespace {

const bool g_has_avx512 = __builtin_cpu_supports("avx512f");

// The math library (M in backend/elementwise_math.h) on AVX2 registers: SLEEF, 1-ULP.
struct Sleef256 {
  static __m256 exp(__m256 x) { return Sleef_expf8_u10avx2(x); }
  static __m256d exp(__m256d x) { return Sleef_expd4_u10avx2(x); }
  static __m256 log(__m256 x) { return Sleef_logf8_u10avx2(x); }
  static __m256d log(__m256d x) { return Sleef_logd4_u10avx2(x); }
  static __m256 log1p(__m256 x) { return Sleef_log1pf8_u10avx2(x); }
  static __m256d log1p(__m256d x) { return Sleef_log1pd4_u10avx2(x); }
  static __m256 expm1(__m256 x) { return Sleef_expm1f8_u10avx2(x); }
  static __m256d expm1(__m256d x) { return Sleef_expm1d4_u10avx2(x); }
  static __m256 sin(__m256 x) { return Sleef_sinf8_u10avx2(x); }
  static __m256d sin(__m256d x) { return Sleef_sind4_u10avx2(x); }
  static __m256 cos(__m256 x) { return Sleef_cosf8_u10avx2(x); }
  static __m256d cos(__m256d x) { return Sleef_cosd4_u10avx2(x); }
  static __m256 tanh(__m256 x) { return Sleef_tanhf8_u10avx2(x); }
  static __m256d tanh(__m256d x) { return Sleef_tanhd4_u10avx2(x); }
};

template <class Entry>
int64_t map_avx2(float* y, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, Entry::template f<Sleef256>(_mm256_loadu_ps(x + i)));
  return i;
}

template <class Entry>
int64_t map_avx2(double* y, const double* x, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, Entry::template f<Sleef256>(_mm256_loadu_pd(x + i)));
  return i;
}

template <class Entry, class T>
bool map(UnaryOp op, T* y, const T* x, int64_t n) {
  if constexpr (!Entry::simd) {
    return false;
  } else {
    parallel_for(n, 8, [&](int64_t b, int64_t e) {
      const int64_t done = g_has_avx512 ? avx512::map(op, y + b, x + b, e - b) : map_avx2<Entry>(y + b, x + b, e - b);
      for (int64_t i = b + done; i < e; ++i) y[i] = Entry::template f<HostMath>(x[i]);  // the tail
    });
    return true;
  }
}

}  // namespace

bool vector_unary(UnaryOp op, float* y, const float* x, int64_t n) {
  return elementwise::visit(op, [&](auto entry) { return map<decltype(entry)>(op, y, x, n); });
}

bool vector_unary(UnaryOp op, double* y, const double* x, int64_t n) {
  return elementwise::visit(op, [&](auto entry) { return map<decltype(entry)>(op, y, x, n); });
}

}  // namespace ember::cpu
