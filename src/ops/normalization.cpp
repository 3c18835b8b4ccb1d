// Batch and layer normalization as ops on per-channel kernels.
//
// Batch normalization over x (N, C, *), statistics per channel c:
//   y = (x - mean_c) * invstd_c * weight_c + bias_c,  invstd_c = 1 / sqrt(var_c + eps)
// with the batch's mean and biased variance when training (the running
// statistics move towards them, the variance unbiased), the running ones
// otherwise. Gradients, xhat = (x - mean) * invstd and M values per channel:
//   training: dx = weight * invstd * (g - mean(g) - xhat * mean(g * xhat))
//   eval:     dx = weight * invstd * g
//   dweight = sum(g * xhat), dbias = sum(g)
// The forward and the plain backward are two passes of per-channel kernels;
// under create_graph the gradients come from the same formulas written with
// ops, so they differentiate again.
#include "graph/record.h"
#include "ops/internal.h"
#include "ops/normalized_shape.h"

namespace ember {
namespace {

using autograd::Grads;
using autograd::Saved;

// Dims reduced per channel: 0 and 2.. of x.
Shape channel_reduce_dims(int64_t dim) {
  Shape dims{0};
  for (int64_t d = 2; d < dim; ++d) dims.push_back(d);
  return dims;
}

// A (C) vector shaped to broadcast against x (N, C, *).
Tensor per_channel(const Tensor& v, int64_t dim) {
  Shape shape(static_cast<size_t>(dim), 1);
  shape[1] = v.numel();
  return v.reshape(shape);
}

// The gradients by the formulas above, written with (differentiable) ops.
Grads grads_by_ops(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& mean, const Tensor& invstd,
                   bool training, double eps, bool need_x, bool need_w, bool need_b) {
  const Shape dims = channel_reduce_dims(x.dim());
  Tensor xhat, inv;
  if (training) {  // the statistics depend on x: recompute them as ops
    const Tensor centered = x - x.mean(dims, true);
    inv = rsqrt(centered.square().mean(dims, true) + eps);
    xhat = centered * inv;
  } else {
    inv = per_channel(invstd, x.dim());
    xhat = (x - per_channel(mean, x.dim())) * inv;
  }
  Tensor gx;
  if (need_x) {
    const Tensor gy = weight.defined() ? g * per_channel(weight, x.dim()) : g;
    gx = training ? inv * (gy - gy.mean(dims, true) - xhat * (gy * xhat).mean(dims, true)) : gy * inv;
  }
  return {gx, need_w ? (g * xhat).sum(dims) : Tensor(), need_b ? g.sum(dims) : Tensor()};
}

}  // namespace

Tensor native_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                         const Tensor& running_var, bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  ops::check_defined(x, op);
  EMBER_CHECK(x.dim() >= 2, op, ": expected an input of at least 2 dims (N, C, ...), got shape ", x.sizes());
  EMBER_CHECK(is_floating(x.dtype()) && x.dtype() != Dtype::float16 && x.dtype() != Dtype::bfloat16, op,
              ": expected a float32 or float64 input, got ", dtype_name(x.dtype()));
  const int64_t channels = x.size(1);
  const std::pair<const Tensor*, const char*> vectors[] = {
      {&weight, "weight"}, {&bias, "bias"}, {&running_mean, "running_mean"}, {&running_var, "running_var"}};
  for (const auto& [t, what] : vectors) {
    if (!t->defined()) continue;
    EMBER_CHECK(t->dim() == 1 && t->size(0) == channels, op, ": ", what, " of shape ", t->sizes(),
                " does not match the ", channels, " channels of input ", x.sizes());
    EMBER_CHECK(t->dtype() == x.dtype(), op, ": ", what, " has dtype ", dtype_name(t->dtype()),
                ", expected the input's ", dtype_name(x.dtype()));
  }
  const int64_t count = channels > 0 ? x.numel() / channels : 0;  // values per channel
  Backend& backend = ops::backend_of(x);
  const Tensor xc = x.detach().contiguous();

