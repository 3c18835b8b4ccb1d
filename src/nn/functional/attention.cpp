// Scaled dot-product attention, composed of differentiable ops.
#include <cmath>
#include <limits>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {

// softmax(q k^T * scale + mask) v
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    double dropout_p, bool is_causal, std::optional<double> scale,
                                    Generator* generator) {
  EMBER_CHECK(q.defined() && k.defined() && v.defined() && q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2,
              "scaled_dot_product_attention: q, k and v must be defined and at least 2-D");
  EMBER_CHECK(q.size(-1) == k.size(-1) && k.size(-2) == v.size(-2), "scaled_dot_product_attention: q ", q.sizes(),
              ", k ", k.sizes(), " and v ", v.sizes(), " do not fit (q and k share E, k and v share S)");
  EMBER_CHECK(!(is_causal && attn_mask.defined()),
              "scaled_dot_product_attention: give either attn_mask or is_causal, not both");
  const int64_t L = q.size(-2), S = k.size(-2);
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  Tensor scores = q.matmul(k.transpose(-2, -1)) * s;
  Tensor mask = attn_mask;
  const TensorOptions on_q{.device = q.device()};
  if (is_causal) mask = ge(arange(L, on_q).view({L, 1}), arange(S, on_q).view({1, S}));  // j <= i
  if (mask.defined()) {
    if (mask.dtype() == Dtype::boolean) scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<double>::infinity());
    else scores = scores + mask;
  }
  Tensor weights = softmax(scores, -1);
  if (dropout_p > 0) weights = dropout(weights, dropout_p, true, generator);
  return weights.matmul(v);
}

}  // namespace ember::nn::functional
