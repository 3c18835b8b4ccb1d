// The training loop and evaluation.
#include <cmath>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/functional.h"
#include "ember/nn/utils.h"
#include "ember/ops.h"
#include "ember/train.h"
#include "train/epoch_start.h"

namespace ember::train {
namespace {

// Sequence models (language models) give (N, L, classes) logits for (N, L)
// targets: every position is one prediction, so both are flattened.
std::pair<Tensor, Tensor> predictions(const Tensor& logits, const Tensor& target) {
  if (logits.dim() == 3 && target.dim() == 2) return {logits.reshape({-1, logits.size(2)}), target.reshape({-1})};
  return {logits, target};
}

// The parameters must already be where the batches go (model.to(device) first).
void check_model_device(nn::Module& model, Device device, const char* op) {
  for (const auto& [name, p] : model.named_parameters())
    EMBER_CHECK(p.device() == device, op, ": parameter ", name, " is on ", p.device(), " but the run's device is ",
                device, "; move the model there first (model.to(device))");
}

Tensor loss_of(const LossFunction& loss, const Tensor& logits, const Tensor& target, double label_smoothing) {
  if (loss) return loss(logits, target);
  return F::cross_entropy(logits, target, {.label_smoothing = label_smoothing});
}

}  // namespace

EvalResult evaluate(nn::Module& model, data::DataLoader& loader, int64_t classes, const EvalOptions& options) {
  check_model_device(model, options.device, "evaluate");
  const bool was_training = model.is_training();
  model.eval();
  InferenceMode inference;
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  std::vector<int64_t> confusion(static_cast<size_t>(classes * classes), 0);
  for (const data::Batch& batch : loader) {
    const auto [logits, target] = predictions(model(batch.data.to(options.device)), batch.target.to(options.device));
    const int64_t n = target.size(0);
    loss_sum += loss_of(options.loss, logits, target, 0.0).item<double>() * static_cast<double>(n);
    seen += n;
    if (!is_integral(target.dtype(), false)) continue;  // not class labels: no accuracy or confusion
    const std::vector<int64_t> pred = logits.argmax(1).to_vector<int64_t>(), truth = target.to_vector<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      const size_t t = static_cast<size_t>(truth[static_cast<size_t>(i)]), p = static_cast<size_t>(pred[static_cast<size_t>(i)]);
      EMBER_CHECK(t < static_cast<size_t>(classes), "evaluate: target ", t, " is outside the ", classes, " classes");
      correct += t == p;
      ++confusion[t * static_cast<size_t>(classes) + p];
    }
  }
  model.train(was_training);
  EMBER_CHECK(seen > 0, "evaluate: the loader produced no examples");
  return {loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(seen),
          tensor(confusion).view({classes, classes})};
}

std::vector<EpochMetrics> fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train_loader,
                              data::DataLoader* val_loader, const FitOptions& o) {
  std::vector<EpochMetrics> history;
  check_model_device(model, o.device, "fit");
  EMBER_CHECK(!o.resume_progress || o.resume_progress->epoch == o.start_epoch, "fit: resume_progress is for epoch ",
              o.resume_progress ? o.resume_progress->epoch : 0, ", not the start epoch ", o.start_epoch);
  for (int64_t epoch = o.start_epoch; epoch < o.epochs; ++epoch) {
    EpochProgress p = begin_epoch(epoch, o, optimizer.param_groups().at(0).lr(), train_loader);
    model.train();
    const EpochClock clock(p.seconds);
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = p.lr;
    const int64_t batches = train_loader.size();
    for (const data::Batch& batch : train_loader) {
      optimizer.zero_grad();
      const auto [logits, target] = predictions(model(batch.data.to(o.device)), batch.target.to(o.device));
      const Tensor loss = loss_of(o.loss, logits, target, o.label_smoothing);
      const double value = loss.item<double>();
      EMBER_CHECK(std::isfinite(value), "fit: the loss became ", value, " at epoch ", epoch + 1, ", batch ", p.batch + 1,
                  "; stopping (lower the learning rate or clip gradients)");
      loss.backward();
      if (o.clip_grad_norm > 0) nn::utils::clip_grad_norm_(model.parameters(), o.clip_grad_norm);
      optimizer.step();
      if (o.scheduler && o.scheduler_per_batch) o.scheduler->step();
      const int64_t n = target.size(0);
      if (is_integral(target.dtype(), false)) {  // class labels
        NoGradGuard no_grad;
        p.correct += eq(logits.argmax(1), target).sum().item<int64_t>();
      }
      p.loss_sum += value * static_cast<double>(n);
      p.seen += n;
      ++p.batch;
      if (o.on_batch)
        o.on_batch(p.batch, batches, p.loss_sum / static_cast<double>(p.seen),
                   static_cast<double>(p.correct) / static_cast<double>(p.seen), p.seen);
      if (o.interrupted && o.interrupted()) {
        p.seconds = clock.seconds();
        if (o.on_interrupt) o.on_interrupt(p);
        return history;
      }
    }
    m.seconds = clock.seconds();
    m.train_loss = p.loss_sum / static_cast<double>(std::max<int64_t>(p.seen, 1));
    m.train_acc = static_cast<double>(p.correct) / static_cast<double>(std::max<int64_t>(p.seen, 1));
    m.samples_per_sec = static_cast<double>(p.seen) / std::max(m.seconds, 1e-9);
    if (val_loader) {
      const EvalResult r = evaluate(model, *val_loader, o.classes, {.loss = o.loss, .device = o.device});
      m.val_loss = r.loss;
      m.val_acc = r.accuracy;
    }
    if (o.scheduler && !o.scheduler_per_batch) o.scheduler->step();
    if (o.plateau) o.plateau->step(m.val_loss.value_or(m.train_loss));
    history.push_back(m);
    if (o.on_epoch && !o.on_epoch(m)) break;
  }
  return history;
}

}  // namespace ember::train
