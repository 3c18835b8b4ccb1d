// The thread-local grad-mode flags. They live in core because TensorImpl reads
// the inference flag when it is made; what they mean is autograd's business.
#include "ember/grad_mode.h"

namespace ember {
namespace detail {
thread_local constinit bool t_grad_enabled = true;
}  // namespace detail

namespace {
thread_local bool t_inference_mode = false;
}  // namespace

using detail::t_grad_enabled;

bool is_inference_mode_enabled() { return t_inference_mode; }

InferenceMode::InferenceMode(bool enabled) : previous_grad_(t_grad_enabled), previous_inference_(t_inference_mode) {
  if (enabled) t_grad_enabled = false;
  t_inference_mode = enabled;
}

InferenceMode::~InferenceMode() {
  t_grad_enabled = previous_grad_;
  t_inference_mode = previous_inference_;
}

}  // namespace ember
