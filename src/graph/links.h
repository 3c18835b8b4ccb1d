// The links between tensors and the graph that the backward engine follows
// (defined in graph/node.cpp, used by autograd/engine.cpp).
#pragma once

#include <memory>

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

}  // namespace ember::autograd
