// Identity, Linear, Bilinear, Flatten, Unflatten.
#include <cmath>
#include <sstream>

#include "ember/creation.h"
#include "ember/nn/init.h"
#include "ember/nn/layers.h"

namespace ember::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : Module("Linear") {
  EMBER_CHECK(in_features >= 0 && out_features >= 0, "Linear: feature counts must be non-negative, got ", in_features,
              " and ", out_features);
  weight = parameter(empty({out_features, in_features}));
  init::kaiming_uniform_(weight, std::sqrt(5.0));  // U(-1/sqrt(in), 1/sqrt(in))
  if (with_bias) {
    bias = parameter(empty({out_features}));
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void Linear::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

std::string Linear::extra_repr() const {
  std::ostringstream out;
  out << "in_features=" << weight.size(1) << ", out_features=" << weight.size(0)
      << ", bias=" << (bias.defined() ? "True" : "False");
  return out.str();
}

Bilinear::Bilinear(int64_t in1, int64_t in2, int64_t out, bool with_bias) : Module("Bilinear") {
  const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(in1, 1)));
  weight = parameter(empty({out, in1, in2}));
  init::uniform_(weight, -bound, bound);
  if (with_bias) {
    bias = parameter(empty({out}));
    init::uniform_(bias, -bound, bound);
  }
}

void Bilinear::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

std::string Bilinear::extra_repr() const {
  std::ostringstream out;
  out << "in1_features=" << weight.size(1) << ", in2_features=" << weight.size(2) << ", out_features=" << weight.size(0)
      << ", bias=" << (bias.defined() ? "True" : "False");
  return out.str();
}

std::string Flatten::extra_repr() const {
  std::ostringstream out;
  out << "start_dim=" << start_dim_ << ", end_dim=" << end_dim_;
  return out.str();
}

std::string Unflatten::extra_repr() const {
  std::ostringstream out;
  out << "dim=" << dim_ << ", unflattened_size=(";
  for (size_t i = 0; i < sizes_.size(); ++i) out << (i ? ", " : "") << sizes_[i];
  out << ")";
  return out.str();
}

}  // namespace ember::nn
