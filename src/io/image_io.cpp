// PNG grids of images (image_io.h), encoded by stb_image_write.
#include "ember/image_io.h"

#include <algorithm>
#include <string_view>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

#include "ember/atomic_file.h"
#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/ops.h"

namespace ember {

Tensor make_grid(const Tensor& images, int64_t nrow, int64_t padding, double pad_value) {
  EMBER_CHECK(images.dim() == 4 && images.size(0) > 0 && (images.size(1) == 1 || images.size(1) == 3), "make_grid: "
              "expected images (N, C, H, W) with N > 0 and C 1 or 3, got shape ", images.sizes());
  EMBER_CHECK(nrow > 0 && padding >= 0, "make_grid: nrow must be positive and padding non-negative, got ", nrow, " and ",
              padding);
  NoGradGuard no_grad;
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2) + padding, w = images.size(3) + padding;
  const int64_t columns = std::min(nrow, n), rows = (n + columns - 1) / columns;
  Tensor grid = full({c, rows * h + padding, columns * w + padding}, pad_value, {.device = images.device()});
  const Tensor source = images.detach().to(kFloat32);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = (i / columns) * h + padding, x = (i % columns) * w + padding;
    grid.narrow(1, y, h - padding).narrow(2, x, w - padding).copy_(source[i]);
  }
  return grid;
}

void save_image(const Tensor& images, const std::string& path, int64_t nrow, int64_t padding, double pad_value) {
  const Tensor grid = make_grid(images, nrow, padding, pad_value);
  // (C, H, W) in [0, 1] -> (H, W, C) bytes, rounded as torchvision (x * 255 + 0.5, truncated).
  const Tensor bytes = grid.clamp(0.0, 1.0).mul(255.0).add(0.5).permute({1, 2, 0}).to(kUInt8).to(kCPU).contiguous();
  const int height = static_cast<int>(grid.size(1)), width = static_cast<int>(grid.size(2)),
            channels = static_cast<int>(grid.size(0));
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  const int ok = stbi_write_png_to_func(append, &png, width, height, channels, bytes.data_ptr<uint8_t>(),
                                        width * channels);
  EMBER_CHECK(ok && !png.empty(), "save_image: could not encode a ", width, "x", height, " PNG for ", path);
  write_file_atomic(path, png);
}

}  // namespace ember
