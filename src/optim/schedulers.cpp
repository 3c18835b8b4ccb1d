// The learning-rate schedules, each computed the way PyTorch computes it
// (mostly from the current rate, "chainable"), so the sequences agree to
// rounding.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ember/optim/scheduler.h"

namespace ember::optim {
namespace {

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

double read(const Metadata& m, const std::string& key) { return metadata_double(m, key, "scheduler load_state_dict"); }

template <class F>
std::vector<double> each(const std::vector<double>& xs, F f) {
  std::vector<double> out;
  for (size_t i = 0; i < xs.size(); ++i) out.push_back(f(xs[i], i));
  return out;
}

// The optimizer's momentum-like option for cycling (SGD: momentum, Adam family: beta1).
std::string momentum_key(const Optimizer& o, const char* scheduler) {
  const auto& options = o.param_groups().at(0).options;
  if (options.count("momentum")) return "momentum";
  if (options.count("beta1")) return "beta1";
  detail::fail(scheduler, ": optimizer must support momentum (or beta1) with cycle_momentum enabled");
}

}  // namespace

// ---- base ------------------------------------------------------------------------------------

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  // As PyTorch: the first scheduler on an optimizer records each group's initial_lr.
  for (ParamGroup& g : optimizer.param_groups()) {
    if (!g.options.count("initial_lr")) g.options["initial_lr"] = g.lr();
    base_lrs_.push_back(g.options.at("initial_lr"));
  }
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> out;
  for (const ParamGroup& g : optimizer_.param_groups()) out.push_back(g.lr());
  return out;
}

void LRScheduler::apply(const std::vector<double>& lrs) {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].lr() = lrs[i];
  last_lr_ = lrs;
}

void LRScheduler::initial_step() { step(); }

void LRScheduler::step() {
  ++last_epoch_;
  apply(compute_lr());
}

Metadata LRScheduler::state_dict() const {
  Metadata m{{"last_epoch", std::to_string(last_epoch_)}};
  for (size_t i = 0; i < base_lrs_.size(); ++i) m["base_lrs." + std::to_string(i)] = number(base_lrs_[i]);
  return m;
}

void LRScheduler::load_state_dict(const Metadata& m) {
  std::vector<double> base;
  for (size_t i = 0; i < base_lrs_.size(); ++i) base.push_back(read(m, "base_lrs." + std::to_string(i)));
  last_epoch_ = static_cast<int64_t>(read(m, "last_epoch"));
  base_lrs_ = base;
  last_lr_ = current_lrs();
}

// ---- simple decays ---------------------------------------------------------------------------

// lr *= gamma every step_size epochs
StepLR::StepLR(Optimizer& opt, StepLROptions o) : LRScheduler(opt), o_(o) {
  EMBER_CHECK(o.step_size > 0, "StepLR: step_size must be positive, got ", o.step_size);
  initial_step();
}
std::vector<double> StepLR::compute_lr() {
  const bool decay = last_epoch_ != 0 && last_epoch_ % o_.step_size == 0;
  return each(current_lrs(), [&](double lr, size_t) { return decay ? lr * o_.gamma : lr; });
}

// lr *= gamma at each milestone (gamma^k if it is listed k times)
MultiStepLR::MultiStepLR(Optimizer& opt, MultiStepLROptions o) : LRScheduler(opt), o_(std::move(o)) {
  initial_step();
}
std::vector<double> MultiStepLR::compute_lr() {
  const auto hits = std::count(o_.milestones.begin(), o_.milestones.end(), last_epoch_);
  return each(current_lrs(), [&](double lr, size_t) { return hits ? lr * std::pow(o_.gamma, hits) : lr; });
}

// lr *= gamma every epoch
ExponentialLR::ExponentialLR(Optimizer& opt, ExponentialLROptions o) : LRScheduler(opt), o_(o) { initial_step(); }
std::vector<double> ExponentialLR::compute_lr() {
  return each(current_lrs(), [&](double lr, size_t) { return last_epoch_ == 0 ? lr : lr * o_.gamma; });
}

