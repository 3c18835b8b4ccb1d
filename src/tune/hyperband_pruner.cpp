#include <zlib.h>

#include <cmath>

#include "ember/error.h"
#include "ember/tune/pruner.h"

namespace ember::tune {

HyperbandPruner::HyperbandPruner(HyperbandOptions options) : options_(options) {
  EMBER_CHECK(options.min_resource >= 1, "tune: hyperband needs min_resource >= 1, got ", options.min_resource);
  EMBER_CHECK(!options.max_resource || *options.max_resource >= options.min_resource,
              "tune: hyperband needs max_resource >= min_resource");
  EMBER_CHECK(options.reduction_factor >= 2, "tune: hyperband needs reduction_factor >= 2, got ",
              options.reduction_factor);
  EMBER_CHECK(options.bootstrap_count == 0 || options.max_resource,
              "tune: hyperband's bootstrap_count needs a fixed max_resource (not auto)");
}

void HyperbandPruner::try_initialize(const std::vector<FrozenTrial>& trials) {
  if (!options_.max_resource) {
    std::optional<int64_t> last;
    for (const FrozenTrial& t : trials)
      if (t.state == TrialState::complete)
        if (auto step = t.last_step()) last = std::max(last.value_or(*step), *step);
    if (!last) return;
    options_.max_resource = *last + 1;
  }
  // floor(log_eta(max / min)) + 1 brackets, each a successive halving with its own early-stopping rate.
  const auto ratio = static_cast<double>(*options_.max_resource) / static_cast<double>(options_.min_resource);
  const auto n = static_cast<int64_t>(std::floor(std::log(ratio) / std::log(static_cast<double>(options_.reduction_factor)))) + 1;
  for (int64_t b = 0; b < n; ++b) {
    const int64_t s = n - 1 - b;
    // A bracket's share of the trials: n * eta^s / (s + 1), rounded up.
    const auto budget = static_cast<int64_t>(
        std::ceil(static_cast<double>(n) * std::pow(static_cast<double>(options_.reduction_factor), static_cast<double>(s)) /
                  static_cast<double>(s + 1)));
    budgets_.push_back(budget);
    total_budget_ += budget;
    brackets_.emplace_back(SuccessiveHalvingOptions{.min_resource = options_.min_resource,
                                                    .reduction_factor = options_.reduction_factor,
                                                    .min_early_stopping_rate = b,
                                                    .bootstrap_count = options_.bootstrap_count});
  }
}

int64_t HyperbandPruner::bracket(const std::string& study_name, int64_t trial_number) const {
  if (brackets_.empty()) return 0;
  const std::string key = study_name + "_" + std::to_string(trial_number);
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(key.data()), static_cast<uInt>(key.size()));
  auto n = static_cast<int64_t>(crc % static_cast<uLong>(total_budget_));
  for (size_t b = 0; b < budgets_.size(); ++b) {
    n -= budgets_[b];
    if (n < 0) return static_cast<int64_t>(b);
  }
  return static_cast<int64_t>(budgets_.size()) - 1;  // not reached: the budgets sum to the total
}

std::vector<FrozenTrial> HyperbandPruner::comparable(std::vector<FrozenTrial> trials, const std::string& study_name,
                                                     const FrozenTrial& trial) {
  const int64_t own = bracket(study_name, trial.number);
  std::erase_if(trials, [&](const FrozenTrial& t) { return bracket(study_name, t.number) != own; });
  return trials;
}

bool HyperbandPruner::prune(const PruneContext& ctx, const FrozenTrial& trial) {
  if (brackets_.empty()) {
    try_initialize(ctx.trials);
    if (brackets_.empty()) return false;
  }
  const int64_t own = bracket(ctx.study_name, trial.number);
  PruneContext same_bracket = ctx;
  same_bracket.trials = comparable(ctx.trials, ctx.study_name, trial);
  return brackets_[static_cast<size_t>(own)].prune(same_bracket, trial);
}

}  // namespace ember::tune