  Tensor mean, invstd, alpha, gamma;
  {
    NoGradGuard no_grad;  // per-channel constants of the kernels; the node below carries the gradients
    if (training) {
      EMBER_CHECK(count > 1, op, ": expected more than 1 value per channel when training, got input shape ",
                  x.sizes());
      mean = ops::new_tensor({channels}, x.dtype(), x.device());
      Tensor var = ops::new_tensor({channels}, x.dtype(), x.device());
      backend.channel_moments(mean, var, xc);
      if (running_mean.defined() && running_var.defined()) {
        Tensor rm = running_mean, rv = running_var;
        rm.mul_(1 - momentum).add_(mean * momentum);
        rv.mul_(1 - momentum).add_(var * (momentum * static_cast<double>(count) / static_cast<double>(count - 1)));
      }
      invstd = rsqrt(var + eps);
    } else {
      EMBER_CHECK(running_mean.defined() && running_var.defined(), op,
                  ": running_mean and running_var are needed in eval mode (or pass training=true)");
      mean = running_mean.detach().clone();
      invstd = rsqrt(running_var.detach() + eps);
    }
    alpha = weight.defined() ? (weight.detach() * invstd).contiguous() : invstd;
    gamma = ((bias.defined() ? bias.detach() : zeros_like(mean)) - mean * alpha).contiguous();
  }
  Tensor y = ops::new_tensor(x.sizes(), x.dtype(), x.device());
  if (y.numel() > 0) backend.channel_affine(y, xc, alpha, Tensor(), Tensor(), gamma);

  if (!autograd::should_record_any(y.dtype(), x, weight, bias)) return y;
  return autograd::record(
      op, y, {x, weight, bias},
      [sx = Saved::input(x), sw = weight.defined() ? Saved::input(weight) : Saved(), has_weight = weight.defined(),
       mean, invstd, alpha, training,
       eps, count, need_x = autograd::requires_grad(x), need_w = weight.defined() && autograd::requires_grad(weight),
       need_b = bias.defined() && autograd::requires_grad(bias)](const Tensor& g) -> Grads {
        const Tensor x = sx.get();
        if (is_grad_enabled()) {
          const Tensor w = has_weight ? sw.get() : Tensor();
          return grads_by_ops(g, x, w, mean, invstd, training, eps, need_x, need_w, need_b);
        }
        Backend& backend = ops::backend_of(x);
        const Tensor gc = g.contiguous(), xc = x.contiguous();
        Tensor sum_g, sum_g_centered;  // sum(g) and sum(g * (x - mean)) per channel
        if (need_w || need_b || (need_x && training)) {
          sum_g = ops::new_tensor(mean.sizes(), x.dtype(), x.device());
          sum_g_centered = ops::new_tensor(mean.sizes(), x.dtype(), x.device());
          backend.channel_sums(sum_g, sum_g_centered, gc, xc, mean);
        }
        Tensor gx;
        if (need_x) {
          gx = ops::new_tensor(x.sizes(), x.dtype(), x.device());
          if (training) {
            // dx = alpha * g + beta * x + gamma_x, with beta = -alpha * invstd^2 * sum(g (x - mean)) / M
            // and gamma_x = -alpha * sum(g) / M - beta * mean
            const Tensor beta = (-alpha * invstd.square() * sum_g_centered / static_cast<double>(count)).contiguous();
            const Tensor shift = (-alpha * sum_g / static_cast<double>(count) - beta * mean).contiguous();
            if (gx.numel() > 0) backend.channel_affine(gx, gc, alpha, xc, beta, shift);
          } else if (gx.numel() > 0) {
            backend.channel_affine(gx, gc, alpha, Tensor(), Tensor(), zeros_like(alpha));
          }
        }
        return {gx, need_w ? sum_g_centered * invstd : Tensor(), need_b ? sum_g : Tensor()};
      });
}


void ops::check_normalized_shape(const Tensor& x, IntArrayRef normalized_shape, const char* op) {
  const auto k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1 && k <= x.dim(), op, ": normalized_shape ", normalized_shape,
              " must be non-empty and have at most as many dims as the input ", x.sizes());
  for (int64_t i = 0; i < k; ++i)
    EMBER_CHECK(x.size(x.dim() - k + i) == normalized_shape[static_cast<size_t>(i)], op, ": input of shape ",
                x.sizes(), " does not end in normalized_shape ", normalized_shape);
}

