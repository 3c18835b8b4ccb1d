// JSON forms shared by the journal and the distributions: parameter values,
// and numbers that may not be finite. Optuna writes its journal with Python's
// json module, which spells non-finite numbers NaN, Infinity and -Infinity;
// standard JSON has no such tokens, so lines are read and written through
// these helpers.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ember/tune/distribution.h"

namespace ember::tune::detail {

using Json = nlohmann::json;

Json value_json(const ParamValue& value);
ParamValue json_value(const Json& json);  // null, bool, integer, float or string
Json number_json(double value);  // a placeholder for the non-finite ones, which dump_line spells as Python does
double json_number(const Json& json);  // a number or one of Python's non-finite tokens
int64_t json_integer(const Json& json);  // an integer (a whole float too, as Python may write one)
std::string dump_line(const Json& json);  // one line, non-finite numbers as NaN / Infinity / -Infinity
Json parse_line(const std::string& line);  // throws Json::exception

}  // namespace ember::tune::detail
