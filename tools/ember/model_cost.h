// What one forward pass of a model costs, observed through forward hooks on
// its leaf modules: each call with its output, and the multiply-accumulates
// (MACs) of the layers that do them (linear, convolution, attention,
// recurrent), and a step's time. `ember summary` prints the calls; `ember
// bench` turns the MACs into the FLOP/s a training step achieved; `ember
// prune` compares models before and after.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ember/ember.h"

namespace ember::cli {

// Multiply-accumulates of one layer for the output it produced (0 for layers without products).
int64_t layer_macs(nn::Module& layer, const Tensor& out);

// Runs model(x) once and calls `seen(label, layer, output)` for every leaf-module call in call
// order (an attention layer is one call, seen when its output projection runs). Labels are
// "path (Type)", with `name` for the model itself.
using LayerCall = std::function<void(const std::string& label, nn::Module& layer, const Tensor& out)>;
void observe_forward(nn::Module& model, const Tensor& x, const std::string& name, const LayerCall& seen);

// The MACs of model(x).
int64_t forward_macs(nn::Module& model, const Tensor& x);

// What a step costs in time: the median seconds of `reps` timed groups of
// `steps` calls, after `warmup` untimed calls.
double median_seconds(const std::function<void()>& step, int64_t warmup, int64_t steps, int64_t reps);

}  // namespace ember::cli
