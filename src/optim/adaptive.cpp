// Per-coordinate adaptive methods: RMSprop, Adagrad, Adadelta, following
// PyTorch's single-tensor implementations term by term.
#include <cmath>

#include "ember/grad_mode.h"
#include "ember/optim/optimizers.h"
#include "optim/fused.h"

namespace ember::optim {

// ---- RMSprop -------------------------------------------------------------------------------
// v = a v + (1 - a) g^2;  centered: mg = a mg + (1 - a) g, avg = sqrt(v - mg^2) + eps, else sqrt(v) + eps
// momentum: b = m b + g / avg, p -= lr b;  otherwise p -= lr g / avg

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions o)
    : Optimizer("RMSprop", {{"lr", o.lr},
                            {"alpha", o.alpha},
                            {"eps", o.eps},
                            {"weight_decay", o.weight_decay},
                            {"momentum", o.momentum},
                            {"centered", o.centered ? 1.0 : 0.0},
                            {"maximize", o.maximize ? 1.0 : 0.0}}) {
  add_initial_group(std::move(params));
}

void RMSprop::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") >= 0, "RMSprop: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("eps") >= 0, "RMSprop: invalid epsilon value: ", o.at("eps"));
  EMBER_CHECK(o.at("momentum") >= 0, "RMSprop: invalid momentum value: ", o.at("momentum"));
  EMBER_CHECK(o.at("weight_decay") >= 0, "RMSprop: invalid weight_decay value: ", o.at("weight_decay"));
  EMBER_CHECK(o.at("alpha") >= 0, "RMSprop: invalid alpha value: ", o.at("alpha"));
}

void RMSprop::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), alpha = group.get("alpha"), eps = group.get("eps"), wd = group.get("weight_decay"),
                 momentum = group.get("momentum");
    const bool centered = group.get("centered") != 0, maximize = group.get("maximize") != 0;
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor v = fused::buffer(s, "square_avg", p);
      const Tensor mg = centered ? fused::buffer(s, "grad_avg", p) : Tensor();
      const Tensor buf = momentum > 0 ? fused::buffer(s, "momentum_buffer", p) : Tensor();
      ++s.step;
      fused::step(RmspropRule{lr, alpha, eps, wd, momentum, centered, maximize}, p, {v, mg, buf}, "RMSprop");
    }
  }
}

// ---- Adagrad -------------------------------------------------------------------------------
// clr = lr / (1 + (t - 1) lr_decay);  sum += g^2;  p -= clr g / (sqrt(sum) + eps)

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions o)
    : Optimizer("Adagrad", {{"lr", o.lr},
                            {"lr_decay", o.lr_decay},
                            {"weight_decay", o.weight_decay},
                            {"initial_accumulator_value", o.initial_accumulator_value},
                            {"eps", o.eps},
                            {"maximize", o.maximize ? 1.0 : 0.0}}) {
  add_initial_group(std::move(params));
  // As PyTorch, the accumulators exist (at their initial value) from construction.
  for (ParamGroup& group : param_groups())
    for (Tensor& p : group.params) fused::buffer(state_of(p), "sum", p, group.get("initial_accumulator_value"));
}

void Adagrad::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") >= 0, "Adagrad: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("lr_decay") >= 0, "Adagrad: invalid lr_decay value: ", o.at("lr_decay"));
  EMBER_CHECK(o.at("weight_decay") >= 0, "Adagrad: invalid weight_decay value: ", o.at("weight_decay"));
  EMBER_CHECK(o.at("initial_accumulator_value") >= 0, "Adagrad: invalid initial_accumulator_value value: ",
              o.at("initial_accumulator_value"));
  EMBER_CHECK(o.at("eps") >= 0, "Adagrad: invalid epsilon value: ", o.at("eps"));
}

void Adagrad::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), lr_decay = group.get("lr_decay"), wd = group.get("weight_decay"),
                 eps = group.get("eps");
    const bool maximize = group.get("maximize") != 0;
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor sum = fused::buffer(s, "sum", p, group.get("initial_accumulator_value"));
      const double t = static_cast<double>(++s.step);
      const double clr = lr / (1 + (t - 1) * lr_decay);
      fused::step(AdagradRule{clr, wd, eps, maximize}, p, {sum}, "Adagrad");
    }
  }
}

// ---- Adadelta ------------------------------------------------------------------------------
// v = r v + (1 - r) g^2;  d = sqrt(u + eps) / sqrt(v + eps) * g;  u = r u + (1 - r) d^2;  p -= lr d

Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions o)
    : Optimizer("Adadelta", {{"lr", o.lr},
                             {"rho", o.rho},
                             {"eps", o.eps},
                             {"weight_decay", o.weight_decay},
                             {"maximize", o.maximize ? 1.0 : 0.0}}) {
  add_initial_group(std::move(params));
}

void Adadelta::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") >= 0, "Adadelta: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("rho") >= 0 && o.at("rho") <= 1, "Adadelta: invalid rho value: ", o.at("rho"));
  EMBER_CHECK(o.at("eps") >= 0, "Adadelta: invalid epsilon value: ", o.at("eps"));
  EMBER_CHECK(o.at("weight_decay") >= 0, "Adadelta: invalid weight_decay value: ", o.at("weight_decay"));
}

void Adadelta::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), rho = group.get("rho"), eps = group.get("eps"), wd = group.get("weight_decay");
    const bool maximize = group.get("maximize") != 0;
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor v = fused::buffer(s, "square_avg", p), u = fused::buffer(s, "acc_delta", p);
      ++s.step;
      fused::step(AdadeltaRule{lr, rho, eps, wd, maximize}, p, {v, u}, "Adadelta");
    }
  }
}

}  // namespace ember::optim
