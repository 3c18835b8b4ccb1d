// A model as a checkpoint of `ember train` or `ember prune` holds it: rebuilt
// from the model registry for the checkpoint's data, shrunk to its channel
// plan when it was pruned (nn/channel_prune.h), its weights loaded.
#pragma once

#include <memory>
#include <string>

#include "ember/metadata.h"
#include "ember/nn/module.h"
#include "ember/train/datasets.h"

namespace ember::train {

// The metadata key under which a pruned model's checkpoint records its
// architecture (nn::utils::channel_plan_json).
inline constexpr const char* kChannelPlanKey = "channel_plan";

// The model.* tensors of a checkpoint's state, without the prefix.
nn::StateDict model_tensors(const nn::StateDict& all);

// Gives a freshly built `model` the form of a checkpoint's: shrunk to the
// channel plan `meta` records (if any), with a prune mask on every parameter
// that `tensors` (model_tensors) holds as name_orig / name_mask, so that the
// checkpoint's state dict loads; `where` names the file in errors.
void shape_like_checkpoint(nn::Module& model, const Metadata& meta, const nn::StateDict& tensors,
                           const std::string& where);

struct TrainedModel {
  std::shared_ptr<nn::Module> model;
  LoadedData data;
  Metadata meta;  // the checkpoint's
};

// dataset and root: empty for the checkpoint's own. An Error when the file
// is not a checkpoint of `ember train` or its weights do not fit the model.
TrainedModel load_trained_model(const std::string& path, const std::string& dataset = "",
                                const std::string& root = "");

}  // namespace ember::train
