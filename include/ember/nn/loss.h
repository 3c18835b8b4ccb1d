// Loss modules: each holds its options and calls the F:: function.
//   nn::CrossEntropyLoss criterion({.label_smoothing = 0.1});
//   Tensor loss = criterion(logits, labels);
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// Base of the losses: forward(input, target).
class Loss : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  Tensor forward(const Tensor&) override { detail::fail(type_name(), ": a loss takes (input, target)"); }
};

class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::mean) : Loss("MSELoss"), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override { return F::mse_loss(input, target, reduction_); }

 private:
  Reduction reduction_;
};

class L1Loss : public Loss {
 public:
  explicit L1Loss(Reduction reduction = Reduction::mean) : Loss("L1Loss"), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override { return F::l1_loss(input, target, reduction_); }

 private:
  Reduction reduction_;
};

class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(Reduction reduction = Reduction::mean, double beta = 1.0)
      : Loss("SmoothL1Loss"), reduction_(reduction), beta_(beta) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::smooth_l1_loss(input, target, reduction_, beta_);
  }

 private:
  Reduction reduction_;
  double beta_;
};

class HuberLoss : public Loss {
 public:
  explicit HuberLoss(Reduction reduction = Reduction::mean, double delta = 1.0)
      : Loss("HuberLoss"), reduction_(reduction), delta_(delta) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::huber_loss(input, target, reduction_, delta_);
  }

 private:
  Reduction reduction_;
  double delta_;
};

class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(F::CrossEntropyOptions options = {}) : Loss("CrossEntropyLoss"), options_(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::cross_entropy(input, target, options_);
  }

 private:
  F::CrossEntropyOptions options_;
};

class NLLLoss : public Loss {
 public:
  explicit NLLLoss(Tensor weight = {}, int64_t ignore_index = -100, Reduction reduction = Reduction::mean)
      : Loss("NLLLoss"), weight_(std::move(weight)), ignore_index_(ignore_index), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::nll_loss(input, target, weight_, ignore_index_, reduction_);
  }

 private:
  Tensor weight_;
  int64_t ignore_index_;
  Reduction reduction_;
};

class BCELoss : public Loss {
 public:
  explicit BCELoss(Tensor weight = {}, Reduction reduction = Reduction::mean)
      : Loss("BCELoss"), weight_(std::move(weight)), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::binary_cross_entropy(input, target, weight_, reduction_);
  }

 private:
  Tensor weight_;
  Reduction reduction_;
};

class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(Tensor weight = {}, Reduction reduction = Reduction::mean, Tensor pos_weight = {})
      : Loss("BCEWithLogitsLoss"), weight_(std::move(weight)), pos_weight_(std::move(pos_weight)), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::binary_cross_entropy_with_logits(input, target, weight_, pos_weight_, reduction_);
  }

 private:
  Tensor weight_, pos_weight_;
  Reduction reduction_;
};

class KLDivLoss : public Loss {
 public:
  explicit KLDivLoss(Reduction reduction = Reduction::mean, bool log_target = false, bool batchmean = false)
      : Loss("KLDivLoss"), reduction_(reduction), log_target_(log_target), batchmean_(batchmean) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::kl_div(input, target, reduction_, log_target_, batchmean_);
  }

 private:
  Reduction reduction_;
  bool log_target_, batchmean_;
};

class HingeEmbeddingLoss : public Loss {
 public:
  explicit HingeEmbeddingLoss(double margin = 1.0, Reduction reduction = Reduction::mean)
      : Loss("HingeEmbeddingLoss"), margin_(margin), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::hinge_embedding_loss(input, target, margin_, reduction_);
  }

 private:
  double margin_;
  Reduction reduction_;
};

class SoftMarginLoss : public Loss {
 public:
  explicit SoftMarginLoss(Reduction reduction = Reduction::mean) : Loss("SoftMarginLoss"), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::soft_margin_loss(input, target, reduction_);
  }

 private:
  Reduction reduction_;
};

