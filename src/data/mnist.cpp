// MNIST and Fashion-MNIST from IDX files, gzip or raw (decoded and validated
// by idx_format.cpp).
#include <filesystem>
#include <vector>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"
#include "data/idx_format.h"

namespace ember::data {
namespace {

// The IDX file `stem` (or `stem`.gz) in root.
std::string find_file(const std::string& root, const std::string& stem, const std::string& dataset,
                      const std::string& hint) {
  for (const std::string& name : {stem + ".gz", stem}) {
    const std::filesystem::path p = std::filesystem::path(root) / name;
    if (std::filesystem::is_regular_file(p)) return p.string();
  }
  detail::fail(dataset, ": cannot find ", stem, "[.gz] in ", root, hint);
}

// An IDX file of unsigned bytes with the given number of dims.
idx::Array read_idx(const std::string& path, uint32_t dims, const std::string& dataset) {
  return idx::parse(idx::read_gz(path, dataset), dims, path, dataset);
}

}  // namespace

MNIST::MNIST(const std::string& root, bool train, transforms::Transform transform)
    : MNIST("MNIST", root, train, std::move(transform), "") {}

MNIST::MNIST(const std::string& name, const std::string& root, bool train, transforms::Transform transform,
             const std::string& hint)
    : transform_(std::move(transform)) {
  EMBER_CHECK(std::filesystem::is_directory(root), name, ": root ", root, " is not a directory", hint);
  const std::string prefix = train ? "train" : "t10k";
  auto [image_dims, image_bytes] = read_idx(find_file(root, prefix + "-images-idx3-ubyte", name, hint), 3, name);
  auto [label_dims, label_bytes] = read_idx(find_file(root, prefix + "-labels-idx1-ubyte", name, hint), 1, name);
  EMBER_CHECK(image_dims[0] == label_dims[0], name, ": ", image_dims[0], " images but ", label_dims[0], " labels");
  for (size_t i = 0; i < label_bytes.size(); ++i)
    EMBER_CHECK(label_bytes[i] < 10, name, ": label ", int{label_bytes[i]}, " of example ", i,
                " is outside the 10 classes");
  images_ = from_buffer(image_bytes.data(), Dtype::uint8, image_dims, {.dtype = Dtype::uint8});
  labels_ = from_buffer(label_bytes.data(), Dtype::uint8, label_dims, {.dtype = Dtype::int64});
  if (!transform_) scaled_ = images_.to(Dtype::float32).div_(255.0).unsqueeze(1);  // one float copy, scaled in place
}

Example MNIST::get(int64_t index) const {
  EMBER_CHECK(index >= 0 && index < size(), "MNIST: index ", index, " is out of range for ", size(), " examples");
  if (transform_) return {transform_(images_[index]), labels_[index]};
  return {scaled_[index], labels_[index]};
}

std::optional<std::pair<Tensor, Tensor>> MNIST::tensors() const {
  if (transform_) return std::nullopt;
  return std::make_pair(scaled_, labels_);
}

std::vector<std::string> MNIST::classes() const { return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; }

FashionMNIST::FashionMNIST(const std::string& root, bool train, transforms::Transform transform)
    : MNIST("FashionMNIST", root, train, std::move(transform),
            root == kDefaultRoot ? " (Debian's dataset-fashion-mnist package provides it: apt-get install "
                                   "dataset-fashion-mnist)"
                                 : "") {}

std::vector<std::string> FashionMNIST::classes() const {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

}  // namespace ember::data
