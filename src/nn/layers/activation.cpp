// The printed arguments of the activations that take some; PReLU's weight.
#include <sstream>

#include "ember/creation.h"
#include "ember/nn/layers.h"

namespace ember::nn {

std::string LeakyReLU::extra_repr() const {
  std::ostringstream out;
  out << "negative_slope=" << slope_;
  return out.str();
}

std::string ELU::extra_repr() const {
  std::ostringstream out;
  out << "alpha=" << alpha_;
  return out.str();
}

std::string GELU::extra_repr() const { return "approximate='" + approximate_ + "'"; }

std::string Softplus::extra_repr() const {
  std::ostringstream out;
  out << "beta=" << beta_ << ", threshold=" << threshold_;
  return out.str();
}

std::string Softmax::extra_repr() const { return "dim=" + std::to_string(dim_); }
std::string LogSoftmax::extra_repr() const { return "dim=" + std::to_string(dim_); }

PReLU::PReLU(int64_t num_parameters, double init) : Module("PReLU") {
  EMBER_CHECK(num_parameters > 0, "PReLU: num_parameters must be positive, got ", num_parameters);
  weight = parameter(full({num_parameters}, init));
}

std::string PReLU::extra_repr() const { return "num_parameters=" + std::to_string(weight.numel()); }

}  // namespace ember::nn
