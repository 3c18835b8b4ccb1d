// The space a tuned parameter is drawn from, as Optuna describes it: a float
// range (optionally log-scaled or on a step grid), an integer range, or a list
// of choices. Every value has an internal representation (a double: the value
// itself, or the index of a choice), which samplers, pruners and the journal
// work in, and an external one, which the objective sees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ember::tune {

// A parameter's value as the objective sees it; a categorical choice may be
// any of these (Optuna allows None, bool, int, float and str).
using ParamValue = std::variant<std::monostate, bool, int64_t, double, std::string>;
std::string value_text(const ParamValue& value);  // 0.001, 64, adam, true, null

struct FloatDistribution {
  double low = 0, high = 1;
  bool log = false;
  std::optional<double> step = {};
};
struct IntDistribution {
  int64_t low = 0, high = 1;
  bool log = false;
  int64_t step = 1;
};
struct CategoricalDistribution {
  std::vector<ParamValue> choices;
};
using Distribution = std::variant<FloatDistribution, IntDistribution, CategoricalDistribution>;

// The distribution with its bounds checked (an Error naming `param` and what
// is wrong) and `high` moved down onto the step grid, as Optuna does.
Distribution checked(Distribution distribution, const std::string& param);
// Same kind, same log scale, and for choices the same list: a parameter keeps
// its distribution's kind over a study (Optuna's compatibility rule).
bool compatible(const Distribution& a, const Distribution& b);
bool single(const Distribution& distribution);  // only one value is possible
bool contains(const Distribution& distribution, double internal);  // a value the distribution can give
double to_internal(const Distribution& distribution, const ParamValue& value);
ParamValue to_external(const Distribution& distribution, double internal);

// Optuna's JSON form of a distribution ({"name": "FloatDistribution", "attributes": {...}}),
// as its journal stores them.
std::string distribution_json(const Distribution& distribution);
Distribution distribution_from_json(const std::string& text);

}  // namespace ember::tune
