// Vectorized float transcendentals for contiguous data, on SLEEF (1-ULP): the
// SIMD-capable entries of backend/elementwise_math.h.
#pragma once

#include <cstdint>

#include "backend/elementwise_math.h"

namespace ember::cpu {

// y[i] = op(x[i]) for i < n, split across threads; false (nothing written)
// when op's entry has no vector form. AVX-512 when the CPU has it, AVX2 otherwise.
bool vector_unary(UnaryOp op, float* y, const float* x, int64_t n);
bool vector_unary(UnaryOp op, double* y, const double* x, int64_t n);

}  // namespace ember::cpu
