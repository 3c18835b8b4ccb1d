// CIFAR-10/100, binary version: fixed-size records of label byte(s) and a
// 3 x 32 x 32 image stored plane by plane (R, G, B).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"

namespace ember::data {

CIFAR::CIFAR(const std::string& root, bool train, bool hundred, transforms::Transform transform)
    : transform_(std::move(transform)) {
  const char* name = hundred ? "CIFAR100" : "CIFAR10";
  EMBER_CHECK(std::filesystem::is_directory(root), name, ": root ", root, " is not a directory");
  std::vector<std::string> files;
  if (hundred) files = {train ? "train.bin" : "test.bin"};
  else if (train) files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
  else files = {"test_batch.bin"};
  const size_t label_bytes = hundred ? 2 : 1, record = label_bytes + 3072;
  const int classes = hundred ? 100 : 10;
  std::vector<uint8_t> pixels, labels;
  for (const std::string& f : files) {
    const std::string path = (std::filesystem::path(root) / f).string();
    std::ifstream in(path, std::ios::binary);
    EMBER_CHECK(in.good(), name, ": cannot open ", path, " (the binary version of the dataset is expected in ", root, ")");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EMBER_CHECK(!bytes.empty() && bytes.size() % record == 0, name, ": ", path, " has ", bytes.size(),
                " bytes, not a whole number of ", record, "-byte records");
    for (size_t at = 0; at < bytes.size(); at += record) {
      const uint8_t label = bytes[at + label_bytes - 1];  // CIFAR-100: the fine label
      EMBER_CHECK(label < classes, name, ": label ", int{label}, " in ", path, " is outside the ", classes, " classes");
      labels.push_back(label);
      // planes (3, 32, 32) -> (32, 32, 3), the layout torchvision keeps
      for (size_t p = 0; p < 1024; ++p)
        for (size_t c = 0; c < 3; ++c) pixels.push_back(bytes[at + label_bytes + c * 1024 + p]);
    }
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
