// Where an epoch of a training loop starts (fit, fit_adversarial): fresh, or
// inside the epoch a checkpoint was taken in, with its batches skipped and
// its clock running on from the seconds already spent.
#pragma once

#include <chrono>

#include "ember/train.h"

namespace ember::train {

// The epoch's progress so far (nothing, or the checkpoint's when resuming
// inside options.start_epoch); sets the loader's epoch (its shuffle).
inline EpochProgress begin_epoch(int64_t epoch, const FitOptions& options, double lr, data::DataLoader& loader) {
  EpochProgress p{.epoch = epoch, .lr = lr};
  if (epoch == options.start_epoch && options.resume_progress) {
    p = *options.resume_progress;
    loader.skip_batches(p.batch);
  }
  loader.set_epoch(epoch);
  return p;
}

// Seconds spent on an epoch, those of earlier sessions included.
class EpochClock {
 public:
  explicit EpochClock(double earlier_seconds)
      : start_(std::chrono::steady_clock::now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(earlier_seconds))) {}
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ember::train
