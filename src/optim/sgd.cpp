// SGD with momentum, dampening, Nesterov, weight decay and maximize, as PyTorch
// (the update: SgdRule in backend/optimizer_rules.h).
#include "ember/grad_mode.h"
#include "ember/optim/optimizers.h"
#include "optim/fused.h"

namespace ember::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions o)
    : Optimizer("SGD", {{"lr", o.lr},
                        {"momentum", o.momentum},
                        {"dampening", o.dampening},
                        {"weight_decay", o.weight_decay},
                        {"nesterov", o.nesterov ? 1.0 : 0.0},
                        {"maximize", o.maximize ? 1.0 : 0.0}}) {
  add_initial_group(std::move(params));
}

void SGD::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") >= 0, "SGD: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("momentum") >= 0, "SGD: invalid momentum value: ", o.at("momentum"));
  EMBER_CHECK(o.at("weight_decay") >= 0, "SGD: invalid weight_decay value: ", o.at("weight_decay"));
  EMBER_CHECK(o.at("nesterov") == 0 || (o.at("momentum") > 0 && o.at("dampening") == 0),
              "SGD: Nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr(), momentum = group.get("momentum"), dampening = group.get("dampening"),
                 wd = group.get("weight_decay");
    const bool nesterov = group.get("nesterov") != 0, maximize = group.get("maximize") != 0;
    for (Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& s = state_of(p);
      const bool first = momentum != 0 && !s.buffers.count("momentum_buffer");
      const Tensor buf = momentum != 0 ? fused::buffer(s, "momentum_buffer", p) : Tensor();
      ++s.step;
      fused::step(SgdRule{lr, momentum, dampening, wd, nesterov, maximize, first}, p, {buf}, "SGD");
    }
  }
}

}  // namespace ember::optim
