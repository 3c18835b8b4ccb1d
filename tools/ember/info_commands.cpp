// `ember models`, `ember datasets` and `ember eval --checkpoint FILE`.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "datasets.h"
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
  for (const auto& [name, description] : dataset_list()) std::cout << std::left << std::setw(15) << name << description << "\n";
  return 0;
}

// Loss, accuracy, per-class accuracy and the confusion matrix of a checkpoint
// on its dataset's test split (or another --dataset).
int eval_command(int argc, char** argv) {
  Args args(argc, argv, 2);
  const std::string checkpoint = args.get("checkpoint", "", "a last.safetensors or best.safetensors of `ember train`");
  std::string dataset = args.get("dataset", "", "dataset (default: the one the checkpoint was trained on)");
  std::string root = args.get("data-root", "", "dataset folder or file");
  if (args.wants_help()) {
    std::cout << "usage: ember eval --checkpoint FILE [flags]\n\n" << args.usage();
    return 0;
  }
  args.check_all_used();
  EMBER_CHECK(!checkpoint.empty(), "ember eval: --checkpoint FILE is required");
  Metadata meta;
  const nn::StateDict all = load(checkpoint, &meta);
  EMBER_CHECK(meta.count("model") && meta.count("dataset"), "ember eval: ", checkpoint,
              " was not written by `ember train` (no model/dataset metadata)");
  if (dataset.empty()) dataset = meta.at("dataset"), root = meta.count("data_root") ? meta.at("data_root") : "";
  const std::string target = meta.count("target") ? meta.at("target") : "";
  const LoadedData data = load_data(dataset, root, target, meta.count("seed") ? std::stoull(meta.at("seed")) : 0,
                                    meta.count("seq_len") ? std::stoll(meta.at("seq_len")) : 64);
  auto model = models::create(meta.at("model"), data.spec);
  nn::StateDict weights;
  for (const auto& [k, v] : all)
    if (k.rfind("model.", 0) == 0) weights.push_back({k.substr(6), v});
  model->load_state_dict(weights);
  data::DataLoader loader(data.test, {.batch_size = 1000});
  const train::EvalResult r = train::evaluate(*model, loader, data.spec.classes);
  std::cout << std::fixed << std::setprecision(4) << "loss " << r.loss << "  accuracy " << r.accuracy << "\n\n";
  const int64_t c = data.spec.classes;
  const auto counts = r.confusion.to_vector<int64_t>();
  std::cout << "per-class accuracy\n";
  for (int64_t i = 0; i < c; ++i) {
    int64_t row = 0;
    for (int64_t j = 0; j < c; ++j) row += counts[static_cast<size_t>(i * c + j)];
    std::cout << "  " << std::left << std::setw(14) << data.class_names[static_cast<size_t>(i)]
              << (row ? static_cast<double>(counts[static_cast<size_t>(i * c + i)]) / static_cast<double>(row) : 0.0) << "\n";
  }
  std::cout << "\nconfusion matrix (rows: true class, columns: predicted)\n";
  for (int64_t i = 0; i < c; ++i) {
    std::cout << "  " << std::left << std::setw(14) << data.class_names[static_cast<size_t>(i)] << std::right;
    for (int64_t j = 0; j < c; ++j) std::cout << std::setw(6) << counts[static_cast<size_t>(i * c + j)];
    std::cout << "\n";
  }
  return 0;
}

}  // namespace ember::cli
