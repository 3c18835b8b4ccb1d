// The model registry: built-in models are registered on first use.
#include <map>
#include <mutex>

#include "ember/models.h"

namespace ember::models {
namespace {

struct Entry {
  std::string description;
  Factory factory;
};

std::map<std::string, Entry> builtin_models() {
  auto wrap = [](auto make) {
    return [make](const ModelSpec& s) { return std::shared_ptr<nn::Module>(make(s)); };
  };
  std::map<std::string, Entry> m = {
      {"mlp", {"reference MLP: Flatten, Linear-512, BatchNorm1d, ReLU, Dropout(0.5), Linear",
               wrap([](const ModelSpec& s) { return mlp(s); })}},
      {"lenet5", {"LeNet-5: two 5x5 convolutions with tanh and average pooling, three linear layers",
                  wrap([](const ModelSpec& s) { return lenet5(s); })}},
      {"alexnet", {"AlexNet: five convolutions, three 4096-wide linear layers (61.1M parameters at 1000 classes)",
                   wrap([](const ModelSpec& s) { return alexnet(s); })}},
      {"googlenet", {"GoogLeNet (Inception v1), without auxiliary classifiers (6.6M)",
                     wrap([](const ModelSpec& s) { return googlenet(s); })}},
      {"densenet121", {"DenseNet-121: growth 32, blocks 6-12-24-16 (8.0M)",
                       wrap([](const ModelSpec& s) { return densenet121(s); })}},
      {"gpt", {"decoder-only Transformer language model: 4 pre-norm layers, d_model 128, 4 heads (text datasets)",
               wrap([](const ModelSpec& s) { return gpt(s); })}},
      {"transformer", {"encoder-decoder Transformer, 2+2 layers, d_model 64, greedy decoding (copy/reverse datasets)",
                       wrap([](const ModelSpec& s) { return seq2seq_transformer(s); })}},
      {"autoencoder", {"convolutional autoencoder: two stride-2 convolutions to a 32-number code and back (MSE)",
                       wrap([](const ModelSpec& s) { return autoencoder(s); })}},
      {"dcgan", {"DCGAN: generator from 100-d noise and discriminator, trained against each other (two Adams)",
                 wrap([](const ModelSpec& s) { return dcgan(s); })}},
      {"mobilenet_v2", {"MobileNetV2: inverted residuals, depthwise convolutions (3.5M)",
                        wrap([](const ModelSpec& s) { return mobilenet_v2(s); })}},
  };
  for (const auto& [kind, label] : std::map<std::string, std::string>{{"rnn", "tanh RNN"}, {"lstm", "LSTM"}, {"gru", "GRU"}})
    m[kind] = {label + " classifier: image rows as steps, 2 layers of 128, linear on the last state",
               wrap([kind](const ModelSpec& s) { return recurrent_classifier(kind, s); })};
  for (int64_t depth : {18, 34, 50, 101})
    m["resnet" + std::to_string(depth)] = {"ResNet-" + std::to_string(depth) + (depth < 50 ? " (basic blocks)" : " (bottlenecks)"),
                                           wrap([depth](const ModelSpec& s) { return resnet(depth, s); })};
  for (int64_t depth : {20, 32, 56})
    m["resnet" + std::to_string(depth)] = {"ResNet-" + std::to_string(depth) + " for small images (3x3 stem, 16/32/64 channels)",
                                           wrap([depth](const ModelSpec& s) { return resnet(depth, s); })};
  for (int64_t depth : {11, 13, 16, 19})
    for (bool bn : {false, true})
      m["vgg" + std::to_string(depth) + (bn ? "_bn" : "")] = {
          "VGG-" + std::to_string(depth) + (bn ? " with batch norm" : ""),
          wrap([depth, bn](const ModelSpec& s) { return vgg(depth, bn, s); })};
  return m;
}

std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> models = builtin_models();
  return models;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void register_model(const std::string& name, const std::string& description, Factory factory) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  EMBER_CHECK(!registry().count(name), "register_model: a model named '", name, "' is already registered");
  registry()[name] = {description, std::move(factory)};
}

std::shared_ptr<nn::Module> create(const std::string& name, const ModelSpec& spec) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& [n, e] : registry()) known += (known.empty() ? "" : ", ") + n;
    detail::fail("unknown model '", name, "'; registered models: ", known);
  }
  return it->second.factory(spec);
}

std::vector<std::pair<std::string, std::string>> list() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [n, e] : registry()) out.push_back({n, e.description});
  return out;
}

}  // namespace ember::models
