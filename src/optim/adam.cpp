// The Adam family: Adam, AdamW (decoupled weight decay), NAdam, RAdam. Each
// update follows PyTorch's single-tensor implementation term by term.
#include <cmath>

#include "ember/grad_mode.h"
#include "ember/optim/optimizers.h"
#include "optim/fused.h"

namespace ember::optim {
namespace {

void check_adam_like(const char* name, const std::map<std::string, double>& o) {
  EMBER_CHECK(o.at("lr") >= 0, name, ": invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("eps") >= 0, name, ": invalid epsilon value: ", o.at("eps"));
  EMBER_CHECK(o.at("beta1") >= 0 && o.at("beta1") < 1, name, ": invalid beta parameter at index 0: ", o.at("beta1"));
  EMBER_CHECK(o.at("beta2") >= 0 && o.at("beta2") < 1, name, ": invalid beta parameter at index 1: ", o.at("beta2"));
  EMBER_CHECK(o.at("weight_decay") >= 0, name, ": invalid weight_decay value: ", o.at("weight_decay"));
}

}  // namespace

// ---- Adam / AdamW --------------------------------------------------------------------------
// g (+ wd p, Adam) ; p *= 1 - lr wd (AdamW)
// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  (amsgrad: vmax = max(vmax, v))
// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

Adam::Adam(std::vector<Tensor> params, AdamOptions o) : Adam("Adam", std::move(params), o, false) {}

Adam::Adam(const char* name, std::vector<Tensor> params, AdamOptions o, bool decoupled)
    : Optimizer(name, {{"lr", o.lr},
                       {"beta1", o.beta1},
                       {"beta2", o.beta2},
                       {"eps", o.eps},
                       {"weight_decay", o.weight_decay},
                       {"amsgrad", o.amsgrad ? 1.0 : 0.0},
                       {"maximize", o.maximize ? 1.0 : 0.0}}),
      decoupled_(decoupled) {
  add_initial_group(std::move(params));
}

AdamW::AdamW(std::vector<Tensor> params, AdamOptions o) : Adam("AdamW", std::move(params), o, true) {}

void Adam::check_options(const std::map<std::string, double>& o) const { check_adam_like(name().c_str(), o); }

void Adam::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), b1 = group.get("beta1"), b2 = group.get("beta2");
    const bool amsgrad = group.get("amsgrad") != 0, maximize = group.get("maximize") != 0;
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor m = fused::buffer(s, "exp_avg", p), v = fused::buffer(s, "exp_avg_sq", p);
      const Tensor vmax = amsgrad ? fused::buffer(s, "max_exp_avg_sq", p) : Tensor();
      const double t = static_cast<double>(++s.step);
      const AdamRule rule{.lr = lr,
                          .beta1 = b1,
                          .beta2 = b2,
                          .eps = group.get("eps"),
                          .weight_decay = group.get("weight_decay"),
                          .step_size = lr / (1 - std::pow(b1, t)),
                          .bias_correction2_sqrt = std::sqrt(1 - std::pow(b2, t)),
                          .decoupled = decoupled_,
                          .amsgrad = amsgrad,
                          .maximize = maximize};
      fused::step(rule, p, {m, v, vmax}, name().c_str());
    }
  }
}

// ---- NAdam --------------------------------------------------------------------------------
// mu_t = b1 (1 - 0.5 * 0.96^(t psi)); m, v as Adam; denom = sqrt(v / (1 - b2^t)) + eps
// p -= lr (1 - mu_t) / (1 - prod mu) * g / denom + lr mu_{t+1} / (1 - prod mu * mu_{t+1}) * m / denom

NAdam::NAdam(std::vector<Tensor> params, NAdamOptions o)
    : Optimizer("NAdam", {{"lr", o.lr},
                          {"beta1", o.beta1},
                          {"beta2", o.beta2},
                          {"eps", o.eps},
                          {"weight_decay", o.weight_decay},
                          {"momentum_decay", o.momentum_decay}}) {
  add_initial_group(std::move(params));
}

void NAdam::check_options(const std::map<std::string, double>& o) const {
  check_adam_like("NAdam", o);
  EMBER_CHECK(o.at("momentum_decay") >= 0, "NAdam: invalid momentum_decay value: ", o.at("momentum_decay"));
}

void NAdam::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), b1 = group.get("beta1"), b2 = group.get("beta2"), eps = group.get("eps"),
                 wd = group.get("weight_decay"), psi = group.get("momentum_decay");
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor m = fused::buffer(s, "exp_avg", p), v = fused::buffer(s, "exp_avg_sq", p);
      if (!s.scalars.count("mu_product")) s.scalars["mu_product"] = 1.0;
      const double t = static_cast<double>(++s.step);
      const double bc2 = 1 - std::pow(b2, t);
      const double mu = b1 * (1 - 0.5 * std::pow(0.96, t * psi));
      const double mu_next = b1 * (1 - 0.5 * std::pow(0.96, (t + 1) * psi));
      // PyTorch keeps the product of the mu's in a float32 scalar tensor; so do we,
      // for identical trajectories.
      const float mu_product_f = static_cast<float>(s.scalars["mu_product"]) * static_cast<float>(mu);
      s.scalars["mu_product"] = mu_product_f;
      const double mu_product = mu_product_f;
      const double mu_product_next = static_cast<float>(mu_product_f * static_cast<float>(mu_next));
      const double grad_coef = -lr * (1 - mu) / (1 - mu_product), avg_coef = -lr * mu_next / (1 - mu_product_next);
      fused::step(NAdamRule{b1, b2, eps, wd, bc2, grad_coef, avg_coef}, p, {m, v}, "NAdam");
    }
  }
}

// ---- RAdam ---------------------------------------------------------------------------------
// m, v as Adam; rho_inf = 2 / (1 - b2) - 1; rho_t = rho_inf - 2 t b2^t / (1 - b2^t)
// rho_t > 5: p -= lr m / (1 - b1^t) * r sqrt(1 - b2^t) / (sqrt(v) + eps), r the rectification
// otherwise: p -= lr m / (1 - b1^t)

RAdam::RAdam(std::vector<Tensor> params, RAdamOptions o)
    : Optimizer("RAdam", {{"lr", o.lr}, {"beta1", o.beta1}, {"beta2", o.beta2}, {"eps", o.eps},
                          {"weight_decay", o.weight_decay}}) {
  add_initial_group(std::move(params));
}

void RAdam::check_options(const std::map<std::string, double>& o) const { check_adam_like("RAdam", o); }

void RAdam::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), b1 = group.get("beta1"), b2 = group.get("beta2"), eps = group.get("eps"),
                 wd = group.get("weight_decay");
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const Tensor m = fused::buffer(s, "exp_avg", p), v = fused::buffer(s, "exp_avg_sq", p);
      const double t = static_cast<double>(++s.step);
      const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
      const double rho_inf = 2 / (1 - b2) - 1;
      const double rho_t = rho_inf - 2 * t * std::pow(b2, t) / bc2;
      const bool rectify = rho_t > 5;
      const double rect =
          rectify ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) : 0.0;
      fused::step(RAdamRule{lr, b1, b2, eps, wd, bc1, bc2, rect, rectify}, p, {m, v}, "RAdam");
    }
  }
}

}  // namespace ember::optim
