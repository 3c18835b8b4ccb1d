// The meta device's backend: tensors there have sizes, strides and dtype but
// no storage, so every kernel is a no-op. The ops around the kernels still run
// their argument checks, shape rules and autograd recording, which is what a
// meta run is for (shapes, parameter counts, memory plans, device propagation).
// Ops whose result's shape depends on values (nonzero, masked_select) refuse
// meta inputs before getting here, and a copy out of meta into real memory is
// refused by the op (ops::copy_backend).
#include "backend/backend.h"

namespace ember {
namespace {

// A kernel that does nothing. Kernels that answer whether they handled the
// call (conv2d) answer yes, so no fallback runs either.
template <class Result, class... Args>
Result nothing(const Args&...) {
  if constexpr (!std::is_void_v<Result>) return true;
}

class MetaBackend final : public Backend {
 public:
#define EMBER_META_KERNEL(result, name, params, args) \
  result name params override { return nothing<result> args; }
  EMBER_BACKEND_KERNELS(EMBER_META_KERNEL)
#undef EMBER_META_KERNEL
};

}  // namespace

Backend* meta_backend() {
  static MetaBackend backend;
  return &backend;
}

}  // namespace ember
