// What a factory function makes: `zeros({2, 3}, {.dtype = kFloat64, .device = kMeta})`.
#pragma once

#include <optional>

#include "ember/device.h"
#include "ember/dtype.h"

namespace ember {

// An unset dtype means the op's default (the default float dtype for most,
// inferred from the values for tensor()); the device defaults to the thread's
// default device (the CPU unless a DefaultDeviceGuard is active).
struct TensorOptions {
  std::optional<Dtype> dtype = std::nullopt;
  Device device = default_device();
};

}  // namespace ember
