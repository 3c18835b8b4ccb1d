// What every pruner shares, and the percentile (median) pruner.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/error.h"
#include "ember/tune/pruner.h"

namespace ember::tune {

std::vector<FrozenTrial> Pruner::comparable(std::vector<FrozenTrial> trials, const std::string&, const FrozenTrial&) {
  return trials;
}

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// numpy's nanpercentile with linear interpolation (and its way of interpolating).
double nan_percentile(std::vector<double> values, double percentile) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  if (values.empty()) return kNan;
  std::sort(values.begin(), values.end());
  const double position = percentile / 100 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(position));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double t = position - static_cast<double>(lo), a = values[lo], b = values[hi], diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// Whether `step` is the first reported step of its checking interval.
bool first_in_interval(int64_t step, const std::map<int64_t, double>& reported, int64_t warmup, int64_t interval) {
  const int64_t nearest_check = (step - warmup) / interval * interval + warmup;
  int64_t second_last = -1;
  for (const auto& [s, v] : reported)
    if (s > second_last && s != step) second_last = s;
  return second_last < nearest_check;
}

}  // namespace

PercentilePruner::PercentilePruner(PercentileOptions options) : options_(options) {
  EMBER_CHECK(options.percentile >= 0 && options.percentile <= 100,
              "tune: the percentile pruner needs a percentile in [0, 100], got ", options.percentile);
  EMBER_CHECK(options.n_startup_trials >= 0 && options.n_warmup_steps >= 0,
              "tune: the percentile pruner needs n_startup_trials >= 0 and n_warmup_steps >= 0");
  EMBER_CHECK(options.interval_steps >= 1 && options.n_min_trials >= 1,
              "tune: the percentile pruner needs interval_steps >= 1 and n_min_trials >= 1");
}

bool PercentilePruner::prune(const PruneContext& ctx, const FrozenTrial& trial) {
  std::vector<const FrozenTrial*> completed;
  for (const FrozenTrial& t : ctx.trials)
    if (t.state == TrialState::complete) completed.push_back(&t);
  if (completed.empty() || static_cast<int64_t>(completed.size()) < options_.n_startup_trials) return false;
  const std::optional<int64_t> step = trial.last_step();
  if (!step || *step < options_.n_warmup_steps) return false;
  if (!first_in_interval(*step, trial.intermediate_values, options_.n_warmup_steps, options_.interval_steps))
    return false;
  const bool maximize = ctx.direction == Direction::maximize;
  // The trial's best value so far; none but NaNs: prune.
  double best = kNan;
  for (const auto& [s, v] : trial.intermediate_values)
    if (!std::isnan(v) && (std::isnan(best) || (maximize ? v > best : v < best))) best = v;
  if (std::isnan(best)) return true;
  std::vector<double> at_step;
  for (const FrozenTrial* t : completed)
    if (auto it = t->intermediate_values.find(*step); it != t->intermediate_values.end()) at_step.push_back(it->second);
  if (static_cast<int64_t>(at_step.size()) < options_.n_min_trials) return false;
  const double p = nan_percentile(at_step, maximize ? 100 - options_.percentile : options_.percentile);
  if (std::isnan(p)) return false;
  return maximize ? best < p : best > p;
}

}  // namespace ember::tune
