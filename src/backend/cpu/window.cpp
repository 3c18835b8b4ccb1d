// im2col / col2im: the sliding-window copies behind convolution and pooling
// (the products then go to the library GEMM). One (n, c) image plane per task,
// so col2im's accumulation never races.
#include <algorithm>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"

namespace ember::cpu {
namespace {

// The output columns [lo, hi) whose input column ow * stride - pad + offset
// falls inside [0, W): the rest read padding. Computed once per kernel
// column, so the inner loops run without bounds checks (and vectorize when
// the stride is 1).
struct ColumnRange {
  int64_t lo, hi;
};
ColumnRange valid_columns(int64_t out_w, int64_t W, int64_t stride, int64_t offset) {
  // ow * stride + offset >= 0  and  ow * stride + offset <= W - 1
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = W - 1 - offset < 0 ? 0 : (W - 1 - offset) / stride + 1;
  lo = std::min(lo, out_w);
  hi = std::clamp(hi, lo, out_w);
  return {lo, hi};
}

// x plane: (H, W); cols rows for this plane: (kh*kw, L).
template <class T>
void im2col_plane(T* cols, const T* x, int64_t H, int64_t W, const WindowGeometry& g, T pad) {
  const int64_t L = g.out_h * g.out_w, sw = g.stride_w;
  for (int64_t i = 0; i < g.kernel_h; ++i)
    for (int64_t j = 0; j < g.kernel_w; ++j) {
      T* row = cols + (i * g.kernel_w + j) * L;
      const int64_t offset = j * g.dilation_w - g.pad_left;
      const auto [lo, hi] = valid_columns(g.out_w, W, sw, offset);
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const int64_t h = oh * g.stride_h - g.pad_top + i * g.dilation_h;
        T* out = row + oh * g.out_w;
        if (h < 0 || h >= H) {
          std::fill_n(out, g.out_w, pad);
          continue;
        }
        const int64_t base = h * W + offset;  // x[base + ow * sw] for ow in [lo, hi) lies in row h
        std::fill_n(out, lo, pad);
        if (sw == 1) {
          std::copy(x + base + lo, x + base + hi, out + lo);
        } else {
          for (int64_t ow = lo; ow < hi; ++ow) out[ow] = x[base + ow * sw];
        }
        std::fill(out + hi, out + g.out_w, pad);
      }
    }
}

template <class T>
void col2im_plane(T* x, const T* cols, int64_t H, int64_t W, const WindowGeometry& g) {
  const int64_t L = g.out_h * g.out_w, sw = g.stride_w;
  std::fill_n(x, H * W, T(0));
  for (int64_t i = 0; i < g.kernel_h; ++i)
    for (int64_t j = 0; j < g.kernel_w; ++j) {
      const T* row = cols + (i * g.kernel_w + j) * L;
      const int64_t offset = j * g.dilation_w - g.pad_left;
      const auto [lo, hi] = valid_columns(g.out_w, W, sw, offset);
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const int64_t h = oh * g.stride_h - g.pad_top + i * g.dilation_h;
        if (h < 0 || h >= H) continue;
        const int64_t base = h * W + offset;  // x[base + ow * sw] for ow in [lo, hi) lies in row h
        const T* in = row + oh * g.out_w;
        if (sw == 1) {
          T* out = x + base + lo;
          for (int64_t ow = 0; ow < hi - lo; ++ow) out[ow] += in[lo + ow];
        } else {
          for (int64_t ow = lo; ow < hi; ++ow) x[base + ow * sw] += in[ow];
        }
      }
    }
}

template <class F>
void for_float(Dtype dtype, const char* op, F f) {
  if (dtype == Dtype::float32) return f(float{});
  if (dtype == Dtype::float64) return f(double{});
  detail::fail(op, ": expected a float32 or float64 tensor, got ", dtype_name(dtype));
}

}  // namespace

void im2col(const Tensor& cols, const Tensor& x, const WindowGeometry& g, double pad_value) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const int64_t plane_cols = g.kernel_h * g.kernel_w * g.out_h * g.out_w;
  for_float(x.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    const T* px = static_cast<const T*>(x.data_ptr());
    T* pc = static_cast<T*>(cols.data_ptr());
    parallel_for(planes, plane_cols, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) im2col_plane(pc + p * plane_cols, px + p * H * W, H, W, g, static_cast<T>(pad_value));
    });
  });
}

void col2im(const Tensor& x, const Tensor& cols, const WindowGeometry& g) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const int64_t plane_cols = g.kernel_h * g.kernel_w * g.out_h * g.out_w;
  for_float(x.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    T* px = static_cast<T*>(x.data_ptr());
    const T* pc = static_cast<const T*>(cols.data_ptr());
    parallel_for(planes, plane_cols, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) col2im_plane(px + p * H * W, pc + p * plane_cols, H, W, g);
    });
  });
}

}  // namespace ember::cpu
