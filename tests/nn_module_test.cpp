// nn::Module semantics: names, counts, modes, conversion, state dicts and
// their errors, printing, containers, init and gradient utilities.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

using namespace ember;
using ::testing::HasSubstr;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

bool allclose_check(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item<double>() < 1e-6; }

nn::Sequential reference_mlp() {
  return nn::Sequential(nn::Flatten(), nn::Linear(784, 512), nn::BatchNorm1d(512), nn::ReLU(), nn::Dropout(0.5),
                        nn::Linear(512, 10));
}

// The README's custom module.
struct Net : nn::Module {
  nn::Linear fc1{4, 8}, fc2{8, 2};
  nn::Sequential head{nn::ReLU(), nn::Linear(2, 2)};
  Tensor scale = ones({2});
  Net() : Module("Net") {}
  void visit(nn::Visitor& v) override {
    v.module("fc1", fc1);
    v.module("fc2", fc2);
    v.module("head", head);
    v.buffer("scale", scale);
  }
  Tensor forward(const Tensor& x) override { return head(fc2(fc1(x).relu())) * scale; }
};

// The README's side-by-side MLP, verbatim.
struct MLP : nn::Module {
  nn::Sequential net{nn::Flatten(), nn::Linear(784, 512), nn::BatchNorm1d(512),
                     nn::ReLU(), nn::Dropout(0.5), nn::Linear(512, 10)};
  MLP() : Module("MLP") {}
  void visit(nn::Visitor& v) override { v.module("net", net); }   // names: net.1.weight, ...
  Tensor forward(const Tensor& x) override { return net(x); }
};

std::vector<std::string> names(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [n, t] : named) out.push_back(n);
  return out;
}

TEST(Module, ReferenceMlpNamesAndCount) {
  auto mlp = reference_mlp();
  EXPECT_EQ(mlp.num_parameters(), 408074);  // as torch
  EXPECT_EQ(names(mlp.named_parameters()), (std::vector<std::string>{"1.weight", "1.bias", "2.weight", "2.bias",
                                                                      "5.weight", "5.bias"}));
  EXPECT_EQ(names(mlp.named_buffers()),
            (std::vector<std::string>{"2.running_mean", "2.running_var", "2.num_batches_tracked"}));
  EXPECT_EQ(names(mlp.state_dict()),
            (std::vector<std::string>{"1.weight", "1.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var",
                                      "2.num_batches_tracked", "5.weight", "5.bias"}));
  Tensor y = mlp(randn({3, 1, 28, 28}));
  EXPECT_EQ(y.sizes(), (Shape{3, 10}));
  EXPECT_TRUE(y.requires_grad());
}

TEST(Module, ReadmeMlp) {
  MLP model;
  EXPECT_EQ(model.num_parameters(), 408074);
  EXPECT_EQ(model.named_parameters()[0].first, "net.1.weight");
  Tensor loss = F::cross_entropy(model(randn({4, 1, 28, 28})), tensor({1, 2, 3, 4}));
  loss.backward();
  EXPECT_TRUE(model.net.at<nn::Linear>(1).weight.grad().defined());
}

TEST(Module, PrintsLikePyTorch) {
  auto mlp = reference_mlp();
  EXPECT_EQ(mlp.str(),
            "Sequential(\n"
            "  (0): Flatten(start_dim=1, end_dim=-1)\n"
            "  (1): Linear(in_features=784, out_features=512, bias=True)\n"
            "  (2): BatchNorm1d(512, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
            "  (3): ReLU()\n"
            "  (4): Dropout(p=0.5, inplace=False)\n"
            "  (5): Linear(in_features=512, out_features=10, bias=True)\n"
            ")");
  Net net;
  EXPECT_THAT(net.str(), HasSubstr("  (head): Sequential(\n    (0): ReLU()\n    (1): Linear(in_features=2, "));
}

TEST(Module, CustomModuleTraversal) {
  Net net;
  EXPECT_EQ(names(net.named_parameters()), (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                                                      "head.1.weight", "head.1.bias"}));
  EXPECT_EQ(names(net.named_parameters(false)), std::vector<std::string>{});
  EXPECT_EQ(names(net.named_buffers(false)), std::vector<std::string>{"scale"});
  EXPECT_EQ(net.children().size(), 3u);
  std::vector<std::string> module_names;
  for (auto& [n, m] : net.named_modules()) module_names.push_back(n);
  EXPECT_EQ(module_names, (std::vector<std::string>{"", "fc1", "fc2", "head", "head.0", "head.1"}));
  int count = 0;
  net.apply([&](nn::Module&) { ++count; });
  EXPECT_EQ(count, 6);
}

TEST(Module, ForwardHooksSeeEveryCallThroughSequential) {
  nn::Sequential net(nn::Linear(4, 3), nn::ReLU(), nn::Linear(3, 2));
  std::vector<std::string> calls;
  std::vector<size_t> handles;
  for (nn::Module* m : net.children())
    handles.push_back(m->register_forward_hook([&](nn::Module& layer, const Tensor& in, const Tensor& out) {
      std::ostringstream row;
      row << layer.type_name() << " " << in.sizes() << " -> " << out.sizes();
      calls.push_back(row.str());
    }));
  const Tensor y = net(ones({5, 4}));
  EXPECT_EQ(calls, (std::vector<std::string>{"Linear [5, 4] -> [5, 3]", "ReLU [5, 3] -> [5, 3]",
                                             "Linear [5, 3] -> [5, 2]"}));
  for (size_t i = 0; i < handles.size(); ++i) net[i].remove_forward_hook(handles[i]);
  net(ones({5, 4}));
  EXPECT_EQ(calls.size(), 3u) << "removed hooks stay quiet";
  // A hook that removes itself while running.
  size_t self = 0;
  int runs = 0;
  self = net.register_forward_hook([&](nn::Module& m, const Tensor&, const Tensor&) { ++runs, m.remove_forward_hook(self); });
  net(ones({1, 4}));
  net(ones({1, 4}));
  EXPECT_EQ(runs, 1);
  EXPECT_ERROR(net.register_forward_hook({}), "register_forward_hook needs a callable hook");
}

// Tied weights (a language model's embedding and output layer): one parameter
// under two names. parameters() lists it once, state_dict under both names, and
// to(dtype) keeps it shared.
struct Tied : nn::Module {
  nn::Embedding embedding{10, 4};
  nn::Linear head{4, 10, false};
  Tied() : Module("Tied") { head.weight = embedding.weight; }
  void visit(nn::Visitor& v) override { v.module("embedding", embedding), v.module("head", head); }
};

