// 3-D convolution and pooling, composed of their 2-D forms along the depth:
// a 3-D window is a 2-D window (over height and width, run on the 2-D
// kernels, oneDNN's for float32) at each of its depth offsets, and the
// offsets' results are summed (convolution, sum pooling) or maxed. The
// gradients are those of the composition (autograd's), so every order exists.
#include <cmath>
#include <limits>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {
namespace {

struct Triple {
  int64_t d, h, w;
};

Triple triple(IntArrayRef v, const char* op, const char* what, std::optional<Triple> fallback = {}) {
  if (v.empty() && fallback) return *fallback;
  EMBER_CHECK(v.size() == 3 || v.size() == 1, op, ": ", what, " takes one size or three (d, h, w), got ", v);
  return v.size() == 1 ? Triple{v[0], v[0], v[0]} : Triple{v[0], v[1], v[2]};
}

// The window positions along one dimension, as PyTorch's pooling shape rule: with ceil_mode the
// count rounds up, but the last window must start inside the input or its left padding.
int64_t window_count(int64_t size, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation, bool ceil_mode) {
  const int64_t span = size + 2 * pad - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= size + pad) --out;
  return out;
}

// x (N, C, D, H, W) padded along depth by `before` and as much after as the last window reaches,
// with `value`; then the depth slices of offset k (k * dilation + o * stride for the `out` windows),
// each as (N, C, out, H, W).
std::vector<Tensor> depth_slices(const Tensor& x, int64_t kernel, int64_t stride, int64_t before, int64_t dilation,
                                 int64_t out, double value) {
  const int64_t reach = (out - 1) * stride + dilation * (kernel - 1) + 1;
  const int64_t after = std::max<int64_t>(0, reach - before - x.size(2));
  const Tensor padded = before || after ? pad(x, {0, 0, 0, 0, before, after}, "constant", value) : x;
  std::vector<Tensor> slices;
  for (int64_t k = 0; k < kernel; ++k)
    slices.push_back(padded.slice(2, k * dilation, k * dilation + (out - 1) * stride + 1, stride));
  return slices;
}

// Runs a 2-D op on every depth plane of (N, C, D, H, W): as (N, C*D, H, W) images (or (N*D, C, H, W)
// when it mixes channels, for convolution).
Tensor per_plane(const Tensor& x, const std::function<Tensor(const Tensor&)>& op2d, bool mixes_channels) {
  const int64_t n = x.size(0), c = x.size(1), d = x.size(2);
  if (!mixes_channels) {
    const Tensor y = op2d(x.reshape({n, c * d, x.size(3), x.size(4)}));
    return y.view({n, c, d, y.size(2), y.size(3)});
  }
  const Tensor y = op2d(x.transpose(1, 2).reshape({n * d, c, x.size(3), x.size(4)}));
  return y.view({n, d, y.size(1), y.size(2), y.size(3)}).transpose(1, 2);
}

