// The normalized_shape rule of layer_norm and rms_norm: x's trailing dims are
// normalized_shape (non-empty, at most x's dims). An Error naming `op` otherwise.
#pragma once

#include "ember/tensor.h"

namespace ember::ops {

void check_normalized_shape(const Tensor& x, IntArrayRef normalized_shape, const char* op);

}  // namespace ember::ops