TEST(Module, TiedParametersAreListedOnce) {
  Tied m;
  EXPECT_EQ(m.parameters().size(), 1u);
  EXPECT_EQ(m.named_parameters()[0].first, "embedding.weight");
  EXPECT_EQ(m.num_parameters(), 40);
  const auto state = m.state_dict();
  ASSERT_EQ(state.size(), 2u);
  EXPECT_EQ(state[1].first, "head.weight");
  m.to(kFloat64);
  EXPECT_TRUE(m.head.weight.is_same(m.embedding.weight));
  EXPECT_EQ(m.head.weight.dtype(), kFloat64);
  EXPECT_EQ(m.parameters().size(), 1u);
}

TEST(Module, TrainEvalReachEveryModule) {
  auto mlp = reference_mlp();
  EXPECT_TRUE(mlp.is_training());
  mlp.eval();
  for (nn::Module* m : mlp.modules()) EXPECT_FALSE(m->is_training());
  Tensor x = randn({4, 784});
  EXPECT_TRUE(allclose_check(mlp(x), mlp(x)));  // eval: dropout off, running stats
  mlp.train();
  for (nn::Module* m : mlp.modules()) EXPECT_TRUE(m->is_training());
}

TEST(Module, ToDtypeConvertsParametersBuffersAndGrads) {
  Net net;
  net(randn({3, 4})).sum().backward();
  net.to(kFloat64);
  for (auto& [n, p] : net.named_parameters()) {
    EXPECT_EQ(p.dtype(), kFloat64) << n;
    EXPECT_TRUE(p.is_leaf() && p.requires_grad()) << n;
    EXPECT_EQ(p.grad().dtype(), kFloat64) << n;
  }
  EXPECT_EQ(net.scale.dtype(), kFloat64);
  EXPECT_EQ(net(randn({3, 4}, {.dtype = kFloat64})).dtype(), kFloat64);
  EXPECT_ERROR(net.to(kInt64), "Net.to: expected a floating-point dtype, got int64");
}

