// The interface between vector_math.cpp and its AVX-512 half. No C++ library
// header: vector_math_avx512.cpp must include none (see there).
#pragma once

#include <stdint.h>

#include "backend/elementwise_math.h"

namespace ember::cpu::avx512 {

// y[i] = op(x[i]) for the first n - n % W elements (W = 16 floats or 8
// doubles) when op's entry is SIMD-capable; returns how many were written.
// Call only on CPUs with AVX-512F.
int64_t map(UnaryOp op, float* y, const float* x, int64_t n);
int64_t map(UnaryOp op, double* y, const double* x, int64_t n);

}  // namespace ember::cpu::avx512
