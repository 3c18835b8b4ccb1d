// ResNets with torchvision's module names (conv1, bn1, layer1.0.conv1,
// layer1.0.downsample.0, fc, ...): resnet18/34 (basic blocks), resnet50/101
// (bottlenecks, stride on the 3x3 as torchvision's v1.5), and the CIFAR-style
// resnet20/32/56 (3x3 stem, three stages of 16/32/64 channels, 1x1
// projection shortcuts). Small inputs get a 3x3 stride-1 stem and no max-pool.
#include <vector>

#include "models/common.h"

namespace ember::models {
namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(in, out, 3, {.stride = stride, .padding = 1, .bias = false});
}
nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(in, out, 1, {.stride = stride, .bias = false});
}

// A 1x1 convolution + batch norm matching the shortcut to the block's output (when needed).
std::shared_ptr<nn::Sequential> projection(int64_t in, int64_t out, int64_t stride) {
  if (stride == 1 && in == out) return nullptr;
  return std::make_shared<nn::Sequential>(conv1x1(in, out, stride), nn::BatchNorm2d(out));
}

// The residual sum fixes a block's output channels; its inner ones may be pruned.
class Block : public nn::Module, public nn::utils::DeclaresChannelGroups {
 public:
  using Module::Module;
  std::shared_ptr<nn::Sequential> downsample;

 protected:
  Tensor shortcut(const Tensor& x) { return downsample ? downsample->forward(x) : x; }
};

class BasicBlock : public Block {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride)
      : Block("BasicBlock"), conv1(conv3x3(inplanes, planes, stride)), bn1(planes), conv2(conv3x3(planes, planes, 1)),
        bn2(planes) {
    downsample = projection(inplanes, planes, stride);
  }
  void visit(nn::Visitor& v) override {
    v.module("conv1", conv1), v.module("bn1", bn1), v.module("relu", relu), v.module("conv2", conv2);
    v.module("bn2", bn2);
    if (downsample) v.module("downsample", *downsample);
  }
  std::vector<nn::utils::ChannelGroup> channel_groups() override { return {{"conv1", "bn1", {"conv2"}}}; }
  Tensor forward(const Tensor& x) override {
    const Tensor out = bn2(conv2(relu(bn1(conv1(x)))));
    return relu(out + shortcut(x));
  }

 private:
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::ReLU relu;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
};

class Bottleneck : public Block {
 public:
  static constexpr int64_t kExpansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride)
      : Block("Bottleneck"), conv1(conv1x1(inplanes, planes, 1)), bn1(planes), conv2(conv3x3(planes, planes, stride)),
        bn2(planes), conv3(conv1x1(planes, planes * kExpansion, 1)), bn3(planes * kExpansion) {
    downsample = projection(inplanes, planes * kExpansion, stride);
  }
  void visit(nn::Visitor& v) override {
    v.module("conv1", conv1), v.module("bn1", bn1), v.module("conv2", conv2), v.module("bn2", bn2);
    v.module("conv3", conv3), v.module("bn3", bn3), v.module("relu", relu);
    if (downsample) v.module("downsample", *downsample);
  }
  std::vector<nn::utils::ChannelGroup> channel_groups() override {
    return {{"conv1", "bn1", {"conv2"}}, {"conv2", "bn2", {"conv3"}}};
  }
  Tensor forward(const Tensor& x) override {
    Tensor out = relu(bn1(conv1(x)));
    out = relu(bn2(conv2(out)));
    out = bn3(conv3(out));
    return relu(out + shortcut(x));
  }

 private:
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Conv2d conv3;
  nn::BatchNorm2d bn3;
  nn::ReLU relu;
};

