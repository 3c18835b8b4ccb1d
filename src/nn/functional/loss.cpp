// Loss functions, composed of differentiable ops (binary_cross_entropy has
// PyTorch's own gradient rule). Each names itself in its errors and follows
// PyTorch's formulas, defaults and reductions.
#include <cmath>
#include <limits>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "ember/warning.h"
#include "graph/record.h"

namespace ember::nn::functional {
namespace {

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::none: return loss;
    case Reduction::sum: return loss.sum();
    case Reduction::mean: return loss.mean();
  }
  return loss;
}

void check_same_shape(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK(input.defined() && target.defined(), op, ": input and target must be defined");
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": target shape ", target.sizes(), " must equal input shape ",
              input.sizes());
}

// The regression losses broadcast a target of another shape, as PyTorch does,
// with PyTorch's warning: it is nearly always a (N) target for a (N, 1) output.
void check_broadcast_target(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK(input.defined() && target.defined(), op, ": input and target must be defined");
  if (input.sizes() == target.sizes()) return;
  broadcast_shapes(input.sizes(), target.sizes(), op);  // the error when they do not broadcast
  warn(detail::concat(op, ": using a target size (", target.sizes(), ") that is different to the input size (",
                      input.sizes(), "). This will likely lead to incorrect results due to broadcasting. ",
                      "Please ensure they have the same size."));
}

// Class dim 1 of (N, C, d...) input; a (C) input is a single sample.
void check_class_target(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK(input.dim() >= 1, op, ": input must have a class dim, got a 0-dim tensor");
  EMBER_CHECK(!is_floating(target.dtype()) && target.dtype() != Dtype::boolean, op,
              ": class-index targets must be integers, got ", dtype_name(target.dtype()));
  Shape expected = input.sizes().shape();
  expected.erase(input.dim() == 1 ? 0 : 1);
  EMBER_CHECK(target.sizes() == IntArrayRef(expected), op, ": input of shape ", input.sizes(),
              " needs a target of shape ", expected, ", got ", target.sizes());
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_broadcast_target(input, target, "mse_loss");
  return reduce((input - target).square(), reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_broadcast_target(input, target, "l1_loss");
  return reduce(abs(input - target), reduction);
}

// 0.5 d^2 / beta where d = |x - y| < beta, else d - 0.5 beta
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  check_broadcast_target(input, target, "smooth_l1_loss");
  EMBER_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got ", beta);
  const Tensor d = abs(input - target);
  if (beta == 0) return reduce(d, reduction);
  return reduce(where(lt(d, beta), d.square() * (0.5 / beta), d - 0.5 * beta), reduction);
}

// 0.5 d^2 where d < delta, else delta (d - 0.5 delta)
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  check_broadcast_target(input, target, "huber_loss");
  EMBER_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  const Tensor d = abs(input - target);
  return reduce(where(lt(d, delta), d.square() * 0.5, (d - 0.5 * delta) * delta), reduction);
}