// eta_min + (base - eta_min) (1 + cos(pi t / T_max)) / 2, applied recursively
CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, CosineAnnealingLROptions o) : LRScheduler(opt), o_(o) {
  EMBER_CHECK(o.T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", o.T_max);
  initial_step();
}
std::vector<double> CosineAnnealingLR::compute_lr() {
  const double t = static_cast<double>(last_epoch_), T = static_cast<double>(o_.T_max);
  if (last_epoch_ == 0) return current_lrs();
  if ((last_epoch_ - 1 - o_.T_max) % (2 * o_.T_max) == 0)
    return each(current_lrs(), [&](double lr, size_t i) {
      return lr + (base_lrs_[i] - o_.eta_min) * (1 - std::cos(M_PI / T)) / 2;
    });
  return each(current_lrs(), [&](double lr, size_t) {
    return (1 + std::cos(M_PI * t / T)) / (1 + std::cos(M_PI * (t - 1) / T)) * (lr - o_.eta_min) + o_.eta_min;
  });
}

// cosine over T_i epochs, then restart with T_i *= T_mult
CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& opt, CosineAnnealingWarmRestartsOptions o)
    : LRScheduler(opt), o_(o), T_i_(o.T_0) {
  EMBER_CHECK(o.T_0 > 0, "CosineAnnealingWarmRestarts: T_0 must be positive, got ", o.T_0);
  EMBER_CHECK(o.T_mult >= 1, "CosineAnnealingWarmRestarts: T_mult must be at least 1, got ", o.T_mult);
  initial_step();
}
void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) {
    T_cur_ = 0;
  } else if (++T_cur_ >= T_i_) {
    T_cur_ -= T_i_;
    T_i_ *= o_.T_mult;
  }
  ++last_epoch_;
  apply(compute_lr());
}
std::vector<double> CosineAnnealingWarmRestarts::compute_lr() {
  return each(base_lrs_, [&](double base, size_t) {
    return o_.eta_min + (base - o_.eta_min) *
                            (1 + std::cos(M_PI * static_cast<double>(T_cur_) / static_cast<double>(T_i_))) / 2;
  });
}
Metadata CosineAnnealingWarmRestarts::state_dict() const {
  Metadata m = LRScheduler::state_dict();
  m["T_i"] = std::to_string(T_i_);
  m["T_cur"] = std::to_string(T_cur_);
  return m;
}
void CosineAnnealingWarmRestarts::load_state_dict(const Metadata& m) {
  const int64_t t_i = static_cast<int64_t>(read(m, "T_i")), t_cur = static_cast<int64_t>(read(m, "T_cur"));
  LRScheduler::load_state_dict(m);
  T_i_ = t_i, T_cur_ = t_cur;
}

// factor goes linearly from start_factor to end_factor over total_iters
LinearLR::LinearLR(Optimizer& opt, LinearLROptions o) : LRScheduler(opt), o_(o) {
  EMBER_CHECK(o.start_factor > 0 && o.start_factor <= 1 && o.end_factor >= 0 && o.end_factor <= 1,
              "LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], got ", o.start_factor, " and ",
              o.end_factor);
  initial_step();
}
std::vector<double> LinearLR::compute_lr() {
  if (last_epoch_ == 0) return each(current_lrs(), [&](double lr, size_t) { return lr * o_.start_factor; });
  if (last_epoch_ > o_.total_iters) return current_lrs();
  const double t = static_cast<double>(last_epoch_), n = static_cast<double>(o_.total_iters);
  return each(current_lrs(), [&](double lr, size_t) {
    return lr * (1.0 + (o_.end_factor - o_.start_factor) /
                           (n * o_.start_factor + (t - 1) * (o_.end_factor - o_.start_factor)));
  });
}

// lr * factor until total_iters, then lr
ConstantLR::ConstantLR(Optimizer& opt, ConstantLROptions o) : LRScheduler(opt), o_(o) {
  EMBER_CHECK(o.factor >= 0 && o.factor <= 1, "ConstantLR: factor must be in [0, 1], got ", o.factor);
  initial_step();
}
std::vector<double> ConstantLR::compute_lr() {
  if (last_epoch_ == 0) return each(current_lrs(), [&](double lr, size_t) { return lr * o_.factor; });
  if (last_epoch_ != o_.total_iters) return current_lrs();
  return each(current_lrs(), [&](double lr, size_t) { return lr * (1.0 / o_.factor); });
}

LambdaLR::LambdaLR(Optimizer& opt, std::function<double(int64_t)> lambda) : LRScheduler(opt), lambda_(std::move(lambda)) {
  initial_step();
}
std::vector<double> LambdaLR::compute_lr() {
  return each(base_lrs_, [&](double base, size_t) { return base * lambda_(last_epoch_); });
}

MultiplicativeLR::MultiplicativeLR(Optimizer& opt, std::function<double(int64_t)> lambda)
    : LRScheduler(opt), lambda_(std::move(lambda)) {
  initial_step();
}
std::vector<double> MultiplicativeLR::compute_lr() {
  if (last_epoch_ <= 0) return current_lrs();
  return each(current_lrs(), [&](double lr, size_t) { return lr * lambda_(last_epoch_); });
}

