// Pooling layers: options and printed form (the math is in F::).
#include <sstream>

#include "ember/nn/conv.h"

namespace ember::nn {
namespace {
// PyTorch prints a square size as one number and others as a pair.
std::string size(const Size2& s) {
  return s.h == s.w ? std::to_string(s.h) : "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}
std::string size3(const Size3& s) {
  if (s.d == s.h && s.h == s.w) return std::to_string(s.d);
  return "(" + std::to_string(s.d) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}
const char* py(bool b) { return b ? "True" : "False"; }
}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel, MaxPool2dOptions o) : Module("MaxPool2d"), kernel_(kernel), options_(o) {}

Tensor MaxPool2d::forward(const Tensor& x) { return forward_with_indices(x).first; }

std::pair<Tensor, Tensor> MaxPool2d::forward_with_indices(const Tensor& x) {
  const Size2 s = options_.stride.value_or(kernel_);
  return F::max_pool2d_with_indices(x, {kernel_.h, kernel_.w}, {s.h, s.w}, {options_.padding.h, options_.padding.w},
                                    {options_.dilation.h, options_.dilation.w}, options_.ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  std::ostringstream out;
  out << "kernel_size=" << size(kernel_) << ", stride=" << size(options_.stride.value_or(kernel_))
      << ", padding=" << size(options_.padding) << ", dilation=" << size(options_.dilation)
      << ", ceil_mode=" << py(options_.ceil_mode);
  return out.str();
}

Tensor MaxPool3d::forward(const Tensor& x) {
  const Size3 s = options_.stride.value_or(kernel_), &p = options_.padding, &d = options_.dilation;
  return F::max_pool3d(x, {kernel_.d, kernel_.h, kernel_.w}, {s.d, s.h, s.w}, {p.d, p.h, p.w}, {d.d, d.h, d.w},
                       options_.ceil_mode);
}

std::string MaxPool3d::extra_repr() const {
  std::ostringstream out;
  out << "kernel_size=" << size3(kernel_) << ", stride=" << size3(options_.stride.value_or(kernel_))
      << ", padding=" << size3(options_.padding) << ", dilation=" << size3(options_.dilation)
      << ", ceil_mode=" << py(options_.ceil_mode);
  return out.str();
}

Tensor AvgPool3d::forward(const Tensor& x) {
  const Size3 s = options_.stride.value_or(kernel_), &p = options_.padding;
  return F::avg_pool3d(x, {kernel_.d, kernel_.h, kernel_.w}, {s.d, s.h, s.w}, {p.d, p.h, p.w}, options_.ceil_mode,
                       options_.count_include_pad, options_.divisor_override);
}

std::string AvgPool3d::extra_repr() const {
  std::ostringstream out;
  out << "kernel_size=" << size3(kernel_) << ", stride=" << size3(options_.stride.value_or(kernel_))
      << ", padding=" << size3(options_.padding);
  return out.str();
}

MaxPool1d::MaxPool1d(int64_t kernel, MaxPool1dOptions o) : Module("MaxPool1d"), kernel_(kernel), options_(o) {}

Tensor MaxPool1d::forward(const Tensor& x) {
  return F::max_pool1d(x, kernel_, options_.stride, options_.padding, options_.dilation, options_.ceil_mode);
}

std::string MaxPool1d::extra_repr() const {
  std::ostringstream out;
  out << "kernel_size=" << kernel_ << ", stride=" << options_.stride.value_or(kernel_) << ", padding="
      << options_.padding << ", dilation=" << options_.dilation << ", ceil_mode=" << py(options_.ceil_mode);
  return out.str();
}

AvgPool2d::AvgPool2d(Size2 kernel, AvgPool2dOptions o) : Module("AvgPool2d"), kernel_(kernel), options_(o) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  const Size2 s = options_.stride.value_or(kernel_);
  return F::avg_pool2d(x, {kernel_.h, kernel_.w}, {s.h, s.w}, {options_.padding.h, options_.padding.w},
                       options_.ceil_mode, options_.count_include_pad, options_.divisor_override);
}

std::string AvgPool2d::extra_repr() const {
  std::ostringstream out;
  out << "kernel_size=" << size(kernel_) << ", stride=" << size(options_.stride.value_or(kernel_))
      << ", padding=" << size(options_.padding);
  return out.str();
}

AvgPool1d::AvgPool1d(int64_t kernel, AvgPool1dOptions o) : Module("AvgPool1d"), kernel_(kernel), options_(o) {}

Tensor AvgPool1d::forward(const Tensor& x) {
  return F::avg_pool1d(x, kernel_, options_.stride, options_.padding, options_.ceil_mode, options_.count_include_pad);
}

std::string AvgPool1d::extra_repr() const {
  std::ostringstream out;
  out << "kernel_size=(" << kernel_ << ",), stride=(" << options_.stride.value_or(kernel_) << ",), padding=("
      << options_.padding << ",)";
  return out.str();
}

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + size(size_); }
std::string AdaptiveMaxPool2d::extra_repr() const { return "output_size=" + size(size_); }

}  // namespace ember::nn
