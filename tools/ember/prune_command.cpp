// `ember prune --checkpoint FILE`: prunes a trained model and writes it as a
// checkpoint to fine-tune from (`ember train --init-from`) or evaluate
// (`ember eval`). --structured removes whole channels (a smaller, faster
// model: nn/channel_prune.h); otherwise the smallest weights of every
// convolution and linear layer are masked together (global L1: the same size,
// the masks kept as weight_orig / weight_mask so fine-tuning keeps them zero).
// Parameters, MACs and speed are measured before and after.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>

#include "args.h"
#include "commands.h"
#include "model_cost.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

struct Cost {
  int64_t parameters = 0, nonzero = 0, macs = 0;
  double inference_per_sec = 0, training_per_sec = 0;  // samples/s; 0: not timed
};

// Parameters, MACs, and samples/s of inference and of a training step's forward and backward on
// `batch` (the model's state is put back afterwards: batch norm's running statistics move).
Cost measure(nn::Module& model, const data::Batch& batch, int64_t steps) {
  Cost c;
  std::map<std::string, Tensor> masks;
  for (auto& [name, b] : model.named_buffers()) masks[name] = b;
  for (auto& [name, p] : model.named_parameters()) {
    c.parameters += p.numel();
    // A masked parameter (name_orig) counts the entries its mask keeps.
    const std::string suffix = "_orig";
    const bool masked = name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    const auto mask = masked ? masks.find(name.substr(0, name.size() - suffix.size()) + "_mask") : masks.end();
    const Tensor value = mask != masks.end() ? p.detach() * mask->second : p.detach();
    c.nonzero += ne(value, 0.0).sum().item<int64_t>();
  }
  const double n = static_cast<double>(batch.data.size(0));
  model.eval();
  {
    InferenceMode inference;
    c.macs = forward_macs(model, batch.data) / batch.data.size(0);
    if (steps > 0) c.inference_per_sec = n / median_seconds([&] { (void)model(batch.data); }, 2, steps, 3);
  }
  if (steps > 0) {
    nn::StateDict saved;
    for (auto& [k, v] : model.state_dict()) saved.push_back({k, v.clone()});
    model.train();
    c.training_per_sec = n / median_seconds(
                                 [&] {
                                   Tensor logits = model(batch.data);
                                   if (logits.dim() == 3) logits = logits.reshape({-1, logits.size(2)});
                                   F::cross_entropy(logits, batch.target.reshape({-1})).backward();
                                   model.zero_grad();
                                 },
                                 2, steps, 3);
    model.load_state_dict(saved);
    model.eval();
  }
  return c;
}

// Every convolution's and linear layer's weight, for global pruning.
std::vector<std::pair<nn::Module*, std::string>> prunable_weights(nn::Module& model) {
  std::vector<std::pair<nn::Module*, std::string>> out;
  for (nn::Module* m : model.modules())
    if (dynamic_cast<nn::Linear*>(m) || dynamic_cast<nn::Conv2d*>(m) || dynamic_cast<nn::Conv1d*>(m))
      out.push_back({m, "weight"});
  return out;
}

void print_row(const char* label, const Cost& c) {
  std::cout << std::left << std::setw(8) << label << std::right << std::setw(12) << c.parameters << std::setw(12)
            << c.nonzero << std::setw(14) << std::fixed << std::setprecision(2) << static_cast<double>(c.macs) / 1e6;
  if (c.inference_per_sec > 0)
    std::cout << std::setprecision(0) << std::setw(16) << c.inference_per_sec << std::setw(16) << c.training_per_sec;
  std::cout << "\n";
}

}  // namespace

