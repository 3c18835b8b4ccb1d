// The optimizers and learning-rate schedules a run names, by name (as the model
// registry does for models): `ember train --optimizer/--scheduler`, and any
// program that reads a run's config.
//   auto opt = train::create_optimizer("adamw", model.parameters(), {.lr = 1e-3, .weight_decay = 0.01});
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/optim/optimizer.h"
#include "ember/optim/scheduler.h"

namespace ember::train {

// The hyperparameters a run sets; the rest keep PyTorch's defaults. momentum
// and nesterov apply to sgd (momentum to rmsprop too).
struct OptimizerSpec {
  double lr = 1e-3, momentum = 0.0, weight_decay = 0.0;
  bool nesterov = false;
};
using OptimizerFactory = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>, const OptimizerSpec&)>;

// Built in: sgd, adam, adamw, nadam, radam, rmsprop, adagrad, adadelta.
// Registering a taken name is an Error.
void register_optimizer(const std::string& name, OptimizerFactory factory);
// An Error listing the registered names when `name` is unknown.
std::unique_ptr<optim::Optimizer> create_optimizer(const std::string& name, std::vector<Tensor> params,
                                                   const OptimizerSpec& spec);
std::vector<std::string> optimizer_names();  // in registration order

// A schedule over `epochs` epochs of `batches_per_epoch` batches, after an
// optional linear warm-up (start factor 0.1) of warmup_epochs.
struct ScheduleSpec {
  std::string name = "none";  // none, step, multistep, exponential, cosine, onecycle, plateau
  int64_t epochs = 1, batches_per_epoch = 1, warmup_epochs = 0;
  int64_t step_size = 30;                // step
  std::vector<int64_t> milestones = {};  // multistep: epochs after the warm-up
  double gamma = 0.1;                    // step, multistep, exponential; plateau's factor
  int64_t plateau_patience = 10;         // plateau
  double max_lr = 1e-3;                  // onecycle
  bool cycle_momentum = true;            // onecycle: for optimizers that have a momentum (or beta1)
};
struct Schedule {
  std::unique_ptr<optim::LRScheduler> scheduler;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  bool per_batch = false;  // stepped after every batch (onecycle), else after every epoch
};
Schedule create_schedule(optim::Optimizer& optimizer, const ScheduleSpec& spec);

}  // namespace ember::train
