// The CPU kernels, one function per Backend entry (see EMBER_BACKEND_KERNELS
// in backend/backend.h for each one's contract). cpu_backend.cpp binds them
// to the interface.
#pragma once

#include "backend/backend.h"

namespace ember::cpu {

#define EMBER_DECLARE_CPU_KERNEL(result, name, params, args) result name params;
EMBER_BACKEND_KERNELS(EMBER_DECLARE_CPU_KERNEL)
#undef EMBER_DECLARE_CPU_KERNEL

}  // namespace ember::cpu
