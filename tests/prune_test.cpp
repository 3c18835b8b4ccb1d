// Pruning: the masks against PyTorch's torch.nn.utils.prune
// (tests/golden/prune.txt, from make_prune_fixtures.py), the
// weight_orig/weight_mask reparametrization, and the physical channel prune
// checked against the unpruned model itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "ember/ember.h"
#include "fixture_format.h"

namespace ember {
namespace {

namespace prune = nn::utils::prune;
using ::testing::HasSubstr;

struct Golden {
  std::map<std::string, Tensor> weights, importance;
  std::map<std::string, std::map<std::string, Tensor>> masks;  // "case-step" -> layer -> mask
  std::vector<std::string> conv_keys;
};

const Golden& golden() {
  static const Golden g = [] {
    Golden out;
    std::ifstream file(EMBER_GOLDEN_DIR "/prune.txt");
    for (std::string line; std::getline(file, line);) {
      std::istringstream in(line);
      std::string kind, name, layer;
      in >> kind;
      if (kind == "weight" || kind == "importance") {
        in >> name;
        (kind == "weight" ? out.weights : out.importance)[name] = fixtures::parse_tensor(in);
      } else if (kind == "mask") {
        in >> name >> layer;
        out.masks[name][layer] = fixtures::parse_tensor(in);
      } else if (kind == "keys") {
        in >> layer;
        for (std::string key; in >> key;) out.conv_keys.push_back(key);
      }
    }
    return out;
  }();
  return g;
}

struct Layers {
  nn::Conv2d conv{3, 6, 2};
  nn::Linear linear{7, 5};
  Layers() {
    conv.to(kFloat64), linear.to(kFloat64);
    NoGradGuard no_grad;
    conv.weight.copy_(golden().weights.at("conv"));
    linear.weight.copy_(golden().weights.at("linear"));
  }
  nn::Module& operator[](const std::string& name) { return name == "conv" ? static_cast<nn::Module&>(conv) : linear; }
};

using Step = std::function<void(Layers&)>;

const std::map<std::string, std::vector<Step>>& cases() {
  static const std::map<std::string, std::vector<Step>> c = {
      {"l1_fraction", {[](Layers& m) { prune::l1_unstructured(m.conv, "weight", 0.3); }}},
      {"l1_count", {[](Layers& m) { prune::l1_unstructured(m.linear, "weight", 7); }}},
      {"l1_half_rounds_to_even", {[](Layers& m) { prune::l1_unstructured(m.linear, "weight", 0.5); }}},
      {"l1_importance",
       {[](Layers& m) { prune::l1_unstructured(m.linear, "weight", 0.4, golden().importance.at("linear")); }}},
      {"l1_iterative",
       {[](Layers& m) { prune::l1_unstructured(m.conv, "weight", 0.3); },
        [](Layers& m) { prune::l1_unstructured(m.conv, "weight", 0.5); },
        [](Layers& m) { prune::ln_structured(m.conv, "weight", 2, 2, 0); }}},
      {"ln2_dim0", {[](Layers& m) { prune::ln_structured(m.conv, "weight", 0.5, 2, 0); }}},
      {"ln1_dim1", {[](Layers& m) { prune::ln_structured(m.linear, "weight", 0.34, 1, 1); }}},
      {"lninf_dim_last",
       {[](Layers& m) { prune::ln_structured(m.conv, "weight", 1, std::numeric_limits<double>::infinity(), -1); }}},
      {"ln_iterative",
       {[](Layers& m) { prune::ln_structured(m.linear, "weight", 2, 2, 0); },
        [](Layers& m) { prune::ln_structured(m.linear, "weight", 0.5, 1, 0); },
        [](Layers& m) { prune::l1_unstructured(m.linear, "weight", 0.25); }}},
      {"global",
       {[](Layers& m) {
          prune::global_unstructured({{&m.conv, "weight"}, {&m.linear, "weight"}}, prune::GlobalMethod::l1_unstructured,
                                     0.4);
        },
        [](Layers& m) {
          prune::global_unstructured({{&m.conv, "weight"}, {&m.linear, "weight"}}, prune::GlobalMethod::l1_unstructured,
                                     25);
        }}},
      {"custom_then_l1",
       {[](Layers& m) { prune::custom_from_mask(m.linear, "weight", gt(golden().weights.at("linear"), 0.0)); },
        [](Layers& m) { prune::l1_unstructured(m.linear, "weight", 0.5); }}},
  };
  return c;
}

Tensor mask_of(nn::Module& m) {
  for (auto& [name, t] : m.named_buffers())
    if (name == "weight_mask") return t;
  return {};
}

TEST(Prune, MasksMatchPyTorch) {
  for (const auto& [name, steps] : cases()) {
    Layers layers;
    for (size_t i = 0; i < steps.size(); ++i) {
      steps[i](layers);
      const std::string key = name + "-" + std::to_string(i + 1);
      ASSERT_TRUE(golden().masks.count(key)) << key << " has no fixture";
      for (const auto& [layer, want] : golden().masks.at(key)) {
        const Tensor got = mask_of(layers[layer]);
        ASSERT_TRUE(got.defined()) << key << " " << layer;
        EXPECT_EQ(fixtures::compare(got, want, 0, 0), "") << key << " " << layer;
      }
    }
  }
  for (const auto& [key, layers] : golden().masks) EXPECT_TRUE(cases().count(key.substr(0, key.rfind('-')))) << key;
}

TEST(Prune, ReparametrizesAsOrigTimesMask) {
  Layers layers;
  nn::Conv2d& conv = layers.conv;
  const Tensor weight = conv.weight;
  prune::l1_unstructured(conv, "weight", 0.3);
  std::vector<std::string> keys;
  for (const auto& [k, v] : conv.state_dict()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, golden().conv_keys);
  std::vector<std::string> params;
  for (const auto& [k, v] : conv.named_parameters()) params.push_back(k);
  EXPECT_EQ(params, (std::vector<std::string>{"weight_orig", "bias"}));
  // The original parameter stays the trained tensor (an optimizer made before keeps working).
  EXPECT_EQ(conv.named_parameters()[0].second.impl(), weight.impl());
  const Tensor mask = mask_of(conv);
  EXPECT_TRUE(allclose(conv.weight, weight * mask));
  EXPECT_FALSE(mask.requires_grad());

  // Gradients reach only the kept entries: d/d orig = (d/d weight at orig * mask) * mask.
  const Tensor x = randn({2, 3, 4, 4}, {.dtype = kFloat64});
  conv(x).square().sum().backward();
  nn::Conv2d reference(3, 6, 2);
  reference.to(kFloat64);
  {
    NoGradGuard no_grad;
    reference.weight.copy_(weight * mask);
    reference.bias.copy_(conv.bias);
  }
  reference(x).square().sum().backward();
  EXPECT_TRUE(allclose(weight.grad(), reference.weight.grad() * mask, 1e-12, 1e-12));

  // An optimizer step moves the original; the next call sees it, masked.
  optim::SGD sgd(conv.parameters(), {.lr = 0.1});
  sgd.step();
  const Tensor y = conv(x);
  EXPECT_TRUE(allclose(conv.weight, weight * mask));
  EXPECT_TRUE(equal(conv.weight * (ones_like(mask) - mask), zeros_like(weight)));
  (void)y;

  // remove: permanent, the same tensor, masked values.
  prune::remove(conv, "weight");
  EXPECT_EQ(conv.weight.impl(), weight.impl());
  EXPECT_TRUE(equal(conv.weight * (ones_like(mask) - mask), zeros_like(weight)));
  keys.clear();
  for (const auto& [k, v] : conv.state_dict()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"weight", "bias"}));
  EXPECT_FALSE(prune::is_pruned(conv));
}

