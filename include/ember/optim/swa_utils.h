// Weight averaging, as torch.optim.swa_utils: AveragedModel keeps a running
// average of a model's parameters (SWA's equal-weight mean by default, or an
// exponential moving average with ema_average), update_bn recomputes the batch
// norm statistics for the averaged weights, and SWALR (ember/optim/scheduler.h)
// is the schedule that goes with them.
//   optim::AveragedModel swa(*model, models::create("resnet20", spec));
//   for (epoch...) { train(); if (epoch >= start) { swa.update_parameters(*model); swa_sched.step(); } }
//   optim::update_bn(loader, swa);
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "ember/data/dataloader.h"
#include "ember/nn/module.h"

namespace ember::optim {

// The new average from the average so far, the model's current value and how
// many values the average holds.
using AverageFunction = std::function<Tensor(const Tensor& averaged, const Tensor& current, int64_t num_averaged)>;

// decay * averaged + (1 - decay) * current: an exponential moving average
// (PyTorch's get_ema_avg_fn).
AverageFunction ema_average(double decay = 0.999);

struct AveragedModelOptions {
  AverageFunction avg_fn = {};  // default: the equal-weight mean of every value so far
  bool use_buffers = false;     // average the buffers too (else they keep the copy's values)
};

class AveragedModel : public nn::Module {
 public:
  // `copy`: a module of model's architecture (built the same way), which takes
  // model's current state: PyTorch deep-copies the model, which C++ modules
  // cannot do for themselves.
  AveragedModel(nn::Module& model, std::shared_ptr<nn::Module> copy, AveragedModelOptions options = {});
  std::shared_ptr<nn::Module> module;
  Tensor n_averaged;  // int64 scalar buffer: how many updates the average holds
  void visit(nn::Visitor& v) override;
  Tensor forward(const Tensor& x) override { return (*module)(x); }
  // Folds model's current parameters (and buffers, with use_buffers) into the average.
  void update_parameters(nn::Module& model);

 private:
  AveragedModelOptions options_;
};

// Recomputes every batch norm's running statistics as the cumulative average
// over `inputs` (one forward pass each, in training mode), then restores the
// momenta and the model's mode.
void update_bn(const std::vector<Tensor>& inputs, nn::Module& model);
void update_bn(data::DataLoader& loader, nn::Module& model);

}  // namespace ember::optim