// loss_i = -w[y_i] logp[i, y_i]; mean divides by the sum of the weights used.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                Reduction reduction) {
  check_class_target(input, target, "nll_loss");
  const bool single = input.dim() == 1;
  const Tensor logp = single ? input.unsqueeze(0) : input;
  const Tensor y = (single ? target.unsqueeze(0) : target).to(Dtype::int64);
  const int64_t classes = logp.size(1);
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.size(0) == classes), "nll_loss: weight of shape ",
              weight.defined() ? weight.sizes() : IntArrayRef(), " must have one entry per class (", classes, ")");
  const Tensor kept = ne(y, ignore_index);
  const Tensor safe_y = where(kept, y, zeros_like(y));
  if (safe_y.numel() > 0 && !safe_y.is_meta()) {
    const int64_t lo = safe_y.min().item<int64_t>(), hi = safe_y.max().item<int64_t>();
    EMBER_CHECK(lo >= 0 && hi < classes, "nll_loss: target ", lo < 0 ? lo : hi, " is out of bounds for ", classes,
                " classes");
  }
  const Tensor picked = logp.gather(1, safe_y.unsqueeze(1)).squeeze(1);
  Tensor w = kept.to(logp.dtype());
  if (weight.defined()) w = w * index_select(weight, 0, safe_y.reshape({-1})).view(safe_y.sizes());
  if (reduction == Reduction::mean) {
    // As PyTorch: each term scaled by w / sum(w), so targets that are all
    // ignored give a NaN loss (0 / 0) but zero gradients, not NaN ones.
    const Tensor total = w.sum();
    const Tensor share = where(kept, w / total, zeros_like(w));
    const Tensor nan_when_empty = where(eq(total, 0), total * std::numeric_limits<double>::quiet_NaN(), 0.0).detach();
    return (-picked * share).sum() + nan_when_empty;
  }
  Tensor loss = -picked * w;
  if (single && reduction == Reduction::none) loss = loss.squeeze(0);
  return reduce(loss, reduction);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o) {
  EMBER_CHECK(input.defined() && target.defined(), "cross_entropy: input and target must be defined");
  EMBER_CHECK(o.label_smoothing >= 0 && o.label_smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got ",
              o.label_smoothing);
  EMBER_CHECK(input.dim() >= 1, "cross_entropy: input must have a class dim, got a 0-dim tensor");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t classes = input.size(class_dim);
  const Tensor logp = log_softmax(input, class_dim);
  Tensor w;  // class weights broadcast along the class dim
  if (o.weight.defined()) {
    EMBER_CHECK(o.weight.dim() == 1 && o.weight.size(0) == classes, "cross_entropy: weight of shape ", o.weight.sizes(),
                " must have one entry per class (", classes, ")");
    Shape shape(static_cast<size_t>(input.dim()), 1);
    shape[static_cast<size_t>(class_dim)] = classes;
    w = o.weight.view(shape);
  }
  const double eps = o.label_smoothing;
  if (is_floating(target.dtype())) {  // class probabilities
    check_same_shape(input, target, "cross_entropy");
    const Tensor t = eps > 0 ? target * (1 - eps) + eps / static_cast<double>(classes) : target;
    const Tensor terms = w.defined() ? logp * t * w : logp * t;
    const Tensor loss = -terms.sum({class_dim});
    if (o.reduction == Reduction::mean) return loss.sum() / static_cast<double>(input.numel() / classes);
    return reduce(loss, o.reduction);
  }
  const Tensor nll = nll_loss(logp, target, o.weight, o.ignore_index, o.reduction);
  if (eps == 0) return nll;
  // Label smoothing: mix in the (weighted) mean of -logp over the classes.
  const Tensor ignored = eq(target, o.ignore_index);
  const Tensor smooth = (w.defined() ? -(logp * w) : -logp).sum({class_dim}).masked_fill(ignored, 0);
  Tensor spread;
  if (o.reduction == Reduction::none) {
    spread = smooth;
  } else if (o.reduction == Reduction::sum) {
    spread = smooth.sum();
  } else if (o.weight.defined()) {
    const Tensor kept_targets = masked_select(target.to(Dtype::int64), ignored.logical_not());
    spread = smooth.sum() / index_select(o.weight, 0, kept_targets).sum();
  } else {
    spread = smooth.sum() / ignored.logical_not().sum().to(smooth.dtype());
  }
  return nll * (1 - eps) + spread * (eps / static_cast<double>(classes));
}

