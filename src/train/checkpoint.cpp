// A run's checkpoints: tensors under model./optimizer., scalars in the
// metadata, doubles as hexadecimal floats so a resumed epoch's running sums
// continue bit for bit.
#include "ember/train/checkpoint.h"

#include <cstdio>

#include "ember/generator.h"
#include "ember/io.h"

namespace ember::train {
namespace {

std::string exact(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

}  // namespace

Metadata section(const Metadata& meta, const std::string& prefix) {
  Metadata out;
  for (const auto& [k, v] : meta)
    if (k.rfind(prefix, 0) == 0) out[k.substr(prefix.size())] = v;
  return out;
}

void save_checkpoint(const std::string& path, const RunState& run, const Metadata& info,
                     const std::optional<EpochProgress>& progress) {
  nn::StateDict tensors;
  for (auto& [k, v] : run.model->state_dict()) tensors.push_back({"model." + k, v});
  const optim::OptimizerState os = run.optimizer->state_dict();
  for (const auto& [k, v] : os.tensors) tensors.push_back({"optimizer." + k, v});
  Metadata meta;
  for (const auto& [k, v] : os.scalars) meta["optimizer." + k] = v;
  if (run.discriminator_optimizer) {
    const optim::OptimizerState ds = run.discriminator_optimizer->state_dict();
    for (const auto& [k, v] : ds.tensors) tensors.push_back({"discriminator_optimizer." + k, v});
    for (const auto& [k, v] : ds.scalars) meta["discriminator_optimizer." + k] = v;
  }
  if (run.scheduler)
    for (const auto& [k, v] : run.scheduler->state_dict()) meta["scheduler." + k] = v;
  if (run.plateau)
    for (const auto& [k, v] : run.plateau->state_dict()) meta["plateau." + k] = v;
  for (const auto& [k, v] : run.stopper->state_dict()) meta["early_stopping." + k] = v;
  meta["rng.seed"] = std::to_string(default_generator().initial_seed());
  meta["rng.offset"] = std::to_string(default_generator().offset());
  for (const auto& [k, v] : info) meta[k] = v;
  if (progress) {
    meta["partial.batch"] = std::to_string(progress->batch);
    meta["partial.loss_sum"] = exact(progress->loss_sum);
    meta["partial.correct"] = std::to_string(progress->correct);
    meta["partial.seen"] = std::to_string(progress->seen);
    meta["partial.seconds"] = exact(progress->seconds);
    meta["partial.lr"] = exact(progress->lr);
    meta["partial.extra_sum"] = exact(progress->extra_sum);
  }
  save(tensors, path, meta);
}

Restored load_checkpoint(const std::string& path, const RunState& run, const std::string& model_name) {
  Metadata meta;
  const nn::StateDict all = load(path, &meta);
  return load_checkpoint(all, meta, path, run, model_name);
}

Restored load_checkpoint(const nn::StateDict& all, const Metadata& meta, const std::string& path, const RunState& run,
                         const std::string& model_name) {
  const std::string where = "checkpoint " + path;
  EMBER_CHECK(meta.count("model") && meta.at("model") == model_name && meta.count("epoch"), "load_checkpoint: ", path,
              " is not a checkpoint of this run's model (", model_name, ")");
  nn::StateDict model_tensors, optimizer_tensors, discriminator_tensors;
  for (const auto& [k, v] : all) {
    if (k.rfind("model.", 0) == 0) model_tensors.push_back({k.substr(6), v});
    if (k.rfind("optimizer.", 0) == 0) optimizer_tensors.push_back({k.substr(10), v});
    if (k.rfind("discriminator_optimizer.", 0) == 0) discriminator_tensors.push_back({k.substr(24), v});
  }
  Restored out;
  out.epochs_done = metadata_int(meta, "epoch", where);
  EMBER_CHECK(out.epochs_done >= 0, where, ": metadata 'epoch' should be non-negative, got ", out.epochs_done);
  const uint64_t seed = metadata_uint(meta, "rng.seed", where), offset = metadata_uint(meta, "rng.offset", where);
  if (meta.count("partial.batch")) {
    out.progress = EpochProgress{.epoch = out.epochs_done,
                                        .batch = metadata_int(meta, "partial.batch", where),
                                        .loss_sum = metadata_double(meta, "partial.loss_sum", where),
                                        .correct = metadata_int(meta, "partial.correct", where),
                                        .seen = metadata_int(meta, "partial.seen", where),
                                        .seconds = metadata_double(meta, "partial.seconds", where),
                                        .lr = metadata_double(meta, "partial.lr", where),
                                        .extra_sum = meta.count("partial.extra_sum")
                                                         ? metadata_double(meta, "partial.extra_sum", where)
                                                         : 0.0};
    EMBER_CHECK(out.progress->batch >= 0 && out.progress->seen >= 0 && out.progress->correct >= 0, where,
                ": the partial-epoch progress holds negative counts");
  }
  // The library's loaders name the key; the file is named here.
  try {
    run.model->load_state_dict(model_tensors);
    run.optimizer->load_state_dict({optimizer_tensors, section(meta, "optimizer.")});
    if (run.discriminator_optimizer)
      run.discriminator_optimizer->load_state_dict({discriminator_tensors, section(meta, "discriminator_optimizer.")});
    if (run.scheduler) run.scheduler->load_state_dict(section(meta, "scheduler."));
    if (run.plateau) run.plateau->load_state_dict(section(meta, "plateau."));
    run.stopper->load_state_dict(section(meta, "early_stopping."));
  } catch (const Error& e) {
    detail::fail(where, ": ", e.what());
  }
  default_generator().set_state(seed, offset);
  return out;
}

}  // namespace ember::train
