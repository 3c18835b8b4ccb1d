// GoogLeNet (Inception v1) in torchvision's layout: convN.{conv,bn} (batch
// norm eps 1e-3), inceptionXY.branch1..4, optional auxiliary classifiers
// aux1/aux2 (used in training mode through forward_with_aux), fc. Small
// inputs get a 3x3 stride-1 conv1 and no maxpool1.
#include "models/common.h"

namespace ember::models {
namespace {

// Convolution without bias, batch norm (eps 0.001), ReLU.
class BasicConv2d : public nn::Module {
 public:
  BasicConv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0)
      : Module("BasicConv2d"), conv(in, out, kernel, {.stride = stride, .padding = padding, .bias = false}),
        bn(out, 0.001) {}
  void visit(nn::Visitor& v) override { v.module("conv", conv), v.module("bn", bn); }
  Tensor forward(const Tensor& x) override { return bn(conv(x)).relu(); }

 private:
  nn::Conv2d conv;
  nn::BatchNorm2d bn;
};

// Four parallel branches (1x1; 1x1 then 3x3; 1x1 then 3x3; 3x3 max-pool then 1x1), concatenated.
class Inception : public nn::Module {
 public:
  Inception(int64_t in, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red, int64_t ch5x5,
            int64_t pool_proj)
      : Module("Inception"), branch1(in, ch1x1, 1),
        branch2(BasicConv2d(in, ch3x3red, 1), BasicConv2d(ch3x3red, ch3x3, 3, 1, 1)),
        branch3(BasicConv2d(in, ch5x5red, 1), BasicConv2d(ch5x5red, ch5x5, 3, 1, 1)),
        branch4(nn::MaxPool2d(3, {.stride = 1, .padding = 1, .ceil_mode = true}), BasicConv2d(in, pool_proj, 1)) {}
  void visit(nn::Visitor& v) override {
    v.module("branch1", branch1), v.module("branch2", branch2), v.module("branch3", branch3);
    v.module("branch4", branch4);
  }
  Tensor forward(const Tensor& x) override { return cat({branch1(x), branch2(x), branch3(x), branch4(x)}, 1); }

 private:
  BasicConv2d branch1;
  nn::Sequential branch2, branch3, branch4;
};

// Auxiliary classifier: 4x4 average, 1x1 conv to 128, fc1 2048-1024, dropout 0.7, fc2.
class InceptionAux : public nn::Module {
 public:
  InceptionAux(int64_t in, int64_t classes)
      : Module("InceptionAux"), conv(in, 128, 1), fc1(2048, 1024), fc2(1024, classes), dropout(0.7) {}
  void visit(nn::Visitor& v) override {
    v.module("conv", conv), v.module("fc1", fc1), v.module("fc2", fc2), v.module("dropout", dropout);
  }
  Tensor forward(const Tensor& x) override {
    return fc2(dropout(fc1(conv(F::adaptive_avg_pool2d(x, {4, 4})).flatten(1)).relu()));
  }

 private:
  BasicConv2d conv;
  nn::Linear fc1, fc2;
  nn::Dropout dropout;
};

class GoogLeNet : public nn::Module, public AuxiliaryOutputs {
 public:
  GoogLeNet(const ModelSpec& spec, bool aux_logits)
      : Module("GoogLeNet"), small_((detail::check_spec(spec, "googlenet"), detail::small_input(spec))),
        conv1(small_ ? BasicConv2d(spec.input[0], 64, 3, 1, 1) : BasicConv2d(spec.input[0], 64, 7, 2, 3)),
        fc(1024, spec.classes) {
    detail::SpatialSize size(spec, "googlenet");
    size.window("conv1", small_ ? 3 : 7, small_ ? 1 : 2, small_ ? 1 : 3);
    if (!small_) size.window("maxpool1", 3, 2, 0, true);
    size.window("maxpool2", 3, 2, 0, true);
    size.window("maxpool3", 3, 2, 0, true);
    size.window("maxpool4", 2, 2, 0, true);
    if (aux_logits) {
      aux1 = std::make_shared<InceptionAux>(512, spec.classes);
      aux2 = std::make_shared<InceptionAux>(528, spec.classes);
    }
    // torchvision's init_weights: truncated normal (std 0.01) for convolutions and linear layers.
    for (nn::Module* m : modules()) {
      if (auto* c = dynamic_cast<nn::Conv2d*>(m)) nn::init::trunc_normal_(c->weight, 0.0, 0.01, -2.0, 2.0);
      if (auto* l = dynamic_cast<nn::Linear*>(m)) nn::init::trunc_normal_(l->weight, 0.0, 0.01, -2.0, 2.0);
    }
    detail::init_batchnorm(*this);
  }