TEST(Module, ZeroGrad) {
  Net net;
  net(randn({3, 4})).sum().backward();
  net.zero_grad(false);
  for (const Tensor& p : net.parameters()) EXPECT_EQ(p.grad().abs().sum().item<double>(), 0.0);
  net.zero_grad();
  for (const Tensor& p : net.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, StateDictRoundTrip) {
  Net a, b;
  b.load_state_dict(a.state_dict());
  Tensor x = randn({5, 4});
  EXPECT_TRUE(allclose_check(a(x), b(x)));
  // The state dict shares data with the module (as PyTorch's).
  nn::StateDict state = a.state_dict();
  EXPECT_EQ(state[0].first, "scale");  // a module's own tensors come before its children's, as PyTorch's
  EXPECT_EQ(state[1].first, "fc1.weight");
  state[1].second.fill_(3.0);
  EXPECT_EQ(a.fc1.weight.max().item<double>(), 3.0);
}

TEST(Module, LoadStateDictErrorsListEveryProblem) {
  Net net;
  nn::StateDict state = net.state_dict();
  state.erase(state.begin() + 1);                 // fc1.weight missing
  state.push_back({"fc3.weight", zeros({1})});    // unexpected
  state[1].second = zeros({9});                   // fc1.bias: size mismatch
  EXPECT_ERROR(net.load_state_dict(state), "missing keys: fc1.weight\n  unexpected keys: fc3.weight\n  size mismatch: "
                                           "fc1.bias: checkpoint shape [9], module shape [8]");
  EXPECT_ERROR(net.load_state_dict(state, false), "size mismatch");  // non-strict still checks shapes
  state.erase(state.begin() + 1);
  net.load_state_dict(state, false);  // missing and unexpected keys are fine when not strict
}

TEST(Containers, SequentialIndexingAndErrors) {
  auto mlp = reference_mlp();
  EXPECT_EQ(mlp.size(), 6u);
  EXPECT_EQ(mlp[1].type_name(), "Linear");
  EXPECT_EQ(mlp.at<nn::Linear>(5).weight.sizes(), (Shape{10, 512}));
  EXPECT_ERROR(mlp.at<nn::Linear>(0), "Sequential.at: module 0 is a Flatten");
  EXPECT_ERROR(mlp[6], "Sequential: index 6 is out of range for 6 modules");
  auto shared = std::make_shared<nn::Linear>(2, 2);
  nn::Sequential twice(shared, shared);
  EXPECT_EQ(twice.parameters().size(), 2u);   // each tensor once, as PyTorch's parameters() (remove_duplicate)
  EXPECT_EQ(twice.state_dict().size(), 4u);   // under both names in the state dict
  EXPECT_EQ(twice.modules().size(), 2u);      // and the module itself once
}

TEST(Containers, ModuleListAndDict) {
  nn::ModuleList list(nn::Linear(3, 3), nn::Linear(3, 1));
  EXPECT_EQ(names(list.named_parameters()), (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"}));
  EXPECT_ERROR(list(randn({1, 3})), "ModuleList: this module has no single-input forward(Tensor)");
  nn::ModuleDict dict;
  dict.insert("encoder", nn::Linear(3, 2));
  dict.insert("act", nn::Tanh());
  EXPECT_TRUE(dict.contains("act"));
  EXPECT_EQ(dict.keys(), (std::vector<std::string>{"encoder", "act"}));
  EXPECT_EQ(names(dict.named_parameters()), (std::vector<std::string>{"encoder.weight", "encoder.bias"}));
  EXPECT_ERROR(dict["decoder"], "ModuleDict: no module named 'decoder'");
}

TEST(Layers, DefaultInitialization) {
  manual_seed(0);
  nn::Linear fc(400, 300);
  const double bound = 1.0 / std::sqrt(400.0);
  EXPECT_LE(fc.weight.abs().max().item<double>(), bound);
  EXPECT_GT(fc.weight.abs().max().item<double>(), 0.95 * bound);
  EXPECT_NEAR(fc.weight.std().item<double>(), bound / std::sqrt(3.0), 0.01 * bound);  // uniform's std
  nn::Embedding emb(1000, 16, 3);
  EXPECT_EQ(emb.weight[3].abs().sum().item<double>(), 0.0);
  EXPECT_NEAR(emb.weight.std().item<double>(), 1.0, 0.05);
  nn::BatchNorm2d bn(3);
  EXPECT_EQ(bn.running_var.sum().item<double>(), 3.0);
  EXPECT_EQ(nn::PReLU().weight.item<double>(), 0.25);
}

TEST(Layers, BatchNormTracksBatchesAndErrors) {
  nn::BatchNorm1d bn(3);
  bn(randn({4, 3}));
  bn(randn({4, 3}));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 2);
  EXPECT_ERROR(bn(randn({4, 5})), "BatchNorm1d: expected 3 channels (dim 1), got shape [4, 5]");
  EXPECT_ERROR(bn(randn({1, 3})), "batch_norm: expected more than 1 value per channel when training");
  EXPECT_ERROR(bn(randn({2, 3, 4, 5})), "BatchNorm1d: expected a 2 or 3-D input, got shape [2, 3, 4, 5]");
}

TEST(Layers, DropoutScalesAndIsOffInEval) {
  manual_seed(1);
  nn::Dropout drop(0.25);
  Tensor x = ones({10000});
  Tensor y = drop(x);
  const auto v = y.to_vector<float>();
  for (float e : v) EXPECT_TRUE(e == 0.0f || std::abs(e - 1.0f / 0.75f) < 1e-6f);
  EXPECT_NEAR(y.mean().item<double>(), 1.0, 0.03);
  drop.eval();
  EXPECT_TRUE(drop(x).is_same(x));
  EXPECT_ERROR(nn::Dropout(1.5), "Dropout: probability has to be between 0 and 1, but got 1.5");
}

TEST(Functional, ErrorsNameTheOp) {
  EXPECT_ERROR(F::linear(randn({2, 3}), randn({4, 5})), "linear: input of shape [2, 3] does not end in in_features = 5");
  EXPECT_ERROR(F::cross_entropy(randn({2, 3}), tensor({0, 1, 2})), "nll_loss: input of shape [2, 3] needs a target of shape [2]");
  EXPECT_ERROR(F::cross_entropy(randn({2, 3}), tensor({0, 3})), "nll_loss: target 3 is out of bounds for 3 classes");
  EXPECT_ERROR(F::mse_loss(randn({2, 3}), randn({3, 2})), "mse_loss: shapes [2, 3] and [3, 2] cannot be broadcast");
  EXPECT_ERROR(F::binary_cross_entropy(rand({2}), rand({2}), rand({2}).requires_grad_()),
               "binary_cross_entropy: weight requires grad, but its gradient is not defined (as in PyTorch)");
  EXPECT_ERROR(F::binary_cross_entropy(rand({2}), rand({3})),
               "binary_cross_entropy: using a target size ([3]) that is different to the input size ([2]) is "
               "deprecated. Please ensure they have the same size.");
  EXPECT_ERROR(F::binary_cross_entropy_with_logits(rand({2, 1}), rand({2})),
               "binary_cross_entropy_with_logits: target size ([2]) must be the same as input size ([2, 1])");
  EXPECT_ERROR(F::gelu(randn({2}), "fast"), "gelu: approximate must be 'none' or 'tanh', got 'fast'");
  EXPECT_ERROR(F::layer_norm(randn({2, 3}), {4}), "layer_norm: input of shape [2, 3] does not end in normalized_shape [4]");
  EXPECT_ERROR(F::embedding(tensor({1.0f}), randn({3, 2})), "embedding: indices must be an integer tensor, got float32");
}

// A (N) target for a (N, 1) output broadcasts with PyTorch's warning (its
// values are fixture-checked in nn_parity_test); same shapes warn nothing.
TEST(Functional, RegressionLossesWarnOfABroadcastTarget) {
  std::vector<std::string> warnings;
  const WarningHandler previous = set_warning_handler([&](const std::string& m) { warnings.push_back(m); });
  EXPECT_EQ(F::l1_loss(zeros({3, 1}), ones({3}), nn::Reduction::none).sizes(), (Shape{3, 3}));
  F::huber_loss(zeros({3}), ones({3}));
  set_warning_handler(previous);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "l1_loss: using a target size ([3]) that is different to the input size ([3, 1]). This will "
                         "likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");
}

TEST(Functional, MarginAndLikelihoodLossesErrorsAndShapes) {
  const Tensor x = randn({3, 4});
  EXPECT_EQ(F::multi_margin_loss(randn({4}), scalar_tensor(2, {.dtype = kInt64}), 1, 1.0, {}, nn::Reduction::none).dim(), 0);
  EXPECT_EQ(F::multi_margin_loss(x, tensor({0, 1, 3}), 1, 1.0, {}, nn::Reduction::none).sizes(), (Shape{3}));
  EXPECT_ERROR(F::multi_margin_loss(x, tensor({0, 1, 3}), 3), "multi_margin_loss: only p == 1 and p == 2 are supported");
  EXPECT_ERROR(F::multi_margin_loss(x, tensor({0, 4, 1})), "multi_margin_loss: target 4 is out of range [0, 4)");
  EXPECT_ERROR(F::multi_margin_loss(x, tensor({0, 1})), "multi_margin_loss: input of shape [3, 4] needs one target per sample (3), got shape [2]");
  EXPECT_ERROR(F::multi_margin_loss(x, tensor({0.0f, 1.0f, 2.0f})), "multi_margin_loss: targets must be class indices");
  EXPECT_ERROR(F::multi_margin_loss(x, tensor({0, 1, 2}), 1, 1.0, ones({3})),
               "multi_margin_loss: weight of shape [3] must have one entry per class (4)");
  EXPECT_ERROR(F::multi_margin_loss(randn({2, 3, 4}), tensor({0, 1})), "expected a non-empty (C) or (N, C) input, got shape [2, 3, 4]");
  const Tensor labels = tensor({3, 0, -1, 9, 1, 2, -1, 0, 0, 0, 0, 0}).view({3, 4});
  EXPECT_ERROR(F::multilabel_margin_loss(x, labels), "multilabel_margin_loss: target 9 is out of range [-1, 4)");
  EXPECT_ERROR(F::multilabel_margin_loss(x, tensor({0, 1, -1})), "needs a target of the same shape, got [3]");
  EXPECT_EQ(F::multilabel_margin_loss(randn({4}), tensor({1, -1, 0, 0}), nn::Reduction::none).dim(), 0);
  // Every class a label: no pairs, a zero loss (as PyTorch).
  EXPECT_EQ(F::multilabel_margin_loss(randn({1, 3}), tensor({2, 0, 1}).view({1, 3})).item<float>(), 0.0f);
  EXPECT_ERROR(F::soft_margin_loss(x, ones({4})), "soft_margin_loss: target shape [4] must equal input shape [3, 4]");
  EXPECT_ERROR(F::gaussian_nll_loss(x, x, ones({4})),
               "gaussian_nll_loss: var of shape [4] must have input's shape [3, 4], or that shape without its last dim or with it as 1");
  EXPECT_ERROR(F::gaussian_nll_loss(x, x, -ones({3})), "gaussian_nll_loss: var has negative entries");
  EXPECT_EQ(F::gaussian_nll_loss(x, x, ones({3, 1}), false, 1e-6, nn::Reduction::none).sizes(), (Shape{3, 4}));
  EXPECT_ERROR(F::poisson_nll_loss(x, ones({3})), "poisson_nll_loss: shapes [3, 4] and [3] cannot be broadcast");
  // The modules call the functions with their options.
  EXPECT_EQ(nn::MultiMarginLoss(2, 0.5)(x, tensor({0, 1, 2})).item<float>(),
            F::multi_margin_loss(x, tensor({0, 1, 2}), 2, 0.5).item<float>());
  EXPECT_EQ(nn::GaussianNLLLoss(true)(x, zeros({3, 4}), ones({3})).item<float>(),
            F::gaussian_nll_loss(x, zeros({3, 4}), ones({3}), true).item<float>());
  EXPECT_EQ(nn::PoissonNLLLoss({.log_input = false})(rand({3}) + 1, ones({3})).dim(), 0);
  EXPECT_EQ(nn::HingeEmbeddingLoss(0.5, nn::Reduction::sum)(x, -ones({3, 4})).item<float>(),
            clamp(0.5 - x, 0.0).sum().item<float>());
  // 3-D convolution and pooling: shapes checked, PyTorch's printed form.
  EXPECT_ERROR(F::conv3d(randn({2, 3, 4, 4}), randn({2, 3, 2, 2, 2})), "conv3d: input of shape [2, 3, 4, 4] has 2 channels");
  EXPECT_ERROR(F::conv3d(randn({1, 2, 1, 4, 4}), randn({2, 2, 3, 2, 2})),
               "conv3d: input of shape [1, 2, 1, 4, 4] is smaller than the dilated kernel [2, 2, 3, 2, 2] along depth");
  EXPECT_ERROR(F::conv3d(randn({1, 2, 3, 4, 4}), randn({2, 2, 1, 1, 1}), {}, {1, 1}),
               "conv3d: stride takes one size or three (d, h, w), got [1, 1]");
  EXPECT_ERROR(F::max_pool3d(randn({1, 3, 4}), {2}), "max_pool3d: expected input (N, C, D, H, W) or (C, D, H, W)");
  EXPECT_ERROR(F::avg_pool3d(randn({1, 1, 4, 4, 4}), {2}, {}, {2}), "avg_pool3d: kernel and stride must be positive and "
               "padding at most half the kernel");
  EXPECT_EQ(nn::Conv3d(2, 4, 3, {.padding = 1}).str(), "Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1))");
  EXPECT_EQ(nn::MaxPool3d(2).str(), "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::Conv3d(2, 4, 3)(randn({2, 5, 6, 7})).sizes(), (Shape{4, 3, 4, 5}));
  // CTC: shapes, lengths and labels checked; an impossible target costs inf (or 0 with zero_infinity).
  const Tensor lp = F::log_softmax(randn({4, 2, 5}), 2), targets = tensor({1, 2, 3, 4}).view({2, 2});
  const Tensor both = tensor({4, 4}), two = tensor({2, 2});
  EXPECT_ERROR(F::ctc_loss(randn({4, 2, 5, 1}), targets, both, two), "ctc_loss: log_probs should be floating-point (T, N, C)");
  EXPECT_ERROR(F::ctc_loss(lp, targets, tensor({4, 5}), two), "ctc_loss: input_lengths[1] = 5 should be in [0, 4]");
  EXPECT_ERROR(F::ctc_loss(lp, targets, tensor({4}), two), "ctc_loss: input_lengths should hold one integer per sample (2)");
  EXPECT_ERROR(F::ctc_loss(lp, targets, both, tensor({3, 2})), "ctc_loss: target_lengths ([3, 2]) do not fit targets of shape [2, 2]");
  EXPECT_ERROR(F::ctc_loss(lp, tensor({1, 7, 2, 2}).view({2, 2}), both, two), "ctc_loss: target 7 of sample 0 is not one of the 5 classes");
  EXPECT_ERROR(F::ctc_loss(lp, targets, both, two, 5), "ctc_loss: blank 5 is not one of the 5 classes");
  EXPECT_ERROR(F::ctc_loss(lp, targets.to(kFloat32), both, two), "ctc_loss: targets should be integer class indices");
  const Tensor repeats = tensor({1, 1, 1, 1, 2, 2, 2, 2}).view({2, 4});
  const Tensor impossible = F::ctc_loss(lp, repeats, both, tensor({4, 1}), 0, nn::Reduction::none);
  EXPECT_TRUE(std::isinf(impossible[0].item<float>()));
  EXPECT_TRUE(std::isfinite(impossible[1].item<float>()));
  EXPECT_EQ(nn::CTCLoss(0, nn::Reduction::none, true)(lp, repeats, both, tensor({4, 1}))[0].item<float>(), 0.0f);
}

TEST(Functional, InterpolateErrorsAndUpsamplePrinting) {
  const Tensor x = randn({1, 2, 4, 4});
  EXPECT_EQ(F::interpolate(x, {.size = {6}}).sizes(), (Shape{1, 2, 6, 6}));
  EXPECT_EQ(F::interpolate(x, {.scale_factor = {0.5, 1.5}, .mode = "bilinear"}).sizes(), (Shape{1, 2, 2, 6}));
  EXPECT_ERROR(F::interpolate(x, {}), "interpolate: either size or scale_factor must be given");
  EXPECT_ERROR(F::interpolate(x, {.size = {2}, .scale_factor = {2}}), "interpolate: give size or scale_factor, not both");
  EXPECT_ERROR(F::interpolate(x, {.size = {2}, .mode = "linear"}), "interpolate: got 4-D input, but linear mode needs 3-D input");
  EXPECT_ERROR(F::interpolate(x, {.size = {2}, .align_corners = true}), "align_corners can only be set with the interpolating modes");
  EXPECT_ERROR(F::interpolate(x, {.size = {2, 3, 4}}), "interpolate: size needs 1 or 2 values for an input with 2 spatial dims");
  EXPECT_ERROR(F::interpolate(x, {.size = {2}, .mode = "cubic"}), "interpolate: mode 'cubic' is not one of");
  EXPECT_ERROR(F::interpolate(randn({4, 4}), {.size = {2}}), "expected a 3-D, 4-D or 5-D input (N, C, spatial...), got shape [4, 4]");
  EXPECT_ERROR(F::interpolate(x, {.scale_factor = {0.1}}), "interpolate: output size [0, 0] must be positive");
  EXPECT_ERROR(F::interpolate(x, {.scale_factor = {-2}}), "interpolate: scale_factor must be positive, got -2");
  EXPECT_ERROR(F::interpolate(randn({1, 1, 2, 2, 2}), {.size = {3}, .mode = "area"}), "area mode supports 3-D and 4-D inputs");
  EXPECT_EQ(nn::Upsample({.scale_factor = {2}, .mode = "bilinear"}).str(), "Upsample(scale_factor=2.0, mode='bilinear')");
  EXPECT_EQ(nn::Upsample({.size = {4, 5}}).str(), "Upsample(size=(4, 5), mode='nearest')");
  EXPECT_EQ(nn::UpsamplingBilinear2d({.scale_factor = {1.5}}).str(), "UpsamplingBilinear2d(scale_factor=1.5, mode='bilinear')");
  // Gradients flow back through the index_selects to every input cell read.
  const Tensor leaf = randn({1, 1, 3, 3}).requires_grad_();
  F::interpolate(leaf, {.size = {6, 6}, .mode = "bicubic", .align_corners = true}).sum().backward();
  EXPECT_TRUE(leaf.grad().defined());
  EXPECT_NEAR(leaf.grad().sum().item<float>(), 36.0f, 1e-3);  // cubic weights sum to 1 per output
}

TEST(Layers, MultiheadAttentionOptionsShapesAndErrors) {
  nn::MultiheadAttention mha(6, 2, {.add_bias_kv = true, .kdim = 4, .vdim = 5});
  std::vector<std::string> names;
  for (const auto& [name, p] : mha.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k",
                                             "bias_v", "out_proj.weight", "out_proj.bias"}));
  EXPECT_EQ(mha.k_proj_weight.sizes(), (Shape{6, 4}));
  EXPECT_EQ(mha.bias_k.sizes(), (Shape{1, 1, 6}));
  auto [out, w] = mha.forward(randn({3, 2, 6}), randn({4, 2, 4}), randn({4, 2, 5}));
  EXPECT_EQ(out.sizes(), (Shape{3, 2, 6}));
  EXPECT_EQ(w.sizes(), (Shape{2, 3, 5}));  // 4 keys and the bias key
  EXPECT_ERROR(mha.forward(randn({3, 2, 6}), randn({4, 2, 6}), randn({4, 2, 5})),
               "MultiheadAttention: expected query (3, N, 6), key (S, N, 4) and value (S, N, 5)");
  EXPECT_ERROR(nn::MultiheadAttention(4, 2, {.kdim = 0}), "MultiheadAttention: kdim and vdim must be positive");
}

