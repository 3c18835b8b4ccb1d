// Forward-pass costs through hooks (see model_cost.h).
#include "model_cost.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace ember::cli {

int64_t layer_macs(nn::Module& layer, const Tensor& out) {
  if (auto* fc = dynamic_cast<nn::Linear*>(&layer)) return out.numel() * fc->weight.size(1);
  if (auto* conv = dynamic_cast<nn::Conv2d*>(&layer))
    return out.numel() * conv->weight.size(1) * conv->weight.size(2) * conv->weight.size(3);
  if (auto* conv1 = dynamic_cast<nn::Conv1d*>(&layer)) return out.numel() * conv1->weight.size(1) * conv1->weight.size(2);
  if (auto* mha = dynamic_cast<nn::MultiheadAttention*>(&layer)) {
    // Input and output projections, plus the two attention products (scores, weighted values),
    // counted as self-attention (keys as long as queries).
    const int64_t tokens = out.numel() / out.size(-1), length = out.dim() == 3 ? out.size(1) : 1;
    return tokens * (mha->in_proj_weight.numel() + mha->out_proj.weight.numel() + 2 * length * out.size(-1));
  }
  if (auto* rnn = dynamic_cast<nn::RecurrentBase*>(&layer)) {
    // Per step and example, each layer and direction multiplies its input and its state by its weights.
    int64_t per_step = 0;
    for (const auto& w : rnn->weights) per_step += w.w_ih.numel() + w.w_hh.numel();
    return out.numel() / out.size(-1) * per_step;
  }
  return 0;
}

void observe_forward(nn::Module& model, const Tensor& x, const std::string& name, const LayerCall& seen) {
  std::vector<std::pair<nn::Module*, size_t>> hooked;
  std::vector<nn::Module*> attention_outputs;  // the out_proj of every attention layer
  for (nn::Module* m : model.modules())
    if (auto* mha = dynamic_cast<nn::MultiheadAttention*>(m)) attention_outputs.push_back(&mha->out_proj);
  for (auto& [path, m] : model.named_modules()) {
    // Attention is called with (query, key, value), which hooks do not see; it is one call,
    // reported when its output projection (a child called like any layer) runs.
    nn::Module* reported = m;  // the module whose calls the hook sees
    if (auto* mha = dynamic_cast<nn::MultiheadAttention*>(m)) {
      reported = &mha->out_proj;
    } else if (!m->children().empty() ||
               std::find(attention_outputs.begin(), attention_outputs.end(), m) != attention_outputs.end()) {
      continue;  // leaves only: containers would count their layers twice
    }
    const std::string label = (path.empty() ? name : path) + " (" + m->type_name() + ")";
    hooked.push_back({reported, reported->register_forward_hook(
                                    [&seen, label, m](nn::Module&, const Tensor&, const Tensor& out) { seen(label, *m, out); })});
  }
  try {
    model(x);
  } catch (...) {
    for (auto& [m, handle] : hooked) m->remove_forward_hook(handle);
    throw;
  }
  for (auto& [m, handle] : hooked) m->remove_forward_hook(handle);
}

int64_t forward_macs(nn::Module& model, const Tensor& x) {
  int64_t total = 0;
  observe_forward(model, x, "", [&](const std::string&, nn::Module& layer, const Tensor& out) { total += layer_macs(layer, out); });
  return total;
}

// The median seconds of `reps` timed groups of `steps` calls, after `warmup` calls.
double median_seconds(const std::function<void()>& step, int64_t warmup, int64_t steps, int64_t reps) {
  for (int64_t i = 0; i < warmup; ++i) step();
  std::vector<double> per_step;
  for (int64_t r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < steps; ++i) step();
    per_step.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                       static_cast<double>(steps));
  }
  std::sort(per_step.begin(), per_step.end());
  return per_step[per_step.size() / 2];
}

}  // namespace ember::cli
