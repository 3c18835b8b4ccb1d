// Rprop and ASGD, following PyTorch's single-tensor implementations (the
// updates: RpropRule and AsgdRule in backend/optimizer_rules.h).
#include <cmath>

#include "ember/grad_mode.h"
#include "ember/optim/optimizers.h"
#include "optim/fused.h"

namespace ember::optim {

Rprop::Rprop(std::vector<Tensor> params, RpropOptions o)
    : Optimizer("Rprop", {{"lr", o.lr},
                          {"etaminus", o.etaminus},
                          {"etaplus", o.etaplus},
                          {"step_size_min", o.step_size_min},
                          {"step_size_max", o.step_size_max},
                          {"maximize", o.maximize ? 1.0 : 0.0}}) {
  add_initial_group(std::move(params));
}

void Rprop::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") >= 0, "Rprop: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(0 < o.at("etaminus") && o.at("etaminus") < 1 && 1 < o.at("etaplus"), "Rprop: invalid eta values: ",
              o.at("etaminus"), ", ", o.at("etaplus"), " (need 0 < etaminus < 1 < etaplus)");
  EMBER_CHECK(0 <= o.at("step_size_min") && o.at("step_size_min") <= o.at("step_size_max"),
              "Rprop: invalid step sizes: ", o.at("step_size_min"), ", ", o.at("step_size_max"));
}

void Rprop::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const RpropRule rule{group.get("etaminus"), group.get("etaplus"), group.get("step_size_min"),
                         group.get("step_size_max"), group.get("maximize") != 0};
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor prev = fused::buffer(s, "prev", p);
      const Tensor step_size = fused::buffer(s, "step_size", p, group.lr());  // starts at lr
      ++s.step;
      fused::step(rule, p, {prev, step_size}, "Rprop");
    }
  }
}

ASGD::ASGD(std::vector<Tensor> params, ASGDOptions o)
    : Optimizer("ASGD", {{"lr", o.lr},
                         {"lambd", o.lambd},
                         {"alpha", o.alpha},
                         {"t0", o.t0},
                         {"weight_decay", o.weight_decay},
                         {"maximize", o.maximize ? 1.0 : 0.0}}) {
  add_initial_group(std::move(params));
}

void ASGD::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") >= 0, "ASGD: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("weight_decay") >= 0, "ASGD: invalid weight_decay value: ", o.at("weight_decay"));
}

// eta and mu are kept as PyTorch keeps them, in float32 scalar tensors: rounded
// to float32 each step, so the trajectories agree to the last bit.
void ASGD::step() {
  NoGradGuard no_grad;
  const auto as_float32 = [](double v) { return static_cast<double>(static_cast<float>(v)); };
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), lambd = group.get("lambd"), alpha = group.get("alpha"), t0 = group.get("t0"),
                 wd = group.get("weight_decay");
    const bool maximize = group.get("maximize") != 0;
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      if (!s.scalars.count("eta")) s.scalars["eta"] = as_float32(lr), s.scalars["mu"] = 1.0;
      const Tensor ax = fused::buffer(s, "ax", p);
      ++s.step;
      const double eta = s.scalars["eta"], mu = s.scalars["mu"];
      fused::step(AsgdRule{eta, 1 - lambd * eta, wd, mu, maximize}, p, {ax}, "ASGD");
      const auto t = static_cast<double>(s.step);
      s.scalars["eta"] = as_float32(lr / std::pow(1 + lambd * lr * t, alpha));
      s.scalars["mu"] = as_float32(1 / std::max(1.0, t - t0));
    }
  }
}

}  // namespace ember::optim
