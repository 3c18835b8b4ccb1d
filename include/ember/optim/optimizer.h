// optim::Optimizer: parameter groups with per-group hyperparameters (named as
// in PyTorch: "lr", "momentum", "beta1", "weight_decay", ...), per-parameter
// state, zero_grad, step, and state dicts that round-trip through safetensors.
//   optim::AdamW opt(model.parameters(), {.lr = 1e-3, .weight_decay = 0.01});
//   loss.backward(); opt.step(); opt.zero_grad();
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ember/metadata.h"
#include "ember/state_dict.h"
#include "ember/tensor.h"

namespace ember::optim {

// One group of parameters sharing hyperparameters (PyTorch's param_groups[i]).
struct ParamGroup {
  std::vector<Tensor> params;
  std::map<std::string, double> options;  // "lr" and the optimizer's other hyperparameters
  double& lr() { return options.at("lr"); }
  double lr() const { return options.at("lr"); }
  double get(const std::string& name) const;
};

// What an optimizer keeps for one parameter: a step count and named buffers.
struct ParamState {
  int64_t step = 0;
  std::map<std::string, Tensor> buffers;
  std::map<std::string, double> scalars;  // e.g. NAdam's mu_product
};

// Tensors (state buffers) and scalars (steps, hyperparameters) of an optimizer,
// the two halves of a safetensors file: save(state.tensors, path, state.scalars).
struct OptimizerState {
  StateDict tensors;
  Metadata scalars;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (others are skipped).
  virtual void step() = 0;
  // Re-evaluates the loss with gradients (zero_grad, forward, backward) first;
  // returns that loss.
  virtual Tensor step(const std::function<Tensor()>& closure);
  void zero_grad(bool set_to_none = true);

  // overrides: hyperparameters that differ from the optimizer's defaults.
  void add_param_group(std::vector<Tensor> params, const std::map<std::string, double>& overrides = {});
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }

  OptimizerState state_dict() const;
  // All or nothing: on any mismatch (parameter count or shapes, missing
  // entries) an Error, and the optimizer is unchanged.
  void load_state_dict(const OptimizerState& state);

  const std::string& name() const { return name_; }

 protected:
  Optimizer(std::string name, std::map<std::string, double> defaults);
  // Called by derived constructors, after their checks.
  void add_initial_group(std::vector<Tensor> params) { add_param_group(std::move(params)); }
  // The state of a parameter (made on first use).
  ParamState& state_of(const Tensor& param) { return state_[param.impl()]; }
  // Hook for each optimizer to validate a group's hyperparameters.
  virtual void check_options(const std::map<std::string, double>& options) const = 0;

 private:
  std::string name_;
  std::map<std::string, double> defaults_;
  std::vector<ParamGroup> groups_;
  std::map<const TensorImpl*, ParamState> state_;
};

}  // namespace ember::optim
