// Writing images, as torchvision.utils.save_image: a batch (N, C, H, W) of
// values in [0, 1] (C = 1 or 3) laid out in a grid of `nrow` images per
// row with `padding` pixels of `pad_value` between them, clamped, scaled to
// 0..255 (rounded) and written as a PNG, atomically.
#pragma once

#include <string>

#include "ember/tensor.h"

namespace ember {

// The grid as one (C, H', W') float image, as torchvision.utils.make_grid.
Tensor make_grid(const Tensor& images, int64_t nrow = 8, int64_t padding = 2, double pad_value = 0.0);
void save_image(const Tensor& images, const std::string& path, int64_t nrow = 8, int64_t padding = 2,
                double pad_value = 0.0);

}  // namespace ember
