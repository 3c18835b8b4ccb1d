// `ember train`: the whole run from flags, leaving config.json, metrics.jsonl,
// summary.json, train.log, curves.png, last.safetensors and best.safetensors in
// its folder; `--resume DIR` continues a run after its last finished epoch.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "build_info.h"
#include "commands.h"
#include "datasets.h"
#include "progress.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr,
                                                 double momentum, double wd, bool nesterov) {
  if (name == "sgd")
    return std::make_unique<optim::SGD>(std::move(params), optim::SGDOptions{.lr = lr, .momentum = momentum,
                                                                             .weight_decay = wd, .nesterov = nesterov});
  if (name == "adam") return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "adamw") return std::make_unique<optim::AdamW>(std::move(params), optim::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "rmsprop")
    return std::make_unique<optim::RMSprop>(std::move(params),
                                            optim::RMSpropOptions{.lr = lr, .weight_decay = wd, .momentum = momentum});
  if (name == "adagrad")
    return std::make_unique<optim::Adagrad>(std::move(params), optim::AdagradOptions{.lr = lr, .weight_decay = wd});
  detail::fail("unknown optimizer '", name, "'; known optimizers: sgd, adam, adamw, rmsprop, adagrad");
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y%m%d-%H%M%S");
  return out.str();
}

// Everything a run's flags set; a resumed run reads it back from config.json.
struct Settings {
  std::string model, dataset, data_root, target, optimizer, scheduler, milestones, augment;
  int64_t epochs, batch_size, step_size, warmup_epochs, early_stopping, seed, plateau_patience, seq_len;
  double lr, momentum, weight_decay, gamma, label_smoothing, val_split, clip_grad_norm;
  bool nesterov;
};

Json to_json(const Settings& s) {
  return {{"model", s.model}, {"dataset", s.dataset}, {"data_root", s.data_root}, {"target", s.target},
          {"epochs", s.epochs}, {"batch_size", s.batch_size}, {"optimizer", s.optimizer}, {"lr", s.lr},
          {"momentum", s.momentum}, {"weight_decay", s.weight_decay}, {"nesterov", s.nesterov},
          {"scheduler", s.scheduler}, {"step_size", s.step_size}, {"gamma", s.gamma},
          {"warmup_epochs", s.warmup_epochs}, {"label_smoothing", s.label_smoothing}, {"val_split", s.val_split},
          {"early_stopping", s.early_stopping}, {"clip_grad_norm", s.clip_grad_norm}, {"seed", s.seed},
          {"milestones", s.milestones}, {"augment", s.augment}, {"plateau_patience", s.plateau_patience},
          {"seq_len", s.seq_len}};
}

Settings from_json(const Json& j, const std::string& path) {
  try {
    return {j.at("model"), j.at("dataset"), j.at("data_root"), j.at("target"), j.at("optimizer"), j.at("scheduler"),
            j.value("milestones", ""), j.value("augment", "none"),  // absent in runs of older builds
            j.at("epochs"), j.at("batch_size"), j.at("step_size"), j.at("warmup_epochs"), j.at("early_stopping"),
            j.at("seed"), j.value("plateau_patience", int64_t{2}), j.value("seq_len", int64_t{64}), j.at("lr"), j.at("momentum"), j.at("weight_decay"), j.at("gamma"), j.at("label_smoothing"),
            j.at("val_split"), j.at("clip_grad_norm"), j.at("nesterov")};
  } catch (const Json::exception& e) {
    detail::fail("--resume: ", path, " is not the config.json of an `ember train` run (", e.what(), ")");
  }
}

// --milestones "3,6" (epochs, increasing); empty: half and three quarters of the schedule.
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

