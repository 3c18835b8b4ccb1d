// Gradient clipping and parameter flattening, all outside autograd.
#include "ember/nn/utils.h"

#include <cmath>
#include <limits>

#include "ember/grad_mode.h"
#include "ember/ops.h"

namespace ember::nn::utils {

// total = (sum_p ||g_p||^q)^(1/q); each g scaled by min(1, max_norm / (total + 1e-6))
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  double total = 0.0;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) total = std::max(total, norm(g, norm_type).item<double>());
  } else {
    for (const Tensor& g : grads) total += std::pow(norm(g, norm_type).item<double>(), norm_type);
    total = std::pow(total, 1.0 / norm_type);
  }
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total), "clip_grad_norm_: the total norm of order ", norm_type,
              " of the gradients is non-finite (", total, "), so it cannot be clipped");
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1.0)
    for (Tensor p : parameters)  // a handle: the gradient is shared
      if (p.grad().defined()) p.mutable_grad().mul_(scale);
  return total;
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
