// The model zoo's registry: name -> factory taking the input shape and class
// count. Parameter names follow PyTorch's (the models are Sequentials).
//   auto model = models::create("lenet5", {.input = {1, 28, 28}, .classes = 10});
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/generator.h"
#include "ember/nn/container.h"

namespace ember::models {

struct ModelSpec {
  Shape input = {1, 28, 28};  // (C, H, W) of one example; {context length} for token models (gpt)
  int64_t classes = 10;
  std::string positions = "learned";  // gpt's position encoding: learned, sinusoidal, rope or alibi
};

using Factory = std::function<std::shared_ptr<nn::Module>(const ModelSpec&)>;

// The reference MLP: Flatten, Linear(C*H*W, 512), BatchNorm1d(512), ReLU, Dropout(0.5), Linear(512, classes).
std::shared_ptr<nn::Sequential> mlp(const ModelSpec& spec = {});
// LeNet-5: Conv 6@5x5 (padding 2), tanh, AvgPool 2, Conv 16@5x5, tanh, AvgPool 2, Flatten,
// Linear(16*5*5, 120), ReLU, Linear(120, 84), ReLU, Linear(84, classes) (for 28x28 input).
std::shared_ptr<nn::Sequential> lenet5(const ModelSpec& spec = {});

// The vision zoo, with torchvision's module and parameter names and shapes, so
// state dicts saved from torchvision load with strict = true. Inputs of at
// most 32 pixels on a side (MNIST, CIFAR) get a small-input stem: no 7x7 /
// stride-2 convolution and no early max-pool (docs/MODELS.md has the details).
// An input a model cannot take fails here, naming the layer it would break.
std::shared_ptr<nn::Module> alexnet(const ModelSpec& spec = {});
// depth 11, 13, 16 or 19.
std::shared_ptr<nn::Module> vgg(int64_t depth, bool batch_norm, const ModelSpec& spec = {});
// depth 18, 34, 50, 101 (ImageNet layout); 20, 32, 56 (CIFAR layout: 3x3 stem, 16/32/64 channels).
std::shared_ptr<nn::Module> resnet(int64_t depth, const ModelSpec& spec = {});
std::shared_ptr<nn::Module> densenet121(const ModelSpec& spec = {});
std::shared_ptr<nn::Module> mobilenet_v2(const ModelSpec& spec = {});
// Inception v1; aux_logits adds the two auxiliary classifiers (aux1, aux2).
std::shared_ptr<nn::Module> googlenet(const ModelSpec& spec = {}, bool aux_logits = false);

// Recurrent classifiers (kind "rnn", "lstm" or "gru"): images (C, H, W) are
// read as H steps of C*W features; with vocab_size > 0 the input is (N, L)
// token ids through an embedding. Names: embedding, rnn.weight_ih_l0, ..., fc.
struct RecurrentOptions {
  int64_t hidden_size = 128;
  int64_t num_layers = 2;
  bool bidirectional = false;
  double dropout = 0.0;        // between stacked layers
  int64_t vocab_size = 0;      // > 0: token input
  int64_t embedding_dim = 64;
};
std::shared_ptr<nn::Module> recurrent_classifier(const std::string& kind, const ModelSpec& spec = {},
                                                 const RecurrentOptions& options = {});

// A decoder-only Transformer language model over token ids: spec.input is
// {context length}, spec.classes the vocabulary size; forward maps (N, L) ids
// to (N, L, vocabulary) logits. Pre-norm blocks (PyTorch's
// TransformerEncoderLayer with norm_first and GELU, under encoder.layers.N),
// positions spec.positions (learned: an embedding pos_emb; sinusoidal: fixed
// ones added to the tokens'; rope or alibi: relative positions inside each
// attention layer), output layer tied to the token embedding by default.
struct GPTOptions {
  int64_t d_model = 128, heads = 4, layers = 4, d_ff = 512;
  double dropout = 0.1;
  bool tie_weights = true;
};
std::shared_ptr<nn::Module> gpt(const ModelSpec& spec, const GPTOptions& options = {});

// Models that continue a sequence of token ids (gpt): appends max_new_tokens
// to each row of prompt (N, L), sampling from softmax(logits / temperature)
// restricted to the top_k most likely tokens (0: all). Runs in eval mode.
class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  virtual Tensor generate(const Tensor& prompt, int64_t max_new_tokens, double temperature = 1.0, int64_t top_k = 0,
                          Generator* generator = nullptr) = 0;
};

// An encoder-decoder Transformer (PyTorch's nn.Transformer under
// `transformer`, batch first) with token embeddings scaled by sqrt(d_model),
// sinusoidal positions and a `generator` linear layer. spec.input is {L}, the
// sequence length; spec.classes the vocabulary, where id kBeginOfSequence
// starts every decoder input. forward takes (N, 2L) = [source | target
// shifted right behind BOS] and gives (N, L, vocabulary) logits.
constexpr int64_t kBeginOfSequence = 1;
struct Seq2SeqOptions {
  int64_t d_model = 64, heads = 4, encoder_layers = 2, decoder_layers = 2, d_ff = 256;
  double dropout = 0.1;
};
std::shared_ptr<nn::Module> seq2seq_transformer(const ModelSpec& spec, const Seq2SeqOptions& options = {});

// Sequence-to-sequence models (transformer): the max_len most likely target
// tokens for each source row (N, L), one at a time (greedy). Runs in eval mode.
class SequenceTranslator {
 public:
  virtual ~SequenceTranslator() = default;
  virtual Tensor greedy_decode(const Tensor& source, int64_t max_len) = 0;
};

// Models with auxiliary classifiers (googlenet with aux_logits): in training
// mode {logits, aux2, aux1}; otherwise {logits}. Reach it with dynamic_cast.
class AuxiliaryOutputs {
 public:
  virtual ~AuxiliaryOutputs() = default;
  virtual std::vector<Tensor> forward_with_aux(const Tensor& x) = 0;
};

// A convolutional autoencoder for images (C, H, W) with sides divisible by 4:
// encoder (two stride-2 convolutions, a linear map to code_size numbers) and
// decoder (its mirror, sigmoid pixels in [0, 1]); forward reconstructs.
std::shared_ptr<nn::Module> autoencoder(const ModelSpec& spec = {}, int64_t code_size = 32);
// DCGAN for images with sides divisible by 4: `generator` from noise (N,
// latent_size) to images in [-1, 1], `discriminator` from images to one
// logit each (forward is the discriminator). width: the discriminator's first
// and the generator's last feature maps (doubled in the middle).
std::shared_ptr<nn::Module> dcgan(const ModelSpec& spec = {}, int64_t latent_size = 100, int64_t width = 64);

// Models trained to reproduce their input (autoencoder): a run's target is
// the input itself and its loss the mean squared error.
class Reconstructor {
 public:
  virtual ~Reconstructor() = default;
};

// Generative adversarial pairs (dcgan): a run trains the two parts against
// each other with two optimizers (train::fit_adversarial).
class AdversarialPair {
 public:
  virtual ~AdversarialPair() = default;
  virtual nn::Module& generator() = 0;      // noise (N, latent_size) -> images
  virtual nn::Module& discriminator() = 0;  // images -> logits (N, 1): real or generated
  virtual int64_t latent_size() const = 0;
};

// Adds a model (an Error if the name is taken).
void register_model(const std::string& name, const std::string& description, Factory factory);
// An Error listing the registered names when `name` is unknown.
std::shared_ptr<nn::Module> create(const std::string& name, const ModelSpec& spec = {});
// {name, description}, sorted by name.
std::vector<std::pair<std::string, std::string>> list();

}  // namespace ember::models
