// Dropout layers: argument checks and printing (the math is in F::dropout).
#include <sstream>

#include "ember/nn/layers.h"

namespace ember::nn {
namespace {
std::string describe(double p) {
  std::ostringstream out;
  out << "p=" << p << ", inplace=False";
  return out.str();
}
}  // namespace

Dropout::Dropout(double p) : Module("Dropout"), p_(p) {
  EMBER_CHECK(p >= 0 && p <= 1, "Dropout: probability has to be between 0 and 1, but got ", p);
}
std::string Dropout::extra_repr() const { return describe(p_); }

Dropout2d::Dropout2d(double p) : Module("Dropout2d"), p_(p) {
  EMBER_CHECK(p >= 0 && p <= 1, "Dropout2d: probability has to be between 0 and 1, but got ", p);
}
std::string Dropout2d::extra_repr() const { return describe(p_); }

}  // namespace ember::nn
