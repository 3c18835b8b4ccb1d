// The backward engine: one pass over the graph from the roots. A depth-first
// walk counts, for every node, how many gradients will arrive; a node runs
// once all have arrived (its buffer holds their sum), then hands each input's
// gradient, summed back to the input's shape and cast to its dtype, on.
#include "autograd/engine.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <utility>

#include "ember/creation.h"
#include "ember/ops.h"
#include "graph/record.h"

namespace ember::autograd {
namespace {

std::atomic<uint64_t> g_runs{0};
thread_local bool t_anomaly = false;

class GradModeScope {
 public:
  explicit GradModeScope(bool enabled) : previous_(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeScope() { set_grad_enabled(previous_); }

 private:
  bool previous_;
};

// Sums a gradient over the dims its input was broadcast along.
Tensor sum_to_input(const Tensor& g, const Node::Edge& edge, const Node& node, size_t index) {
  const IntArrayRef shape = edge.shape;
  Tensor out = g;
  if (g.sizes() != shape) {
    const int64_t lead = g.dim() - static_cast<int64_t>(shape.size());
    bool compatible = lead >= 0;
    std::vector<int64_t> dims;
    for (int64_t d = 0; compatible && d < g.dim(); ++d) {
      if (d < lead) {
        dims.push_back(d);
      } else if (shape[static_cast<size_t>(d - lead)] != g.size(d)) {
        compatible = shape[static_cast<size_t>(d - lead)] == 1;
        dims.push_back(d);
      }
    }
    EMBER_CHECK(compatible, node.name(), " returned a gradient of shape ", g.sizes(), " for input ", index,
                " of shape ", shape, "; expected that shape or one that broadcasts to it");
    out = g.sum(dims, true).reshape(shape);
  }
  return out.dtype() == edge.dtype ? out : out.to(edge.dtype);
}

void check_finite(const Node& node, const std::vector<Tensor>& grads) {
  NoGradGuard no_grad;
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    if (!g.defined() || !g.is_floating_point()) continue;
    const bool bad = logical_or(ne(g, g), eq(abs(g), std::numeric_limits<double>::infinity())).any().item<bool>();
    EMBER_CHECK(!bad, "anomaly detected: ", node.name(), " returned NaN or Inf values in its gradient for input ", i,
                " (the forward op was '", node.op(), "')");
  }
}

void reset_state(Node* n, uint64_t run, bool capturing) {
  n->state.run = run;
  n->state.pending = 0;
  n->state.needed = !capturing;
  n->state.capture = -1;
  n->state.visited = false;
  n->state.buffer = Tensor();
}

// Counts incoming edges of every node reachable from the roots and, when
// capturing, marks the nodes that lead to a captured one (post-order).
void count_dependencies(const std::vector<Node*>& roots, uint64_t run, bool capturing) {
  std::vector<std::pair<Node*, size_t>> stack;
  for (Node* root : roots) {
    if (root->state.visited) continue;
    root->state.visited = true;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      const auto& edges = node->next_edges();
      if (next < edges.size()) {
        Node* child = edges[next++].node.get();
        if (!child) continue;
        if (child->state.run != run) reset_state(child, run, capturing);
        ++child->state.pending;
        if (!child->state.visited) {
          child->state.visited = true;
          stack.push_back({child, 0});
        }
        continue;
      }
      if (capturing)
        for (const auto& e : edges)
          if (e.node && (e.node->state.needed || e.node->state.capture >= 0)) node->state.needed = true;
      stack.pop_back();
    }
  }
}

// Stores the gradient of a non-leaf tensor that called retain_grad().
void retain(AutogradMeta& meta, const Tensor& g, bool create_graph) {
  const Tensor value = create_graph ? g : g.detach();
  meta.grad = meta.grad.defined() ? meta.grad + value : value.clone();
}

thread_local int t_depth = 0;  // backward passes running on this thread

struct DepthGuard {
  DepthGuard() {
    EMBER_CHECK(t_depth == 0, "backward: a backward pass was started from inside another one (from a hook or a "
                              "backward rule); this reentrant use is not supported");
    ++t_depth;
  }
  ~DepthGuard() { --t_depth; }
};

}  // namespace

