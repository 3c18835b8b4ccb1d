// Nodes and the links between tensors and nodes: set_history (an op's output
// gets its grad_fn), gradient edges (where an input's gradient goes), leaves'
// AccumulateGrad nodes, saved tensors, and in-place history rewriting.
#include <algorithm>
#include <atomic>
#include <cctype>

#include "backend/backend.h"
#include "graph/links.h"
#include "graph/record.h"

namespace ember {

namespace {
std::atomic<int64_t> g_live_nodes{0};
}

Node::Node(const char* op) : op_(op) { g_live_nodes.fetch_add(1, std::memory_order_relaxed); }
int64_t Node::live_count() { return g_live_nodes.load(std::memory_order_relaxed); }

namespace {
// Nodes whose last owner is going away, freed one at a time by ~Node.
struct PendingNodes {
  std::vector<std::shared_ptr<Node>> nodes;
  bool draining = false;
  ~PendingNodes();
};
thread_local bool t_pending_gone = false;  // trivially destructible: readable during thread exit
thread_local PendingNodes t_pending;
PendingNodes::~PendingNodes() { t_pending_gone = true; }
}  // namespace

// Graphs can be long chains (an RNN unrolled 10,000 steps): free them with a
// work list instead of one nested destructor call per node.
Node::~Node() {
  g_live_nodes.fetch_sub(1, std::memory_order_relaxed);
  if (t_pending_gone) return;  // thread exit: the edges free themselves (recursively)
  for (Edge& e : edges_)
    if (e.node && e.node.use_count() == 1) t_pending.nodes.push_back(std::move(e.node));
  if (t_pending.draining) return;
  t_pending.draining = true;
  while (!t_pending.nodes.empty()) {
    std::shared_ptr<Node> last = std::move(t_pending.nodes.back());
    t_pending.nodes.pop_back();
    last.reset();  // may push its own inputs
  }
  t_pending.draining = false;
}

Tensor Node::run_pre_hooks(Tensor grad) {
  for (auto& hook : pre_hooks) {
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = std::move(replaced);
  }
  return grad;
}

// "log_softmax" -> "LogSoftmaxBackward"
std::string Node::name() const {
  std::string out;
  bool upper = true;
  for (const char* c = op_; *c; ++c) {
    if (*c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    upper = false;
  }
  return out + "Backward";
}

namespace autograd {
namespace {

// Adds each incoming gradient into its leaf's grad() (running the leaf's hooks first).
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor leaf) : Node("accumulate_grad"), leaf_(std::move(leaf)) {}
  std::string name() const override { return "AccumulateGrad"; }

  Tensor run_pre_hooks(Tensor grad) override { return run_hooks(*leaf_.impl()->autograd_meta(), std::move(grad)); }

  std::vector<Tensor> apply(const Tensor& g) override {
    AutogradMeta& meta = *leaf_.impl()->autograd_meta();
    if (!g.defined() || !meta.requires_grad) return {};  // (requires_grad_(false) since the graph was made)
    if (!meta.grad.defined()) {
      // Keep the gradient itself only when nothing else can see or change it
      // (the engine holds one more handle while we run); create_graph keeps a
      // differentiable copy.
      const bool exclusive = g.use_count() <= 2 && g.storage()->use_count() == 1 && g.is_contiguous() &&
                             !requires_grad(g);
      meta.grad = is_grad_enabled() ? g.clone() : (exclusive ? g.detach() : g.detach().clone());
    } else if (is_grad_enabled()) {
      meta.grad = meta.grad + g;  // create_graph: keep the history of both
    } else {
      meta.grad.add_(g);
    }
    return {};
  }

  const Tensor& leaf() const { return leaf_; }

 private:
  Tensor leaf_;
};

AutogradMeta& meta_of(const Tensor& t) {
  auto& meta = t.impl()->autograd_meta();
  if (!meta) meta = std::make_shared<AutogradMeta>();
  return *meta;
}

}  // namespace

Tensor run_hooks(AutogradMeta& meta, Tensor grad) {
  for (auto& hook : meta.hooks) {
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = std::move(replaced);
  }
  return grad;
}

std::shared_ptr<Node> gradient_edge(const Tensor& t) {
  const auto& meta = t.impl()->autograd_meta();
  if (!meta || !meta->requires_grad) return nullptr;
  if (meta->grad_fn) return meta->grad_fn;
  std::shared_ptr<Node> acc = meta->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t);
    meta->grad_accumulator = acc;
  }
  return acc;
}

