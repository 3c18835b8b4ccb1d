// A run's state in one safetensors file (written atomically): model,
// optimizer, schedule, early stopping, random generator, epoch, and the
// progress of an epoch a stop request interrupted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ember/metadata.h"
#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/regularization.h"
#include "ember/optim/scheduler.h"

namespace ember::train {

// An epoch in progress: where it stands after `batch` batches, so an
// interrupted run can be checkpointed mid-epoch and continued bit for bit.
struct EpochProgress {
  int64_t epoch = 0, batch = 0;  // batches of `epoch` done
  double loss_sum = 0;           // sum over the examples seen of their loss
  int64_t correct = 0, seen = 0;
  double seconds = 0;            // spent on the epoch so far
  double lr = 0;                 // of the first parameter group when the epoch began
  double extra_sum = 0;          // a second running sum (an adversarial pair's discriminator loss)
};

struct RunState {
  nn::Module* model;
  optim::Optimizer* optimizer;
  optim::LRScheduler* scheduler;
  optim::ReduceLROnPlateau* plateau;
  optim::EarlyStopping* stopper;
  optim::Optimizer* discriminator_optimizer = nullptr;  // adversarial pairs: the second optimizer
};

// `info` (epoch, model, dataset, ...) goes into the metadata as it is.
void save_checkpoint(const std::string& path, const RunState& run, const Metadata& info,
                     const std::optional<EpochProgress>& progress = std::nullopt);

struct Restored {
  int64_t epochs_done = 0;
  std::optional<EpochProgress> progress;  // when the checkpoint was taken inside an epoch
};

// Puts a run back where its checkpoint was taken (and the default generator
// where it stood). A checkpoint of another model, or any malformed entry, is an
// Error naming the file and the key.
Restored load_checkpoint(const std::string& path, const RunState& run, const std::string& model_name);
// The same from a checkpoint already read (its tensors and metadata); `path` names it in errors.
Restored load_checkpoint(const nn::StateDict& all, const Metadata& meta, const std::string& path, const RunState& run,
                         const std::string& model_name);

// The entries of `meta` under `prefix`, without it.
Metadata section(const Metadata& meta, const std::string& prefix);

}  // namespace ember::train
