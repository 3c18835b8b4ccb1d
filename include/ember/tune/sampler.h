// Samplers choose each trial's parameter values from the study's history, as
// Optuna's do: RandomSampler, GridSampler, and TpeSampler (the tree-structured
// Parzen estimator, univariate, with Optuna's defaults). Their randomness comes
// from one generator per (seed, trial number, parameter name), so a trial's
// random draws do not depend on how many trials run at once or on a resume
// (TPE's choice still depends on the history the trial sees).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ember/tune/distribution.h"
#include "ember/tune/trial.h"

namespace ember::tune {

enum class Direction { minimize = 1, maximize = 2 };  // Optuna's values

struct SamplingContext {
  Direction direction;
  const std::vector<FrozenTrial>& trials;  // the study's trials a sampler may learn from
  const FrozenTrial& trial;                // the one asking
  // Records a fact on the asking trial (the grid sampler's point).
  std::function<void(const std::string& key, const std::string& json)> set_system_attr;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // A value, internal representation, for parameter `name` of ctx.trial.
  virtual double sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) = 0;
  // True when no new trial is worth starting (a grid fully visited).
  virtual bool exhausted(const std::vector<FrozenTrial>& trials) const;
  virtual std::string name() const = 0;
};

// The generator of one parameter of one trial.
std::mt19937_64 trial_generator(uint64_t seed, int64_t trial_number, const std::string& param);
double uniform01(std::mt19937_64& generator);  // [0, 1), 53 random bits
// A uniform draw from the distribution (Optuna's RandomSampler).
double sample_uniformly(const Distribution& distribution, std::mt19937_64& generator);

class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(uint64_t seed = 0) : seed_(seed) {}
  double sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) override;
  std::string name() const override { return "random"; }

 private:
  uint64_t seed_;
};

// Every combination of the given values (parameter names sorted, the last
// varying fastest), each trial taking one not yet taken, at random.
class GridSampler : public Sampler {
 public:
  explicit GridSampler(std::map<std::string, std::vector<ParamValue>> grid, uint64_t seed = 0);
  double sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) override;
  bool exhausted(const std::vector<FrozenTrial>& trials) const override;
  std::string name() const override { return "grid"; }
  int64_t size() const { return size_; }

 private:
  std::map<std::string, std::vector<ParamValue>> grid_;
  int64_t size_ = 1;
  uint64_t seed_;
};

struct TpeOptions {
  bool consider_prior = true;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  int64_t n_startup_trials = 10;
  int64_t n_ei_candidates = 24;
  // How many of n observations form the "good" group: min(ceil(0.1 n), 25).
  std::function<int64_t(int64_t)> gamma = {};
  // The observations' weights, oldest first: ones, with a ramp over the oldest beyond the newest 25.
  std::function<std::vector<double>(int64_t)> weights = {};
};
int64_t default_gamma(int64_t n);
std::vector<double> default_weights(int64_t n);

class TpeSampler : public Sampler {
 public:
  explicit TpeSampler(uint64_t seed = 0, TpeOptions options = {});
  double sample(const SamplingContext& ctx, const std::string& name, const Distribution& distribution) override;
  std::string name() const override { return "tpe"; }

 private:
  uint64_t seed_;
  TpeOptions options_;
};

}  // namespace ember::tune
