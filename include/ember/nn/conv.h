// Convolution and pooling layers. Options are structs with designated
// initializers; sizes take one number or an (h, w) pair:
//   nn::Conv2d conv(3, 16, 3, {.stride = 2, .padding = 1});
//   nn::Conv2d same(16, 16, {3, 5}, {.padding = nn::Padding::same, .bias = false});
//   nn::Conv1d wrap(4, 4, 3, {.padding = 1, .padding_mode = "circular"});
//   nn::MaxPool2d pool(2);
#pragma once

#include <optional>
#include <string>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// One size for both dims, or an (h, w) pair.
struct Size2 {
  Size2(int64_t both) : h(both), w(both) {}  // NOLINT: implicit by design
  Size2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  int64_t h, w;
};

// One size for depth, height and width, or three.
struct Size3 {
  Size3(int64_t all) : d(all), h(all), w(all) {}  // NOLINT: implicit by design
  Size3(int64_t d_, int64_t h_, int64_t w_) : d(d_), h(h_), w(w_) {}
  int64_t d, h, w;
};

// Explicit sizes, or Padding::same / Padding::valid.
struct PaddingSpec {
  PaddingSpec(int64_t both) : size(both) {}  // NOLINT: implicit by design
  PaddingSpec(int64_t h, int64_t w) : size(h, w) {}
  PaddingSpec(Padding m) : size(0), mode(m) {}  // NOLINT: implicit by design
  Size2 size;
  std::optional<Padding> mode;
};

// padding_mode: what the padding holds: "zeros", or the input's "reflect"ion,
// "replicate"d edge or "circular" wrap (as F::pad's modes).
struct Conv2dOptions {
  Size2 stride = 1;
  PaddingSpec padding = 0;
  Size2 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";
};

// weight (out, in/groups, kh, kw) and bias (out) ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// fan_in = in/groups * kh * kw (PyTorch's kaiming_uniform_ with a = sqrt(5)).
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Conv2dOptions options = {});
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  const Conv2dOptions& options() const { return options_; }

 private:
  Conv2dOptions options_;
};

struct Conv3dOptions {
  Size3 stride = 1;
  Size3 padding = 0;
  Size3 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

// Over (N, C, D, H, W): weight (out, in/groups, kd, kh, kw), bias (out), initialised as Conv2d's.
class Conv3d : public Module {
 public:
  Conv3d(int64_t in_channels, int64_t out_channels, Size3 kernel_size, Conv3dOptions options = {});
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  Conv3dOptions options_;
};

// padding: one size, or Padding::same / Padding::valid.
struct Conv1dOptions {
  int64_t stride = 1;
  PaddingSpec padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";
};

class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Conv1dOptions options = {});
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  Conv1dOptions options_;
};

struct ConvTranspose2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  Size2 dilation = 1;
};

// weight (in, out/groups, kh, kw).
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, ConvTranspose2dOptions options = {});
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  ConvTranspose2dOptions options_;
};

struct ConvTranspose1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  int64_t dilation = 1;
};

// weight (in, out/groups, k).
class ConvTranspose1d : public Module {
 public:
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose1dOptions options = {});
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  ConvTranspose1dOptions options_;
};

struct MaxPool2dOptions {
  std::optional<Size2> stride = {};  // default: the kernel size
  Size2 padding = 0;
  Size2 dilation = 1;
  bool ceil_mode = false;
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, MaxPool2dOptions options = {});
  Tensor forward(const Tensor& x) override;
  // {values, flat input indices}, as return_indices=True.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& x);
  std::string extra_repr() const override;

 private:
  Size2 kernel_;
  MaxPool2dOptions options_;
};

struct MaxPool1dOptions {
  std::optional<int64_t> stride = {};
  int64_t padding = 0;
  int64_t dilation = 1;
  bool ceil_mode = false;
};

class MaxPool1d : public Module {
 public:
  explicit MaxPool1d(int64_t kernel_size, MaxPool1dOptions options = {});
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  int64_t kernel_;
  MaxPool1dOptions options_;
};

struct MaxPool3dOptions {
  std::optional<Size3> stride = {};  // default: the kernel size
  Size3 padding = 0;
  Size3 dilation = 1;
  bool ceil_mode = false;
};

class MaxPool3d : public Module {
 public:
  explicit MaxPool3d(Size3 kernel_size, MaxPool3dOptions options = {}) : Module("MaxPool3d"), kernel_(kernel_size),
                                                                          options_(options) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  Size3 kernel_;
  MaxPool3dOptions options_;
};

struct AvgPool3dOptions {
  std::optional<Size3> stride = {};
  Size3 padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = {};
};

class AvgPool3d : public Module {
 public:
  explicit AvgPool3d(Size3 kernel_size, AvgPool3dOptions options = {}) : Module("AvgPool3d"), kernel_(kernel_size),
                                                                          options_(options) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  Size3 kernel_;
  AvgPool3dOptions options_;
};

struct AvgPool2dOptions {
  std::optional<Size2> stride = {};
  Size2 padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = {};  // divide every window's sum by this instead
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, AvgPool2dOptions options = {});
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  Size2 kernel_;
  AvgPool2dOptions options_;
};

struct AvgPool1dOptions {
  std::optional<int64_t> stride = {};
  int64_t padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
};

class AvgPool1d : public Module {
 public:
  explicit AvgPool1d(int64_t kernel_size, AvgPool1dOptions options = {});
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  int64_t kernel_;
  AvgPool1dOptions options_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size) : Module("AdaptiveAvgPool2d"), size_(output_size) {}
  Tensor forward(const Tensor& x) override { return F::adaptive_avg_pool2d(x, {size_.h, size_.w}); }
  std::string extra_repr() const override;

 private:
  Size2 size_;
};

class AdaptiveAvgPool1d : public Module {
 public:
  explicit AdaptiveAvgPool1d(int64_t output_size) : Module("AdaptiveAvgPool1d"), size_(output_size) {}
  Tensor forward(const Tensor& x) override { return F::adaptive_avg_pool1d(x, size_); }
  std::string extra_repr() const override { return "output_size=" + std::to_string(size_); }

 private:
  int64_t size_;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(Size2 output_size) : Module("AdaptiveMaxPool2d"), size_(output_size) {}
  Tensor forward(const Tensor& x) override { return F::adaptive_max_pool2d(x, {size_.h, size_.w}); }
  std::string extra_repr() const override;

 private:
  Size2 size_;
};

}  // namespace ember::nn
