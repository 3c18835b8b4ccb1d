// The optimizers and schedules of `ember train --optimizer/--scheduler`.
#include "train_optimizer.h"

#include <algorithm>

namespace ember::cli {

std::unique_ptr<optim::Optimizer> make_optimizer(const Settings& s, std::vector<Tensor> params) {
  const double lr = s.lr, wd = s.weight_decay;
  const std::string& name = s.optimizer;
  if (name == "sgd")
    return std::make_unique<optim::SGD>(std::move(params), optim::SGDOptions{.lr = lr, .momentum = s.momentum,
                                                                             .weight_decay = wd, .nesterov = s.nesterov});
  if (name == "adam") return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "adamw") return std::make_unique<optim::AdamW>(std::move(params), optim::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "nadam") return std::make_unique<optim::NAdam>(std::move(params), optim::NAdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "radam") return std::make_unique<optim::RAdam>(std::move(params), optim::RAdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "rmsprop")
    return std::make_unique<optim::RMSprop>(std::move(params),
                                            optim::RMSpropOptions{.lr = lr, .weight_decay = wd, .momentum = s.momentum});
  if (name == "adagrad")
    return std::make_unique<optim::Adagrad>(std::move(params), optim::AdagradOptions{.lr = lr, .weight_decay = wd});
  if (name == "adadelta")
    return std::make_unique<optim::Adadelta>(std::move(params), optim::AdadeltaOptions{.lr = lr, .weight_decay = wd});
  detail::fail("unknown optimizer '", name, "'; known optimizers: sgd, adam, adamw, nadam, radam, rmsprop, adagrad, adadelta");
}

Schedule make_schedule(const Settings& s, optim::Optimizer& opt, int64_t batches_per_epoch) {
  Schedule out;
  const int64_t decay_epochs = std::max<int64_t>(s.epochs - s.warmup_epochs, 1);
  std::unique_ptr<optim::LRScheduler> decay;
  if (s.scheduler == "step") decay = std::make_unique<optim::StepLR>(opt, optim::StepLROptions{s.step_size, s.gamma});
  else if (s.scheduler == "multistep")
    decay = std::make_unique<optim::MultiStepLR>(opt, optim::MultiStepLROptions{parse_milestones(s.milestones, decay_epochs), s.gamma});
  else if (s.scheduler == "exponential") decay = std::make_unique<optim::ExponentialLR>(opt, optim::ExponentialLROptions{s.gamma});
  else if (s.scheduler == "cosine") decay = std::make_unique<optim::CosineAnnealingLR>(opt, optim::CosineAnnealingLROptions{decay_epochs});
  else if (s.scheduler == "onecycle") {
    // Momentum is cycled for the optimizers that have it (sgd's momentum, the Adam family's beta1).
    const bool has_momentum = s.optimizer != "adagrad" && s.optimizer != "adadelta";
    out.scheduler = std::make_unique<optim::OneCycleLR>(
        opt, optim::OneCycleLROptions{.max_lr = s.lr, .total_steps = s.epochs * batches_per_epoch,
                                      .cycle_momentum = has_momentum});
    out.per_batch = true;
  } else if (s.scheduler == "plateau") {
    out.plateau = std::make_unique<optim::ReduceLROnPlateau>(
        opt, optim::ReduceLROnPlateauOptions{.factor = s.gamma, .patience = s.plateau_patience});
  } else {
    EMBER_CHECK(s.scheduler == "none", "unknown scheduler '", s.scheduler,
                "'; known: none, step, multistep, exponential, cosine, onecycle, plateau");
  }
  EMBER_CHECK(!(s.warmup_epochs > 0 && out.per_batch), "--warmup-epochs does not combine with --scheduler onecycle (it warms up itself)");
  if (decay && s.warmup_epochs > 0) {
    std::vector<std::unique_ptr<optim::LRScheduler>> parts;
    parts.push_back(std::make_unique<optim::LinearLR>(opt, optim::LinearLROptions{.start_factor = 0.1, .total_iters = s.warmup_epochs}));
    parts.push_back(std::move(decay));
    out.scheduler = std::make_unique<optim::SequentialLR>(opt, std::move(parts), std::vector<int64_t>{s.warmup_epochs});
  } else if (decay) {
    out.scheduler = std::move(decay);
  }
  return out;
}

}  // namespace ember::cli