// (C, D, H, W) is one sample: run it as a batch of one.
Tensor batched(const Tensor& x, const char* op) {
  EMBER_CHECK(x.defined() && (x.dim() == 4 || x.dim() == 5), op, ": expected input (N, C, D, H, W) or (C, D, H, W), got ",
              x.defined() ? x.sizes() : Shape{});
  return x.dim() == 4 ? x.unsqueeze(0) : x;
}
Tensor unbatched_like(const Tensor& y, const Tensor& x) { return x.dim() == 4 ? y.squeeze(0) : y; }

}  // namespace

Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride_, IntArrayRef padding_,
              IntArrayRef dilation_, int64_t groups) {
  const char* op = "conv3d";
  const Tensor x = batched(input, op);
  EMBER_CHECK(weight.defined() && weight.dim() == 5, op, ": expected weight (O, C/groups, kd, kh, kw), got ",
              weight.defined() ? weight.sizes() : Shape{});
  EMBER_CHECK(groups > 0 && x.size(1) == weight.size(1) * groups && weight.size(0) % groups == 0, op, ": input of shape ",
              input.sizes(), " has ", x.size(1), " channels; weight of shape ", weight.sizes(), " with groups ", groups,
              " expects ", weight.size(1) * groups);
  const Triple s = triple(stride_, op, "stride"), p = triple(padding_, op, "padding"), dl = triple(dilation_, op, "dilation");
  EMBER_CHECK(s.d > 0 && s.h > 0 && s.w > 0 && dl.d > 0 && dl.h > 0 && dl.w > 0 && p.d >= 0 && p.h >= 0 && p.w >= 0, op,
              ": stride and dilation must be positive and padding non-negative");
  const int64_t kd = weight.size(2);
  const int64_t out_d = window_count(x.size(2), kd, s.d, p.d, dl.d, false);
  EMBER_CHECK(out_d > 0, op, ": input of shape ", input.sizes(), " is smaller than the dilated kernel ", weight.sizes(),
              " along depth (padding ", p.d, ")");
  Tensor sum;
  const std::vector<Tensor> slices = depth_slices(x, kd, s.d, p.d, dl.d, out_d, 0.0);
  for (int64_t k = 0; k < kd; ++k) {
    const Tensor w2d = weight.select(2, k);
    const Tensor y = per_plane(slices[static_cast<size_t>(k)], [&](const Tensor& planes) {
      return conv2d(planes, w2d, {}, {s.h, s.w}, {p.h, p.w}, {dl.h, dl.w}, groups);
    }, true);
    sum = sum.defined() ? sum + y : y;
  }
  if (bias.defined()) {
    EMBER_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), op, ": bias of shape ", bias.sizes(), " for ",
                weight.size(0), " output channels");
    sum = sum + bias.view({1, -1, 1, 1, 1});
  }
  return unbatched_like(sum, input);
}

Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_, IntArrayRef stride_, IntArrayRef padding_,
                  IntArrayRef dilation_, bool ceil_mode) {
  const char* op = "max_pool3d";
  const Tensor x = batched(input, op);
  const Triple k = triple(kernel_, op, "kernel_size"), s = triple(stride_, op, "stride", k),
               p = triple(padding_, op, "padding"), dl = triple(dilation_, op, "dilation");
  EMBER_CHECK(k.d > 0 && s.d > 0 && dl.d > 0 && 2 * p.d <= k.d, op, ": kernel, stride and dilation must be positive and "
              "padding at most half the kernel, got kernel ", kernel_, ", stride ", stride_, ", padding ", padding_);
  const int64_t out_d = window_count(x.size(2), k.d, s.d, p.d, dl.d, ceil_mode);
  EMBER_CHECK(out_d > 0, op, ": input of shape ", input.sizes(), " is too small for kernel ", kernel_, " along depth");
  Tensor best;
  for (const Tensor& slice :
       depth_slices(x, k.d, s.d, p.d, dl.d, out_d, -std::numeric_limits<double>::infinity())) {
    const Tensor y = per_plane(slice, [&](const Tensor& planes) {
      return max_pool2d(planes, {k.h, k.w}, {s.h, s.w}, {p.h, p.w}, {dl.h, dl.w}, ceil_mode);
    }, false);
    best = best.defined() ? maximum(best, y) : y;
  }
  return unbatched_like(best, input);
}

Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_, IntArrayRef stride_, IntArrayRef padding_, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  const char* op = "avg_pool3d";
  const Tensor x = batched(input, op);
  const Triple k = triple(kernel_, op, "kernel_size"), s = triple(stride_, op, "stride", k), p = triple(padding_, op, "padding");
  EMBER_CHECK(k.d > 0 && s.d > 0 && 2 * p.d <= k.d, op, ": kernel and stride must be positive and padding at most half "
              "the kernel, got kernel ", kernel_, ", stride ", stride_, ", padding ", padding_);
  EMBER_CHECK(!divisor_override || *divisor_override != 0, op, ": divisor_override must be non-zero");
  const int64_t out_d = window_count(x.size(2), k.d, s.d, p.d, 1, ceil_mode);
  EMBER_CHECK(out_d > 0, op, ": input of shape ", input.sizes(), " is too small for kernel ", kernel_, " along depth");
  // Window sums: 2-D sums (divisor 1) over height and width, added over the depth offsets.
  Tensor sum;
  for (const Tensor& slice : depth_slices(x, k.d, s.d, p.d, 1, out_d, 0.0)) {
    const Tensor y = per_plane(slice, [&](const Tensor& planes) {
      return avg_pool2d(planes, {k.h, k.w}, {s.h, s.w}, {p.h, p.w}, ceil_mode, true, 1);
    }, false);
    sum = sum.defined() ? sum + y : y;
  }
  if (divisor_override) return unbatched_like(sum / static_cast<double>(*divisor_override), input);
  // Each window's divisor, a product over the three dimensions: its positions inside the input
  // (or, with count_include_pad, inside the padded input), as PyTorch counts them.
  auto counts = [&](int64_t size, int64_t kernel, int64_t stride, int64_t pad, int64_t out) {
    std::vector<double> c(static_cast<size_t>(out));
    for (int64_t o = 0; o < out; ++o) {
      const int64_t start = o * stride - pad, end = std::min(start + kernel, size + pad);
      c[static_cast<size_t>(o)] = static_cast<double>(count_include_pad ? end - start
                                                                        : std::min(end, size) - std::max<int64_t>(start, 0));
    }
    return tensor(c, {.dtype = sum.dtype(), .device = sum.device()});
  };
  const Tensor divisor = counts(x.size(2), k.d, s.d, p.d, out_d).view({-1, 1, 1}) *
                         counts(x.size(3), k.h, s.h, p.h, sum.size(3)).view({1, -1, 1}) *
                         counts(x.size(4), k.w, s.w, p.w, sum.size(4)).view({1, 1, -1});
  return unbatched_like(sum / divisor, input);
}

}  // namespace ember::nn::functional
