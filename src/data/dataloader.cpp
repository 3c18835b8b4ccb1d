// The DataLoader's epoch: the batch index lists come from the sampler; each
// batch is made by one worker (or the caller), examples with their own seeded
// generator; the consumer takes batches strictly in order from a bounded map.
#include "ember/data/dataloader.h"

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "ember/creation.h"
#include "ember/ops.h"

namespace ember::data {
namespace {

uint64_t example_seed(uint64_t seed, int64_t epoch, int64_t index) {
  uint64_t z = seed ^ (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(epoch + 1));
  z += 0xbf58476d1ce4e5b9ull * static_cast<uint64_t>(index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Batch default_collate(std::vector<Example>&& examples) {
  EMBER_CHECK(!examples.empty(), "default_collate: empty batch");
  std::vector<Tensor> data, targets;
  for (Example& e : examples) data.push_back(std::move(e.data)), targets.push_back(std::move(e.target));
  return {stack(data), stack(targets)};
}

class DataLoader::Run {
 public:
  Run(const DataLoader& loader, std::vector<std::vector<int64_t>> batches)
      : dataset_(loader.dataset_), options_(loader.options_), epoch_(loader.epoch_), batches_(std::move(batches)) {
    const int workers = options_.num_workers;
    capacity_ = static_cast<size_t>(std::max(1, workers * std::max(1, options_.prefetch_factor)));
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
  }

  ~Run() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // The next batch in order, or false at the end of the epoch. A worker's
  // error is rethrown here, naming the batch.
  bool next(Batch& out) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (next_to_take_ >= batches_.size()) return false;
    const size_t want = next_to_take_++;
    if (threads_.empty()) {
      lock.unlock();
      out = make(want);
      return true;
    }
    changed_.wait(lock, [&] { return ready_.count(want) || errors_.count(want); });
    if (errors_.count(want)) std::rethrow_exception(errors_.at(want));
    out = std::move(ready_.at(want));
    ready_.erase(want);
    lock.unlock();
    changed_.notify_all();
    return true;
  }

 private:
  Batch make(size_t b) const {
    const std::vector<int64_t>& indices = batches_[b];
    try {
      // The fast path: gather rows of the in-memory tensors.
      if (!options_.collate)
        if (auto all = dataset_->tensors()) {
          const Tensor idx = tensor(indices);
          return {index_select(all->first, 0, idx), index_select(all->second, 0, idx)};
        }
      std::vector<Example> examples;
      for (int64_t i : indices) {
        Generator g(example_seed(options_.seed, epoch_, i));
        SampleGeneratorScope scope(g);
        examples.push_back(dataset_->get(i));
      }
      return options_.collate ? options_.collate(std::move(examples)) : default_collate(std::move(examples));
    } catch (const Error& e) {
      detail::fail("DataLoader: batch ", b, " (example indices ", IntArrayRef(indices), ") failed: ", e.what());
    }
  }

  void work() {
    for (;;) {
      size_t b;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] {
          return stopping_ || next_to_claim_ >= batches_.size() || next_to_claim_ < next_to_take_ + capacity_;
        });
        if (stopping_ || next_to_claim_ >= batches_.size()) return;
        b = next_to_claim_++;
      }
      std::exception_ptr error;
      Batch batch;
      try {
        batch = make(b);
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (error) errors_[b] = error;
        else ready_[b] = std::move(batch);
      }
      changed_.notify_all();
    }
  }

  DatasetPtr dataset_;
  DataLoaderOptions options_;
  int64_t epoch_;
  std::vector<std::vector<int64_t>> batches_;
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<size_t, Batch> ready_;
  std::map<size_t, std::exception_ptr> errors_;
  size_t next_to_claim_ = 0;  // (under mutex_) the next batch a worker will make
  size_t next_to_take_ = 0;   // (under mutex_) the next batch the consumer returns
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

DataLoader::DataLoader(DatasetPtr dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  EMBER_CHECK(dataset_, "DataLoader: dataset is null");
  EMBER_CHECK(options_.batch_size > 0, "DataLoader: batch_size should be a positive integer, got ", options_.batch_size);
  EMBER_CHECK(options_.num_workers >= 0, "DataLoader: num_workers must be non-negative, got ", options_.num_workers);
  EMBER_CHECK(!(options_.shuffle && options_.sampler), "DataLoader: sampler option is mutually exclusive with shuffle");
  sampler_ = options_.sampler ? options_.sampler
             : options_.shuffle ? std::shared_ptr<Sampler>(std::make_shared<RandomSampler>(dataset_->size(), false, -1,
                                                                                             options_.seed))
                                : std::make_shared<SequentialSampler>(dataset_->size());
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::size() const { return BatchSampler(*sampler_, options_.batch_size, options_.drop_last).size(); }

void DataLoader::skip_batches(int64_t batches) {
  EMBER_CHECK(batches >= 0 && batches <= size(), "DataLoader::skip_batches: ", batches, " is outside [0, ", size(),
              "], the batches of an epoch");
  skip_ = batches;
}

DataLoader::Iterator DataLoader::begin() {
  auto batches = BatchSampler(*sampler_, options_.batch_size, options_.drop_last).batches(epoch_);
  batches.erase(batches.begin(), batches.begin() + skip_);
  skip_ = 0;
  auto run = std::make_shared<Run>(*this, std::move(batches));
  ++epoch_;
  return Iterator(std::move(run));
}

DataLoader::Iterator::Iterator(std::shared_ptr<Run> run) : run_(std::move(run)) { ++*this; }

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (run_ && !run_->next(current_)) run_.reset();
  return *this;
}

}  // namespace ember::data
