// Learning-rate schedulers with PyTorch's names, arguments and lr sequences.
// Construction applies the epoch-0 rate; call step() once per epoch (or per
// batch for OneCycleLR/CyclicLR), after optimizer.step():
//   optim::CosineAnnealingLR sched(opt, {.T_max = 100});
//   for (...) { train(); opt.step(); sched.step(); }
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances one epoch and writes the new rates into the optimizer's groups.
  virtual void step();
  std::vector<double> get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  // last_epoch and whatever else the schedule keeps, as strings.
  virtual Metadata state_dict() const;
  virtual void load_state_dict(const Metadata& state);

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // The rates for last_epoch_ (which step() has just advanced), from the
  // current group rates and/or base_lrs_, as PyTorch's get_lr.
  virtual std::vector<double> compute_lr() = 0;
  // PyTorch's _initial_step: called at the end of each derived constructor.
  void initial_step();
  void apply(const std::vector<double>& lrs);
  std::vector<double> current_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;  // each group's initial_lr
  int64_t last_epoch_ = -1;
  std::vector<double> last_lr_;

  friend class SequentialLR;
  friend class ChainedScheduler;
};

struct StepLROptions { int64_t step_size; double gamma = 0.1; };
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, StepLROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  StepLROptions o_;
};

struct MultiStepLROptions { std::vector<int64_t> milestones; double gamma = 0.1; };
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, MultiStepLROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  MultiStepLROptions o_;
};

struct ExponentialLROptions { double gamma; };
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, ExponentialLROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  ExponentialLROptions o_;
};

struct CosineAnnealingLROptions { int64_t T_max; double eta_min = 0.0; };
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, CosineAnnealingLROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  CosineAnnealingLROptions o_;
};

struct CosineAnnealingWarmRestartsOptions { int64_t T_0; int64_t T_mult = 1; double eta_min = 0.0; };
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, CosineAnnealingWarmRestartsOptions options);
  void step() override;
  Metadata state_dict() const override;
  void load_state_dict(const Metadata& state) override;
 protected:
  std::vector<double> compute_lr() override;
 private:
  CosineAnnealingWarmRestartsOptions o_;
  int64_t T_i_, T_cur_ = -1;
};

struct LinearLROptions { double start_factor = 1.0 / 3; double end_factor = 1.0; int64_t total_iters = 5; };
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, LinearLROptions options = {});
 protected:
  std::vector<double> compute_lr() override;
 private:
  LinearLROptions o_;
};

struct ConstantLROptions { double factor = 1.0 / 3; int64_t total_iters = 5; };
class ConstantLR : public LRScheduler {
 public:
  ConstantLR(Optimizer& optimizer, ConstantLROptions options = {});
 protected:
  std::vector<double> compute_lr() override;
 private:
  ConstantLROptions o_;
};

// lr = base_lr * lambda(epoch)
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lambda);
 protected:
  std::vector<double> compute_lr() override;
 private:
  std::function<double(int64_t)> lambda_;
};

// lr = previous lr * lambda(epoch) (from epoch 1)
class MultiplicativeLR : public LRScheduler {
 public:
  MultiplicativeLR(Optimizer& optimizer, std::function<double(int64_t)> lambda);
 protected:
  std::vector<double> compute_lr() override;
 private:
  std::function<double(int64_t)> lambda_;
};

struct PolynomialLROptions { int64_t total_iters = 5; double power = 1.0; };
class PolynomialLR : public LRScheduler {
 public:
  PolynomialLR(Optimizer& optimizer, PolynomialLROptions options = {});
 protected:
  std::vector<double> compute_lr() override;
 private:
  PolynomialLROptions o_;
};

// Runs schedulers one after another, switching at the milestones (e.g. linear
// warm-up, then cosine decay). The schedulers must drive the same optimizer.
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::unique_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  void step() override;
  // Its own epoch and each part's state (prefixed "0.", "1.", ...).
  Metadata state_dict() const override;
  void load_state_dict(const Metadata& state) override;
 protected:
  std::vector<double> compute_lr() override { return current_lrs(); }
 private:
  std::vector<std::unique_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

// Steps every scheduler in turn on each step, so their factors compose (e.g.
// ConstantLR warm-up times ExponentialLR decay); they must drive one optimizer.
class ChainedScheduler : public LRScheduler {
 public:
  explicit ChainedScheduler(std::vector<std::unique_ptr<LRScheduler>> schedulers);
  void step() override;
  // Each part's state (prefixed "0.", "1.", ...).
  Metadata state_dict() const override;
  void load_state_dict(const Metadata& state) override;
 protected:
  std::vector<double> compute_lr() override { return current_lrs(); }
 private:
  std::vector<std::unique_ptr<LRScheduler>> schedulers_;
};

// Stochastic weight averaging's schedule: anneals each group's rate from its
// current value to swa_lr over anneal_epochs ("cos" or "linear"), then holds it.
struct SWALROptions {
  std::vector<double> swa_lr;  // one for every group, or one per group
  int64_t anneal_epochs = 10;
  std::string anneal_strategy = "cos";
};
class SWALR : public LRScheduler {
 public:
  SWALR(Optimizer& optimizer, SWALROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  double anneal(double t) const;
  SWALROptions o_;
};

struct OneCycleLROptions {
  double max_lr;
  int64_t total_steps;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // or "linear"
  bool cycle_momentum = true;           // SGD's momentum or Adam's beta1, between the two below
  double base_momentum = 0.85, max_momentum = 0.95;
  double div_factor = 25.0, final_div_factor = 1e4;
  bool three_phase = false;
};
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, OneCycleLROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  struct Phase { double end_step, start_lr, end_lr, start_momentum, end_momentum; };
  double anneal(double start, double end, double pct) const;
  OneCycleLROptions o_;
  std::vector<Phase> phases_;
  std::string momentum_key_;
};

struct CyclicLROptions {
  double base_lr, max_lr;
  int64_t step_size_up = 2000;
  std::optional<int64_t> step_size_down = {};
  std::string mode = "triangular";  // triangular, triangular2, exp_range
  double gamma = 1.0;
  bool cycle_momentum = true;
  double base_momentum = 0.8, max_momentum = 0.9;
};
class CyclicLR : public LRScheduler {
 public:
  CyclicLR(Optimizer& optimizer, CyclicLROptions options);
 protected:
  std::vector<double> compute_lr() override;
 private:
  CyclicLROptions o_;
  double total_size_, step_ratio_;
  std::string momentum_key_;
};

// Cuts the rate by `factor` when a metric stops improving for `patience` epochs.
struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // or "max"
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // or "abs"
  int64_t cooldown = 0;
  double min_lr = 0.0;
  double eps = 1e-8;
};
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  void step(double metric);
  std::vector<double> get_last_lr() const;
  Metadata state_dict() const;
  void load_state_dict(const Metadata& state);

 private:
  bool is_better(double a) const;
  Optimizer& optimizer_;
  ReduceLROnPlateauOptions o_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
};

}  // namespace ember::optim
