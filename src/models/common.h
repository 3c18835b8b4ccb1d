// What the zoo's model files share: input checks with the shape rule that
// failed, the small-input rule, and torchvision's weight initialisations.
#pragma once

#include <string>

#include "ember/models.h"
#include "ember/nn/channel_prune.h"
#include "ember/nn/conv.h"
#include "ember/nn/init.h"
#include "ember/nn/layers.h"
#include "ember/ops.h"

namespace ember::models::detail {

// Inputs at most this wide or high (CIFAR's 32, MNIST's 28) get the
// small-input stem: no 7x7/stride-2 convolution and no early max-pool.
constexpr int64_t kSmallInput = 32;
inline bool small_input(const ModelSpec& spec) { return spec.input[1] <= kSmallInput || spec.input[2] <= kSmallInput; }

// An Error naming the model unless the spec is (C, H, W) with positive sizes and classes.
// Call it first: the helpers below read the three sizes.
void check_spec(const ModelSpec& spec, const char* model);

// Tracks the feature map's spatial size through a model's downsampling
// layers, so an input that is too small fails at construction, naming the
// layer and the size it would have got.
class SpatialSize {
 public:
  SpatialSize(const ModelSpec& spec, const char* model) : h_(spec.input[1]), w_(spec.input[2]), model_(model),
                                                          input_(spec.input) {}
  // A window of `kernel` with `stride` and `padding` (ceil_mode rounds up, as pooling's).
  void window(const char* layer, int64_t kernel, int64_t stride, int64_t padding = 0, bool ceil_mode = false);

 private:
  int64_t h_, w_;
  const char* model_;
  Shape input_;
};

// The Transformer's fixed positions (positions, d_model), float32: sin on even
// features, cos on odd, wavelengths 2 pi .. 10000 * 2 pi.
Tensor sinusoidal_positions(int64_t positions, int64_t d_model);

// torchvision's initialisations, applied to every module of the tree.
// Convolutions: kaiming_normal_ (fan_out or fan_in, ReLU gain), biases zero;
// batch norms: weight 1, bias 0; linear layers: normal(0, std), biases zero.
void init_conv_kaiming(nn::Module& model, nn::init::FanMode mode);
void init_batchnorm(nn::Module& model);
void init_linear_normal(nn::Module& model, double std);

}  // namespace ember::models::detail
