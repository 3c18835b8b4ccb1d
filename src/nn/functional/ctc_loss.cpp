// Connectionist temporal classification loss (F::ctc_loss), composed of
// autograd ops: the forward (alpha) recursion over the blank-extended
// targets, one vectorized step per time step, in log space. Its gradient is
// the recursion's own (autograd's), so derivatives of every order exist.
#include <algorithm>
#include <limits>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {
namespace {

// log(0) as a finite number: -inf would turn logsumexp's gradient into NaN
// (exp(-inf - -inf)) on paths that are impossible anyway. Anything this low
// adds nothing to a probability, and a sample whose whole loss is this high
// has no alignment at all.
constexpr double kLogZero = -1e30;

std::vector<int64_t> lengths_of(const Tensor& lengths, int64_t n, const char* what) {
  EMBER_CHECK(lengths.defined() && !is_floating(lengths.dtype()) && lengths.numel() == n &&
                  (lengths.dim() <= 1),
              "ctc_loss: ", what, " should hold one integer per sample (", n, "), got shape ",
              lengths.defined() ? lengths.sizes() : Shape{}, lengths.defined() ? " " + std::string(dtype_name(lengths.dtype())) : "");
  return lengths.reshape({-1}).to(Dtype::int64).to_vector<int64_t>();
}

}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank, Reduction reduction, bool zero_infinity) {
  EMBER_CHECK(log_probs.defined() && is_floating(log_probs.dtype()) && (log_probs.dim() == 2 || log_probs.dim() == 3),
              "ctc_loss: log_probs should be floating-point (T, N, C) or (T, C), got shape ",
              log_probs.defined() ? log_probs.sizes() : Shape{});
  const bool one_sample = log_probs.dim() == 2;
  const Tensor lp = one_sample ? log_probs.unsqueeze(1) : log_probs;
  const int64_t steps = lp.size(0), n = lp.size(1), classes = lp.size(2);
  EMBER_CHECK(blank >= 0 && blank < classes, "ctc_loss: blank ", blank, " is not one of the ", classes, " classes");
  const std::vector<int64_t> in_len = lengths_of(input_lengths, n, "input_lengths"),
                             tgt_len = lengths_of(target_lengths, n, "target_lengths");
  EMBER_CHECK(targets.defined() && !is_floating(targets.dtype()), "ctc_loss: targets should be integer class indices");
  // The targets as (N, S) rows: given so (padded), or one after another (1-D, batched input).
  const bool concatenated = targets.dim() == 1 && !one_sample;
  EMBER_CHECK(concatenated || targets.dim() == (one_sample ? 1 : 2), "ctc_loss: targets of shape ", targets.sizes(),
              " do not fit log_probs of shape ", log_probs.sizes(), " (expected (N, S) or the targets one after "
              "another, 1-D)");
  const std::vector<int64_t> flat = targets.reshape({-1}).to(Dtype::int64).to_vector<int64_t>();
  int64_t longest = 0, total = 0;
  for (int64_t i = 0; i < n; ++i) {
    EMBER_CHECK(in_len[i] >= 0 && in_len[i] <= steps, "ctc_loss: input_lengths[", i, "] = ", in_len[i],
                " should be in [0, ", steps, "] (the input's time steps)");
    EMBER_CHECK(tgt_len[i] >= 0, "ctc_loss: target_lengths[", i, "] = ", tgt_len[i], " is negative");
    longest = std::max(longest, tgt_len[i]);
    total += tgt_len[i];
  }
  const int64_t row = concatenated ? 0 : targets.size(-1);
  EMBER_CHECK(concatenated ? total == targets.numel() : longest <= row, "ctc_loss: target_lengths (",
              IntArrayRef(tgt_len), ") do not fit targets of shape ", targets.sizes());

  // The blank-extended targets (N, 2S + 1): blank, t1, blank, t2, ..., blank; and where a step may
  // skip the blank before it (between two different labels).
  const int64_t width = 2 * longest + 1;
  std::vector<int64_t> extended(static_cast<size_t>(n * width), blank);
  std::vector<uint8_t> skip(static_cast<size_t>(n * width), 0);
  for (int64_t i = 0, offset = 0; i < n; ++i) {
    for (int64_t k = 0; k < tgt_len[i]; ++k) {
      const int64_t label = flat[static_cast<size_t>(concatenated ? offset + k : i * row + k)];
      EMBER_CHECK(label >= 0 && label < classes, "ctc_loss: target ", label, " of sample ", i, " is not one of the ",
                  classes, " classes");
      extended[static_cast<size_t>(i * width + 2 * k + 1)] = label;
      if (k > 0 && label != extended[static_cast<size_t>(i * width + 2 * k - 1)])
        skip[static_cast<size_t>(i * width + 2 * k + 1)] = 1;
    }
    offset += tgt_len[i];
  }
  const TensorOptions on_device{.dtype = Dtype::int64, .device = lp.device()};
  const Tensor ext = tensor(extended).view({n, width}).to(lp.device());
  const Tensor may_skip = ne(tensor(std::vector<int64_t>(skip.begin(), skip.end())).view({n, width}), 0).to(lp.device());
  const Tensor emissions = lp.gather(2, ext.unsqueeze(0).expand({steps, n, width}));  // (T, N, 2S + 1)
  const Tensor positions = arange(width, on_device).view({1, width});
  const Tensor lengths = tensor(tgt_len).to(lp.device()).view({n, 1}), inputs = tensor(in_len).to(lp.device());

  // alpha_t(s): log of the probability of the first s + 1 extended symbols in the first t + 1 steps.
  // A path starts at the first blank or the first label.
  const Tensor starts = logical_or(eq(positions, 0), logical_and(eq(positions, 1), gt(lengths, 0)));
  Tensor alpha = where(starts, emissions.select(0, 0), kLogZero);
  const Tensor low = full({n, 2}, kLogZero, {.dtype = lp.dtype(), .device = lp.device()});
  for (int64_t t = 1; t < steps; ++t) {
    const Tensor stay = alpha, advance = cat({low.narrow(1, 0, 1), alpha.narrow(1, 0, width - 1)}, 1);
    const Tensor jump = width > 2 ? where(may_skip, cat({low, alpha.narrow(1, 0, width - 2)}, 1), kLogZero)
                                  : full_like(alpha, kLogZero);
    const Tensor next = logsumexp(stack({stay, advance, jump}), {0}) + emissions.select(0, t);
    alpha = where(gt(inputs, t).view({n, 1}), next, alpha);  // a sample's recursion stops at its length
  }
  // A path ends on the last label or the blank after it.
  const Tensor last = lengths * 2, before = clamp(lengths * 2 - 1, 0);
  const Tensor end_blank = alpha.gather(1, last), end_label = where(gt(lengths, 0), alpha.gather(1, before), kLogZero);
  Tensor log_likelihood = logsumexp(cat({end_blank, end_label}, 1), {1});
  // No time steps: only the empty target is possible, with probability 1.
  const Tensor no_input = eq(inputs, 0);
  const Tensor empty_input = full_like(log_likelihood, kLogZero).masked_fill(eq(lengths.view({n}), 0), 0.0);
  log_likelihood = where(no_input, empty_input, log_likelihood);
  Tensor loss = -log_likelihood;
  const Tensor impossible = gt(loss, -kLogZero / 10);
  loss = where(impossible, zero_infinity ? 0.0 : std::numeric_limits<double>::infinity(), loss);

  switch (reduction) {
    case Reduction::none: return one_sample ? loss.squeeze(0) : loss;
    case Reduction::sum: return loss.sum();
    case Reduction::mean: break;
  }
  // Each sample's loss over its target length (at least 1), then the batch mean, as PyTorch's.
  return (loss / clamp(lengths.view({n}), 1).to(loss.dtype())).mean();
}

}  // namespace ember::nn::functional
