// The optimizer and learning-rate schedule a run's settings name.
#pragma once

#include <memory>
#include <vector>

#include "ember/optim.h"
#include "train_settings.h"

namespace ember::cli {

std::unique_ptr<optim::Optimizer> make_optimizer(const Settings& s, std::vector<Tensor> params);

// The schedule of a run (after an optional linear warm-up).
struct Schedule {
  std::unique_ptr<optim::LRScheduler> scheduler;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  bool per_batch = false;  // stepped after every batch (onecycle), else after every epoch
};
Schedule make_schedule(const Settings& s, optim::Optimizer& optimizer, int64_t batches_per_epoch);

}  // namespace ember::cli
