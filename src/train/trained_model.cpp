// Rebuilding a checkpoint's model (train/trained_model.h).
#include "ember/train/trained_model.h"

#include <map>

#include "ember/io.h"
#include "ember/models.h"
#include "ember/nn/channel_prune.h"
#include "ember/nn/prune.h"

namespace ember::train {

nn::StateDict model_tensors(const nn::StateDict& all) {
  nn::StateDict out;
  for (const auto& [k, v] : all)
    if (k.rfind("model.", 0) == 0) out.push_back({k.substr(6), v});
  return out;
}

void shape_like_checkpoint(nn::Module& model, const Metadata& meta, const nn::StateDict& tensors,
                           const std::string& where) {
  try {
    if (auto it = meta.find(kChannelPlanKey); it != meta.end())
      nn::utils::apply_channel_plan(model, nn::utils::parse_channel_plan(it->second, where));
    const std::string suffix = "_mask";
    std::map<std::string, nn::Module*> modules;
    for (auto& [path, m] : model.named_modules()) modules[path] = m;
    for (const auto& [key, value] : tensors) {
      if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
      const size_t dot = key.rfind('.');
      const std::string path = dot == std::string::npos ? "" : key.substr(0, dot);
      const std::string name = key.substr(dot == std::string::npos ? 0 : dot + 1);
      if (auto it = modules.find(path); it != modules.end())
        nn::utils::prune::identity(*it->second, name.substr(0, name.size() - suffix.size()));
    }
  } catch (const Error& e) {
    detail::fail(where, ": ", e.what());
  }
}

TrainedModel load_trained_model(const std::string& path, const std::string& dataset, const std::string& root) {
  TrainedModel out;
  const nn::StateDict all = load(path, &out.meta);
  const Metadata& meta = out.meta;
  const std::string where = "checkpoint " + path;
  EMBER_CHECK(meta.count("model") && meta.count("dataset"), path,
              " was not written by `ember train` (no model/dataset metadata)");
  const std::string name = dataset.empty() ? meta.at("dataset") : dataset;
  std::string data_root = root;
  if (data_root.empty() && name == meta.at("dataset") && meta.count("data_root")) data_root = meta.at("data_root");
  const std::string target = meta.count("target") ? meta.at("target") : "";
  const uint64_t seed = meta.count("seed") ? metadata_uint(meta, "seed", where) : 0;
  const int64_t max_classes = meta.count("max_classes") ? metadata_int(meta, "max_classes", where) : 1000;
  const int64_t seq_len = meta.count("seq_len") ? metadata_int(meta, "seq_len", where) : 64;
  out.data = load_data(name, data_root, target, seed, seq_len, max_classes);
  if (meta.count("pos")) out.data.spec.positions = meta.at("pos");  // gpt's position encoding
  out.model = models::create(meta.at("model"), out.data.spec);
  const nn::StateDict tensors = model_tensors(all);
  shape_like_checkpoint(*out.model, meta, tensors, where);
  try {
    out.model->load_state_dict(tensors);
  } catch (const Error& e) {
    detail::fail(where, ": ", e.what());
  }
  return out;
}

}  // namespace ember::train
