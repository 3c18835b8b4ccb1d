// nn::Module: the base of every layer and model. A module names its
// parameters, buffers and submodules in one place, its visit() method:
//
//   struct TwoLayer : nn::Module {
//     nn::Linear fc1{784, 128}, fc2{128, 10};
//     TwoLayer() : Module("TwoLayer") {}
//     void visit(nn::Visitor& v) override { v.module("fc1", fc1); v.module("fc2", fc2); }
//     Tensor forward(const Tensor& x) override { return fc2(relu(fc1(x))); }
//   };
//
// Everything else (named_parameters with PyTorch's dotted names, state_dict,
// train/eval, to(dtype), zero_grad, printing) is derived from visit().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/state_dict.h"
#include "ember/tensor.h"

namespace ember::nn {

class Module;

// What visit() reports to. Undefined tensors (an absent bias) are skipped.
class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual void parameter(const std::string& name, Tensor& value) = 0;
  // Non-persistent buffers are left out of state_dict (as PyTorch's persistent=False).
  virtual void buffer(const std::string& name, Tensor& value, bool persistent = true) = 0;
  virtual void module(const std::string& name, Module& child) = 0;
};

class Module {
 public:
  explicit Module(std::string type_name) : type_name_(std::move(type_name)) {}
  virtual ~Module() = default;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Names this module's parameters, buffers and children, in order.
  virtual void visit(Visitor&) {}
  // The single-input forward used by Sequential and operator(); modules with
  // other signatures add their own overloads.
  virtual Tensor forward(const Tensor& input);
  // forward, then the forward hooks (calls through operator() and Sequential run them).
  Tensor operator()(const Tensor& input) {
    if (!prune_masks_.empty()) apply_prune_masks();
    Tensor output = forward(input);
    if (!forward_hooks_.empty()) run_forward_hooks(input, output);
    return output;
  }
  // hook(module, input, output) after every call through operator(), as
  // PyTorch's register_forward_hook (observation only: the output is not
  // replaced). Returns a handle for remove_forward_hook.
  using ForwardHook = std::function<void(Module&, const Tensor&, const Tensor&)>;
  size_t register_forward_hook(ForwardHook hook);
  void remove_forward_hook(size_t handle);

  const std::string& type_name() const { return type_name_; }

  // Pruned parameters (nn::utils::prune), as PyTorch reparametrizes them: the
  // parameter `name` is listed as name_orig (the parameter, trained) and
  // name_mask (a buffer of 0/1), and the module's own tensor `name` is
  // recomputed as name_orig * name_mask before each call through operator()
  // (PyTorch's forward pre-hook), so gradients reach only the kept entries.
  struct PruneMask {
    std::string name;
    Tensor orig, mask;
  };
  std::vector<PruneMask>& prune_masks() { return prune_masks_; }
  void apply_prune_masks();

  std::vector<Tensor> parameters(bool recurse = true);
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true);
  std::vector<Tensor> buffers(bool recurse = true);
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true);
  std::vector<Module*> children();
  std::vector<std::pair<std::string, Module*>> named_children();
  std::vector<Module*> modules();  // this one first, then every descendant once
  std::vector<std::pair<std::string, Module*>> named_modules();

  // Training mode (dropout active, batch statistics); eval() is train(false).
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Converts floating-point parameters and buffers (and gradients) in place.
  void to(Dtype dtype);
  // Moves parameters, buffers and gradients to `device` (tied parameters stay tied).
  void to(Device device);
  // Replaces every parameter and buffer by an uninitialised one of the same
  // shape and dtype on `device`, without reading the old values: how a model
  // built on the meta device gets real memory (then load or initialise it).
  void to_empty(Device device);
  void zero_grad(bool set_to_none = true);
  // fn on every module of the tree, children first, then this one (as PyTorch).
  void apply(const std::function<void(Module&)>& fn);

  StateDict state_dict();
  // Copies values into the module's tensors. strict: the keys must match
  // exactly; either way shapes must, and the error lists every problem.
  void load_state_dict(const StateDict& state, bool strict = true);

  int64_t num_parameters(bool trainable_only = false);
  // The printed form, as PyTorch's module repr.
  std::string str();
  // What goes inside "Linear(...)"; empty for none.
  virtual std::string extra_repr() const { return ""; }

 protected:
  bool training_ = true;

 private:
  void run_forward_hooks(const Tensor& input, const Tensor& output);
  std::string type_name_;
  std::vector<std::pair<size_t, ForwardHook>> forward_hooks_;
  size_t next_hook_ = 0;
  std::vector<PruneMask> prune_masks_;
};

std::ostream& operator<<(std::ostream& out, Module& module);

// A parameter: a leaf tensor that requires grad (PyTorch's nn.Parameter).
inline Tensor parameter(Tensor data) { return data.detach().requires_grad_(); }

}  // namespace ember::nn
