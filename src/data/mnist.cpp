// MNIST and Fashion-MNIST from IDX files (gzip or raw, both read through zlib),
// validated field by field.
#include <zlib.h>

#include <filesystem>
#include <vector>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"

namespace ember::data {
namespace {

// The whole (decompressed) content of a gzip or plain file.
std::vector<uint8_t> read_gz(const std::string& path, const std::string& dataset) {
  gzFile f = gzopen(path.c_str(), "rb");
  EMBER_CHECK(f, dataset, ": cannot open ", path);
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const std::string message = gzerror(f, &code);
      gzclose(f);
      detail::fail(dataset, ": ", path, " is corrupt (", message, ")");
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  const int closed = gzclose(f);
  EMBER_CHECK(closed == Z_OK, dataset, ": ", path, " is truncated or corrupt (zlib error ", closed, ")");
  return out;
}

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | uint32_t{b[at + 3]};
}

// The IDX file `stem` (or `stem`.gz) in root.
std::string find_file(const std::string& root, const std::string& stem, const std::string& dataset,
                      const std::string& hint) {
  for (const std::string& name : {stem + ".gz", stem}) {
    const std::filesystem::path p = std::filesystem::path(root) / name;
    if (std::filesystem::is_regular_file(p)) return p.string();
  }
  detail::fail(dataset, ": cannot find ", stem, "[.gz] in ", root, hint);
}

// An IDX file of unsigned bytes with the given number of dims: {dims, data}.
std::pair<std::vector<int64_t>, std::vector<uint8_t>> read_idx(const std::string& path, uint32_t dims,
                                                               const std::string& dataset) {
  std::vector<uint8_t> bytes = read_gz(path, dataset);
  EMBER_CHECK(bytes.size() >= 4 + 4 * dims, dataset, ": ", path, " is too short for an IDX header");
  const uint32_t magic = big_endian(bytes, 0);
  EMBER_CHECK(magic == (0x0800u | dims), dataset, ": ", path, " has IDX magic 0x", std::hex, magic, std::dec,
              ", expected 0x", std::hex, (0x0800u | dims), std::dec, " (unsigned bytes, ", dims, " dims)");
  std::vector<int64_t> shape;
  uint64_t count = 1;
  for (uint32_t d = 0; d < dims; ++d) {
    shape.push_back(big_endian(bytes, 4 + 4 * d));
    count *= static_cast<uint64_t>(shape.back());
  }
  const size_t header = 4 + 4 * dims;
  EMBER_CHECK(bytes.size() - header == count, dataset, ": ", path, " holds ", bytes.size() - header,
              " data bytes but its dims ", IntArrayRef(shape), " need ", count);
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  return {shape, std::move(bytes)};
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