  void visit(nn::Visitor& v) override {
    v.module("conv1", conv1);
    if (!small_) v.module("maxpool1", maxpool1);
    v.module("conv2", conv2), v.module("conv3", conv3), v.module("maxpool2", maxpool2);
    v.module("inception3a", inception3a), v.module("inception3b", inception3b), v.module("maxpool3", maxpool3);
    v.module("inception4a", inception4a), v.module("inception4b", inception4b), v.module("inception4c", inception4c);
    v.module("inception4d", inception4d), v.module("inception4e", inception4e), v.module("maxpool4", maxpool4);
    v.module("inception5a", inception5a), v.module("inception5b", inception5b);
    if (aux1) v.module("aux1", *aux1), v.module("aux2", *aux2);
    v.module("avgpool", avgpool), v.module("dropout", dropout), v.module("fc", fc);
  }

  Tensor forward(const Tensor& x) override { return forward_with_aux(x).front(); }

  // {logits, aux2, aux1} in training mode with auxiliary classifiers, else {logits}.
  std::vector<Tensor> forward_with_aux(const Tensor& x) override {
    Tensor out = conv1(x);
    if (!small_) out = maxpool1(out);
    out = maxpool2(conv3(conv2(out)));
    out = maxpool3(inception3b(inception3a(out)));
    out = inception4a(out);
    const bool aux = aux1 && is_training();
    Tensor a1, a2;
    if (aux) a1 = (*aux1)(out);
    out = inception4d(inception4c(inception4b(out)));
    if (aux) a2 = (*aux2)(out);
    out = maxpool4(inception4e(out));
    out = inception5b(inception5a(out));
    const Tensor logits = fc(dropout(avgpool(out).flatten(1)));
    if (aux) return {logits, a2, a1};
    return {logits};
  }

 private:
  bool small_;
  BasicConv2d conv1;
  nn::MaxPool2d maxpool1{3, {.stride = 2, .ceil_mode = true}};
  BasicConv2d conv2{64, 64, 1}, conv3{64, 192, 3, 1, 1};
  nn::MaxPool2d maxpool2{3, {.stride = 2, .ceil_mode = true}};
  Inception inception3a{192, 64, 96, 128, 16, 32, 32}, inception3b{256, 128, 128, 192, 32, 96, 64};
  nn::MaxPool2d maxpool3{3, {.stride = 2, .ceil_mode = true}};
  Inception inception4a{480, 192, 96, 208, 16, 48, 64}, inception4b{512, 160, 112, 224, 24, 64, 64},
      inception4c{512, 128, 128, 256, 24, 64, 64}, inception4d{512, 112, 144, 288, 32, 64, 64},
      inception4e{528, 256, 160, 320, 32, 128, 128};
  nn::MaxPool2d maxpool4{2, {.stride = 2, .ceil_mode = true}};
  Inception inception5a{832, 256, 160, 320, 32, 128, 128}, inception5b{832, 384, 192, 384, 48, 128, 128};
  std::shared_ptr<InceptionAux> aux1, aux2;
  nn::AdaptiveAvgPool2d avgpool{1};
  nn::Dropout dropout{0.2};
  nn::Linear fc;
};

}  // namespace

std::shared_ptr<nn::Module> googlenet(const ModelSpec& spec, bool aux_logits) {
  return std::make_shared<GoogLeNet>(spec, aux_logits);
}

}  // namespace ember::models
