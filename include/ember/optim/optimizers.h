// The optimizers, with PyTorch's names, defaults and update rules (each step
// is one fused pass per parameter tensor). Options are designated-initializer
// structs; parameter groups may override them by PyTorch name:
//   optim::SGD sgd(model.parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
//   sgd.add_param_group(head.parameters(), {{"lr", 0.01}});
#pragma once

#include <optional>
#include <string>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // AdamW: decoupled, default 1e-2
  bool amsgrad = false;
  bool maximize = false;
};

// Adam; with decoupled = true it is AdamW (the decay scales the weights, not the gradient).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  Adam(const char* name, std::vector<Tensor> params, AdamOptions options, bool decoupled);
  void check_options(const std::map<std::string, double>& o) const override;

 private:
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, AdamOptions options = {.weight_decay = 1e-2});
};

struct NAdamOptions {
  double lr = 2e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum_decay = 4e-3;
};

class NAdam : public Optimizer {
 public:
  NAdam(std::vector<Tensor> params, NAdamOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct RAdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

class RAdam : public Optimizer {
 public:
  RAdam(std::vector<Tensor> params, RAdamOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
  bool maximize = false;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0.0;
  bool maximize = false;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct RpropOptions {
  double lr = 1e-2;                                // the initial step size
  double etaminus = 0.5, etaplus = 1.2;            // PyTorch's etas
  double step_size_min = 1e-6, step_size_max = 50;  // PyTorch's step_sizes
  bool maximize = false;
};

// Resilient backpropagation: per-element step sizes that grow while the
// gradient keeps its sign and shrink when it flips; only the sign of g is used.
class Rprop : public Optimizer {
 public:
  Rprop(std::vector<Tensor> params, RpropOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct ASGDOptions {
  double lr = 1e-2;
  double lambd = 1e-4;  // decay term
  double alpha = 0.75;  // power of the eta update
  double t0 = 1e6;      // the step at which averaging starts
  double weight_decay = 0.0;
  bool maximize = false;
};

// Averaged SGD: SGD with a decaying step, keeping the average of the iterates
// from step t0 on in the state buffer "ax".
class ASGD : public Optimizer {
 public:
  ASGD(std::vector<Tensor> params, ASGDOptions options = {});
  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

struct LBFGSOptions {
  double lr = 1;
  int64_t max_iter = 20;                 // iterations per step()
  std::optional<int64_t> max_eval = {};  // closure calls per step(); default max_iter * 5 / 4
  double tolerance_grad = 1e-7;          // stop when every |gradient| is at most this
  double tolerance_change = 1e-9;        // stop when the step or the loss changes less
  int64_t history_size = 100;
  std::string line_search_fn = "";       // "" (fixed steps of lr) or "strong_wolfe"
};

// Limited-memory BFGS over all parameters as one flat vector, as PyTorch's
// (one parameter group; the closure zeroes the gradients, runs forward and
// backward, and returns the loss). Each step(closure) runs up to max_iter
// iterations; the state (direction, history, counters) round-trips through
// state_dict, kept per parameter as slices of the flat vectors.
class LBFGS : public Optimizer {
 public:
  LBFGS(std::vector<Tensor> params, LBFGSOptions options = {});
  void step() override;  // an Error: L-BFGS re-evaluates the loss, so it needs the closure
  Tensor step(const std::function<Tensor()>& closure) override;

 protected:
  void check_options(const std::map<std::string, double>& o) const override;
};

}  // namespace ember::optim
