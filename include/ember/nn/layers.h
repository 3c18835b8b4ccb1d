// The layers of nn: each a Module with PyTorch's constructor arguments,
// defaults, parameter names, shapes and default initialization.
#pragma once

#include <optional>
#include <string>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// ---- linear -------------------------------------------------------------------------
class Identity : public Module {
 public:
  Identity() : Module("Identity") {}
  Tensor forward(const Tensor& x) override { return x; }
};

// y = x W^T + b. weight (out, in) and bias (out) ~ U(-1/sqrt(in), 1/sqrt(in)).
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override { return F::linear(x, weight, bias); }
  std::string extra_repr() const override;
};

// y = x1^T W x2 + b. weight (out, in1, in2), bias (out) ~ U(-1/sqrt(in1), 1/sqrt(in1)).
class Bilinear : public Module {
 public:
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true);
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x1, const Tensor& x2) { return F::bilinear(x1, x2, weight, bias); }
  std::string extra_repr() const override;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : Module("Flatten"), start_dim_(start_dim), end_dim_(end_dim) {}
  Tensor forward(const Tensor& x) override { return x.flatten(start_dim_, end_dim_); }
  std::string extra_repr() const override;

 private:
  int64_t start_dim_, end_dim_;
};

class Unflatten : public Module {
 public:
  Unflatten(int64_t dim, Shape sizes) : Module("Unflatten"), dim_(dim), sizes_(std::move(sizes)) {}
  Tensor forward(const Tensor& x) override { return x.unflatten(dim_, sizes_); }
  std::string extra_repr() const override;

 private:
  int64_t dim_;
  Shape sizes_;
};

class PixelShuffle : public Module {
 public:
  explicit PixelShuffle(int64_t upscale_factor) : Module("PixelShuffle"), factor_(upscale_factor) {}
  Tensor forward(const Tensor& x) override { return F::pixel_shuffle(x, factor_); }
  std::string extra_repr() const override { return "upscale_factor=" + std::to_string(factor_); }

 private:
  int64_t factor_;
};

// F::interpolate as a layer: Upsample({.scale_factor = {2.0}, .mode = "bilinear"}).
class Upsample : public Module {
 public:
  explicit Upsample(F::InterpolateOptions options) : Upsample("Upsample", std::move(options)) {}
  Tensor forward(const Tensor& x) override { return F::interpolate(x, options_); }
  std::string extra_repr() const override;

 protected:
  Upsample(const char* type_name, F::InterpolateOptions options)
      : Module(type_name), options_(std::move(options)) {}
  static F::InterpolateOptions with_mode(F::InterpolateOptions o, const char* mode, std::optional<bool> corners) {
    o.mode = mode;
    o.align_corners = corners;
    return o;
  }

 private:
  F::InterpolateOptions options_;
};

// Upsample with mode nearest, and bilinear with align_corners = true (PyTorch's older names).
class UpsamplingNearest2d : public Upsample {
 public:
  explicit UpsamplingNearest2d(F::InterpolateOptions size_or_scale)
      : Upsample("UpsamplingNearest2d", with_mode(std::move(size_or_scale), "nearest", {})) {}
};

class UpsamplingBilinear2d : public Upsample {
 public:
  explicit UpsamplingBilinear2d(F::InterpolateOptions size_or_scale)
      : Upsample("UpsamplingBilinear2d", with_mode(std::move(size_or_scale), "bilinear", true)) {}
};

class PixelUnshuffle : public Module {
 public:
  explicit PixelUnshuffle(int64_t downscale_factor) : Module("PixelUnshuffle"), factor_(downscale_factor) {}
  Tensor forward(const Tensor& x) override { return F::pixel_unshuffle(x, factor_); }
  std::string extra_repr() const override { return "downscale_factor=" + std::to_string(factor_); }

 private:
  int64_t factor_;
};

