// Flags over a JSON config, the run's config.json, and the optimizers and
// schedules the settings name.
#include "train_settings.h"

#include <fstream>
#include <set>

#include "format.h"

namespace ember::cli {
namespace {

using Json = nlohmann::json;

// Reads each setting once: from its flag, else the config, else the default.
class SettingReader {
 public:
  SettingReader(Args& args, const Json& config, const std::string& source) : args_(args), config_(config), source_(source) {}

  std::string text(const std::string& flag, const std::string& fallback, const std::string& help) {
    const Json* v = find(flag);
    if (v && !v->is_string()) bad(flag, "a string");
    return args_.get(flag, v ? v->get<std::string>() : fallback, help);
  }
  int64_t integer(const std::string& flag, int64_t fallback, const std::string& help, int64_t lo, int64_t hi) {
    const Json* v = find(flag);
    if (v && !v->is_number_integer()) bad(flag, "an integer");
    return args_.integer(flag, v ? v->get<int64_t>() : fallback, help, lo, hi);
  }
  double number(const std::string& flag, double fallback, const std::string& help, double lo, double hi) {
    const Json* v = find(flag);
    if (v && !v->is_number()) bad(flag, "a number");
    return args_.number(flag, v ? v->get<double>() : fallback, help, lo, hi);
  }
  bool flag(const std::string& flag, const std::string& help) {
    const Json* v = find(flag);
    if (v && !v->is_boolean()) bad(flag, "true or false");
    const bool given = args_.flag(flag, help);
    return args_.given(flag) ? given : v && v->get<bool>();
  }
  // Keys of the config that no setting read (typos) are errors; a run's
  // config.json also records facts about the run, which are not settings.
  void check_all_read() const {
    static const std::set<std::string> facts = {"input", "classes", "ember_version", "git_hash", "parameters"};
    for (const auto& [key, value] : config_.items())
      EMBER_CHECK(read_.count(key) || facts.count(key), "--config: ", source_, " has an unknown setting '", key,
                  "' (the settings are the flags of `ember train --help`, with _ for -)");
  }

 private:
  const Json* find(const std::string& flag) {
    std::string key = flag;
    for (char& c : key)
      if (c == '-') c = '_';
    read_.insert(key);
    auto it = config_.find(key);
    return it == config_.end() || it->is_null() ? nullptr : &*it;
  }
  [[noreturn]] void bad(const std::string& flag, const char* expected) const {
    detail::fail("--config: ", source_, ": setting '", flag, "' should be ", expected);
  }