class ResNet : public nn::Module {
 public:
  // blocks and widths: per stage, the number of blocks and their planes; imagenet_stem: a 7x7
  // stride-2 conv1 and a max-pool (unless the input is small), else a 3x3 stride-1 conv1.
  template <class B>
  static std::shared_ptr<ResNet> make(const char* name, const ModelSpec& spec, const std::vector<int64_t>& blocks,
                                      const std::vector<int64_t>& widths, bool imagenet_stem) {
    detail::check_spec(spec, name);
    const bool big_stem = imagenet_stem && !detail::small_input(spec);
    detail::SpatialSize size(spec, name);
    nn::Conv2d conv1 = big_stem ? nn::Conv2d(spec.input[0], widths[0], 7, {.stride = 2, .padding = 3, .bias = false})
                                : conv3x3(spec.input[0], widths[0], 1);
    size.window("conv1", big_stem ? 7 : 3, big_stem ? 2 : 1, big_stem ? 3 : 1);
    if (big_stem) size.window("maxpool", 3, 2, 1);
    std::vector<std::shared_ptr<nn::Sequential>> layers;
    int64_t inplanes = widths[0];
    for (size_t stage = 0; stage < blocks.size(); ++stage) {
      auto layer = std::make_shared<nn::Sequential>();
      const int64_t stride = stage == 0 ? 1 : 2;
      if (stride > 1) size.window(("layer" + std::to_string(stage + 1)).c_str(), 3, stride, 1);
      for (int64_t b = 0; b < blocks[stage]; ++b) {
        layer->push_back(B(inplanes, widths[stage], b == 0 ? stride : 1));
        inplanes = widths[stage] * B::kExpansion;
      }
      layers.push_back(layer);
    }
    return std::shared_ptr<ResNet>(new ResNet(std::move(conv1), big_stem, std::move(layers), inplanes, spec.classes));
  }

  void visit(nn::Visitor& v) override {
    v.module("conv1", conv1_), v.module("bn1", bn1_), v.module("relu", relu_);
    if (maxpool_) v.module("maxpool", *maxpool_);
    for (size_t i = 0; i < layers_.size(); ++i) v.module("layer" + std::to_string(i + 1), *layers_[i]);
    v.module("avgpool", avgpool_), v.module("fc", fc_);
  }
  Tensor forward(const Tensor& x) override {
    Tensor out = relu_(bn1_(conv1_(x)));
    if (maxpool_) out = (*maxpool_)(out);
    for (auto& layer : layers_) out = (*layer)(out);
    return fc_(avgpool_(out).flatten(1));
  }

 private:
  ResNet(nn::Conv2d conv1, bool max_pool, std::vector<std::shared_ptr<nn::Sequential>> layers, int64_t features,
         int64_t classes)
      : Module("ResNet"), conv1_(std::move(conv1)), bn1_(conv1_.weight.size(0)),
        maxpool_(max_pool ? std::make_shared<nn::MaxPool2d>(3, nn::MaxPool2dOptions{.stride = 2, .padding = 1}) : nullptr),
        layers_(std::move(layers)), fc_(features, classes) {
    detail::init_conv_kaiming(*this, nn::init::FanMode::fan_out);
    detail::init_batchnorm(*this);
  }
  nn::Conv2d conv1_;
  nn::BatchNorm2d bn1_;
  nn::ReLU relu_;
  std::shared_ptr<nn::MaxPool2d> maxpool_;
  std::vector<std::shared_ptr<nn::Sequential>> layers_;
  nn::AdaptiveAvgPool2d avgpool_{1};
  nn::Linear fc_;
};

}  // namespace

std::shared_ptr<nn::Module> resnet(int64_t depth, const ModelSpec& spec) {
  const std::string name = "resnet" + std::to_string(depth);
  switch (depth) {
    case 18: return ResNet::make<BasicBlock>(name.c_str(), spec, {2, 2, 2, 2}, {64, 128, 256, 512}, true);
    case 34: return ResNet::make<BasicBlock>(name.c_str(), spec, {3, 4, 6, 3}, {64, 128, 256, 512}, true);
    case 50: return ResNet::make<Bottleneck>(name.c_str(), spec, {3, 4, 6, 3}, {64, 128, 256, 512}, true);
    case 101: return ResNet::make<Bottleneck>(name.c_str(), spec, {3, 4, 23, 3}, {64, 128, 256, 512}, true);
    case 20: return ResNet::make<BasicBlock>(name.c_str(), spec, {3, 3, 3}, {16, 32, 64}, false);
    case 32: return ResNet::make<BasicBlock>(name.c_str(), spec, {5, 5, 5}, {16, 32, 64}, false);
    case 56: return ResNet::make<BasicBlock>(name.c_str(), spec, {9, 9, 9}, {16, 32, 64}, false);
    default: ember::detail::fail("resnet: no ResNet of depth ", depth, " (18, 34, 50, 101; CIFAR-style 20, 32, 56)");
  }
}

}  // namespace ember::models
