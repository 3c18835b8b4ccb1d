// `ember train`: the whole run from flags (or a JSON config), leaving
// config.json, metrics.jsonl, summary.json, train.log, curves.png,
// last.safetensors and best.safetensors in its folder. `--resume DIR`
// continues a run (and extends it with --epochs N); `--restart DIR` starts it over.
#include <unistd.h>

#include <chrono>
#include <csignal>
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
#include "format.h"
#include "progress.h"
#include "stop_signals.h"
#include "train_settings.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y%m%d-%H%M%S");
  return out.str();
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

const char* signal_name(int sig) {
  return sig == SIGINT ? "Ctrl-C" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
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

// What a run's checkpoints and logs take on disk, with room for one
// temporary copy while a checkpoint is replaced: parameters and buffers, an
// optimizer state of up to twice the parameters, two checkpoints and a spare.
uint64_t space_needed(nn::Module& model) {
  uint64_t state = 0, params = 0;
  for (auto& [name, t] : model.state_dict()) state += t.nbytes();
  for (const Tensor& p : model.parameters()) params += p.nbytes();
  return 3 * (state + 2 * params) + (uint64_t{1} << 20);
}

// How the run starts: the folder mode and where its settings come from.
struct Start {
  train::RunFolder::Mode mode = train::RunFolder::Mode::create;
  std::string folder;  // --resume / --restart: the run's folder
  Json config = Json::object();
  std::string source;
};

Start choose_start(Args& args, const std::string& config_file, const std::string& resume, const std::string& restart) {
  EMBER_CHECK((!config_file.empty()) + (!resume.empty()) + (!restart.empty()) <= 1,
              "--config, --resume and --restart exclude each other");
  Start start;
  if (!config_file.empty()) {
    start.config = read_json_file(config_file, "--config");
    start.source = config_file;
    return start;
  }
  const std::string folder = !resume.empty() ? resume : restart;
  if (folder.empty()) return start;
  const std::string flag = !resume.empty() ? "--resume" : "--restart";
  const fs::path config_path = fs::path(folder) / "config.json";
  EMBER_CHECK(fs::exists(config_path), flag, ": ", folder, " holds no run (no config.json)");
  start.mode = !resume.empty() ? train::RunFolder::Mode::resume : train::RunFolder::Mode::restart;
  start.folder = folder;
  start.config = read_json_file(config_path.string(), flag);
  start.source = config_path.string();
  if (!resume.empty()) {
    for (const std::string& name : args.given_names())
      EMBER_CHECK(name == "resume" || name == "quiet" || name == "threads" || name == "workers" || name == "epochs" ||
                      name == "progress-every",
                  "--resume continues a run with its own settings (config.json); drop --", name,
                  " (or start it over with --restart ", folder, " --", name, " ...)");
    EMBER_CHECK(fs::exists(fs::path(folder) / "last.safetensors"), "--resume: ", folder,
                " holds no checkpoint to continue from (the run stopped inside its first epoch); start it again "
                "with: ember train --restart ", folder);
  }
  return start;
}

}  // namespace

