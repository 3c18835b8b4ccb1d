// Mask pruning (nn/prune.h): each method picks the units to mask among those
// its parameter's current mask still keeps, then the module is reparametrized.
#include "ember/nn/prune.h"

#include <cmath>
#include <sstream>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/ops.h"

namespace ember::nn::utils::prune {
namespace {

// The module's own parameter `name` (its member tensor), or an Error listing the ones it has.
Tensor& own_parameter(Module& module, const std::string& name, const char* op) {
  struct Find final : Visitor {
    const std::string& wanted;
    Tensor* found = nullptr;
    std::string names;
    explicit Find(const std::string& w) : wanted(w) {}
    void parameter(const std::string& n, Tensor& value) override {
      if (!value.defined()) return;
      names += (names.empty() ? "" : ", ") + n;
      if (n == wanted) found = &value;
    }
    void buffer(const std::string&, Tensor&, bool) override {}
    void module(const std::string&, Module&) override {}
  } find(name);
  module.visit(find);
  EMBER_CHECK(find.found, op, ": ", module.type_name(), " has no parameter '", name, "' (its parameters: ",
              find.names.empty() ? "none" : find.names, ")");
  return *find.found;
}

Module::PruneMask* mask_entry(Module& module, const std::string& name) {
  for (Module::PruneMask& p : module.prune_masks())
    if (p.name == name) return &p;
  return nullptr;
}

// What a method sees: the values it ranks and the mask so far.
struct Target {
  Tensor orig, mask;
};

Target target_of(Module& module, const std::string& name, const char* op) {
  if (Module::PruneMask* p = mask_entry(module, name)) return {p->orig, p->mask};
  const Tensor& weight = own_parameter(module, name, op);
  return {weight, ones_like(weight)};
}

Tensor importance_or(const Tensor& given, const Tensor& orig, const char* op) {
  if (!given.defined()) return orig;
  EMBER_CHECK(given.sizes() == orig.sizes(), op, ": importance_scores of shape ", given.sizes(),
              " should have the parameter's shape ", orig.sizes());
  return given;
}

// Installs (or replaces) the mask of `name` and recomputes the module's tensor.
void set_mask(Module& module, const std::string& name, Tensor mask, const char* op) {
  mask = mask.detach();
  if (Module::PruneMask* p = mask_entry(module, name)) {
    p->mask = mask;
  } else {
    Tensor& weight = own_parameter(module, name, op);
    module.prune_masks().push_back({name, weight, mask});
  }
  module.apply_prune_masks();
}

// Unstructured: masks `amount` of the entries the mask still keeps (== 1),
// the lowest by `score` (flattened, the parameter's shape).
Tensor mask_lowest_entries(const Tensor& mask, const Tensor& score, const Amount& amount, const char* op) {
  const Tensor flat = mask.reshape({-1});
  const Tensor kept = nonzero(eq(flat, 1.0)).view({-1});
  const int64_t prune = amount.of(kept.numel(), op);
  if (prune == 0) return mask.clone();
  const Tensor ranked = score.reshape({-1}).index_select(0, kept);
  const Tensor chosen = kept.index_select(0, topk(ranked, prune, 0, /*largest=*/false).second);
  return scatter(flat, 0, chosen, Scalar(0.0)).view(mask.sizes());
}

// Structured: masks `amount` of the channels along `dim` the mask still has
// (a channel is gone once all its entries are 0), the lowest by `channel_score`
// (one value per channel still kept, in their order).
Tensor mask_lowest_channels(const Tensor& mask, int64_t dim, const Amount& amount, const char* op,
                            const std::function<Tensor(const Tensor& kept)>& channel_score) {
  EMBER_CHECK(mask.dim() > 1, op, ": structured pruning needs a parameter of at least 2 dimensions (channels along a "
              "dim), got shape ", mask.sizes());
  EMBER_CHECK(dim >= -mask.dim() && dim < mask.dim(), op, ": dim ", dim, " is out of range for a parameter of shape ",
              mask.sizes());
  if (dim < 0) dim += mask.dim();
  std::vector<int64_t> others;
  for (int64_t d = 0; d < mask.dim(); ++d)
    if (d != dim) others.push_back(d);
  const Tensor kept = nonzero(ne(mask.sum(others), 0.0)).view({-1});
  const int64_t prune = amount.of(kept.numel(), op);
  if (prune == 0) return mask.clone();
  const Tensor keep = topk(channel_score(kept), kept.numel() - prune, 0, /*largest=*/true).second;
  Tensor channels = zeros({mask.size(dim)}, {.dtype = mask.dtype(), .device = mask.device()});
  channels = scatter(channels, 0, kept.index_select(0, keep), Scalar(1.0));
  std::vector<int64_t> shape(static_cast<size_t>(mask.dim()), 1);
  shape[static_cast<size_t>(dim)] = mask.size(dim);
  return mask * channels.view(shape);
}

std::vector<int64_t> all_but(int64_t dims, int64_t dim) {
  if (dim < 0) dim += dims;
  std::vector<int64_t> out;
  for (int64_t d = 0; d < dims; ++d)
    if (d != dim) out.push_back(d);
  return out;
}

}  // namespace

int64_t Amount::of(int64_t units, const char* op) const {
  if (count_) {
    EMBER_CHECK(*count_ >= 0, op, ": amount should be a non-negative count of units, got ", *count_);
    EMBER_CHECK(*count_ <= units, op, ": amount=", *count_, " should be smaller than the number of units to prune (",
                units, ")");
    return *count_;
  }
  EMBER_CHECK(*fraction_ >= 0 && *fraction_ <= 1, op, ": amount should be a fraction in [0, 1] or a count of units, got ",
              *fraction_);
  return static_cast<int64_t>(std::nearbyint(*fraction_ * static_cast<double>(units)));  // ties to even, as Python's round
}

void l1_unstructured(Module& module, const std::string& name, Amount amount, const Tensor& importance_scores) {
  const char* op = "prune::l1_unstructured";
  NoGradGuard no_grad;
  const Target t = target_of(module, name, op);
  const Tensor score = abs(importance_or(importance_scores, t.orig, op));
  set_mask(module, name, mask_lowest_entries(t.mask, score, amount, op), op);
}

void random_unstructured(Module& module, const std::string& name, Amount amount, Generator* generator) {
  const char* op = "prune::random_unstructured";
  NoGradGuard no_grad;
  const Target t = target_of(module, name, op);
  set_mask(module, name, mask_lowest_entries(t.mask, rand_like(t.mask, generator), amount, op), op);
}

void ln_structured(Module& module, const std::string& name, Amount amount, double n, int64_t dim,
                   const Tensor& importance_scores) {
  const char* op = "prune::ln_structured";
  NoGradGuard no_grad;
  const Target t = target_of(module, name, op);
  const Tensor score = importance_or(importance_scores, t.orig, op);
  set_mask(module, name, mask_lowest_channels(t.mask, dim, amount, op, [&](const Tensor& kept) {
             return norm(score.index_select(dim, kept), n, all_but(score.dim(), dim));
           }), op);
}

void random_structured(Module& module, const std::string& name, Amount amount, int64_t dim, Generator* generator) {
  const char* op = "prune::random_structured";
  NoGradGuard no_grad;
  const Target t = target_of(module, name, op);
  set_mask(module, name, mask_lowest_channels(t.mask, dim, amount, op, [&](const Tensor& kept) {
             return rand({kept.numel()}, {}, generator);
           }), op);
}

void custom_from_mask(Module& module, const std::string& name, const Tensor& mask) {
  const char* op = "prune::custom_from_mask";
  NoGradGuard no_grad;
  const Target t = target_of(module, name, op);
  EMBER_CHECK(mask.sizes() == t.orig.sizes(), op, ": a mask of shape ", mask.sizes(), " for a parameter of shape ",
              t.orig.sizes());
  set_mask(module, name, t.mask * mask.to(t.mask.dtype()), op);
}

void identity(Module& module, const std::string& name) {
  NoGradGuard no_grad;
  const Target t = target_of(module, name, "prune::identity");
  set_mask(module, name, t.mask, "prune::identity");
}

void global_unstructured(const std::vector<std::pair<Module*, std::string>>& parameters, GlobalMethod method,
                         Amount amount, Generator* generator) {
  const char* op = "prune::global_unstructured";
  EMBER_CHECK(!parameters.empty(), op, ": no parameters given");
  NoGradGuard no_grad;
  // Every parameter's values and mask, flattened and joined: the method ranks them together.
  std::vector<Tensor> values, masks;
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& [module, name] : parameters) {
    EMBER_CHECK(module, op, ": a null module for parameter '", name, "'");
    const Target t = target_of(*module, name, op);
    shapes.push_back(t.orig.sizes().vec());
    values.push_back((t.orig * t.mask).reshape({-1}));
    masks.push_back(t.mask.reshape({-1}).to(values.front().dtype()));
  }
  const Tensor all_values = cat(values), all_masks = cat(masks);
  const Tensor score = method == GlobalMethod::l1_unstructured ? abs(all_values) : rand_like(all_values, generator);
  const Tensor joined = mask_lowest_entries(all_masks, score, amount, op);
  int64_t offset = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const auto& [module, name] = parameters[i];
    const int64_t numel = values[i].numel();
    custom_from_mask(*module, name, joined.narrow(0, offset, numel).view(shapes[i]));
    offset += numel;
  }
}

void remove(Module& module, const std::string& name) {
  Module::PruneMask* p = mask_entry(module, name);
  EMBER_CHECK(p, "prune::remove: parameter '", name, "' of ", module.type_name(), " is not pruned");
  {
    NoGradGuard no_grad;
    p->orig.mul_(p->mask);  // the same tensor stays the parameter (an optimizer holding it keeps it)
  }
  Tensor& member = own_parameter(module, name, "prune::remove");
  member = p->orig;
  std::erase_if(module.prune_masks(), [&](const Module::PruneMask& m) { return m.name == name; });
}

bool is_pruned(Module& module) {
  for (Module* m : module.modules())
    if (!m->prune_masks().empty()) return true;
  return false;
}

}  // namespace ember::nn::utils::prune
