// Everything nn::Module derives from visit(): traversal with dotted names,
// modes, dtype conversion, gradients, state dicts and the printed form.
#include "ember/nn/module.h"

#include <map>
#include <sstream>
#include <unordered_set>

#include "ember/creation.h"
#include "ember/grad_mode.h"

namespace ember::nn {
namespace {

// Calls back for each parameter/buffer/child of one module (no recursion).
struct Collect final : Visitor {
  std::function<void(const std::string&, Tensor&)> on_parameter = [](const std::string&, Tensor&) {};
  std::function<void(const std::string&, Tensor&, bool)> on_buffer = [](const std::string&, Tensor&, bool) {};
  std::function<void(const std::string&, Module&)> on_module = [](const std::string&, Module&) {};
  void parameter(const std::string& name, Tensor& value) override {
    if (value.defined()) on_parameter(name, value);
  }
  void buffer(const std::string& name, Tensor& value, bool persistent) override {
    if (value.defined()) on_buffer(name, value, persistent);
  }
  void module(const std::string& name, Module& child) override { on_module(name, child); }
};

// Passes one module's tensors on as its state dict names them: a pruned
// parameter as name_orig (a parameter) and name_mask (a buffer).
struct PrunedNames final : Visitor {
  Module& owner;
  Visitor& inner;
  PrunedNames(Module& m, Visitor& v) : owner(m), inner(v) {}
  void parameter(const std::string& name, Tensor& value) override {
    for (Module::PruneMask& p : owner.prune_masks())
      if (p.name == name) {
        inner.parameter(name + "_orig", p.orig);
        inner.buffer(name + "_mask", p.mask, true);
        return;
      }
    inner.parameter(name, value);
  }
  void buffer(const std::string& name, Tensor& value, bool persistent) override { inner.buffer(name, value, persistent); }
  void module(const std::string& name, Module& child) override { inner.module(name, child); }
};

// Every traversal sees a module's tensors through this.
void visit_named(Module& m, Visitor& v) {
  if (m.prune_masks().empty()) return m.visit(v);
  PrunedNames renamed(m, v);
  m.visit(renamed);
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Depth-first over the tree: fn(prefix, module) for every module, parents first.
void walk(Module& m, const std::string& prefix, const std::function<void(const std::string&, Module&)>& fn) {
  fn(prefix, m);
  Collect c;
  c.on_module = [&](const std::string& name, Module& child) { walk(child, join(prefix, name), fn); };
  visit_named(m, c);
}

// Every (dotted name, tensor) of the tree's parameters or buffers.
std::vector<std::pair<std::string, Tensor*>> tensors_of(Module& root, bool params, bool buffers, bool recurse,
                                                        bool persistent_only) {
  std::vector<std::pair<std::string, Tensor*>> out;
  auto visit_one = [&](const std::string& prefix, Module& m) {
    Collect c;
    if (params) c.on_parameter = [&](const std::string& n, Tensor& t) { out.push_back({join(prefix, n), &t}); };
    if (buffers)
      c.on_buffer = [&](const std::string& n, Tensor& t, bool persistent) {
        if (persistent || !persistent_only) out.push_back({join(prefix, n), &t});
      };
    visit_named(m, c);
  };
  if (recurse) walk(root, "", visit_one);
  else visit_one("", root);
  return out;
}

}  // namespace

Tensor Module::forward(const Tensor&) {
  detail::fail(type_name_, ": this module has no single-input forward(Tensor)");
}

size_t Module::register_forward_hook(ForwardHook hook) {
  EMBER_CHECK(hook, type_name_, ": register_forward_hook needs a callable hook");
  forward_hooks_.push_back({next_hook_, std::move(hook)});
  return next_hook_++;
}

void Module::remove_forward_hook(size_t handle) {
  std::erase_if(forward_hooks_, [handle](const auto& entry) { return entry.first == handle; });
}

void Module::apply_prune_masks() {
  Collect c;  // the module's own tensors, by their own names
  c.on_parameter = [&](const std::string& name, Tensor& value) {
    for (const PruneMask& p : prune_masks_)
      if (p.name == name) value = p.orig * p.mask;
  };
  visit(c);
}

void Module::run_forward_hooks(const Tensor& input, const Tensor& output) {
  // A copy: a hook may remove itself.
  const auto hooks = forward_hooks_;
  for (const auto& [handle, hook] : hooks) hook(*this, input, output);
}

// A parameter shared by two modules (tied weights) is listed once, under its
// first name, as PyTorch's remove_duplicate; state_dict keeps every name.
std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) {
  std::vector<std::pair<std::string, Tensor>> out;
  std::unordered_set<const TensorImpl*> seen;
  for (auto& [name, t] : tensors_of(*this, true, false, recurse, false))
    if (seen.insert(t->impl()).second) out.push_back({name, *t});
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, t] : tensors_of(*this, false, true, recurse, false)) out.push_back({name, *t});
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) {
  std::vector<Tensor> out;
  for (auto& [name, t] : tensors_of(*this, false, true, recurse, false)) out.push_back(*t);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_children() {
  std::vector<std::pair<std::string, Module*>> out;
  Collect c;
  c.on_module = [&](const std::string& name, Module& child) { out.push_back({name, &child}); };
  visit_named(*this, c);
  return out;
}

std::vector<Module*> Module::children() {
  std::vector<Module*> out;
  for (auto& [name, m] : named_children()) out.push_back(m);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  walk(*this, "", [&](const std::string& prefix, Module& m) {
    for (auto& [name, seen] : out)
      if (seen == &m) return;  // a module shared in two places is listed once
    out.push_back({prefix, &m});
  });
  return out;
}

std::vector<Module*> Module::modules() {
  std::vector<Module*> out;
  for (auto& [name, m] : named_modules()) out.push_back(m);
  return out;
}

void Module::train(bool on) {
  walk(*this, "", [on](const std::string&, Module& m) { m.training_ = on; });
}

void Module::to(Dtype dtype) {
  EMBER_CHECK(is_floating(dtype), type_name_, ".to: expected a floating-point dtype, got ", dtype_name(dtype));
  NoGradGuard no_grad;
  // Shared (tied) parameters stay shared: original -> {original (kept alive), converted}.
  std::map<const TensorImpl*, std::pair<Tensor, Tensor>> converted;
  for (auto& [name, t] : tensors_of(*this, true, false, true, false)) {
    if (!t->is_floating_point() || t->dtype() == dtype) continue;
    if (auto it = converted.find(t->impl()); it != converted.end()) {
      *t = it->second.second;
      continue;
    }
    const Tensor original = *t, grad = t->grad();
    *t = parameter(t->to(dtype));
    if (grad.defined()) t->set_grad(grad.to(dtype));
    converted[original.impl()] = {original, *t};
  }
  for (auto& [name, t] : tensors_of(*this, false, true, true, false))
    if (t->is_floating_point()) *t = t->to(dtype);
}

void Module::to(Device device) {
  NoGradGuard no_grad;
  std::map<const TensorImpl*, std::pair<Tensor, Tensor>> moved;  // as in to(dtype)
  for (auto& [name, t] : tensors_of(*this, true, false, true, false)) {
    if (t->device() == device) continue;
    if (auto it = moved.find(t->impl()); it != moved.end()) {
      *t = it->second.second;
      continue;
    }
    const Tensor original = *t;
    *t = parameter(t->to(device));
    moved[original.impl()] = {original, *t};
  }
  for (auto& [name, t] : tensors_of(*this, false, true, true, false)) *t = t->to(device);
}

void Module::to_empty(Device device) {
  NoGradGuard no_grad;
  std::map<const TensorImpl*, std::pair<Tensor, Tensor>> made;  // as in to(dtype)
  for (auto& [name, t] : tensors_of(*this, true, false, true, false)) {
    if (auto it = made.find(t->impl()); it != made.end()) {
      *t = it->second.second;
      continue;
    }
    const Tensor original = *t;
    *t = parameter(empty(t->sizes(), {.dtype = t->dtype(), .device = device}));
    made[original.impl()] = {original, *t};
  }
  for (auto& [name, t] : tensors_of(*this, false, true, true, false))
    *t = empty(t->sizes(), {.dtype = t->dtype(), .device = device});
}

void Module::zero_grad(bool set_to_none) {
  for (auto& [name, t] : tensors_of(*this, true, false, true, false)) {
    if (!t->grad().defined()) continue;
    if (set_to_none) t->set_grad(Tensor());
    else t->mutable_grad().zero_();
  }
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (Module* child : children()) child->apply(fn);
  fn(*this);
}

StateDict Module::state_dict() {
  StateDict out;
  for (auto& [name, t] : tensors_of(*this, true, true, true, true)) out.push_back({name, t->detach()});
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : state) given[name] = &t;
  std::vector<std::string> missing, mismatched;
  std::vector<std::pair<Tensor*, const Tensor*>> copies;
  for (auto& [name, t] : tensors_of(*this, true, true, true, true)) {
    auto it = given.find(name);
    if (it == given.end()) {
      missing.push_back(name);
      continue;
    }
    if (it->second->sizes() != t->sizes()) {
      std::ostringstream msg;
      msg << name << ": checkpoint shape " << it->second->sizes() << ", module shape " << t->sizes();
      mismatched.push_back(msg.str());
    } else {
      copies.push_back({t, it->second});
    }
    given.erase(it);
  }
  std::ostringstream errors;
  auto list = [&](const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    errors << "\n  " << what << ":";
    for (const auto& n : names) errors << " " << n << (&n == &names.back() ? "" : ",");
  };
  std::vector<std::string> unexpected;
  for (const auto& [name, t] : given) unexpected.push_back(name);
  if (strict) list("missing keys", missing);
  if (strict) list("unexpected keys", unexpected);
  list("size mismatch", mismatched);
  EMBER_CHECK(errors.str().empty(), type_name_, ".load_state_dict: error(s) loading the state dict:", errors.str());
  NoGradGuard no_grad;
  for (auto& [target, source] : copies) target->copy_(*source);
}

int64_t Module::num_parameters(bool trainable_only) {
  int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

std::string Module::str() {
  std::ostringstream out;
  out << type_name_ << "(" << extra_repr();
  const auto kids = named_children();
  if (!kids.empty()) {
    out << "\n";
    for (auto& [name, child] : kids) {
      std::string text = child->str();
      std::string indented;
      for (char ch : text) indented += ch == '\n' ? std::string("\n  ") : std::string(1, ch);
      out << "  (" << name << "): " << indented << "\n";
    }
  }
  out << ")";
  return out.str();
}

std::ostream& operator<<(std::ostream& out, Module& module) { return out << module.str(); }

}  // namespace ember::nn
