// Pooling on im2col windows: max and average over each window's column;
// adaptive average as two small averaging matrices (out = Ph x Pw^T);
// adaptive max window by window. All differentiable through the ops used.
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {
namespace {

struct PoolShape {
  std::array<int64_t, 2> kernel, stride, pad, dilation, out;
};

// PyTorch's pooling output size, including its ceil_mode rule that the last
// window must start inside the (left-padded) input.
int64_t pool_out(int64_t size, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  int64_t out = (size + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0)) / s + 1;
  if (ceil_mode && (out - 1) * s >= size + p) --out;
  return out;
}

PoolShape pool_shape(const Tensor& x, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding,
                     IntArrayRef dilation, bool ceil_mode, const char* op) {
  EMBER_CHECK(kernel.size() == 2 && (stride.empty() || stride.size() == 2) && padding.size() == 2 &&
                  dilation.size() == 2,
              op, ": kernel, stride, padding and dilation must be (h, w) pairs (stride may be empty)");
  PoolShape s{};
  for (size_t i = 0; i < 2; ++i) {
    s.kernel[i] = kernel[i];
    s.stride[i] = stride.empty() ? kernel[i] : stride[i];
    s.pad[i] = padding[i];
    s.dilation[i] = dilation[i];
    EMBER_CHECK(s.kernel[i] > 0 && s.stride[i] > 0 && s.dilation[i] > 0, op, ": kernel ", kernel, ", stride ",
                stride, " and dilation ", dilation, " must be positive");
    EMBER_CHECK(s.pad[i] >= 0 && s.pad[i] <= s.kernel[i] / 2, op, ": padding ", padding,
                " must be non-negative and at most half the kernel ", kernel);
    s.out[i] = pool_out(x.size(2 + static_cast<int64_t>(i)), s.kernel[i], s.stride[i], s.pad[i], s.dilation[i],
                        ceil_mode);
    EMBER_CHECK(s.out[i] > 0, op, ": the output would be empty for input ", x.sizes(), " and kernel ", kernel);
  }
  return s;
}

Tensor batched(const Tensor& x, const char* op) {
  EMBER_CHECK(x.defined() && (x.dim() == 3 || x.dim() == 4), op, ": expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got ",
              x.defined() ? x.sizes() : IntArrayRef());
  return x.dim() == 3 ? x.unsqueeze(0) : x;
}

// Every window of every plane as a column: (N*C, kh*kw, L).
Tensor windows(const Tensor& x, const PoolShape& s, double pad_value) {
  auto ref = [](const std::array<int64_t, 2>& a) { return IntArrayRef(a.data(), 2); };
  return im2col(x.reshape({x.size(0) * x.size(1), 1, x.size(2), x.size(3)}), ref(s.kernel), ref(s.stride),
                ref(s.pad), ref(s.dilation), ref(s.out), pad_value);
}

Tensor unbatch(const Tensor& out, const Tensor& x_in) { return x_in.dim() == 3 ? out.squeeze(0) : out; }

// (Out, In): row i averages input cells [floor(i In / Out), ceil((i + 1) In / Out)).
Tensor averaging_matrix(int64_t out, int64_t in, Dtype dtype, Device device) {
  std::vector<double> m(static_cast<size_t>(out * in), 0.0);
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = (i * in) / out, end = ((i + 1) * in + out - 1) / out;
    for (int64_t j = start; j < end; ++j) m[static_cast<size_t>(i * in + j)] = 1.0 / static_cast<double>(end - start);
  }
  return from_buffer(m.data(), Dtype::float64, {out, in}, {.dtype = dtype, .device = device});
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x_in, IntArrayRef kernel, IntArrayRef stride,
                                                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  const Tensor x = batched(x_in, "max_pool2d");
  const PoolShape s = pool_shape(x, kernel, stride, padding, dilation, ceil_mode, "max_pool2d");
  auto [values, picked] = windows(x, s, -std::numeric_limits<double>::infinity()).max(1);  // (N*C, L)
  const int64_t N = x.size(0), C = x.size(1), W = x.size(3);
  // Flat input position of each maximum: row oh*stride - pad + (k / kw)*dilation, likewise columns.
  const TensorOptions on_x{.device = x.device()};
  const Tensor oh = arange(s.out[0], on_x).view({s.out[0], 1}).expand({s.out[0], s.out[1]}).reshape({-1});
  const Tensor ow = arange(s.out[1], on_x).view({1, s.out[1]}).expand({s.out[0], s.out[1]}).reshape({-1});
  const Tensor ki = div(picked, s.kernel[1]).floor().to(Dtype::int64), kj = picked - ki * s.kernel[1];
  const Tensor h = oh * s.stride[0] - s.pad[0] + ki * s.dilation[0];
  const Tensor w = ow * s.stride[1] - s.pad[1] + kj * s.dilation[1];
  Tensor out = values.view({N, C, s.out[0], s.out[1]});
  Tensor indices = (h * W + w).view({N, C, s.out[0], s.out[1]});
  return {unbatch(out, x_in), unbatch(indices, x_in)};
}

