// SGD with momentum, dampening, Nesterov, weight decay and maximize, as PyTorch:
//   d = g (+ wd p);  b = d (first step) or m b + (1 - dampening) d;
//   d = d + m b (Nesterov) or b;  p -= lr d
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
      const Tensor g = fused::grad_of(p);
      ParamState& s = state_of(p);
      const bool first = momentum != 0 && !s.buffers.count("momentum_buffer");
      const Tensor buf = momentum != 0 ? fused::buffer(s, "momentum_buffer", p) : Tensor();
      ++s.step;
      fused::dispatch(p, [&](auto tag) {
        using T = decltype(tag);
        T* pp = fused::ptr<T>(p);
        const T* pg = fused::ptr<T>(g);
        T* pb = fused::ptr<T>(buf);
        fused::for_each(p.numel(), [&](int64_t i) {
          T d = maximize ? -pg[i] : pg[i];
          if (wd != 0) d = d + T(wd) * pp[i];
          if (momentum != 0) {
            pb[i] = first ? d : pb[i] * T(momentum) + T(1 - dampening) * d;
            d = nesterov ? d + T(momentum) * pb[i] : pb[i];
          }
          pp[i] = pp[i] + T(-lr) * d;
        });
      });
      p.storage()->bump_version();
    }
  }
}

}  // namespace ember::optim
