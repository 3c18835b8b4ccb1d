// Helpers of the optimizers' fused updates: each parameter's update is one
// backend call (ops/optimizer_step.h) running the rule of
// backend/optimizer_rules.h over its buffers, on the parameter's device.
#pragma once

#include "ember/creation.h"
#include "ember/optim/optimizer.h"
#include "ops/optimizer_step.h"

namespace ember::optim::fused {

// The named buffer of a parameter's state, made (filled with `init`, on the
// parameter's device) on first use.
inline Tensor& buffer(ParamState& s, const std::string& name, const Tensor& like, double init = 0.0) {
  Tensor& b = s.buffers[name];
  if (!b.defined()) b = full(like.sizes(), init, like.options());
  return b;
}

// p updated in place by `rule` from its gradient and the state buffers.
inline void step(const OptimizerRule& rule, const Tensor& p, const std::array<Tensor, 3>& state, const char* name) {
  ops::optimizer_step(rule, p, p.grad(), state, name);
}

}  // namespace ember::optim::fused
