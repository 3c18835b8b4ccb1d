// MobileNetV2 in torchvision's layout: features.0 (3x3 stride-2 convolution,
// batch norm, ReLU6), 17 inverted residual blocks (features.N.conv.*: 1x1
// expansion, 3x3 depthwise, 1x1 linear projection), features.18 (1x1 to 1280),
// classifier.1. Small inputs keep features.0 at stride 1.
#include <array>

#include "models/common.h"

namespace ember::models {
namespace {

// Convolution, batch norm, ReLU6 (torchvision's Conv2dNormActivation): names .0, .1, .2.
nn::Sequential conv_bn_relu6(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups = 1) {
  return nn::Sequential(
      nn::Conv2d(in, out, kernel, {.stride = stride, .padding = (kernel - 1) / 2, .groups = groups, .bias = false}),
      nn::BatchNorm2d(out), nn::ReLU6());
}

class InvertedResidual : public nn::Module {
 public:
  InvertedResidual(int64_t in, int64_t out, int64_t stride, int64_t expand_ratio)
      : Module("InvertedResidual"), residual_(stride == 1 && in == out) {
    const int64_t hidden = in * expand_ratio;
    if (expand_ratio != 1) conv.push_back(conv_bn_relu6(in, hidden, 1, 1));
    conv.push_back(conv_bn_relu6(hidden, hidden, 3, stride, hidden));  // depthwise
    conv.push_back(nn::Conv2d(hidden, out, 1, {.bias = false}));
    conv.push_back(nn::BatchNorm2d(out));
  }
  void visit(nn::Visitor& v) override { v.module("conv", conv); }
  Tensor forward(const Tensor& x) override { return residual_ ? x + conv(x) : conv(x); }

 private:
  nn::Sequential conv;
  bool residual_;
};

class MobileNetV2 : public nn::Module {
 public:
  explicit MobileNetV2(const ModelSpec& spec) : Module("MobileNetV2") {
    detail::check_spec(spec, "mobilenet_v2");
    detail::SpatialSize size(spec, "mobilenet_v2");
    const int64_t first_stride = detail::small_input(spec) ? 1 : 2;
    features.push_back(conv_bn_relu6(spec.input[0], 32, 3, first_stride));
    size.window("features.0", 3, first_stride, 1);
    // (expansion t, output channels c, blocks n, first stride s), as in the paper.
    constexpr std::array<std::array<int64_t, 4>, 7> kStages = {
        {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}};
    int64_t channels = 32;
    for (const auto& [t, c, n, s] : kStages)
      for (int64_t i = 0; i < n; ++i) {
        const int64_t stride = i == 0 ? s : 1;
        if (stride > 1) size.window(("features." + std::to_string(features.size())).c_str(), 3, stride, 1);
        features.push_back(InvertedResidual(channels, c, stride, t));
        channels = c;
      }
    features.push_back(conv_bn_relu6(channels, 1280, 1, 1));
    classifier.push_back(nn::Dropout(0.2));
    classifier.push_back(nn::Linear(1280, spec.classes));
    detail::init_conv_kaiming(*this, nn::init::FanMode::fan_out);
    detail::init_batchnorm(*this);
    detail::init_linear_normal(*this, 0.01);
  }
  void visit(nn::Visitor& v) override { v.module("features", features), v.module("classifier", classifier); }
  Tensor forward(const Tensor& x) override { return classifier(F::adaptive_avg_pool2d(features(x), {1, 1}).flatten(1)); }

 private:
  nn::Sequential features, classifier;
};

}  // namespace

std::shared_ptr<nn::Module> mobilenet_v2(const ModelSpec& spec) { return std::make_shared<MobileNetV2>(spec); }

}  // namespace ember::models
