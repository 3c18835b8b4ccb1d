// Convolution and pooling layers: parameters, PyTorch's default
// initialization and printed form (the math is in F::).
#include <cmath>
#include <sstream>

#include "ember/creation.h"
#include "ember/nn/conv.h"
#include "ember/nn/init.h"

namespace ember::nn {
namespace {

std::string pair(const Size2& s) { return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")"; }

// kaiming_uniform_(a = sqrt(5)) for the weight; U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias.
void init_conv(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (!bias.defined()) return;
  const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  init::uniform_(bias, -bound, bound);
}

void check_channels(int64_t in, int64_t out, int64_t groups, const char* op) {
  EMBER_CHECK(in > 0 && out > 0 && groups > 0, op, ": channels and groups must be positive, got ", in, ", ", out,
              ", groups ", groups);
  EMBER_CHECK(in % groups == 0 && out % groups == 0, op, ": in_channels (", in, ") and out_channels (", out,
              ") must be divisible by groups (", groups, ")");
}

void check_padding_mode(const std::string& mode, const char* op) {
  EMBER_CHECK(mode == "zeros" || mode == "reflect" || mode == "replicate" || mode == "circular", op,
              ": padding_mode must be one of zeros, reflect, replicate, circular, got '", mode, "'");
}

// The (before, after) padding of one dim: same splits d (k - 1) with the odd one after, as PyTorch.
std::pair<int64_t, int64_t> dim_padding(const PaddingSpec& p, int64_t size, int64_t kernel, int64_t dilation) {
  if (!p.mode) return {size, size};
  if (*p.mode == Padding::valid) return {0, 0};
  const int64_t total = dilation * (kernel - 1);
  return {total / 2, total - total / 2};
}

std::string padding_text(const PaddingSpec& p, const std::string& explicit_sizes) {
  if (p.mode) return ", padding=" + std::string(*p.mode == Padding::same ? "same" : "valid");
  return explicit_sizes.empty() ? "" : ", padding=" + explicit_sizes;
}

}  // namespace

Conv2d::Conv2d(int64_t in, int64_t out, Size2 k, Conv2dOptions o) : Module("Conv2d"), options_(o) {
  check_channels(in, out, o.groups, "Conv2d");
  check_padding_mode(o.padding_mode, "Conv2d");
  weight = parameter(empty({out, in / o.groups, k.h, k.w}));
  if (o.bias) bias = parameter(empty({out}));
  init_conv(weight, bias);
}

void Conv2d::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

Tensor Conv2d::forward(const Tensor& x) {
  const Conv2dOptions& o = options_;
  if (o.padding_mode != "zeros") {  // pad with the input's own values, then convolve unpadded
    const auto [top, bottom] = dim_padding(o.padding, o.padding.size.h, weight.size(2), o.dilation.h);
    const auto [left, right] = dim_padding(o.padding, o.padding.size.w, weight.size(3), o.dilation.w);
    if (o.padding.mode == Padding::same)
      EMBER_CHECK(o.stride.h == 1 && o.stride.w == 1, "Conv2d: padding='same' is not supported for strided convolutions");
    return F::conv2d(F::pad(x, {left, right, top, bottom}, o.padding_mode), weight, bias, {o.stride.h, o.stride.w},
                     {0, 0}, {o.dilation.h, o.dilation.w}, o.groups);
  }
  if (o.padding.mode)
    return F::conv2d(x, weight, bias, {o.stride.h, o.stride.w}, *o.padding.mode, {o.dilation.h, o.dilation.w}, o.groups);
  return F::conv2d(x, weight, bias, {o.stride.h, o.stride.w}, {o.padding.size.h, o.padding.size.w},
                   {o.dilation.h, o.dilation.w}, o.groups);
}

std::string Conv2d::extra_repr() const {
  const Conv2dOptions& o = options_;
  std::ostringstream out;
  out << weight.size(1) * o.groups << ", " << weight.size(0) << ", kernel_size=" << pair({weight.size(2), weight.size(3)})
      << ", stride=" << pair(o.stride);
  out << padding_text(o.padding, o.padding.size.h || o.padding.size.w ? pair(o.padding.size) : "");
  if (o.dilation.h != 1 || o.dilation.w != 1) out << ", dilation=" << pair(o.dilation);
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
  if (o.padding_mode != "zeros") out << ", padding_mode=" << o.padding_mode;
  return out.str();
}

Conv3d::Conv3d(int64_t in, int64_t out, Size3 k, Conv3dOptions o) : Module("Conv3d"), options_(o) {
  check_channels(in, out, o.groups, "Conv3d");
  weight = parameter(empty({out, in / o.groups, k.d, k.h, k.w}));
  if (o.bias) bias = parameter(empty({out}));
  init_conv(weight, bias);
}

void Conv3d::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

Tensor Conv3d::forward(const Tensor& x) {
  const Conv3dOptions& o = options_;
  return F::conv3d(x, weight, bias, {o.stride.d, o.stride.h, o.stride.w}, {o.padding.d, o.padding.h, o.padding.w},
                   {o.dilation.d, o.dilation.h, o.dilation.w}, o.groups);
}

std::string Conv3d::extra_repr() const {
  const Conv3dOptions& o = options_;
  auto three = [](int64_t d, int64_t h, int64_t w) {
    return "(" + std::to_string(d) + ", " + std::to_string(h) + ", " + std::to_string(w) + ")";
  };
  std::ostringstream out;
  out << weight.size(1) * o.groups << ", " << weight.size(0) << ", kernel_size="
      << three(weight.size(2), weight.size(3), weight.size(4)) << ", stride=" << three(o.stride.d, o.stride.h, o.stride.w);
  if (o.padding.d || o.padding.h || o.padding.w) out << ", padding=" << three(o.padding.d, o.padding.h, o.padding.w);
  if (o.dilation.d != 1 || o.dilation.h != 1 || o.dilation.w != 1)
    out << ", dilation=" << three(o.dilation.d, o.dilation.h, o.dilation.w);
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
  return out.str();
}

Conv1d::Conv1d(int64_t in, int64_t out, int64_t k, Conv1dOptions o) : Module("Conv1d"), options_(o) {
  check_channels(in, out, o.groups, "Conv1d");
  check_padding_mode(o.padding_mode, "Conv1d");
  EMBER_CHECK(o.padding.size.h == o.padding.size.w, "Conv1d: padding takes one size, got (", o.padding.size.h, ", ",
              o.padding.size.w, ")");
  weight = parameter(empty({out, in / o.groups, k}));
  if (o.bias) bias = parameter(empty({out}));
  init_conv(weight, bias);
}

void Conv1d::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

Tensor Conv1d::forward(const Tensor& x) {
  const Conv1dOptions& o = options_;
  if (o.padding_mode != "zeros") {
    const auto [left, right] = dim_padding(o.padding, o.padding.size.w, weight.size(2), o.dilation);
    if (o.padding.mode == Padding::same)
      EMBER_CHECK(o.stride == 1, "Conv1d: padding='same' is not supported for strided convolutions");
    return F::conv1d(F::pad(x, {left, right}, o.padding_mode), weight, bias, o.stride, int64_t{0}, o.dilation,
                     o.groups);
  }
  if (o.padding.mode) return F::conv1d(x, weight, bias, o.stride, *o.padding.mode, o.dilation, o.groups);
  return F::conv1d(x, weight, bias, o.stride, o.padding.size.w, o.dilation, o.groups);
}

std::string Conv1d::extra_repr() const {
  const Conv1dOptions& o = options_;
  std::ostringstream out;
  out << weight.size(1) * o.groups << ", " << weight.size(0) << ", kernel_size=(" << weight.size(2)
      << ",), stride=(" << o.stride << ",)";
  out << padding_text(o.padding, o.padding.size.w ? "(" + std::to_string(o.padding.size.w) + ",)" : "");
  if (o.dilation != 1) out << ", dilation=(" << o.dilation << ",)";
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
  if (o.padding_mode != "zeros") out << ", padding_mode=" << o.padding_mode;
  return out.str();
}

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, Size2 k, ConvTranspose2dOptions o)
    : Module("ConvTranspose2d"), options_(o) {
  check_channels(in, out, o.groups, "ConvTranspose2d");
  weight = parameter(empty({in, out / o.groups, k.h, k.w}));
  if (o.bias) bias = parameter(empty({out}));
  init_conv(weight, bias);
}

