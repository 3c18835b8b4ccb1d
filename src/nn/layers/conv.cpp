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

}  // namespace

Conv2d::Conv2d(int64_t in, int64_t out, Size2 k, Conv2dOptions o) : Module("Conv2d"), options_(o) {
  check_channels(in, out, o.groups, "Conv2d");
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
  if (o.padding.mode) out << ", padding=" << (*o.padding.mode == Padding::same ? "same" : "valid");
  else if (o.padding.size.h || o.padding.size.w) out << ", padding=" << pair(o.padding.size);
  if (o.dilation.h != 1 || o.dilation.w != 1) out << ", dilation=" << pair(o.dilation);
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
  return out.str();
}

Conv1d::Conv1d(int64_t in, int64_t out, int64_t k, Conv1dOptions o) : Module("Conv1d"), options_(o) {
  check_channels(in, out, o.groups, "Conv1d");
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
  if (o.padding_mode) return F::conv1d(x, weight, bias, o.stride, *o.padding_mode, o.dilation, o.groups);
  return F::conv1d(x, weight, bias, o.stride, o.padding, o.dilation, o.groups);
}

std::string Conv1d::extra_repr() const {
  const Conv1dOptions& o = options_;
  std::ostringstream out;
  out << weight.size(1) * o.groups << ", " << weight.size(0) << ", kernel_size=(" << weight.size(2)
      << ",), stride=(" << o.stride << ",)";
  if (o.padding_mode) out << ", padding=" << (*o.padding_mode == Padding::same ? "same" : "valid");
  else if (o.padding) out << ", padding=(" << o.padding << ",)";
  if (o.dilation != 1) out << ", dilation=(" << o.dilation << ",)";
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!bias.defined()) out << ", bias=False";
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

}  // namespace ember::nn