void set_history(Tensor& out, std::shared_ptr<Node> node, const Tensor* inputs, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (inputs[i].defined() && inputs[i].impl() == out.impl()) return;  // the op returned its input: nothing new
#ifndef NDEBUG
  EMBER_CHECK(is_declared_rule(node->op()), "internal: op '", node->op(),
              "' records a backward rule that src/graph/rules.cpp does not declare");
#endif
  auto& edges = node->mutable_next_edges();
  edges.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const Tensor& t = inputs[i];
    if (!t.defined()) {
      edges.push_back({});
      continue;
    }
    edges.push_back({gradient_edge(t), t.sizes().shape(), t.dtype()});
  }
  AutogradMeta& meta = meta_of(out);
  meta.requires_grad = true;
  meta.grad_fn = std::move(node);
}

void refresh_view(const Tensor& view) {
  TensorImpl& impl = *view.impl();
  impl.set_history_seen(impl.storage()->history_version());
  const Tensor base(impl.view_base());
  if (!requires_grad(base)) return;
  Tensor fresh;
  {
    EnableGradGuard grad;  // the history is made whatever the mode of the op that found it stale
    fresh = base.as_strided(view.sizes(), view.strides(), view.storage_offset());
  }
  AutogradMeta& meta = meta_of(view);
  meta.requires_grad = true;
  meta.grad_fn = fresh.impl()->autograd_meta()->grad_fn;
}

namespace {
thread_local Node* t_current_node = nullptr;
}

CurrentNodeGuard::CurrentNodeGuard(Node* node) : previous_(t_current_node) { t_current_node = node; }
CurrentNodeGuard::~CurrentNodeGuard() { t_current_node = previous_; }

Tensor Saved::get() const {
  if (!data_.defined()) return data_;
  EMBER_CHECK(data_.storage()->version() == version_,
              "one of the tensors needed for gradient computation (shape ", data_.sizes(),
              ") has been modified by an in-place operation: it was saved at version ", version_,
              " and is now at version ", data_.storage()->version(),
              "; clone() it before modifying it, or modify a copy");
  if (!is_output_ || !is_grad_enabled() || t_current_node == nullptr) return data_;
  // create_graph: the output again, with the node that made it as its grad_fn.
  Tensor out = data_.detach();
  AutogradMeta& meta = meta_of(out);
  meta.requires_grad = true;
  meta.grad_fn = t_current_node->shared_from_this();
  return out;
}

void fail_released(const Node& node) {
  detail::fail(node.name(),
               ": trying to backward through the graph a second time (or to use saved tensors after they were "
               "freed). Saved tensors are freed by backward() and autograd::grad(); pass retain_graph=true to the "
               "first call if you need to backward through the graph again");
}

namespace {

// Whether two elements of the (sizes, strides) layout share a memory cell (a
// size > 1 dim of stride 0; other layouts come from view ops that never overlap).
// (A written-to tensor of that kind is refused by the in-place ops themselves.)
bool has_shared_cells(IntArrayRef sizes, IntArrayRef strides) {
  for (size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] > 1 && strides[i] == 0) return true;
  return false;
}

// The highest storage cell a layout reaches, plus one.
int64_t cells_spanned(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  int64_t highest = offset;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return 0;
    highest += (sizes[i] - 1) * std::max<int64_t>(strides[i], 0);
  }
  return highest + 1;
}

struct Layout {
  Shape sizes, strides;
  int64_t offset;
  static Layout of(const Tensor& t) { return {t.sizes().shape(), t.strides().shape(), t.storage_offset()}; }
};

