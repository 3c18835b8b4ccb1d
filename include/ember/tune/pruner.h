// Pruners stop unpromising trials early from their intermediate values, with
// Optuna's rules and defaults, so the same history gets the same decisions:
// median / percentile, successive halving, hyperband, and none.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ember/tune/sampler.h"
#include "ember/tune/trial.h"

namespace ember::tune {

struct PruneContext {
  Direction direction;
  std::string study_name;
  std::vector<FrozenTrial> trials;  // all of the study's trials, as they stood when asked
  // Records a number on the trial being judged (successive halving's rungs).
  std::function<void(const std::string& key, double value)> set_system_attr;
};

class Pruner {
 public:
  virtual ~Pruner() = default;
  // Whether `trial` should stop at its last reported step. Not const: some
  // pruners settle their parameters from the first finished trials.
  virtual bool prune(const PruneContext& ctx, const FrozenTrial& trial) = 0;
  // The trials a sampler may learn from for `trial` (hyperband: those of its bracket).
  virtual std::vector<FrozenTrial> comparable(std::vector<FrozenTrial> trials, const std::string& study_name,
                                              const FrozenTrial& trial);
  virtual std::string name() const = 0;
};

class NopPruner : public Pruner {
 public:
  bool prune(const PruneContext&, const FrozenTrial&) override { return false; }
  std::string name() const override { return "none"; }
};

struct PercentileOptions {
  double percentile = 50;
  int64_t n_startup_trials = 5;  // no pruning until this many trials completed
  int64_t n_warmup_steps = 0;    // nor before this step
  int64_t interval_steps = 1;    // checks every this many steps after the warm-up
  int64_t n_min_trials = 1;      // values needed at the step to judge
};

// Prunes when the trial's best value so far is worse than the given percentile
// of the completed trials' values at the same step (MedianPruner: 50).
class PercentilePruner : public Pruner {
 public:
  explicit PercentilePruner(PercentileOptions options);
  bool prune(const PruneContext& ctx, const FrozenTrial& trial) override;
  std::string name() const override { return options_.percentile == 50 ? "median" : "percentile"; }

 private:
  PercentileOptions options_;
};

struct MedianOptions {
  int64_t n_startup_trials = 5, n_warmup_steps = 0, interval_steps = 1, n_min_trials = 1;
};

class MedianPruner : public PercentilePruner {
 public:
  explicit MedianPruner(MedianOptions o = {})
      : PercentilePruner({50, o.n_startup_trials, o.n_warmup_steps, o.interval_steps, o.n_min_trials}) {}
};

struct SuccessiveHalvingOptions {
  std::optional<int64_t> min_resource = {};  // none: estimated from the first completed trial (its steps / 100)
  int64_t reduction_factor = 4;
  int64_t min_early_stopping_rate = 0;
  int64_t bootstrap_count = 0;
};

// Asynchronous successive halving: at each rung (step min_resource *
// reduction_factor^(rate + rung)) a trial continues only when it is among the
// best 1/reduction_factor of the trials that reached that rung.
class SuccessiveHalvingPruner : public Pruner {
 public:
  explicit SuccessiveHalvingPruner(SuccessiveHalvingOptions options = {});
  bool prune(const PruneContext& ctx, const FrozenTrial& trial) override;
  std::string name() const override { return "successive-halving"; }

 private:
  SuccessiveHalvingOptions options_;
};

struct HyperbandOptions {
  int64_t min_resource = 1;
  std::optional<int64_t> max_resource = {};  // none: the last step of the first completed trials, plus one
  int64_t reduction_factor = 3;
  int64_t bootstrap_count = 0;
};

// Several successive-halving brackets with different early-stopping rates;
// each trial belongs to one, chosen from a hash of the study name and its number.
class HyperbandPruner : public Pruner {
 public:
  explicit HyperbandPruner(HyperbandOptions options = {});
  bool prune(const PruneContext& ctx, const FrozenTrial& trial) override;
  std::vector<FrozenTrial> comparable(std::vector<FrozenTrial> trials, const std::string& study_name,
                                      const FrozenTrial& trial) override;
  std::string name() const override { return "hyperband"; }
  int64_t bracket(const std::string& study_name, int64_t trial_number) const;  // 0 before the brackets exist

 private:
  void try_initialize(const std::vector<FrozenTrial>& trials);
  HyperbandOptions options_;
  std::vector<SuccessiveHalvingPruner> brackets_;
  std::vector<int64_t> budgets_;
  int64_t total_budget_ = 0;
};

}  // namespace ember::tune
