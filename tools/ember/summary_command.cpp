// `ember summary`: a layer table (output shape, parameters) and totals
// (parameters, forward multiply-accumulates, parameter and activation memory),
// from one forward pass of a single example (model_cost.h: each leaf-module
// call is a row, in call order). The model is built and run on the meta device:
// shapes without memory, so any model size answers at once.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "args.h"
#include "commands.h"
#include "format.h"
#include "model_cost.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

std::string shape_text(IntArrayRef s) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
  return out.str() + "]";
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
  DefaultDeviceGuard on_meta(kMeta);  // parameters, input and activations without storage
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
  observe_forward(*model, x, name, [&](const std::string& label, nn::Module& layer, const Tensor& out) {
    total_macs += layer_macs(layer, out);
    activations += out.numel();
    std::cout << std::left << std::setw(kNameWidth) << label << std::setw(22) << shape_text(out.sizes()) << std::right
              << std::setw(12) << layer.num_parameters() << "\n";
  });
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