// lr (1 - t / total)^power, applied recursively
PolynomialLR::PolynomialLR(Optimizer& opt, PolynomialLROptions o) : LRScheduler(opt), o_(o) { initial_step(); }
std::vector<double> PolynomialLR::compute_lr() {
  if (last_epoch_ == 0 || last_epoch_ > o_.total_iters) return current_lrs();
  const double t = static_cast<double>(last_epoch_), n = static_cast<double>(o_.total_iters);
  const double decay = std::pow((1.0 - t / n) / (1.0 - (t - 1) / n), o_.power);
  return each(current_lrs(), [&](double lr, size_t) { return lr * decay; });
}

// ---- composition -----------------------------------------------------------------------------

namespace {

// A scheduler made of parts (SequentialLR, ChainedScheduler) keeps part i's state under "i.".
Metadata with_parts(Metadata own, const std::vector<std::unique_ptr<LRScheduler>>& parts) {
  for (size_t i = 0; i < parts.size(); ++i)
    for (const auto& [k, v] : parts[i]->state_dict()) own[std::to_string(i) + "." + k] = v;
  return own;
}

void load_parts(const Metadata& m, const std::vector<std::unique_ptr<LRScheduler>>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string prefix = std::to_string(i) + ".";
    Metadata part;
    for (const auto& [k, v] : m)
      if (k.rfind(prefix, 0) == 0) part[k.substr(prefix.size())] = v;
    parts[i]->load_state_dict(part);
  }
}

}  // namespace

SequentialLR::SequentialLR(Optimizer& opt, std::vector<std::unique_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(opt), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  EMBER_CHECK(!schedulers_.empty() && milestones_.size() + 1 == schedulers_.size(), "SequentialLR: expected ",
              schedulers_.size() - 1, " milestones for ", schedulers_.size(), " schedulers, got ", milestones_.size());
  for (const auto& s : schedulers_)
    EMBER_CHECK(&s->optimizer_ == &opt, "SequentialLR: every scheduler must drive the same optimizer");
  // As PyTorch: back to the initial rates, then the first schedule starts over.
  apply(base_lrs_);
  for (auto& s : schedulers_) --s->last_epoch_;
  schedulers_[0]->initial_step();
  last_epoch_ = 0;
  last_lr_ = schedulers_[0]->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const size_t index = static_cast<size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) -
                                           milestones_.begin());
  LRScheduler& s = *schedulers_[index];
  if (index > 0 && milestones_[index - 1] == last_epoch_) {
    // The next schedule starts at its epoch 0 (PyTorch's step(0): its closed form there is base_lr).
    s.last_epoch_ = 0;
    s.apply(s.base_lrs_);
  } else {
    s.step();
  }
  last_lr_ = s.get_last_lr();
}

Metadata SequentialLR::state_dict() const { return with_parts(LRScheduler::state_dict(), schedulers_); }

void SequentialLR::load_state_dict(const Metadata& m) {
  load_parts(m, schedulers_);
  LRScheduler::load_state_dict(m);
}

ChainedScheduler::ChainedScheduler(std::vector<std::unique_ptr<LRScheduler>> schedulers)
    : LRScheduler([&]() -> Optimizer& {
        EMBER_CHECK(!schedulers.empty() && schedulers[0], "ChainedScheduler: needs at least one scheduler");
        return schedulers[0]->optimizer_;
      }()),
      schedulers_(std::move(schedulers)) {
  for (size_t i = 1; i < schedulers_.size(); ++i)
    EMBER_CHECK(&schedulers_[i]->optimizer_ == &optimizer_,
                "ChainedScheduler: every scheduler must drive the same optimizer, but schedulers 0 and ", i, " differ");
  // The parts made their first step when built: nothing more to apply.
  last_epoch_ = 0;
  last_lr_ = current_lrs();
}

void ChainedScheduler::step() {
  for (auto& s : schedulers_) s->step();
  ++last_epoch_;
  last_lr_ = current_lrs();
}

Metadata ChainedScheduler::state_dict() const { return with_parts(LRScheduler::state_dict(), schedulers_); }

void ChainedScheduler::load_state_dict(const Metadata& m) {
  load_parts(m, schedulers_);
  LRScheduler::load_state_dict(m);
}

