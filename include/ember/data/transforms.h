// Transforms, as torchvision's: functions from a tensor to a tensor. Before
// ToTensor, images are integer (H, W) or (H, W, C) as the datasets hand them
// out; after it, float (C, H, W). Every transform keeps its input's layout and
// dtype. Random transforms draw from
// data::sample_generator(), so a DataLoader run is reproducible whatever its
// number of workers.
//   auto transform = transforms::Compose({transforms::RandomCrop(28, 4), transforms::RandomHorizontalFlip(),
//                                         transforms::ToTensor(), transforms::Normalize({0.286}, {0.353})});
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember::data::transforms {

using Transform = std::function<Tensor(const Tensor&)>;

// Applies the transforms in order.
Transform Compose(std::vector<Transform> transforms);
// uint8 (H, W) or (H, W, C) in [0, 255] -> float32 (C, H, W) in [0, 1]; float input passes unchanged.
Transform ToTensor();
// (x - mean[c]) / std[c] per channel of a (C, H, W) float tensor.
Transform Normalize(std::vector<double> mean, std::vector<double> std);
// Mirror left-right (or top-bottom) with probability p.
Transform RandomHorizontalFlip(double p = 0.5);
Transform RandomVerticalFlip(double p = 0.5);
// padding_mode: "constant" (fill), "edge", "reflect".
Transform Pad(int64_t padding, double fill = 0.0, std::string padding_mode = "constant");
// A random (size x size) crop, after padding each side by `padding`.
Transform RandomCrop(int64_t size, int64_t padding = 0, double fill = 0.0, std::string padding_mode = "constant");
Transform CenterCrop(int64_t size);
// interpolation: "bilinear" (half-pixel centers, as torchvision without antialias) or "nearest".
Transform Resize(int64_t height, int64_t width, std::string interpolation = "bilinear");
// A random area/aspect crop resized to (size x size).
Transform RandomResizedCrop(int64_t size, std::pair<double, double> scale = {0.08, 1.0},
                            std::pair<double, double> ratio = {3.0 / 4, 4.0 / 3});
// Rotation by a uniform angle in [-degrees, degrees] about the center (nearest, fill outside).
Transform RandomRotation(double degrees, double fill = 0.0);
// Translation by up to (tx * W, ty * H) pixels (nearest, fill outside).
Transform RandomAffine(double translate_x, double translate_y, double fill = 0.0);
// brightness b: scale by a factor in [max(0, 1 - b), 1 + b]; contrast c: blend with the mean gray by
// a factor in [max(0, 1 - c), 1 + c]; brightness first, then contrast.
Transform ColorJitter(double brightness = 0.0, double contrast = 0.0);
// With probability p, a random rectangle (area in scale, aspect in ratio) set to `value`.
Transform RandomErasing(double p = 0.5, std::pair<double, double> scale = {0.02, 0.33},
                        std::pair<double, double> ratio = {0.3, 3.3}, double value = 0.0);
Transform Lambda(std::function<Tensor(const Tensor&)> fn);

}  // namespace ember::data::transforms
