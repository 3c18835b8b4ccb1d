// The dataset building blocks: tensors, subsets, concatenation, transforms,
// random splits, and the per-example generator of the DataLoader.
#include "ember/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ember/creation.h"

namespace ember::data {
namespace {

void check_index(int64_t index, int64_t size, const char* what) {
  EMBER_CHECK(index >= 0 && index < size, what, ": index ", index, " is out of range for a dataset of ", size,
              " examples");
}

thread_local Generator* t_sample_generator = nullptr;

}  // namespace

TensorDataset::TensorDataset(Tensor data, Tensor targets) : data_(std::move(data)), targets_(std::move(targets)) {
  EMBER_CHECK(data_.defined() && targets_.defined() && data_.dim() >= 1 && targets_.dim() >= 1,
              "TensorDataset: data and targets must be tensors of at least 1 dim");
  EMBER_CHECK(data_.size(0) == targets_.size(0), "TensorDataset: data has ", data_.size(0), " rows but targets has ",
              targets_.size(0));
}

Example TensorDataset::get(int64_t index) const {
  check_index(index, size(), "TensorDataset");
  return {data_[index], targets_[index]};
}

Subset::Subset(DatasetPtr dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  EMBER_CHECK(dataset_, "Subset: dataset is null");
  for (int64_t i : indices_) check_index(i, dataset_->size(), "Subset");
}

Example Subset::get(int64_t index) const {
  check_index(index, size(), "Subset");
  return dataset_->get(indices_[static_cast<size_t>(index)]);
}

ConcatDataset::ConcatDataset(std::vector<DatasetPtr> datasets) : datasets_(std::move(datasets)), offsets_{0} {
  EMBER_CHECK(!datasets_.empty(), "ConcatDataset: expected at least one dataset");
  for (const DatasetPtr& d : datasets_) {
    EMBER_CHECK(d, "ConcatDataset: a dataset is null");
    offsets_.push_back(offsets_.back() + d->size());
  }
}

Example ConcatDataset::get(int64_t index) const {
  check_index(index, size(), "ConcatDataset");
  const size_t which = static_cast<size_t>(std::upper_bound(offsets_.begin(), offsets_.end(), index) - offsets_.begin()) - 1;
  return datasets_[which]->get(index - offsets_[which]);
}

TransformedDataset::TransformedDataset(DatasetPtr dataset, std::function<Tensor(const Tensor&)> transform,
                                       std::function<Tensor(const Tensor&)> target_transform)
    : dataset_(std::move(dataset)), transform_(std::move(transform)), target_transform_(std::move(target_transform)) {
  EMBER_CHECK(dataset_, "TransformedDataset: dataset is null");
}

Example InputAsTarget::get(int64_t index) const {
  const Example e = dataset_->get(index);
  return {e.data, e.data};
}

std::optional<std::pair<Tensor, Tensor>> InputAsTarget::tensors() const {
  auto all = dataset_->tensors();
  if (!all) return std::nullopt;
  return std::make_pair(all->first, all->first);
}

Example TransformedDataset::get(int64_t index) const {
  Example e = dataset_->get(index);
  if (transform_) e.data = transform_(e.data);
  if (target_transform_) e.target = target_transform_(e.target);
  return e;
}

std::vector<std::shared_ptr<Subset>> random_split(DatasetPtr dataset, const std::vector<int64_t>& lengths,
                                                  Generator& generator) {
  EMBER_CHECK(dataset, "random_split: dataset is null");
  int64_t total = 0;
  for (int64_t l : lengths) {
    EMBER_CHECK(l >= 0, "random_split: lengths must be non-negative, got ", IntArrayRef(lengths));
    total += l;
  }
  EMBER_CHECK(total == dataset->size(), "random_split: lengths ", IntArrayRef(lengths), " sum to ", total,
              " but the dataset has ", dataset->size(), " examples");
  const std::vector<int64_t> order = randperm(total, {}, &generator).to_vector<int64_t>();
  std::vector<std::shared_ptr<Subset>> out;
  int64_t start = 0;
  for (int64_t l : lengths) {
    out.push_back(std::make_shared<Subset>(dataset, std::vector<int64_t>(order.begin() + start, order.begin() + start + l)));
    start += l;
  }
  return out;
}

std::vector<std::shared_ptr<Subset>> random_split(DatasetPtr dataset, const std::vector<double>& fractions,
                                                  Generator& generator) {
  EMBER_CHECK(dataset, "random_split: dataset is null");
  double sum = 0;
  for (double f : fractions) {
    EMBER_CHECK(f >= 0 && f <= 1, "random_split: fractions must be in [0, 1], got ", f);
    sum += f;
  }
  EMBER_CHECK(std::abs(sum - 1.0) < 1e-9, "random_split: fractions sum to ", sum, ", not 1");
  const int64_t n = dataset->size();
  std::vector<int64_t> lengths;
  int64_t assigned = 0;
  for (double f : fractions) lengths.push_back(static_cast<int64_t>(std::floor(static_cast<double>(n) * f))), assigned += lengths.back();
  for (size_t i = 0; assigned < n; i = (i + 1) % lengths.size(), ++assigned) ++lengths[i];  // round robin, as PyTorch
  return random_split(std::move(dataset), lengths, generator);
}

Generator& sample_generator() { return t_sample_generator ? *t_sample_generator : default_generator(); }

SampleGeneratorScope::SampleGeneratorScope(Generator& generator) : previous_(t_sample_generator) {
  t_sample_generator = &generator;
}
SampleGeneratorScope::~SampleGeneratorScope() { t_sample_generator = previous_; }

}  // namespace ember::data
