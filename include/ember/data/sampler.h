// Samplers: which example indices one pass over a dataset visits, and in what
// order. Random samplers draw from a generator seeded by (seed, epoch), so a
// run is the same every time and each epoch is shuffled differently.
#pragma once

#include <cstdint>
#include <vector>

namespace ember::data {

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::vector<int64_t> indices(int64_t epoch) const = 0;
  virtual int64_t size() const = 0;
};

// 0, 1, ..., n - 1
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(int64_t n);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return n_; }

 private:
  int64_t n_;
};

// A permutation of 0..n-1 (or num_samples draws with replacement).
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(int64_t n, bool replacement = false, int64_t num_samples = -1, uint64_t seed = 0);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return num_samples_; }

 private:
  int64_t n_, num_samples_;
  bool replacement_;
  uint64_t seed_;
};

// Index i drawn with probability weights[i] / sum(weights).
class WeightedRandomSampler : public Sampler {
 public:
  WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement = true, uint64_t seed = 0);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return num_samples_; }

 private:
  std::vector<double> weights_;
  int64_t num_samples_;
  bool replacement_;
  uint64_t seed_;
};

// The given indices in random order.
class SubsetRandomSampler : public Sampler {
 public:
  explicit SubsetRandomSampler(std::vector<int64_t> indices, uint64_t seed = 0);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }

 private:
  std::vector<int64_t> indices_;
  uint64_t seed_;
};

// This rank's share of the (shuffled) indices for data-parallel training: every
// num_replicas-th index from `rank`, the list padded by wrapping around (or
// trimmed with drop_last) so that all ranks get the same count, as PyTorch.
class DistributedSampler : public Sampler {
 public:
  DistributedSampler(int64_t n, int64_t num_replicas, int64_t rank, bool shuffle = true, uint64_t seed = 0,
                     bool drop_last = false);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return per_replica_; }

 private:
  int64_t n_, num_replicas_, rank_, per_replica_;
  bool shuffle_, drop_last_;
  uint64_t seed_;
};

// Groups a sampler's indices into batches.
class BatchSampler {
 public:
  BatchSampler(const Sampler& sampler, int64_t batch_size, bool drop_last);
  std::vector<std::vector<int64_t>> batches(int64_t epoch) const;
  int64_t size() const;

 private:
  const Sampler& sampler_;
  int64_t batch_size_;
  bool drop_last_;
};

}  // namespace ember::data
