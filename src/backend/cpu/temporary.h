// Kernels' own temporaries (a contiguous copy of a strided operand, a scratch
// output nobody asked for): built from core pieces (Storage, TensorImpl) and
// filled by cpu::copy, so a kernel never goes back up through the ops.
#pragma once

#include "backend/cpu/kernels.h"

namespace ember::cpu {

// An uninitialised contiguous CPU tensor.
inline Tensor temporary(IntArrayRef sizes, Dtype dtype) {
  auto storage = IntrusivePtr<Storage>::make(static_cast<size_t>(shape_numel(sizes)) * element_size(dtype), kCPU);
  return Tensor(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, sizes.shape(), contiguous_strides(sizes), 0));
}

// t itself when contiguous, otherwise a contiguous copy.
inline Tensor contiguous_temporary(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = temporary(t.sizes(), t.dtype());
  copy(out, t, false);
  return out;
}

}  // namespace ember::cpu