TEST(Prune, PrunedModelsSaveLoadAndConvert) {
  nn::Sequential a(nn::Linear(4, 6), nn::ReLU(), nn::Linear(6, 2));
  nn::Sequential b(nn::Linear(4, 6), nn::ReLU(), nn::Linear(6, 2));
  prune::l1_unstructured(a.at<nn::Linear>(0), "weight", 0.5);
  EXPECT_TRUE(prune::is_pruned(a));
  // Into an unpruned model the masks are unexpected keys, as PyTorch's.
  EXPECT_THAT([&] { b.load_state_dict(a.state_dict()); }, ::testing::ThrowsMessage<Error>(HasSubstr("weight_orig")));
  prune::identity(b.at<nn::Linear>(0), "weight");
  b.load_state_dict(a.state_dict());
  const Tensor x = randn({3, 4});
  EXPECT_TRUE(allclose(a(x), b(x)));
  a.to(kFloat64);
  EXPECT_EQ(mask_of(a.at<nn::Linear>(0)).dtype(), kFloat64);
  EXPECT_EQ(a(x.to(kFloat64)).dtype(), kFloat64);
}

TEST(Prune, RandomMethodsPruneTheirCountReproducibly) {
  nn::Linear l1(10, 8), l2(10, 8);
  Generator g1(3), g2(3);
  prune::random_unstructured(l1, "weight", 0.25, &g1);
  prune::random_unstructured(l2, "weight", 0.25, &g2);
  EXPECT_EQ(mask_of(l1).sum().item<double>(), 60);
  EXPECT_TRUE(equal(mask_of(l1), mask_of(l2)));
  nn::Conv2d conv(3, 8, 3);
  prune::random_structured(conv, "weight", 3, 0, &g1);
  const Tensor per_channel = mask_of(conv).sum({1, 2, 3});
  EXPECT_EQ(eq(per_channel, 0.0).sum().item<int64_t>(), 3);
  EXPECT_EQ(eq(per_channel, 27.0).sum().item<int64_t>(), 5);
}

