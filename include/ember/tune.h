// Hyperparameter search with Optuna's algorithms and journal format:
// studies, trials, samplers (random, grid, TPE) and pruners (median /
// percentile, successive halving, hyperband). `ember tune` runs each trial as
// an Ember training run.
#pragma once

#include "ember/tune/charts.h"
#include "ember/tune/distribution.h"
#include "ember/tune/pruner.h"
#include "ember/tune/sampler.h"
#include "ember/tune/study.h"
#include "ember/tune/trial.h"