Tensor max_pool2d(const Tensor& x, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                  bool ceil_mode) {
  const Tensor xb = batched(x, "max_pool2d");
  const PoolShape s = pool_shape(xb, kernel, stride, padding, dilation, ceil_mode, "max_pool2d");
  const Tensor out = windows(xb, s, -std::numeric_limits<double>::infinity()).max(1).first;
  return unbatch(out.view({xb.size(0), xb.size(1), s.out[0], s.out[1]}), x);
}

Tensor max_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride, int64_t padding, int64_t dilation,
                  bool ceil_mode) {
  EMBER_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3), "max_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input");
  const int64_t st = stride.value_or(kernel);
  return max_pool2d(x.unsqueeze(-2), {1, kernel}, {1, st}, {0, padding}, {1, dilation}, ceil_mode).squeeze(-2);
}

// sum over the window / divisor; the divisor counts the window's cells inside
// the padded input (count_include_pad) or inside the input, as PyTorch.
Tensor avg_pool2d(const Tensor& x_in, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  const Tensor x = batched(x_in, "avg_pool2d");
  const PoolShape s = pool_shape(x, kernel, stride, padding, {1, 1}, ceil_mode, "avg_pool2d");
  EMBER_CHECK(!divisor_override || *divisor_override != 0, "avg_pool2d: divisor_override must not be zero");
  if (divisor_override) {
    const Tensor out = windows(x, s, 0.0).sum({1}) / static_cast<double>(*divisor_override);
    return unbatch(out.view({x.size(0), x.size(1), s.out[0], s.out[1]}), x_in);
  }
  const int64_t H = x.size(2), W = x.size(3);
  std::vector<double> divisor;
  for (int64_t oh = 0; oh < s.out[0]; ++oh)
    for (int64_t ow = 0; ow < s.out[1]; ++ow) {
      int64_t h0 = oh * s.stride[0] - s.pad[0], w0 = ow * s.stride[1] - s.pad[1];
      int64_t h1 = std::min(h0 + s.kernel[0], H + s.pad[0]), w1 = std::min(w0 + s.kernel[1], W + s.pad[1]);
      const int64_t with_pad = (h1 - h0) * (w1 - w0);
      h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0), h1 = std::min(h1, H), w1 = std::min(w1, W);
      divisor.push_back(static_cast<double>(count_include_pad ? with_pad : (h1 - h0) * (w1 - w0)));
    }
  const Tensor d = from_buffer(divisor.data(), Dtype::float64, {static_cast<int64_t>(divisor.size())},
                               {.dtype = x.dtype(), .device = x.device()});
  const Tensor out = windows(x, s, 0.0).sum({1}) / d;
  return unbatch(out.view({x.size(0), x.size(1), s.out[0], s.out[1]}), x_in);
}

Tensor avg_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride, int64_t padding, bool ceil_mode,
                  bool count_include_pad) {
  EMBER_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3), "avg_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input");
  const int64_t st = stride.value_or(kernel);
  return avg_pool2d(x.unsqueeze(-2), {1, kernel}, {1, st}, {0, padding}, ceil_mode, count_include_pad).squeeze(-2);
}

Tensor adaptive_avg_pool2d(const Tensor& x_in, IntArrayRef output_size) {
  const Tensor x = batched(x_in, "adaptive_avg_pool2d");
  EMBER_CHECK(output_size.size() == 2 && output_size[0] > 0 && output_size[1] > 0,
              "adaptive_avg_pool2d: output_size must be a positive (h, w) pair, got ", output_size);
  EMBER_CHECK(x.size(2) > 0 && x.size(3) > 0, "adaptive_avg_pool2d: empty input of shape ", x.sizes());
  const Tensor ph = averaging_matrix(output_size[0], x.size(2), x.dtype(), x.device());
  const Tensor pw = averaging_matrix(output_size[1], x.size(3), x.dtype(), x.device());
  return unbatch(matmul(matmul(ph, x), pw.t()), x_in);
}

Tensor adaptive_avg_pool1d(const Tensor& x, int64_t output_size) {
  EMBER_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3), "adaptive_avg_pool1d: expected a 2-D or 3-D input");
  return adaptive_avg_pool2d(x.unsqueeze(-2), {1, output_size}).squeeze(-2);
}

Tensor adaptive_max_pool2d(const Tensor& x_in, IntArrayRef output_size) {
  const Tensor x = batched(x_in, "adaptive_max_pool2d");
  EMBER_CHECK(output_size.size() == 2 && output_size[0] > 0 && output_size[1] > 0,
              "adaptive_max_pool2d: output_size must be a positive (h, w) pair, got ", output_size);
  const int64_t H = x.size(2), W = x.size(3), N = x.size(0), C = x.size(1);
  EMBER_CHECK(H > 0 && W > 0, "adaptive_max_pool2d: empty input of shape ", x.sizes());
  std::vector<Tensor> cells;
  for (int64_t i = 0; i < output_size[0]; ++i) {
    const int64_t h0 = (i * H) / output_size[0], h1 = ((i + 1) * H + output_size[0] - 1) / output_size[0];
    for (int64_t j = 0; j < output_size[1]; ++j) {
      const int64_t w0 = (j * W) / output_size[1], w1 = ((j + 1) * W + output_size[1] - 1) / output_size[1];
      cells.push_back(x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).reshape({N, C, -1}).max(2).first);
    }
  }
  return unbatch(stack(cells, 2).view({N, C, output_size[0], output_size[1]}), x_in);
}

}  // namespace ember::nn::functional
