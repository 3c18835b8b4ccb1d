// The normalization layers: parameters, buffers and the mode switches
// (the math is in F::batch_norm, F::instance_norm, F::group_norm, F::layer_norm).
#include <sstream>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/layers.h"

namespace ember::nn {

RunningStatsNorm::RunningStatsNorm(const char* type_name, int64_t num_features, double eps,
                                   std::optional<double> momentum, bool affine, bool track_running_stats)
    : Module(type_name),
      num_features_(num_features),
      eps_(eps),
      momentum_(momentum),
      affine_(affine),
      track_(track_running_stats) {
  EMBER_CHECK(num_features > 0, type_name, ": num_features must be positive, got ", num_features);
  if (affine) {
    weight = parameter(ones({num_features}));
    bias = parameter(zeros({num_features}));
  }
  if (track_running_stats) {
    running_mean = zeros({num_features});
    running_var = ones({num_features});
    num_batches_tracked = zeros({}, {.dtype = Dtype::int64});
  }
}

void RunningStatsNorm::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
  v.buffer("running_mean", running_mean);
  v.buffer("running_var", running_var);
  v.buffer("num_batches_tracked", num_batches_tracked);
}

void RunningStatsNorm::keep_features(const Tensor& index) {
  EMBER_CHECK(index.dim() == 1 && index.dtype() == kInt64 && index.numel() > 0, type_name(),
              ".keep_features: expected a non-empty 1-D int64 index, got shape ", index.sizes(), " ", index.dtype());
  NoGradGuard no_grad;
  if (weight.defined()) weight = parameter(weight.index_select(0, index));
  if (bias.defined()) bias = parameter(bias.index_select(0, index));
  if (running_mean.defined()) running_mean = running_mean.index_select(0, index);
  if (running_var.defined()) running_var = running_var.index_select(0, index);
  num_features_ = index.numel();
}

std::string RunningStatsNorm::extra_repr() const {
  std::ostringstream out;
  out << num_features_ << ", eps=" << eps_ << ", momentum=";
  if (momentum_) out << *momentum_;
  else out << "None";
  out << ", affine=" << (affine_ ? "True" : "False")
      << ", track_running_stats=" << (track_ ? "True" : "False");
  return out.str();
}

BatchNorm::BatchNorm(const char* type_name, int64_t dims_lo, int64_t dims_hi, int64_t num_features, double eps,
                     std::optional<double> momentum, bool affine, bool track_running_stats)
    : RunningStatsNorm(type_name, num_features, eps, momentum, affine, track_running_stats),
      dims_lo_(dims_lo),
      dims_hi_(dims_hi) {}

Tensor BatchNorm::forward(const Tensor& x) {
  EMBER_CHECK(x.dim() >= dims_lo_ && x.dim() <= dims_hi_, type_name(), ": expected a ", dims_lo_,
              dims_lo_ == dims_hi_ ? "" : " or " + std::to_string(dims_hi_), "-D input, got shape ", x.sizes());
  EMBER_CHECK(x.size(1) == num_features_, type_name(), ": expected ", num_features_, " channels (dim 1), got shape ",
              x.sizes());
  double momentum = momentum_.value_or(0.0);
  if (is_training() && track_) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    // momentum None: the running stats are the average over every batch so far
    // (the count is read from the buffer, as PyTorch does; meta has no count).
    if (!momentum_ && !num_batches_tracked.is_meta()) momentum = 1.0 / num_batches_tracked.item<double>();
  }
  // Without running statistics, batch statistics are used in eval too (as PyTorch).
  return F::batch_norm(x, running_mean, running_var, weight, bias, is_training() || !track_, momentum, eps_);
}


GroupNorm::GroupNorm(int64_t num_groups, int64_t num_channels, double eps, bool affine)
    : Module("GroupNorm"), groups_(num_groups), channels_(num_channels), eps_(eps) {
  EMBER_CHECK(num_groups > 0 && num_channels % num_groups == 0, "GroupNorm: num_channels (", num_channels,
              ") must be divisible by num_groups (", num_groups, ")");
  if (affine) {
    weight = parameter(ones({num_channels}));
    bias = parameter(zeros({num_channels}));
  }
}

void GroupNorm::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

std::string GroupNorm::extra_repr() const {
  std::ostringstream out;
  out << groups_ << ", " << channels_ << ", eps=" << eps_ << ", affine=" << (weight.defined() ? "True" : "False");
  return out.str();
}

InstanceNorm::InstanceNorm(const char* type_name, int64_t dims, int64_t num_features, double eps, double momentum,
                           bool affine, bool track_running_stats)
    : RunningStatsNorm(type_name, num_features, eps, momentum, affine, track_running_stats), dims_(dims) {}

Tensor InstanceNorm::forward(const Tensor& x_in) {
  EMBER_CHECK(x_in.dim() == dims_ || x_in.dim() == dims_ - 1, type_name(), ": expected a ", dims_ - 1, "-D or ",
              dims_, "-D input, got shape ", x_in.sizes());
  const Tensor x = x_in.dim() == dims_ ? x_in : x_in.unsqueeze(0);
  EMBER_CHECK(x.size(1) == num_features_, type_name(), ": expected ", num_features_, " channels, got shape ",
              x_in.sizes());
  // (num_batches_tracked is kept for state-dict compatibility; PyTorch never advances it here.)
  const bool use_input_stats = is_training() || !track_;
  const Tensor y = F::instance_norm(x, running_mean, running_var, weight, bias, use_input_stats, *momentum_, eps_);
  return x_in.dim() == dims_ ? y : y.squeeze(0);
}


std::string LocalResponseNorm::extra_repr() const {
  std::ostringstream out;
  out << size_ << ", alpha=" << alpha_ << ", beta=" << beta_ << ", k=" << k_;
  return out.str();
}

RMSNorm::RMSNorm(Shape normalized_shape, std::optional<double> eps, bool elementwise_affine)
    : Module("RMSNorm"), shape_(std::move(normalized_shape)), eps_(eps) {
  if (elementwise_affine) weight = parameter(ones(shape_));
}

void RMSNorm::visit(Visitor& v) { v.parameter("weight", weight); }

std::string RMSNorm::extra_repr() const {
  std::ostringstream out;
  out << "(";
  for (size_t i = 0; i < shape_.size(); ++i) out << (i ? ", " : "") << shape_[i];
  out << (shape_.size() == 1 ? ",)" : ")") << ", eps=";
  if (eps_) out << *eps_;
  else out << "None";
  out << ", elementwise_affine=" << (weight.defined() ? "True" : "False");
  return out.str();
}

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool elementwise_affine)
    : Module("LayerNorm"), shape_(std::move(normalized_shape)), eps_(eps) {
  if (elementwise_affine) {
    weight = parameter(ones(shape_));
    bias = parameter(zeros(shape_));
  }
}

void LayerNorm::visit(Visitor& v) {
  v.parameter("weight", weight);
  v.parameter("bias", bias);
}

std::string LayerNorm::extra_repr() const {
  std::ostringstream out;
  out << "(";
  for (size_t i = 0; i < shape_.size(); ++i) out << (i ? ", " : "") << shape_[i];
  out << (shape_.size() == 1 ? ",)" : ")") << ", eps=" << eps_
      << ", elementwise_affine=" << (weight.defined() ? "True" : "False");
  return out.str();
}

}  // namespace ember::nn
