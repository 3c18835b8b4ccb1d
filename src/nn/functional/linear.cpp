// Linear maps, dropout and embedding lookups.
#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(x.defined() && weight.defined(), "linear: input and weight must be defined");
  EMBER_CHECK(weight.dim() == 2, "linear: weight must be 2-D (out_features, in_features), got shape ", weight.sizes());
  EMBER_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input of shape ", x.sizes(),
              " does not end in in_features = ", weight.size(1), " (weight shape ", weight.sizes(), ")");
  const Tensor y = x.matmul(weight.t());
  if (!bias.defined()) return y;
  EMBER_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "linear: bias of shape ", bias.sizes(),
              " does not match out_features = ", weight.size(0));
  return y + bias;
}

Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 3, "bilinear: weight must be 3-D (out, in1, in2), got shape ", weight.sizes());
  EMBER_CHECK(x1.dim() >= 1 && x2.dim() >= 1 && x1.size(-1) == weight.size(1) && x2.size(-1) == weight.size(2),
              "bilinear: inputs of shapes ", x1.sizes(), " and ", x2.sizes(), " do not match weight ", weight.sizes());
  // y_o = sum_ij x1_i W_oij x2_j: (x1 . W) as (*, out, in2), then contract with x2.
  const Tensor left = x1.matmul(weight.permute({1, 0, 2}).reshape({weight.size(1), -1}));  // (*, out*in2)
  Shape split = x1.sizes().shape();
  split.back() = weight.size(0);
  split.push_back(weight.size(2));
  const Tensor y = (left.reshape(split) * x2.unsqueeze(-2)).sum({-1});
  return bias.defined() ? y + bias : y;
}

Tensor dropout(const Tensor& x, double p, bool training, Generator* generator) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * 0;
  const Tensor keep = bernoulli(x.sizes(), 1 - p, x.options(), generator);
  return x * (keep / (1 - p));
}

Tensor dropout2d(const Tensor& x, double p, bool training, Generator* generator) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout2d: probability has to be between 0 and 1, but got ", p);
  EMBER_CHECK(x.dim() == 3 || x.dim() == 4, "dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape ",
              x.sizes());
  if (!training || p == 0) return x;
  if (p == 1) return x * 0;
  Shape mask_shape = x.sizes().shape();
  for (size_t d = x.dim() == 4 ? 2 : 1; d < mask_shape.size(); ++d) mask_shape[d] = 1;
  const Tensor keep = bernoulli(mask_shape, 1 - p, x.options(), generator);
  return x * (keep / (1 - p));
}

// Rescales the rows of weight at `rows` to norm <= max_norm (scale max_norm / (norm + 1e-7)).
void renorm_rows(const Tensor& weight, const Tensor& rows, double max_norm, double norm_type) {
  NoGradGuard no_grad;
  const Tensor picked = index_select(weight, 0, rows);
  const Tensor norms = norm(picked, norm_type, {1}, true);
  const Tensor scale = where(gt(norms, max_norm), max_norm / (norms + 1e-7), ones_like(norms));
  Tensor target = weight;
  scatter_(target, 0, rows.view({-1, 1}).expand(picked.sizes()), picked * scale);
}

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx,
                 std::optional<double> max_norm, double norm_type) {
  EMBER_CHECK(weight.dim() == 2, "embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape ",
              weight.sizes());
  EMBER_CHECK(!is_floating(indices.dtype()) && indices.dtype() != Dtype::boolean,
              "embedding: indices must be an integer tensor, got ", dtype_name(indices.dtype()));
  if (max_norm) renorm_rows(weight, indices.reshape({-1}).to(Dtype::int64), *max_norm, norm_type);
  Shape shape = indices.sizes().shape();
  shape.push_back(weight.size(1));
  Tensor out = index_select(weight, 0, indices.reshape({-1})).view(shape);
  if (!padding_idx) return out;
  const int64_t pad = *padding_idx < 0 ? *padding_idx + weight.size(0) : *padding_idx;
  // The padding row's gradient is always zero, as in PyTorch.
  return where(ne(indices, pad).unsqueeze(-1), out, out.detach());
}

}  // namespace ember::nn::functional
