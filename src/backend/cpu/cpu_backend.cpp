// Binds the CPU kernels to the Backend interface.
#include "backend/cpu/kernels.h"

namespace ember {
namespace {

class CpuBackend final : public Backend {
 public:
#define EMBER_BIND_CPU_KERNEL(result, name, params, args) \
  result name params override { return cpu::name args; }
  EMBER_BACKEND_KERNELS(EMBER_BIND_CPU_KERNEL)
#undef EMBER_BIND_CPU_KERNEL
};

}  // namespace

Backend* cpu_backend() {
  static CpuBackend backend;
  return &backend;
}

}  // namespace ember
