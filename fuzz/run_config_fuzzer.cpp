// libFuzzer target: `ember train --config FILE` (and a run's config.json)
// through the JSON reader and the settings reader of the CLI. Whatever the
// bytes, the result is an ember::Error, or settings in which every setting
// the file gave has exactly the file's value, and that read back from their
// own config.json unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ember/error.h"
#include "train_settings.h"

namespace {

ember::cli::Settings read(const nlohmann::json& config) {
  ember::cli::Args args(0, nullptr, 0);
  return ember::cli::read_settings(args, config, "input");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  nlohmann::json config, saved;
  try {
    config = cli::parse_json_object(std::string(reinterpret_cast<const char*>(data), size), "input", "--config");
    const cli::Settings settings = read(config);
    saved = cli::to_json(settings);
    train::why_not_extendable(settings);
    train::parse_milestones(settings.milestones, settings.epochs);
  } catch (const Error&) {
    return 0;
  }
  for (const auto& [key, value] : config.items())
    if (saved.contains(key) && !value.is_null() && saved[key] != value) std::abort();
  if (cli::to_json(read(saved)) != saved) std::abort();
  return 0;
}
