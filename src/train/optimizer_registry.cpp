// The optimizer registry (built-in optimizers registered on first use) and the
// named schedules. The momentum setting is the Adam family's beta1 (its
// default, 0.9, is theirs).
#include "ember/train/optimizer_registry.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "ember/optim/optimizers.h"

namespace ember::train {
namespace {

template <class O, class Options>
OptimizerFactory factory(Options (*options)(const OptimizerSpec&)) {
  return [options](std::vector<Tensor> params, const OptimizerSpec& s) {
    return std::unique_ptr<optim::Optimizer>(std::make_unique<O>(std::move(params), options(s)));
  };
}

std::vector<std::pair<std::string, OptimizerFactory>> builtin_optimizers() {
  using namespace optim;
  return {
      {"sgd", factory<SGD>(+[](const OptimizerSpec& s) {
         return SGDOptions{.lr = s.lr, .momentum = s.momentum, .weight_decay = s.weight_decay, .nesterov = s.nesterov};
       })},
      {"adam", factory<Adam>(+[](const OptimizerSpec& s) {
         return AdamOptions{.lr = s.lr, .beta1 = s.momentum, .weight_decay = s.weight_decay};
       })},
      {"adamw", factory<AdamW>(+[](const OptimizerSpec& s) {
         return AdamOptions{.lr = s.lr, .beta1 = s.momentum, .weight_decay = s.weight_decay};
       })},
      {"nadam", factory<NAdam>(+[](const OptimizerSpec& s) {
         return NAdamOptions{.lr = s.lr, .beta1 = s.momentum, .weight_decay = s.weight_decay};
       })},
      {"radam", factory<RAdam>(+[](const OptimizerSpec& s) {
         return RAdamOptions{.lr = s.lr, .beta1 = s.momentum, .weight_decay = s.weight_decay};
       })},
      {"rmsprop", factory<RMSprop>(+[](const OptimizerSpec& s) {
         return RMSpropOptions{.lr = s.lr, .weight_decay = s.weight_decay, .momentum = s.momentum};
       })},
      {"adagrad",
       factory<Adagrad>(+[](const OptimizerSpec& s) { return AdagradOptions{.lr = s.lr, .weight_decay = s.weight_decay}; })},
      {"adadelta",
       factory<Adadelta>(+[](const OptimizerSpec& s) { return AdadeltaOptions{.lr = s.lr, .weight_decay = s.weight_decay}; })},
      // (PyTorch's Rprop has no weight decay: the setting does not apply to it.)
      {"rprop", factory<Rprop>(+[](const OptimizerSpec& s) { return RpropOptions{.lr = s.lr}; })},
      {"asgd", factory<ASGD>(+[](const OptimizerSpec& s) { return ASGDOptions{.lr = s.lr, .weight_decay = s.weight_decay}; })},
  };
}

struct Registry {
  std::mutex mutex;
  std::vector<std::pair<std::string, OptimizerFactory>> entries = builtin_optimizers();
};
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_optimizer(const std::string& name, OptimizerFactory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const auto& [taken, f] : r.entries)
    EMBER_CHECK(taken != name, "register_optimizer: an optimizer named '", name, "' is already registered");
  r.entries.emplace_back(name, std::move(factory));
}

std::vector<std::string> optimizer_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, f] : r.entries) names.push_back(name);
  return names;
}

std::unique_ptr<optim::Optimizer> create_optimizer(const std::string& name, std::vector<Tensor> params,
                                                   const OptimizerSpec& spec) {
  OptimizerFactory make;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const auto& [known, f] : r.entries)
      if (known == name) make = f;
  }
  if (!make) {
    std::string known;
    for (const std::string& n : optimizer_names()) known += (known.empty() ? "" : ", ") + n;
    detail::fail("unknown optimizer '", name, "'; known optimizers: ", known);
  }
  return make(std::move(params), spec);
}

Schedule create_schedule(optim::Optimizer& opt, const ScheduleSpec& s) {
  Schedule out;
  const int64_t decay_epochs = std::max<int64_t>(s.epochs - s.warmup_epochs, 1);
  std::unique_ptr<optim::LRScheduler> decay;
  if (s.name == "step") {
    decay = std::make_unique<optim::StepLR>(opt, optim::StepLROptions{s.step_size, s.gamma});
  } else if (s.name == "multistep") {
    decay = std::make_unique<optim::MultiStepLR>(opt, optim::MultiStepLROptions{s.milestones, s.gamma});
  } else if (s.name == "exponential") {
    decay = std::make_unique<optim::ExponentialLR>(opt, optim::ExponentialLROptions{s.gamma});
  } else if (s.name == "cosine") {
    decay = std::make_unique<optim::CosineAnnealingLR>(opt, optim::CosineAnnealingLROptions{decay_epochs});
  } else if (s.name == "onecycle") {
    out.scheduler = std::make_unique<optim::OneCycleLR>(
        opt, optim::OneCycleLROptions{.max_lr = s.max_lr, .total_steps = s.epochs * s.batches_per_epoch,
                                      .cycle_momentum = s.cycle_momentum});
    out.per_batch = true;
  } else if (s.name == "plateau") {
    out.plateau = std::make_unique<optim::ReduceLROnPlateau>(
        opt, optim::ReduceLROnPlateauOptions{.factor = s.gamma, .patience = s.plateau_patience});
  } else {
    EMBER_CHECK(s.name == "none", "unknown scheduler '", s.name,
                "'; known: none, step, multistep, exponential, cosine, onecycle, plateau");
  }
  EMBER_CHECK(!(s.warmup_epochs > 0 && out.per_batch),
              "a warm-up does not combine with the onecycle schedule (it warms up itself)");
  if (decay && s.warmup_epochs > 0) {
    std::vector<std::unique_ptr<optim::LRScheduler>> parts;
    parts.push_back(std::make_unique<optim::LinearLR>(
        opt, optim::LinearLROptions{.start_factor = 0.1, .total_iters = s.warmup_epochs}));
    parts.push_back(std::move(decay));
    out.scheduler = std::make_unique<optim::SequentialLR>(opt, std::move(parts), std::vector<int64_t>{s.warmup_epochs});
  } else if (decay) {
    out.scheduler = std::move(decay);
  }
  return out;
}

}  // namespace ember::train
