// Activation functions, composed of differentiable ops (their gradients come
// free). Branches that could overflow are clamped first, so the unused side of
// a where() never yields inf/nan gradients.
#include <cmath>

#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {

Tensor relu(const Tensor& x) { return ember::relu(x); }

// min(max(x, 0), 6)
Tensor relu6(const Tensor& x) { return clamp(x, 0, 6); }

// x if x > 0 else slope * x
Tensor leaky_relu(const Tensor& x, double negative_slope) { return where(gt(x, 0), x, x * negative_slope); }

// x if x > 0 else alpha (e^x - 1)
Tensor elu(const Tensor& x, double alpha) { return where(gt(x, 0), x, expm1(clamp(x, {}, 0)) * alpha); }

// scale * elu(x, alpha), with the constants of the self-normalizing paper
Tensor selu(const Tensor& x) {
  constexpr double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  return elu(x, alpha) * scale;
}

// exact: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2
// tanh:  x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2
Tensor gelu(const Tensor& x, const std::string& approximate) {
  if (approximate == "none") return x * (erf(x * M_SQRT1_2) + 1) * 0.5;
  EMBER_CHECK(approximate == "tanh", "gelu: approximate must be 'none' or 'tanh', got '", approximate, "'");
  const double k = std::sqrt(2.0 / M_PI);
  return x * (ember::tanh((x + x * x * x * 0.044715) * k) + 1) * 0.5;
}

// x sigmoid(x)
Tensor silu(const Tensor& x) { return x * ember::sigmoid(x); }

// x tanh(softplus(x))
Tensor mish(const Tensor& x) { return x * ember::tanh(softplus(x)); }

// x relu6(x + 3) / 6
Tensor hardswish(const Tensor& x) { return x * clamp(x + 3, 0, 6) / 6; }

// relu6(x + 3) / 6
Tensor hardsigmoid(const Tensor& x) { return clamp(x + 3, 0, 6) / 6; }

Tensor sigmoid(const Tensor& x) { return ember::sigmoid(x); }
Tensor tanh(const Tensor& x) { return ember::tanh(x); }

// log(1 + e^(beta x)) / beta, and x itself where beta x > threshold
Tensor softplus(const Tensor& x, double beta, double threshold) {
  const Tensor bx = x * beta;
  return where(gt(bx, threshold), x, log1p(exp(clamp(bx, {}, threshold))) / beta);
}

// x if x > 0 else w x, w per channel (dim 1) or shared
Tensor prelu(const Tensor& x, const Tensor& weight) {
  EMBER_CHECK(weight.numel() == 1 || (x.dim() >= 2 && weight.numel() == x.size(1)), "prelu: weight of ",
              weight.numel(), " elements does not match the ", x.dim() >= 2 ? x.size(1) : 1,
              " channels of an input of shape ", x.sizes(), " (expected 1 or one per channel)");
  Tensor w = weight.reshape({-1});
  if (weight.numel() > 1) {
    Shape shape(static_cast<size_t>(x.dim()), 1);
    shape[1] = weight.numel();
    w = w.view(shape);
  }
  return where(gt(x, 0), x, x * w);
}

Tensor glu(const Tensor& x, int64_t dim) {
  EMBER_CHECK(x.defined() && x.dim() > 0, "glu: expected a tensor with at least one dim");
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  EMBER_CHECK(d >= 0 && d < x.dim(), "glu: dim ", dim, " is out of range for an input of shape ", x.sizes());
  EMBER_CHECK(x.size(d) % 2 == 0, "glu: halving dimension must be even, but dimension ", d, " is size ", x.size(d));
  const auto halves = x.chunk(2, d);
  return halves[0] * halves[1].sigmoid();
}

// e^(x - max) / sum e^(x - max) along dim
Tensor softmax(const Tensor& x, int64_t dim) {
  const Tensor shifted = x - amax(x, {dim}, true).detach();
  const Tensor e = exp(shifted);
  return e / sum(e, {dim}, true);
}

// (x - max) - log(sum e^(x - max)) along dim. Shifting first, as PyTorch's
// kernel does, keeps the digits a common offset would cost: x - logsumexp(x)
// subtracts two numbers near the offset (1e4 in float32 loses ~5e-4).
Tensor log_softmax(const Tensor& x, int64_t dim) {
  if (x.numel() == 0) return x - logsumexp(x, {dim}, true);  // no max to shift by
  const Tensor shifted = x - amax(x, {dim}, true).detach();
  return shifted - log(sum(exp(shifted), {dim}, true));
}

}  // namespace ember::nn::functional
