// The tree-structured Parzen estimator, univariate, as Optuna's default
// sampler: after the start-up trials (drawn at random), the finished trials
// are split into the best gamma(n) and the rest; a density is fitted to each
// group's values of the parameter, and of 24 candidates drawn from the good
// density the one with the highest ratio good / rest wins.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ember/tune/sampler.h"
#include "tune/parzen_estimator.h"

namespace ember::tune {

int64_t default_gamma(int64_t n) { return std::min<int64_t>(static_cast<int64_t>(std::ceil(0.1 * static_cast<double>(n))), 25); }

std::vector<double> default_weights(int64_t n) {
  if (n < 25) return std::vector<double>(static_cast<size_t>(n), 1.0);
  // A ramp from 1/n to 1 over the oldest n - 25 (numpy's linspace), then ones.
  std::vector<double> w;
  const int64_t ramp = n - 25;
  for (int64_t i = 0; i < ramp; ++i) {
    const double start = 1.0 / static_cast<double>(n);
    w.push_back(ramp == 1 ? start : start + (1.0 - start) * static_cast<double>(i) / static_cast<double>(ramp - 1));
  }
  w.resize(static_cast<size_t>(n), 1.0);
  return w;
}

TpeSampler::TpeSampler(uint64_t seed, TpeOptions options) : seed_(seed), options_(std::move(options)) {}

double TpeSampler::sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) {
  std::mt19937_64 g = trial_generator(seed_, ctx.trial.number, name);
  // The finished trials as (rank key, score) pairs, smaller is better:
  // completed trials first by their value; pruned ones after, deeper ones first.
  const double sign = ctx.direction == Direction::minimize ? 1 : -1;
  struct Observation {
    double key, score, value;  // value: NaN when the trial lacks the parameter
  };
  std::vector<Observation> seen;
  for (const FrozenTrial& t : ctx.trials) {
    Observation o{0, 0, std::numeric_limits<double>::quiet_NaN()};
    if (t.state == TrialState::complete) {
      if (!t.value) continue;
      o.key = -std::numeric_limits<double>::infinity(), o.score = sign * *t.value;
    } else if (t.state == TrialState::pruned) {
      if (auto last = t.last_step()) {
        const double v = t.intermediate_values.at(*last);
        o.key = -static_cast<double>(*last);
        o.score = std::isnan(v) ? std::numeric_limits<double>::infinity() : sign * v;
      } else {
        o.key = 1, o.score = 0;
      }
    } else {
      continue;
    }
    // A value outside the asked range (the range changed, or a foreign journal) is not an observation of it.
    if (auto p = t.params.find(name); p != t.params.end() && contains(distribution, p->second)) o.value = p->second;
    seen.push_back(o);
  }
  const auto n = static_cast<int64_t>(seen.size());
  if (n < options_.n_startup_trials) return sample_uniformly(distribution, g);

  std::vector<size_t> order(seen.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return seen[a].key != seen[b].key ? seen[a].key < seen[b].key : seen[a].score < seen[b].score;
  });
  const auto n_below = static_cast<size_t>(std::clamp<int64_t>(options_.gamma ? options_.gamma(n) : default_gamma(n), 0, n));
  std::vector<size_t> below(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_below)),
      above(order.begin() + static_cast<std::ptrdiff_t>(n_below), order.end());
  // Each group in trial order (the weights favour the newest).
  std::sort(below.begin(), below.end());
  std::sort(above.begin(), above.end());
  auto values_of = [&](const std::vector<size_t>& group) {
    std::vector<double> v;
    for (size_t i : group)
      if (!std::isnan(seen[i].value)) v.push_back(seen[i].value);
    return v;
  };
  const detail::ParzenEstimator good(values_of(below), distribution, options_),
      rest(values_of(above), distribution, options_);
  const std::vector<double> candidates = good.sample(g, options_.n_ei_candidates);
  const std::vector<double> log_good = good.log_pdf(candidates), log_rest = rest.log_pdf(candidates);
  size_t best = 0;
  for (size_t i = 1; i < candidates.size(); ++i)
    if (log_good[i] - log_rest[i] > log_good[best] - log_rest[best]) best = i;
  return candidates[best];
}

}  // namespace ember::tune
