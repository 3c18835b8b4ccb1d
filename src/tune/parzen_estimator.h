// The density TPE fits to one group of observations of one parameter: a
// mixture of truncated normals (one per observation plus a broad prior) for
// numbers, a smoothed histogram for choices. Optuna's univariate estimator,
// worked in the internal representation (log space for log-scaled ranges).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "ember/tune/distribution.h"
#include "ember/tune/sampler.h"

namespace ember::tune::detail {

class ParzenEstimator {
 public:
  ParzenEstimator(const std::vector<double>& observations, const Distribution& distribution, const TpeOptions& options);
  std::vector<double> sample(std::mt19937_64& generator, int64_t n) const;  // internal representation
  std::vector<double> log_pdf(const std::vector<double>& values) const;

 private:
  double from_space(double value) const;  // and back, rounded onto the distribution's values
  Distribution distribution_;
  std::vector<double> weights_;  // per component, summing to 1
  // Numbers: whether the axis is log(value), its bounds, the step (discrete ranges), the components.
  bool log_ = false;
  double low_ = 0, high_ = 0;
  std::optional<double> step_;
  std::vector<double> mus_, sigmas_;
  // Choices: per component, the probability of each choice.
  std::vector<std::vector<double>> choice_weights_;
};

// log(P(a <= Z <= b)) for a standard normal Z, accurate far into the tails.
double log_gauss_mass(double a, double b);

}  // namespace ember::tune::detail
