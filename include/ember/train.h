// The training loop as a library (the `ember train` CLI is a thin layer on
// top): train mode, zero_grad, forward, loss, backward, clip, step, per-batch
// or per-epoch scheduling; evaluation in eval mode under InferenceMode.
// Sequence models' (N, L, classes) logits count each position as an example.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/data/dataloader.h"
#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/scheduler.h"
#include "ember/train/checkpoint.h"
#include "ember/train/optimizer_registry.h"
#include "ember/train/run_folder.h"

namespace ember::train {

// The loss a run minimises: (logits, target) -> a 0-dim tensor; empty means
// cross-entropy (with FitOptions::label_smoothing while training).
using LossFunction = std::function<Tensor(const Tensor& logits, const Tensor& target)>;

struct EvalResult {
  double loss = 0, accuracy = 0;
  Tensor confusion;  // (classes, classes) int64: rows true class, columns prediction
};

// Where and with which loss an evaluation runs: batches are moved to `device`
// (the model's); the loss defaults to cross-entropy.
struct EvalOptions {
  LossFunction loss = {};
  Device device = kCPU;
};

// Mean loss, accuracy and the confusion matrix over a loader (accuracy and
// confusion count class-label targets only; other targets leave them zero).
EvalResult evaluate(nn::Module& model, data::DataLoader& loader, int64_t classes, const EvalOptions& options = {});

struct EpochMetrics {
  int64_t epoch = 0;
  double lr = 0, train_loss = 0, train_acc = 0, seconds = 0, samples_per_sec = 0;
  std::optional<double> val_loss, val_acc;
  std::map<std::string, double> extra = {};  // a model's own figures (an adversarial pair's d_loss)
};

// One epoch's metrics as a one-line JSON object (a line of a run's
// metrics.jsonl: epoch counted from 1, val_* null without validation), and
// back; a line that is not one is an Error naming `path`.
std::string metrics_line(const EpochMetrics& m);
EpochMetrics parse_metrics_line(const std::string& line, const std::string& path);

struct FitOptions {
  int64_t epochs = 1;
  int64_t classes = 10;
  LossFunction loss = {};        // empty: cross-entropy with label_smoothing
  double label_smoothing = 0.0;
  Device device = kCPU;          // where the model's parameters are; each batch is moved there
  double clip_grad_norm = 0.0;                  // 0: off
  optim::LRScheduler* scheduler = nullptr;      // stepped once per epoch...
  bool scheduler_per_batch = false;             // ...or once per batch (OneCycleLR, CyclicLR)
  optim::ReduceLROnPlateau* plateau = nullptr;  // stepped with the validation (or train) loss
  int64_t start_epoch = 0;                      // when resuming
  std::optional<EpochProgress> resume_progress = std::nullopt;  // when resuming inside start_epoch
  // Progress: (batch index, batches, running loss, running accuracy, samples seen).
  std::function<void(int64_t, int64_t, double, double, int64_t)> on_batch = {};
  // After each epoch; return false to stop (early stopping, interruption).
  std::function<bool(const EpochMetrics&)> on_epoch = {};
  // Checked after each batch; true stops the run there (Ctrl-C), after
  // on_interrupt has been handed the epoch's progress (to checkpoint it).
  std::function<bool()> interrupted = {};
  std::function<void(const EpochProgress&)> on_interrupt = {};
};

// Trains for options.epochs epochs (from start_epoch); returns the epochs' metrics.
// A non-finite loss stops with an Error naming the epoch and batch.
std::vector<EpochMetrics> fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train_loader,
                              data::DataLoader* val_loader, const FitOptions& options);

// Loss and accuracy against epoch (train and, when present, validation) as a
// PNG drawn by PLplot; written to a temporary name, then renamed.
void plot_curves(const std::vector<EpochMetrics>& history, const std::string& path);

// The confusion matrix (rows: true class, columns: prediction) as a PNG
// heatmap, each cell shaded by its share of its row, with the counts.
void plot_confusion(const Tensor& confusion, const std::vector<std::string>& class_names, const std::string& path);

}  // namespace ember::train
