// DenseNet-121 in torchvision's layout: features.conv0/norm0/relu0/pool0,
// features.denseblockN.denselayerM.{norm1,conv1,norm2,conv2} (growth 32,
// bottleneck 4x), features.transitionN.{norm,conv,pool}, features.norm5,
// classifier. Small inputs get a 3x3 stride-1 conv0 and no pool0.
#include <array>
#include <vector>

#include "models/common.h"

namespace ember::models {
namespace {

constexpr int64_t kGrowth = 32, kBottleneck = 4;

// BN-ReLU-1x1 conv to 128 channels, BN-ReLU-3x3 conv to 32 new ones.
class DenseLayer : public nn::Module {
 public:
  explicit DenseLayer(int64_t in)
      : Module("_DenseLayer"), norm1(in), conv1(in, kBottleneck * kGrowth, 1, {.bias = false}),
        norm2(kBottleneck * kGrowth), conv2(kBottleneck * kGrowth, kGrowth, 3, {.padding = 1, .bias = false}) {}
  void visit(nn::Visitor& v) override {
    v.module("norm1", norm1), v.module("relu1", relu1), v.module("conv1", conv1);
    v.module("norm2", norm2), v.module("relu2", relu2), v.module("conv2", conv2);
  }
  Tensor forward(const Tensor& x) override { return conv2(relu2(norm2(conv1(relu1(norm1(x)))))); }

 private:
  nn::BatchNorm2d norm1;
  nn::ReLU relu1;
  nn::Conv2d conv1;
  nn::BatchNorm2d norm2;
  nn::ReLU relu2;
  nn::Conv2d conv2;
};

// Each layer sees the block input and every earlier layer's output, concatenated.
class DenseBlock : public nn::Module {
 public:
  DenseBlock(int64_t layers, int64_t in) : Module("_DenseBlock") {
    for (int64_t i = 0; i < layers; ++i) layers_.push_back(std::make_shared<DenseLayer>(in + i * kGrowth));
  }
  void visit(nn::Visitor& v) override {
    for (size_t i = 0; i < layers_.size(); ++i) v.module("denselayer" + std::to_string(i + 1), *layers_[i]);
  }
  Tensor forward(const Tensor& x) override {
    std::vector<Tensor> features = {x};
    for (auto& layer : layers_) features.push_back((*layer)(cat(features, 1)));
    return cat(features, 1);
  }

 private:
  std::vector<std::shared_ptr<DenseLayer>> layers_;
};

nn::Sequential transition(int64_t in, int64_t out) {
  nn::Sequential t;
  t.push_back("norm", nn::BatchNorm2d(in));
  t.push_back("relu", nn::ReLU());
  t.push_back("conv", nn::Conv2d(in, out, 1, {.bias = false}));
  t.push_back("pool", nn::AvgPool2d(2));
  return t;
}

class DenseNet : public nn::Module {
 public:
  explicit DenseNet(const ModelSpec& spec) : Module("DenseNet"), classifier(1, 1) {
    detail::check_spec(spec, "densenet121");
    detail::SpatialSize size(spec, "densenet121");
    const bool small = detail::small_input(spec);
    features.push_back("conv0", small ? nn::Conv2d(spec.input[0], 64, 3, {.padding = 1, .bias = false})
                                      : nn::Conv2d(spec.input[0], 64, 7, {.stride = 2, .padding = 3, .bias = false}));
    size.window("features.conv0", small ? 3 : 7, small ? 1 : 2, small ? 1 : 3);
    features.push_back("norm0", nn::BatchNorm2d(64));
    features.push_back("relu0", nn::ReLU());
    if (!small) {
      features.push_back("pool0", nn::MaxPool2d(3, {.stride = 2, .padding = 1}));
      size.window("features.pool0", 3, 2, 1);
    }
    constexpr std::array<int64_t, 4> kBlocks = {6, 12, 24, 16};
    int64_t channels = 64;
    for (size_t i = 0; i < kBlocks.size(); ++i) {
      features.push_back("denseblock" + std::to_string(i + 1), DenseBlock(kBlocks[i], channels));
      channels += kBlocks[i] * kGrowth;
      if (i + 1 < kBlocks.size()) {
        const std::string name = "transition" + std::to_string(i + 1);
        size.window(("features." + name + ".pool").c_str(), 2, 2);
        features.push_back(name, transition(channels, channels / 2));
        channels /= 2;
      }
    }
    features.push_back("norm5", nn::BatchNorm2d(channels));
    classifier = nn::Linear(channels, spec.classes);
    detail::init_conv_kaiming(*this, nn::init::FanMode::fan_in);
    detail::init_batchnorm(*this);
    nn::init::zeros_(classifier.bias);
  }
  void visit(nn::Visitor& v) override { v.module("features", features), v.module("classifier", classifier); }
  Tensor forward(const Tensor& x) override {
    return classifier(F::adaptive_avg_pool2d(features(x).relu(), {1, 1}).flatten(1));
  }

 private:
  nn::Sequential features;
  nn::Linear classifier;
};

}  // namespace

std::shared_ptr<nn::Module> densenet121(const ModelSpec& spec) { return std::make_shared<DenseNet>(spec); }

}  // namespace ember::models
