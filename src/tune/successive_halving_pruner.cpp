#include <algorithm>
#include <cmath>

#include "ember/error.h"
#include "ember/tune/pruner.h"
#include "tune/json_values.h"

namespace ember::tune {
namespace {

std::string rung_key(int64_t rung) { return "completed_rung_" + std::to_string(rung); }

// The rung a trial is at: the first it has not completed.
int64_t current_rung(const FrozenTrial& trial) {
  int64_t rung = 0;
  while (trial.system_attrs.count(rung_key(rung))) ++rung;
  return rung;
}

// The largest last step of the completed trials, over 100 (at least 1).
std::optional<int64_t> estimate_min_resource(const std::vector<FrozenTrial>& trials) {
  std::optional<int64_t> last;
  for (const FrozenTrial& t : trials)
    if (t.state == TrialState::complete)
      if (auto step = t.last_step()) last = std::max(last.value_or(*step), *step);
  if (!last) return std::nullopt;
  return std::max<int64_t>(*last / 100, 1);
}

bool promotable(double value, std::vector<double> competing, int64_t reduction_factor, Direction direction) {
  int64_t index = static_cast<int64_t>(competing.size()) / reduction_factor - 1;
  // Until a rung holds reduction_factor trials, only the best there continues
  // (a trial cannot wait for its competitors to arrive).
  if (index == -1) index = 0;
  std::sort(competing.begin(), competing.end());
  if (direction == Direction::maximize) return value >= competing[competing.size() - 1 - static_cast<size_t>(index)];
  return value <= competing[static_cast<size_t>(index)];
}

}  // namespace

SuccessiveHalvingPruner::SuccessiveHalvingPruner(SuccessiveHalvingOptions options) : options_(options) {
  EMBER_CHECK(!options.min_resource || *options.min_resource >= 1,
              "tune: successive halving needs min_resource >= 1 (or auto), got ", options.min_resource.value_or(0));
  EMBER_CHECK(options.reduction_factor >= 2, "tune: successive halving needs reduction_factor >= 2, got ",
              options.reduction_factor);
  EMBER_CHECK(options.min_early_stopping_rate >= 0 && options.bootstrap_count >= 0,
              "tune: successive halving needs min_early_stopping_rate >= 0 and bootstrap_count >= 0");
  EMBER_CHECK(options.bootstrap_count == 0 || options.min_resource,
              "tune: successive halving's bootstrap_count needs a fixed min_resource (not auto)");
}

bool SuccessiveHalvingPruner::prune(const PruneContext& ctx, const FrozenTrial& trial) {
  const std::optional<int64_t> step = trial.last_step();
  if (!step) return false;
  int64_t rung = current_rung(trial);
  const double value = trial.intermediate_values.at(*step);
  while (true) {
    if (!options_.min_resource) {
      options_.min_resource = estimate_min_resource(ctx.trials);  // settled once, from the first completed trial
      if (!options_.min_resource) return false;
    }
    double promotion_step = static_cast<double>(*options_.min_resource) *
                            std::pow(static_cast<double>(options_.reduction_factor),
                                     static_cast<double>(options_.min_early_stopping_rate + rung));
    if (static_cast<double>(*step) < promotion_step) return false;
    if (std::isnan(value)) return true;
    const std::string key = rung_key(rung);
    ctx.set_system_attr(key, value);
    std::vector<double> competing;
    for (const FrozenTrial& t : ctx.trials)
      if (auto it = t.system_attrs.find(key); it != t.system_attrs.end())
        competing.push_back(detail::json_number(detail::parse_line(it->second)));
    competing.push_back(value);  // the trial itself, which the snapshot shows without this rung
    if (static_cast<int64_t>(competing.size()) <= options_.bootstrap_count) return true;
    if (!promotable(value, competing, options_.reduction_factor, ctx.direction)) return true;
    ++rung;
  }
}

}  // namespace ember::tune
