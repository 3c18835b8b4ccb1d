// Argument checks around the backends' optimizer_step and total_norm.
#include "ops/optimizer_step.h"

#include "ember/grad_mode.h"
#include "ops/internal.h"

namespace ember::ops {

void optimizer_step(const OptimizerRule& rule, const Tensor& param, const Tensor& grad,
                    const std::array<Tensor, 3>& state, const char* op) {
  check_defined(param, op, "parameter");
  check_defined(grad, op, "gradient");
  EMBER_CHECK(param.dtype() == Dtype::float32 || param.dtype() == Dtype::float64, op,
              ": expected float32 or float64 parameters, got ", dtype_name(param.dtype()));
  EMBER_CHECK(grad.sizes() == param.sizes(), op, ": gradient of shape ", grad.sizes(), " does not match parameter ",
              param.sizes());
  check_same_device(param, grad, op);
  for (const Tensor& s : state)
    EMBER_CHECK(!s.defined() || (s.sizes() == param.sizes() && s.dtype() == param.dtype() &&
                                 s.device() == param.device() && s.is_contiguous()),
                op, ": a state buffer of shape ", s.sizes(), " and dtype ", dtype_name(s.dtype()), " on ",
                s.device(), " does not match its parameter (", param.sizes(), ", ", dtype_name(param.dtype()), ", ",
                param.device(), ")");
  // The kernel runs over contiguous memory, elementwise by position: a gradient of any
  // layout is made contiguous, and a strided parameter (a transposed weight, say) is
  // updated in a contiguous copy that is then written back.
  const Tensor g = grad.dtype() == param.dtype() && grad.is_contiguous() ? grad : grad.to(param.dtype()).contiguous();
  Backend& backend = backend_of(param);
  if (param.is_contiguous()) {
    backend.optimizer_step(rule, param, g, state);
  } else {
    check_no_internal_overlap(param, op);
    NoGradGuard no_grad;
    const Tensor work = param.contiguous();
    backend.optimizer_step(rule, work, g, state);
    backend.copy(param, work, false);
  }
  bump_version(param);
}

Tensor total_norm(std::span<const Tensor> tensors, double norm_type, const char* op) {
  EMBER_CHECK(!tensors.empty(), op, ": expected at least one tensor");
  EMBER_CHECK(norm_type > 0, op, ": the norm type must be positive (or inf), got ", norm_type);
  std::vector<Tensor> inputs;
  inputs.reserve(tensors.size());
  for (const Tensor& t : tensors) {
    check_defined(t, op, "gradient");
    check_same_device(t, tensors[0], op);
    EMBER_CHECK(is_floating(t.dtype()), op, ": expected floating-point tensors, got ", dtype_name(t.dtype()));
    const bool native = t.dtype() == Dtype::float32 || t.dtype() == Dtype::float64;
    inputs.push_back(native ? t.contiguous() : t.to(Dtype::float32).contiguous());  // float16/bfloat16 widened
  }
  Tensor out = new_tensor({}, Dtype::float64, tensors[0].device());
  backend_of(out).total_norm(out, inputs, norm_type);
  return out;
}

}  // namespace ember::ops
