// Grad modes: whether ops record the autograd graph on this thread. Like
// PyTorch, each mode is thread-local and set with an RAII guard.
#pragma once

namespace ember {

namespace detail {
// Read on every op, so inline; constinit lets the compiler skip the
// thread_local initialization wrapper.
extern thread_local constinit bool t_grad_enabled;
}  // namespace detail

// True when ops record history for inputs that require grad (the default).
inline bool is_grad_enabled() { return detail::t_grad_enabled; }
inline void set_grad_enabled(bool enabled) { detail::t_grad_enabled = enabled; }
// True inside an InferenceMode scope on this thread.
bool is_inference_mode_enabled();

// No recording in this scope (torch.no_grad()).
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Recording back on inside a no-grad scope (torch.enable_grad()).
class EnableGradGuard {
 public:
  EnableGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(true); }
  ~EnableGradGuard() { set_grad_enabled(previous_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

// torch.inference_mode(): no recording, and tensors made in this scope are
// inference tensors that can never require grad.
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true);
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;

 private:
  bool previous_grad_;
  bool previous_inference_;
};

}  // namespace ember
