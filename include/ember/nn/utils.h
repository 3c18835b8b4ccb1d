// Gradient clipping and flattening parameters to one vector.
#pragma once

#include <vector>

#include "ember/tensor.h"

namespace ember::nn::utils {

// Scales all gradients so that their joint p-norm is at most max_norm; returns
// the norm before clipping (the largest |g| for norm_type = inf) as a 0-dim
// tensor of the gradients' dtype on their device, as PyTorch does. One pass over
// all gradients and no host sync (except for error_if_nonfinite: an Error
// when the norm is nan/inf). Parameters without a gradient are skipped.
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
// All parameters flattened and concatenated (a new tensor).
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);
// Copies consecutive slices of vec into the parameters.
void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters);

}  // namespace ember::nn::utils
