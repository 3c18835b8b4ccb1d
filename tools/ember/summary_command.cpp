// `ember summary`: a layer table (output shape, parameters) and totals
// (parameters, forward multiply-accumulates, parameter and activation memory),
// from one forward pass of a single example, observed through forward hooks
// on every leaf module (each call is a row, in call order).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "args.h"
#include "commands.h"
#include "format.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

std::string shape_text(IntArrayRef s) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
  return out.str() + "]";
}

// Multiply-accumulates of one layer for the output it produced.
int64_t macs(nn::Module& layer, const Tensor& out) {
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

// "1x28x28" -> {1, 28, 28}
Shape parse_shape(const std::string& text) {
  Shape out;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, 'x');) {
    try {
      size_t used = 0;
      const int64_t v = std::stoll(part, &used);
      EMBER_CHECK(used == part.size() && v > 0, "");
      out.push_back(v);
    } catch (...) {
      detail::fail("--input: '", text, "' is not a shape like 1x28x28");
    }
  }
  EMBER_CHECK(out.size() == 3 || out.size() == 1, "--input: '", text,
              "' must have three sizes (CxHxW), or one (a sequence length, for gpt and transformer)");
  return out;
}

}  // namespace

int summary_command(int argc, char** argv) {
  Args args(argc, argv, 2);
  const std::string name = args.get("model", "lenet5", "model name (see `ember models`)");
  // Token models default to the shapes of their datasets in `ember train`.
  const bool gpt = name == "gpt", transformer = name == "transformer";
  const Shape input = parse_shape(args.get("input", gpt ? "64" : transformer ? "10" : "1x28x28",
                                           "one example's shape, CxHxW (or L for sequence models; gpt: 64, transformer: 10)"));
  const int64_t classes = args.integer("classes", gpt ? 65 : transformer ? 12 : 10,
                                       "number of classes (the vocabulary for sequence models)", 1, 1 << 20);
  if (args.wants_help()) {
    std::cout << "usage: ember summary [flags]\n\n" << args.usage();
    return 0;
  }
  args.check_all_used();
  auto model = models::create(name, {input, classes});
  model->eval();
  InferenceMode inference;
  Shape batch_shape{1};
  for (int64_t s : input) batch_shape.push_back(s);
  Tensor x = zeros(batch_shape);
  if (input.size() == 1) {  // token ids; the transformer reads [source | target]
    const int64_t length = dynamic_cast<models::SequenceTranslator*>(model.get()) ? 2 * input[0] : input[0];
    x = zeros({1, length}, {.dtype = kInt64});
  }
  int64_t total_macs = 0, activations = 0;
  constexpr int kNameWidth = 52;
  std::cout << std::left << std::setw(kNameWidth) << "layer" << std::setw(22) << "output shape" << std::right
            << std::setw(12) << "parameters" << "\n"
            << std::string(kNameWidth + 34, '-') << "\n";
  std::vector<std::pair<nn::Module*, size_t>> hooked;
  std::vector<nn::Module*> attention_outputs;  // the out_proj of every attention layer
  for (nn::Module* m : model->modules())
    if (auto* mha = dynamic_cast<nn::MultiheadAttention*>(m)) attention_outputs.push_back(&mha->out_proj);
  for (auto& [path, m] : model->named_modules()) {
    // Attention is called with (query, key, value), which hooks do not see; it is one row,
    // reported when its output projection (a child called like any layer) runs.
    nn::Module* reported = m;  // the module whose calls the hook sees
    if (auto* mha = dynamic_cast<nn::MultiheadAttention*>(m)) {
      reported = &mha->out_proj;
    } else if (!m->children().empty() ||
               std::find(attention_outputs.begin(), attention_outputs.end(), m) != attention_outputs.end()) {
      continue;  // leaves only: containers would count their layers twice
    }
    const std::string label = (path.empty() ? name : path) + " (" + m->type_name() + ")";
    hooked.push_back({reported, reported->register_forward_hook([&, label, m](nn::Module&, const Tensor&, const Tensor& out) {
                        total_macs += macs(*m, out);
                        activations += out.numel();
                        std::cout << std::left << std::setw(kNameWidth) << label << std::setw(22)
                                  << shape_text(out.sizes()) << std::right << std::setw(12)
                                  << m->num_parameters() << "\n";
                      })});
  }
  (*model)(x);
  for (auto& [m, handle] : hooked) m->remove_forward_hook(handle);
  int64_t trainable = 0;
  for (const Tensor& p : model->parameters()) trainable += p.requires_grad() ? p.numel() : 0;
  std::cout << std::string(kNameWidth + 34, '-') << "\n"
            << "total parameters:      " << model->num_parameters() << "\n"
            << "trainable parameters:  " << trainable << "\n"
            << "forward MACs:          " << total_macs << " (" << with_si_prefix(static_cast<double>(total_macs), "MACs")
            << ")\n"
            << "parameter memory:      " << byte_size(static_cast<double>(model->num_parameters()) * 4) << "\n"
            << "activation memory:     " << byte_size(static_cast<double>(activations) * 4) << " per example\n";
  return 0;
}

}  // namespace ember::cli
