// The training run (train/run.h): built from its config through the
// registries, trained with fit, its files kept in its folder.
#include "ember/train/run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ember/image_io.h"
#include "ember/io.h"
#include "ember/models.h"
#include "ember/nn/functional.h"
#include "ember/optim/regularization.h"
#include "ember/threads.h"
#include "ember/train/adversarial.h"
#include "ember/train/datasets.h"
#include "ember/train/trained_model.h"
#include "train/wording.h"

namespace ember::train {
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

// Random transforms of the training images (config.augment), drawn per
// example from the loader's seeded generators (reproducible whatever the
// worker count).
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

// What a run trains its model to do, from the model's kind.
enum class Task {
  classify,     // cross-entropy on the labels
  reconstruct,  // models::Reconstructor: MSE against the input itself
  adversarial,  // models::AdversarialPair: generator against discriminator
};

Task task_of(nn::Module& model) {
  if (dynamic_cast<models::AdversarialPair*>(&model)) return Task::adversarial;
  if (dynamic_cast<models::Reconstructor*>(&model)) return Task::reconstruct;
  return Task::classify;
}

// One line per epoch (also what the log file gets).
std::string epoch_line(const EpochMetrics& m, int64_t epochs, Task task) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4) << "epoch " << m.epoch + 1 << "/" << epochs << "  lr " << m.lr;
  if (task == Task::adversarial)
    out << "  g_loss " << m.train_loss << "  d_loss " << m.extra.at("d_loss") << "  d_acc " << m.train_acc;
  else if (task == Task::reconstruct)
    out << "  train_loss " << m.train_loss;
  else
    out << "  train_loss " << m.train_loss << "  train_acc " << m.train_acc;
  if (m.val_loss) out << "  val_loss " << *m.val_loss;
  if (m.val_loss && task == Task::classify) out << "  val_acc " << *m.val_acc;
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

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  EMBER_CHECK(in.good(), "cannot read ", path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string ids_text(const Tensor& ids) {
  std::ostringstream out;
  const char* separator = "";
  for (int64_t id : ids.reshape({-1}).to_vector<int64_t>()) out << separator << id, separator = " ";
  return out.str();
}

}  // namespace

struct Run::State {
  RunConfig config;
  RunOptions options;
  std::string path;
  LoadedData loaded;
  std::shared_ptr<nn::Module> model;
  Task task = Task::classify;
  std::unique_ptr<optim::Optimizer> optimizer;
  std::unique_ptr<optim::Optimizer> discriminator_optimizer;  // adversarial pairs: optimizer is the generator's
  std::unique_ptr<data::DataLoader> train_loader, val_loader, test_loader;
  Schedule schedule;
  std::unique_ptr<optim::EarlyStopping> stopper;
  std::unique_ptr<RunFolder> folder;
  Json config_file;  // config.json as this session writes it
  int64_t epochs_done = 0;
  std::optional<EpochProgress> resume_progress;
  std::string channel_plan;  // a pruned model's architecture (from --init-from), kept in every checkpoint
  std::vector<std::string> metric_lines;  // metrics.jsonl, rewritten whole (atomically) after each epoch
  std::ofstream log;

  RunState run() const {
    return {model.get(),          optimizer.get(), schedule.scheduler.get(), schedule.plateau.get(),
            stopper.get(), discriminator_optimizer.get()};
  }
  std::string file(const std::string& name) const { return folder->file(name); }

  // What each checkpoint's metadata says of the run (`ember eval` rebuilds the data from it).
  Metadata checkpoint_info(int64_t epochs) const {
    const RunConfig& c = config;
    const Json info{{"epoch", epochs},          {"model", c.model},     {"dataset", c.dataset},
                    {"data_root", c.data_root}, {"target", c.target},   {"seed", c.seed},
                    {"seq_len", c.seq_len},     {"val_split", c.val_split}, {"max_classes", c.max_classes},
                    {"pos", c.pos}};
    Metadata meta;  // strings as they are, numbers in JSON's spelling
    for (const auto& [k, v] : info.items()) meta[k] = v.is_string() ? v.get<std::string>() : v.dump();
    if (!channel_plan.empty()) meta[kChannelPlanKey] = channel_plan;
    return meta;
  }

