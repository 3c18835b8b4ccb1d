// Tensor's autograd methods and the entry points autograd::backward/grad:
// argument checks, default seeds, then one engine run.
#include "autograd/engine.h"
#include "ember/creation.h"
#include "graph/record.h"

namespace ember {
namespace {

// (A view whose base got a new history since it was taken makes its own again first.)
AutogradMeta* meta_or_null(const Tensor& t) {
  if (t.defined()) autograd::refresh_if_stale(t);
  return t.defined() ? t.impl()->autograd_meta().get() : nullptr;
}

AutogradMeta& meta_of(const Tensor& t) {
  auto& meta = t.impl()->autograd_meta();
  if (!meta) meta = std::make_shared<AutogradMeta>();
  return *meta;
}

const Tensor& undefined_tensor() {
  static const Tensor none;
  return none;
}

// Seeds for the roots: the given gradients (shape-checked) or ones for one-element outputs.
std::vector<Tensor> make_seeds(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grads, const char* op) {
  EMBER_CHECK(grads.empty() || grads.size() == outputs.size(), op, ": got ", grads.size(), " gradients for ",
              outputs.size(), " outputs");
  std::vector<Tensor> seeds;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    EMBER_CHECK(out.defined(), op, ": output ", i, " is undefined");
    EMBER_CHECK(out.requires_grad(), op, ": output ", i, " (shape ", out.sizes(),
                ") does not require grad and has no grad_fn; nothing to differentiate");
    if (grads.empty() || !grads[i].defined()) {
      EMBER_CHECK(out.numel() == 1, op, ": a gradient can be implied only for one-element outputs, but output ", i,
                  " has shape ", out.sizes(), "; pass a gradient of that shape");
      seeds.push_back(ones_like(out));
    } else {
      EMBER_CHECK(grads[i].sizes() == out.sizes(), op, ": gradient ", i, " has shape ", grads[i].sizes(),
                  " but the output has shape ", out.sizes());
      seeds.push_back(grads[i].dtype() == out.dtype() ? grads[i] : grads[i].to(out.dtype()));
    }
  }
  return seeds;
}

}  // namespace

bool Tensor::requires_grad() const {
  const AutogradMeta* meta = meta_or_null(*this);
  return meta && meta->requires_grad;
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  EMBER_CHECK(defined(), "requires_grad_: tensor is undefined");
  EMBER_CHECK(is_leaf(), "requires_grad_: only leaf tensors can change requires_grad (this one was made by ",
              grad_fn()->name(), "); use detach() to get a leaf");
  if (requires_grad) {
    EMBER_CHECK(is_floating_point(), "requires_grad_: only floating-point tensors can require gradients, got ",
                dtype_name(dtype()));
    EMBER_CHECK(!is_inference(), "requires_grad_: an inference tensor (made inside InferenceMode) cannot require grad");
  }
  if (requires_grad || meta_or_null(*this)) meta_of(*this).requires_grad = requires_grad;
  return *this;
}

const Tensor& Tensor::grad() const {
  const AutogradMeta* meta = meta_or_null(*this);
  return meta ? meta->grad : undefined_tensor();
}

Tensor& Tensor::mutable_grad() { return meta_of(*this).grad; }

void Tensor::set_grad(const Tensor& grad) {
  if (grad.defined())
    EMBER_CHECK(grad.sizes() == sizes() && grad.dtype() == dtype(), "set_grad: gradient of shape ", grad.sizes(),
                " and dtype ", dtype_name(grad.dtype()), " does not match the tensor's shape ", sizes(), " and dtype ",
                dtype_name(dtype()));
  if (grad.defined())
    EMBER_CHECK(grad.device() == device(), "set_grad: gradient on ", grad.device(), " for a tensor on ", device(),
                "; a gradient lives on its tensor's device");
  meta_of(*this).grad = grad;
}

std::shared_ptr<Node> Tensor::grad_fn() const {
  const AutogradMeta* meta = meta_or_null(*this);
  return meta ? meta->grad_fn : nullptr;
}

bool Tensor::is_leaf() const { return grad_fn() == nullptr; }

Tensor& Tensor::detach_() {
  EMBER_CHECK(!impl_->is_view() || !requires_grad(), "detach_: cannot detach a view in place; use detach()");
  if (AutogradMeta* meta = meta_or_null(*this)) {
    meta->grad_fn = nullptr;
    meta->requires_grad = false;
  }
  return *this;
}

void Tensor::retain_grad() {
  EMBER_CHECK(requires_grad(), "retain_grad: called on a tensor (shape ", sizes(), ") that does not require grad");
  if (is_leaf()) return;  // leaves keep grad anyway
  AutogradMeta& meta = meta_of(*this);
  meta.retains_grad = true;
  meta.grad_fn->output_meta = impl_->autograd_meta();
}

bool Tensor::retains_grad() const {
  const AutogradMeta* meta = meta_or_null(*this);
  return meta && meta->retains_grad;
}

void Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) {
  EMBER_CHECK(requires_grad(), "register_hook: cannot register a hook on a tensor (shape ", sizes(),
              ") that does not require grad");
  AutogradMeta& meta = meta_of(*this);
  if (meta.grad_fn) meta.grad_fn->pre_hooks.push_back(std::move(hook));
  else meta.hooks.push_back(std::move(hook));
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}

namespace autograd {

void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph) {
  const std::vector<Tensor> seeds = make_seeds(tensors, grad_tensors, "backward");
  run_backward(tensors, seeds, nullptr, retain_graph.value_or(create_graph), create_graph);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, std::optional<bool> retain_graph,
                         bool create_graph, bool allow_unused) {
  const std::vector<Tensor> seeds = make_seeds(outputs, grad_outputs, "grad");
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].defined(), "grad: input ", i, " is undefined");
    EMBER_CHECK(inputs[i].requires_grad(), "grad: input ", i, " (shape ", inputs[i].sizes(),
                ") does not require grad");
  }
  std::vector<Tensor> result = run_backward(outputs, seeds, &inputs, retain_graph.value_or(create_graph), create_graph);
  for (size_t i = 0; i < result.size(); ++i)
    EMBER_CHECK(allow_unused || result[i].defined(), "grad: input ", i, " (shape ", inputs[i].sizes(),
                ") was not used to compute the outputs; pass allow_unused=true to get an undefined gradient for it");
  return result;
}

}  // namespace autograd
}  // namespace ember
