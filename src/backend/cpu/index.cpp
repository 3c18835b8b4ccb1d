// Indexing kernels: index_select, gather, scatter(_add), masked_select,
// nonzero. Indices arrive bounds-checked by the op layer.
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/temporary.h"

namespace ember::cpu {
namespace {

// Calls f(U{}) with an unsigned type of the element's size: data movement
// needs only the bytes, so one instantiation serves several dtypes.
template <class F>
void dispatch_bytes(size_t element_size, F&& f) {
  switch (element_size) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    default: return f(uint64_t{});
  }
}

// Element offset of `linear` (row-major over `sizes`) in a tensor with `strides`,
// with dim `dim`'s coordinate replaced by `replacement` when it is >= 0.
inline int64_t offset_of(int64_t linear, IntArrayRef sizes, IntArrayRef strides, int64_t dim = -1,
                         int64_t replacement = -1) {
  int64_t offset = 0;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    const int64_t size = sizes[static_cast<size_t>(d)];
    const int64_t coord = linear % size;
    linear /= size;
    offset += (d == dim ? replacement : coord) * strides[static_cast<size_t>(d)];
  }
  return offset;
}

}  // namespace

void index_select(const Tensor& out, const Tensor& x_in, int64_t dim, const Tensor& index) {
  const Tensor x = contiguous_temporary(x_in);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= x.size(d);
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  const int64_t n = index.numel(), src_n = x.size(dim);
  const size_t row_bytes = static_cast<size_t>(inner) * x.element_size();
  const char* src = static_cast<const char*>(x.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  const int64_t* idx = index.data_ptr<int64_t>();
  parallel_for(outer * n, inner, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t o = r / n, i = r % n;
      std::memcpy(dst + static_cast<size_t>(r) * row_bytes,
                  src + static_cast<size_t>(o * src_n + idx[i]) * row_bytes, row_bytes);
    }
  });
}

void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index_in) {
  const Tensor index = contiguous_temporary(index_in);
  const int64_t* idx = index.data_ptr<int64_t>();
  dispatch_bytes(x.element_size(), [&](auto tag) {
    using U = decltype(tag);
    const U* src = static_cast<const U*>(x.data_ptr());
    U* dst = static_cast<U*>(out.data_ptr());  // contiguous, index's shape
    parallel_for(index.numel(), x.dim(), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dst[i] = src[offset_of(i, index.sizes(), x.strides(), dim, idx[i])];
    });
  });
}

void scatter(const Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& src, bool accumulate) {
  const Tensor index = contiguous_temporary(index_in);
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t n = index.numel();
  // Sequential: duplicate indices must apply in order (and accumulate without races).
  if (!accumulate) {
    dispatch_bytes(self.element_size(), [&](auto tag) {
      using U = decltype(tag);
      U* dst = static_cast<U*>(self.data_ptr());
      const U* s = static_cast<const U*>(src.data_ptr());
      for (int64_t i = 0; i < n; ++i)
        dst[offset_of(i, index.sizes(), self.strides(), dim, idx[i])] = s[offset_of(i, index.sizes(), src.strides())];
    });
    return;
  }
  dispatch_all(self.dtype(), "scatter_add", [&](auto tag) {
    using T = decltype(tag);
    T* dst = static_cast<T*>(self.data_ptr());
    const T* s = static_cast<const T*>(src.data_ptr());
    for (int64_t i = 0; i < n; ++i) {
      T& d = dst[offset_of(i, index.sizes(), self.strides(), dim, idx[i])];
      d = static_cast<T>(d + s[offset_of(i, index.sizes(), src.strides())]);
    }
  });
}

void masked_select(const Tensor& out, const Tensor& x, const Tensor& mask) {
  dispatch_bytes(x.element_size(), [&](auto tag) {
    using U = decltype(tag);
    U* dst = static_cast<U*>(out.data_ptr());
    int64_t written = 0;
    const Tensor* ops[2] = {&x, &mask};
    auto layout = make_layout(ops);
    auto body = [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        if (*reinterpret_cast<const bool*>(p[1] + i * s[1])) dst[written++] = *reinterpret_cast<const U*>(p[0] + i * s[0]);
    };
    for_each_range(layout, 0, layout.numel, body);
  });
}

void nonzero(const Tensor& out, const Tensor& x) {
  dispatch_all(x.dtype(), "nonzero", [&](auto tag) {
    using T = decltype(tag);
    const int64_t nd = x.dim(), numel = x.numel();
    int64_t* dst = out.data_ptr<int64_t>();
    const T* src = static_cast<const T*>(x.data_ptr());
    std::vector<int64_t> coord(static_cast<size_t>(nd), 0);
    int64_t offset = 0;
    for (int64_t i = 0; i < numel; ++i) {
      if (src[offset] != T(0)) {
        std::copy(coord.begin(), coord.end(), dst);
        dst += nd;
      }
      for (int64_t d = nd - 1; d >= 0; --d) {  // advance the row-major coordinate
        const size_t du = static_cast<size_t>(d);
        ++coord[du];
        offset += x.stride(d);
        if (coord[du] < x.size(d)) break;
        offset -= coord[du] * x.stride(d);
        coord[du] = 0;
      }
    }
  });
}

}  // namespace ember::cpu
