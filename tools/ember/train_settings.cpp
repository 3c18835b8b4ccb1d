// Flags over a JSON config, and the run's config.json.
#include "train_settings.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <type_traits>
#include <variant>

#include "format.h"

namespace ember::cli {
namespace {

using Json = nlohmann::json;

// Every setting once: its flag (the config key is the flag with '_' for '-'),
// its member of Settings, its default, its range and its help text.
struct Text {
  const char* flag;
  std::string Settings::*member;
  const char* fallback;
  const char* help;
};
struct Integer {
  const char* flag;
  int64_t Settings::*member;
  int64_t fallback, lo, hi;
  const char* help;
};
struct Number {
  const char* flag;
  double Settings::*member;
  double fallback, lo, hi;
  const char* help;
};
struct Switch {
  const char* flag;
  bool Settings::*member;
  const char* help;
};
using Field = std::variant<Text, Integer, Number, Switch>;

const std::vector<Field>& fields() {
  using S = Settings;
  static const std::vector<Field> all = {
      Text{"model", &S::model, "lenet5", "model name (see `ember models`)"},
      Text{"dataset", &S::dataset, "fashion-mnist", "dataset name (see `ember datasets`)"},
      Text{"data-root", &S::data_root, "", "dataset folder or file (fashion-mnist: Debian's package)"},
      Text{"target", &S::target, "", "csv: the target column"},
      Integer{"max-classes", &S::max_classes, 1000, 2, 1 << 20,
              "the most classes a dataset may have (a csv label of 10^9 is a typo, not a billion-way classifier)"},
      Integer{"seq-len", &S::seq_len, 0, 0, 1 << 16,
              "text: characters per example (the model's context); copy/reverse: tokens (0: 64 for text, 10 for "
              "copy/reverse)"},
      Integer{"epochs", &S::epochs, 15, 1, 100000, "training epochs (with --resume: extend the run to this many)"},
      Integer{"batch-size", &S::batch_size, 128, 1, 1 << 20, "examples per batch"},
      Text{"optimizer", &S::optimizer, "adamw", "sgd, adam, adamw, nadam, radam, rmsprop, adagrad or adadelta"},
      Number{"lr", &S::lr, 0.01, 0, 1e3, "learning rate (onecycle: the peak)"},
      Number{"momentum", &S::momentum, 0.9, 0, 1, "momentum (sgd, rmsprop)"},
      Number{"weight-decay", &S::weight_decay, 1e-4, 0, 10, "weight decay"},
      Switch{"nesterov", &S::nesterov, "Nesterov momentum (sgd)"},
      Text{"scheduler", &S::scheduler, "onecycle", "none, step, multistep, exponential, cosine, onecycle or plateau"},
      Integer{"step-size", &S::step_size, 5, 1, 100000, "step: epochs between decays"},
      Text{"milestones", &S::milestones, "",
           "multistep: comma-separated epochs to decay at (default: 50% and 75% of the epochs)"},
      Number{"gamma", &S::gamma, 0.5, 0, 1, "step/multistep/exponential/plateau: decay factor"},
      Integer{"plateau-patience", &S::plateau_patience, 2, 0, 100000,
              "plateau: epochs without improvement before decaying"},
      Integer{"warmup-epochs", &S::warmup_epochs, 0, 0, 100000, "linear warm-up epochs before the schedule"},
      Number{"label-smoothing", &S::label_smoothing, 0.0, 0, 1, "cross-entropy label smoothing"},
      Text{"augment", &S::augment, "none", "training-image augmentation: none, flip, crop or standard (crop + flip)"},
      Number{"val-split", &S::val_split, 0.1, 0, 0.9,
             "fraction of train held out for validation every epoch (deterministic by seed; 0: none, then the best "
             "checkpoint is chosen by training loss)"},
      Integer{"early-stopping", &S::early_stopping, 0, 0, 100000,
              "stop after this many epochs without improvement (0: off)"},
      Number{"clip-grad-norm", &S::clip_grad_norm, 0.0, 0, 1e9, "clip the gradient norm (0: off)"},
      Integer{"seed", &S::seed, 0, 0, INT64_MAX, "random seed (weights, shuffling, splits)"},
      Integer{"threads", &S::threads, 0, 0, 1024, "compute threads (0: all cores)"},
      Integer{"workers", &S::workers, 0, 0, 64, "data-loading threads"},
      Text{"device", &S::device, "cpu", "cpu (cuda is not built yet)"},
  };
  return all;
}

std::string config_key(const char* flag) {
  std::string key = flag;
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

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
    const std::string key = config_key(flag.c_str());
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
  Settings s{};
  for (const Field& field : fields())
    std::visit(
        [&](const auto& f) {
          using F = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<F, Text>) s.*f.member = r.text(f.flag, f.fallback, f.help);
          else if constexpr (std::is_same_v<F, Integer>) s.*f.member = r.integer(f.flag, f.fallback, f.help, f.lo, f.hi);
          else if constexpr (std::is_same_v<F, Number>) s.*f.member = r.number(f.flag, f.fallback, f.help, f.lo, f.hi);
          else s.*f.member = r.flag(f.flag, f.help);
        },
        field);
  r.check_all_read();
  return s;
}

Json to_json(const Settings& s) {
  Json j = Json::object();
  for (const Field& field : fields())
    std::visit([&](const auto& f) { j[config_key(f.flag)] = s.*f.member; }, field);
  return j;
}

std::vector<int64_t> parse_milestones(const std::string& text, int64_t epochs) {
  if (text.empty()) return {std::max<int64_t>(epochs / 2, 1), std::max<int64_t>(epochs * 3 / 4, 1)};
  std::vector<int64_t> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    int64_t v = -1;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
    }
    EMBER_CHECK(used == item.size() && v > 0 && (out.empty() || v > out.back()), "--milestones: '", text,
                "' must be increasing positive epoch numbers separated by commas, like 5,10");
    out.push_back(v);
  }
  return out;
}

std::string why_not_extendable(const Settings& s) {
  if (s.scheduler == "onecycle")
    return "its onecycle schedule spans exactly " + count_of(s.epochs, "epoch") + " (the learning rate has annealed "
           "to its end)";
  if (s.scheduler == "cosine")
    return "its cosine schedule anneals to its minimum over exactly " + count_of(s.epochs, "epoch");
  if (s.scheduler == "multistep" && s.milestones.empty())
    return "its multistep milestones were derived from its " + count_of(s.epochs, "epoch");
  return "";
}

}  // namespace ember::cli
