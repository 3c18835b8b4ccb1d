// `ember models`, `ember datasets` and `ember eval --checkpoint FILE`.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "ember/ember.h"

namespace ember::cli {

int models_command(int, char**) {
  const auto models = models::list();
  size_t width = 0;
  for (const auto& [name, description] : models) width = std::max(width, name.size());
  for (const auto& [name, description] : models)
    std::cout << std::left << std::setw(static_cast<int>(width + 2)) << name << description << "\n";
  return 0;
}

int datasets_command(int, char**) {
  for (const auto& [name, description] : train::dataset_list()) std::cout << std::left << std::setw(15) << name << description << "\n";
  return 0;
}

// Loss, accuracy, per-class accuracy and the confusion matrix of a checkpoint
// on a split of its dataset (or of another --dataset).
int eval_command(int argc, char** argv) {
  Args args(argc, argv, 2);
  const std::string checkpoint = args.get("checkpoint", "", "a last.safetensors or best.safetensors of `ember train`");
  std::string dataset = args.get("dataset", "", "dataset (default: the one the checkpoint was trained on)");
  std::string root = args.get("data-root", "", "dataset folder or file (default: the one the checkpoint was trained on)");
  const std::string split = args.get("split", "test", "train, val (the run's validation hold-out) or test");
  const int64_t batch_size = args.integer("batch-size", 1000, "examples per batch", 1, 1 << 20);
  const int64_t threads = args.integer("threads", 0, "compute threads (0: all cores)", 0, 1024);
  if (args.wants_help()) {
    std::cout << "usage: ember eval --checkpoint FILE [flags]\n\n" << args.usage();
    return 0;
  }
  args.check_all_used();
  EMBER_CHECK(!checkpoint.empty(), "--checkpoint FILE is required");
  EMBER_CHECK(split == "train" || split == "val" || split == "test", "--split: '", split, "' should be train, val or test");
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  const train::TrainedModel trained = train::load_trained_model(checkpoint, dataset, root);
  const Metadata& meta = trained.meta;
  const train::LoadedData& data = trained.data;
  nn::Module& model = *trained.model;
  const std::string where = "checkpoint " + checkpoint;
  const uint64_t seed = meta.count("seed") ? metadata_uint(meta, "seed", where) : 0;
  data::DatasetPtr examples = split == "test" ? data.test : data.train;
  if (split != "test") {  // the split `ember train` made: the same generator and fractions
    const double val_split = meta.count("val_split") ? metadata_double(meta, "val_split", where) : 0.0;
    EMBER_CHECK(split == "train" || val_split > 0, "--split val: the run held out no validation split (val_split 0)");
    if (val_split > 0) {
      Generator g(seed + 1);
      auto parts = data::random_split(data.train, std::vector<double>{1 - val_split, val_split}, g);
      examples = parts[split == "val" ? 1 : 0];
    }
  }
  // Generative models have their own figures: the discriminator's calls, or the reconstruction error.
  if (dynamic_cast<models::AdversarialPair*>(&model)) {
    data::DataLoader loader(examples, {.batch_size = batch_size});
    Generator noise(seed + 3000);
    const train::EvalResult r = train::evaluate_adversarial(model, loader, &noise);
    std::cout << std::fixed << std::setprecision(4) << split << " split (" << examples->size()
              << " real images and as many generated): discriminator loss " << r.loss << "  accuracy " << r.accuracy
              << "\n";
    return 0;
  }
  if (dynamic_cast<models::Reconstructor*>(&model)) {
    data::DataLoader loader(std::make_shared<data::InputAsTarget>(examples), {.batch_size = batch_size});
    const train::EvalResult r = train::evaluate(model, loader, data.spec.classes, {.loss = [](const Tensor& out,
                                                                                             const Tensor& target) {
                                                  return F::mse_loss(out, target);
                                                }});
    std::cout << std::fixed << std::setprecision(4) << split << " split (" << examples->size()
              << " examples): reconstruction MSE " << r.loss << "\n";
    return 0;
  }
  data::DataLoader loader(examples, {.batch_size = batch_size});
  const train::EvalResult r = train::evaluate(model, loader, data.spec.classes);
  // Sequence models predict every position: a per-class table of the vocabulary says little.
  const bool per_token = examples->get(0).target.dim() >= 1;
  std::cout << std::fixed << std::setprecision(4) << split << " split (" << examples->size() << " examples): loss "
            << r.loss << (per_token ? "  token accuracy " : "  accuracy ") << r.accuracy << "\n";
  if (per_token) return 0;
  const int64_t c = data.spec.classes;
  const auto counts = r.confusion.to_vector<int64_t>();
  size_t width = 5;
  for (const std::string& name : data.class_names) width = std::max(width, name.size() + 2);
  std::cout << "\nper-class accuracy\n";
  for (int64_t i = 0; i < c; ++i) {
    int64_t row = 0;
    for (int64_t j = 0; j < c; ++j) row += counts[static_cast<size_t>(i * c + j)];
    std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << data.class_names[static_cast<size_t>(i)]
              << (row ? static_cast<double>(counts[static_cast<size_t>(i * c + i)]) / static_cast<double>(row) : 0.0) << "\n";
  }
  // Columns are labelled by class number (names are too wide to head a column); rows give number and name.
  std::cout << "\nconfusion matrix (rows: true class, columns: predicted class)\n  "
            << std::setw(static_cast<int>(width + 5)) << "" << std::right;
  for (int64_t j = 0; j < c; ++j) std::cout << std::setw(6) << j;
  std::cout << "\n";
  for (int64_t i = 0; i < c; ++i) {
    const std::string& name = data.class_names[static_cast<size_t>(i)];
    std::cout << "  " << std::right << std::setw(3) << i << "  " << std::left << std::setw(static_cast<int>(width))
              << (name == std::to_string(i) ? "" : name) << std::right;
    for (int64_t j = 0; j < c; ++j) std::cout << std::setw(6) << counts[static_cast<size_t>(i * c + j)];
    std::cout << "\n";
  }
  const std::filesystem::path png = std::filesystem::path(checkpoint).parent_path() /
                                    (split == "test" ? "confusion.png" : "confusion-" + split + ".png");
  train::plot_confusion(r.confusion, data.class_names, png.string());
  std::cout << "\nconfusion matrix drawn to " << png.string() << "\n";
  return 0;
}

}  // namespace ember::cli