TEST(Layers, RelativePositionsAndGatedFeedForward) {
  // ALiBi's slopes: 2^-1 .. 2^-8 for 8 heads; 6 heads take 4 of them and every other of the 8-head set.
  EXPECT_EQ(F::alibi_slopes(8)[0], 0.5);
  EXPECT_EQ(F::alibi_slopes(8)[7], std::pow(2.0, -8));
  const std::vector<double> six = F::alibi_slopes(6);
  EXPECT_EQ(six.size(), 6u);
  EXPECT_EQ(six[4], std::pow(2.0, -1.0));  // the 8-head set's 1st (2^-1 for 8 heads) and 3rd
  EXPECT_EQ(six[5], std::pow(2.0, -3.0));
  const Tensor bias = F::alibi_bias(2, 3, 3);
  EXPECT_EQ(bias.sizes(), (Shape{2, 3, 3}));
  EXPECT_EQ(bias[0][2][0].item<float>(), -0.0625f * 2);  // slope 2^-4 for 2 heads (2^(-8/2)), distance 2
  // Rotary positions keep norms and make scores depend on the offset between positions only.
  const Tensor x = randn({1, 6, 4});
  EXPECT_LT((F::rotary_embedding(x).norm(2.0, {-1}) - x.norm(2.0, {-1})).abs().max().item<float>(), 1e-5);
  const Tensor q = randn({1, 1, 4}).expand({1, 6, 4}).contiguous(), k = randn({1, 1, 4}).expand({1, 6, 4}).contiguous();
  const Tensor scores = F::rotary_embedding(q).matmul(F::rotary_embedding(k).transpose(-2, -1))[0];
  EXPECT_NEAR(scores[3][1].item<float>(), scores[4][2].item<float>(), 1e-5);
  EXPECT_ERROR(F::rotary_embedding(randn({2, 3})), "rotary_embedding: expected (..., len, D) with an even D");
  EXPECT_ERROR(nn::MultiheadAttention(6, 2, {.positions = "rope"}), "MultiheadAttention: rope needs an even head dim, got 3");
  EXPECT_ERROR(nn::MultiheadAttention(4, 2, {.add_zero_attn = true, .positions = "alibi"}),
               "positions 'alibi' do not combine with add_bias_kv or add_zero_attn");
  EXPECT_ERROR(nn::MultiheadAttention(4, 2, {.positions = "t5"}), "positions must be '', 'rope' or 'alibi', got 't5'");
  nn::TransformerEncoderLayer gated(8, 2, {.dim_feedforward = 16, .activation = "geglu"});
  EXPECT_EQ(gated.linear1.weight.sizes(), (Shape{32, 8}));  // both halves
  EXPECT_EQ(gated.linear2.weight.sizes(), (Shape{8, 16}));
  EXPECT_ERROR(nn::TransformerEncoderLayer(8, 2, {.activation = "reglu"}),
               "activation must be 'relu', 'gelu', 'swiglu' or 'geglu', got 'reglu'");
  EXPECT_ERROR(F::glu(randn({3, 5})), "glu: halving dimension must be even, but dimension 1 is size 5");
}

