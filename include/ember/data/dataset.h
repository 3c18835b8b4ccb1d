// Datasets: a size and get(index) -> {data, target}. In-memory datasets also
// expose their whole tensors, which lets the DataLoader gather batches with
// one index_select instead of one get() per example.
//   struct Squares : data::Dataset {
//     int64_t size() const override { return 100; }
//     data::Example get(int64_t i) const override { return {scalar_tensor(i), scalar_tensor(i * i)}; }
//   };
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "ember/generator.h"
#include "ember/tensor.h"

namespace ember::data {

struct Example {
  Tensor data;
  Tensor target;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // An Error for an index outside [0, size()).
  virtual Example get(int64_t index) const = 0;
  // {all data, all targets} stacked along dim 0, when the dataset holds them
  // in memory and get(i) is exactly {data[i], targets[i]}.
  virtual std::optional<std::pair<Tensor, Tensor>> tensors() const { return std::nullopt; }
};

using DatasetPtr = std::shared_ptr<const Dataset>;

// Examples are rows of two tensors of equal length along dim 0.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor data, Tensor targets);
  int64_t size() const override { return data_.size(0); }
  Example get(int64_t index) const override;
  std::optional<std::pair<Tensor, Tensor>> tensors() const override { return std::make_pair(data_, targets_); }

 private:
  Tensor data_, targets_;
};

// The examples of `dataset` at `indices`, in that order.
class Subset : public Dataset {
 public:
  Subset(DatasetPtr dataset, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  DatasetPtr dataset_;
  std::vector<int64_t> indices_;
};

// Datasets one after another.
class ConcatDataset : public Dataset {
 public:
  explicit ConcatDataset(std::vector<DatasetPtr> datasets);
  int64_t size() const override { return offsets_.back(); }
  Example get(int64_t index) const override;

 private:
  std::vector<DatasetPtr> datasets_;
  std::vector<int64_t> offsets_;  // cumulative sizes, starting with 0
};

// A dataset whose examples pass through transform(data) (and target_transform).
class TransformedDataset : public Dataset {
 public:
  TransformedDataset(DatasetPtr dataset, std::function<Tensor(const Tensor&)> transform,
                     std::function<Tensor(const Tensor&)> target_transform = {});
  int64_t size() const override { return dataset_->size(); }
  Example get(int64_t index) const override;

 private:
  DatasetPtr dataset_;
  std::function<Tensor(const Tensor&)> transform_, target_transform_;
};

// A dataset whose examples are their own targets: {data, data} (what an
// autoencoder learns to give back).
class InputAsTarget : public Dataset {
 public:
  explicit InputAsTarget(DatasetPtr dataset) : dataset_(std::move(dataset)) {}
  int64_t size() const override { return dataset_->size(); }
  Example get(int64_t index) const override;
  std::optional<std::pair<Tensor, Tensor>> tensors() const override;

 private:
  DatasetPtr dataset_;
};

// Random disjoint subsets of the given lengths (which must sum to the size),
// or of the given fractions (summing to 1; remainders go to the first subsets
// one by one, as PyTorch).
std::vector<std::shared_ptr<Subset>> random_split(DatasetPtr dataset, const std::vector<int64_t>& lengths,
                                                  Generator& generator);
std::vector<std::shared_ptr<Subset>> random_split(DatasetPtr dataset, const std::vector<double>& fractions,
                                                  Generator& generator);

// The generator random transforms draw from: inside a DataLoader, one seeded
// by (loader seed, epoch, example index), so results do not depend on the
// number of workers; elsewhere the global generator.
Generator& sample_generator();
// Sets sample_generator() for this thread while alive (the DataLoader uses it).
class SampleGeneratorScope {
 public:
  explicit SampleGeneratorScope(Generator& generator);
  ~SampleGeneratorScope();
  SampleGeneratorScope(const SampleGeneratorScope&) = delete;
  SampleGeneratorScope& operator=(const SampleGeneratorScope&) = delete;

 private:
  Generator* previous_;
};

}  // namespace ember::data
