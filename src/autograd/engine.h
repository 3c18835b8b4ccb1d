// The backward engine's internal interface (node.cpp and engine.cpp).
#pragma once

#include <memory>
#include <vector>

#include "ember/autograd.h"

namespace ember::autograd {

// The node an input's gradient flows into: its grad_fn, or for a leaf that
// requires grad its AccumulateGrad node (made on first use); null otherwise.
std::shared_ptr<Node> gradient_edge(const Tensor& t);

// Runs `meta`'s hooks on `grad`; each defined result replaces it.
Tensor run_hooks(AutogradMeta& meta, Tensor grad);

// While alive, Saved::get() re-attaches saved outputs to `node` (create_graph).
class CurrentNodeGuard {
 public:
  explicit CurrentNodeGuard(Node* node);
  ~CurrentNodeGuard();

 private:
  Node* previous_;
};

// One backward pass from `roots` seeded with `seeds`. With `inputs` given
// (autograd::grad), returns their gradients and leaves grad() alone;
// otherwise accumulates into the leaves and returns nothing.
std::vector<Tensor> run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds,
                                 const std::vector<Tensor>* inputs, bool retain_graph, bool create_graph);

}  // namespace ember::autograd
