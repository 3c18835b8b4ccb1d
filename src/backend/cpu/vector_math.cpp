// SLEEF-vectorized exp/log/log1p/expm1/sin/cos/tanh/sigmoid over contiguous
// float32/float64. The AVX2 loops live here; AVX-512 ones in
// vector_math_avx512.cpp, chosen once at run time from the CPU's features.
#include "backend/cpu/vector_math.h"

#include <immintrin.h>
#include <sleef.h>

#include <cmath>

#include "backend/cpu/loops.h"
#include "backend/cpu/vector_math_avx512.h"

namespace ember::cpu {
namespace {

const bool g_has_avx512 = __builtin_cpu_supports("avx512f");

// The avx512 op code of a UnaryOp, or -1 when it has no vector form.
int vector_op(UnaryOp op) {
  switch (op) {
    case UnaryOp::exp: return avx512::kExp;
    case UnaryOp::log: return avx512::kLog;
    case UnaryOp::log1p: return avx512::kLog1p;
    case UnaryOp::expm1: return avx512::kExpm1;
    case UnaryOp::sin: return avx512::kSin;
    case UnaryOp::cos: return avx512::kCos;
    case UnaryOp::tanh: return avx512::kTanh;
    case UnaryOp::sigmoid: return avx512::kSigmoid;
    default: return -1;
  }
}

template <class T>
T scalar_op(int op, T v) {
  switch (op) {
    case avx512::kExp: return std::exp(v);
    case avx512::kLog: return std::log(v);
    case avx512::kLog1p: return std::log1p(v);
    case avx512::kExpm1: return std::expm1(v);
    case avx512::kSin: return std::sin(v);
    case avx512::kCos: return std::cos(v);
    case avx512::kTanh: return std::tanh(v);
    default: return T(1) / (T(1) + std::exp(-v));
  }
}

__m256 sigmoid8(__m256 v) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), v))));
}
__m256d sigmoid4(__m256d v) {
  const __m256d one = _mm256_set1_pd(1.0);
  return _mm256_div_pd(one, _mm256_add_pd(one, Sleef_expd4_u10avx2(_mm256_sub_pd(_mm256_setzero_pd(), v))));
}

template <class F>
int64_t map8(F f, float* y, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i)));
  return i;
}

template <class F>
int64_t map4(F f, double* y, const double* x, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, f(_mm256_loadu_pd(x + i)));
  return i;
}

// Like avx512::map_f32/map_f64, on AVX2.
int64_t map_avx2(int op, float* y, const float* x, int64_t n) {
  switch (op) {
    case avx512::kExp: return map8(Sleef_expf8_u10avx2, y, x, n);
    case avx512::kLog: return map8(Sleef_logf8_u10avx2, y, x, n);
    case avx512::kLog1p: return map8(Sleef_log1pf8_u10avx2, y, x, n);
    case avx512::kExpm1: return map8(Sleef_expm1f8_u10avx2, y, x, n);
    case avx512::kSin: return map8(Sleef_sinf8_u10avx2, y, x, n);
    case avx512::kCos: return map8(Sleef_cosf8_u10avx2, y, x, n);
    case avx512::kTanh: return map8(Sleef_tanhf8_u10avx2, y, x, n);
    case avx512::kSigmoid: return map8(sigmoid8, y, x, n);
    default: return 0;
  }
}

int64_t map_avx2(int op, double* y, const double* x, int64_t n) {
  switch (op) {
    case avx512::kExp: return map4(Sleef_expd4_u10avx2, y, x, n);
    case avx512::kLog: return map4(Sleef_logd4_u10avx2, y, x, n);
    case avx512::kLog1p: return map4(Sleef_log1pd4_u10avx2, y, x, n);
    case avx512::kExpm1: return map4(Sleef_expm1d4_u10avx2, y, x, n);
    case avx512::kSin: return map4(Sleef_sind4_u10avx2, y, x, n);
    case avx512::kCos: return map4(Sleef_cosd4_u10avx2, y, x, n);
    case avx512::kTanh: return map4(Sleef_tanhd4_u10avx2, y, x, n);
    case avx512::kSigmoid: return map4(sigmoid4, y, x, n);
    default: return 0;
  }
}

template <class T>
bool vector_unary_impl(UnaryOp op, T* y, const T* x, int64_t n) {
  const int code = vector_op(op);
  if (code < 0) return false;
  parallel_for(n, 8, [&](int64_t b, int64_t e) {
    int64_t done;
    if constexpr (std::is_same_v<T, float>)
      done = g_has_avx512 ? avx512::map_f32(code, y + b, x + b, e - b) : map_avx2(code, y + b, x + b, e - b);
    else
      done = g_has_avx512 ? avx512::map_f64(code, y + b, x + b, e - b) : map_avx2(code, y + b, x + b, e - b);
    for (int64_t i = b + done; i < e; ++i) y[i] = scalar_op(code, x[i]);  // the tail
  });
  return true;
}

}  // namespace

bool vector_unary(UnaryOp op, float* y, const float* x, int64_t n) { return vector_unary_impl(op, y, x, n); }
bool vector_unary(UnaryOp op, double* y, const double* x, int64_t n) { return vector_unary_impl(op, y, x, n); }

}  // namespace ember::cpu
