// Embedding: a lookup table of learned vectors.
#include <sstream>

#include "ember/creation.h"
#include "ember/nn/init.h"
#include "ember/nn/layers.h"

namespace ember::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx,
                     std::optional<double> max_norm, double norm_type)
    : Module("Embedding"), max_norm_(max_norm), norm_type_(norm_type) {
  EMBER_CHECK(num_embeddings > 0 && embedding_dim > 0, "Embedding: sizes must be positive, got ", num_embeddings,
              " x ", embedding_dim);
  if (padding_idx) {
    EMBER_CHECK(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings, "Embedding: padding_idx ",
                *padding_idx, " must be within num_embeddings (", num_embeddings, ")");
    padding_idx_ = *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
  }
  weight = parameter(empty({num_embeddings, embedding_dim}));
  init::normal_(weight);
  if (padding_idx_) {
    NoGradGuard no_grad;
    weight[*padding_idx_].zero_();
  }
}

std::string Embedding::extra_repr() const {
  std::string out = std::to_string(weight.size(0)) + ", " + std::to_string(weight.size(1));
  if (padding_idx_) out += ", padding_idx=" + std::to_string(*padding_idx_);
  if (max_norm_) {
    std::ostringstream norm;
    norm << ", max_norm=" << *max_norm_;
    out += norm.str();
  }
  return out;
}

}  // namespace ember::nn