// A fresh tensor laid out in memory as `layout` (cells it does not cover are left as they are).
Tensor laid_out_as(const Layout& layout, int64_t cells, Dtype dtype, Device device) {
  auto storage = IntrusivePtr<Storage>::make(static_cast<size_t>(cells) * element_size(dtype), device);
  return Tensor(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, layout.sizes, layout.strides, layout.offset));
}

// The grad_fn-related state of `result` becomes `self`'s (its values are already there).
void adopt_history(Tensor& self, const Tensor& result) {
  AutogradMeta& meta = meta_of(self);
  // retain_grad follows the tensor to its new node; hooks registered before
  // stay with the old value's node (as PyTorch).
  if (meta.grad_fn && meta.grad_fn->output_meta.lock().get() == &meta) meta.grad_fn->output_meta.reset();
  meta.requires_grad = true;
  meta.grad_fn = result.impl()->autograd_meta()->grad_fn;
  if (meta.retains_grad) meta.grad_fn->output_meta = self.impl()->autograd_meta();
  // Views taken before now see a history that is gone: they make theirs again on next use.
  self.storage()->bump_history_version();
}

void write_values(Tensor& self, const Tensor& result) {
  const Tensor r = result.dtype() == self.dtype() ? result : result.to(self.dtype());
  {
    NoGradGuard no_grad;
    backend_for(self.device()).copy(self, r, false);
  }
  self.storage()->bump_version();
}

}  // namespace

void check_inplace(const Tensor& self, const char* op) {
  EMBER_CHECK(!(self.is_leaf() && self.requires_grad()), op,
              ": a leaf tensor that requires grad (shape ", self.sizes(),
              ") is being used in an in-place operation; use an out-of-place op or wrap the update in NoGradGuard");
  if (!self.impl()->is_view()) return;
  const Tensor base(self.impl()->view_base());
  EMBER_CHECK(!(base.is_leaf() && base.requires_grad()), op, ": a view (shape ", self.sizes(),
              ") of a leaf tensor that requires grad (shape ", base.sizes(),
              ") is being used in an in-place operation; use an out-of-place op or wrap the update in NoGradGuard");
  EMBER_CHECK(!has_shared_cells(base.sizes(), base.strides()), op, ": the view (shape ", self.sizes(),
              ") is of a tensor whose elements share memory (shape ", base.sizes(), ", strides ", base.strides(),
              "); clone() that tensor first");
}

void adopt_result(Tensor& self, const Tensor& result) {
  write_values(self, result);
  if (requires_grad(result)) adopt_history(self, result);
}

void write_through_view(Tensor& view, const Tensor& result) {
  write_values(view, result);
  Tensor base(view.impl()->view_base());
  const Layout base_layout = Layout::of(base), view_layout = Layout::of(view);
  const int64_t cells = std::max(cells_spanned(base_layout.sizes, base_layout.strides, base_layout.offset),
                                 cells_spanned(view_layout.sizes, view_layout.strides, view_layout.offset));
  // The base's gradient g: the view's cells of g go to the result, the rest to
  // the base's old history. g is laid out as the base is, so that the view's
  // own strides pick out its cells.
  const auto rule = [base_layout, view_layout, cells](const Tensor& g) {
    Tensor laid = laid_out_as(base_layout, cells, g.dtype(), g.device());
    laid.copy_(g);
    const Tensor cells_of_view = laid.as_strided(view_layout.sizes, view_layout.strides, view_layout.offset);
    Tensor written = laid_out_as(base_layout, cells, Dtype::boolean, g.device());
    written.fill_(false);
    written.as_strided(view_layout.sizes, view_layout.strides, view_layout.offset).fill_(true);
    return Grads{g.masked_fill(written, 0), cells_of_view.contiguous()};
  };
  const Tensor new_history = record("copy_slices", base.detach(), {base, result}, rule);
  if (requires_grad(new_history)) adopt_history(base, new_history);
}

}  // namespace autograd
}  // namespace ember