// --augment: random transforms of the training images, drawn per example from
// the loader's seeded generators (reproducible whatever the worker count).
std::optional<data::transforms::Transform> augment_transform(const std::string& name, const std::string& dataset) {
  namespace T = data::transforms;
  EMBER_CHECK(name == "none" || name == "flip" || name == "crop" || name == "standard", "unknown augmentation '", name,
              "'; known: none, flip, crop, standard");
  if (name == "none") return std::nullopt;
  const bool image = dataset == "fashion-mnist" || dataset == "mnist" || dataset == "cifar10";
  EMBER_CHECK(image, "--augment ", name, " needs an image dataset (fashion-mnist, mnist, cifar10), not ", dataset);
  // Random crops after padding by an eighth of the side (4 pixels on CIFAR's 32).
  const int64_t side = dataset == "cifar10" ? 32 : 28, padding = dataset == "cifar10" ? 4 : 3;
  if (name == "flip") return T::RandomHorizontalFlip();
  if (name == "crop") return T::RandomCrop(side, padding);
  return T::Compose({T::RandomCrop(side, padding), T::RandomHorizontalFlip()});
}

// Ctrl-C: the first finishes the batch and stops; the second exits at once.
std::atomic<int> g_interrupts{0};
void on_interrupt(int) {
  if (g_interrupts.fetch_add(1) >= 1) std::_Exit(130);
}

// The state of a run in one safetensors file (written atomically): model,
// optimizer, schedule, early stopping, random generator, epoch.
struct RunState {
  nn::Module* model;
  optim::Optimizer* optimizer;
  optim::LRScheduler* scheduler;
  optim::ReduceLROnPlateau* plateau;
  optim::EarlyStopping* stopper;
};

// Doubles in checkpoint metadata as hexadecimal floats: exact, so a resumed
// epoch's running sums continue bit for bit.
std::string exact(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

void save_checkpoint(const std::string& path, const RunState& run, const Json& info,
                     const std::optional<train::EpochProgress>& progress = std::nullopt) {
  nn::StateDict tensors;
  for (auto& [k, v] : run.model->state_dict()) tensors.push_back({"model." + k, v});
  const optim::OptimizerState os = run.optimizer->state_dict();
  for (const auto& [k, v] : os.tensors) tensors.push_back({"optimizer." + k, v});
  Metadata meta;
  for (const auto& [k, v] : os.scalars) meta["optimizer." + k] = v;
  if (run.scheduler)
    for (const auto& [k, v] : run.scheduler->state_dict()) meta["scheduler." + k] = v;
  if (run.plateau)
    for (const auto& [k, v] : run.plateau->state_dict()) meta["plateau." + k] = v;
  for (const auto& [k, v] : run.stopper->state_dict()) meta["early_stopping." + k] = v;
  meta["rng.seed"] = std::to_string(default_generator().initial_seed());
  meta["rng.offset"] = std::to_string(default_generator().offset());
  for (auto& [k, v] : info.items()) meta[k] = v.is_string() ? v.get<std::string>() : v.dump();
  if (progress) {
    meta["partial.batch"] = std::to_string(progress->batch);
    meta["partial.loss_sum"] = exact(progress->loss_sum);
    meta["partial.correct"] = std::to_string(progress->correct);
    meta["partial.seen"] = std::to_string(progress->seen);
    meta["partial.seconds"] = exact(progress->seconds);
    meta["partial.lr"] = exact(progress->lr);
  }
  save(tensors, path, meta);
}

// The entries of `meta` under `prefix`, without it.
Metadata section(const Metadata& meta, const std::string& prefix) {
  Metadata out;
  for (const auto& [k, v] : meta)
    if (k.rfind(prefix, 0) == 0) out[k.substr(prefix.size())] = v;
  return out;
}

struct Restored {
  int64_t epochs_done = 0;
  std::optional<train::EpochProgress> progress;  // when the checkpoint was taken inside an epoch
};

// Puts a run back where its checkpoint was taken: the end of its last
// finished epoch, or a batch inside the next one (Ctrl-C).
Restored load_checkpoint(const std::string& path, const RunState& run, const std::string& model_name) {
  Metadata meta;
  const nn::StateDict all = load(path, &meta);
  EMBER_CHECK(meta.count("model") && meta.at("model") == model_name && meta.count("epoch"), "--resume: ", path,
              " is not a checkpoint of this run's model (", model_name, ")");
  nn::StateDict model_tensors, optimizer_tensors;
  for (const auto& [k, v] : all) {
    if (k.rfind("model.", 0) == 0) model_tensors.push_back({k.substr(6), v});
    if (k.rfind("optimizer.", 0) == 0) optimizer_tensors.push_back({k.substr(10), v});
  }
  run.model->load_state_dict(model_tensors);
  run.optimizer->load_state_dict({optimizer_tensors, section(meta, "optimizer.")});
  if (run.scheduler) run.scheduler->load_state_dict(section(meta, "scheduler."));
  if (run.plateau) run.plateau->load_state_dict(section(meta, "plateau."));
  run.stopper->load_state_dict(section(meta, "early_stopping."));
  default_generator().set_state(std::stoull(meta.at("rng.seed")), std::stoull(meta.at("rng.offset")));
  Restored out;
  out.epochs_done = std::stoll(meta.at("epoch"));
  if (meta.count("partial.batch"))
    out.progress = train::EpochProgress{.epoch = out.epochs_done, .batch = std::stoll(meta.at("partial.batch")),
                                        .loss_sum = std::strtod(meta.at("partial.loss_sum").c_str(), nullptr),
                                        .correct = std::stoll(meta.at("partial.correct")),
                                        .seen = std::stoll(meta.at("partial.seen")),
                                        .seconds = std::strtod(meta.at("partial.seconds").c_str(), nullptr),
                                        .lr = std::strtod(meta.at("partial.lr").c_str(), nullptr)};
  return out;
}

// One line per epoch (also what the log file gets).
std::string epoch_line(const train::EpochMetrics& m, int64_t epochs) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4) << "epoch " << m.epoch + 1 << "/" << epochs << "  lr " << m.lr
      << "  train_loss " << m.train_loss << "  train_acc " << m.train_acc;
  if (m.val_loss) out << "  val_loss " << *m.val_loss << "  val_acc " << *m.val_acc;
  out << std::setprecision(1) << "  " << m.seconds << "s  " << std::setprecision(0) << m.samples_per_sec << " samples/s";
  return out.str();
}

}  // namespace

