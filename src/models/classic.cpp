// The first models of the zoo: the reference MLP and LeNet-5.
#include "ember/models.h"

#include "ember/nn/conv.h"
#include "ember/nn/layers.h"

namespace ember::models {

std::shared_ptr<nn::Sequential> mlp(const ModelSpec& spec) {
  EMBER_CHECK(spec.input.size() == 3, "mlp: input must be (C, H, W), got ", spec.input);
  const int64_t features = spec.input[0] * spec.input[1] * spec.input[2];
  return std::make_shared<nn::Sequential>(nn::Flatten(), nn::Linear(features, 512), nn::BatchNorm1d(512), nn::ReLU(),
                                          nn::Dropout(0.5), nn::Linear(512, spec.classes));
}

std::shared_ptr<nn::Sequential> lenet5(const ModelSpec& spec) {
  EMBER_CHECK(spec.input.size() == 3, "lenet5: input must be (C, H, W), got ", spec.input);
  // Spatial size after conv(5, pad 2) -> pool 2 -> conv(5) -> pool 2.
  const int64_t h = ((spec.input[1] / 2) - 4) / 2, w = ((spec.input[2] / 2) - 4) / 2;
  EMBER_CHECK(h > 0 && w > 0, "lenet5: input ", spec.input, " is too small (at least 12x12)");
  return std::make_shared<nn::Sequential>(
      nn::Conv2d(spec.input[0], 6, 5, {.padding = 2}), nn::Tanh(), nn::AvgPool2d(2), nn::Conv2d(6, 16, 5), nn::Tanh(),
      nn::AvgPool2d(2), nn::Flatten(), nn::Linear(16 * h * w, 120), nn::ReLU(), nn::Linear(120, 84), nn::ReLU(),
      nn::Linear(84, spec.classes));
}

}  // namespace ember::models
