// gradcheck / gradgradcheck: autograd's vector-Jacobian product for a random
// cotangent v against central finite differences, v . (f(x + eps) - f(x - eps)) / 2eps,
// one input element at a time, in float64.
#include <cmath>
#include <sstream>

#include "ember/autograd.h"
#include "ember/creation.h"
#include "ember/generator.h"
#include "ember/ops.h"

namespace ember::autograd {
namespace {

// Address of the element with row-major index `flat` in a strided float64 tensor.
double* element(const Tensor& t, int64_t flat) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    offset += (flat % t.size(d)) * t.stride(d);
    flat /= t.size(d);
  }
  return t.data_ptr<double>() + offset;
}

double weighted_sum(const Tensor& a, const Tensor& b) { return (a.to(Dtype::float64) * b).sum().item<double>(); }

void check_inputs(const std::vector<Tensor>& inputs, const char* op) {
  bool any = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].requires_grad()) continue;
    any = true;
    EMBER_CHECK(inputs[i].dtype() == Dtype::float64, op, ": input ", i, " requires grad but is ",
                dtype_name(inputs[i].dtype()), "; finite differences need float64 inputs");
  }
  EMBER_CHECK(any, op, ": no input requires grad; nothing to check");
}

}  // namespace

bool gradcheck(const Function& fn, const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  check_inputs(inputs, "gradcheck");
  const Tensor out = fn(inputs);
  EMBER_CHECK(out.defined() && is_floating(out.dtype()), "gradcheck: the function must return a floating tensor");
  Generator gen(0x9e3779b9ull);
  const Tensor v = randn(out.sizes(), {.dtype = Dtype::float64}, &gen);

  std::vector<Tensor> wrt;
  std::vector<size_t> wrt_index;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) wrt.push_back(inputs[i]), wrt_index.push_back(i);
  std::vector<Tensor> analytic;
  if (out.requires_grad()) analytic = grad({out}, wrt, {v.to(out.dtype())}, true, false, true);
  else analytic.resize(wrt.size());

  // Numerical side: plain forward calls (fn may itself need the graph, as in gradgradcheck).
  for (size_t k = 0; k < wrt.size(); ++k) {
    const Tensor& x = wrt[k];
    const Tensor a = analytic[k].defined() ? analytic[k].to(Dtype::float64) : zeros_like(x);
    for (int64_t j = 0; j < x.numel(); ++j) {
      double* p = element(x, j);
      const double saved = *p;
      *p = saved + eps;
      const double plus = weighted_sum(fn(inputs), v);
      *p = saved - eps;
      const double minus = weighted_sum(fn(inputs), v);
      *p = saved;
      const double numeric = (plus - minus) / (2 * eps);
      const double got = *element(a.contiguous(), j);
      if (!(std::abs(got - numeric) <= atol + rtol * std::abs(numeric))) {
        std::ostringstream msg;
        msg << "gradcheck: Jacobian mismatch for input " << wrt_index[k] << " (shape " << x.sizes() << ") at element "
            << j << ": analytical " << got << " vs numerical " << numeric << " (atol " << atol << ", rtol " << rtol
            << ")";
        throw Error(msg.str());
      }
    }
  }
  return true;
}

bool gradgradcheck(const Function& fn, const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  check_inputs(inputs, "gradgradcheck");
  const Tensor out = fn(inputs);
  Generator gen(0x85ebca6bull);
  // The cotangent is an input too, so second derivatives with respect to it are checked.
  const Tensor v = randn(out.sizes(), {.dtype = Dtype::float64}, &gen).requires_grad_();
  std::vector<Tensor> all = inputs;
  all.push_back(v);
  const Function first_derivative = [&fn, n = inputs.size()](const std::vector<Tensor>& args) {
    const std::vector<Tensor> xs(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<Tensor> wrt;
    for (const Tensor& x : xs)
      if (x.defined() && x.requires_grad()) wrt.push_back(x);
    const Tensor y = fn(xs);
    std::vector<Tensor> grads = grad({y}, wrt, {args.back()}, true, true, true);
    std::vector<Tensor> flat;
    for (size_t i = 0; i < grads.size(); ++i)
      flat.push_back(grads[i].defined() ? grads[i].reshape({-1}) : zeros({wrt[i].numel()}, {.dtype = Dtype::float64}));
    return cat(flat);
  };
  return gradcheck(first_derivative, all, eps, atol, rtol);
}

}  // namespace ember::autograd
