#include "tune/json_values.h"

#include <cmath>
#include <limits>

namespace ember::tune::detail {
namespace {

// Strings that stand for the non-finite numbers inside a Json value. Control
// characters, so that no parameter or attribute string can collide with them.
const std::string kNan = "\x01NaN", kInf = "\x01Infinity", kNegInf = "\x01-Infinity";

}  // namespace

Json value_json(const ParamValue& value) {
  if (std::holds_alternative<bool>(value)) return std::get<bool>(value);
  if (std::holds_alternative<int64_t>(value)) return std::get<int64_t>(value);
  if (std::holds_alternative<double>(value)) return number_json(std::get<double>(value));
  if (std::holds_alternative<std::string>(value)) return std::get<std::string>(value);
  return nullptr;
}

ParamValue json_value(const Json& json) {
  if (json.is_boolean()) return json.get<bool>();
  if (json.is_number_integer()) return json.get<int64_t>();
  if (json.is_number()) return json.get<double>();
  if (json.is_string()) {
    const std::string& s = json.get_ref<const std::string&>();
    if (s == kNan || s == kInf || s == kNegInf) return json_number(json);
    return s;
  }
  if (json.is_null()) return std::monostate{};
  throw Json::type_error::create(302, "a parameter value must be null, a boolean, a number or a string", &json);
}

Json number_json(double value) {
  if (std::isnan(value)) return kNan;
  if (std::isinf(value)) return value > 0 ? kInf : kNegInf;
  return value;
}

double json_number(const Json& json) {
  if (json.is_string()) {
    const std::string& s = json.get_ref<const std::string&>();
    if (s == kNan) return std::numeric_limits<double>::quiet_NaN();
    if (s == kInf) return std::numeric_limits<double>::infinity();
    if (s == kNegInf) return -std::numeric_limits<double>::infinity();
  }
  return json.get<double>();  // throws on anything but a number
}

int64_t json_integer(const Json& json) {
  if (json.is_number_integer()) return json.get<int64_t>();
  const double v = json_number(json);
  // Whole and inside int64's range (2^63 itself is not), else it is not an integer.
  if (!(v == std::floor(v) && std::abs(v) < 9.2e18))
    throw Json::type_error::create(302, "expected an integer", &json);
  return static_cast<int64_t>(v);
}

std::string dump_line(const Json& json) {
  std::string text = json.dump(-1, ' ', false, Json::error_handler_t::replace);
  // The placeholders come out as quoted strings with \u0001 escapes: put Python's tokens in their place.
  for (const auto& [placeholder, token] : {std::pair{std::string("\"\\u0001NaN\""), std::string("NaN")},
                                           std::pair{std::string("\"\\u0001Infinity\""), std::string("Infinity")},
                                           std::pair{std::string("\"\\u0001-Infinity\""), std::string("-Infinity")}}) {
    for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at))
      text.replace(at, placeholder.size(), token);
  }
  return text;
}

Json parse_line(const std::string& line) {
  // Python's non-finite tokens, outside strings, become the placeholder strings.
  std::string text;
  text.reserve(line.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      text += c;
      if (c == '\\' && i + 1 < line.size()) text += line[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    auto token = [&](const char* word) { return line.compare(i, std::char_traits<char>::length(word), word) == 0; };
    if (token("NaN")) text += "\"\\u0001NaN\"", i += 2;
    else if (token("-Infinity")) text += "\"\\u0001-Infinity\"", i += 8;
    else if (token("Infinity")) text += "\"\\u0001Infinity\"", i += 7;
    else text += c;
  }
  return Json::parse(text);
}

}  // namespace ember::tune::detail