TEST(Layers, LstmProjectionShapesAndErrors) {
  nn::LSTM lstm(3, 5, {.num_layers = 2, .proj_size = 2});
  EXPECT_EQ(lstm.named_parameters()[4].first, "weight_hr_l0");
  EXPECT_EQ(lstm.weights[1].w_ih.sizes(), (Shape{20, 2}));  // layer 1 reads the projected h
  EXPECT_EQ(lstm.weights[0].w_hh.sizes(), (Shape{20, 2}));
  auto [out, h, c] = lstm.forward_lstm(randn({4, 6, 3}));
  EXPECT_EQ(out.sizes(), (Shape{4, 6, 2}));
  EXPECT_EQ(h.sizes(), (Shape{2, 6, 2}));
  EXPECT_EQ(c.sizes(), (Shape{2, 6, 5}));
  EXPECT_EQ(lstm.str(), "LSTM(3, 5, num_layers=2, proj_size=2)");
  EXPECT_ERROR(lstm.forward_lstm(randn({4, 6, 3}), zeros({2, 6, 5})), "LSTM: expected h0 of shape (2, 6, 2), got [2, 6, 5]");
  EXPECT_ERROR(nn::LSTM(3, 4, {.proj_size = 4}), "LSTM: proj_size (4) must be at least 0 and smaller than hidden_size (4)");
  EXPECT_ERROR(nn::GRU(3, 4, {.proj_size = 2}), "GRU: proj_size is only supported for LSTM, not RNN or GRU");
}