bool is_anomaly_enabled() { return t_anomaly; }
DetectAnomalyGuard::DetectAnomalyGuard() : previous_(t_anomaly) { t_anomaly = true; }
DetectAnomalyGuard::~DetectAnomalyGuard() { t_anomaly = previous_; }

std::vector<Tensor> run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds,
                                 const std::vector<Tensor>* inputs, bool retain_graph, bool create_graph) {
  DepthGuard depth;
  GradModeScope grad_mode(create_graph);
  const uint64_t run = ++g_runs;
  const bool capturing = inputs != nullptr;

  std::vector<std::shared_ptr<Node>> root_nodes;
  for (const Tensor& r : roots) root_nodes.push_back(gradient_edge(r));

  // autograd::grad: the nodes whose incoming gradient is an input's gradient.
  std::vector<std::shared_ptr<Node>> capture_nodes;
  std::vector<int32_t> capture_slot;
  if (capturing) {
    for (size_t i = 0; i < inputs->size(); ++i) {
      std::shared_ptr<Node> n = gradient_edge((*inputs)[i]);
      if (n->state.run != run) reset_state(n.get(), run, capturing);
      if (n->state.capture < 0) n->state.capture = static_cast<int32_t>(i);
      capture_slot.push_back(n->state.capture);
      capture_nodes.push_back(std::move(n));
    }
  }

  std::vector<Node*> unique_roots;
  for (auto& n : root_nodes) {
    if (n->state.run != run) reset_state(n.get(), run, capturing);
    bool dup = false;
    for (Node* u : unique_roots) dup |= u == n.get();
    if (!dup) unique_roots.push_back(n.get());
  }
  count_dependencies(unique_roots, run, capturing);

  for (size_t i = 0; i < roots.size(); ++i) {
    Tensor& buffer = root_nodes[i]->state.buffer;
    buffer = buffer.defined() ? buffer + seeds[i] : seeds[i];
  }
  std::vector<Node*> ready;
  for (Node* n : unique_roots)
    if (n->state.pending == 0) ready.push_back(n);

  std::vector<Tensor> captured(capturing ? inputs->size() : 0);
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    Tensor g = std::move(node->state.buffer);
    node->state.buffer = Tensor();
    if (g.defined()) {
      g = node->run_pre_hooks(std::move(g));
      if (std::shared_ptr<AutogradMeta> meta = node->output_meta.lock(); meta && meta->retains_grad)
        retain(*meta, g, create_graph);
    }
    if (node->state.capture >= 0 && g.defined()) captured[static_cast<size_t>(node->state.capture)] = g;
    if (!node->state.needed) continue;

    std::vector<Tensor> grads;
    if (g.defined()) {
      CurrentNodeGuard current(node);
      try {
        grads = node->apply(g);
      } catch (const Error& e) {
        const std::string what = e.what();
        if (what.rfind(node->name(), 0) == 0) throw;  // already names the node
        throw Error(node->name() + ": " + what);
      }
      if (t_anomaly) check_finite(*node, grads);
    }
    if (!retain_graph) node->release();

    const auto& edges = node->next_edges();
    EMBER_CHECK(grads.empty() || grads.size() == edges.size(), node->name(), " returned ", grads.size(),
                " gradients for ", edges.size(), " inputs");
    for (size_t i = 0; i < edges.size(); ++i) {
      Node* child = edges[i].node.get();
      if (!child || !(child->state.needed || child->state.capture >= 0)) continue;
      if (!grads.empty() && grads[i].defined()) {
        Tensor gi = sum_to_input(grads[i], edges[i], *node, i);
        Tensor& buffer = child->state.buffer;
        buffer = buffer.defined() ? buffer + gi : std::move(gi);
      }
      if (--child->state.pending == 0) ready.push_back(child);
    }
  }

  std::vector<Tensor> results;
  if (capturing)
    for (size_t i = 0; i < inputs->size(); ++i) results.push_back(captured[static_cast<size_t>(capture_slot[i])]);
  return results;
}

}  // namespace ember::autograd