  // This epoch's picture, images/epoch-NNN.png: eight test images over their reconstructions,
  // or 64 images generated from the same noise every epoch. Returns its path.
  std::string draw_images(int64_t epoch) const {
    char name[32];
    std::snprintf(name, sizeof name, "epoch-%03lld.png", static_cast<long long>(epoch + 1));
    fs::create_directories(file("images"));
    const std::string path = (fs::path(file("images")) / name).string();
    if (task == Task::adversarial) {
      Generator noise(static_cast<uint64_t>(config.seed) + 2000);
      save_image(generate_images(*model, 64, noise), path, 8);
      return path;
    }
    std::vector<Tensor> originals;
    for (int64_t i = 0; i < std::min<int64_t>(8, loaded.test->size()); ++i) originals.push_back(loaded.test->get(i).data);
    const Tensor x = stack(originals);
    const bool was_training = model->is_training();
    model->eval();
    Tensor reconstructed;
    {
      InferenceMode inference;
      reconstructed = (*model)(x);
    }
    model->train(was_training);
    save_image(cat({x, reconstructed}), path, static_cast<int64_t>(originals.size()));
    return path;
  }

  void write_metrics() const {
    std::string text;
    for (const std::string& line : metric_lines) text += line + "\n";
    write_file_atomic(file("metrics.jsonl"), text);
  }
};