TEST(Layers, RMSNormAndCumulativeBatchNorm) {
  nn::RMSNorm norm({4});
  EXPECT_EQ(norm.named_parameters().size(), 1u);
  EXPECT_EQ(norm.str(), "RMSNorm((4,), eps=None, elementwise_affine=True)");
  EXPECT_EQ(nn::RMSNorm({2, 3}, 1e-5, false).str(), "RMSNorm((2, 3), eps=1e-05, elementwise_affine=False)");
  const Tensor x = randn({3, 4});
  EXPECT_LT((norm(x) - x / sqrt(x.square().mean({1}, true) + 1.1920928955078125e-07)).abs().max().item<float>(), 1e-6);
  EXPECT_ERROR(F::rms_norm(x, {3}), "rms_norm: input of shape [3, 4] does not end in normalized_shape [3]");
  EXPECT_ERROR(F::rms_norm(x, {4}, ones({3})), "rms_norm: weight of shape [3] must equal normalized_shape [4]");
  EXPECT_ERROR(F::rms_norm(tensor({1, 2}), {2}), "rms_norm: input must be floating point, got int64");
  // momentum None: after k batches the running mean is the plain average of the k batch means.
  nn::BatchNorm1d bn(2, 1e-5, std::nullopt);
  EXPECT_THAT(bn.str(), HasSubstr("momentum=None"));
  const Tensor a = randn({4, 2}), b = randn({4, 2}) + 3;
  bn(a);
  bn(b);
  const Tensor expected = (a.mean({0}) + b.mean({0})) / 2;
  EXPECT_LT((bn.running_mean - expected).abs().max().item<float>(), 1e-6);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 2);
}

TEST(Layers, ConvPaddingModesAndTransposed1d) {
  nn::Conv2d reflect(2, 2, 3, {.padding = 1, .padding_mode = "reflect"});
  EXPECT_EQ(reflect(randn({1, 2, 5, 5})).sizes(), (Shape{1, 2, 5, 5}));
  EXPECT_EQ(reflect.str(), "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect)");
  // Zero padding via padding_mode matches the convolution's own zero padding.
  nn::Conv1d wrap(2, 3, 3, {.padding = 1, .padding_mode = "circular"});
  const Tensor seq = randn({2, 2, 6});
  const Tensor manual = F::conv1d(cat({seq.narrow(2, 5, 1), seq, seq.narrow(2, 0, 1)}, 2), wrap.weight, wrap.bias);
  EXPECT_LT((wrap(seq) - manual).abs().max().item<float>(), 1e-6);
  EXPECT_EQ(wrap.str(), "Conv1d(2, 3, kernel_size=(3,), stride=(1,), padding=(1,), padding_mode=circular)");
  EXPECT_ERROR(nn::Conv2d(2, 2, 3, {.padding_mode = "mirror"}),
               "Conv2d: padding_mode must be one of zeros, reflect, replicate, circular, got 'mirror'");
  EXPECT_ERROR(nn::Conv1d(2, 2, 3, {.padding = {1, 2}}), "Conv1d: padding takes one size, got (1, 2)");
  EXPECT_ERROR(nn::Conv2d(2, 2, 3, {.stride = 2, .padding = nn::Padding::same, .padding_mode = "reflect"})(randn({1, 2, 5, 5})),
               "padding='same' is not supported for strided convolutions");
  nn::ConvTranspose1d up(4, 2, 4, {.stride = 2, .padding = 1});
  EXPECT_EQ(up.weight.sizes(), (Shape{4, 2, 4}));
  EXPECT_EQ(up(randn({3, 4, 5})).sizes(), (Shape{3, 2, 10}));
  EXPECT_EQ(up(randn({4, 5})).sizes(), (Shape{2, 10}));  // unbatched
  EXPECT_EQ(up.str(), "ConvTranspose1d(4, 2, kernel_size=(4,), stride=(2,), padding=(1,))");
  EXPECT_ERROR(F::conv_transpose1d(randn({1, 4, 5}), randn({4, 2, 2, 2})), "conv_transpose1d: weight must be 3-D (in, out/groups, k)");
  EXPECT_ERROR(F::avg_pool2d(randn({1, 1, 4, 4}), {2, 2}, {}, {0, 0}, false, true, 0), "avg_pool2d: divisor_override must not be zero");
}

// Attention over a long sequence keeps one block of scores at a time, forward
// and backward: the peak memory is a small fraction of the (L, S) matrix.
TEST(Functional, LongAttentionMemoryGrowsWithTheBlockNotTheSquare) {
  const int64_t n = 2048;
  Tensor q = randn({n, 16}).requires_grad_(), k = randn({n, 16}).requires_grad_(), v = randn({n, 16}).requires_grad_();
  const auto peak_of = [&](const std::function<Tensor()>& attend) {
    reset_peak_memory_stats(DeviceType::cpu);
    const size_t before = memory_stats(DeviceType::cpu).allocated;
    attend().sum().backward();
    return memory_stats(DeviceType::cpu).peak - before;
  };
  const size_t scores = static_cast<size_t>(n * n) * sizeof(float);  // 16 MiB
  const size_t blockwise = peak_of([&] { return F::scaled_dot_product_attention(q, k, v, {}, 0.0, true); });
  const Tensor blockwise_grad = q.grad().clone();
  q.set_grad(Tensor()), k.set_grad(Tensor()), v.set_grad(Tensor());
  const size_t whole = peak_of([&] {  // one block: the whole matrix at once
    return F::scaled_dot_product_attention_blockwise(q, k, v, {}, 0.0, true, {}, nullptr, n);
  });
  EXPECT_LT(blockwise, scores / 4) << "blockwise peak " << blockwise << " bytes";
  EXPECT_GT(whole, scores) << "one-block peak " << whole << " bytes";
  EXPECT_LT((q.grad() - blockwise_grad).abs().max().item<float>(), 1e-5);
}

// The numerical edge cases of the losses hold for strided inputs too (their
// PyTorch fixtures are in nn_parity_test).
TEST(Functional, EdgeCasesOnStridedInputs) {
  const Tensor x = randn({5, 3}) + 1e4;
  EXPECT_TRUE(eq(F::log_softmax(x.t(), 1), F::log_softmax(x.t().contiguous(), 1)).all().item<bool>());
  const Tensor p = tensor({{0.0f, 1.0f}, {0.5f, 1.0f}}).t().requires_grad_();
  const Tensor y = tensor({{1.0f, 0.0f}, {1.0f, 1.0f}}).t();
  F::binary_cross_entropy(p, y).backward();
  EXPECT_TRUE(lt(p.grad().abs(), std::numeric_limits<double>::infinity()).all().item<bool>());  // finite, no NaN
  EXPECT_FLOAT_EQ(p.grad()[0][0].item<float>(), -1.0f / 1e-12f / 4);  // (p - y) / max(p (1 - p), 1e-12) / numel
  const Tensor logits = randn({4, 3}).t().requires_grad_();  // (3, 4): 3 samples of 4 classes
  const Tensor loss = F::cross_entropy(logits, tensor({-100, -100, -100}));
  EXPECT_TRUE(std::isnan(loss.item<float>()));
  loss.backward();
  EXPECT_EQ(logits.grad().abs().sum().item<float>(), 0.0f);
}

