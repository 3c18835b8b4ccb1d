// A study's charts as PNGs, drawn by PLplot like the training curves.
#pragma once

#include <string>
#include <vector>

#include "ember/tune/sampler.h"
#include "ember/tune/trial.h"

namespace ember::tune {

// The value of each finished trial (completed: dots; pruned: crosses, at the
// value they were stopped with) and the best-so-far line.
void plot_history(const std::vector<FrozenTrial>& trials, Direction direction, const std::string& metric,
                  const std::string& path);
// Every trial's intermediate values against their step (shown from 1: step 0
// is the first epoch); a pruned trial's curve is red and ends in a cross.
void plot_intermediate(const std::vector<FrozenTrial>& trials, const std::string& metric, const std::string& step_name,
                       const std::string& path);

}  // namespace ember::tune
