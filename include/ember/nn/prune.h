// Pruning by masks, as torch.nn.utils.prune: a method computes a 0/1 mask
// for one parameter of a module, which is then reparametrized as
// name_orig * name_mask (see Module::prune_masks):
//
//   prune::l1_unstructured(conv, "weight", 0.3);      // the 30% smallest |w| masked
//   prune::ln_structured(conv, "weight", 0.5, 2, 0);  // half the output channels, by L2 norm
//   prune::remove(conv, "weight");                    // make it permanent: weight is a plain parameter again
//
// The state dict then holds weight_orig and weight_mask, as PyTorch's.
// Pruning a parameter again prunes among the entries (or, structured, the
// channels) still kept, with the amount taken of those, as PyTorch's
// PruningContainer. The masks remove nothing physically; for a genuinely
// smaller model see nn/channel_prune.h.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/generator.h"
#include "ember/nn/module.h"

namespace ember::nn::utils::prune {

// How much to prune: a fraction in [0, 1] of the entries (rounded to the
// nearest count, ties to even, as Python's round) or an absolute count.
class Amount {
 public:
  Amount(double fraction) : fraction_(fraction) {}  // NOLINT: implicit, as PyTorch's float amount
  Amount(int count) : count_(count) {}               // NOLINT: implicit, as PyTorch's int amount
  Amount(int64_t count) : count_(count) {}           // NOLINT
  // The number of units to prune out of `units`; an Error naming `op` when out of range.
  int64_t of(int64_t units, const char* op) const;

 private:
  std::optional<double> fraction_;
  std::optional<int64_t> count_;
};

// Masks the `amount` entries of smallest |importance| (importance: default the parameter itself).
void l1_unstructured(Module& module, const std::string& name, Amount amount, const Tensor& importance_scores = {});
// Masks `amount` entries chosen uniformly at random.
void random_unstructured(Module& module, const std::string& name, Amount amount, Generator* generator = nullptr);
// Masks the `amount` channels along `dim` of smallest L-n norm (n: any p of norm, inf included).
void ln_structured(Module& module, const std::string& name, Amount amount, double n, int64_t dim,
                   const Tensor& importance_scores = {});
// Masks whole channels along `dim` chosen at random.
void random_structured(Module& module, const std::string& name, Amount amount, int64_t dim,
                       Generator* generator = nullptr);
// Applies `mask` (0/1, the parameter's shape) as given.
void custom_from_mask(Module& module, const std::string& name, const Tensor& mask);
// A mask of ones: the reparametrization without pruning anything.
void identity(Module& module, const std::string& name);

// Prunes across several parameters at once: the `amount` entries of
// smallest |w| (l1) or at random among all of them together, so layers lose
// different shares.
enum class GlobalMethod { l1_unstructured, random_unstructured };
void global_unstructured(const std::vector<std::pair<Module*, std::string>>& parameters, GlobalMethod method,
                         Amount amount, Generator* generator = nullptr);

// Makes the pruning permanent: the parameter becomes orig * mask, a plain
// parameter again, and name_orig / name_mask are gone. An Error when it is
// not pruned.
void remove(Module& module, const std::string& name);
// Whether any parameter of the module or of its descendants is pruned.
bool is_pruned(Module& module);

}  // namespace ember::nn::utils::prune
