// Batch and layer normalization, composed of differentiable ops.
#include <cmath>
#include <limits>
#include <vector>

#include "ember/grad_mode.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "ops/normalized_shape.h"

namespace ember::nn::functional {
namespace {

// A per-channel vector (C) shaped to broadcast against x (N, C, *).
Tensor per_channel(const Tensor& v, int64_t dims) {
  Shape shape(static_cast<size_t>(dims), 1);
  shape[1] = v.numel();
  return v.reshape(shape);
}

}  // namespace

// y = (x - mean) / sqrt(var + eps) * weight + bias, statistics over every dim but 1 (the native_batch_norm op)
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  return native_batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps);
}

Tensor rms_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight, std::optional<double> eps) {
  const char* op = "rms_norm";
  EMBER_CHECK(x.defined(), op, ": input is undefined");
  ops::check_normalized_shape(x, normalized_shape, op);
  EMBER_CHECK(is_floating(x.dtype()), op, ": input must be floating point, got ", dtype_name(x.dtype()));
  EMBER_CHECK(!weight.defined() || weight.sizes() == normalized_shape, op, ": weight of shape ",
              weight.defined() ? weight.sizes() : IntArrayRef(), " must equal normalized_shape ", normalized_shape);
  const double epsilon = eps.value_or(x.dtype() == Dtype::float64 ? std::numeric_limits<double>::epsilon()
                                                                  : std::numeric_limits<float>::epsilon());
  std::vector<int64_t> dims;
  for (int64_t i = x.dim() - static_cast<int64_t>(normalized_shape.size()); i < x.dim(); ++i) dims.push_back(i);
  const Tensor y = x * rsqrt(x.square().mean(dims, true) + epsilon);
  return weight.defined() ? y * weight : y;
}

// y = (x - mean) / sqrt(var + eps) * weight + bias over the trailing normalized dims (the native_layer_norm op)
Tensor layer_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias, double eps) {
  return native_layer_norm(x, normalized_shape, weight, bias, eps);
}

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  EMBER_CHECK(x.dim() >= 2, "group_norm: expected an input of at least 2 dims (N, C, ...), got shape ", x.sizes());
  const int64_t channels = x.size(1);
  EMBER_CHECK(num_groups > 0 && channels % num_groups == 0, "group_norm: ", channels,
              " channels are not divisible into ", num_groups, " groups");
  for (const Tensor* t : {&weight, &bias})
    EMBER_CHECK(!t->defined() || (t->dim() == 1 && t->size(0) == channels), "group_norm: weight/bias of shape ",
                t->defined() ? t->sizes() : IntArrayRef(), " must have one entry per channel (", channels, ")");
  const Tensor g = x.reshape({x.size(0), num_groups, -1});
  const Tensor mean = g.mean({2}, true);
  const Tensor var = (g - mean).square().mean({2}, true);
  Tensor y = ((g - mean) * rsqrt(var + eps)).view(x.sizes());
  if (weight.defined()) y = y * per_channel(weight, x.dim());
  if (bias.defined()) y = y + per_channel(bias, x.dim());
  return y;
}

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps) {
  EMBER_CHECK(x.dim() >= 3, "instance_norm: expected an input of at least 3 dims (N, C, spatial...), got shape ",
              x.sizes());
  const int64_t channels = x.size(1);
  Shape spatial;
  for (int64_t d = 2; d < x.dim(); ++d) spatial.push_back(d);
  Tensor mean, var;
  if (use_input_stats) {
    const int64_t n = x.numel() / std::max<int64_t>(x.size(0) * channels, 1);
    EMBER_CHECK(n > 1, "instance_norm: expected more than 1 spatial element when training, got input shape ",
                x.sizes());
    mean = x.mean(spatial, true);
    var = (x - mean).square().mean(spatial, true);
    if (running_mean.defined() && running_var.defined()) {
      NoGradGuard no_grad;
      Tensor rm = running_mean, rv = running_var;
      rm.mul_(1 - momentum).add_(mean.mean({0}).reshape({-1}) * momentum);
      rv.mul_(1 - momentum)
          .add_(var.mean({0}).reshape({-1}) * (momentum * static_cast<double>(n) / static_cast<double>(n - 1)));
    }
  } else {
    EMBER_CHECK(running_mean.defined() && running_var.defined(),
                "instance_norm: running statistics are needed when not using input statistics");
    mean = per_channel(running_mean, x.dim());
    var = per_channel(running_var, x.dim());
  }
  Tensor y = (x - mean) * rsqrt(var + eps);
  if (weight.defined()) y = y * per_channel(weight, x.dim());
  if (bias.defined()) y = y + per_channel(bias, x.dim());
  return y;
}

Tensor local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double k) {
  EMBER_CHECK(x.dim() >= 3, "local_response_norm: expected an input of at least 3 dims (N, C, ...), got shape ",
              x.sizes());
  EMBER_CHECK(size > 0, "local_response_norm: size must be positive, got ", size);
  const int64_t N = x.size(0), C = x.size(1), rest = x.numel() / std::max<int64_t>(N * C, 1);
  // Sum of squares over channels [c - size/2, c + (size-1)/2] (zeros outside), as windows of im2col.
  const Tensor sq = x.square().reshape({N, 1, C, rest});
  const Tensor window_sum = im2col(sq, {size, 1}, {1, 1}, {size / 2, 0}, {1, 1}, {C, rest}).sum({1});
  const Tensor div = pow(window_sum.view(x.sizes()) * (alpha / static_cast<double>(size)) + k, beta);
  return x / div;
}

}  // namespace ember::nn::functional
