// VGG-11/13/16/19, with or without batch norm, in torchvision's layout:
// features.N (3x3 convolutions, ReLU, max-pools), avgpool (adaptive 7x7),
// classifier.0/3/6 (4096-4096-classes with dropout). On small inputs the
// final max-pool is left out (a 28x28 map would otherwise shrink to nothing);
// names are unchanged because it is the last layer of `features`.
#include <vector>

#include "models/common.h"

namespace ember::models {
namespace {

// Output channels of each convolution; 0 is a 2x2 max-pool.
std::vector<int64_t> vgg_layout(int64_t depth) {
  switch (depth) {
    case 11: return {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    case 13: return {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    case 16: return {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    case 19: return {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0};
    default: ember::detail::fail("vgg: no VGG of depth ", depth, " (11, 13, 16, 19)");
  }
}

class VGG : public nn::Module {
 public:
  VGG(const char* name, const ModelSpec& spec, int64_t depth, bool batch_norm) : Module("VGG") {
    detail::check_spec(spec, name);
    detail::SpatialSize size(spec, name);
    const std::vector<int64_t> layout = vgg_layout(depth);
    int64_t channels = spec.input[0];
    for (size_t i = 0; i < layout.size(); ++i) {
      if (layout[i] == 0) {
        if (i + 1 == layout.size() && detail::small_input(spec)) continue;
        size.window(("the max-pool at features." + std::to_string(features.size())).c_str(), 2, 2);
        features.push_back(nn::MaxPool2d(2));
        continue;
      }
      features.push_back(nn::Conv2d(channels, layout[i], 3, {.padding = 1}));
      if (batch_norm) features.push_back(nn::BatchNorm2d(layout[i]));
      features.push_back(nn::ReLU());
      channels = layout[i];
    }
    classifier.push_back(nn::Linear(512 * 7 * 7, 4096));
    classifier.push_back(nn::ReLU());
    classifier.push_back(nn::Dropout(0.5));
    classifier.push_back(nn::Linear(4096, 4096));
    classifier.push_back(nn::ReLU());
    classifier.push_back(nn::Dropout(0.5));
    classifier.push_back(nn::Linear(4096, spec.classes));
    detail::init_conv_kaiming(*this, nn::init::FanMode::fan_out);
    detail::init_batchnorm(*this);
    detail::init_linear_normal(*this, 0.01);
  }
  void visit(nn::Visitor& v) override {
    v.module("features", features), v.module("avgpool", avgpool), v.module("classifier", classifier);
  }
  Tensor forward(const Tensor& x) override { return classifier(avgpool(features(x)).flatten(1)); }

 private:
  nn::Sequential features, classifier;
  nn::AdaptiveAvgPool2d avgpool{7};
};

}  // namespace

std::shared_ptr<nn::Module> vgg(int64_t depth, bool batch_norm, const ModelSpec& spec) {
  const std::string name = "vgg" + std::to_string(depth) + (batch_norm ? "_bn" : "");
  return std::make_shared<VGG>(name.c_str(), spec, depth, batch_norm);
}

}  // namespace ember::models