class MultiMarginLoss : public Loss {
 public:
  explicit MultiMarginLoss(int64_t p = 1, double margin = 1.0, Tensor weight = {}, Reduction reduction = Reduction::mean)
      : Loss("MultiMarginLoss"), p_(p), margin_(margin), weight_(std::move(weight)), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::multi_margin_loss(input, target, p_, margin_, weight_, reduction_);
  }

 private:
  int64_t p_;
  double margin_;
  Tensor weight_;
  Reduction reduction_;
};

class MultiLabelMarginLoss : public Loss {
 public:
  explicit MultiLabelMarginLoss(Reduction reduction = Reduction::mean)
      : Loss("MultiLabelMarginLoss"), reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::multilabel_margin_loss(input, target, reduction_);
  }

 private:
  Reduction reduction_;
};

class PoissonNLLLoss : public Loss {
 public:
  explicit PoissonNLLLoss(F::PoissonNLLOptions options = {}) : Loss("PoissonNLLLoss"), options_(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override {
    return F::poisson_nll_loss(input, target, options_);
  }

 private:
  F::PoissonNLLOptions options_;
};

// forward(log_probs, targets, input_lengths, target_lengths): F::ctc_loss.
class CTCLoss : public Module {
 public:
  explicit CTCLoss(int64_t blank = 0, Reduction reduction = Reduction::mean, bool zero_infinity = false)
      : Module("CTCLoss"), blank_(blank), reduction_(reduction), zero_infinity_(zero_infinity) {}
  Tensor operator()(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                    const Tensor& target_lengths) {
    return F::ctc_loss(log_probs, targets, input_lengths, target_lengths, blank_, reduction_, zero_infinity_);
  }

 private:
  int64_t blank_;
  Reduction reduction_;
  bool zero_infinity_;
};

// forward(input, target, var): a Gaussian's negative log-likelihood with predicted variances.
class GaussianNLLLoss : public Module {
 public:
  explicit GaussianNLLLoss(bool full = false, double eps = 1e-6, Reduction reduction = Reduction::mean)
      : Module("GaussianNLLLoss"), full_(full), eps_(eps), reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target, const Tensor& var) {
    return F::gaussian_nll_loss(input, target, var, full_, eps_, reduction_);
  }

 private:
  bool full_;
  double eps_;
  Reduction reduction_;
};

// Losses on pairs or triples with a label: call forward with all of them.
class CosineEmbeddingLoss : public Module {
 public:
  explicit CosineEmbeddingLoss(double margin = 0.0, Reduction reduction = Reduction::mean)
      : Module("CosineEmbeddingLoss"), margin_(margin), reduction_(reduction) {}
  Tensor operator()(const Tensor& x1, const Tensor& x2, const Tensor& y) {
    return F::cosine_embedding_loss(x1, x2, y, margin_, reduction_);
  }

 private:
  double margin_;
  Reduction reduction_;
};

class MarginRankingLoss : public Module {
 public:
  explicit MarginRankingLoss(double margin = 0.0, Reduction reduction = Reduction::mean)
      : Module("MarginRankingLoss"), margin_(margin), reduction_(reduction) {}
  Tensor operator()(const Tensor& x1, const Tensor& x2, const Tensor& y) {
    return F::margin_ranking_loss(x1, x2, y, margin_, reduction_);
  }

 private:
  double margin_;
  Reduction reduction_;
};

class TripletMarginLoss : public Module {
 public:
  explicit TripletMarginLoss(double margin = 1.0, double p = 2.0, double eps = 1e-6, bool swap = false,
                             Reduction reduction = Reduction::mean)
      : Module("TripletMarginLoss"), margin_(margin), p_(p), eps_(eps), swap_(swap), reduction_(reduction) {}
  Tensor operator()(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
    return F::triplet_margin_loss(anchor, positive, negative, margin_, p_, eps_, swap_, reduction_);
  }

 private:
  double margin_, p_, eps_;
  bool swap_;
  Reduction reduction_;
};

}  // namespace ember::nn