TEST(Prune, StridedImportanceScores) {
  Layers a, b;
  const Tensor scores = golden().importance.at("linear");
  const Tensor strided = scores.t().contiguous().t();  // same values, column-major
  ASSERT_FALSE(strided.is_contiguous());
  prune::l1_unstructured(a.linear, "weight", 0.4, scores);
  prune::l1_unstructured(b.linear, "weight", 0.4, strided);
  EXPECT_TRUE(equal(mask_of(a.linear), mask_of(b.linear)));
}

TEST(Prune, BadInputIsAnError) {
  nn::Linear linear(4, 3);
  auto fails = [](const std::function<void()>& f, const std::string& text) {
    EXPECT_THAT(f, ::testing::ThrowsMessage<Error>(HasSubstr(text))) << text;
  };
  fails([&] { prune::l1_unstructured(linear, "weights", 0.5); },
        "prune::l1_unstructured: Linear has no parameter 'weights' (its parameters: weight, bias)");
  fails([&] { prune::l1_unstructured(linear, "weight", 1.5); }, "amount should be a fraction in [0, 1]");
  fails([&] { prune::l1_unstructured(linear, "weight", 13); }, "amount=13 should be smaller than the number of units");
  fails([&] { prune::l1_unstructured(linear, "weight", -1); }, "non-negative count");
  fails([&] { prune::ln_structured(linear, "bias", 1, 2, 0); }, "at least 2 dimensions");
  fails([&] { prune::ln_structured(linear, "weight", 1, 2, 2); }, "dim 2 is out of range");
  fails([&] { prune::l1_unstructured(linear, "weight", 0.5, ones({3})); }, "importance_scores of shape [3]");
  fails([&] { prune::custom_from_mask(linear, "weight", ones({4, 3})); }, "a mask of shape [4, 3]");
  fails([&] { prune::remove(linear, "weight"); }, "prune::remove: parameter 'weight' of Linear is not pruned");
  fails([] { prune::global_unstructured({}, prune::GlobalMethod::l1_unstructured, 0.5); }, "no parameters given");
}

// ---- physical channel pruning ----

// Silences channels `dead` of a group: tiny filters (so they rank lowest) and a batch norm that
// maps them to 0 (so removing them changes nothing downstream).
void silence(Tensor& weight, nn::RunningStatsNorm& norm, const std::vector<int64_t>& dead) {
  NoGradGuard no_grad;
  for (int64_t c : dead) {
    weight.select(0, c).mul_(1e-3);
    norm.weight.select(0, c).zero_();
    norm.bias.select(0, c).zero_();
  }
}

void randomize_stats(nn::Module& model) {
  NoGradGuard no_grad;
  for (nn::Module* m : model.modules())
    if (auto* bn = dynamic_cast<nn::RunningStatsNorm*>(m)) {
      bn->running_mean.copy_(randn(bn->running_mean.sizes()));
      bn->running_var.copy_(rand(bn->running_var.sizes()).add(0.5));
    }
}

TEST(ChannelPrune, LinearChainIsExactWhenTheRemovedUnitsAreSilent) {
  nn::Sequential model(nn::Flatten(), nn::Linear(6, 8), nn::BatchNorm1d(8), nn::ReLU(), nn::Dropout(0.5),
                       nn::Linear(8, 3));
  randomize_stats(model);
  silence(model.at<nn::Linear>(1).weight, model.at<nn::BatchNorm1d>(2), {1, 4, 6, 7});
  model.eval();
  const Tensor x = randn({5, 6});
  const Tensor before = model(x);
  const auto groups = nn::utils::find_channel_groups(model);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].producer, "1");
  EXPECT_EQ(groups[0].norm, "2");
  EXPECT_EQ(groups[0].consumers, std::vector<std::string>{"5"});
  const nn::utils::ChannelPlan plan = nn::utils::prune_channels(model, {.amount = 0.5});
  EXPECT_EQ(plan, (nn::utils::ChannelPlan{{"1", 4}}));
  EXPECT_EQ(model.at<nn::Linear>(1).weight.sizes(), (Shape{4, 6}));
  EXPECT_EQ(model.at<nn::Linear>(5).weight.sizes(), (Shape{3, 4}));
  EXPECT_EQ(model.num_parameters(), 4 * 6 + 4 + 2 * 4 + 3 * 4 + 3);
  EXPECT_TRUE(allclose(model(x), before, 1e-5, 1e-5));
  EXPECT_THAT(model.str(), HasSubstr("in_features=4, out_features=3"));
  model.train();
  model(x).sum().backward();  // the pruned model trains
  EXPECT_EQ(model.at<nn::Linear>(1).weight.grad().sizes(), (Shape{4, 6}));
}

