// The training loop as a library (the `ember train` CLI is a thin layer on
// top): train mode, zero_grad, forward, loss, backward, clip, step, per-batch
// or per-epoch scheduling; evaluation in eval mode under InferenceMode.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ember/data/dataloader.h"
#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/scheduler.h"

namespace ember::train {

struct EvalResult {
  double loss = 0, accuracy = 0;
  Tensor confusion;  // (classes, classes) int64: rows true class, columns prediction
};

// Mean cross-entropy, accuracy and the confusion matrix over a loader.
EvalResult evaluate(nn::Module& model, data::DataLoader& loader, int64_t classes);

struct EpochMetrics {
  int64_t epoch = 0;
  double lr = 0, train_loss = 0, train_acc = 0, seconds = 0, samples_per_sec = 0;
  std::optional<double> val_loss, val_acc;
};

struct FitOptions {
  int64_t epochs = 1;
  int64_t classes = 10;
  double label_smoothing = 0.0;
  double clip_grad_norm = 0.0;                  // 0: off
  optim::LRScheduler* scheduler = nullptr;      // stepped once per epoch...
  bool scheduler_per_batch = false;             // ...or once per batch (OneCycleLR, CyclicLR)
  optim::ReduceLROnPlateau* plateau = nullptr;  // stepped with the validation (or train) loss
  int64_t start_epoch = 0;                      // when resuming
  // Progress: (batch index, batches, running loss, running accuracy, samples seen).
  std::function<void(int64_t, int64_t, double, double, int64_t)> on_batch = {};
  // After each epoch; return false to stop (early stopping, interruption).
  std::function<bool(const EpochMetrics&)> on_epoch = {};
  // Checked after each batch; true abandons the epoch in progress (Ctrl-C).
  std::function<bool()> interrupted = {};
};

// Trains for options.epochs epochs (from start_epoch); returns the epochs' metrics.
// A non-finite loss stops with an Error naming the epoch and batch.
std::vector<EpochMetrics> fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train_loader,
                              data::DataLoader* val_loader, const FitOptions& options);

// Loss and accuracy against epoch (train and, when present, validation) as a
// PNG drawn by PLplot; written to a temporary name, then renamed.
void plot_curves(const std::vector<EpochMetrics>& history, const std::string& path);

}  // namespace ember::train
