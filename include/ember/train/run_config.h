// A training run's settings, as its config.json stores them, and the table
// that names, bounds and documents each one (the `ember train` flags and the
// config keys are generated from it). Free of tensors, so the config parsers
// can be fuzzed on their own.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ember::train {

// Every member's default is the run's default.
struct RunConfig {
  std::string model = "lenet5", dataset = "fashion-mnist", data_root, target;
  std::string optimizer = "adamw", scheduler = "onecycle", milestones, augment = "none", device = "cpu";
  std::string pos = "learned";  // gpt's position encoding
  std::string init_from;        // a checkpoint whose weights (and channel plan) the model starts from
  int64_t epochs = 15, batch_size = 128, step_size = 5, warmup_epochs = 0, early_stopping = 0, seed = 0;
  int64_t plateau_patience = 2, seq_len = 0, threads = 0, workers = 0, max_classes = 1000;
  double lr = 0.01, momentum = 0.9, weight_decay = 1e-4, gamma = 0.5, label_smoothing = 0.0, val_split = 0.1;
  double clip_grad_norm = 0.0;
  bool nesterov = false;
};

// One setting: its name (the CLI flag; the config key is the name with '_'
// for '-'), its member, its range and its help text.
struct TextSetting {
  const char* name;
  std::string RunConfig::*member;
  const char* help;
};
struct IntegerSetting {
  const char* name;
  int64_t RunConfig::*member;
  int64_t lo, hi;
  const char* help;
};
struct NumberSetting {
  const char* name;
  double RunConfig::*member;
  double lo, hi;
  const char* help;
};
struct SwitchSetting {
  const char* name;
  bool RunConfig::*member;
  const char* help;
};
using RunSetting = std::variant<TextSetting, IntegerSetting, NumberSetting, SwitchSetting>;

const std::vector<RunSetting>& run_settings();

// The defaults of a run of `model`: RunConfig's, except for the models with a
// recipe of their own. dcgan: Adam at 2e-4 with beta1 0.5 (--momentum), no
// weight decay, a constant rate, no validation split, 10 epochs (the DCGAN
// paper's); autoencoder: Adam at 1e-3, no weight decay, a constant rate, 10
// epochs. `ember train` starts from these; flags and config keys override.
RunConfig recipe(const std::string& model);
std::string config_key(const char* name);  // "batch-size" -> "batch_size"

// The settings as one JSON object (config.json's settings).
std::string config_json(const RunConfig& config);

// Empty when the run's schedule does not depend on its number of epochs (so
// it can be extended by resuming it with more epochs); else why it cannot be.
std::string why_not_extendable(const RunConfig& config);
// Milestones "3,6" (epochs, increasing); empty: half and three quarters of the schedule.
std::vector<int64_t> parse_milestones(const std::string& text, int64_t epochs);

}  // namespace ember::train
