// A run's state in one safetensors file (written atomically): model,
// optimizer, schedule, early stopping, random generator, epoch, and the
// progress of an epoch a stop request interrupted.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ember/ember.h"

namespace ember::cli {

struct RunState {
  nn::Module* model;
  optim::Optimizer* optimizer;
  optim::LRScheduler* scheduler;
  optim::ReduceLROnPlateau* plateau;
  optim::EarlyStopping* stopper;
};

// `info` (epoch, model, dataset, ...) goes into the metadata as strings.
void save_checkpoint(const std::string& path, const RunState& run, const nlohmann::json& info,
                     const std::optional<train::EpochProgress>& progress = std::nullopt);

struct Restored {
  int64_t epochs_done = 0;
  std::optional<train::EpochProgress> progress;  // when the checkpoint was taken inside an epoch
};

// Puts a run back where its checkpoint was taken. Any malformed entry is an
// Error naming the file and the key.
Restored load_checkpoint(const std::string& path, const RunState& run, const std::string& model_name);

// The entries of `meta` under `prefix`, without it.
Metadata section(const Metadata& meta, const std::string& prefix);

}  // namespace ember::cli
