// Training helpers: an L1 penalty to add to a loss, and early stopping.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "ember/io.h"
#include "ember/nn/module.h"

namespace ember::optim {

// strength * sum_p |p|_1, differentiable (add it to the loss before backward).
Tensor l1_penalty(const std::vector<Tensor>& parameters, double strength);

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  // the metric's name (for messages and logs)
  std::string mode = "min";          // or "max"
  int64_t patience = 5;              // epochs without improvement before stopping
  double min_delta = 0.0;            // smaller changes do not count as improvement
  bool restore_best = false;         // keep the best state dict, for restore()
};

// Watches a metric once per epoch; says when to stop and remembers the best weights.
class EarlyStopping {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  // Records this epoch's value (and, with restore_best, the model's state when it
  // is the best so far). Returns true when training should stop.
  bool step(double value, nn::Module* model = nullptr);
  bool should_stop() const { return bad_epochs_ > options_.patience; }
  double best() const { return best_; }
  int64_t best_epoch() const { return best_epoch_; }
  // Loads the best state dict seen into the model (needs restore_best).
  void restore(nn::Module& model) const;
  // The counters (not the best weights), for resuming a run.
  Metadata state_dict() const;
  void load_state_dict(const Metadata& state);

 private:
  EarlyStoppingOptions options_;
  double best_;
  int64_t epoch_ = -1, best_epoch_ = -1, bad_epochs_ = 0;
  nn::StateDict best_state_;
};

}  // namespace ember::optim