Run::Run(RunConfig config, RunOptions options) : state_(std::make_unique<State>()) {
  State& s = *state_;
  const bool resuming = options.mode == RunFolder::Mode::resume;
  EMBER_CHECK(config.device == "cpu", "--device: '", config.device, "' is not available in this build (cpu only)");
  if (config.threads > 0) set_num_threads(static_cast<int>(config.threads));
  manual_seed(static_cast<uint64_t>(config.seed));
  const std::optional<data::transforms::Transform> augmentation = augment_transform(config.augment, config.dataset);
  if (config.seq_len == 0) config.seq_len = config.dataset == "copy" || config.dataset == "reverse" ? 10 : 64;
  // Paths are stored absolute, so `ember eval` works from any folder.
  if (!config.data_root.empty() && !resuming) config.data_root = fs::absolute(config.data_root).string();
  if (!config.init_from.empty() && !resuming) config.init_from = fs::absolute(config.init_from).string();

  s.loaded = load_data(config.dataset, config.data_root, config.target, static_cast<uint64_t>(config.seed),
                       config.seq_len, config.max_classes);
  data::DatasetPtr train_set = s.loaded.train, val_set;
  if (config.val_split > 0) {
    Generator g(static_cast<uint64_t>(config.seed) + 1);
    auto parts = data::random_split(s.loaded.train, std::vector<double>{1 - config.val_split, config.val_split}, g);
    train_set = parts[0], val_set = parts[1];
  }
  // Augmentation touches the training examples only (not validation or test).
  if (augmentation) train_set = std::make_shared<data::TransformedDataset>(train_set, *augmentation);
  s.loaded.spec.positions = config.pos;
  s.model = models::create(config.model, s.loaded.spec);
  // A pruned model takes its form (fewer channels, masks) before anything holds its parameters: from the
  // checkpoint resumed, or the one it starts from.
  // (Resuming, the file read here is the one the run's state is restored from below.)
  std::string checkpoint_path;
  Metadata meta;
  nn::StateDict all;
  if (resuming || !config.init_from.empty()) {
    const std::string& path = checkpoint_path =
        resuming ? (fs::path(options.folder) / "last.safetensors").string() : config.init_from;
    const std::string flag = resuming ? "--resume" : "--init-from";
    EMBER_CHECK(fs::exists(path), flag, ": ", path, " does not exist");
    all = load(path, &meta);
    EMBER_CHECK(meta.count("model"), flag, ": ", path, " is not a checkpoint of `ember train` (no model metadata)");
    EMBER_CHECK(meta.at("model") == config.model, flag, ": ", path, " holds a ", meta.at("model"), " model, not ",
                config.model);
    const nn::StateDict tensors = model_tensors(all);
    shape_like_checkpoint(*s.model, meta, tensors, "checkpoint " + path);
    if (meta.count(kChannelPlanKey)) s.channel_plan = meta.at(kChannelPlanKey);
    if (!resuming) {
      try {
        s.model->load_state_dict(tensors);
      } catch (const Error& e) {
        detail::fail("--init-from: ", path, ": ", e.what());
      }
    }
  }
  s.task = task_of(*s.model);
  if (s.task == Task::reconstruct) {
    train_set = std::make_shared<data::InputAsTarget>(train_set);
    if (val_set) val_set = std::make_shared<data::InputAsTarget>(val_set);
    s.loaded.test = std::make_shared<data::InputAsTarget>(s.loaded.test);
  }
  const OptimizerSpec optimizer_spec{.lr = config.lr, .momentum = config.momentum, .weight_decay = config.weight_decay,
                                     .nesterov = config.nesterov};
  if (auto* pair = dynamic_cast<models::AdversarialPair*>(s.model.get())) {
    EMBER_CHECK(config.scheduler == "none", "--scheduler ", config.scheduler, ": ", config.model,
                " trains at a constant learning rate (--scheduler none), as the DCGAN recipe");
    EMBER_CHECK(config.val_split == 0, "--val-split: ", config.model, " has no validation loss to watch (--val-split 0)");
    s.optimizer = create_optimizer(config.optimizer, pair->generator().parameters(), optimizer_spec);
    s.discriminator_optimizer = create_optimizer(config.optimizer, pair->discriminator().parameters(), optimizer_spec);
  } else {
    s.optimizer = create_optimizer(config.optimizer, s.model->parameters(), optimizer_spec);
  }
  s.train_loader = std::make_unique<data::DataLoader>(
      train_set, data::DataLoaderOptions{.batch_size = config.batch_size, .shuffle = true,
                                         .num_workers = static_cast<int>(config.workers),
                                         .seed = static_cast<uint64_t>(config.seed)});
  s.test_loader = std::make_unique<data::DataLoader>(s.loaded.test, data::DataLoaderOptions{.batch_size = 1000});
  if (val_set) s.val_loader = std::make_unique<data::DataLoader>(val_set, data::DataLoaderOptions{.batch_size = 1000});
  if (config.scheduler == "multistep" && config.milestones.empty()) {  // recorded, so an extension keeps them
    std::string text;
    for (int64_t m : parse_milestones("", std::max<int64_t>(config.epochs - config.warmup_epochs, 1)))
      text += (text.empty() ? "" : ",") + std::to_string(m);
    config.milestones = text;
  }
  EMBER_CHECK(!(config.warmup_epochs > 0 && config.scheduler == "onecycle"),
              "--warmup-epochs does not combine with --scheduler onecycle (it warms up itself)");
  const int64_t decay_epochs = std::max<int64_t>(config.epochs - config.warmup_epochs, 1);
  s.schedule = create_schedule(
      *s.optimizer,
      {.name = config.scheduler, .epochs = config.epochs, .batches_per_epoch = s.train_loader->size(),
       .warmup_epochs = config.warmup_epochs, .step_size = config.step_size,
       .milestones = config.scheduler == "multistep" ? parse_milestones(config.milestones, decay_epochs)
                                                     : std::vector<int64_t>{},
       .gamma = config.gamma, .plateau_patience = config.plateau_patience, .max_lr = config.lr,
       // Momentum is cycled for the optimizers that have it (sgd's momentum, the Adam family's beta1).
       .cycle_momentum = s.optimizer->param_groups()[0].options.count("momentum") > 0 ||
                         s.optimizer->param_groups()[0].options.count("beta1") > 0});
  s.stopper = std::make_unique<optim::EarlyStopping>(
      optim::EarlyStoppingOptions{.patience = std::max<int64_t>(config.early_stopping, 1)});

  // The run folder, held until the Run ends.
  s.path = options.folder.empty() ? "runs/" + config.model + "-" + timestamp() : options.folder;
  s.folder = std::make_unique<RunFolder>(s.path, options.mode);
  s.folder->require_free_space(space_needed(*s.model));
  s.config_file = Json::parse(config_json(config));
  s.config_file["threads"] = get_num_threads();
  s.config_file["input"] = std::vector<int64_t>(s.loaded.spec.input.begin(), s.loaded.spec.input.end());
  s.config_file["classes"] = s.loaded.spec.classes;
  s.config_file["parameters"] = s.model->num_parameters();
  for (const auto& [key, value] : options.facts) s.config_file[key] = value;
  if (resuming) {
    const Restored restored = load_checkpoint(all, meta, checkpoint_path, s.run(), config.model);
    s.epochs_done = restored.epochs_done;
    s.resume_progress = restored.progress;
    // Keep the metrics of the epochs the checkpoint covers (a crash may have left one more).
    std::ifstream old(s.file("metrics.jsonl"));
    for (std::string line; std::getline(old, line) && static_cast<int64_t>(s.metric_lines.size()) < s.epochs_done;)
      s.metric_lines.push_back(line);
    // The run's own config.json stays, recording an extension and a new thread count.
    s.config_file = Json::parse(read_text(s.file("config.json")));
    s.config_file["epochs"] = config.epochs;
    if (config.threads > 0) s.config_file["threads"] = config.threads;
  }
  s.config = std::move(config);
  s.options = std::move(options);
}

