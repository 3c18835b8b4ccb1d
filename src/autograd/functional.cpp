// torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp, built on
// autograd::grad. jvp and hvp use the double-backward trick: the gradient of
// u -> J^T u at any u is J, so differentiating v . (J^T u) by u gives J v.
#include <algorithm>

#include "ember/autograd.h"
#include "ember/creation.h"
#include "ember/ops.h"

namespace ember::autograd {
namespace {

using Tensors = std::vector<Tensor>;

// The inputs as fn sees them: new leaves that require grad, or under
// create_graph (for inputs that require grad) views that keep their history.
Tensors prepare(const Tensors& inputs, bool create_graph, const char* op) {
  EMBER_CHECK(!inputs.empty(), op, ": needs at least one input");
  Tensors out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    EMBER_CHECK(x.defined() && x.is_floating_point(), op, ": input ", i, " must be a defined floating-point tensor");
    out.push_back(create_graph && x.requires_grad() ? x.view(x.sizes()) : x.detach().requires_grad_());
  }
  return out;
}

Tensor call(const Function& fn, const Tensors& inputs, const char* op) {
  EnableGradGuard grad;  // the derivatives are wanted whatever the caller's mode
  const Tensor out = fn(inputs);
  EMBER_CHECK(out.defined(), op, ": the function returned an undefined tensor");
  return out;
}

// Zeros for an input the output does not depend on; strict: an Error.
Tensor or_zeros(const Tensor& g, const Tensor& like, size_t input, bool strict, const char* op) {
  if (g.defined()) return g;
  EMBER_CHECK(!strict, op, ": the output of the function is independent of input ", input,
              ", which is not allowed in strict mode");
  return zeros_like(like);
}

// d outputs / d inputs with allow_unused; all undefined when no output depends on any input.
Tensors grads_of(const Tensors& outputs, const Tensors& inputs, const Tensors& cotangents, bool create_graph) {
  Tensors wanted_outputs, wanted_cotangents;
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].defined() && outputs[i].requires_grad()) {
      wanted_outputs.push_back(outputs[i]);
      if (!cotangents.empty()) wanted_cotangents.push_back(cotangents[i]);
    }
  if (wanted_outputs.empty()) return Tensors(inputs.size());
  return grad(wanted_outputs, inputs, wanted_cotangents, true, create_graph, true);
}

Tensor result(const Tensor& t, bool create_graph) { return create_graph ? t : t.detach(); }

// One vector per input, of its shape (jvp's tangents, vhp's and hvp's vectors).
void check_per_input(const Tensors& v, const Tensors& x, const char* what, const char* op) {
  EMBER_CHECK(v.size() == x.size(), op, ": needs one ", what, " per input (", x.size(), "), got ", v.size());
  for (size_t i = 0; i < x.size(); ++i)
    EMBER_CHECK(v[i].defined() && v[i].sizes() == x[i].sizes(), op, ": ", what, " ", i, " of shape ",
                v[i].defined() ? v[i].sizes() : IntArrayRef(), " must have input ", i, "'s shape ", x[i].sizes());
}

// Rows d(something)/d like, one per element of a `lead`-shaped output, as one
// (lead..., like...) tensor; undefined rows (no dependence) are zeros.
Tensor stacked(std::vector<Tensor> rows, IntArrayRef lead, const Tensor& like) {
  Shape shape = lead.shape();
  for (int64_t d : like.sizes()) shape.push_back(d);
  if (rows.empty()) return zeros(shape, {.dtype = like.dtype(), .device = like.device()});
  for (Tensor& r : rows)
    if (!r.defined()) r = zeros_like(like);
  return stack(rows).view(shape);
}

Tensor one_element(const Tensor& out, const char* op) {
  EMBER_CHECK(out.numel() == 1, op, ": the function must return a one-element tensor, got shape ", out.sizes());
  return out;
}

}  // namespace

std::pair<Tensor, Tensors> vjp(const Function& fn, const Tensors& inputs, const Tensor& v, FunctionalOptions o) {
  const char* op = "vjp";
  const Tensors x = prepare(inputs, o.create_graph, op);
  const Tensor out = call(fn, x, op);
  Tensor cotangent = v;
  if (!cotangent.defined()) {
    EMBER_CHECK(out.numel() == 1, op, ": v can only be omitted when the function returns a one-element tensor, got "
                "shape ", out.sizes());
    cotangent = ones_like(out);
  }
  EMBER_CHECK(cotangent.sizes() == out.sizes(), op, ": v of shape ", cotangent.sizes(),
              " must have the output's shape ", out.sizes());
  Tensors g;
  {
    EnableGradGuard grad;
    g = grads_of({out}, x, {cotangent}, o.create_graph);
  }
  for (size_t i = 0; i < g.size(); ++i) g[i] = result(or_zeros(g[i], x[i], i, o.strict, op), o.create_graph);
  return {result(out, o.create_graph), g};
}

