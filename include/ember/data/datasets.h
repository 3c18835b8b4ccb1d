// Ready-made datasets: MNIST and Fashion-MNIST (IDX files, gzip or raw),
// CIFAR-10/100 (binary version), CSV tables, and synthetic data for tests and
// demos. The image datasets hold everything in memory as uint8 tensors, so
// the DataLoader's fast path gathers batches directly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ember/data/dataset.h"
#include "ember/data/transforms.h"

namespace ember::data {

// Images (N, 28, 28) uint8 and labels (N) int64, from root/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
// get(i): {image as float (1, 28, 28) in [0, 1] (or transform(uint8 (28, 28))), label}.
class MNIST : public Dataset {
 public:
  MNIST(const std::string& root, bool train = true, transforms::Transform transform = {});
  int64_t size() const override { return images_.size(0); }
  Example get(int64_t index) const override;
  // Without a transform: all images as float (N, 1, 28, 28) in [0, 1] and the labels.
  std::optional<std::pair<Tensor, Tensor>> tensors() const override;
  const Tensor& images() const { return images_; }  // uint8 (N, 28, 28)
  const Tensor& labels() const { return labels_; }  // int64 (N)
  virtual std::vector<std::string> classes() const;

 protected:
  MNIST(const std::string& name, const std::string& root, bool train, transforms::Transform transform,
        const std::string& missing_hint);

 private:
  Tensor images_, labels_, scaled_;
  transforms::Transform transform_;
};

// Fashion-MNIST; the default root is where Debian's dataset-fashion-mnist installs it.
class FashionMNIST : public MNIST {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";
  explicit FashionMNIST(const std::string& root = kDefaultRoot, bool train = true, transforms::Transform transform = {});
  std::vector<std::string> classes() const override;
};

// CIFAR-10 (root/data_batch_{1..5}.bin, test_batch.bin) or CIFAR-100
// (root/train.bin, test.bin; fine labels), binary version. Images uint8 (N, 32, 32, 3).
class CIFAR : public Dataset {
 public:
  int64_t size() const override { return images_.size(0); }
  Example get(int64_t index) const override;
  std::optional<std::pair<Tensor, Tensor>> tensors() const override;
  const Tensor& images() const { return images_; }
  const Tensor& labels() const { return labels_; }

 protected:
  CIFAR(const std::string& root, bool train, bool hundred, transforms::Transform transform);

 private:
  Tensor images_, labels_, scaled_;
  transforms::Transform transform_;
};

class CIFAR10 : public CIFAR {
 public:
  explicit CIFAR10(const std::string& root, bool train = true, transforms::Transform transform = {})
      : CIFAR(root, train, false, std::move(transform)) {}
};

class CIFAR100 : public CIFAR {
 public:
  explicit CIFAR100(const std::string& root, bool train = true, transforms::Transform transform = {})
      : CIFAR(root, train, true, std::move(transform)) {}
};

// One sub-folder per class (sorted names), images in it (PNG, JPEG, BMP, GIF, TGA;
// decoded with stb_image to RGB). get(i): {transform(uint8 (H, W, 3)) or float
// (3, H, W) in [0, 1], class index}. Images are decoded on demand.
class ImageFolder : public Dataset {
 public:
  explicit ImageFolder(const std::string& root, transforms::Transform transform = {});
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  Example get(int64_t index) const override;
  const std::vector<std::string>& classes() const { return classes_; }
  const std::string& path(int64_t index) const { return files_.at(static_cast<size_t>(index)); }

 private:
  std::vector<std::string> classes_, files_;
  std::vector<int64_t> labels_;
  transforms::Transform transform_;
};

// A CSV table with a header row: feature columns (all but the target when
// empty) as float32, the target column as int64 class ids (classification) or
// float32 (regression). Standardize with statistics of another split (usually
// the training one) to avoid leaking the test set.
struct CSVOptions {
  std::string target = {};                 // target column name
  std::vector<std::string> features = {};  // empty: every other column
  bool regression = false;
  char delimiter = ',';
};

class CSVDataset : public Dataset {
 public:
  CSVDataset(const std::string& path, CSVOptions options);
  int64_t size() const override { return features_.size(0); }
  Example get(int64_t index) const override { return {features_[index], targets_[index]}; }
  std::optional<std::pair<Tensor, Tensor>> tensors() const override { return std::make_pair(features_, targets_); }
  const std::vector<std::string>& feature_names() const { return names_; }
  // Per-feature mean and std (population) of this dataset.
  std::pair<Tensor, Tensor> statistics() const;
  // (x - mean) / std with the given statistics (a std of 0 leaves the column centered).
  void standardize(const std::pair<Tensor, Tensor>& statistics);

 private:
  Tensor features_, targets_;
  std::vector<std::string> names_;
};

// Character-level text for language models. The vocabulary is the text's
// distinct bytes, sorted; example i is the window of `seq_len` ids starting at
// i * seq_len, and its target the same window shifted one character on.
class CharText : public Dataset {
 public:
  CharText(std::string text, int64_t seq_len);
  // The file's bytes (an Error naming the file when it cannot be read).
  static std::shared_ptr<CharText> from_file(const std::string& path, int64_t seq_len);
  // A few kilobytes of plain English prose, built in for demos and tests.
  static const std::string& sample_text();
  int64_t size() const override { return inputs_.size(0); }
  Example get(int64_t index) const override;
  std::optional<std::pair<Tensor, Tensor>> tensors() const override { return std::make_pair(inputs_, targets_); }
  // One string per id (a single byte each).
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }
  int64_t seq_len() const { return inputs_.size(1); }
  // ids (int64, any shape) <-> text; encode refuses characters outside the vocabulary.
  Tensor encode(const std::string& text) const;
  std::string decode(const Tensor& ids) const;

 private:
  std::vector<std::string> vocabulary_;
  int ids_of_[256];
  Tensor inputs_, targets_;  // (windows, seq_len) int64
};

// Synthetic data (seeded): Gaussian blobs around `classes` centers in `features` dims.
std::shared_ptr<TensorDataset> make_blobs(int64_t samples, int64_t features, int64_t classes, uint64_t seed = 0,
                                          double spread = 1.0);
// y = x w + b + noise, with w, b drawn from the seed; targets (N, 1).
std::shared_ptr<TensorDataset> make_regression(int64_t samples, int64_t features, uint64_t seed = 0, double noise = 0.1);
// Sequence-to-sequence toy tasks for encoder-decoder models: sources of
// `length` random tokens in [2, vocab) (0 is padding, 1 begin-of-sequence),
// targets the same tokens ("copy") or reversed ("reverse"). data (N, 2 length):
// [source | BOS then the target shifted right]; target (N, length).
std::shared_ptr<TensorDataset> make_sequence_task(const std::string& task, int64_t samples, int64_t length,
                                                  int64_t vocab, uint64_t seed = 0);
// Sequences (N, length, 1) of random walks; target: whether the walk ends above its start.
std::shared_ptr<TensorDataset> make_sequences(int64_t samples, int64_t length, uint64_t seed = 0);

}  // namespace ember::data
