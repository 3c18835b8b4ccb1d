// The optimizers' door to the backends: one fused update of a parameter and
// the multi-tensor gradient norm, with their checks. Outside autograd.
#pragma once

#include <array>
#include <span>

#include "backend/optimizer_rules.h"
#include "ember/tensor.h"

namespace ember::ops {

// param (contiguous, float32 or float64) updated in place by `rule` from grad
// (any strides and floating dtype: cast and made contiguous here) and the
// rule's state buffers (param's shape, dtype and device; undefined where the
// rule leaves one unused).
void optimizer_step(const OptimizerRule& rule, const Tensor& param, const Tensor& grad,
                    const std::array<Tensor, 3>& state, const char* op);

// The norm_type-norm of all elements of all tensors together (inf: the largest
// |x|), a 0-dim float64 tensor on their device: one pass, no host sync.
Tensor total_norm(std::span<const Tensor> tensors, double norm_type, const char* op);

}  // namespace ember::ops
