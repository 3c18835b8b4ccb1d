// Physical channel pruning (nn/channel_prune.h): groups found from the
// module tree, channels ranked by filter norm, tensors cut with index_select.
#include "ember/nn/channel_prune.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/container.h"
#include "ember/nn/conv.h"
#include "ember/nn/layers.h"
#include "ember/ops.h"

namespace ember::nn::utils {
namespace {

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// A layer whose channels can be cut: a Linear, or a Conv2d without groups.
bool is_channel_layer(Module& m) {
  if (dynamic_cast<Linear*>(&m)) return true;
  auto* conv = dynamic_cast<Conv2d*>(&m);
  return conv && conv->options().groups == 1;
}

// Layers that act on each channel alone, so a channel removed before them is simply absent after.
bool is_per_channel(Module& m) {
  static const std::set<std::string> types = {
      "ReLU",    "ReLU6",   "LeakyReLU", "ELU",       "SELU",        "CELU",         "GELU",
      "SiLU",    "Mish",    "Tanh",      "Sigmoid",   "Hardswish",   "Hardsigmoid",  "Hardtanh",
      "Softplus", "Softsign", "Tanhshrink", "LogSigmoid", "Identity",  "Dropout",      "Dropout2d",
      "AlphaDropout", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"};
  return types.count(m.type_name()) > 0;
}

// A channel layer's weight and bias.
Tensor& weight_of(Module& m) {
  if (auto* linear = dynamic_cast<Linear*>(&m)) return linear->weight;
  return dynamic_cast<Conv2d&>(m).weight;
}
Tensor& bias_of(Module& m) {
  if (auto* linear = dynamic_cast<Linear*>(&m)) return linear->bias;
  return dynamic_cast<Conv2d&>(m).bias;
}

// A channel layer's outputs (weight rows) and inputs (weight columns; groups are 1).
int64_t outputs_of(Module& m) { return weight_of(m).size(0); }
int64_t inputs_of(Module& m) { return weight_of(m).size(1); }

// The chains of one Sequential's children (names prefixed with its path).
void sequential_groups(Sequential& seq, const std::string& path, std::vector<ChannelGroup>& out) {
  const auto kids = seq.named_children();
  for (size_t i = 0; i < kids.size(); ++i) {
    Module& producer = *kids[i].second;
    if (!is_channel_layer(producer)) continue;
    const bool conv_producer = dynamic_cast<Conv2d*>(&producer) != nullptr;
    ChannelGroup group{.producer = join(path, kids[i].first)};
    bool flattened = false;
    for (size_t j = i + 1; j < kids.size(); ++j) {
      Module& next = *kids[j].second;
      if (is_channel_layer(next)) {
        const bool conv_consumer = dynamic_cast<Conv2d*>(&next) != nullptr;
        // A convolution feeds a convolution directly or a linear layer through Flatten (each channel
        // a block of its inputs); a linear layer feeds a linear one.
        const bool fits = conv_producer ? conv_consumer != flattened : !conv_consumer;
        const bool reads_them = flattened ? inputs_of(next) % outputs_of(producer) == 0
                                          : inputs_of(next) == outputs_of(producer);
        if (fits && reads_them) {
          group.consumers.push_back(join(path, kids[j].first));
          out.push_back(group);
        }
        break;
      }
      if (next.type_name() == "Flatten" && conv_producer && !flattened) {
        flattened = true;
        continue;
      }
      if (auto* norm = dynamic_cast<RunningStatsNorm*>(&next); norm && group.norm.empty() && !flattened &&
                                                              norm->running_mean.defined() &&
                                                              norm->running_mean.numel() == outputs_of(producer)) {
        group.norm = join(path, kids[j].first);
        continue;
      }
      if (!is_per_channel(next)) break;  // anything else (a sum, a reshape, ...) ends the chain unprunable
    }
  }
}

struct Layers {
  std::map<std::string, Module*> by_path;
  Module& get(const std::string& path, const char* op) const {
    auto it = by_path.find(path);
    EMBER_CHECK(it != by_path.end(), op, ": the model has no module '", path, "'");
    return *it->second;
  }
};

Layers layers_of(Module& model) {
  Layers out;
  for (auto& [path, m] : model.named_modules()) out.by_path[path] = m;
  return out;
}


// Cuts the group down to the channels at `keep` (int64, increasing).
void shrink(const Layers& layers, const ChannelGroup& group, const Tensor& keep, const char* op) {
  NoGradGuard no_grad;
  Module& producer = layers.get(group.producer, op);
  EMBER_CHECK(is_channel_layer(producer), op, ": ", group.producer, " (", producer.type_name(),
              ") is not a Linear or an ungrouped Conv2d");
  const int64_t channels = outputs_of(producer);
  EMBER_CHECK(producer.prune_masks().empty(), op, ": ", group.producer,
              " carries pruning masks; make them permanent first (prune::remove)");
  Tensor& weight = weight_of(producer);
  weight = parameter(weight.index_select(0, keep));
  if (Tensor& bias = bias_of(producer); bias.defined()) bias = parameter(bias.index_select(0, keep));
  if (!group.norm.empty()) {
    auto* norm = dynamic_cast<RunningStatsNorm*>(&layers.get(group.norm, op));
    EMBER_CHECK(norm, op, ": ", group.norm, " is not a batch or instance norm");
    norm->keep_features(keep);
  }
  for (const std::string& name : group.consumers) {
    Module& consumer = layers.get(name, op);
    EMBER_CHECK(is_channel_layer(consumer) && consumer.prune_masks().empty(), op, ": ", name,
                " is not an unmasked Linear or ungrouped Conv2d");
    Tensor& w = weight_of(consumer);
    EMBER_CHECK(w.size(1) % channels == 0, op, ": ", name, " reads ", w.size(1), " inputs, not a multiple of ",
                group.producer, "'s ", channels, " channels");
    // Through a Flatten, channel c is the block of inputs [c * per, (c + 1) * per).
    const int64_t per = w.size(1) / channels;
    const Tensor inputs = per == 1 ? keep
                                   : (keep.view({-1, 1}) * per + arange(per, {.dtype = kInt64}).view({1, -1})).reshape({-1});
    w = parameter(w.index_select(1, inputs));
  }
}

}  // namespace

std::vector<ChannelGroup> find_channel_groups(Module& model) {
  std::vector<ChannelGroup> out;
  for (auto& [path, m] : model.named_modules()) {
    if (auto* declares = dynamic_cast<DeclaresChannelGroups*>(m))
      for (ChannelGroup g : declares->channel_groups()) {
        g.producer = join(path, g.producer);
        if (!g.norm.empty()) g.norm = join(path, g.norm);
        for (std::string& c : g.consumers) c = join(path, c);
        out.push_back(std::move(g));
      }
    if (auto* seq = dynamic_cast<Sequential*>(m)) sequential_groups(*seq, path, out);
  }
  return out;
}

ChannelPlan prune_channels(Module& model, const ChannelPruneOptions& options) {
  const char* op = "prune_channels";
  EMBER_CHECK(options.amount >= 0 && options.amount < 1, op, ": amount should be a fraction in [0, 1), got ",
              options.amount);
  EMBER_CHECK(options.norm > 0, op, ": norm should be positive (1, 2, ... or inf), got ", options.norm);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  EMBER_CHECK(!groups.empty(), op, ": ", model.type_name(), " has no prunable channel groups");
  const Layers layers = layers_of(model);
  ChannelPlan plan;
  for (const ChannelGroup& group : groups) {
    Module& producer = layers.get(group.producer, op);
    const Tensor weight = weight_of(producer).detach();
    const int64_t channels = weight.size(0);
    const int64_t removed = std::min<int64_t>(
        static_cast<int64_t>(std::nearbyint(options.amount * static_cast<double>(channels))), channels - 1);
    std::vector<int64_t> rest;
    for (int64_t d = 1; d < weight.dim(); ++d) rest.push_back(d);
    const Tensor score = norm(weight.to(kFloat64), options.norm, rest);
    // The strongest filters, kept in their original order.
    const Tensor keep = std::get<0>(sort(topk(score, channels - removed, 0, true).second));
    shrink(layers, group, keep, op);
    plan.push_back({group.producer, channels - removed});
  }
  return plan;
}

void apply_channel_plan(Module& model, const ChannelPlan& plan) {
  const char* op = "apply_channel_plan";
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const Layers layers = layers_of(model);
  for (const auto& [producer, kept] : plan) {
    const ChannelGroup* group = nullptr;
    for (const ChannelGroup& g : groups)
      if (g.producer == producer) group = &g;
    EMBER_CHECK(group, op, ": ", producer, " is not a prunable channel group of ", model.type_name());
    const int64_t channels = outputs_of(layers.get(producer, op));
    EMBER_CHECK(kept >= 1 && kept <= channels, op, ": ", producer, " has ", channels, " channels; cannot keep ", kept);
    if (kept < channels) shrink(layers, *group, arange(kept, {.dtype = kInt64}), op);
  }
}

std::string channel_plan_json(const ChannelPlan& plan) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [producer, kept] : plan) j[producer] = kept;
  return j.dump();
}

ChannelPlan parse_channel_plan(const std::string& text, const std::string& where) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    detail::fail(where, ": the channel plan is not valid JSON (", e.what(), ")");
  }
  EMBER_CHECK(j.is_object(), where, ": the channel plan should be a JSON object {layer: channels kept}");
  ChannelPlan plan;
  for (const auto& [producer, kept] : j.items()) {
    EMBER_CHECK(kept.is_number_integer() && kept.get<int64_t>() >= 1, where, ": the channel plan's entry '", producer,
                "' should be a positive integer");
    plan.push_back({producer, kept.get<int64_t>()});
  }
  return plan;
}

}  // namespace ember::nn::utils
