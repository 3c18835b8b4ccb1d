// `ember train`: the whole run from flags, leaving config.json, metrics.jsonl,
// summary.json, train.log, last.safetensors and best.safetensors in its folder.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "datasets.h"
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

// The model, optimizer and progress in one safetensors file (written atomically).
void save_checkpoint(const std::string& path, nn::Module& model, const optim::Optimizer& opt, const Json& info) {
  nn::StateDict tensors;
  for (auto& [k, v] : model.state_dict()) tensors.push_back({"model." + k, v});
  const optim::OptimizerState os = opt.state_dict();
  for (const auto& [k, v] : os.tensors) tensors.push_back({"optimizer." + k, v});
  Metadata meta;
  for (const auto& [k, v] : os.scalars) meta["optimizer." + k] = v;
  for (auto& [k, v] : info.items()) meta[k] = v.is_string() ? v.get<std::string>() : v.dump();
  save(tensors, path, meta);
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
  const std::string model_name = args.get("model", "lenet5", "model name (see `ember models`)");
  const std::string dataset = args.get("dataset", "fashion-mnist", "dataset name (see `ember datasets`)");
  const std::string root = args.get("data-root", "", "dataset folder or file (fashion-mnist: Debian's package)");
  const std::string target = args.get("target", "", "csv: the target column");
  const int64_t epochs = args.integer("epochs", 15, "training epochs", 1, 100000);
  const int64_t batch_size = args.integer("batch-size", 128, "examples per batch", 1, 1 << 20);
  const std::string opt_name = args.get("optimizer", "adamw", "sgd, adam, adamw, rmsprop or adagrad");
  const double lr = args.number("lr", 0.01, "learning rate (onecycle: the peak)", 0, 1e3);
  const double momentum = args.number("momentum", 0.9, "momentum (sgd, rmsprop)", 0, 1);
  const double wd = args.number("weight-decay", 1e-4, "weight decay", 0, 10);
  const bool nesterov = args.flag("nesterov", "Nesterov momentum (sgd)");
  const std::string sched_name = args.get("scheduler", "onecycle", "none, step, exponential, cosine, onecycle or plateau");
  const int64_t step_size = args.integer("step-size", 5, "step: epochs between decays", 1, 100000);
  const double gamma = args.number("gamma", 0.5, "step/exponential: decay factor", 0, 1);
  const int64_t warmup = args.integer("warmup-epochs", 0, "linear warm-up epochs before the schedule", 0, 100000);
  const double smoothing = args.number("label-smoothing", 0.0, "cross-entropy label smoothing", 0, 1);
  const double val_split = args.number("val-split", 0.0, "fraction of train held out for validation", 0, 0.9);
  const int64_t patience = args.integer("early-stopping", 0, "stop after this many epochs without improvement (0: off)", 0, 100000);
  const double clip = args.number("clip-grad-norm", 0.0, "clip the gradient norm (0: off)", 0, 1e9);
  const int64_t seed = args.integer("seed", 0, "random seed (weights, shuffling, splits)", 0, INT64_MAX);
  const int64_t threads = args.integer("threads", 0, "compute threads (0: all cores)", 0, 1024);
  const int64_t workers = args.integer("workers", 0, "data-loading threads", 0, 64);
  const std::string device = args.get("device", "cpu", "cpu (cuda is not built yet)");
  std::string out_dir = args.get("out", "", "run folder (default runs/<model>-<timestamp>)");
  const bool quiet = args.flag("quiet", "one line per epoch, no progress bar");
  if (args.wants_help()) {
    std::cout << "usage: ember train [flags]\n\n" << args.usage();
    return 0;
  }
  args.check_all_used();
  EMBER_CHECK(device == "cpu", "--device: '", device, "' is not available in this build (cpu only)");

  if (threads > 0) set_num_threads(static_cast<int>(threads));
  manual_seed(static_cast<uint64_t>(seed));
  LoadedData loaded = load_data(dataset, root, target, static_cast<uint64_t>(seed));
  data::DatasetPtr train_set = loaded.train, val_set;
  if (val_split > 0) {
    Generator g(static_cast<uint64_t>(seed) + 1);
    auto parts = data::random_split(loaded.train, std::vector<double>{1 - val_split, val_split}, g);
    train_set = parts[0], val_set = parts[1];
  }
  auto model = models::create(model_name, loaded.spec);
  auto opt = make_optimizer(opt_name, model->parameters(), lr, momentum, wd, nesterov);
  data::DataLoader train_loader(train_set, {.batch_size = batch_size, .shuffle = true,
                                            .num_workers = static_cast<int>(workers), .seed = static_cast<uint64_t>(seed)});
  data::DataLoader test_loader(loaded.test, {.batch_size = 1000});
  std::unique_ptr<data::DataLoader> val_loader;
  if (val_set) val_loader = std::make_unique<data::DataLoader>(val_set, data::DataLoaderOptions{.batch_size = 1000});

  // The schedule (after an optional linear warm-up).
  std::unique_ptr<optim::LRScheduler> scheduler;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  bool per_batch = false;
  const int64_t decay_epochs = std::max<int64_t>(epochs - warmup, 1);
  std::unique_ptr<optim::LRScheduler> decay;
  if (sched_name == "step") decay = std::make_unique<optim::StepLR>(*opt, optim::StepLROptions{step_size, gamma});
  else if (sched_name == "exponential") decay = std::make_unique<optim::ExponentialLR>(*opt, optim::ExponentialLROptions{gamma});
  else if (sched_name == "cosine") decay = std::make_unique<optim::CosineAnnealingLR>(*opt, optim::CosineAnnealingLROptions{decay_epochs});
  else if (sched_name == "onecycle") {
    scheduler = std::make_unique<optim::OneCycleLR>(*opt, optim::OneCycleLROptions{.max_lr = lr, .total_steps = epochs * train_loader.size()});
    per_batch = true;
  } else if (sched_name == "plateau") plateau = std::make_unique<optim::ReduceLROnPlateau>(*opt);
  else EMBER_CHECK(sched_name == "none", "unknown scheduler '", sched_name, "'; known: none, step, exponential, cosine, onecycle, plateau");
  EMBER_CHECK(!(warmup > 0 && per_batch), "--warmup-epochs does not combine with --scheduler onecycle (it warms up itself)");
  if (decay && warmup > 0) {
    std::vector<std::unique_ptr<optim::LRScheduler>> parts;
    parts.push_back(std::make_unique<optim::LinearLR>(*opt, optim::LinearLROptions{.start_factor = 0.1, .total_iters = warmup}));
    parts.push_back(std::move(decay));
    scheduler = std::make_unique<optim::SequentialLR>(*opt, std::move(parts), std::vector<int64_t>{warmup});
  } else if (decay) {
    scheduler = std::move(decay);
  }

  // The run folder: refuse to write over another run.
  if (out_dir.empty()) out_dir = "runs/" + model_name + "-" + timestamp();
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  EMBER_CHECK(!ec, "--out: cannot create ", out_dir, " (", ec.message(), ")");
  EMBER_CHECK(!fs::exists(fs::path(out_dir) / "metrics.jsonl"), "--out: ", out_dir,
              " already holds a run (metrics.jsonl); choose another folder");
  EMBER_CHECK(::access(out_dir.c_str(), W_OK) == 0, "--out: ", out_dir, " is not writable");
  Json config = {{"model", model_name}, {"dataset", dataset}, {"data_root", root}, {"target", target},
                 {"epochs", epochs}, {"batch_size", batch_size}, {"optimizer", opt_name}, {"lr", lr},
                 {"momentum", momentum}, {"weight_decay", wd}, {"nesterov", nesterov}, {"scheduler", sched_name},
                 {"step_size", step_size}, {"gamma", gamma}, {"warmup_epochs", warmup}, {"label_smoothing", smoothing},
                 {"val_split", val_split}, {"early_stopping", patience}, {"clip_grad_norm", clip}, {"seed", seed},
                 {"threads", get_num_threads()}, {"workers", workers}, {"device", device},
                 {"input", std::vector<int64_t>(loaded.spec.input.begin(), loaded.spec.input.end())}, {"classes", loaded.spec.classes}, {"ember_version", "0.1"},
                 {"parameters", model->num_parameters()}};
  std::ofstream(fs::path(out_dir) / "config.json") << config.dump(2) << "\n";
  std::ofstream metrics(fs::path(out_dir) / "metrics.jsonl");
  std::ofstream log(fs::path(out_dir) / "train.log");
  auto say = [&](const std::string& line) {
    std::cout << line << std::endl;
    log << line << std::endl;
  };
  say("ember train: " + model_name + " (" + std::to_string(model->num_parameters()) + " parameters) on " + dataset +
      ", " + std::to_string(epochs) + " epochs, run folder " + out_dir);

  const bool tty = !quiet && ::isatty(STDOUT_FILENO);
  optim::EarlyStopping stopper({.patience = std::max<int64_t>(patience, 1)});
  double best_loss = std::numeric_limits<double>::infinity();
  int64_t best_epoch = -1;
  double train_seconds = 0;
  int64_t train_samples = 0;
  const auto start = std::chrono::steady_clock::now();
  train::FitOptions fit{.epochs = epochs, .classes = loaded.spec.classes, .label_smoothing = smoothing,
                        .clip_grad_norm = clip, .scheduler = scheduler.get(), .scheduler_per_batch = per_batch,
                        .plateau = plateau.get()};
  if (tty)
    fit.on_batch = [&](int64_t b, int64_t n, double loss, double acc, int64_t) {
      if (b % 10 != 0 && b != n) return;
      const int width = 30, done = static_cast<int>(width * b / n);
      std::cout << "\r  [" << std::string(static_cast<size_t>(done), '#') << std::string(static_cast<size_t>(width - done), '.')
                << "] " << b << "/" << n << std::fixed << std::setprecision(4) << "  loss " << loss << "  acc " << acc
                << std::flush;
    };
  fit.on_epoch = [&](const train::EpochMetrics& m) {
    if (tty) std::cout << "\r" << std::string(80, ' ') << "\r";
    say(epoch_line(m, epochs));
    train_seconds += m.seconds;
    train_samples += static_cast<int64_t>(m.samples_per_sec * m.seconds + 0.5);
    Json row = {{"epoch", m.epoch + 1}, {"lr", m.lr}, {"train_loss", m.train_loss}, {"train_acc", m.train_acc},
                {"epoch_seconds", m.seconds}, {"train_samples_per_sec", m.samples_per_sec}};
    row["val_loss"] = m.val_loss ? Json(*m.val_loss) : Json();
    row["val_acc"] = m.val_acc ? Json(*m.val_acc) : Json();
    metrics << row.dump() << std::endl;
    const double watched = m.val_loss.value_or(m.train_loss);
    const Json info = {{"epoch", m.epoch + 1}, {"model", model_name}, {"dataset", dataset}, {"data_root", root},
                       {"target", target}, {"seed", seed}};
    save_checkpoint((fs::path(out_dir) / "last.safetensors").string(), *model, *opt, info);
    if (watched < best_loss) {
      best_loss = watched, best_epoch = m.epoch + 1;
      save_checkpoint((fs::path(out_dir) / "best.safetensors").string(), *model, *opt, info);
    }
    return patience == 0 || !stopper.step(watched);
  };
  const std::vector<train::EpochMetrics> history = train::fit(*model, *opt, train_loader, val_loader.get(), fit);
  train::plot_curves(history, (fs::path(out_dir) / "curves.png").string());

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
