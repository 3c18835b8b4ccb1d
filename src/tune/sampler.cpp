// The sampler interface's shared pieces, the random sampler and the grid sampler.
#include "ember/tune/sampler.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ember/error.h"
#include "tune/json_values.h"

namespace ember::tune {

bool Sampler::exhausted(const std::vector<FrozenTrial>&) const { return false; }

std::mt19937_64 trial_generator(uint64_t seed, int64_t trial_number, const std::string& param) {
  uint64_t name_hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : param) name_hash = (name_hash ^ c) * 1099511628211ULL;
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(trial_number), static_cast<uint32_t>(static_cast<uint64_t>(trial_number) >> 32),
                    static_cast<uint32_t>(name_hash), static_cast<uint32_t>(name_hash >> 32)};
  return std::mt19937_64(seq);
}

double uniform01(std::mt19937_64& generator) { return static_cast<double>(generator() >> 11) * 0x1.0p-53; }

double sample_uniformly(const Distribution& distribution, std::mt19937_64& generator) {
  auto between = [&](double lo, double hi) { return lo + (hi - lo) * uniform01(generator); };
  if (const auto* f = std::get_if<FloatDistribution>(&distribution)) {
    if (f->log) return std::clamp(std::exp(between(std::log(f->low), std::log(f->high))), f->low, f->high);
    if (!f->step) return between(f->low, f->high);
    // Each grid point owns the half steps around it.
    const double q = *f->step, x = between(f->low - 0.5 * q, f->high + 0.5 * q);
    return std::clamp(std::nearbyint((x - f->low) / q) * q + f->low, f->low, f->high);
  }
  if (const auto* i = std::get_if<IntDistribution>(&distribution)) {
    const double lo = static_cast<double>(i->low), hi = static_cast<double>(i->high);
    if (i->log) return std::clamp(std::nearbyint(std::exp(between(std::log(lo - 0.5), std::log(hi + 0.5)))), lo, hi);
    const double q = static_cast<double>(i->step), x = between(lo - 0.5 * q, hi + 0.5 * q);
    return std::clamp(std::nearbyint((x - lo) / q) * q + lo, lo, hi);
  }
  const auto n = static_cast<double>(std::get<CategoricalDistribution>(distribution).choices.size());
  return std::min(std::floor(between(0, n)), n - 1);
}

double RandomSampler::sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) {
  std::mt19937_64 g = trial_generator(seed_, ctx.trial.number, name);
  return sample_uniformly(distribution, g);
}

GridSampler::GridSampler(std::map<std::string, std::vector<ParamValue>> grid, uint64_t seed)
    : grid_(std::move(grid)), seed_(seed) {
  EMBER_CHECK(!grid_.empty(), "tune: the grid sampler needs at least one parameter");
  for (const auto& [name, values] : grid_) {
    EMBER_CHECK(!values.empty(), "tune: the grid of parameter '", name, "' has no values");
    EMBER_CHECK(size_ <= (int64_t{1} << 40) / static_cast<int64_t>(values.size()), "tune: the grid is too large");
    size_ *= static_cast<int64_t>(values.size());
  }
}

namespace {

std::optional<int64_t> grid_id_of(const FrozenTrial& t) {
  auto it = t.system_attrs.find("grid_id");
  if (it == t.system_attrs.end()) return std::nullopt;
  return static_cast<int64_t>(detail::json_number(detail::parse_line(it->second)));
}

}  // namespace

double GridSampler::sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) {
  auto values = grid_.find(name);
  if (values == grid_.end()) {
    std::string names;
    for (const auto& [known, unused] : grid_) names += (names.empty() ? "" : ", ") + known;
    ember::detail::fail("tune: the grid sampler has no values for parameter '", name, "' (its grid holds ", names, ")");
  }
  std::optional<int64_t> id = grid_id_of(ctx.trial);
  if (!id) {
    // A point no trial has taken; while all are taken by running trials, one
    // not finished; then any (as Optuna's grid sampler does).
    std::set<int64_t> finished, running;
    for (const FrozenTrial& t : ctx.trials)
      if (auto taken = grid_id_of(t)) (t.finished() ? finished : running).insert(*taken);
    std::vector<int64_t> free, unfinished;
    for (int64_t k = 0; k < size_; ++k) {
      if (!finished.count(k)) unfinished.push_back(k);
      if (!finished.count(k) && !running.count(k)) free.push_back(k);
    }
    const std::vector<int64_t>& pool = !free.empty() ? free : unfinished;
    std::mt19937_64 g = trial_generator(seed_, ctx.trial.number, "grid_id");
    id = pool.empty() ? static_cast<int64_t>(g() % static_cast<uint64_t>(size_))
                      : pool[static_cast<size_t>(g() % pool.size())];
    ctx.set_system_attr("grid_id", std::to_string(*id));
  }
  // The point's index for each parameter: names sorted, the last varying fastest.
  int64_t rest = *id;
  for (auto it = grid_.rbegin(); it != grid_.rend(); ++it) {
    const auto n = static_cast<int64_t>(it->second.size());
    if (it->first == name) return to_internal(distribution, it->second[static_cast<size_t>(rest % n)]);
    rest /= n;
  }
  return 0;  // not reached: the name is in the grid
}

bool GridSampler::exhausted(const std::vector<FrozenTrial>& trials) const {
  std::set<int64_t> taken;
  for (const FrozenTrial& t : trials)
    if (auto id = grid_id_of(t); id && (t.finished() || t.state == TrialState::running)) taken.insert(*id);
  return static_cast<int64_t>(taken.size()) >= size_;
}

}  // namespace ember::tune
