// AveragedModel and update_bn, as torch.optim.swa_utils.
#include "ember/optim/swa_utils.h"

#include <map>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/layers.h"
#include "ember/ops.h"

namespace ember::optim {

AverageFunction ema_average(double decay) {
  EMBER_CHECK(decay >= 0 && decay <= 1, "ema_average: decay must be in [0, 1], got ", decay);
  return [decay](const Tensor& averaged, const Tensor& current, int64_t) {
    return averaged * decay + current * (1 - decay);
  };
}

AveragedModel::AveragedModel(nn::Module& model, std::shared_ptr<nn::Module> copy, AveragedModelOptions options)
    : Module("AveragedModel"), module(std::move(copy)), options_(std::move(options)) {
  EMBER_CHECK(module, "AveragedModel: needs a module to hold the average (a copy of the model's architecture)");
  module->load_state_dict(model.state_dict());  // strict: the same architecture
  module->train(model.is_training());
  Device device = kCPU;
  if (!module->parameters().empty()) device = module->parameters()[0].device();
  n_averaged = zeros({}, {.dtype = Dtype::int64, .device = device});
  if (!options_.avg_fn)
    options_.avg_fn = [](const Tensor& averaged, const Tensor& current, int64_t n) {
      return averaged + (current - averaged) / static_cast<double>(n + 1);
    };
}

// PyTorch's order: a module's own tensors before its children's.
void AveragedModel::visit(nn::Visitor& v) {
  v.buffer("n_averaged", n_averaged);
  v.module("module", *module);
}

void AveragedModel::update_parameters(nn::Module& model) {
  NoGradGuard no_grad;
  std::vector<Tensor> mine = module->parameters(), theirs = model.parameters();
  if (options_.use_buffers) {
    for (const Tensor& b : module->buffers()) mine.push_back(b);
    for (const Tensor& b : model.buffers()) theirs.push_back(b);
  }
  EMBER_CHECK(mine.size() == theirs.size(), "AveragedModel.update_parameters: the model has ", theirs.size(),
              " parameters", options_.use_buffers ? " and buffers" : "", ", the average ", mine.size());
  const int64_t n = n_averaged.is_meta() ? 0 : n_averaged.item<int64_t>();
  for (size_t i = 0; i < mine.size(); ++i) {
    EMBER_CHECK(mine[i].sizes() == theirs[i].sizes(), "AveragedModel.update_parameters: tensor ", i, " has shape ",
                theirs[i].sizes(), " in the model and ", mine[i].sizes(), " in the average");
    const Tensor current = theirs[i].detach().to(mine[i].device());
    // Integer buffers (num_batches_tracked) are copied: an average of counts is not a count.
    if (n == 0 || !mine[i].is_floating_point()) mine[i].copy_(current);
    else mine[i].copy_(options_.avg_fn(mine[i].detach(), current, n));
  }
  n_averaged.add_(1);
}

namespace {

// Resets every batch norm's running statistics, runs the model in training
// mode on each input `for_each_input` gives (with momentum none, so each batch
// counts the same), then restores the momenta and the model's mode.
template <class ForEachInput>
void recompute_bn(nn::Module& model, ForEachInput for_each_input) {
  std::map<nn::RunningStatsNorm*, std::optional<double>> momenta;
  for (nn::Module* m : model.modules()) {
    auto* bn = dynamic_cast<nn::BatchNorm*>(m);
    if (!bn || !bn->running_mean.defined()) continue;
    NoGradGuard no_grad;
    bn->running_mean.zero_();
    bn->running_var.fill_(1);
    bn->num_batches_tracked.zero_();
    momenta[bn] = bn->momentum();
    bn->set_momentum(std::nullopt);
  }
  if (momenta.empty()) return;
  const bool was_training = model.is_training();
  model.train();
  {
    NoGradGuard no_grad;
    for_each_input([&](const Tensor& x) { model(x); });
  }
  for (auto& [bn, momentum] : momenta) bn->set_momentum(momentum);
  model.train(was_training);
}

}  // namespace

void update_bn(const std::vector<Tensor>& inputs, nn::Module& model) {
  recompute_bn(model, [&](const auto& run) {
    for (const Tensor& x : inputs) run(x);
  });
}

void update_bn(data::DataLoader& loader, nn::Module& model) {
  recompute_bn(model, [&](const auto& run) {
    for (const data::Batch& batch : loader) run(batch.data);
  });
}

}  // namespace ember::optim