// ---- activations (no parameters but PReLU) ------------------------------------------
// An activation without arguments: forward is the F:: function it holds.
class Activation : public Module {
 public:
  Activation(const char* type_name, Tensor (*fn)(const Tensor&)) : Module(type_name), fn_(fn) {}
  Tensor forward(const Tensor& x) override { return fn_(x); }

 private:
  Tensor (*fn_)(const Tensor&);
};
struct ReLU : Activation { ReLU() : Activation("ReLU", F::relu) {} };
struct ReLU6 : Activation { ReLU6() : Activation("ReLU6", F::relu6) {} };
struct SELU : Activation { SELU() : Activation("SELU", F::selu) {} };
struct SiLU : Activation { SiLU() : Activation("SiLU", F::silu) {} };
struct Mish : Activation { Mish() : Activation("Mish", F::mish) {} };
struct Hardswish : Activation { Hardswish() : Activation("Hardswish", F::hardswish) {} };
struct Hardsigmoid : Activation { Hardsigmoid() : Activation("Hardsigmoid", F::hardsigmoid) {} };
struct Sigmoid : Activation { Sigmoid() : Activation("Sigmoid", F::sigmoid) {} };
struct Tanh : Activation { Tanh() : Activation("Tanh", F::tanh) {} };

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : Module("LeakyReLU"), slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override { return F::leaky_relu(x, slope_); }
  std::string extra_repr() const override;

 private:
  double slope_;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : Module("ELU"), alpha_(alpha) {}
  Tensor forward(const Tensor& x) override { return F::elu(x, alpha_); }
  std::string extra_repr() const override;

 private:
  double alpha_;
};

class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none") : Module("GELU"), approximate_(std::move(approximate)) {}
  Tensor forward(const Tensor& x) override { return F::gelu(x, approximate_); }
  std::string extra_repr() const override;

 private:
  std::string approximate_;
};

class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0)
      : Module("Softplus"), beta_(beta), threshold_(threshold) {}
  Tensor forward(const Tensor& x) override { return F::softplus(x, beta_, threshold_); }
  std::string extra_repr() const override;

 private:
  double beta_, threshold_;
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : Module("Softmax"), dim_(dim) {}
  Tensor forward(const Tensor& x) override { return F::softmax(x, dim_); }
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : Module("LogSoftmax"), dim_(dim) {}
  Tensor forward(const Tensor& x) override { return F::log_softmax(x, dim_); }
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};

// weight (num_parameters) initialized to `init`.
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor weight;
  void visit(Visitor& v) override { v.parameter("weight", weight); }
  Tensor forward(const Tensor& x) override { return F::prelu(x, weight); }
  std::string extra_repr() const override;
};

// ---- dropout --------------------------------------------------------------------------
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x) override { return F::dropout(x, p_, is_training()); }
  std::string extra_repr() const override;

 private:
  double p_;
};

class Dropout2d : public Module {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(const Tensor& x) override { return F::dropout2d(x, p_, is_training()); }
  std::string extra_repr() const override;

 private:
  double p_;
};

// ---- normalization ------------------------------------------------------------------------
// What BatchNorm and InstanceNorm share: weight = 1 and bias = 0 (with affine),
// buffers running_mean = 0, running_var = 1, num_batches_tracked = 0 (with
// track_running_stats), and the printed form.
class RunningStatsNorm : public Module {
 public:
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  void visit(Visitor& v) override;
  std::string extra_repr() const override;
  // The running statistics' update rate (none: a cumulative average); optim::update_bn sets it.
  std::optional<double> momentum() const { return momentum_; }
  void set_momentum(std::optional<double> momentum) { momentum_ = momentum; }
  // Keeps the features at `index` (int64) of weight, bias and the running
  // statistics: the channels a structured prune leaves (nn/channel_prune.h).
  void keep_features(const Tensor& index);

 protected:
  RunningStatsNorm(const char* type_name, int64_t num_features, double eps, std::optional<double> momentum,
                   bool affine, bool track_running_stats);
  int64_t num_features_;
  double eps_;
  std::optional<double> momentum_;  // none: BatchNorm's running stats are the cumulative average
  bool affine_, track_;
};