  Args& args_;
  const Json& config_;
  std::string source_;
  std::set<std::string> read_;
};

}  // namespace

Json read_json_file(const std::string& path, const std::string& flag) {
  std::ifstream in(path);
  EMBER_CHECK(in.good(), flag, ": cannot read ", path);
  Json j;
  try {
    in >> j;
  } catch (const Json::exception& e) {
    detail::fail(flag, ": ", path, " is not valid JSON (", e.what(), ")");
  }
  EMBER_CHECK(j.is_object(), flag, ": ", path, " should hold one JSON object of settings");
  return j;
}

Settings read_settings(Args& args, const Json& config, const std::string& source) {
  SettingReader r(args, config, source);
  Settings s;
  s.model = r.text("model", "lenet5", "model name (see `ember models`)");
  s.dataset = r.text("dataset", "fashion-mnist", "dataset name (see `ember datasets`)");
  s.data_root = r.text("data-root", "", "dataset folder or file (fashion-mnist: Debian's package)");
  s.target = r.text("target", "", "csv: the target column");
  s.max_classes = r.integer("max-classes", 1000, "the most classes a dataset may have (a csv label of 10^9 is a typo, "
                            "not a billion-way classifier)", 2, 1 << 20);
  s.seq_len = r.integer("seq-len", 0, "text: characters per example (the model's context); copy/reverse: tokens "
                        "(0: 64 for text, 10 for copy/reverse)", 0, 1 << 16);
  s.epochs = r.integer("epochs", 15, "training epochs (with --resume: extend the run to this many)", 1, 100000);
  s.batch_size = r.integer("batch-size", 128, "examples per batch", 1, 1 << 20);
  s.optimizer = r.text("optimizer", "adamw", "sgd, adam, adamw, nadam, radam, rmsprop, adagrad or adadelta");
  s.lr = r.number("lr", 0.01, "learning rate (onecycle: the peak)", 0, 1e3);
  s.momentum = r.number("momentum", 0.9, "momentum (sgd, rmsprop)", 0, 1);
  s.weight_decay = r.number("weight-decay", 1e-4, "weight decay", 0, 10);
  s.nesterov = r.flag("nesterov", "Nesterov momentum (sgd)");
  s.scheduler = r.text("scheduler", "onecycle", "none, step, multistep, exponential, cosine, onecycle or plateau");
  s.step_size = r.integer("step-size", 5, "step: epochs between decays", 1, 100000);
  s.milestones = r.text("milestones", "", "multistep: comma-separated epochs to decay at (default: 50% and 75% of the epochs)");
  s.gamma = r.number("gamma", 0.5, "step/multistep/exponential/plateau: decay factor", 0, 1);
  s.plateau_patience = r.integer("plateau-patience", 2, "plateau: epochs without improvement before decaying", 0, 100000);
  s.warmup_epochs = r.integer("warmup-epochs", 0, "linear warm-up epochs before the schedule", 0, 100000);
  s.label_smoothing = r.number("label-smoothing", 0.0, "cross-entropy label smoothing", 0, 1);
  s.augment = r.text("augment", "none", "training-image augmentation: none, flip, crop or standard (crop + flip)");
  s.val_split = r.number("val-split", 0.1, "fraction of train held out for validation every epoch (deterministic by "
                         "seed; 0: none, then the best checkpoint is chosen by training loss)", 0, 0.9);
  s.early_stopping = r.integer("early-stopping", 0, "stop after this many epochs without improvement (0: off)", 0, 100000);
  s.clip_grad_norm = r.number("clip-grad-norm", 0.0, "clip the gradient norm (0: off)", 0, 1e9);
  s.seed = r.integer("seed", 0, "random seed (weights, shuffling, splits)", 0, INT64_MAX);
  s.threads = r.integer("threads", 0, "compute threads (0: all cores)", 0, 1024);
  s.workers = r.integer("workers", 0, "data-loading threads", 0, 64);
  s.device = r.text("device", "cpu", "cpu (cuda is not built yet)");
  r.check_all_read();
  return s;
}

Json to_json(const Settings& s) {
  return {{"model", s.model}, {"dataset", s.dataset}, {"data_root", s.data_root}, {"target", s.target},
          {"max_classes", s.max_classes}, {"epochs", s.epochs}, {"batch_size", s.batch_size},
          {"optimizer", s.optimizer}, {"lr", s.lr}, {"momentum", s.momentum}, {"weight_decay", s.weight_decay},
          {"nesterov", s.nesterov}, {"scheduler", s.scheduler}, {"step_size", s.step_size}, {"gamma", s.gamma},
          {"warmup_epochs", s.warmup_epochs}, {"label_smoothing", s.label_smoothing}, {"val_split", s.val_split},
          {"early_stopping", s.early_stopping}, {"clip_grad_norm", s.clip_grad_norm}, {"seed", s.seed},
          {"milestones", s.milestones}, {"augment", s.augment}, {"plateau_patience", s.plateau_patience},
          {"seq_len", s.seq_len}, {"threads", s.threads}, {"workers", s.workers}, {"device", s.device}};
}

std::unique_ptr<optim::Optimizer> make_optimizer(const Settings& s, std::vector<Tensor> params) {
  const double lr = s.lr, wd = s.weight_decay;
  const std::string& name = s.optimizer;
  if (name == "sgd")
    return std::make_unique<optim::SGD>(std::move(params), optim::SGDOptions{.lr = lr, .momentum = s.momentum,
                                                                             .weight_decay = wd, .nesterov = s.nesterov});
  if (name == "adam") return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "adamw") return std::make_unique<optim::AdamW>(std::move(params), optim::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "nadam") return std::make_unique<optim::NAdam>(std::move(params), optim::NAdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "radam") return std::make_unique<optim::RAdam>(std::move(params), optim::RAdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "rmsprop")
    return std::make_unique<optim::RMSprop>(std::move(params),
                                            optim::RMSpropOptions{.lr = lr, .weight_decay = wd, .momentum = s.momentum});
  if (name == "adagrad")
    return std::make_unique<optim::Adagrad>(std::move(params), optim::AdagradOptions{.lr = lr, .weight_decay = wd});
  if (name == "adadelta")
    return std::make_unique<optim::Adadelta>(std::move(params), optim::AdadeltaOptions{.lr = lr, .weight_decay = wd});
  detail::fail("unknown optimizer '", name, "'; known optimizers: sgd, adam, adamw, nadam, radam, rmsprop, adagrad, adadelta");
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

Schedule make_schedule(const Settings& s, optim::Optimizer& opt, int64_t batches_per_epoch) {
  Schedule out;
  const int64_t decay_epochs = std::max<int64_t>(s.epochs - s.warmup_epochs, 1);
  std::unique_ptr<optim::LRScheduler> decay;
  if (s.scheduler == "step") decay = std::make_unique<optim::StepLR>(opt, optim::StepLROptions{s.step_size, s.gamma});
  else if (s.scheduler == "multistep")
    decay = std::make_unique<optim::MultiStepLR>(opt, optim::MultiStepLROptions{parse_milestones(s.milestones, decay_epochs), s.gamma});
  else if (s.scheduler == "exponential") decay = std::make_unique<optim::ExponentialLR>(opt, optim::ExponentialLROptions{s.gamma});
  else if (s.scheduler == "cosine") decay = std::make_unique<optim::CosineAnnealingLR>(opt, optim::CosineAnnealingLROptions{decay_epochs});
  else if (s.scheduler == "onecycle") {
    // Momentum is cycled for the optimizers that have it (sgd's momentum, the Adam family's beta1).
    const bool has_momentum = s.optimizer != "adagrad" && s.optimizer != "adadelta";
    out.scheduler = std::make_unique<optim::OneCycleLR>(
        opt, optim::OneCycleLROptions{.max_lr = s.lr, .total_steps = s.epochs * batches_per_epoch,
                                      .cycle_momentum = has_momentum});
    out.per_batch = true;
  } else if (s.scheduler == "plateau") {
    out.plateau = std::make_unique<optim::ReduceLROnPlateau>(
        opt, optim::ReduceLROnPlateauOptions{.factor = s.gamma, .patience = s.plateau_patience});
  } else {
    EMBER_CHECK(s.scheduler == "none", "unknown scheduler '", s.scheduler,
                "'; known: none, step, multistep, exponential, cosine, onecycle, plateau");
  }
  EMBER_CHECK(!(s.warmup_epochs > 0 && out.per_batch), "--warmup-epochs does not combine with --scheduler onecycle (it warms up itself)");
  if (decay && s.warmup_epochs > 0) {
    std::vector<std::unique_ptr<optim::LRScheduler>> parts;
    parts.push_back(std::make_unique<optim::LinearLR>(opt, optim::LinearLROptions{.start_factor = 0.1, .total_iters = s.warmup_epochs}));
    parts.push_back(std::move(decay));
    out.scheduler = std::make_unique<optim::SequentialLR>(opt, std::move(parts), std::vector<int64_t>{s.warmup_epochs});
  } else if (decay) {
    out.scheduler = std::move(decay);
  }
  return out;
}

std::string why_not_extendable(const Settings& s) {
  if (s.scheduler == "onecycle")
    return "its onecycle schedule spans exactly " + count_of(s.epochs, "epoch") + " (the learning rate has annealed "
           "to its end)";
  if (s.scheduler == "cosine")
    return "its cosine schedule anneals to its minimum over exactly " + count_of(s.epochs, "epoch");
  if (s.scheduler == "multistep" && s.milestones.empty())
    return "its multistep milestones were derived from its " + count_of(s.epochs, "epoch");
  return "";
}

}  // namespace ember::cli
