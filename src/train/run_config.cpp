// The settings table of a run, config.json's settings, and the schedule rules
// that depend on them.
#include "ember/train/run_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ember/error.h"
#include "train/wording.h"

namespace ember::train {

// Every setting once; defaults are RunConfig's.
const std::vector<RunSetting>& run_settings() {
  using C = RunConfig;
  static const std::vector<RunSetting> all = {
      TextSetting{"model", &C::model, "model name (see `ember models`)"},
      TextSetting{"pos", &C::pos, "gpt: position encoding, learned, sinusoidal, rope or alibi"},
      TextSetting{"init-from", &C::init_from,
                  "start from the weights of this checkpoint of the same model (a pruned one from `ember prune` "
                  "brings its smaller architecture); optimizer and schedule start afresh"},
      TextSetting{"dataset", &C::dataset, "dataset name (see `ember datasets`)"},
      TextSetting{"data-root", &C::data_root, "dataset folder or file (fashion-mnist: Debian's package)"},
      TextSetting{"target", &C::target, "csv: the target column"},
      IntegerSetting{"max-classes", &C::max_classes, 2, 1 << 20,
                     "the most classes a dataset may have (a csv label of 10^9 is a typo, not a billion-way classifier)"},
      IntegerSetting{"seq-len", &C::seq_len, 0, 1 << 16,
                     "text: characters per example (the model's context); copy/reverse: tokens (0: 64 for text, 10 for "
                     "copy/reverse)"},
      IntegerSetting{"epochs", &C::epochs, 1, 100000, "training epochs (with --resume: extend the run to this many)"},
      IntegerSetting{"batch-size", &C::batch_size, 1, 1 << 20, "examples per batch"},
      TextSetting{"optimizer", &C::optimizer, "sgd, adam, adamw, nadam, radam, rmsprop, adagrad, adadelta, rprop or asgd"},
      NumberSetting{"lr", &C::lr, 0, 1e3, "learning rate (onecycle: the peak)"},
      NumberSetting{"momentum", &C::momentum, 0, 1, "momentum (sgd, rmsprop); beta1 (adam, adamw, nadam, radam)"},
      NumberSetting{"weight-decay", &C::weight_decay, 0, 10, "weight decay (rprop has none, as PyTorch's)"},
      SwitchSetting{"nesterov", &C::nesterov, "Nesterov momentum (sgd)"},
      TextSetting{"scheduler", &C::scheduler, "none, step, multistep, exponential, cosine, onecycle or plateau"},
      IntegerSetting{"step-size", &C::step_size, 1, 100000, "step: epochs between decays"},
      TextSetting{"milestones", &C::milestones,
                         "multistep: comma-separated epochs to decay at (default: 50% and 75% of the epochs)"},
      NumberSetting{"gamma", &C::gamma, 0, 1, "step/multistep/exponential/plateau: decay factor"},
      IntegerSetting{"plateau-patience", &C::plateau_patience, 0, 100000,
                     "plateau: epochs without improvement before decaying"},
      IntegerSetting{"warmup-epochs", &C::warmup_epochs, 0, 100000, "linear warm-up epochs before the schedule"},
      NumberSetting{"label-smoothing", &C::label_smoothing, 0, 1, "cross-entropy label smoothing"},
      TextSetting{"augment", &C::augment, "training-image augmentation: none, flip, crop or standard (crop + flip)"},
      NumberSetting{"val-split", &C::val_split, 0, 0.9,
                    "fraction of train held out for validation every epoch (deterministic by seed; 0: none, then the best "
             "checkpoint is chosen by training loss)"},
      IntegerSetting{"early-stopping", &C::early_stopping, 0, 100000,
                     "stop after this many epochs without improvement (0: off)"},
      NumberSetting{"clip-grad-norm", &C::clip_grad_norm, 0, 1e9, "clip the gradient norm (0: off)"},
      IntegerSetting{"seed", &C::seed, 0, INT64_MAX, "random seed (weights, shuffling, splits)"},
      IntegerSetting{"threads", &C::threads, 0, 1024, "compute threads (0: all cores)"},
      IntegerSetting{"workers", &C::workers, 0, 64, "data-loading threads"},
      TextSetting{"device", &C::device, "cpu (cuda is not built yet)"},

  };
  return all;
}

RunConfig recipe(const std::string& model) {
  RunConfig c;
  c.model = model;
  if (model == "dcgan") {
    c.optimizer = "adam", c.lr = 2e-4, c.momentum = 0.5, c.weight_decay = 0, c.scheduler = "none", c.val_split = 0;
    c.epochs = 10;
  } else if (model == "autoencoder") {
    c.optimizer = "adam", c.lr = 1e-3, c.weight_decay = 0, c.scheduler = "none", c.epochs = 10;
  }
  return c;
}

std::string config_key(const char* name) {
  std::string key = name;
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

std::string config_json(const RunConfig& config) {
  nlohmann::json j = nlohmann::json::object();
  for (const RunSetting& setting : run_settings())
    std::visit([&](const auto& s) { j[config_key(s.name)] = config.*s.member; }, setting);
  return j.dump();
}

std::string why_not_extendable(const RunConfig& config) {
  if (config.scheduler == "onecycle")
    return "its onecycle schedule spans exactly " + count_of(config.epochs, "epoch") +
           " (the learning rate has annealed to its end)";
  if (config.scheduler == "cosine")
    return "its cosine schedule anneals to its minimum over exactly " + count_of(config.epochs, "epoch");
  if (config.scheduler == "multistep" && config.milestones.empty())
    return "its multistep milestones were derived from its " + count_of(config.epochs, "epoch");
  return "";
}

std::vector<int64_t> parse_milestones(const std::string& text, int64_t epochs) {
  if (text.empty()) return {std::max<int64_t>(epochs / 2, 1), std::max<int64_t>(epochs * 3 / 4, 1)};
  std::vector<int64_t> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    int64_t v = -1;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
    }
    EMBER_CHECK(used == item.size() && v > 0 && (out.empty() || v > out.back()), "--milestones: '", text,
                "' must be increasing positive epoch numbers separated by commas, like 5,10");
    out.push_back(v);
  }
  return out;
}

}  // namespace ember::train
