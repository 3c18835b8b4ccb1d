// Shared pieces of the model zoo.
#include "models/common.h"

#include <cmath>
#include <vector>

#include "ember/creation.h"

namespace ember::models::detail {

void check_spec(const ModelSpec& spec, const char* model) {
  EMBER_CHECK(spec.input.size() == 3 && spec.input[0] > 0 && spec.input[1] > 0 && spec.input[2] > 0, model,
              ": input must be (C, H, W) with positive sizes, got ", spec.input);
  EMBER_CHECK(spec.classes > 0, model, ": classes must be positive, got ", spec.classes);
}

void SpatialSize::window(const char* layer, int64_t kernel, int64_t stride, int64_t padding, bool ceil_mode) {
  auto out = [&](int64_t size) {
    const int64_t span = size + 2 * padding - kernel;
    if (span < 0) return int64_t{0};
    int64_t n = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    // A ceil_mode window must start inside the input or the left padding (as PyTorch).
    if (ceil_mode && (n - 1) * stride >= size + padding) --n;
    return n;
  };
  const int64_t h = out(h_), w = out(w_);
  EMBER_CHECK(h > 0 && w > 0, model_, ": input ", input_, " is too small: ", layer, " (", kernel, "x", kernel,
              " window, stride ", stride, ", padding ", padding, ") gets a ", h_, "x", w_,
              " feature map and would leave nothing");
  h_ = h, w_ = w;
}

void init_conv_kaiming(nn::Module& model, nn::init::FanMode mode) {
  for (nn::Module* m : model.modules())
    if (auto* conv = dynamic_cast<nn::Conv2d*>(m)) {
      nn::init::kaiming_normal_(conv->weight, 0.0, mode, "relu");
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    }
}

void init_batchnorm(nn::Module& model) {
  for (nn::Module* m : model.modules())
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(m); bn && bn->weight.defined()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
}

void init_linear_normal(nn::Module& model, double std) {
  for (nn::Module* m : model.modules())
    if (auto* fc = dynamic_cast<nn::Linear*>(m)) {
      nn::init::normal_(fc->weight, 0.0, std);
      if (fc->bias.defined()) nn::init::zeros_(fc->bias);
    }
}

Tensor sinusoidal_positions(int64_t positions, int64_t d_model) {
  std::vector<float> table(static_cast<size_t>(positions * d_model));
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t i = 0; i < d_model; i += 2) {
      const double angle = static_cast<double>(p) * std::exp(-std::log(10000.0) * static_cast<double>(i) /
                                                             static_cast<double>(d_model));
      table[static_cast<size_t>(p * d_model + i)] = static_cast<float>(std::sin(angle));
      if (i + 1 < d_model) table[static_cast<size_t>(p * d_model + i + 1)] = static_cast<float>(std::cos(angle));
    }
  return tensor(table).view({positions, d_model});
}

}  // namespace ember::models::detail