int train_command(int argc, char** argv) {
  Args args(argc, argv, 2);
  Settings s;
  s.model = args.get("model", "lenet5", "model name (see `ember models`)");
  s.dataset = args.get("dataset", "fashion-mnist", "dataset name (see `ember datasets`)");
  s.data_root = args.get("data-root", "", "dataset folder or file (fashion-mnist: Debian's package)");
  s.target = args.get("target", "", "csv: the target column");
  s.seq_len = args.integer("seq-len", 0, "text: characters per example (the model's context); copy/reverse: tokens "
                           "(0: 64 for text, 10 for copy/reverse)", 0, 1 << 16);
  s.epochs = args.integer("epochs", 15, "training epochs", 1, 100000);
  s.batch_size = args.integer("batch-size", 128, "examples per batch", 1, 1 << 20);
  s.optimizer = args.get("optimizer", "adamw", "sgd, adam, adamw, rmsprop or adagrad");
  s.lr = args.number("lr", 0.01, "learning rate (onecycle: the peak)", 0, 1e3);
  s.momentum = args.number("momentum", 0.9, "momentum (sgd, rmsprop)", 0, 1);
  s.weight_decay = args.number("weight-decay", 1e-4, "weight decay", 0, 10);
  s.nesterov = args.flag("nesterov", "Nesterov momentum (sgd)");
  s.scheduler = args.get("scheduler", "onecycle", "none, step, multistep, exponential, cosine, onecycle or plateau");
  s.step_size = args.integer("step-size", 5, "step: epochs between decays", 1, 100000);
  s.milestones = args.get("milestones", "", "multistep: comma-separated epochs to decay at (default: 50% and 75% of the epochs)");
  s.gamma = args.number("gamma", 0.5, "step/multistep/exponential/plateau: decay factor", 0, 1);
  s.plateau_patience = args.integer("plateau-patience", 2, "plateau: epochs without improvement before decaying", 0, 100000);
  s.warmup_epochs = args.integer("warmup-epochs", 0, "linear warm-up epochs before the schedule", 0, 100000);
  s.label_smoothing = args.number("label-smoothing", 0.0, "cross-entropy label smoothing", 0, 1);
  s.augment = args.get("augment", "none", "training-image augmentation: none, flip, crop or standard (crop + flip)");
  s.val_split = args.number("val-split", 0.0, "fraction of train held out for validation", 0, 0.9);
  s.early_stopping = args.integer("early-stopping", 0, "stop after this many epochs without improvement (0: off)", 0, 100000);
  s.clip_grad_norm = args.number("clip-grad-norm", 0.0, "clip the gradient norm (0: off)", 0, 1e9);
  s.seed = args.integer("seed", 0, "random seed (weights, shuffling, splits)", 0, INT64_MAX);
  int64_t threads = args.integer("threads", 0, "compute threads (0: all cores)", 0, 1024);
  const int64_t workers = args.integer("workers", 0, "data-loading threads", 0, 64);
  const std::string device = args.get("device", "cpu", "cpu (cuda is not built yet)");
  std::string out_dir = args.get("out", "", "run folder (default runs/<model>-<timestamp>)");
  const std::string resume = args.get("resume", "", "continue the run in this folder after its last finished epoch");
  const bool quiet = args.flag("quiet", "one line per epoch, no progress bar");
  if (args.wants_help()) {
    std::cout << "usage: ember train [flags]\n\n" << args.usage();
    return 0;
  }
  args.check_all_used();
  EMBER_CHECK(device == "cpu", "--device: '", device, "' is not available in this build (cpu only)");
  if (!resume.empty()) {
    for (const std::string& name : args.given_names())
      EMBER_CHECK(name == "resume" || name == "quiet" || name == "threads" || name == "workers", "--resume continues a run "
                  "with its own settings (config.json); drop --", name);
    const fs::path config_path = fs::path(resume) / "config.json";
    std::ifstream in(config_path);
    EMBER_CHECK(in.good() && fs::exists(fs::path(resume) / "last.safetensors"), "--resume: ", resume,
                " holds no run to continue (config.json and last.safetensors are needed; a run stopped before its "
                "first epoch ended has no checkpoint: start it again)");
    Json config;
    try {
      in >> config;
    } catch (const Json::exception& e) {
      detail::fail("--resume: ", config_path.string(), " is not valid JSON (", e.what(), ")");
    }
    s = from_json(config, config_path.string());
    out_dir = resume;
    // Results are bitwise reproducible for one thread count: keep the run's.
    if (!args.given("threads") && config.contains("threads")) threads = config["threads"].get<int64_t>();
  }

  if (threads > 0) set_num_threads(static_cast<int>(threads));
  manual_seed(static_cast<uint64_t>(s.seed));
  const std::optional<data::transforms::Transform> augmentation = augment_transform(s.augment, s.dataset);
  if (s.seq_len == 0) s.seq_len = s.dataset == "copy" || s.dataset == "reverse" ? 10 : 64;
  LoadedData loaded = load_data(s.dataset, s.data_root, s.target, static_cast<uint64_t>(s.seed), s.seq_len);
  data::DatasetPtr train_set = loaded.train, val_set;
  if (s.val_split > 0) {
    Generator g(static_cast<uint64_t>(s.seed) + 1);
    auto parts = data::random_split(loaded.train, std::vector<double>{1 - s.val_split, s.val_split}, g);
    train_set = parts[0], val_set = parts[1];
  }
  // Augmentation touches the training examples only (not validation or test).
  if (augmentation) train_set = std::make_shared<data::TransformedDataset>(train_set, *augmentation);
  auto model = models::create(s.model, loaded.spec);
  auto opt = make_optimizer(s.optimizer, model->parameters(), s.lr, s.momentum, s.weight_decay, s.nesterov);
  data::DataLoader train_loader(train_set, {.batch_size = s.batch_size, .shuffle = true,
                                            .num_workers = static_cast<int>(workers), .seed = static_cast<uint64_t>(s.seed)});
  data::DataLoader test_loader(loaded.test, {.batch_size = 1000});
  std::unique_ptr<data::DataLoader> val_loader;
  if (val_set) val_loader = std::make_unique<data::DataLoader>(val_set, data::DataLoaderOptions{.batch_size = 1000});

  // The schedule (after an optional linear warm-up).
  std::unique_ptr<optim::LRScheduler> scheduler;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  bool per_batch = false;
  const int64_t decay_epochs = std::max<int64_t>(s.epochs - s.warmup_epochs, 1);
  std::unique_ptr<optim::LRScheduler> decay;
  if (s.scheduler == "step") decay = std::make_unique<optim::StepLR>(*opt, optim::StepLROptions{s.step_size, s.gamma});
  else if (s.scheduler == "multistep")
    decay = std::make_unique<optim::MultiStepLR>(*opt, optim::MultiStepLROptions{parse_milestones(s.milestones, decay_epochs), s.gamma});
  else if (s.scheduler == "exponential") decay = std::make_unique<optim::ExponentialLR>(*opt, optim::ExponentialLROptions{s.gamma});
  else if (s.scheduler == "cosine") decay = std::make_unique<optim::CosineAnnealingLR>(*opt, optim::CosineAnnealingLROptions{decay_epochs});
  else if (s.scheduler == "onecycle") {
    scheduler = std::make_unique<optim::OneCycleLR>(*opt, optim::OneCycleLROptions{.max_lr = s.lr, .total_steps = s.epochs * train_loader.size()});
    per_batch = true;
  } else if (s.scheduler == "plateau") {
    plateau = std::make_unique<optim::ReduceLROnPlateau>(
        *opt, optim::ReduceLROnPlateauOptions{.factor = s.gamma, .patience = s.plateau_patience});
  }
  else EMBER_CHECK(s.scheduler == "none", "unknown scheduler '", s.scheduler, "'; known: none, step, multistep, exponential, cosine, onecycle, plateau");
  EMBER_CHECK(!(s.warmup_epochs > 0 && per_batch), "--warmup-epochs does not combine with --scheduler onecycle (it warms up itself)");
  if (decay && s.warmup_epochs > 0) {
    std::vector<std::unique_ptr<optim::LRScheduler>> parts;
    parts.push_back(std::make_unique<optim::LinearLR>(*opt, optim::LinearLROptions{.start_factor = 0.1, .total_iters = s.warmup_epochs}));
    parts.push_back(std::move(decay));
    scheduler = std::make_unique<optim::SequentialLR>(*opt, std::move(parts), std::vector<int64_t>{s.warmup_epochs});
  } else if (decay) {
    scheduler = std::move(decay);
  }
  optim::EarlyStopping stopper({.patience = std::max<int64_t>(s.early_stopping, 1)});
  const RunState run{model.get(), opt.get(), scheduler.get(), plateau.get(), &stopper};

  // The run folder: a new run never writes over another; a resumed one continues its own.
  if (out_dir.empty()) out_dir = "runs/" + s.model + "-" + timestamp();
  int64_t start_epoch = 0;
  std::optional<train::EpochProgress> resume_progress;
  const fs::path metrics_path = fs::path(out_dir) / "metrics.jsonl";
  if (resume.empty()) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    EMBER_CHECK(!ec, "--out: cannot create ", out_dir, " (", ec.message(), ")");
    EMBER_CHECK(!fs::exists(metrics_path), "--out: ", out_dir, " already holds a run (metrics.jsonl); choose another folder");
    EMBER_CHECK(::access(out_dir.c_str(), W_OK) == 0, "--out: ", out_dir, " is not writable");
    Json config = to_json(s);
    config["threads"] = get_num_threads();
    config["workers"] = workers;
    config["device"] = device;
    config["input"] = std::vector<int64_t>(loaded.spec.input.begin(), loaded.spec.input.end());
    config["classes"] = loaded.spec.classes;
    config["ember_version"] = EMBER_VERSION;
    config["git_hash"] = EMBER_GIT_HASH;
    config["parameters"] = model->num_parameters();
    std::ofstream(fs::path(out_dir) / "config.json") << config.dump(2) << "\n";
  } else {
    const Restored restored = load_checkpoint((fs::path(out_dir) / "last.safetensors").string(), run, s.model);
    start_epoch = restored.epochs_done;
    resume_progress = restored.progress;
    // Keep the metrics of the epochs the checkpoint covers (a crash may have left one more).
    std::vector<std::string> kept;
    std::ifstream old(metrics_path);
    for (std::string line; std::getline(old, line) && static_cast<int64_t>(kept.size()) < start_epoch;) kept.push_back(line);
    std::ofstream rewrite(metrics_path, std::ios::trunc);
    for (const std::string& line : kept) rewrite << line << "\n";
  }
  std::ofstream metrics(metrics_path, std::ios::app);
  std::ofstream log(fs::path(out_dir) / "train.log", std::ios::app);
  auto say = [&](const std::string& line) {
    std::cout << line << std::endl;
    log << line << std::endl;
  };
  // From here on Ctrl-C is caught (a test sends it as soon as this line appears).
  g_interrupts = 0;
  std::signal(SIGINT, on_interrupt);
  say("ember train: " + s.model + " (" + std::to_string(model->num_parameters()) + " parameters) on " + s.dataset +
      ", " + std::to_string(s.epochs) + " epochs, run folder " + out_dir +
      (resume_progress ? ", resuming epoch " + std::to_string(start_epoch + 1) + " after batch " +
                             std::to_string(resume_progress->batch)
       : start_epoch > 0 ? ", resuming after epoch " + std::to_string(start_epoch)
                         : ""));

  // Earlier epochs' metrics, for the curves and the summary.
  std::vector<train::EpochMetrics> history;
  double best_loss = std::numeric_limits<double>::infinity(), train_seconds = 0;
  int64_t best_epoch = -1, train_samples = 0;
  {
    std::ifstream old(metrics_path);
    for (std::string line; std::getline(old, line);) {
      const Json row = Json::parse(line);
      train::EpochMetrics m;
      m.epoch = row.at("epoch").get<int64_t>() - 1;
      m.lr = row.at("lr"), m.train_loss = row.at("train_loss"), m.train_acc = row.at("train_acc");
      m.seconds = row.at("epoch_seconds"), m.samples_per_sec = row.at("train_samples_per_sec");
      if (!row.at("val_loss").is_null()) m.val_loss = row.at("val_loss").get<double>(), m.val_acc = row.at("val_acc").get<double>();
      const double watched = m.val_loss.value_or(m.train_loss);
      if (watched < best_loss) best_loss = watched, best_epoch = m.epoch + 1;
      train_seconds += m.seconds;
      train_samples += static_cast<int64_t>(m.samples_per_sec * m.seconds + 0.5);
      history.push_back(m);
    }
  }

  const bool tty = !quiet && ::isatty(STDOUT_FILENO);
  const auto start = std::chrono::steady_clock::now();
  train::FitOptions fit{.epochs = s.epochs, .classes = loaded.spec.classes, .label_smoothing = s.label_smoothing,
                        .clip_grad_norm = s.clip_grad_norm, .scheduler = scheduler.get(), .scheduler_per_batch = per_batch,
                        .plateau = plateau.get(), .start_epoch = start_epoch, .resume_progress = resume_progress};
  const std::string last_path = (fs::path(out_dir) / "last.safetensors").string();
  auto checkpoint_info = [&](int64_t epochs_done) {
    return Json{{"epoch", epochs_done}, {"model", s.model},      {"dataset", s.dataset}, {"data_root", s.data_root},
                {"target", s.target},     {"seed", s.seed},       {"seq_len", s.seq_len}};
  };
  if (tty)
    fit.on_batch = [&, bar = ProgressBar()](int64_t b, int64_t n, double loss, double acc, int64_t seen) mutable {
      const std::string line = bar.line(b, n, seen, loss, acc);  // every batch, so the clock sees each epoch start
      if (b % 10 == 0 || b == n) std::cout << "\r" << line << "\033[K" << std::flush;
    };
  fit.interrupted = [] { return g_interrupts.load() > 0; };
  std::optional<train::EpochProgress> interrupted_at;
  fit.on_interrupt = [&](const train::EpochProgress& p) {
    save_checkpoint(last_path, run, checkpoint_info(p.epoch), p);
    interrupted_at = p;
  };
  fit.on_epoch = [&](const train::EpochMetrics& m) {
    if (tty) std::cout << "\r\033[K";  // clear the bar
    say(epoch_line(m, s.epochs));
    history.push_back(m);
    train_seconds += m.seconds;
    train_samples += static_cast<int64_t>(m.samples_per_sec * m.seconds + 0.5);
    Json row = {{"epoch", m.epoch + 1}, {"lr", m.lr}, {"train_loss", m.train_loss}, {"train_acc", m.train_acc},
                {"epoch_seconds", m.seconds}, {"train_samples_per_sec", m.samples_per_sec}};
    row["val_loss"] = m.val_loss ? Json(*m.val_loss) : Json();
    row["val_acc"] = m.val_acc ? Json(*m.val_acc) : Json();
    metrics << row.dump() << std::endl;
    const double watched = m.val_loss.value_or(m.train_loss);
    const bool stop = s.early_stopping > 0 && stopper.step(watched);
    if (auto* generator = dynamic_cast<models::TextGenerator*>(model.get()); generator && loaded.text) {
      // A sample from the model, from its own generator so the run's random stream is untouched.
      Generator g(static_cast<uint64_t>(s.seed) + 1000 + static_cast<uint64_t>(m.epoch));
      const Tensor prompt = loaded.text->get(0).data.narrow(0, 0, 1).view({1, 1});  // the text's first character
      say("sample: " + loaded.text->decode(generator->generate(prompt, 200, 0.8, 10, &g)));
    }
    if (auto* translator = dynamic_cast<models::SequenceTranslator*>(model.get())) {
      const data::Example example = loaded.test->get(0);
      const Tensor source = example.data.narrow(0, 0, s.seq_len).view({1, -1});
      auto text = [](const Tensor& ids) {
        std::ostringstream out;
        const char* separator = "";
        for (int64_t id : ids.reshape({-1}).to_vector<int64_t>()) out << separator << id, separator = " ";
        return out.str();
      };
      say("sample: " + text(source) + " -> " + text(translator->greedy_decode(source, s.seq_len)) + " (expected " +
          text(example.target) + ")");
    }
    const Json info = checkpoint_info(m.epoch + 1);
    save_checkpoint(last_path, run, info);
    if (watched < best_loss) {
      best_loss = watched, best_epoch = m.epoch + 1;
      save_checkpoint((fs::path(out_dir) / "best.safetensors").string(), run, info);
    }
    return !stop;
  };
  try {
    train::fit(*model, *opt, train_loader, val_loader.get(), fit);
  } catch (const Error& e) {
    // A diverged run (non-finite loss) keeps its last good checkpoint untouched.
    std::signal(SIGINT, SIG_DFL);
    if (tty) std::cout << "\n";
    say(std::string("stopped: ") + e.what());
    say(fs::exists(last_path) ? "the last good checkpoint is kept: " + last_path
                              : "no checkpoint was written (the run stopped inside its first epoch)");
    return 1;
  }
  std::signal(SIGINT, SIG_DFL);
  // (A Ctrl-C after the last batch lets the run finish.)
  if (interrupted_at) {
    if (tty) std::cout << "\n";
    say("interrupted after batch " + std::to_string(interrupted_at->batch) + " of epoch " +
        std::to_string(interrupted_at->epoch + 1) + ": checkpoint written to " + last_path +
        "; continue with: ember train --resume " + out_dir);
    return 130;
  }
  if (!history.empty()) train::plot_curves(history, (fs::path(out_dir) / "curves.png").string());

  const train::EvalResult test = train::evaluate(*model, test_loader, loaded.spec.classes);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream done;
  done << std::fixed << std::setprecision(4) << "test_loss " << test.loss << "  test_accuracy " << test.accuracy
       << std::setprecision(1) << "  (" << total << "s in all)";
  say(done.str());
  Json summary = {{"test_loss", test.loss}, {"test_accuracy", test.accuracy}, {"best_epoch", best_epoch},
                  {"total_seconds", total}, {"train_samples_per_sec", train_samples / std::max(train_seconds, 1e-9)},
                  {"parameters", model->num_parameters()}};
  std::ofstream(fs::path(out_dir) / "summary.json") << summary.dump(2) << "\n";
  return 0;
}

}  // namespace ember::cli
