// The generative models of the zoo: a convolutional autoencoder and DCGAN,
// both for small images whose sides divide by 4 (Fashion-MNIST's 28x28).
#include "models/common.h"

namespace ember::models {
namespace {

void check_quarterable(const ModelSpec& spec, const char* model) {
  detail::check_spec(spec, model);
  EMBER_CHECK(spec.input[1] % 4 == 0 && spec.input[2] % 4 == 0 && spec.input[1] >= 8 && spec.input[2] >= 8, model,
              ": the image sides must be multiples of 4 of at least 8 (two stride-2 stages), got input ", spec.input);
}

nn::Conv2d down(int64_t in, int64_t out) { return nn::Conv2d(in, out, 4, {.stride = 2, .padding = 1}); }
nn::ConvTranspose2d up(int64_t in, int64_t out, bool bias) {
  return nn::ConvTranspose2d(in, out, 4, {.stride = 2, .padding = 1, .bias = bias});
}

// Encoder: two stride-2 convolutions (32, 64 channels) and a linear map to
// the code; decoder: the mirror image, a sigmoid for pixels in [0, 1].
class ConvAutoencoder : public nn::Module, public Reconstructor {
 public:
  explicit ConvAutoencoder(const ModelSpec& spec, int64_t code_size) : Module("ConvAutoencoder") {
    check_quarterable(spec, "autoencoder");
    const int64_t c = spec.input[0], h = spec.input[1] / 4, w = spec.input[2] / 4;
    encoder.push_back(down(c, 32)), encoder.push_back(nn::BatchNorm2d(32)), encoder.push_back(nn::ReLU());
    encoder.push_back(down(32, 64)), encoder.push_back(nn::BatchNorm2d(64)), encoder.push_back(nn::ReLU());
    encoder.push_back(nn::Flatten()), encoder.push_back(nn::Linear(64 * h * w, code_size));
    decoder.push_back(nn::Linear(code_size, 64 * h * w)), decoder.push_back(nn::ReLU());
    decoder.push_back(nn::Unflatten(1, {64, h, w}));
    decoder.push_back(up(64, 32, false)), decoder.push_back(nn::BatchNorm2d(32)), decoder.push_back(nn::ReLU());
    decoder.push_back(up(32, c, true)), decoder.push_back(nn::Sigmoid());
  }
  void visit(nn::Visitor& v) override { v.module("encoder", encoder), v.module("decoder", decoder); }
  Tensor forward(const Tensor& x) override { return decoder(encoder(x)); }

  nn::Sequential encoder, decoder;
};

// DCGAN (Radford et al.): the generator maps noise (N, latent) through a
// transposed convolution to a quarter-size map, then two stride-2 ones to
// the image (tanh: pixels in [-1, 1]); the discriminator mirrors it with
// LeakyReLU(0.2) and ends in one logit. Batch norm everywhere but the
// generator's output and the discriminator's input, weights N(0, 0.02) and
// batch-norm scales N(1, 0.02), as the paper.
class DCGAN : public nn::Module, public AdversarialPair {
 public:
  DCGAN(const ModelSpec& spec, int64_t latent, int64_t width) : Module("DCGAN"), latent_(latent) {
    check_quarterable(spec, "dcgan");
    const int64_t c = spec.input[0], h = spec.input[1] / 4, w = spec.input[2] / 4;
    generator_.push_back(nn::Unflatten(1, {latent, 1, 1}));
    generator_.push_back(nn::ConvTranspose2d(latent, 2 * width, {h, w}, {.bias = false}));
    generator_.push_back(nn::BatchNorm2d(2 * width)), generator_.push_back(nn::ReLU());
    generator_.push_back(up(2 * width, width, false)), generator_.push_back(nn::BatchNorm2d(width));
    generator_.push_back(nn::ReLU());
    generator_.push_back(up(width, c, false)), generator_.push_back(nn::Tanh());
    discriminator_.push_back(down(c, width)), discriminator_.push_back(nn::LeakyReLU(0.2));
    discriminator_.push_back(down(width, 2 * width)), discriminator_.push_back(nn::BatchNorm2d(2 * width));
    discriminator_.push_back(nn::LeakyReLU(0.2));
    discriminator_.push_back(nn::Conv2d(2 * width, 1, {h, w}, {.bias = false})), discriminator_.push_back(nn::Flatten());
    NoGradGuard no_grad;
    for (nn::Module* m : modules()) {
      if (auto* conv = dynamic_cast<nn::Conv2d*>(m)) nn::init::normal_(conv->weight, 0, 0.02);
      if (auto* deconv = dynamic_cast<nn::ConvTranspose2d*>(m)) nn::init::normal_(deconv->weight, 0, 0.02);
      if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(m)) nn::init::normal_(bn->weight, 1, 0.02), nn::init::zeros_(bn->bias);
    }
  }
  void visit(nn::Visitor& v) override { v.module("generator", generator_), v.module("discriminator", discriminator_); }
  // The discriminator's logits (N, 1) for images: what a classifier call means here.
  Tensor forward(const Tensor& images) override { return discriminator_(images); }

  nn::Module& generator() override { return generator_; }
  nn::Module& discriminator() override { return discriminator_; }
  int64_t latent_size() const override { return latent_; }

 private:
  int64_t latent_;
  nn::Sequential generator_, discriminator_;
};

}  // namespace

std::shared_ptr<nn::Module> autoencoder(const ModelSpec& spec, int64_t code_size) {
  EMBER_CHECK(code_size > 0, "autoencoder: code_size must be positive, got ", code_size);
  return std::make_shared<ConvAutoencoder>(spec, code_size);
}

std::shared_ptr<nn::Module> dcgan(const ModelSpec& spec, int64_t latent_size, int64_t width) {
  EMBER_CHECK(latent_size > 0 && width > 0, "dcgan: latent_size and width must be positive, got ", latent_size, " and ",
              width);
  return std::make_shared<DCGAN>(spec, latent_size, width);
}

}  // namespace ember::models