// -w (y log p + (1 - y) log(1 - p)), each log clamped at -100. The gradient is
// PyTorch's rule, not the derivative of the clamped formula (which is 0 * inf,
// NaN, at p = 0 and 1): dp = w (p - y) / max(p (1 - p), 1e-12) and
// dy = -w logit(p) = w (log(1 - p) - log p), unclamped (infinite at 0 and 1).
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction) {
  EMBER_CHECK(input.defined() && target.defined(), "binary_cross_entropy: input and target must be defined");
  EMBER_CHECK(input.sizes() == target.sizes(), "binary_cross_entropy: using a target size (", target.sizes(),
              ") that is different to the input size (", input.sizes(),
              ") is deprecated. Please ensure they have the same size.");
  EMBER_CHECK(!(weight.defined() && weight.requires_grad() && is_grad_enabled()),
              "binary_cross_entropy: weight requires grad, but its gradient is not defined (as in PyTorch)");
  Tensor loss;
  {
    NoGradGuard no_grad;
    loss = -(target * clamp(log(input), -100.0) + (1 - target) * clamp(log(1 - input), -100.0));
    if (weight.defined()) loss = loss * weight;
  }
  const bool need_target = autograd::requires_grad(target);
  loss = autograd::record(
      "binary_cross_entropy", loss, {input, target},
      [p = autograd::Saved::input(input), y = autograd::Saved::input(target), weight, need_target](const Tensor& g) {
        const Tensor pv = p.get(), yv = y.get();
        const Tensor gw = weight.defined() ? g * weight : g;
        const Tensor dp = gw * (pv - yv) / clamp(pv * (1 - pv), 1e-12);
        const Tensor dy = need_target ? gw * (log(1 - pv) - log(pv)) : Tensor();
        return autograd::Grads{dp, dy};
      });
  return reduce(loss, reduction);
}

// (1 - y) x + (1 + (pw - 1) y) log(1 + e^-x), with log(1 + e^-x) = log(e^-m + e^(-x-m)) + m, m = max(-x, 0)
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const Tensor& pos_weight, Reduction reduction) {
  EMBER_CHECK(input.defined() && target.defined(), "binary_cross_entropy_with_logits: input and target must be defined");
  EMBER_CHECK(input.sizes() == target.sizes(), "binary_cross_entropy_with_logits: target size (", target.sizes(),
              ") must be the same as input size (", input.sizes(), ")");
  const Tensor m = clamp(-input, 0.0);
  const Tensor softplus_neg = log(exp(-m) + exp(-input - m)) + m;
  Tensor loss = pos_weight.defined() ? (1 - target) * input + ((pos_weight - 1) * target + 1) * softplus_neg
                                     : (1 - target) * input + softplus_neg;
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

// target (log target - input), 0 where target = 0; log_target: e^t (t - input)
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction, bool log_target, bool batchmean) {
  EMBER_CHECK(input.defined() && target.defined(), "kl_div: input and target must be defined");
  broadcast_shapes(input.sizes(), target.sizes(), "kl_div");  // PyTorch broadcasts without a warning
  Tensor loss;
  if (log_target) {
    loss = exp(target) * (target - input);
  } else {
    const Tensor positive = gt(target, 0);
    const Tensor safe = where(positive, target, ones_like(target));
    loss = where(positive, target * log(safe), zeros_like(target)) - target * input;
  }
  if (batchmean) return loss.sum() / static_cast<double>(input.dim() > 0 ? input.size(0) : 1);
  return reduce(loss, reduction);
}

// 1 - cos(x1, x2) for y = 1; max(0, cos - margin) for y = -1
Tensor cosine_embedding_loss(const Tensor& x1, const Tensor& x2, const Tensor& target, double margin,
                             Reduction reduction) {
  check_same_shape(x1, x2, "cosine_embedding_loss");
  constexpr double kEps = 1e-12;
  const int64_t d = x1.dim() - 1;
  const Tensor dot = (x1 * x2).sum({d});
  const Tensor cos = dot / sqrt((x1.square().sum({d}) + kEps) * (x2.square().sum({d}) + kEps));
  const Tensor loss = where(eq(target, 1), 1 - cos, clamp(cos - margin, 0.0));
  return reduce(where(eq(target, 0), zeros_like(loss), loss), reduction);
}

// max(0, -y (x1 - x2) + margin)
Tensor margin_ranking_loss(const Tensor& x1, const Tensor& x2, const Tensor& target, double margin,
                           Reduction reduction) {
  return reduce(clamp(-target * (x1 - x2) + margin, 0.0), reduction);
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps) {
  return norm(x1 - x2 + eps, p, {-1});
}

// max(d(a, p) - d(a, n) + margin, 0); swap: d(a, n) becomes min(d(a, n), d(p, n))
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, Reduction reduction) {
  EMBER_CHECK(anchor.sizes() == positive.sizes() && anchor.sizes() == negative.sizes(),
              "triplet_margin_loss: anchor ", anchor.sizes(), ", positive ", positive.sizes(), " and negative ",
              negative.sizes(), " must have one shape");
  const Tensor d_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps));
  return reduce(clamp(d_pos - d_neg + margin, 0.0), reduction);
}

