// AlexNet in torchvision's layout.
#include "models/common.h"

namespace ember::models {
namespace {

// AlexNet (torchvision's one-GPU variant): five convolutions, three max-pools,
// avgpool (adaptive 6x6), classifier.1/4/6. Small inputs start with a 3x3
// stride-1 convolution (features.0) instead of 11x11 stride 4.
class AlexNet : public nn::Module {
 public:
  explicit AlexNet(const ModelSpec& spec) : Module("AlexNet") {
    detail::check_spec(spec, "alexnet");
    detail::SpatialSize size(spec, "alexnet");
    const bool small = detail::small_input(spec);
    if (small) {
      features.push_back(nn::Conv2d(spec.input[0], 64, 3, {.padding = 1}));
      size.window("features.0", 3, 1, 1);
    } else {
      features.push_back(nn::Conv2d(spec.input[0], 64, 11, {.stride = 4, .padding = 2}));
      size.window("features.0", 11, 4, 2);
    }
    features.push_back(nn::ReLU());
    features.push_back(nn::MaxPool2d(3, {.stride = 2}));
    size.window("features.2 (max-pool)", 3, 2);
    features.push_back(nn::Conv2d(64, 192, 5, {.padding = 2}));
    features.push_back(nn::ReLU());
    features.push_back(nn::MaxPool2d(3, {.stride = 2}));
    size.window("features.5 (max-pool)", 3, 2);
    features.push_back(nn::Conv2d(192, 384, 3, {.padding = 1}));
    features.push_back(nn::ReLU());
    features.push_back(nn::Conv2d(384, 256, 3, {.padding = 1}));
    features.push_back(nn::ReLU());
    features.push_back(nn::Conv2d(256, 256, 3, {.padding = 1}));
    features.push_back(nn::ReLU());
    features.push_back(nn::MaxPool2d(3, {.stride = 2}));
    size.window("features.12 (max-pool)", 3, 2);
    classifier.push_back(nn::Dropout(0.5));
    classifier.push_back(nn::Linear(256 * 6 * 6, 4096));
    classifier.push_back(nn::ReLU());
    classifier.push_back(nn::Dropout(0.5));
    classifier.push_back(nn::Linear(4096, 4096));
    classifier.push_back(nn::ReLU());
    classifier.push_back(nn::Linear(4096, spec.classes));
  }
  void visit(nn::Visitor& v) override {
    v.module("features", features), v.module("avgpool", avgpool), v.module("classifier", classifier);
  }
  Tensor forward(const Tensor& x) override { return classifier(avgpool(features(x)).flatten(1)); }

 private:
  nn::Sequential features, classifier;
  nn::AdaptiveAvgPool2d avgpool{6};
};

}  // namespace

std::shared_ptr<nn::Module> alexnet(const ModelSpec& spec) { return std::make_shared<AlexNet>(spec); }

}  // namespace ember::models