TEST(Functional, PaddingAndPixelShuffleErrors) {
  const Tensor x = zeros({1, 2, 3});
  EXPECT_EQ(F::pad(x, {-1, 2}, "constant", 5).sizes(), (Shape{1, 2, 4}));  // a negative pad crops
  EXPECT_EQ(F::pad(zeros({3}), {1, 1}).sizes(), (Shape{5}));               // constant: any rank
  EXPECT_EQ(F::pad(x, {3, 3}, "circular").sizes(), (Shape{1, 2, 9}));
  EXPECT_ERROR(F::pad(x, {1}), "pad: padding length must be even");
  EXPECT_ERROR(F::pad(x, {1, 1, 1, 1, 1, 1, 1, 1}), "pad: padding [1, 1, 1, 1, 1, 1, 1, 1] covers 4 dims");
  EXPECT_ERROR(F::pad(x, {1, 1}, "mirror"), "pad: mode must be 'constant', 'reflect', 'replicate' or 'circular'");
  EXPECT_ERROR(F::pad(x, {3, 0}, "reflect"), "pad: reflect padding (3, 0) must be less than the size 3 of dim 2");
  EXPECT_ERROR(F::pad(x, {4, 0}, "circular"), "pad: circular padding (4, 0) must be at most the size 3");
  EXPECT_ERROR(F::pad(x, {-1, 0}, "replicate"), "pad: mode 'replicate' takes no negative padding");
  EXPECT_ERROR(F::pad(zeros({3}), {1, 1}, "reflect"), "pad: mode 'reflect' pads 1 to 3 trailing dims");
  EXPECT_ERROR(F::pad(x, {-2, -2}), "leaves a negative size");
  EXPECT_EQ(nn::PixelShuffle(3)(zeros({2, 18, 4, 5})).sizes(), (Shape{2, 2, 12, 15}));
  EXPECT_EQ(nn::PixelUnshuffle(2)(zeros({3, 4, 6})).sizes(), (Shape{12, 2, 3}));  // unbatched
  EXPECT_ERROR(F::pixel_shuffle(zeros({1, 6, 2, 2}), 2), "pixel_shuffle: the 6 channels");
  EXPECT_ERROR(F::pixel_unshuffle(zeros({1, 1, 3, 4}), 2), "pixel_unshuffle: height 3 and width 4");
  EXPECT_ERROR(F::pixel_shuffle(zeros({4, 4}), 2), "at least 3 dims");
  EXPECT_ERROR(F::pixel_shuffle(zeros({1, 4, 2, 2}), 0), "upscale_factor must be positive");
  nn::PixelShuffle shuffle(2);
  std::ostringstream printed;
  printed << shuffle;
  EXPECT_THAT(printed.str(), HasSubstr("PixelShuffle(upscale_factor=2)"));
}

