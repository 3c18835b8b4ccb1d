// Structured pruning that removes channels physically: whole output channels
// of a convolution (or units of a linear layer) are deleted together with
// their batch-norm features and the matching inputs of the layers that read
// them, so the pruned model is smaller and faster, not just masked.
//
//   const ChannelPlan plan = prune_channels(*model, {.amount = 0.5});  // half of every prunable group
//   auto fresh = models::create("resnet20", spec);
//   apply_channel_plan(*fresh, plan);          // the pruned architecture, to load its state dict
//
// Which channels may go is found from the model's structure: in a
// Sequential, a Conv2d (groups 1) or Linear followed, through per-channel
// layers (activations, dropout, pooling, Flatten) and at most one batch norm,
// by the next Conv2d or Linear; modules with a residual path (ResNet's
// blocks) name their own groups (DeclaresChannelGroups), since the channels
// that join a sum must stay.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn::utils {

// Channels removed together: the outputs of `producer`, the features of
// `norm` (empty: none) and the inputs of each consumer. Names are module
// paths (as named_modules gives them).
struct ChannelGroup {
  std::string producer = {}, norm = {};
  std::vector<std::string> consumers = {};
};

// Modules whose forward is not a plain chain declare their prunable groups
// (names relative to the module).
class DeclaresChannelGroups {
 public:
  virtual ~DeclaresChannelGroups() = default;
  virtual std::vector<ChannelGroup> channel_groups() = 0;
};

// Every prunable group of the model, in module order.
std::vector<ChannelGroup> find_channel_groups(Module& model);

// The architecture of a pruned model: each group's producer with the number of channels it keeps.
using ChannelPlan = std::vector<std::pair<std::string, int64_t>>;

struct ChannelPruneOptions {
  double amount = 0.5;  // the fraction of each group's channels removed (rounded, at least one kept)
  double norm = 1.0;    // channels are ranked by the L-norm of the producer's filter (and bias)
};

// Removes, in every group, the channels whose producer filters have the
// smallest norm; returns the plan (the groups that lost nothing included).
ChannelPlan prune_channels(Module& model, const ChannelPruneOptions& options = {});

// Shrinks a freshly built model of the same architecture to `plan`
// (keeping the first channels of each group), so that the pruned model's
// state dict loads into it. An Error when a producer is not a group of the model.
void apply_channel_plan(Module& model, const ChannelPlan& plan);

// The plan as a JSON object {"producer": kept, ...} (checkpoint metadata) and back.
std::string channel_plan_json(const ChannelPlan& plan);
ChannelPlan parse_channel_plan(const std::string& json, const std::string& where);

}  // namespace ember::nn::utils
