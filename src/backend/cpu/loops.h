// CPU loop machinery shared by the kernels: dtype dispatch, a strided
// iterator over several same-shaped operands (dims collapsed, innermost
// first), and OpenMP parallelism that only starts above a grain size.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "ember/error.h"
#include "ember/tensor.h"

namespace ember::cpu {

// Below this many elements a loop runs on the calling thread: waking a
// thread costs more than the work.
constexpr int64_t kGrainSize = 32768;

// Calls f(T{}) with T the C++ type of `dtype`, for the computational dtypes.
template <class F>
decltype(auto) dispatch_all(Dtype dtype, const char* op, F&& f) {
  switch (dtype) {
    case Dtype::boolean: return f(bool{});
    case Dtype::uint8: return f(uint8_t{});
    case Dtype::int16: return f(int16_t{});
    case Dtype::int32: return f(int32_t{});
    case Dtype::int64: return f(int64_t{});
    case Dtype::float32: return f(float{});
    case Dtype::float64: return f(double{});
    default: break;
  }
  detail::fail(op, ": dtype ", dtype_name(dtype), " is not supported (float16/bfloat16 are storage-only for now)");
}

// As dispatch_all, plus the storage-only float16 and bfloat16 (copy and fill).
template <class F>
decltype(auto) dispatch_storage(Dtype dtype, const char* op, F&& f) {
  if (dtype == Dtype::float16) return f(Half{});
  if (dtype == Dtype::bfloat16) return f(BFloat16{});
  return dispatch_all(dtype, op, std::forward<F>(f));
}

template <class F>
decltype(auto) dispatch_float(Dtype dtype, const char* op, F&& f) {
  if (dtype == Dtype::float32) return f(float{});
  if (dtype == Dtype::float64) return f(double{});
  detail::fail(op, ": expected a float32 or float64 tensor but got ", dtype_name(dtype));
}

// Converts between any two element types (half types through float).
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<From, Half> || std::is_same_v<From, BFloat16>) {
    return convert<To>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else {
    return static_cast<To>(v);
  }
}

inline int threads_for(int64_t work) {
  if (work < kGrainSize) return 1;
  const int max_threads = omp_get_max_threads();
  return static_cast<int>(std::min<int64_t>(max_threads, std::max<int64_t>(1, work / kGrainSize)));
}

// f(begin, end) over [0, n), split across threads when n is large enough.
template <class F>
void parallel_for(int64_t n, int64_t cost_per_item, F&& f) {
  const int nthreads = threads_for(n * std::max<int64_t>(cost_per_item, 1));
  if (nthreads <= 1 || n < 2) {
    if (n > 0) f(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t chunk = (n + nt - 1) / nt;
    const int64_t begin = t * chunk, end = std::min(n, begin + chunk);
    if (begin < end) f(begin, end);
  }
}

// N operands of one shape, dims collapsed where all operands allow it.
// sizes[0] is the innermost dim; strides are in bytes.
template <int N>
struct Layout {
  SmallVector<int64_t, 6> sizes;
  SmallVector<int64_t, 6> strides[N];
  char* base[N];
  int64_t numel = 1;
};

template <int N>
Layout<N> make_layout(const Tensor* const (&operands)[N]) {
  Layout<N> layout;
  const Tensor& first = *operands[0];
  layout.numel = first.numel();
  for (int k = 0; k < N; ++k) layout.base[k] = static_cast<char*>(operands[k]->data_ptr());
  for (int64_t d = first.dim() - 1; d >= 0; --d) {
    const int64_t size = first.size(d);
    if (size == 1) continue;
    const size_t nd = layout.sizes.size();
    bool merge = nd > 0;
    for (int k = 0; k < N && merge; ++k) {
      const int64_t stride = operands[k]->stride(d) * static_cast<int64_t>(operands[k]->element_size());
      merge = stride == layout.strides[k][nd - 1] * layout.sizes[nd - 1];
    }
    if (merge) {
      layout.sizes[nd - 1] *= size;
    } else {
      layout.sizes.push_back(size);
      for (int k = 0; k < N; ++k)
        layout.strides[k].push_back(operands[k]->stride(d) * static_cast<int64_t>(operands[k]->element_size()));
    }
  }
  return layout;
}

// Calls f(ptrs, inner_strides, count) for the elements [begin, end) of the layout.
template <int N, class F>
void for_each_range(const Layout<N>& L, int64_t begin, int64_t end, F& f) {
  const size_t nd = L.sizes.size();
  char* p[N];
  int64_t inner[N];
  if (nd == 0) {  // every dim has size 1: one element
    for (int k = 0; k < N; ++k) p[k] = L.base[k], inner[k] = 0;
    if (begin < end) f(p, inner, int64_t{1});
    return;
  }
  SmallVector<int64_t, 6> idx(nd);
  int64_t rem = begin;
  for (int k = 0; k < N; ++k) p[k] = L.base[k], inner[k] = L.strides[k][0];
  for (size_t d = 0; d < nd; ++d) {
    idx[d] = rem % L.sizes[d];
    rem /= L.sizes[d];
    for (int k = 0; k < N; ++k) p[k] += idx[d] * L.strides[k][d];
  }
  while (begin < end) {
    const int64_t n = std::min(L.sizes[0] - idx[0], end - begin);
    f(p, inner, n);
    begin += n;
    if (begin >= end) break;
    idx[0] += n;
    for (int k = 0; k < N; ++k) p[k] += n * L.strides[k][0];
    for (size_t d = 0; d + 1 < nd && idx[d] == L.sizes[d]; ++d) {
      for (int k = 0; k < N; ++k) p[k] += L.strides[k][d + 1] - idx[d] * L.strides[k][d];
      idx[d] = 0;
      ++idx[d + 1];
    }
  }
}

template <int N, class F>
void for_each(const Layout<N>& L, F&& f) {
  parallel_for(L.numel, 1, [&](int64_t begin, int64_t end) { for_each_range(L, begin, end, f); });
}

}  // namespace ember::cpu