TEST(Layers, ConvAndPoolShapesPrintingAndErrors) {
  nn::Conv2d conv(3, 8, 3, {.stride = 2, .padding = 1});
  EXPECT_EQ(conv.weight.sizes(), (Shape{8, 3, 3, 3}));
  EXPECT_EQ(conv(randn({2, 3, 32, 32})).sizes(), (Shape{2, 8, 16, 16}));
  EXPECT_EQ(conv.str(), "Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))");
  nn::Conv2d same(4, 4, {3, 5}, {.padding = nn::Padding::same, .groups = 2, .bias = false});
  EXPECT_EQ(same(randn({1, 4, 7, 9})).sizes(), (Shape{1, 4, 7, 9}));
  EXPECT_EQ(same.str(), "Conv2d(4, 4, kernel_size=(3, 5), stride=(1, 1), padding=same, groups=2, bias=False)");
  EXPECT_EQ(nn::MaxPool2d(2).str(), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::ConvTranspose2d(4, 2, 2, {.stride = 2})(randn({1, 4, 5, 5})).sizes(), (Shape{1, 2, 10, 10}));
  EXPECT_ERROR(conv(randn({2, 4, 8, 8})), "conv2d: input of shape [2, 4, 8, 8] (4 channels) does not fit weight");
  EXPECT_ERROR(conv(randn({8, 8})), "conv2d: expected a 3-D or 4-D input, got shape [8, 8]");
  EXPECT_ERROR(nn::Conv2d(3, 4, 3, {.groups = 2}), "Conv2d: in_channels (3) and out_channels (4) must be divisible by groups (2)");
  EXPECT_ERROR(F::conv2d(randn({1, 1, 2, 2}), randn({1, 1, 3, 3})), "is larger than the padded input");
  EXPECT_ERROR(F::conv2d(randn({1, 1, 4, 4}), randn({1, 1, 3, 3}), {}, {2, 2}, nn::Padding::same),
               "conv2d: padding='same' is not supported for strided convolutions");
  EXPECT_ERROR(F::max_pool2d(randn({1, 1, 4, 4}), {2, 2}, {}, {2, 2}), "max_pool2d: padding [2, 2] must be non-negative and at most half the kernel");
  EXPECT_ERROR(F::avg_pool2d(randn({4, 4}), {2, 2}), "avg_pool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input");
  EXPECT_ERROR(F::conv2d(randn({1, 2, 4, 4}), randn({3, 2, 3, 3}, {.dtype = kFloat64})),
               "convolution: input, weight and bias must have one dtype, got float32, float64 and no bias");
  EXPECT_ERROR(convolution(ones({1, 2, 4, 4}, {.dtype = kInt64}), ones({3, 2, 3, 3}, {.dtype = kInt64}), Tensor(),
                           {1, 1}, {0, 0}, {1, 1}, 1, {2, 2}),
               "convolution: expected a floating-point input, got int64");
  EXPECT_ERROR(convolution(randn({1, 2, 4, 4}), randn({3, 2, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 1, {2}),
               "convolution: stride, padding, dilation and output size are (h, w) pairs, got [2]");
  EXPECT_ERROR(native_batch_norm(randn({4, 3}), randn({2}), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5),
               "batch_norm: weight of shape [2] does not match the 3 channels of input [4, 3]");
  EXPECT_ERROR(native_batch_norm(randn({4, 3}), Tensor(), Tensor(), zeros({3}, {.dtype = kFloat64}), Tensor(), true,
                                 0.1, 1e-5),
               "batch_norm: running_mean has dtype float64, expected the input's float32");
  EXPECT_ERROR(native_batch_norm(randn({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5),
               "batch_norm: expected more than 1 value per channel when training, got input shape [1, 3]");
  EXPECT_ERROR(im2col(randn({1, 1, 4, 4}), {0, 2}, {1, 1}, {0, 0}, {1, 1}, {3, 3}), "im2col: kernel [0, 2], stride [1, 1] and dilation [1, 1] must be positive");
}

TEST(Init, Formulas) {
  manual_seed(2);
  Tensor w = empty({256, 512});
  nn::init::xavier_uniform_(w);
  EXPECT_LE(w.abs().max().item<double>(), std::sqrt(6.0 / 768));
  nn::init::kaiming_normal_(w, 0.0, nn::init::FanMode::fan_in, "relu");
  EXPECT_NEAR(w.std().item<double>(), std::sqrt(2.0 / 512), 0.002);
  nn::init::trunc_normal_(w, 0.0, 1.0, -0.5, 0.5);
  EXPECT_LE(w.abs().max().item<double>(), 0.5);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.01);
  // A standard normal truncated to [-2, 2] has variance 1 - 4 phi(2) / (Phi(2) - Phi(-2)) = 0.77371;
  // to [0.5, 3], mean (phi(0.5) - phi(3)) / (Phi(3) - Phi(0.5)) = 1.13166.
  nn::init::trunc_normal_(w, 0.0, 1.0, -2.0, 2.0);
  EXPECT_NEAR(w.var().item<double>(), 0.77371, 0.01);
  nn::init::trunc_normal_(w, 0.0, 1.0, 0.5, 3.0);
  EXPECT_NEAR(w.mean().item<double>(), 1.13166, 0.005);
  EXPECT_GE(w.min().item<double>(), 0.5);
  EXPECT_NEAR(nn::init::calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04), 1e-12);
  EXPECT_EQ(nn::init::calculate_gain("tanh"), 5.0 / 3.0);
  Tensor conv = empty({4, 2, 3, 3});
  nn::init::dirac_(conv, 2);
  EXPECT_EQ(conv.sum().item<double>(), 4.0);
  EXPECT_EQ(conv[1][1][1][1].item<double>(), 1.0);
  for (auto shape : {Shape{6, 3}, Shape{3, 6}, Shape{4, 2, 2}}) {
    Tensor q = empty(shape, {.dtype = kFloat64});
    nn::init::orthogonal_(q, 2.0);
    const Tensor m2 = q.reshape({shape[0], -1}) / 2.0;
    const Tensor gram = shape[0] >= m2.size(1) ? m2.t().matmul(m2) : m2.matmul(m2.t());
    EXPECT_LT((gram - eye(gram.size(0), {}, {.dtype = kFloat64})).abs().max().item<double>(), 1e-12) << shape;
  }
  Tensor m = empty({3, 4});
  nn::init::eye_(m);
  EXPECT_EQ(m.sum().item<double>(), 3.0);
  EXPECT_ERROR(nn::init::xavier_uniform_(m = empty({3})), "calculate_fan_in_and_fan_out: fan in and fan out need");
  Tensor p = nn::parameter(zeros({2}));
  nn::init::constant_(p, 0.5);  // in place on a leaf that requires grad: allowed, as in PyTorch
  EXPECT_EQ(p.sum().item<double>(), 1.0);
}

TEST(Utils, ClipGradNormAndValue) {
  Tensor a = nn::parameter(zeros({2})), b = nn::parameter(zeros({1}));
  a.set_grad(tensor({3.0f, 0.0f}));
  b.set_grad(tensor({4.0f}));
  EXPECT_NEAR(nn::utils::clip_grad_norm_({a, b}, 1.0).item<double>(), 5.0, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<double>(), 0.6, 1e-5);
  EXPECT_NEAR(b.grad()[0].item<double>(), 0.8, 1e-5);
  nn::utils::clip_grad_value_({a, b}, 0.7);
  EXPECT_NEAR(b.grad()[0].item<double>(), 0.7, 1e-6);
  b.set_grad(tensor({std::nanf("")}));
  EXPECT_ERROR(nn::utils::clip_grad_norm_({a, b}, 1.0, 2.0, true), "clip_grad_norm_: the total norm");
  Tensor v = nn::utils::parameters_to_vector({a, b});
  EXPECT_EQ(v.sizes(), (Shape{3}));
  nn::utils::vector_to_parameters(tensor({1.0f, 2.0f, 3.0f}), {a, b});
  EXPECT_EQ(b.item<double>(), 3.0);
  EXPECT_ERROR(nn::utils::vector_to_parameters(tensor({1.0f}), {a, b}), "vector_to_parameters: expected a 1-D vector of 3");
}

// The one-pass total norm against the norm of all gradients concatenated, for
// several orders, strided gradients of several dtypes and sizes past one chunk.
TEST(Utils, ClipGradNormMatchesTheNormOfAllGradientsTogether) {
  for (double order : {1.0, 2.0, 3.0, std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(order);
    Tensor a = nn::parameter(zeros({300, 500}, {.dtype = kFloat64})), b = nn::parameter(zeros({7}));
    a.set_grad(randn({500, 300}, {.dtype = kFloat64}).t());  // not contiguous
    b.set_grad(randn({7}));
    const double expected =
        norm(cat({a.grad().reshape({-1}), b.grad().to(kFloat64)}), order).item<double>();
    const double max_norm = 0.5 * expected;
    const Tensor total = nn::utils::clip_grad_norm_({a, b}, max_norm, order);
    EXPECT_EQ(total.dtype(), kFloat64);  // the first gradient's dtype
    EXPECT_NEAR(total.item<double>(), expected, 1e-9 * expected);
    const double after = norm(cat({a.grad().reshape({-1}), b.grad().to(kFloat64)}), order).item<double>();
    EXPECT_NEAR(after, max_norm, 1e-5 * max_norm);
  }
  Tensor c = nn::parameter(zeros({3}));
  c.set_grad(tensor({1.0f, 2.0f, 2.0f}));
  EXPECT_ERROR(nn::utils::clip_grad_norm_({c}, 1.0, -1.0), "clip_grad_norm_: the norm type must be positive");
  EXPECT_EQ(nn::utils::clip_grad_norm_({nn::parameter(zeros({2}))}, 1.0).item<double>(), 0.0);  // no gradients
  // A norm within the bound leaves the gradients exactly as they were.
  EXPECT_EQ(nn::utils::clip_grad_norm_({c}, 10.0).item<double>(), 3.0);
  EXPECT_EQ(c.grad().to_vector<float>(), (std::vector<float>{1.0f, 2.0f, 2.0f}));
}

}  // namespace
