// DataLoader: batches of a dataset, shuffled per epoch, optionally prepared by
// background worker threads with a bounded prefetch queue, in the same order
// and with the same random augmentations whatever the number of workers.
//   data::DataLoader loader(train, {.batch_size = 64, .shuffle = true, .num_workers = 2});
//   for (const data::Batch& batch : loader) { ... batch.data ... batch.target ... }
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "ember/data/dataset.h"
#include "ember/data/sampler.h"

namespace ember::data {

struct Batch {
  Tensor data;
  Tensor target;
};

using Collate = std::function<Batch(std::vector<Example>&&)>;
// Stacks the examples' data and targets along a new dim 0.
Batch default_collate(std::vector<Example>&& examples);

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;                   // a fresh permutation each epoch (from seed and epoch)
  std::shared_ptr<Sampler> sampler = {};  // instead of shuffle
  bool drop_last = false;
  Collate collate = {};                   // default_collate when empty
  int num_workers = 0;                    // 0: batches are made on the calling thread
  int prefetch_factor = 2;                // batches in flight per worker
  bool persistent_workers = false;        // accepted for PyTorch parity; threads are cheap to restart here
  bool pin_memory = false;                // no effect until a CUDA device exists
  uint64_t seed = 0;                      // shuffling and per-example augmentation
};

class DataLoader {
 public:
  DataLoader(DatasetPtr dataset, DataLoaderOptions options = {});
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Batches per epoch.
  int64_t size() const;
  // The epoch the next iteration will run (each begin() starts a new one).
  int64_t epoch() const { return epoch_; }
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  // The next epoch starts at this batch (the earlier ones are not made):
  // continuing an epoch that a checkpoint interrupted. Applies once.
  void skip_batches(int64_t batches);

  class Run;  // one epoch in progress
  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(std::shared_ptr<Run> run);
    const Batch& operator*() const { return current_; }
    const Batch* operator->() const { return &current_; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const { return done() == other.done(); }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    bool done() const { return !run_; }
    std::shared_ptr<Run> run_;
    Batch current_;
  };
  // Starts an epoch; stopping early (leaving the loop) shuts the workers down.
  Iterator begin();
  Iterator end() { return Iterator(); }

 private:
  DatasetPtr dataset_;
  DataLoaderOptions options_;
  std::shared_ptr<Sampler> sampler_;
  int64_t epoch_ = 0;
  int64_t skip_ = 0;
};

}  // namespace ember::data