std::pair<Tensor, Tensor> jvp(const Function& fn, const Tensors& inputs, const Tensors& v, FunctionalOptions o) {
  const char* op = "jvp";
  const Tensors x = prepare(inputs, o.create_graph, op);
  Tensors tangents = v;
  if (tangents.empty()) {
    EMBER_CHECK(x.size() == 1 && x[0].numel() == 1, op,
                ": v can only be omitted for a single one-element input, got ", x.size(), " inputs");
    tangents = {ones_like(x[0])};
  }
  check_per_input(tangents, x, "tangent", op);
  const Tensor out = call(fn, x, op);
  Tensor jv;
  {
    EnableGradGuard grad;
    const Tensor u = zeros_like(out).requires_grad_();  // any cotangent: J^T u is linear in it
    const Tensors jtu = grads_of({out}, x, {u}, true);
    Tensors linked, their_tangents;
    for (size_t i = 0; i < jtu.size(); ++i) {
      if (!jtu[i].defined()) {
        EMBER_CHECK(!o.strict, op, ": the output of the function is independent of input ", i,
                    ", which is not allowed in strict mode");
        continue;
      }
      linked.push_back(jtu[i]);
      their_tangents.push_back(tangents[i]);
    }
    jv = grads_of(linked, {u}, their_tangents, o.create_graph)[0];
  }
  return {result(out, o.create_graph), result(jv.defined() ? jv : zeros_like(out), o.create_graph)};
}

Tensors jacobian(const Function& fn, const Tensors& inputs, FunctionalOptions o) {
  const char* op = "jacobian";
  const Tensors x = prepare(inputs, o.create_graph, op);
  const Tensor out = call(fn, x, op);
  const Tensor flat = out.reshape({-1});
  std::vector<Tensors> rows(x.size());
  {
    EnableGradGuard grad;
    for (int64_t k = 0; k < flat.numel(); ++k) {
      const Tensors g = grads_of({flat[k]}, x, {}, o.create_graph);
      for (size_t i = 0; i < x.size(); ++i) rows[i].push_back(g[i]);
    }
  }
  Tensors out_jacobians;
  for (size_t i = 0; i < x.size(); ++i) {
    const bool any = std::any_of(rows[i].begin(), rows[i].end(), [](const Tensor& r) { return r.defined(); });
    EMBER_CHECK(any || !o.strict || flat.numel() == 0, op, ": the output of the function is independent of input ",
                i, ", which is not allowed in strict mode");
    out_jacobians.push_back(result(stacked(rows[i], out.sizes(), x[i]), o.create_graph));
  }
  return out_jacobians;
}

std::vector<Tensors> hessian(const Function& fn, const Tensors& inputs, FunctionalOptions o) {
  const char* op = "hessian";
  const Tensors x = prepare(inputs, o.create_graph, op);
  std::vector<Tensors> blocks(x.size());
  EnableGradGuard grad;
  const Tensor out = one_element(call(fn, x, op), op);
  const Tensors g = grads_of({out}, x, {}, true);
  for (size_t i = 0; i < x.size(); ++i) {
    const Tensor gi = or_zeros(g[i], x[i], i, o.strict, op).reshape({-1});
    std::vector<Tensors> rows(x.size());
    for (int64_t k = 0; k < gi.numel(); ++k) {
      const Tensors second = grads_of({gi[k]}, x, {}, o.create_graph);
      for (size_t j = 0; j < x.size(); ++j) rows[j].push_back(second[j]);
    }
    for (size_t j = 0; j < x.size(); ++j) blocks[i].push_back(result(stacked(rows[j], x[i].sizes(), x[j]), o.create_graph));
  }
  return blocks;
}

std::pair<Tensor, Tensors> vhp(const Function& fn, const Tensors& inputs, const Tensors& v, FunctionalOptions o) {
  const char* op = "vhp";
  const Tensors x = prepare(inputs, o.create_graph, op);
  check_per_input(v, x, "vector", op);
  EnableGradGuard grad;
  const Tensor out = one_element(call(fn, x, op), op);
  const Tensors g = grads_of({out}, x, {}, true);
  Tensors linked, vectors;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!g[i].defined()) continue;
    linked.push_back(g[i]);
    vectors.push_back(v[i]);
  }
  Tensors r = grads_of(linked, x, vectors, o.create_graph);
  for (size_t i = 0; i < r.size(); ++i) r[i] = result(or_zeros(r[i], x[i], i, o.strict, op), o.create_graph);
  return {result(out, o.create_graph), r};
}

std::pair<Tensor, Tensors> hvp(const Function& fn, const Tensors& inputs, const Tensors& v, FunctionalOptions o) {
  const char* op = "hvp";
  const Tensors x = prepare(inputs, o.create_graph, op);
  check_per_input(v, x, "vector", op);
  EnableGradGuard grad;
  const Tensor out = one_element(call(fn, x, op), op);
  const Tensors g = grads_of({out}, x, {}, true);
  // (H^T u) for cotangents u of the gradient, then its derivative by u along v: H v.
  Tensors linked, cotangents, tangents;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!g[i].defined()) continue;
    linked.push_back(g[i]);
    cotangents.push_back(zeros_like(x[i]).requires_grad_());
  }
  const Tensors htu = grads_of(linked, x, cotangents, true);
  Tensors linked_htu;
  for (size_t i = 0; i < htu.size(); ++i)
    if (htu[i].defined()) linked_htu.push_back(htu[i]), tangents.push_back(v[i]);
  const Tensors hv_linked = grads_of(linked_htu, cotangents, tangents, o.create_graph);
  Tensors hv(x.size());
  for (size_t i = 0, k = 0; i < x.size(); ++i) {
    if (g[i].defined()) hv[i] = hv_linked[k++];
    hv[i] = result(or_zeros(hv[i], x[i], i, o.strict, op), o.create_graph);
  }
  return {result(out, o.create_graph), hv};
}

}  // namespace ember::autograd