// Layer normalization over the trailing dims of x, seen as R rows of D values:
//   xhat = (x - mean_r) * rstd_r,  rstd_r = 1 / sqrt(var_r + eps),  y = xhat * weight + bias
//   dxhat = g * weight,  dx = rstd * (dxhat - mean_d(dxhat) - xhat * mean_d(dxhat * xhat))
//   dweight = sum_r(g * xhat),  dbias = sum_r(g)
// The rows are the "channels" of the per-channel kernels (a (1, R, D) view).
Tensor native_layer_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                         double eps) {
  const char* op = "layer_norm";
  ops::check_defined(x, op);
  ops::check_normalized_shape(x, normalized_shape, op);
  const auto k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(x.dtype() == Dtype::float32 || x.dtype() == Dtype::float64, op,
              ": expected a float32 or float64 input, got ", dtype_name(x.dtype()));
  for (const Tensor* t : {&weight, &bias})
    EMBER_CHECK(!t->defined() || (t->sizes() == normalized_shape && t->dtype() == x.dtype()), op,
                ": weight/bias of shape ", t->defined() ? t->sizes() : IntArrayRef(), " must equal normalized_shape ",
                normalized_shape, " and have the input's dtype ", dtype_name(x.dtype()));
  const int64_t D = shape_numel(normalized_shape), R = D > 0 ? x.numel() / D : 0;
  Backend& backend = ops::backend_of(x);
  const Tensor rows = x.detach().contiguous().view({1, R, D});
  Tensor mean = ops::new_tensor({R}, x.dtype(), x.device()), rstd;
  Tensor xhat = ops::new_tensor({1, R, D}, x.dtype(), x.device());
  {
    NoGradGuard no_grad;
    Tensor var = ops::new_tensor({R}, x.dtype(), x.device());
    if (R > 0 && D > 0) {
      backend.channel_moments(mean, var, rows);
    } else {
      mean.zero_();
      var.zero_();
    }
    rstd = rsqrt(var + eps);
    if (xhat.numel() > 0) backend.channel_affine(xhat, rows, rstd, Tensor(), Tensor(), (-mean * rstd).contiguous());
  }
  Tensor y = xhat.view(x.sizes());
  if (weight.defined() || bias.defined()) {
    NoGradGuard no_grad;
    if (weight.defined()) y = y * weight.detach();
    if (bias.defined()) y = y + bias.detach();
  }
  if (!autograd::should_record_any(y.dtype(), x, weight, bias)) return y;
  return autograd::record(
      op, y, {x, weight, bias},
      [sx = Saved::input(x), sw = weight.defined() ? Saved::input(weight) : Saved(), has_weight = weight.defined(),
       sxhat = Saved::output(xhat), rstd, k, R, D, eps, need_x = autograd::requires_grad(x),
       need_w = weight.defined() && autograd::requires_grad(weight),
       need_b = bias.defined() && autograd::requires_grad(bias)](const Tensor& g) -> Grads {
        const Tensor w = has_weight ? sw.get() : Tensor();
        const Shape leading_dims = [&] {
          Shape dims;
          for (int64_t d = 0; d < g.dim() - k; ++d) dims.push_back(d);
          return dims;
        }();
        auto sum_rows = [&](const Tensor& t) { return leading_dims.empty() ? t : t.sum(leading_dims); };
        if (is_grad_enabled()) {  // the formulas as ops, differentiable again
          const Tensor x = sx.get();
          Shape dims;
          for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
          const Tensor centered = x - x.mean(dims, true);
          const Tensor inv = rsqrt(centered.square().mean(dims, true) + eps);
          const Tensor xh = centered * inv;
          Tensor gx;
          if (need_x) {
            const Tensor gy = w.defined() ? g * w : g;
            gx = inv * (gy - gy.mean(dims, true) - xh * (gy * xh).mean(dims, true));
          }
          return {gx, need_w ? sum_rows(g * xh) : Tensor(), need_b ? sum_rows(g) : Tensor()};
        }
        const Tensor xhat = sxhat.get();  // y itself without weight and bias: checked for in-place changes
        const Tensor xh = xhat.view(g.sizes());
        Tensor gx;
        if (need_x) {
          Backend& backend = ops::backend_of(g);
          const Tensor gy = (w.defined() ? g * w : g).contiguous().view({1, R, D});
          const Tensor sum_gy = ops::new_tensor({R}, g.dtype(), g.device());
          const Tensor sum_gy_xhat = ops::new_tensor({R}, g.dtype(), g.device());
          backend.channel_sums(sum_gy, sum_gy_xhat, gy, xhat, zeros_like(sum_gy));
          // dx = rstd * gy - (rstd * sum(gy xhat) / D) * xhat - rstd * sum(gy) / D
          const Tensor beta = (-rstd * sum_gy_xhat / static_cast<double>(D)).contiguous();
          const Tensor shift = (-rstd * sum_gy / static_cast<double>(D)).contiguous();
          gx = ops::new_tensor({1, R, D}, g.dtype(), g.device());
          if (gx.numel() > 0) backend.channel_affine(gx, gy, rstd, xhat, beta, shift);
          gx = gx.view(g.sizes());
        }
        return {gx, need_w ? sum_rows(g * xh) : Tensor(), need_b ? sum_rows(g) : Tensor()};
      });
}

}  // namespace ember
