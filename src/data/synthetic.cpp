// Synthetic, seeded datasets for tests and demos.
#include <vector>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"

namespace ember::data {

std::shared_ptr<TensorDataset> make_blobs(int64_t samples, int64_t features, int64_t classes, uint64_t seed,
                                          double spread) {
  EMBER_CHECK(samples > 0 && features > 0 && classes > 0, "make_blobs: samples, features and classes must be positive");
  Generator g(seed);
  const Tensor centers = rand({classes, features}, {}, &g) * 20 - 10;  // U(-10, 10)
  std::vector<int64_t> ids(static_cast<size_t>(samples));
  for (int64_t i = 0; i < samples; ++i) ids[static_cast<size_t>(i)] = i % classes;  // balanced classes
  const Tensor labels = tensor(ids);
  const Tensor x = index_select(centers, 0, labels) + randn({samples, features}, {}, &g) * spread;
  return std::make_shared<TensorDataset>(x, labels);
}

std::shared_ptr<TensorDataset> make_regression(int64_t samples, int64_t features, uint64_t seed, double noise) {
  EMBER_CHECK(samples > 0 && features > 0, "make_regression: samples and features must be positive");
  Generator g(seed);
  const Tensor w = randn({features, 1}, {}, &g), b = randn({1}, {}, &g);
  const Tensor x = randn({samples, features}, {}, &g);
  const Tensor y = x.matmul(w) + b + randn({samples, 1}, {}, &g) * noise;
  return std::make_shared<TensorDataset>(x, y);
}

std::shared_ptr<TensorDataset> make_sequences(int64_t samples, int64_t length, uint64_t seed) {
  EMBER_CHECK(samples > 0 && length > 0, "make_sequences: samples and length must be positive");
  Generator g(seed);
  const Tensor walks = randn({samples, length}, {}, &g).cumsum(1);
  const Tensor ends_up = gt(walks.select(1, length - 1), 0).to(Dtype::int64);
  return std::make_shared<TensorDataset>(walks.unsqueeze(2), ends_up);
}

std::shared_ptr<TensorDataset> make_sequence_task(const std::string& task, int64_t samples, int64_t length,
                                                  int64_t vocab, uint64_t seed) {
  EMBER_CHECK(task == "copy" || task == "reverse", "make_sequence_task: unknown task '", task, "'; known: copy, reverse");
  EMBER_CHECK(samples > 0 && length > 0, "make_sequence_task: samples and length must be positive, got ", samples,
              " and ", length);
  EMBER_CHECK(vocab > 2, "make_sequence_task: vocab must leave room for tokens after padding (0) and BOS (1), got ",
              vocab);
  Generator g(seed);
  const Tensor source = randint(2, vocab, {samples, length}, {}, &g);
  const Tensor target = task == "copy" ? source : source.flip({1});
  // The decoder reads BOS then the target shifted right by one.
  const Tensor decoder_in = cat({full({samples, 1}, 1.0, {.dtype = Dtype::int64}), target.narrow(1, 0, length - 1)}, 1);
  return std::make_shared<TensorDataset>(cat({source, decoder_in}, 1), target.contiguous());
}

}  // namespace ember::data
