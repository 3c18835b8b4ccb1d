#include "ember/tune/distribution.h"

#include <charconv>
#include <cmath>

#include "ember/error.h"
#include "tune/json_values.h"

namespace ember::tune {

using detail::Json;

std::string value_text(const ParamValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return "null";
  if (std::holds_alternative<bool>(value)) return std::get<bool>(value) ? "true" : "false";
  if (std::holds_alternative<int64_t>(value)) return std::to_string(std::get<int64_t>(value));
  if (std::holds_alternative<std::string>(value)) return std::get<std::string>(value);
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, std::get<double>(value)).ptr;  // shortest exact form
  return std::string(buffer, end);
}

Distribution checked(Distribution distribution, const std::string& param) {
  if (auto* f = std::get_if<FloatDistribution>(&distribution)) {
    EMBER_CHECK(std::isfinite(f->low) && std::isfinite(f->high) && f->low <= f->high, "tune: parameter '", param,
                "': the float range [", f->low, ", ", f->high, "] is empty or not finite");
    EMBER_CHECK(!f->log || f->low > 0, "tune: parameter '", param, "': a log-scaled range needs low > 0, got ",
                f->low);
    EMBER_CHECK(!(f->log && f->step), "tune: parameter '", param, "': a range is either log-scaled or on a step");
    if (f->step) {
      const double step = *f->step, span = f->high - f->low;
      EMBER_CHECK(step > 0 && std::isfinite(step), "tune: parameter '", param, "': the step must be > 0, got ", step);
      // The last grid point at or below high (what Optuna computes in decimal).
      const double points = std::round(span / step);
      if (std::abs(points * step - span) > 1e-9 * std::max(1.0, std::abs(span)))
        f->high = std::floor(span / step) * step + f->low;
    }
  } else if (auto* i = std::get_if<IntDistribution>(&distribution)) {
    EMBER_CHECK(i->low <= i->high, "tune: parameter '", param, "': the integer range [", i->low, ", ", i->high,
                "] is empty");
    EMBER_CHECK(i->step >= 1, "tune: parameter '", param, "': the step must be >= 1, got ", i->step);
    EMBER_CHECK(!i->log || i->low >= 1, "tune: parameter '", param, "': a log-scaled range needs low >= 1, got ",
                i->low);
    EMBER_CHECK(!i->log || i->step == 1, "tune: parameter '", param, "': a log-scaled range takes no step");
    i->high = (i->high - i->low) / i->step * i->step + i->low;
  } else {
    const auto& c = std::get<CategoricalDistribution>(distribution);
    EMBER_CHECK(!c.choices.empty(), "tune: parameter '", param, "': no choices to choose from");
  }
  return distribution;
}

bool compatible(const Distribution& a, const Distribution& b) {
  if (a.index() != b.index()) return false;
  if (const auto* f = std::get_if<FloatDistribution>(&a)) return f->log == std::get<FloatDistribution>(b).log;
  if (const auto* i = std::get_if<IntDistribution>(&a)) return i->log == std::get<IntDistribution>(b).log;
  return std::get<CategoricalDistribution>(a).choices == std::get<CategoricalDistribution>(b).choices;
}

bool contains(const Distribution& distribution, double internal) {
  if (!std::isfinite(internal)) return false;
  if (const auto* f = std::get_if<FloatDistribution>(&distribution)) return internal >= f->low && internal <= f->high;
  if (const auto* i = std::get_if<IntDistribution>(&distribution))
    return internal >= static_cast<double>(i->low) && internal <= static_cast<double>(i->high);
  const auto n = std::get<CategoricalDistribution>(distribution).choices.size();
  return internal >= 0 && internal < static_cast<double>(n) && internal == std::floor(internal);
}

bool single(const Distribution& distribution) {
  if (const auto* f = std::get_if<FloatDistribution>(&distribution))
    return f->low == f->high || (f->step && f->high - f->low < *f->step);
  if (const auto* i = std::get_if<IntDistribution>(&distribution)) return i->low == i->high;
  return std::get<CategoricalDistribution>(distribution).choices.size() == 1;
}

double to_internal(const Distribution& distribution, const ParamValue& value) {
  if (const auto* c = std::get_if<CategoricalDistribution>(&distribution)) {
    for (size_t k = 0; k < c->choices.size(); ++k)
      if (c->choices[k] == value) return static_cast<double>(k);
    ember::detail::fail("tune: ", value_text(value), " is not one of the parameter's choices");
  }
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* n = std::get_if<int64_t>(&value)) return static_cast<double>(*n);
  ember::detail::fail("tune: ", value_text(value), " is not a number, and the parameter is numeric");
}

ParamValue to_external(const Distribution& distribution, double internal) {
  if (std::holds_alternative<FloatDistribution>(distribution)) return internal;
  if (std::holds_alternative<IntDistribution>(distribution)) return static_cast<int64_t>(internal);
  const auto& choices = std::get<CategoricalDistribution>(distribution).choices;
  const auto k = static_cast<size_t>(internal);
  EMBER_CHECK(internal >= 0 && k < choices.size(), "tune: choice index ", internal, " is outside the ",
              choices.size(), " choices");
  return choices[k];
}

std::string distribution_json(const Distribution& distribution) {
  Json j;
  if (const auto* f = std::get_if<FloatDistribution>(&distribution)) {
    j = {{"name", "FloatDistribution"},
         {"attributes",
          {{"step", f->step ? Json(*f->step) : Json()}, {"low", f->low}, {"high", f->high}, {"log", f->log}}}};
  } else if (const auto* i = std::get_if<IntDistribution>(&distribution)) {
    j = {{"name", "IntDistribution"},
         {"attributes", {{"log", i->log}, {"step", i->step}, {"low", i->low}, {"high", i->high}}}};
  } else {
    Json choices = Json::array();
    for (const ParamValue& v : std::get<CategoricalDistribution>(distribution).choices)
      choices.push_back(detail::value_json(v));
    j = {{"name", "CategoricalDistribution"}, {"attributes", {{"choices", choices}}}};
  }
  return detail::dump_line(j);
}

Distribution distribution_from_json(const std::string& text) {
  try {
    const Json j = detail::parse_line(text);
    const std::string name = j.at("name").get<std::string>();
    const Json& a = j.at("attributes");
    if (name == "FloatDistribution") {
      FloatDistribution f{.low = a.at("low").get<double>(), .high = a.at("high").get<double>(),
                          .log = a.value("log", false)};
      if (a.contains("step") && !a.at("step").is_null()) f.step = a.at("step").get<double>();
      return f;
    }
    if (name == "IntDistribution")
      return IntDistribution{.low = detail::json_integer(a.at("low")), .high = detail::json_integer(a.at("high")),
                             .log = a.value("log", false),
                             .step = a.contains("step") ? detail::json_integer(a.at("step")) : 1};
    if (name == "CategoricalDistribution") {
      CategoricalDistribution c;
      for (const Json& v : a.at("choices")) c.choices.push_back(detail::json_value(v));
      return c;
    }
    ember::detail::fail("tune: unknown distribution '", name, "' in ", text);
  } catch (const Json::exception& e) {
    ember::detail::fail("tune: not a distribution: ", text, " (", e.what(), ")");
  }
}

}  // namespace ember::tune
