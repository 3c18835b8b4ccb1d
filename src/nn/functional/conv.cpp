// Convolutions: argument rules and output sizes here, the arithmetic in the
// `convolution` op (oneDNN's primitives for float32, im2col + GEMM otherwise).
// Transposed convolution is a matrix product followed by col2im; its
// gradients come from those ops, so they exist to any order.
#include <array>

#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {
namespace {

std::array<int64_t, 2> pair_of(IntArrayRef v, const char* what, const char* op) {
  EMBER_CHECK(v.size() == 2, op, ": ", what, " must be an (h, w) pair, got ", v);
  return {v[0], v[1]};
}

// A batch: (N, C, spatial...); an unbatched (C, spatial...) of `sample_dims` dims gets N = 1.
Tensor batched(const Tensor& x, int64_t sample_dims, const char* op) {
  EMBER_CHECK(x.defined(), op, ": input is undefined");
  EMBER_CHECK(x.dim() == sample_dims || x.dim() == sample_dims + 1, op, ": expected a ", sample_dims, "-D or ",
              sample_dims + 1, "-D input, got shape ", x.sizes());
  return x.dim() == sample_dims ? x.unsqueeze(0) : x;
}

// Convolution with explicit top/left padding and output size (bottom/right
// padding is implied by the output size).
Tensor conv2d_core(const Tensor& x_in, const Tensor& weight, const Tensor& bias, std::array<int64_t, 2> stride,
                   std::array<int64_t, 2> pad, std::array<int64_t, 2> dilation, int64_t groups,
                   std::optional<std::array<int64_t, 2>> out_size, const char* op) {
  const Tensor x = batched(x_in, 3, op);
  EMBER_CHECK(weight.defined() && weight.dim() == 4, op, ": weight must be 4-D (out, in/groups, kh, kw), got ",
              weight.defined() ? weight.sizes() : IntArrayRef());
  EMBER_CHECK(groups > 0, op, ": groups must be positive, got ", groups);
  const int64_t C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = weight.size(0), kh = weight.size(2), kw = weight.size(3);
  EMBER_CHECK(C == weight.size(1) * groups && O % groups == 0, op, ": input of shape ", x.sizes(), " (", C,
              " channels) does not fit weight of shape ", weight.sizes(), " with groups = ", groups,
              " (expected in/groups = ", C / groups, " and out divisible by groups)");
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == O), op, ": bias of shape ",
              bias.defined() ? bias.sizes() : IntArrayRef(), " must have one entry per output channel (", O, ")");
  const int64_t ho = out_size ? (*out_size)[0] : (H + 2 * pad[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
  const int64_t wo = out_size ? (*out_size)[1] : (W + 2 * pad[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
  EMBER_CHECK(ho > 0 && wo > 0, op, ": the kernel (", kh, "x", kw, ", dilation ", IntArrayRef({dilation[0], dilation[1]}),
              ") is larger than the padded input of shape ", x.sizes());
  const Tensor out = convolution(x, weight, bias, {stride[0], stride[1]}, {pad[0], pad[1]},
                                 {dilation[0], dilation[1]}, groups, {ho, wo});
  return x_in.dim() == 3 ? out.squeeze(0) : out;
}

std::array<int64_t, 2> same_padding_top(IntArrayRef stride, const Tensor& w, IntArrayRef dilation, const char* op) {
  EMBER_CHECK(stride.size() == 2 && stride[0] == 1 && stride[1] == 1, op,
              ": padding='same' is not supported for strided convolutions (stride ", stride, ")");
  return {dilation[0] * (w.size(2) - 1) / 2, dilation[1] * (w.size(3) - 1) / 2};
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  const auto s = pair_of(stride, "stride", "conv2d"), p = pair_of(padding, "padding", "conv2d"),
             d = pair_of(dilation, "dilation", "conv2d");
  EMBER_CHECK(s[0] > 0 && s[1] > 0 && d[0] > 0 && d[1] > 0 && p[0] >= 0 && p[1] >= 0, "conv2d: stride ", stride,
              " and dilation ", dilation, " must be positive and padding ", padding, " non-negative");
  return conv2d_core(x, weight, bias, s, p, d, groups, std::nullopt, "conv2d");
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, IntArrayRef stride, Padding padding,
              IntArrayRef dilation, int64_t groups) {
  if (padding == Padding::valid) return conv2d(x, weight, bias, stride, IntArrayRef({0, 0}), dilation, groups);
  const auto d = pair_of(dilation, "dilation", "conv2d");
  const Tensor xb = batched(x, 3, "conv2d");
  const auto top = same_padding_top(stride, weight, dilation, "conv2d");
  const Tensor out = conv2d_core(xb, weight, bias, {1, 1}, top, d, groups,
                                 std::array<int64_t, 2>{xb.size(2), xb.size(3)}, "conv2d");
  return x.dim() == 3 ? out.squeeze(0) : out;
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
              int64_t dilation, int64_t groups) {
  const Tensor xb = batched(x, 2, "conv1d");
  EMBER_CHECK(weight.defined() && weight.dim() == 3, "conv1d: weight must be 3-D (out, in/groups, k), got ",
              weight.defined() ? weight.sizes() : IntArrayRef());
  const Tensor out = conv2d_core(xb.unsqueeze(2), weight.unsqueeze(2), bias, {1, stride}, {0, padding}, {1, dilation},
                                 groups, std::nullopt, "conv1d")
                         .squeeze(2);
  return x.dim() == 2 ? out.squeeze(0) : out;
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, Padding padding,
              int64_t dilation, int64_t groups) {
  if (padding == Padding::valid) return conv1d(x, weight, bias, stride, int64_t{0}, dilation, groups);
  EMBER_CHECK(stride == 1, "conv1d: padding='same' is not supported for strided convolutions (stride ", stride, ")");
  const Tensor xb = batched(x, 2, "conv1d");
  EMBER_CHECK(weight.defined() && weight.dim() == 3, "conv1d: weight must be 3-D (out, in/groups, k), got ",
              weight.defined() ? weight.sizes() : IntArrayRef());
  const Tensor out = conv2d_core(xb.unsqueeze(2), weight.unsqueeze(2), bias, {1, 1}, {0, dilation * (weight.size(2) - 1) / 2},
                                 {1, dilation}, groups, std::array<int64_t, 2>{1, xb.size(2)}, "conv1d")
                         .squeeze(2);
  return x.dim() == 2 ? out.squeeze(0) : out;
}

// out = col2im(W^T x): every input pixel spreads its filter-weighted values over a window.
Tensor conv_transpose2d(const Tensor& x_in, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  const char* op = "conv_transpose2d";
  const Tensor x = batched(x_in, 3, op);
  const auto s = pair_of(stride, "stride", op), p = pair_of(padding, "padding", op),
             op_pad = pair_of(output_padding, "output_padding", op), d = pair_of(dilation, "dilation", op);
  EMBER_CHECK(weight.defined() && weight.dim() == 4, op, ": weight must be 4-D (in, out/groups, kh, kw), got ",
              weight.defined() ? weight.sizes() : IntArrayRef());
  EMBER_CHECK(groups > 0 && x.size(1) == weight.size(0) && weight.size(0) % groups == 0, op, ": input of shape ",
              x.sizes(), " does not fit weight of shape ", weight.sizes(), " with groups = ", groups);
  EMBER_CHECK(op_pad[0] >= 0 && op_pad[1] >= 0 && (op_pad[0] < s[0] || op_pad[0] < d[0]) &&
                  (op_pad[1] < s[1] || op_pad[1] < d[1]),
              op, ": output_padding ", output_padding, " must be smaller than either stride or dilation");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = weight.size(1) * groups, kh = weight.size(2), kw = weight.size(3);
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == O), op, ": bias of shape ",
              bias.defined() ? bias.sizes() : IntArrayRef(), " must have one entry per output channel (", O, ")");
  const int64_t ho = (H - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op_pad[0] + 1;
  const int64_t wo = (W - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op_pad[1] + 1;
  EMBER_CHECK(ho > 0 && wo > 0, op, ": output size (", ho, ", ", wo, ") is not positive");
  // cols (N, G, O/G*kh*kw, H*W) = W_g^T (O/G*kh*kw, C/G) @ x_g (C/G, H*W)
  const Tensor wt = weight.reshape({groups, C / groups, -1}).transpose(1, 2);
  const Tensor cols = matmul(wt, x.reshape({N, groups, C / groups, H * W})).reshape({N, O * kh * kw, H * W});
  Tensor out = col2im(cols, {ho, wo}, {kh, kw}, {s[0], s[1]}, {p[0], p[1]}, {d[0], d[1]}, {H, W});
  if (bias.defined()) out = out + bias.view({1, O, 1, 1});
  return x_in.dim() == 3 ? out.squeeze(0) : out;
}

// A transposed 2-D convolution over a height of 1.
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
                        int64_t output_padding, int64_t groups, int64_t dilation) {
  const char* op = "conv_transpose1d";
  const Tensor xb = batched(x, 2, op);
  EMBER_CHECK(weight.defined() && weight.dim() == 3, op, ": weight must be 3-D (in, out/groups, k), got ",
              weight.defined() ? weight.sizes() : IntArrayRef());
  const Tensor out = conv_transpose2d(xb.unsqueeze(2), weight.unsqueeze(2), bias, {1, stride}, {0, padding},
                                      {0, output_padding}, groups, {1, dilation})
                         .squeeze(2);
  return x.dim() == 2 ? out.squeeze(0) : out;
}

}  // namespace ember::nn::functional