int prune_command(int argc, char** argv) {
  Args args(argc, argv, 2);
  const std::string checkpoint = args.get("checkpoint", "", "a checkpoint of `ember train` (last or best.safetensors)");
  const double amount = args.number("amount", 0.5, "the fraction pruned: of each prunable group's channels "
                                    "(--structured), else of all convolution and linear weights", 0, 0.99);
  const bool structured = args.flag("structured", "remove whole channels (a smaller, faster model) instead of "
                                    "zeroing single weights");
  const double norm = args.number("norm", 1, "--structured: channels are ranked by this norm of their filters", 1e-3, 1e9);
  std::string out = args.get("out", "", "where to write the pruned checkpoint (default: pruned.safetensors beside "
                             "--checkpoint)");
  const int64_t batch_size = args.integer("batch-size", 128, "examples per timed batch", 1, 1 << 16);
  const int64_t steps = args.integer("time-steps", 10, "timed steps per repetition for the speed figures (0: none)",
                                     0, 100000);
  const int64_t threads = args.integer("threads", 0, "compute threads (0: all cores)", 0, 1024);
  if (args.wants_help()) {
    std::cout << "usage: ember prune --checkpoint FILE [flags]\n\n" << args.usage();
    return 0;
  }
  args.check_all_used();
  EMBER_CHECK(!checkpoint.empty(), "--checkpoint FILE is required");
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  if (out.empty()) out = (std::filesystem::path(checkpoint).parent_path() / "pruned.safetensors").string();
  EMBER_CHECK(std::filesystem::absolute(out) != std::filesystem::absolute(checkpoint),
              "--out: ", out, " is the checkpoint being pruned; write the pruned model elsewhere");

  train::TrainedModel trained = train::load_trained_model(checkpoint);
  nn::Module& model = *trained.model;
  const std::string& name = trained.meta.at("model");
  data::DataLoader loader(trained.data.test, {.batch_size = batch_size});
  const data::Batch batch = *loader.begin();
  manual_seed(0);
  const Cost before = measure(model, batch, steps);

  Metadata meta;  // the run's description (model, dataset, ...), not its optimizer or progress
  for (const auto& [k, v] : trained.meta)
    if (k.find('.') == std::string::npos) meta[k] = v;
  meta["pruned_from"] = std::filesystem::absolute(checkpoint).string();
  meta["pruned_amount"] = std::to_string(amount);
  if (structured) {
    const nn::utils::ChannelPlan plan = nn::utils::prune_channels(model, {.amount = amount, .norm = norm});
    meta[train::kChannelPlanKey] = nn::utils::channel_plan_json(plan);
  } else {
    namespace prune = nn::utils::prune;
    const auto weights = prunable_weights(model);
    EMBER_CHECK(!weights.empty(), name, " has no convolution or linear weights to prune");
    // The masks stay (weight_orig / weight_mask): fine-tuning keeps the pruned weights at zero.
    prune::global_unstructured(weights, prune::GlobalMethod::l1_unstructured, amount);
  }
  const Cost after = measure(model, batch, steps);

  nn::StateDict tensors;
  for (auto& [k, v] : model.state_dict()) tensors.push_back({"model." + k, v});
  save(tensors, out, meta);

  std::cout << name << " pruned " << (structured ? "structurally (channels)" : "by global L1 magnitude (weights)")
            << ", amount " << amount << "\n\n"
            << std::left << std::setw(8) << "" << std::right << std::setw(12) << "parameters" << std::setw(12)
            << "nonzero" << std::setw(14) << "MMACs/sample";
  if (steps > 0) std::cout << std::setw(16) << "infer samples/s" << std::setw(16) << "train samples/s";
  std::cout << "\n";
  print_row("before", before);
  print_row("after", after);
  if (steps > 0)
    std::cout << "\n(speed: batch " << batch.data.size(0) << ", " << get_num_threads()
              << " threads, median of 3 x " << steps << " steps; training = forward + backward)\n";
  std::cout << "\nwritten to " << out << "\nfine-tune it: ember train --model " << name << " --dataset "
            << meta.at("dataset") << " --init-from " << out << " --epochs N [--lr ...]\n"
            << "evaluate it: ember eval --checkpoint " << out << "\n";
  return 0;
}

}  // namespace ember::cli
