// `ember bench WORKLOAD`: the end-to-end training-step workloads that Ember is
// measured on against PyTorch (bench/compare_pytorch.py --suite runs both).
// Random inputs of the workload's shapes, fixed seeds, warm-up steps left
// out, the median of several timed repetitions; one result line, which also
// gives the FLOP/s achieved as a fraction of the same run's float32 GEMM rate
// (the machine's limit, whatever peer is at hand).
#include <algorithm>
#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>

#include "args.h"
#include "commands.h"
#include "model_cost.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

// One step of a workload and the floating-point operations it does.
struct Step {
  std::function<void()> run;
  double flop = 0;  // per step
};

struct Workload {
  std::string description, unit;  // unit: what `items` counts (samples or tokens)
  double items_per_step;
  std::function<Step()> make;  // builds the model and data
};

// One training step of `model` on (x, y) with cross-entropy (sequence logits flattened).
// Its FLOP count is 6 x the forward MACs: the forward product and the two of the backward
// (input and weight gradients), each a multiply and an add. Convolutions are counted as a
// direct computation does them, so a Winograd layer's equivalent rate can exceed the GEMM's.
Step training_step(std::shared_ptr<nn::Module> model, std::shared_ptr<optim::Optimizer> opt, Tensor x, Tensor y) {
  model->train();
  double macs = 0;
  {
    NoGradGuard no_grad;
    macs = static_cast<double>(forward_macs(*model, x));
  }
  return {[=] {
            opt->zero_grad();
            Tensor logits = (*model)(x);
            if (logits.dim() == 3) logits = logits.reshape({-1, logits.size(2)});
            F::cross_entropy(logits, y.reshape({-1})).backward();
            opt->step();
          },
          6 * macs};
}

// A float32 matrix product of n x n by n x n. At n = 1024 it runs within a few percent of the
// machine's float32 rate (2048 adds nothing but time): the limit the workloads are measured against.
Step gemm_step(int64_t n) {
  manual_seed(0);
  const Tensor a = randn({n, n}), b = randn({n, n});
  return {[a, b] { (void)a.matmul(b); }, 2.0 * static_cast<double>(n * n * n)};
}

std::map<std::string, Workload> workloads() {
  std::map<std::string, Workload> w;
  auto image_model = [](const std::string& name, Shape input, int64_t batch, bool sgd) {
    return [=] {
      manual_seed(0);
      auto model = models::create(name, {.input = input, .classes = 10});
      std::shared_ptr<optim::Optimizer> opt;
      if (sgd) opt = std::make_shared<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.01, .momentum = 0.9});
      else opt = std::make_shared<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 1e-3});
      return training_step(model, opt, rand({batch, input[0], input[1], input[2]}), randint(0, 10, {batch}));
    };
  };
  w["mlp"] = {"reference MLP, 1x28x28, batch 64, Adam", "samples", 64, image_model("mlp", {1, 28, 28}, 64, false)};
  w["lenet5"] = {"LeNet-5, 1x28x28, batch 64, Adam", "samples", 64, image_model("lenet5", {1, 28, 28}, 64, false)};
  w["resnet18-cifar"] = {"ResNet-18 with a 3x3 stem, 3x32x32, batch 32, SGD momentum 0.9", "samples", 32,
                         image_model("resnet18", {3, 32, 32}, 32, true)};
  w["lstm"] = {"embedding 1000x128, LSTM 256, 100 steps, batch 64, classifier on the last state, Adam", "samples", 64, [] {
                 manual_seed(0);
                 auto model = models::recurrent_classifier(
                     "lstm", {.input = {1, 100, 1}, .classes = 10},
                     {.hidden_size = 256, .num_layers = 1, .vocab_size = 1000, .embedding_dim = 128});
                 auto opt = std::make_shared<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 1e-3});
                 return training_step(model, opt, randint(0, 1000, {64, 100}), randint(0, 10, {64}));
               }};
  w["gpt-tiny"] = {"decoder-only Transformer, d_model 256, 4 heads, 4 layers, MLP 1024, GELU, pre-norm, context 128, "
                   "vocabulary 1000, batch 8, AdamW",
                   "tokens", 8 * 128, [] {
                     manual_seed(0);
                     auto model = models::gpt({.input = {128}, .classes = 1000},
                                              {.d_model = 256, .heads = 4, .layers = 4, .d_ff = 1024});
                     auto opt = std::make_shared<optim::AdamW>(model->parameters(), optim::AdamOptions{.lr = 1e-3});
                     return training_step(model, opt, randint(0, 1000, {8, 128}), randint(0, 1000, {8, 128}));
                   }};
  w["gemm"] = {"float32 2048x2048 matrix product (GFLOP/s in place of items/s)", "GFLOP", 2.0 * 2048 * 2048 * 2048 / 1e9,
               [] { return gemm_step(2048); }};
  return w;
}

}  // namespace

int bench_command(int argc, char** argv) {
  const auto all = workloads();
  std::string names;
  for (const auto& [name, w] : all) names += (names.empty() ? "" : ", ") + name;
  const std::string workload = argc > 2 && argv[2][0] != '-' ? argv[2] : "";
  Args args(argc, argv, workload.empty() ? 2 : 3);
  const int64_t threads = args.integer("threads", 0, "compute threads (0: all cores)", 0, 1024);
  const int64_t warmup = args.integer("warmup", 3, "untimed steps first", 0, 1000);
  const int64_t steps = args.integer("steps", 10, "steps per timed repetition", 1, 100000);
  const int64_t repeats = args.integer("repeats", 5, "timed repetitions (the median is reported)", 1, 1000);
  if (args.wants_help() || workload.empty()) {
    std::cout << "usage: ember bench WORKLOAD [flags]\n\nworkloads:\n";
    for (const auto& [name, w] : all) std::cout << "  " << std::left << std::setw(16) << name << w.description << "\n";
    std::cout << "\n" << args.usage();
    return 0;  // listing the workloads is an answer, not an error
  }
  args.check_all_used();
  const auto it = all.find(workload);
  EMBER_CHECK(it != all.end(), "unknown workload '", workload, "'; known: ", names);
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  const Workload& w = it->second;
  const Step step = w.make();
  const double median = median_seconds(step.run, warmup, steps, repeats);
  // The same run's GEMM rate, so the fraction compares like with like on a machine whose speed varies.
  const Step gemm = gemm_step(1024);
  const double gemm_rate = gemm.flop / median_seconds(gemm.run, 1, 3, 3), achieved = step.flop / median;
  std::cout << std::fixed << std::setprecision(1) << workload << "  " << w.items_per_step / median << " " << w.unit
            << "/s  " << std::setprecision(3) << median * 1e3 << " ms/step  (" << get_num_threads()
            << " threads, median of " << repeats << " x " << steps << " steps)  " << std::setprecision(1)
            << achieved / 1e9 << " GFLOP/s = " << std::setprecision(0) << 100 * achieved / gemm_rate
            << "% of this run's float32 GEMM (" << std::setprecision(1) << gemm_rate / 1e9 << " GFLOP/s)\n";
  return 0;
}

}  // namespace ember::cli