// max(0, margin - x) where y != 1, plus x where y != -1: PyTorch's two terms,
// so a label other than +-1 gets both.
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin, Reduction reduction) {
  EMBER_CHECK(input.defined() && target.defined(), "hinge_embedding_loss: input and target must be defined");
  broadcast_shapes(input.sizes(), target.sizes(), "hinge_embedding_loss");
  const Tensor below_margin = where(ne(target, 1), clamp(margin - input, 0.0), 0.0);
  return reduce(below_margin + where(ne(target, -1), input, 0.0), reduction);
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape(input, target, "soft_margin_loss");
  return reduce(log1p(exp(-input * target)), reduction);
}

namespace {

// A (C) or (N, C) input of the margin losses, as (N, C).
Tensor as_batch_of_scores(const Tensor& input, const char* op) {
  EMBER_CHECK(input.defined(), op, ": input must be defined");
  EMBER_CHECK((input.dim() == 1 || input.dim() == 2) && input.numel() > 0, op,
              ": expected a non-empty (C) or (N, C) input, got shape ", input.sizes());
  EMBER_CHECK(is_floating(input.dtype()), op, ": input must be floating point, got ", dtype_name(input.dtype()));
  return input.dim() == 1 ? input.unsqueeze(0) : input;
}

void check_index_target(const Tensor& target, const char* op) {
  EMBER_CHECK(target.defined(), op, ": target must be defined");
  EMBER_CHECK(!is_floating(target.dtype()) && target.dtype() != Dtype::boolean, op,
              ": targets must be class indices (integers), got ", dtype_name(target.dtype()));
}

// Every entry of `t` in [lo, hi), checked where values exist (not on meta).
void check_range(const Tensor& t, int64_t lo, int64_t hi, const char* op, const char* what) {
  if (t.numel() == 0 || t.is_meta()) return;
  const int64_t least = t.min().item<int64_t>(), most = t.max().item<int64_t>();
  EMBER_CHECK(least >= lo && most < hi, op, ": ", what, " ", least < lo ? least : most, " is out of range [", lo,
              ", ", hi, ")");
}

Tensor reduce_per_sample(const Tensor& loss, Reduction reduction, bool one_sample) {
  if (reduction == Reduction::none && one_sample) return loss.squeeze(0);
  return reduce(loss, reduction);
}

}  // namespace

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p, double margin, const Tensor& weight,
                         Reduction reduction) {
  const Tensor x = as_batch_of_scores(input, "multi_margin_loss");
  check_index_target(target, "multi_margin_loss");
  EMBER_CHECK(p == 1 || p == 2, "multi_margin_loss: only p == 1 and p == 2 are supported, got p = ", p);
  const int64_t n = x.size(0), classes = x.size(1);
  EMBER_CHECK(target.dim() <= 1 && target.numel() == n, "multi_margin_loss: input of shape ", input.sizes(),
              " needs one target per sample (", n, "), got shape ", target.sizes());
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.size(0) == classes), "multi_margin_loss: weight of shape ",
              weight.defined() ? weight.sizes() : IntArrayRef(), " must have one entry per class (", classes, ")");
  const Tensor y = target.reshape({n, 1}).to(Dtype::int64);
  check_range(y, 0, classes, "multi_margin_loss", "target");
  const Tensor others = ne(arange(classes, {.dtype = Dtype::int64, .device = x.device()}).view({1, classes}), y);
  const Tensor z = clamp(margin - x.gather(1, y) + x, 0.0);
  Tensor terms = where(others, p == 1 ? z : z.square(), 0.0);
  if (weight.defined()) terms = terms * index_select(weight, 0, y.view({n})).view({n, 1});
  const Tensor loss = terms.sum({1}) / static_cast<double>(classes);
  return reduce_per_sample(loss, reduction, target.dim() == 0);
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const Tensor x = as_batch_of_scores(input, "multilabel_margin_loss");
  check_index_target(target, "multilabel_margin_loss");
  const int64_t n = x.size(0), classes = x.size(1);
  const bool one_sample = input.dim() == 1;
  EMBER_CHECK(one_sample ? target.dim() == 1 && target.size(0) == classes : target.sizes() == input.sizes(),
              "multilabel_margin_loss: input of shape ", input.sizes(), " needs a target of the same shape, got ",
              target.sizes());
  const Tensor t = target.reshape({n, classes}).to(Dtype::int64);
  check_range(t, -1, classes, "multilabel_margin_loss", "target");
  // A sample's labels are its entries before the first -1 (duplicates count twice, as PyTorch's).
  const Tensor is_label_entry = eq(lt(t, 0).to(Dtype::int64).cumsum(1), 0);  // (N, C) over entries
  const Tensor label = where(is_label_entry, t, 0);
  const Tensor class_ids = arange(classes, {.dtype = Dtype::int64, .device = x.device()}).view({1, 1, classes});
  const Tensor is_label_class =
      logical_and(eq(label.unsqueeze(2), class_ids), is_label_entry.unsqueeze(2)).any(1);  // (N, C) over classes
  // Pairs (label entry j, non-label class k): max(0, 1 - x[label j] + x[k]).
  const Tensor z = clamp(1.0 - x.gather(1, label).unsqueeze(2) + x.unsqueeze(1), 0.0);
  const Tensor pairs = logical_and(is_label_entry.unsqueeze(2), logical_not(is_label_class).unsqueeze(1));
  const Tensor loss = where(pairs, z, 0.0).sum({1, 2}) / static_cast<double>(classes);
  return reduce_per_sample(loss, reduction, one_sample);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLOptions& o) {
  EMBER_CHECK(input.defined() && target.defined(), "poisson_nll_loss: input and target must be defined");
  broadcast_shapes(input.sizes(), target.sizes(), "poisson_nll_loss");
  Tensor loss = o.log_input ? exp(input) - target * input : input - target * log(input + o.eps);
  if (o.full) {
    const Tensor stirling = target * log(target) - target + 0.5 * log(target * (2 * M_PI));
    loss = loss + stirling.masked_fill(le(target, 1), 0);
  }
  return reduce(loss, o.reduction);
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full, double eps,
                         Reduction reduction) {
  EMBER_CHECK(input.defined() && target.defined() && var.defined(),
              "gaussian_nll_loss: input, target and var must be defined");
  EMBER_CHECK(eps >= 0, "gaussian_nll_loss: eps must be non-negative, got ", eps);
  Tensor v = var;
  if (var.sizes() != input.sizes()) {
    // One variance per row (homoscedastic): input's shape without its last dim, or with it as 1.
    const IntArrayRef lead(input.sizes().data(), input.dim() > 0 ? static_cast<size_t>(input.dim() - 1) : 0);
    if (input.dim() > 0 && var.sizes() == lead) {
      v = var.unsqueeze(-1);
    } else {
      EMBER_CHECK(input.dim() > 0 && var.dim() == input.dim() && var.size(-1) == 1 &&
                      IntArrayRef(var.sizes().data(), lead.size()) == lead,
                  "gaussian_nll_loss: var of shape ", var.sizes(), " must have input's shape ", input.sizes(),
                  ", or that shape without its last dim or with it as 1");
    }
  }
  broadcast_shapes(input.sizes(), target.sizes(), "gaussian_nll_loss");
  if (v.numel() > 0 && !v.is_meta())
    EMBER_CHECK(!lt(v, 0).any().item<bool>(), "gaussian_nll_loss: var has negative entries");
  // v clamped at eps, but the clamp is invisible to autograd (PyTorch clamps a
  // copy under no_grad): entries below eps become eps + (v - v), whose value is
  // exactly eps and whose gradient is var's.
  const Tensor clamped = where(lt(v, eps), v - v.detach() + eps, v);
  Tensor loss = 0.5 * (log(clamped) + (input - target).square() / clamped);
  if (full) loss = loss + 0.5 * std::log(2 * M_PI);
  return reduce(loss, reduction);
}

}  // namespace ember::nn::functional
