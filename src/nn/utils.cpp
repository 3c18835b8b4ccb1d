// Gradient clipping and parameter flattening, all outside autograd.
#include "ember/nn/utils.h"

#include <cmath>
#include <limits>

#include "ember/grad_mode.h"
#include "ember/creation.h"
#include "ember/ops.h"
#include "ops/optimizer_step.h"

namespace ember::nn::utils {

// total = (sum_p ||g_p||^q)^(1/q); each g scaled by min(1, max_norm / (total + 1e-6))
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return zeros({});
  const Tensor total = ops::total_norm(grads, norm_type, "clip_grad_norm_");  // float64
  if (error_if_nonfinite && !total.is_meta()) {
    const double value = total.item<double>();
    EMBER_CHECK(std::isfinite(value), "clip_grad_norm_: the total norm of order ", norm_type,
                " of the gradients is non-finite (", value, "), so it cannot be clipped");
  }
  // Multiplying by a clamped coefficient (1 when no clipping is needed) keeps the value on the device.
  const Tensor scale = clamp(max_norm / (total + 1e-6), std::nullopt, 1.0);
  for (Tensor p : parameters)  // a handle: the gradient is shared
    if (p.grad().defined()) p.mutable_grad().mul_(scale);
  return total.to(grads[0].dtype());
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (Tensor p : parameters)
    if (p.grad().defined()) p.mutable_grad().clamp_(-clip_value, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> flat;
  for (const Tensor& p : parameters) flat.push_back(p.reshape({-1}));
  return cat(flat);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  int64_t total = 0;
  for (const Tensor& p : parameters) total += p.numel();
  EMBER_CHECK(vec.dim() == 1 && vec.numel() == total, "vector_to_parameters: expected a 1-D vector of ", total,
              " elements, got shape ", vec.sizes());
  NoGradGuard no_grad;
  int64_t offset = 0;
  for (const Tensor& p : parameters) {
    Tensor target = p;
    target.copy_(vec.narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
}

}  // namespace ember::nn::utils
