// The settings of an `ember train` run (train::RunConfig): read from flags
// over an optional JSON file (--config, or a run's own config.json).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "args.h"
#include "ember/train/run_config.h"

namespace ember::cli {

using Settings = train::RunConfig;

// Every setting from its flag, else from `config` (a JSON object; keys are
// the flag names with '_' for '-'), else its default. Registers the flags'
// help text in `args`. An unknown key in `config` is an Error naming `source`.
Settings read_settings(Args& args, const nlohmann::json& config, const std::string& source);
nlohmann::json to_json(const Settings& s);
// A JSON file's object (for --config and config.json); an Error names the file.
nlohmann::json read_json_file(const std::string& path, const std::string& flag);
// The same for text already read from `path`.
nlohmann::json parse_json_object(const std::string& text, const std::string& path, const std::string& flag);

}  // namespace ember::cli
