// ImageFolder: class sub-folders of image files, decoded by stb_image
// (Debian's libstb, which ships the compiled implementation).
#include <stb_image.h>

#include <algorithm>
#include <filesystem>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"

namespace ember::data {
namespace {

bool is_image(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"})
    if (ext == e) return true;
  return false;
}

}  // namespace

ImageFolder::ImageFolder(const std::string& root, transforms::Transform transform) : transform_(std::move(transform)) {
  namespace fs = std::filesystem;
  EMBER_CHECK(fs::is_directory(root), "ImageFolder: root ", root, " is not a directory");
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory()) classes_.push_back(entry.path().filename().string());
  std::sort(classes_.begin(), classes_.end());
  EMBER_CHECK(!classes_.empty(), "ImageFolder: ", root, " has no class sub-folders");
  for (size_t c = 0; c < classes_.size(); ++c) {
    std::vector<std::string> images;
    for (const auto& entry : fs::directory_iterator(fs::path(root) / classes_[c]))
      if (entry.is_regular_file() && is_image(entry.path())) images.push_back(entry.path().string());
    std::sort(images.begin(), images.end());
    for (std::string& f : images) files_.push_back(std::move(f)), labels_.push_back(static_cast<int64_t>(c));
  }
  EMBER_CHECK(!files_.empty(), "ImageFolder: no images (png, jpg, jpeg, bmp, gif, tga) in the class folders of ", root);
}

Example ImageFolder::get(int64_t index) const {
  EMBER_CHECK(index >= 0 && index < size(), "ImageFolder: index ", index, " is out of range for ", size(), " images");
  const std::string& file = files_[static_cast<size_t>(index)];
  int w = 0, h = 0, channels = 0;
  stbi_uc* pixels = stbi_load(file.c_str(), &w, &h, &channels, 3);
  EMBER_CHECK(pixels, "ImageFolder: cannot decode ", file, " (", stbi_failure_reason(), ")");
  Tensor image;
  try {
    image = from_buffer(pixels, Dtype::uint8, {h, w, 3}, {.dtype = Dtype::uint8});
  } catch (...) {
    stbi_image_free(pixels);
    throw;
  }
  stbi_image_free(pixels);
  const Tensor label = scalar_tensor(labels_[static_cast<size_t>(index)], {.dtype = Dtype::int64});
  if (transform_) return {transform_(image), label};
  return {(image.permute({2, 0, 1}).to(Dtype::float32) / 255.0).contiguous(), label};
}

}  // namespace ember::data