void ConvTranspose2d::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  const ConvTranspose2dOptions& o = options_;
  return F::conv_transpose2d(x, weight, bias, {o.stride.h, o.stride.w}, {o.padding.h, o.padding.w},
                             {o.output_padding.h, o.output_padding.w}, o.groups, {o.dilation.h, o.dilation.w});
}

std::string ConvTranspose2d::extra_repr() const {
  const ConvTranspose2dOptions& o = options_;
  std::ostringstream out;
  out << weight.size(0) << ", " << weight.size(1) * o.groups << ", kernel_size="
      << pair({weight.size(2), weight.size(3)}) << ", stride=" << pair(o.stride);
  if (o.padding.h || o.padding.w) out << ", padding=" << pair(o.padding);
  if (o.output_padding.h || o.output_padding.w) out << ", output_padding=" << pair(o.output_padding);
  if (o.dilation.h != 1 || o.dilation.w != 1) out << ", dilation=" << pair(o.dilation);
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
  return out.str();
}

ConvTranspose1d::ConvTranspose1d(int64_t in, int64_t out, int64_t k, ConvTranspose1dOptions o)
    : Module("ConvTranspose1d"), options_(o) {
  check_channels(in, out, o.groups, "ConvTranspose1d");
  weight = parameter(empty({in, out / o.groups, k}));
  if (o.bias) bias = parameter(empty({out}));
  init_conv(weight, bias);
}

void ConvTranspose1d::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

Tensor ConvTranspose1d::forward(const Tensor& x) {
  const ConvTranspose1dOptions& o = options_;
  return F::conv_transpose1d(x, weight, bias, o.stride, o.padding, o.output_padding, o.groups, o.dilation);
}

std::string ConvTranspose1d::extra_repr() const {
  const ConvTranspose1dOptions& o = options_;
  const auto one = [](int64_t v) { return "(" + std::to_string(v) + ",)"; };
  std::ostringstream out;
  out << weight.size(0) << ", " << weight.size(1) * o.groups << ", kernel_size=" << one(weight.size(2))
      << ", stride=" << one(o.stride);
  if (o.padding) out << ", padding=" << one(o.padding);
  if (o.output_padding) out << ", output_padding=" << one(o.output_padding);
  if (o.dilation != 1) out << ", dilation=" << one(o.dilation);
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
  return out.str();
}

}  // namespace ember::nn
