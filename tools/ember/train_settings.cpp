// Flags over a JSON config: the settings of train::run_settings() read from
// their flags, else from the config, else their defaults.
#include "train_settings.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <type_traits>
#include <variant>


namespace ember::cli {
namespace {

using Json = nlohmann::json;

// Reads each setting once: from its flag, else the config, else the default.
class SettingReader {
 public:
  SettingReader(Args& args, const Json& config, const std::string& source) : args_(args), config_(config), source_(source) {}

  std::string text(const std::string& flag, const std::string& fallback, const std::string& help) {
    const Json* v = find(flag);
    if (v && !v->is_string()) bad(flag, "a string");
    return args_.get(flag, v ? v->get<std::string>() : fallback, help);
  }
  int64_t integer(const std::string& flag, int64_t fallback, const std::string& help, int64_t lo, int64_t hi) {
    const Json* v = find(flag);
    if (v && !v->is_number_integer()) bad(flag, "an integer");
    return args_.integer(flag, v ? v->get<int64_t>() : fallback, help, lo, hi);
  }
  double number(const std::string& flag, double fallback, const std::string& help, double lo, double hi) {
    const Json* v = find(flag);
    if (v && !v->is_number()) bad(flag, "a number");
    return args_.number(flag, v ? v->get<double>() : fallback, help, lo, hi);
  }
  bool flag(const std::string& flag, const std::string& help) {
    const Json* v = find(flag);
    if (v && !v->is_boolean()) bad(flag, "true or false");
    const bool given = args_.flag(flag, help);
    return args_.given(flag) ? given : v && v->get<bool>();
  }
  // Keys of the config that no setting read (typos) are errors; a run's
  // config.json also records facts about the run, which are not settings.
  void check_all_read() const {
    static const std::set<std::string> facts = {"input", "classes", "ember_version", "git_hash", "parameters"};
    for (const auto& [key, value] : config_.items())
      EMBER_CHECK(read_.count(key) || facts.count(key), "--config: ", source_, " has an unknown setting '", key,
                  "' (the settings are the flags of `ember train --help`, with _ for -)");
  }

 private:
  const Json* find(const std::string& flag) {
    const std::string key = train::config_key(flag.c_str());
    read_.insert(key);
    auto it = config_.find(key);
    return it == config_.end() || it->is_null() ? nullptr : &*it;
  }
  [[noreturn]] void bad(const std::string& flag, const char* expected) const {
    detail::fail("--config: ", source_, ": setting '", flag, "' should be ", expected);
  }

  Args& args_;
  const Json& config_;
  std::string source_;
  std::set<std::string> read_;
};

}  // namespace

Json parse_json_object(const std::string& text, const std::string& path, const std::string& flag) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    detail::fail(flag, ": ", path, " is not valid JSON (", e.what(), ")");
  }
  EMBER_CHECK(j.is_object(), flag, ": ", path, " should hold one JSON object of settings");
  return j;
}

Json read_json_file(const std::string& path, const std::string& flag) {
  std::ifstream in(path);
  EMBER_CHECK(in.good(), flag, ": cannot read ", path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EMBER_CHECK(!in.bad(), flag, ": cannot read ", path);
  return parse_json_object(text, path, flag);
}

Settings read_settings(Args& args, const Json& config, const std::string& source) {
  SettingReader r(args, config, source);
  Settings defaults, s;
  for (const train::RunSetting& setting : train::run_settings())
    std::visit(
        [&](const auto& f) {
          using F = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<F, train::TextSetting>) {
            s.*f.member = r.text(f.name, defaults.*f.member, f.help);
            // The model comes first: the settings after it default to its recipe.
            if (f.member == &train::RunConfig::model) defaults = train::recipe(s.model);
          } else if constexpr (std::is_same_v<F, train::IntegerSetting>)
            s.*f.member = r.integer(f.name, defaults.*f.member, f.help, f.lo, f.hi);
          else if constexpr (std::is_same_v<F, train::NumberSetting>)
            s.*f.member = r.number(f.name, defaults.*f.member, f.help, f.lo, f.hi);
          else
            s.*f.member = r.flag(f.name, f.help);
        },
        setting);
  r.check_all_read();
  return s;
}

Json to_json(const Settings& s) { return Json::parse(train::config_json(s)); }

}  // namespace ember::cli
