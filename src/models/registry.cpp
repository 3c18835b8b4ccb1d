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

std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> models = {
      {"mlp", {"reference MLP: Flatten, Linear-512, BatchNorm1d, ReLU, Dropout(0.5), Linear", [](const ModelSpec& s) {
                 return std::shared_ptr<nn::Module>(mlp(s));
               }}},
      {"lenet5", {"LeNet-5: two 5x5 convolutions with tanh and average pooling, three linear layers",
                  [](const ModelSpec& s) { return std::shared_ptr<nn::Module>(lenet5(s)); }}},
  };
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
