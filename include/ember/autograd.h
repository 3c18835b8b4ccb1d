// Reverse-mode automatic differentiation, define-by-run as in PyTorch: ops
// record a graph of Nodes as they run on tensors that require grad, and
// backward() walks it once, in dependency order.
//
//   Tensor x = randn({3}).requires_grad_();
//   Tensor y = (x * x).sum();
//   y.backward();                      // x.grad() == 2 * x
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/grad_mode.h"
#include "ember/tensor.h"

namespace ember {

// One recorded op: turns the gradient of its output into the gradients of its
// inputs. Every node has exactly one output; multi-output ops record one node
// per differentiable output.
class Node : public std::enable_shared_from_this<Node> {
 public:
  // Where the gradient of one input goes, and that input's shape and dtype
  // (the engine sums broadcast gradients back to the shape and casts to the dtype).
  struct Edge {
    std::shared_ptr<Node> node;  // null when the input needs no gradient
    Shape shape;
    Dtype dtype = Dtype::float32;
  };

  explicit Node(const char* op);
  virtual ~Node();
  // Nodes alive in the process (tests use it to check that graphs are freed).
  static int64_t live_count();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // "MulBackward" for the node that `mul` recorded; "AccumulateGrad" for leaves.
  virtual std::string name() const;
  // The forward op's name ("mul").
  const char* op() const { return op_; }
  const std::vector<Edge>& next_edges() const { return edges_; }
  std::vector<Edge>& mutable_next_edges() { return edges_; }

  // Gradients of the inputs, one per edge (undefined = zero), given the
  // gradient of the output. Throws once release() ran.
  virtual std::vector<Tensor> apply(const Tensor& grad) = 0;
  // Frees what the node saved for backward (after a backward without retain_graph).
  virtual void release() {}

  // Hooks of the tensor this node produced (register_hook on a non-leaf):
  // each may replace the gradient before apply() sees it.
  std::vector<std::function<Tensor(const Tensor&)>> pre_hooks;
  // Runs the hooks above (a leaf's AccumulateGrad runs the leaf's hooks).
  virtual Tensor run_pre_hooks(Tensor grad);
  // retain_grad of the tensor this node produced (weak: the tensor owns the node).
  std::weak_ptr<struct AutogradMeta> output_meta;

  // Engine bookkeeping for the backward pass in progress.
  struct RunState {
    uint64_t run = 0;        // which backward pass the fields below belong to
    int32_t pending = 0;     // gradients still to arrive
    bool visited = false;    // reached by the dependency count
    bool needed = true;      // autograd::grad: leads to a requested input
    int32_t capture = -1;    // autograd::grad: index of the requested input it produces
    Tensor buffer;           // sum of the gradients arrived so far
  } state;

 private:
  const char* op_;
  std::vector<Edge> edges_;
};

// Autograd's state of one tensor.
struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;           // null for leaves
  std::weak_ptr<Node> grad_accumulator;    // leaves: the node that accumulates into grad
  std::vector<std::function<Tensor(const Tensor&)>> hooks;  // leaves' hooks (non-leaves keep theirs on grad_fn)
};

namespace autograd {

// Sums of gradients of `outputs` with respect to `inputs` (torch.autograd.grad).
// grad_outputs: one per output, or empty for scalar outputs (ones). Does not
// touch any tensor's grad(). retain_graph defaults to create_graph.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, std::optional<bool> retain_graph = {},
                         bool create_graph = false, bool allow_unused = false);

// Accumulates gradients of `tensors` into the grad() of the leaves they came from.
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors = {},
              std::optional<bool> retain_graph = {}, bool create_graph = false);

// Anomaly mode: a NaN or Inf produced by a backward node throws an Error naming
// the node and the forward op that recorded it.
bool is_anomaly_enabled();
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

// The forward op name of every backward rule Ember has (Node::op() of the
// nodes ops record), declared once in src/graph/rules.cpp: the list a
// gradcheck table must cover. Debug builds refuse to record an undeclared name.
const std::vector<std::string>& ops_with_rules();

// A differentiable function of tensors, for gradcheck.
using Function = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares autograd's vector-Jacobian product for a random cotangent with
// central finite differences, for every float64 input that requires grad.
// Passes when |analytic - numeric| <= atol + rtol * |numeric| everywhere;
// otherwise throws an Error naming the input, the element and both values.
bool gradcheck(const Function& fn, const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-5,
               double rtol = 1e-3);
// gradcheck of the first derivative (built with create_graph), i.e. checks
// that the backward rules are themselves correctly differentiable.
bool gradgradcheck(const Function& fn, const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-5,
                   double rtol = 1e-3);

// ---- torch.autograd.functional ------------------------------------------------------
// Derivatives of a function `fn` of tensors at `inputs` (which are detached and
// made to require grad inside, so the caller's tensors are untouched). With
// create_graph the results are themselves differentiable (they keep the
// history of the inputs as the caller passed them). strict: an Error when an
// output does not depend on some input (otherwise its derivative is zeros).
struct FunctionalOptions {
  bool create_graph = false;
  bool strict = false;
};

// (fn(inputs), v^T J): the vector-Jacobian product; v may be empty for a one-element output.
std::pair<Tensor, std::vector<Tensor>> vjp(const Function& fn, const std::vector<Tensor>& inputs,
                                           const Tensor& v = {}, FunctionalOptions options = {});
// (fn(inputs), J v) for tangents v (one per input; may be empty for one input of one element).
std::pair<Tensor, Tensor> jvp(const Function& fn, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& v = {}, FunctionalOptions options = {});
// d fn / d input_i, each of shape output.shape + input_i.shape (reverse mode, one row per output element).
std::vector<Tensor> jacobian(const Function& fn, const std::vector<Tensor>& inputs, FunctionalOptions options = {});
// The second derivatives of a one-element fn: block (i, j) has shape input_i.shape + input_j.shape.
std::vector<std::vector<Tensor>> hessian(const Function& fn, const std::vector<Tensor>& inputs,
                                         FunctionalOptions options = {});
// (fn(inputs), v^T H) and (fn(inputs), H v) of a one-element fn, one result per input.
std::pair<Tensor, std::vector<Tensor>> vhp(const Function& fn, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v, FunctionalOptions options = {});
std::pair<Tensor, std::vector<Tensor>> hvp(const Function& fn, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v, FunctionalOptions options = {});

}  // namespace autograd
}  // namespace ember
