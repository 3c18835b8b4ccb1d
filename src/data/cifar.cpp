// CIFAR-10/100, binary version (the records are decoded by cifar_format.cpp).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"
#include "data/cifar_format.h"

namespace ember::data {

CIFAR::CIFAR(const std::string& root, bool train, bool hundred, transforms::Transform transform)
    : transform_(std::move(transform)) {
  const char* name = hundred ? "CIFAR100" : "CIFAR10";
  EMBER_CHECK(std::filesystem::is_directory(root), name, ": root ", root, " is not a directory");
  std::vector<std::string> files;
  if (hundred) files = {train ? "train.bin" : "test.bin"};
  else if (train) files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
  else files = {"test_batch.bin"};
  std::vector<uint8_t> pixels, labels;
  for (const std::string& f : files) {
    const std::string path = (std::filesystem::path(root) / f).string();
    std::ifstream in(path, std::ios::binary);
    EMBER_CHECK(in.good(), name, ": cannot open ", path, " (the binary version of the dataset is expected in ", root, ")");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    cifar::append_records(bytes, hundred, path, pixels, labels);
  }
  const int64_t n = static_cast<int64_t>(labels.size());
  images_ = from_buffer(pixels.data(), Dtype::uint8, {n, 32, 32, 3}, {.dtype = Dtype::uint8});
  labels_ = from_buffer(labels.data(), Dtype::uint8, {n}, {.dtype = Dtype::int64});
  if (!transform_) scaled_ = images_.permute({0, 3, 1, 2}).contiguous().to(Dtype::float32).div_(255.0);
}

Example CIFAR::get(int64_t index) const {
  EMBER_CHECK(index >= 0 && index < size(), "CIFAR: index ", index, " is out of range for ", size(), " examples");
  if (transform_) return {transform_(images_[index]), labels_[index]};
  return {scaled_[index], labels_[index]};
}

std::optional<std::pair<Tensor, Tensor>> CIFAR::tensors() const {
  if (transform_) return std::nullopt;
  return std::make_pair(scaled_, labels_);
}

}  // namespace ember::data