Run::~Run() = default;

const RunConfig& Run::config() const { return state_->config; }
const std::string& Run::folder() const { return state_->path; }
std::string Run::file(const std::string& name) const { return state_->file(name); }
nn::Module& Run::model() { return *state_->model; }
int64_t Run::epochs_done() const { return state_->epochs_done; }
const std::optional<EpochProgress>& Run::resume_progress() const { return state_->resume_progress; }

void Run::report(const std::string& line) {
  State& s = *state_;
  if (s.options.on_line) s.options.on_line(line);
  if (!s.log.is_open()) s.log.open(s.file("train.log"), std::ios::app);
  // train.log is the one file appended to (it is read while it grows); a failed write stops the run all the same.
  s.log << line << std::endl;
  EMBER_CHECK(s.log.good(), "cannot write ", s.file("train.log"), " (is the disk full?)");
}

RunOutcome Run::train() {
  State& s = *state_;
  const RunConfig& c = s.config;
  write_file_atomic(s.file("config.json"), s.config_file.dump(2) + "\n");
  s.write_metrics();
  if (!s.log.is_open()) s.log.open(s.file("train.log"), std::ios::app);
  // A run the data cannot train stops here, before training, saying why in train.log too.
  const std::vector<int64_t> train_shape = s.loaded.train->get(0).data.sizes().vec(),
                             test_shape = s.loaded.test->get(0).data.sizes().vec();
  if (train_shape != test_shape) {
    const std::string why = detail::concat("--dataset ", c.dataset, ": test examples have shape ",
                                           IntArrayRef(test_shape), " but training examples have shape ",
                                           IntArrayRef(train_shape), "; both splits must match");
    s.log << "ember train: " << why << std::endl;
    detail::fail(why);
  }
  const int64_t start_epoch = s.epochs_done;
  const std::optional<EpochProgress> resume_progress = s.resume_progress;
  report("ember train: " + c.model + " (" + std::to_string(s.model->num_parameters()) + " parameters) on " +
         c.dataset + ", " + count_of(c.epochs, "epoch") + ", run folder " + s.path +
         (resume_progress ? ", resuming epoch " + std::to_string(start_epoch + 1) + " after batch " +
                                std::to_string(resume_progress->batch)
          : start_epoch > 0 ? ", resuming after epoch " + std::to_string(start_epoch)
                            : ""));

  // Earlier epochs' metrics, for the curves and the summary.
  const std::string metrics_path = s.file("metrics.jsonl"), last_path = s.file("last.safetensors");
  std::vector<EpochMetrics> history;
  double best_loss = std::numeric_limits<double>::infinity();
  double earlier_seconds = resume_progress ? resume_progress->seconds : 0;
  int64_t best_epoch = -1;
  for (const std::string& line : s.metric_lines) {
    const EpochMetrics m = parse_metrics_line(line, metrics_path);
    const double watched = m.val_loss.value_or(m.train_loss);
    if (watched < best_loss) best_loss = watched, best_epoch = m.epoch + 1;
    earlier_seconds += m.seconds;
    history.push_back(m);
  }

  const auto session_start = std::chrono::steady_clock::now();
  const RunState run = s.run();
  FitOptions fit{.epochs = c.epochs, .classes = s.loaded.spec.classes, .label_smoothing = c.label_smoothing,
                 .clip_grad_norm = c.clip_grad_norm, .scheduler = s.schedule.scheduler.get(),
                 .scheduler_per_batch = s.schedule.per_batch, .plateau = s.schedule.plateau.get(),
                 .start_epoch = start_epoch, .resume_progress = resume_progress};
  int64_t epoch_now = start_epoch;  // 0-based, for progress
  if (s.options.on_batch)
    fit.on_batch = [&](int64_t b, int64_t n, double loss, double acc, int64_t seen) {
      s.options.on_batch(epoch_now, b, n, loss, acc, seen);
    };
  RunOutcome outcome;
  if (s.options.interrupted) fit.interrupted = s.options.interrupted;
  fit.on_interrupt = [&](const EpochProgress& p) {
    save_checkpoint(last_path, run, s.checkpoint_info(p.epoch), p);
    outcome.interrupted_at = p;
  };
  fit.on_epoch = [&](const EpochMetrics& m) {
    epoch_now = m.epoch + 1;
    report(epoch_line(m, c.epochs, s.task));
    history.push_back(m);
    s.metric_lines.push_back(metrics_line(m));
    s.write_metrics();
    const double watched = m.val_loss.value_or(m.train_loss);
    const bool early_stop = c.early_stopping > 0 && s.stopper->step(watched);
    if (s.task != Task::classify) report("images: " + s.draw_images(m.epoch));
    if (auto* generator = dynamic_cast<models::TextGenerator*>(s.model.get()); generator && s.loaded.text) {
      // A sample from the model, from its own generator so the run's random stream is untouched.
      Generator g(static_cast<uint64_t>(c.seed) + 1000 + static_cast<uint64_t>(m.epoch));
      const Tensor prompt = s.loaded.text->get(0).data.narrow(0, 0, 1).view({1, 1});  // the text's first character
      report("sample: " + s.loaded.text->decode(generator->generate(prompt, 200, 0.8, 10, &g)));
    }
    if (auto* translator = dynamic_cast<models::SequenceTranslator*>(s.model.get())) {
      const data::Example example = s.loaded.test->get(0);
      const Tensor source = example.data.narrow(0, 0, c.seq_len).view({1, -1});
      report("sample: " + ids_text(source) + " -> " + ids_text(translator->greedy_decode(source, c.seq_len)) +
             " (expected " + ids_text(example.target) + ")");
    }
    const Metadata info = s.checkpoint_info(m.epoch + 1);
    save_checkpoint(last_path, run, info);
    if (watched < best_loss) {
      best_loss = watched, best_epoch = m.epoch + 1;
      save_checkpoint(s.file("best.safetensors"), run, info);
    }
    if (early_stop) return false;
    return !s.options.on_epoch || s.options.on_epoch(m);
  };
  if (s.task == Task::reconstruct)
    fit.loss = [](const Tensor& out, const Tensor& target) { return F::mse_loss(out, target); };
  try {
    if (s.task == Task::adversarial)
      fit_adversarial(*s.model, *s.optimizer, *s.discriminator_optimizer, *s.train_loader, fit);
    else
      train::fit(*s.model, *s.optimizer, *s.train_loader, s.val_loader.get(), fit);
  } catch (const Error& e) {
    // A diverged run (non-finite loss) keeps its last good checkpoint untouched. Said
    // without checking the log: the error may be that it cannot be written.
    auto note = [&](const std::string& line) {
      if (s.options.on_line) s.options.on_line(line);
      s.log << line << std::endl;
    };
    outcome.end = RunOutcome::End::failed;
    outcome.error = e.what();
    outcome.has_checkpoint = fs::exists(last_path);
    note(std::string("stopped: ") + e.what());
    if (outcome.has_checkpoint) note("the last good checkpoint is kept: " + last_path);
    return outcome;
  }
  // (A stop request after the last batch lets the run finish.)
  if (outcome.interrupted_at) {
    outcome.end = RunOutcome::End::interrupted;
    return outcome;
  }
  if (!history.empty()) plot_curves(history, s.file("curves.png"));

  Generator test_noise(static_cast<uint64_t>(c.seed) + 3000);
  outcome.test = s.task == Task::adversarial ? evaluate_adversarial(*s.model, *s.test_loader, &test_noise)
                 : s.task == Task::reconstruct
                     ? evaluate(*s.model, *s.test_loader, s.loaded.spec.classes, {.loss = fit.loss})
                     : evaluate(*s.model, *s.test_loader, s.loaded.spec.classes);
  const double session = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
  outcome.total_seconds = earlier_seconds + session;
  double train_seconds = 0, train_samples = 0;
  for (const EpochMetrics& m : history) train_seconds += m.seconds, train_samples += m.samples_per_sec * m.seconds;
  std::ostringstream done;
  done << std::fixed << std::setprecision(4);
  if (s.task == Task::adversarial)
    done << "test: discriminator loss " << outcome.test.loss << "  accuracy " << outcome.test.accuracy
         << " (real test images and as many generated)";
  else if (s.task == Task::reconstruct)
    done << "test_loss " << outcome.test.loss << " (reconstruction MSE)";
  else
    done << "test_loss " << outcome.test.loss << "  test_accuracy " << outcome.test.accuracy;
  done << std::setprecision(1) << "  (" << outcome.total_seconds << "s in all)";
  report(done.str());
  const Json summary = {{"test_loss", outcome.test.loss},
                        {"test_accuracy", outcome.test.accuracy},
                        {"best_epoch", best_epoch},
                        {"total_seconds", outcome.total_seconds},
                        {"train_samples_per_sec", train_samples / std::max(train_seconds, 1e-9)},
                        {"parameters", s.model->num_parameters()}};
  write_file_atomic(s.file("summary.json"), summary.dump(2) + "\n");
  return outcome;
}

}  // namespace ember::train
