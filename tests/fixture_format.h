// Reading tensors from the fixture files in tests/golden: one tensor per line,
// `DTYPE NDIM DIMS... VALUES...` after the line's keyword(s).
#pragma once

#include <ember/ember.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember::fixtures {

inline Dtype parse_dtype(const std::string& name) {
  if (name == "float64") return kFloat64;
  if (name == "float32") return kFloat32;
  if (name == "int64") return kInt64;
  if (name == "bool") return kBool;
  throw std::runtime_error("unknown dtype in fixture: " + name);
}

inline Tensor parse_tensor(std::istringstream& in) {
  std::string dtype_name;
  int64_t ndim;
  in >> dtype_name >> ndim;
  std::vector<int64_t> sizes(static_cast<size_t>(ndim));
  for (auto& s : sizes) in >> s;
  std::vector<double> values;
  for (std::string v; in >> v;) values.push_back(std::strtod(v.c_str(), nullptr));  // also nan, inf, -inf
  return from_buffer(values.data(), kFloat64, sizes, {.dtype = parse_dtype(dtype_name)});
}

// |got - want| <= atol + rtol |want| for every element (NaN matches NaN, an
// infinity only itself); returns the first offending element's description,
// or "" when all are close.
inline std::string compare(const Tensor& got, const Tensor& want, double atol, double rtol) {
  if (got.sizes() != want.sizes()) {
    std::ostringstream msg;
    msg << "shape " << got.sizes() << " vs " << want.sizes();
    return msg.str();
  }
  const auto g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t k = 0; k < g.size(); ++k) {
    if (std::isnan(g[k]) && std::isnan(w[k])) continue;
    if (std::isinf(w[k]) ? g[k] != w[k] : !(std::abs(g[k] - w[k]) <= atol + rtol * std::abs(w[k]))) {
      std::ostringstream msg;
      msg << "element " << k << ": " << g[k] << " vs " << w[k];
      return msg.str();
    }
  }
  return "";
}

}  // namespace ember::fixtures
