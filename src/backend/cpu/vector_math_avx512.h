// The interface between vector_math.cpp and its AVX-512 half. Plain C types
// only: vector_math_avx512.cpp must include no C++ library header (see there).
#pragma once

#include <stdint.h>

namespace ember::cpu::avx512 {

enum Op { kExp, kLog, kLog1p, kExpm1, kSin, kCos, kTanh, kSigmoid };

// y[i] = op(x[i]) for the first n - n % W elements (W = 16 floats or 8
// doubles); returns how many were written. Call only on CPUs with AVX-512F.
int64_t map_f32(int op, float* y, const float* x, int64_t n);
int64_t map_f64(int op, double* y, const double* x, int64_t n);

}  // namespace ember::cpu::avx512
