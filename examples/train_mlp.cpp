// Trains the reference MLP on Fashion-MNIST with Ember, written as the
// canonical PyTorch loop: zero_grad, forward, loss, backward, step; then
// evaluation under no-grad. Built against the installed package:
//   cmake -S examples -B build-examples -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build-examples
//   ./build-examples/train_mlp [epochs] [data root]
#include <ember/ember.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>

using namespace ember;

// The reference MLP: 408,074 parameters, named as PyTorch names them (net.1.weight, ...).
struct MLP : nn::Module {
  nn::Sequential net{nn::Flatten(), nn::Linear(784, 512), nn::BatchNorm1d(512),
                     nn::ReLU(),    nn::Dropout(0.5),     nn::Linear(512, 10)};
  MLP() : Module("MLP") {}
  void visit(nn::Visitor& v) override { v.module("net", net); }
  Tensor forward(const Tensor& x) override { return net(x); }
};

int main(int argc, char** argv) try {
  int epochs = 5;
  if (argc > 1) {
    char* end = nullptr;
    const long n = std::strtol(argv[1], &end, 10);
    if (argc > 3 || *end != '\0' || n < 1 || n > 10000) {
      std::cerr << "usage: train_mlp [EPOCHS (1-10000, default 5)] [FASHION_MNIST_ROOT]\n";
      return 2;
    }
    epochs = static_cast<int>(n);
  }
  const std::string root = argc > 2 ? argv[2] : data::FashionMNIST::kDefaultRoot;
  manual_seed(0);

  auto train_set = std::make_shared<data::FashionMNIST>(root, /*train=*/true);
  auto test_set = std::make_shared<data::FashionMNIST>(root, /*train=*/false);
  data::DataLoader train_loader(train_set, {.batch_size = 64, .shuffle = true});
  data::DataLoader test_loader(test_set, {.batch_size = 1000});

  MLP model;
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    double loss_sum = 0;
    int64_t seen = 0;
    for (const data::Batch& batch : train_loader) {
      optimizer.zero_grad();
      const Tensor loss = F::cross_entropy(model(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(batch.target.size(0));
      seen += batch.target.size(0);
    }

    model.eval();
    NoGradGuard no_grad;
    int64_t correct = 0, total = 0;
    for (const data::Batch& batch : test_loader) {
      correct += model(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
      total += batch.target.size(0);
    }
    std::cout << std::fixed << std::setprecision(4) << "epoch " << epoch << "  train_loss "
              << loss_sum / static_cast<double>(seen) << "  test_accuracy "
              << static_cast<double>(correct) / static_cast<double>(total) << std::endl;
  }
  return 0;
} catch (const Error& e) {
  std::cerr << "train_mlp: " << e.what() << "\n";
  return 1;
}