int train_command(int argc, char** argv) {
  // First, before any thread starts: stop requests are taken by a watcher thread.
  StopSignals stop;
  Args args(argc, argv, 2);
  const std::string config_file = args.get("config", "", "read the settings from this JSON file (a run's config.json "
                                           "works); flags given override it");
  const std::string resume = args.get("resume", "", "continue the run in this folder where its checkpoint was taken "
                                      "(with --epochs N: extend it to N epochs)");
  const std::string restart = args.get("restart", "", "start the run in this folder over from its config.json (flags "
                                       "given override it); its results are replaced");
  std::string out_dir = args.get("out", "", "run folder (default runs/<model>-<timestamp>)");
  const bool quiet = args.flag("quiet", "one line per epoch, no progress bar or progress lines");
  const double progress_every = args.number("progress-every", 30, "when stdout is not a terminal: a progress line "
                                            "every this many seconds within an epoch (0: off)", 0, 1e6);
  if (args.wants_help()) {
    read_settings(args, Json::object(), "");
    std::cout << "usage: ember train [flags]\n\n" << args.usage();
    return 0;
  }
  const Start start = choose_start(args, config_file, resume, restart);
  Settings s = read_settings(args, start.config, start.source);
  args.check_all_used();
  EMBER_CHECK(s.device == "cpu", "--device: '", s.device, "' is not available in this build (cpu only)");
  const bool resuming = start.mode == train::RunFolder::Mode::resume;
  const int64_t planned_epochs = resuming ? start.config.at("epochs").get<int64_t>() : s.epochs;
  // Only schedules that do not depend on the number of epochs may be extended,
  // so an extended run's schedule is the one it began with.
  if (resuming && s.epochs != planned_epochs) {
    EMBER_CHECK(s.epochs > planned_epochs, "--epochs: ", s.epochs, " is fewer than the run's ", planned_epochs,
                " epochs; --resume can only extend a run");
    Settings planned = s;
    planned.epochs = planned_epochs;
    const std::string why = why_not_extendable(planned);
    EMBER_CHECK(why.empty(), "--epochs: the run in ", start.folder, " cannot be extended: ", why,
                ". Start a new run (--config ", start.source, " --epochs ", s.epochs, ")");
  }
  if (!start.folder.empty()) out_dir = start.folder;
  if (s.threads > 0) set_num_threads(static_cast<int>(s.threads));
  manual_seed(static_cast<uint64_t>(s.seed));
  const std::optional<data::transforms::Transform> augmentation = augment_transform(s.augment, s.dataset);
  if (s.seq_len == 0) s.seq_len = s.dataset == "copy" || s.dataset == "reverse" ? 10 : 64;
  // Paths are stored absolute, so `ember eval` works from any folder.
  if (!s.data_root.empty() && start.mode != train::RunFolder::Mode::resume) s.data_root = fs::absolute(s.data_root).string();
  LoadedData loaded = load_data(s.dataset, s.data_root, s.target, static_cast<uint64_t>(s.seed), s.seq_len, s.max_classes);
  data::DatasetPtr train_set = loaded.train, val_set;
  if (s.val_split > 0) {
    Generator g(static_cast<uint64_t>(s.seed) + 1);
    auto parts = data::random_split(loaded.train, std::vector<double>{1 - s.val_split, s.val_split}, g);
    train_set = parts[0], val_set = parts[1];
  }
  // Augmentation touches the training examples only (not validation or test).
  if (augmentation) train_set = std::make_shared<data::TransformedDataset>(train_set, *augmentation);
  auto model = models::create(s.model, loaded.spec);
  auto opt = train::create_optimizer(s.optimizer, model->parameters(),
                                     {.lr = s.lr, .momentum = s.momentum, .weight_decay = s.weight_decay,
                                      .nesterov = s.nesterov});
  data::DataLoader train_loader(train_set, {.batch_size = s.batch_size, .shuffle = true,
                                            .num_workers = static_cast<int>(s.workers), .seed = static_cast<uint64_t>(s.seed)});
  data::DataLoader test_loader(loaded.test, {.batch_size = 1000});
  std::unique_ptr<data::DataLoader> val_loader;
  if (val_set) val_loader = std::make_unique<data::DataLoader>(val_set, data::DataLoaderOptions{.batch_size = 1000});
  if (s.scheduler == "multistep" && s.milestones.empty()) {  // recorded, so an extension keeps the same milestones
    std::string text;
    for (int64_t m : parse_milestones("", std::max<int64_t>(s.epochs - s.warmup_epochs, 1)))
      text += (text.empty() ? "" : ",") + std::to_string(m);
    s.milestones = text;
  }
  EMBER_CHECK(!(s.warmup_epochs > 0 && s.scheduler == "onecycle"),
              "--warmup-epochs does not combine with --scheduler onecycle (it warms up itself)");
  const int64_t decay_epochs = std::max<int64_t>(s.epochs - s.warmup_epochs, 1);
  const train::Schedule schedule = train::create_schedule(
      *opt, {.name = s.scheduler, .epochs = s.epochs, .batches_per_epoch = train_loader.size(),
             .warmup_epochs = s.warmup_epochs, .step_size = s.step_size,
             .milestones = s.scheduler == "multistep" ? parse_milestones(s.milestones, decay_epochs) : std::vector<int64_t>{},
             .gamma = s.gamma, .plateau_patience = s.plateau_patience, .max_lr = s.lr,
             // Momentum is cycled for the optimizers that have it (sgd's momentum, the Adam family's beta1).
             .cycle_momentum = s.optimizer != "adagrad" && s.optimizer != "adadelta"});
  optim::EarlyStopping stopper({.patience = std::max<int64_t>(s.early_stopping, 1)});
  const train::RunState run{model.get(), opt.get(), schedule.scheduler.get(), schedule.plateau.get(), &stopper};

  // The run folder, held by this process until it ends.
  if (out_dir.empty()) out_dir = "runs/" + s.model + "-" + timestamp();
  train::RunFolder folder(out_dir, start.mode);
  folder.require_free_space(space_needed(*model));
  const std::string metrics_path = folder.file("metrics.jsonl"), last_path = folder.file("last.safetensors");
  int64_t start_epoch = 0;
  std::optional<train::EpochProgress> resume_progress;
  std::vector<std::string> metric_lines;  // metrics.jsonl, rewritten whole (atomically) after each epoch
  Json config = to_json(s);
  config["threads"] = get_num_threads();
  config["input"] = std::vector<int64_t>(loaded.spec.input.begin(), loaded.spec.input.end());
  config["classes"] = loaded.spec.classes;
  config["ember_version"] = EMBER_VERSION;
  config["git_hash"] = EMBER_GIT_HASH;
  config["parameters"] = model->num_parameters();
  if (resuming) {
    const train::Restored restored = train::load_checkpoint(last_path, run, s.model);
    start_epoch = restored.epochs_done;
    resume_progress = restored.progress;
    EMBER_CHECK(start_epoch < s.epochs || resume_progress, "--resume: the run in ", out_dir, " has finished its ",
                count_of(s.epochs, "epoch"), "; extend it with: ember train --resume ", out_dir, " --epochs N (N > ",
                s.epochs, ")");
    // Keep the metrics of the epochs the checkpoint covers (a crash may have left one more).
    std::ifstream old(metrics_path);
    for (std::string line; std::getline(old, line) && static_cast<int64_t>(metric_lines.size()) < start_epoch;)
      metric_lines.push_back(line);
    config = start.config;
    config["epochs"] = s.epochs;  // an extension is recorded
    if (s.threads > 0) config["threads"] = s.threads;
  }
  write_file_atomic(folder.file("config.json"), config.dump(2) + "\n");
  auto write_metrics = [&] {
    std::string text;
    for (const std::string& line : metric_lines) text += line + "\n";
    write_file_atomic(metrics_path, text);
  };
  write_metrics();
  std::ofstream log(folder.file("train.log"), std::ios::app);
  // train.log is the one file appended to (it is read while it grows); a failed write stops the run all the same.
  auto say = [&](const std::string& line) {
    std::cout << line << std::endl;
    log << line << std::endl;
    EMBER_CHECK(log.good(), "cannot write ", folder.file("train.log"), " (is the disk full?)");
  };
  // A run the data cannot train stops here, before training, saying why in train.log too.
  const std::vector<int64_t> train_shape = loaded.train->get(0).data.sizes().vec(),
                             test_shape = loaded.test->get(0).data.sizes().vec();
  if (train_shape != test_shape) {
    const std::string why = detail::concat("--dataset ", s.dataset, ": test examples have shape ",
                                           IntArrayRef(test_shape), " but training examples have shape ",
                                           IntArrayRef(train_shape), "; both splits must match");
    log << "ember train: " << why << std::endl;
    detail::fail(why);
  }
  say("ember train: " + s.model + " (" + std::to_string(model->num_parameters()) + " parameters) on " + s.dataset +
      ", " + count_of(s.epochs, "epoch") + ", run folder " + out_dir +
      (resume_progress ? ", resuming epoch " + std::to_string(start_epoch + 1) + " after batch " +
                             std::to_string(resume_progress->batch)
       : start_epoch > 0 ? ", resuming after epoch " + std::to_string(start_epoch)
                         : ""));

  // Earlier epochs' metrics, for the curves and the summary.
  std::vector<train::EpochMetrics> history;
  double best_loss = std::numeric_limits<double>::infinity(), earlier_seconds = resume_progress ? resume_progress->seconds : 0;
  int64_t best_epoch = -1;
  for (const std::string& line : metric_lines) {
    const train::EpochMetrics m = train::parse_metrics_line(line, metrics_path);
    const double watched = m.val_loss.value_or(m.train_loss);
    if (watched < best_loss) best_loss = watched, best_epoch = m.epoch + 1;
    earlier_seconds += m.seconds;
    history.push_back(m);
  }

  const bool tty = !quiet && ::isatty(STDOUT_FILENO);
  const auto session_start = std::chrono::steady_clock::now();
  train::FitOptions fit{.epochs = s.epochs, .classes = loaded.spec.classes, .label_smoothing = s.label_smoothing,
                        .clip_grad_norm = s.clip_grad_norm, .scheduler = schedule.scheduler.get(),
                        .scheduler_per_batch = schedule.per_batch, .plateau = schedule.plateau.get(),
                        .start_epoch = start_epoch, .resume_progress = resume_progress};
  auto checkpoint_info = [&](int64_t epochs_done) {
    const Json info{{"epoch", epochs_done}, {"model", s.model}, {"dataset", s.dataset}, {"data_root", s.data_root},
                    {"target", s.target}, {"seed", s.seed}, {"seq_len", s.seq_len}, {"val_split", s.val_split},
                    {"max_classes", s.max_classes}};
    Metadata meta;  // strings as they are, numbers in JSON's spelling
    for (const auto& [k, v] : info.items()) meta[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return meta;
  };
  int64_t epoch_now = start_epoch;  // 0-based, for progress lines
  if (tty) {
    fit.on_batch = [&, bar = ProgressBar()](int64_t b, int64_t n, double loss, double acc, int64_t seen) mutable {
      const std::string line = bar.line(b, n, seen, loss, acc);  // every batch, so the clock sees each epoch start
      if (b % 10 == 0 || b == n) std::cout << "\r" << line << "\033[K" << std::flush;
    };
  } else if (!quiet && progress_every > 0) {
    // Logs and pipes get a line every so often instead of a bar.
    fit.on_batch = [&, last = std::chrono::steady_clock::now(), epoch_start = std::chrono::steady_clock::now(),
                    shown_epoch = int64_t{-1}](int64_t b, int64_t n, double loss, double acc, int64_t seen) mutable {
      const auto now = std::chrono::steady_clock::now();
      if (shown_epoch != epoch_now) shown_epoch = epoch_now, epoch_start = now, last = now;
      if (std::chrono::duration<double>(now - last).count() < progress_every || b == n) return;
      last = now;
      const double elapsed = std::chrono::duration<double>(now - epoch_start).count();
      std::ostringstream line;
      line << std::fixed << std::setprecision(4) << "  epoch " << epoch_now + 1 << "/" << s.epochs << "  batch " << b
           << "/" << n << "  loss " << loss << "  acc " << acc << std::setprecision(0) << "  "
           << static_cast<double>(seen) / std::max(elapsed, 1e-9) << " samples/s";
      std::cout << line.str() << std::endl;
    };
  }
  fit.interrupted = [&] { return stop.requested(); };
  std::optional<train::EpochProgress> interrupted_at;
  fit.on_interrupt = [&](const train::EpochProgress& p) {
    train::save_checkpoint(last_path, run, checkpoint_info(p.epoch), p);
    interrupted_at = p;
  };
  fit.on_epoch = [&](const train::EpochMetrics& m) {
    if (tty) std::cout << "\r\033[K";  // clear the bar
    epoch_now = m.epoch + 1;
    say(epoch_line(m, s.epochs));
    history.push_back(m);
    metric_lines.push_back(train::metrics_line(m));
    write_metrics();
    const double watched = m.val_loss.value_or(m.train_loss);
    const bool early_stop = s.early_stopping > 0 && stopper.step(watched);
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
    const Metadata info = checkpoint_info(m.epoch + 1);
    train::save_checkpoint(last_path, run, info);
    if (watched < best_loss) {
      best_loss = watched, best_epoch = m.epoch + 1;
      train::save_checkpoint(folder.file("best.safetensors"), run, info);
    }
    return !early_stop;
  };
  try {
    train::fit(*model, *opt, train_loader, val_loader.get(), fit);
  } catch (const Error& e) {
    // A diverged run (non-finite loss) keeps its last good checkpoint untouched.
    // Said without checking the log: the error may be that it cannot be written.
    auto note = [&](const std::string& line) { std::cout << line << std::endl, log << line << std::endl; };
    if (tty) std::cout << "\n";
    note(std::string("stopped: ") + e.what());
    note(fs::exists(last_path) ? "the last good checkpoint is kept: " + last_path
                               : "no checkpoint was written (the run stopped inside its first epoch); start it again "
                                 "with: ember train --restart " + out_dir + " [--lr ...]");
    return 1;
  }
  // (A stop request after the last batch lets the run finish.)
  if (interrupted_at) {
    if (tty) std::cout << "\n";
    say(std::string("interrupted (") + signal_name(stop.signal()) + ") after batch " +
        std::to_string(interrupted_at->batch) + " of epoch " + std::to_string(interrupted_at->epoch + 1) +
        ": checkpoint written to " + last_path + "; continue with: ember train --resume " + out_dir);
    return stop.exit_status();
  }
  if (!history.empty()) train::plot_curves(history, folder.file("curves.png"));

  const train::EvalResult test = train::evaluate(*model, test_loader, loaded.spec.classes);
  const double session = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
  const double total = earlier_seconds + session;
  double train_seconds = 0, train_samples = 0;
  for (const train::EpochMetrics& m : history) train_seconds += m.seconds, train_samples += m.samples_per_sec * m.seconds;
  std::ostringstream done;
  done << std::fixed << std::setprecision(4) << "test_loss " << test.loss << "  test_accuracy " << test.accuracy
       << std::setprecision(1) << "  (" << total << "s in all)";
  say(done.str());
  const Json summary = {{"test_loss", test.loss}, {"test_accuracy", test.accuracy}, {"best_epoch", best_epoch},
                        {"total_seconds", total}, {"train_samples_per_sec", train_samples / std::max(train_seconds, 1e-9)},
                        {"parameters", model->num_parameters()}};
  write_file_atomic(folder.file("summary.json"), summary.dump(2) + "\n");
  return 0;
}

}  // namespace ember::cli