SWALR::SWALR(Optimizer& opt, SWALROptions o) : LRScheduler(opt), o_(std::move(o)) {
  auto& groups = opt.param_groups();
  EMBER_CHECK(o_.swa_lr.size() == 1 || o_.swa_lr.size() == groups.size(), "SWALR: swa_lr must have one value or one ",
              "per parameter group (", groups.size(), "), got ", o_.swa_lr.size());
  EMBER_CHECK(o_.anneal_strategy == "cos" || o_.anneal_strategy == "linear",
              "SWALR: anneal_strategy must be 'cos' or 'linear', got '", o_.anneal_strategy, "'");
  EMBER_CHECK(o_.anneal_epochs >= 0, "SWALR: anneal_epochs must be at least 0, got ", o_.anneal_epochs);
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options["swa_lr"] = o_.swa_lr[o_.swa_lr.size() == 1 ? 0 : i];
  initial_step();
}

double SWALR::anneal(double t) const { return o_.anneal_strategy == "linear" ? t : (1 - std::cos(M_PI * t)) / 2; }

// From the group's current rate: the rate it annealed from (inverting the
// previous step's mix), then this step's mix alpha swa_lr + (1 - alpha) start.
std::vector<double> SWALR::compute_lr() {
  const int64_t step = o_.anneal_epochs == 0 ? std::max<int64_t>(1, last_epoch_) : last_epoch_;
  const double span = static_cast<double>(std::max<int64_t>(1, o_.anneal_epochs));
  const double prev_alpha = anneal(std::clamp((static_cast<double>(step) - 1) / span, 0.0, 1.0));
  const double alpha = anneal(std::clamp(static_cast<double>(step) / span, 0.0, 1.0));
  std::vector<double> out;
  for (const ParamGroup& g : optimizer_.param_groups()) {
    const double swa_lr = g.get("swa_lr");
    const double start = prev_alpha == 1 ? swa_lr : (g.lr() - prev_alpha * swa_lr) / (1 - prev_alpha);
    out.push_back(swa_lr * alpha + start * (1 - alpha));
  }
  return out;
}

// ---- cycles ----------------------------------------------------------------------------------

