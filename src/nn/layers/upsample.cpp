// Upsample's printed form, as PyTorch's: "scale_factor=2.0, mode='nearest'".
#include <charconv>
#include <sstream>

#include "ember/nn/layers.h"

namespace ember::nn {
namespace {

// Python's repr of a float: the shortest round-trip digits, with ".0" when integral.
std::string python_float(double v) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  std::string text(buffer, end);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

template <class T, class Format>
std::string one_or_tuple(const std::vector<T>& values, Format format) {
  if (values.size() == 1) return format(values[0]);
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + format(values[i]);
  return out + ")";
}

}  // namespace

std::string Upsample::extra_repr() const {
  std::ostringstream out;
  if (!options_.scale_factor.empty()) out << "scale_factor=" << one_or_tuple(options_.scale_factor, python_float);
  else out << "size=" << one_or_tuple(options_.size, [](int64_t v) { return std::to_string(v); });
  out << ", mode='" << options_.mode << "'";
  return out.str();
}

}  // namespace ember::nn
