// Index orders for one pass over a dataset.
#include "ember/data/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ember/creation.h"
#include "ember/error.h"
#include "ember/generator.h"

namespace ember::data {
namespace {

// The generator of one epoch: seeded by a mix of (seed, epoch), so epochs differ.
Generator epoch_generator(uint64_t seed, int64_t epoch) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (static_cast<uint64_t>(epoch) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return Generator(z ^ (z >> 31));
}

std::vector<int64_t> permutation(int64_t n, Generator& g) { return randperm(n, {}, &g).to_vector<int64_t>(); }

std::vector<double> uniforms(int64_t n, Generator& g) {
  return rand({n}, {.dtype = Dtype::float64}, &g).to_vector<double>();
}

}  // namespace

SequentialSampler::SequentialSampler(int64_t n) : n_(n) {
  EMBER_CHECK(n >= 0, "SequentialSampler: size must be non-negative, got ", n);
}

std::vector<int64_t> SequentialSampler::indices(int64_t) const {
  std::vector<int64_t> out(static_cast<size_t>(n_));
  std::iota(out.begin(), out.end(), 0);
  return out;
}

RandomSampler::RandomSampler(int64_t n, bool replacement, int64_t num_samples, uint64_t seed)
    : n_(n), num_samples_(num_samples < 0 ? n : num_samples), replacement_(replacement), seed_(seed) {
  EMBER_CHECK(n >= 0, "RandomSampler: size must be non-negative, got ", n);
  EMBER_CHECK(replacement || num_samples_ <= n, "RandomSampler: num_samples (", num_samples_,
              ") can exceed the dataset size (", n, ") only with replacement");
}

std::vector<int64_t> RandomSampler::indices(int64_t epoch) const {
  Generator g = epoch_generator(seed_, epoch);
  if (!replacement_) {
    std::vector<int64_t> out = permutation(n_, g);
    out.resize(static_cast<size_t>(num_samples_));
    return out;
  }
  EMBER_CHECK(n_ > 0, "RandomSampler: cannot draw from an empty dataset");
  return randint(0, n_, {num_samples_}, {}, &g).to_vector<int64_t>();
}

WeightedRandomSampler::WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement,
                                             uint64_t seed)
    : weights_(std::move(weights)), num_samples_(num_samples), replacement_(replacement), seed_(seed) {
  EMBER_CHECK(!weights_.empty(), "WeightedRandomSampler: weights are empty");
  int64_t positive = 0;
  for (double w : weights_) {
    EMBER_CHECK(w >= 0 && std::isfinite(w), "WeightedRandomSampler: weights must be finite and non-negative, got ", w);
    positive += w > 0;
  }
  EMBER_CHECK(positive > 0, "WeightedRandomSampler: all weights are zero");
  EMBER_CHECK(num_samples > 0, "WeightedRandomSampler: num_samples must be positive, got ", num_samples);
  EMBER_CHECK(replacement || num_samples <= positive, "WeightedRandomSampler: cannot draw ", num_samples,
              " samples without replacement from ", positive, " indices of nonzero weight");
}

// Inverse-CDF draws; without replacement a drawn index's weight drops to zero.
std::vector<int64_t> WeightedRandomSampler::indices(int64_t epoch) const {
  Generator g = epoch_generator(seed_, epoch);
  std::vector<double> w = weights_;
  std::vector<int64_t> out;
  const std::vector<double> u = uniforms(num_samples_, g);
  std::vector<double> cumulative(w.size());
  for (int64_t k = 0; k < num_samples_; ++k) {
    std::partial_sum(w.begin(), w.end(), cumulative.begin());
    const double target = u[static_cast<size_t>(k)] * cumulative.back();
    size_t i = static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    i = std::min(i, w.size() - 1);
    while (w[i] == 0) i = i == 0 ? w.size() - 1 : i - 1;  // (target landed on a zero-width step)
    out.push_back(static_cast<int64_t>(i));
    if (!replacement_) w[i] = 0;
  }
  return out;
}

SubsetRandomSampler::SubsetRandomSampler(std::vector<int64_t> indices, uint64_t seed)
    : indices_(std::move(indices)), seed_(seed) {}

std::vector<int64_t> SubsetRandomSampler::indices(int64_t epoch) const {
  Generator g = epoch_generator(seed_, epoch);
  std::vector<int64_t> out;
  for (int64_t i : permutation(static_cast<int64_t>(indices_.size()), g)) out.push_back(indices_[static_cast<size_t>(i)]);
  return out;
}

DistributedSampler::DistributedSampler(int64_t n, int64_t num_replicas, int64_t rank, bool shuffle, uint64_t seed,
                                       bool drop_last)
    : n_(n), num_replicas_(num_replicas), rank_(rank), shuffle_(shuffle), drop_last_(drop_last), seed_(seed) {
  EMBER_CHECK(num_replicas > 0, "DistributedSampler: num_replicas must be positive, got ", num_replicas);
  EMBER_CHECK(rank >= 0 && rank < num_replicas, "DistributedSampler: invalid rank ", rank, ", rank should be in [0, ",
              num_replicas - 1, "]");
  per_replica_ = drop_last && n % num_replicas != 0 ? n / num_replicas : (n + num_replicas - 1) / num_replicas;
}

std::vector<int64_t> DistributedSampler::indices(int64_t epoch) const {
  std::vector<int64_t> all;
  if (shuffle_) {
    Generator g = epoch_generator(seed_, epoch);
    all = permutation(n_, g);
  } else {
    all.resize(static_cast<size_t>(n_));
    std::iota(all.begin(), all.end(), 0);
  }
  const size_t total = static_cast<size_t>(per_replica_ * num_replicas_);
  if (drop_last_) all.resize(total);
  for (size_t i = 0; all.size() < total && !all.empty(); ++i) all.push_back(all[i]);  // pad by wrapping
  std::vector<int64_t> out;
  for (size_t i = static_cast<size_t>(rank_); i < all.size(); i += static_cast<size_t>(num_replicas_)) out.push_back(all[i]);
  return out;
}

BatchSampler::BatchSampler(const Sampler& sampler, int64_t batch_size, bool drop_last)
    : sampler_(sampler), batch_size_(batch_size), drop_last_(drop_last) {
  EMBER_CHECK(batch_size > 0, "BatchSampler: batch_size should be a positive integer, got ", batch_size);
}

std::vector<std::vector<int64_t>> BatchSampler::batches(int64_t epoch) const {
  const std::vector<int64_t> order = sampler_.indices(epoch);
  std::vector<std::vector<int64_t>> out;
  for (size_t start = 0; start < order.size(); start += static_cast<size_t>(batch_size_)) {
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size_));
    if (drop_last_ && end - start < static_cast<size_t>(batch_size_)) break;
    out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return out;
}

int64_t BatchSampler::size() const {
  const int64_t n = sampler_.size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

}  // namespace ember::data
