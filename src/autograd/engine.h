// The backward engine's internal interface (engine.cpp and tensor_autograd.cpp).
#pragma once

#include <memory>
#include <vector>

#include "ember/autograd.h"
#include "graph/links.h"

namespace ember::autograd {

// One backward pass from `roots` seeded with `seeds`. With `inputs` given
// (autograd::grad), returns their gradients and leaves grad() alone;
// otherwise accumulates into the leaves and returns nothing.
std::vector<Tensor> run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds,
                                 const std::vector<Tensor>* inputs, bool retain_graph, bool create_graph);

}  // namespace ember::autograd