// BatchNorm over (N, C) or (N, C, L) (1d) and (N, C, H, W) (2d).
class BatchNorm : public RunningStatsNorm {
 public:
  Tensor forward(const Tensor& x) override;

 protected:
  BatchNorm(const char* type_name, int64_t expected_dims_lo, int64_t expected_dims_hi, int64_t num_features,
            double eps, std::optional<double> momentum, bool affine, bool track_running_stats);

 private:
  int64_t dims_lo_, dims_hi_;
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm("BatchNorm1d", 2, 3, num_features, eps, momentum, affine, track_running_stats) {}
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm("BatchNorm2d", 4, 4, num_features, eps, momentum, affine, track_running_stats) {}
};

// weight = 1, bias = 0 of normalized_shape (with elementwise_affine).
// x / sqrt(mean(x^2) + eps) * weight over normalized_shape; weight = 1 (with elementwise_affine);
// eps defaults to the dtype's machine epsilon.
class RMSNorm : public Module {
 public:
  explicit RMSNorm(Shape normalized_shape, std::optional<double> eps = {}, bool elementwise_affine = true);
  Tensor weight;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override { return F::rms_norm(x, shape_, weight, eps_); }
  std::string extra_repr() const override;

 private:
  Shape shape_;
  std::optional<double> eps_;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override { return F::layer_norm(x, shape_, weight, bias, eps_); }
  std::string extra_repr() const override;

 private:
  Shape shape_;
  double eps_;
};

// num_groups groups over num_channels; weight = 1, bias = 0 (with affine).
class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor weight, bias;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x) override { return F::group_norm(x, groups_, weight, bias, eps_); }
  std::string extra_repr() const override;

 private:
  int64_t groups_, channels_;
  double eps_;
};

// InstanceNorm over (N, C, L) (1d) or (N, C, H, W) (2d); affine and running
// statistics off by default, as PyTorch.
class InstanceNorm : public RunningStatsNorm {
 public:
  Tensor forward(const Tensor& x) override;

 protected:
  InstanceNorm(const char* type_name, int64_t dims, int64_t num_features, double eps, double momentum, bool affine,
               bool track_running_stats);

 private:
  int64_t dims_;
};

class InstanceNorm1d : public InstanceNorm {
 public:
  explicit InstanceNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false,
                          bool track_running_stats = false)
      : InstanceNorm("InstanceNorm1d", 3, num_features, eps, momentum, affine, track_running_stats) {}
};

class InstanceNorm2d : public InstanceNorm {
 public:
  explicit InstanceNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false,
                          bool track_running_stats = false)
      : InstanceNorm("InstanceNorm2d", 4, num_features, eps, momentum, affine, track_running_stats) {}
};

class LocalResponseNorm : public Module {
 public:
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
      : Module("LocalResponseNorm"), size_(size), alpha_(alpha), beta_(beta), k_(k) {}
  Tensor forward(const Tensor& x) override { return F::local_response_norm(x, size_, alpha_, beta_, k_); }
  std::string extra_repr() const override;

 private:
  int64_t size_;
  double alpha_, beta_, k_;
};

// ---- embedding ---------------------------------------------------------------------------
// weight (num_embeddings, embedding_dim) ~ N(0, 1), the padding row zeroed.
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = {},
            std::optional<double> max_norm = {}, double norm_type = 2.0);
  Tensor weight;
  void visit(Visitor& v) override { v.parameter("weight", weight); }
  Tensor forward(const Tensor& indices) override {
    return F::embedding(indices, weight, padding_idx_, max_norm_, norm_type_);
  }
  std::string extra_repr() const override;

 private:
  std::optional<int64_t> padding_idx_;
  std::optional<double> max_norm_;
  double norm_type_;
};

}  // namespace ember::nn
