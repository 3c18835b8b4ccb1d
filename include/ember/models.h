// The model zoo's registry: name -> factory taking the input shape and class
// count. Parameter names follow PyTorch's (the models are Sequentials).
//   auto model = models::create("lenet5", {.input = {1, 28, 28}, .classes = 10});
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/nn/container.h"

namespace ember::models {

struct ModelSpec {
  Shape input = {1, 28, 28};  // (C, H, W) of one example
  int64_t classes = 10;
};

using Factory = std::function<std::shared_ptr<nn::Module>(const ModelSpec&)>;

// The reference MLP: Flatten, Linear(C*H*W, 512), BatchNorm1d(512), ReLU, Dropout(0.5), Linear(512, classes).
std::shared_ptr<nn::Sequential> mlp(const ModelSpec& spec = {});
// LeNet-5: Conv 6@5x5 (padding 2), tanh, AvgPool 2, Conv 16@5x5, tanh, AvgPool 2, Flatten,
// Linear(16*5*5, 120), ReLU, Linear(120, 84), ReLU, Linear(84, classes) (for 28x28 input).
std::shared_ptr<nn::Sequential> lenet5(const ModelSpec& spec = {});

// Adds a model (an Error if the name is taken).
void register_model(const std::string& name, const std::string& description, Factory factory);
// An Error listing the registered names when `name` is unknown.
std::shared_ptr<nn::Module> create(const std::string& name, const ModelSpec& spec = {});
// {name, description}, sorted by name.
std::vector<std::pair<std::string, std::string>> list();

}  // namespace ember::models