TEST(ChannelPrune, ConvolutionThroughFlattenIntoLinear) {
  nn::Sequential model(nn::Conv2d(2, 6, 3, {.padding = 1}), nn::BatchNorm2d(6), nn::ReLU(), nn::MaxPool2d(2),
                       nn::Conv2d(6, 5, 3), nn::BatchNorm2d(5), nn::Tanh(), nn::Flatten(), nn::Linear(5 * 2 * 2, 4));
  randomize_stats(model);
  silence(model.at<nn::Conv2d>(0).weight, model.at<nn::BatchNorm2d>(1), {0, 3, 5});
  silence(model.at<nn::Conv2d>(4).weight, model.at<nn::BatchNorm2d>(5), {2, 4});
  model.eval();
  const Tensor x = randn({3, 2, 8, 8});
  const Tensor before = model(x);
  const auto plan = nn::utils::prune_channels(model, {.amount = 0.5, .norm = 2});
  EXPECT_EQ(plan, (nn::utils::ChannelPlan{{"0", 3}, {"4", 3}}));  // 6 -> 3; 5 -> 3 (2.5 rounds to 2 removed)
  EXPECT_EQ(model.at<nn::Linear>(8).weight.sizes(), (Shape{4, 12}));
  EXPECT_TRUE(allclose(model(x), before, 1e-5, 1e-5));
}

TEST(ChannelPrune, ResNetBlocksKeepTheirResidualWidth) {
  auto model = models::create("resnet20", {.input = {1, 28, 28}, .classes = 10});
  const auto groups = nn::utils::find_channel_groups(*model);
  ASSERT_EQ(groups.size(), 9u);  // one inside each basic block
  EXPECT_EQ(groups[0].producer, "layer1.0.conv1");
  EXPECT_EQ(groups[0].norm, "layer1.0.bn1");
  EXPECT_EQ(groups[0].consumers, std::vector<std::string>{"layer1.0.conv2"});
  randomize_stats(*model);
  model->eval();
  const Tensor x = randn({2, 1, 28, 28});
  const int64_t before = model->num_parameters();
  const auto plan = nn::utils::prune_channels(*model, {.amount = 0.5});
  EXPECT_LT(model->num_parameters(), before * 6 / 10);
  EXPECT_EQ(model->forward(x).sizes(), (Shape{2, 10}));

  // The plan rebuilds the pruned architecture, which loads the pruned weights exactly.
  const std::string json = nn::utils::channel_plan_json(plan);
  EXPECT_THAT(json, HasSubstr("\"layer3.2.conv1\":32"));
  auto fresh = models::create("resnet20", {.input = {1, 28, 28}, .classes = 10});
  nn::utils::apply_channel_plan(*fresh, nn::utils::parse_channel_plan(json, "test"));
  fresh->load_state_dict(model->state_dict());
  fresh->eval();
  EXPECT_TRUE(equal((*fresh)(x), (*model)(x)));
}

TEST(ChannelPrune, BadInputIsAnError) {
  auto fails = [](const std::function<void()>& f, const std::string& text) {
    EXPECT_THAT(f, ::testing::ThrowsMessage<Error>(HasSubstr(text))) << text;
  };
  nn::Sequential lone(nn::Linear(3, 2));
  fails([&] { nn::utils::prune_channels(lone); }, "prune_channels: Sequential has no prunable channel groups");
  nn::Sequential chain(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  fails([&] { nn::utils::prune_channels(chain, {.amount = 1.0}); }, "amount should be a fraction in [0, 1)");
  fails([&] { nn::utils::apply_channel_plan(chain, {{"2", 1}}); }, "apply_channel_plan: 2 is not a prunable channel group");
  fails([&] { nn::utils::apply_channel_plan(chain, {{"0", 5}}); }, "0 has 4 channels; cannot keep 5");
  fails([] { nn::utils::parse_channel_plan("{\"0\": 0}", "file.safetensors"); },
        "file.safetensors: the channel plan's entry '0' should be a positive integer");
  fails([] { nn::utils::parse_channel_plan("[1]", "f"); }, "should be a JSON object");
  prune::l1_unstructured(chain.at<nn::Linear>(0), "weight", 0.5);
  fails([&] { nn::utils::prune_channels(chain); }, "carries pruning masks; make them permanent first");
  // A chain broken by a layer that mixes channels is not prunable.
  nn::Sequential mixed(nn::Linear(3, 4), nn::Softmax(1), nn::Linear(4, 2));
  EXPECT_TRUE(nn::utils::find_channel_groups(mixed).empty());
}

}  // namespace
}  // namespace ember
