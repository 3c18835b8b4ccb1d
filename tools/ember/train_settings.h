// The settings of an `ember train` run: read from flags over an optional JSON
// file (--config, or a run's own config.json) and saved in the run's
// config.json (train::create_optimizer / create_schedule turn them into an
// optimizer and a schedule).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "args.h"

namespace ember::cli {

struct Settings {
  std::string model, dataset, data_root, target, optimizer, scheduler, milestones, augment, device;
  int64_t epochs, batch_size, step_size, warmup_epochs, early_stopping, seed, plateau_patience, seq_len, threads,
      workers, max_classes;
  double lr, momentum, weight_decay, gamma, label_smoothing, val_split, clip_grad_norm;
  bool nesterov;
};

// Every setting from its flag, else from `config` (a JSON object; keys are
// the flag names with '_' for '-'), else its default. Registers the flags'
// help text in `args`. An unknown key in `config` is an Error naming `source`.
Settings read_settings(Args& args, const nlohmann::json& config, const std::string& source);
nlohmann::json to_json(const Settings& s);
// A JSON file's object (for --config and config.json); an Error names the file.
nlohmann::json read_json_file(const std::string& path, const std::string& flag);
// The same for text already read from `path`.
nlohmann::json parse_json_object(const std::string& text, const std::string& path, const std::string& flag);

// Empty when the run's schedule does not depend on its number of epochs (so
// it can be extended with --resume --epochs N); else why it cannot be.
std::string why_not_extendable(const Settings& s);
// --milestones "3,6" (epochs, increasing); empty: half and three quarters of the schedule.
std::vector<int64_t> parse_milestones(const std::string& text, int64_t epochs);

}  // namespace ember::cli