OneCycleLR::OneCycleLR(Optimizer& opt, OneCycleLROptions o) : LRScheduler(opt), o_(std::move(o)) {
  EMBER_CHECK(o_.total_steps > 0, "OneCycleLR: total_steps must be positive, got ", o_.total_steps);
  EMBER_CHECK(o_.pct_start >= 0 && o_.pct_start <= 1, "OneCycleLR: pct_start must be in [0, 1], got ", o_.pct_start);
  EMBER_CHECK(o_.anneal_strategy == "cos" || o_.anneal_strategy == "linear",
              "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got '", o_.anneal_strategy, "'");
  const double initial = o_.max_lr / o_.div_factor, min_lr = initial / o_.final_div_factor;
  const double n = static_cast<double>(o_.total_steps);
  const double up = o_.pct_start * n - 1;
  if (o_.three_phase)
    phases_ = {{up, initial, o_.max_lr, o_.max_momentum, o_.base_momentum},
               {2 * o_.pct_start * n - 2, o_.max_lr, initial, o_.base_momentum, o_.max_momentum},
               {n - 1, initial, min_lr, o_.max_momentum, o_.max_momentum}};
  else
    phases_ = {{up, initial, o_.max_lr, o_.max_momentum, o_.base_momentum},
               {n - 1, o_.max_lr, min_lr, o_.base_momentum, o_.max_momentum}};
  // The schedule defines the rates from the start (initial_lr = max_lr / div_factor).
  for (size_t i = 0; i < opt.param_groups().size(); ++i) {
    ParamGroup& g = opt.param_groups()[i];
    g.lr() = initial;
    g.options["initial_lr"] = initial;
    base_lrs_[i] = initial;
  }
  if (o_.cycle_momentum) {
    momentum_key_ = momentum_key(opt, "OneCycleLR");
    for (ParamGroup& g : opt.param_groups()) g.options[momentum_key_] = o_.max_momentum;
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (o_.anneal_strategy == "cos") return end + (start - end) / 2.0 * (std::cos(M_PI * pct) + 1);
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::compute_lr() {
  EMBER_CHECK(last_epoch_ <= o_.total_steps, "OneCycleLR: tried to step ", last_epoch_,
              " times, more than total_steps = ", o_.total_steps);
  const double step = static_cast<double>(last_epoch_);
  double start = 0, lr = 0, momentum = 0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& p = phases_[i];
    if (step <= p.end_step || i + 1 == phases_.size()) {
      const double pct = (step - start) / (p.end_step - start);
      lr = anneal(p.start_lr, p.end_lr, pct);
      momentum = anneal(p.start_momentum, p.end_momentum, pct);
      break;
    }
    start = p.end_step;
  }
  if (o_.cycle_momentum)
    for (ParamGroup& g : optimizer_.param_groups()) g.options[momentum_key_] = momentum;
  return std::vector<double>(optimizer_.param_groups().size(), lr);
}

CyclicLR::CyclicLR(Optimizer& opt, CyclicLROptions o) : LRScheduler(opt), o_(std::move(o)) {
  EMBER_CHECK(o_.mode == "triangular" || o_.mode == "triangular2" || o_.mode == "exp_range",
              "CyclicLR: mode must be triangular, triangular2 or exp_range, got '", o_.mode, "'");
  EMBER_CHECK(o_.step_size_up > 0 && o_.step_size_down.value_or(1) > 0, "CyclicLR: step sizes must be positive");
  const double up = static_cast<double>(o_.step_size_up);
  const double down = static_cast<double>(o_.step_size_down.value_or(o_.step_size_up));
  total_size_ = up + down;
  step_ratio_ = up / total_size_;
  for (size_t i = 0; i < opt.param_groups().size(); ++i) {
    opt.param_groups()[i].lr() = o_.base_lr;
    base_lrs_[i] = o_.base_lr;
  }
  if (o_.cycle_momentum) {
    momentum_key_ = momentum_key(opt, "CyclicLR");
    for (ParamGroup& g : opt.param_groups()) g.options[momentum_key_] = o_.max_momentum;
  }
  initial_step();
}

std::vector<double> CyclicLR::compute_lr() {
  const double t = static_cast<double>(last_epoch_);
  const double cycle = std::floor(1 + t / total_size_);
  const double x = 1.0 + t / total_size_ - cycle;
  const double scale_factor = x <= step_ratio_ ? x / step_ratio_ : (x - 1) / (step_ratio_ - 1);
  double scale;
  if (o_.mode == "triangular") scale = 1.0;
  else if (o_.mode == "triangular2") scale = 1 / std::pow(2.0, cycle - 1);
  else scale = std::pow(o_.gamma, t);  // exp_range scales by iterations
  const double height = (o_.max_lr - o_.base_lr) * scale_factor;
  if (o_.cycle_momentum)
    for (ParamGroup& g : optimizer_.param_groups())
      g.options[momentum_key_] = o_.max_momentum - (o_.max_momentum - o_.base_momentum) * scale_factor * scale;
  return std::vector<double>(optimizer_.param_groups().size(), o_.base_lr + height * scale);
}

// ---- plateau ---------------------------------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& opt, ReduceLROnPlateauOptions o) : optimizer_(opt), o_(std::move(o)) {
  EMBER_CHECK(o_.mode == "min" || o_.mode == "max", "ReduceLROnPlateau: mode must be 'min' or 'max', got '", o_.mode,
              "'");
  EMBER_CHECK(o_.threshold_mode == "rel" || o_.threshold_mode == "abs",
              "ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got '", o_.threshold_mode, "'");
  EMBER_CHECK(o_.factor < 1.0, "ReduceLROnPlateau: factor should be < 1.0, got ", o_.factor);
  best_ = o_.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::is_better(double a) const {
  const bool rel = o_.threshold_mode == "rel";
  if (o_.mode == "min") return rel ? a < best_ * (1 - o_.threshold) : a < best_ - o_.threshold;
  return rel ? a > best_ * (o_.threshold + 1) : a > best_ + o_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > o_.patience) {
    for (ParamGroup& g : optimizer_.param_groups()) {
      const double new_lr = std::max(g.lr() * o_.factor, o_.min_lr);
      if (g.lr() - new_lr > o_.eps) g.lr() = new_lr;
    }
    cooldown_counter_ = o_.cooldown;
    num_bad_epochs_ = 0;
  }
}

std::vector<double> ReduceLROnPlateau::get_last_lr() const {
  std::vector<double> out;
  for (const ParamGroup& g : optimizer_.param_groups()) out.push_back(g.lr());
  return out;
}

Metadata ReduceLROnPlateau::state_dict() const {
  return {{"best", number(best_)},
          {"num_bad_epochs", std::to_string(num_bad_epochs_)},
          {"cooldown_counter", std::to_string(cooldown_counter_)},
          {"last_epoch", std::to_string(last_epoch_)}};
}

void ReduceLROnPlateau::load_state_dict(const Metadata& m) {
  const double best = read(m, "best");
  const auto bad = static_cast<int64_t>(read(m, "num_bad_epochs")), cool = static_cast<int64_t>(read(m, "cooldown_counter")),
             epoch = static_cast<int64_t>(read(m, "last_epoch"));
  best_ = best, num_bad_epochs_ = bad, cooldown_counter_ = cool, last_epoch_ = epoch;
}

}  // namespace ember::optim
