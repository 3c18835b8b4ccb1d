// Scaled dot-product attention: composed of differentiable ops for short
// sequences; blockwise over the queries, with a backward rule that recomputes
// each block's scores, for long ones (the memory of the scores is then one
// block's, as in FlashAttention's recomputation, without its fused kernel).
#include <cmath>
#include <limits>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "graph/record.h"

namespace ember::nn::functional {
namespace {

void check_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask, bool is_causal,
                     double dropout_p) {
  EMBER_CHECK(q.defined() && k.defined() && v.defined() && q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2,
              "scaled_dot_product_attention: q, k and v must be defined and at least 2-D");
  EMBER_CHECK(q.size(-1) == k.size(-1) && k.size(-2) == v.size(-2), "scaled_dot_product_attention: q ", q.sizes(),
              ", k ", k.sizes(), " and v ", v.sizes(), " do not fit (q and k share E, k and v share S)");
  EMBER_CHECK(!(is_causal && attn_mask.defined()),
              "scaled_dot_product_attention: give either attn_mask or is_causal, not both");
  EMBER_CHECK(dropout_p >= 0 && dropout_p <= 1, "scaled_dot_product_attention: dropout_p must be in [0, 1], got ",
              dropout_p);
}

// Query rows [row0, row0 + rows) of the scores q k^T * scale, masked: a bool
// mask (true = may attend) sets the rest to -inf, a float one is added.
Tensor block_scores(const Tensor& q_rows, const Tensor& k, double scale, const Tensor& attn_mask, bool is_causal,
                    int64_t row0, int64_t rows, int64_t L) {
  Tensor scores = q_rows.matmul(k.transpose(-2, -1)) * scale;
  Tensor mask = attn_mask;
  const int64_t S = k.size(-2);
  if (is_causal) {
    const TensorOptions on_q{.device = q_rows.device()};
    mask = ge(arange(row0, row0 + rows, 1, on_q).view({rows, 1}), arange(S, on_q).view({1, S}));  // j <= i
  } else if (mask.defined() && mask.dim() >= 2 && mask.size(-2) == L && rows != L) {
    mask = mask.narrow(-2, row0, rows);  // (a size-1 query dim broadcasts to every row)
  }
  if (!mask.defined()) return scores;
  if (mask.dtype() == Dtype::boolean) return scores.masked_fill(mask.logical_not(), -std::numeric_limits<double>::infinity());
  return scores + mask;
}

// The dropout keep mask of a block, scaled by 1 / (1 - p), regenerated from the block's own seed.
Tensor block_keep(const Tensor& like, double p, uint64_t seed, int64_t block) {
  Generator g(Generator::bits(seed, static_cast<uint64_t>(block)));
  return bernoulli(like.sizes(), 1 - p, like.options(), &g) / (1 - p);
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    double dropout_p, bool is_causal, std::optional<double> scale,
                                    Generator* generator) {
  check_attention(q, k, v, attn_mask, is_causal, dropout_p);
  const int64_t L = q.size(-2), S = k.size(-2);
  constexpr int64_t kScoresPerBlock = int64_t{1} << 16;
  if (L * S > kScoresPerBlock && L > 16)
    return scaled_dot_product_attention_blockwise(q, k, v, attn_mask, dropout_p, is_causal, scale, generator,
                                                  std::max<int64_t>(16, kScoresPerBlock / std::max<int64_t>(S, 1)));
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  Tensor weights = softmax(block_scores(q, k, s, attn_mask, is_causal, 0, L, L), -1);
  if (dropout_p > 0) weights = dropout(weights, dropout_p, true, generator);
  return weights.matmul(v);
}

// Per block of queries: P = softmax(S), O = (P * keep) V. Backward, per block
// with P recomputed: dV += (P keep)^T dO, dP = (dO V^T) keep,
// dS = P (dP - rowsum(dP P)), dQ = dS K scale, dK += dS^T Q scale, dmask = dS.
Tensor scaled_dot_product_attention_blockwise(const Tensor& q, const Tensor& k, const Tensor& v,
                                              const Tensor& attn_mask, double dropout_p, bool is_causal,
                                              std::optional<double> scale, Generator* generator, int64_t block_rows) {
  check_attention(q, k, v, attn_mask, is_causal, dropout_p);
  EMBER_CHECK(block_rows > 0, "scaled_dot_product_attention: block_rows must be positive, got ", block_rows);
  const int64_t L = q.size(-2);
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  const bool drop = dropout_p > 0;
  uint64_t seed = 0;
  if (drop) {
    Generator& source = generator ? *generator : default_generator();
    seed = Generator::bits(source.initial_seed(), source.reserve(1));
  }
  std::vector<Tensor> blocks;
  {
    NoGradGuard no_grad;
    for (int64_t row0 = 0, b = 0; row0 < L; row0 += block_rows, ++b) {
      const int64_t rows = std::min(block_rows, L - row0);
      Tensor p = softmax(block_scores(q.narrow(-2, row0, rows), k, s, attn_mask, is_causal, row0, rows, L), -1);
      if (drop) p = p * block_keep(p, dropout_p, seed, b);
      blocks.push_back(p.matmul(v));
    }
  }
  Tensor out = blocks.size() == 1 ? blocks[0] : cat(blocks, -2);
  const bool mask_grad = attn_mask.defined() && attn_mask.dtype() != Dtype::boolean;
  return autograd::record(
      "scaled_dot_product_attention", out, {q, k, v, mask_grad ? attn_mask : Tensor()},
      [q_ = autograd::Saved::input(q), k_ = autograd::Saved::input(k), v_ = autograd::Saved::input(v),
       mask_ = attn_mask.defined() ? autograd::Saved::input(attn_mask) : autograd::Saved(), is_causal, s, drop, dropout_p, seed, block_rows,
       mask_grad](const Tensor& g) {
        const Tensor qv = q_.get(), kv = k_.get(), vv = v_.get(), mask = mask_.get();
        const int64_t L = qv.size(-2);
        std::vector<Tensor> dq_blocks, dmask_blocks;
        Tensor dk, dv;
        for (int64_t row0 = 0, b = 0; row0 < L; row0 += block_rows, ++b) {
          const int64_t rows = std::min(block_rows, L - row0);
          const Tensor q_rows = qv.narrow(-2, row0, rows), g_rows = g.narrow(-2, row0, rows);
          const Tensor p = softmax(block_scores(q_rows, kv, s, mask, is_causal, row0, rows, L), -1);
          const Tensor keep = drop ? block_keep(p, dropout_p, seed, b) : Tensor();
          const Tensor kept = drop ? p * keep : p;
          const Tensor dv_part = kept.transpose(-2, -1).matmul(g_rows);
          Tensor dp = g_rows.matmul(vv.transpose(-2, -1));
          if (drop) dp = dp * keep;
          const Tensor ds = p * (dp - (dp * p).sum({-1}, true));
          // Masked-out scores are -inf: their P is 0, so ds is 0 there (no NaN from 0 * inf).
          dq_blocks.push_back(ds.matmul(kv) * s);
          const Tensor dk_part = ds.transpose(-2, -1).matmul(q_rows) * s;
          dk = dk.defined() ? dk + dk_part : dk_part;
          dv = dv.defined() ? dv + dv_part : dv_part;
          if (mask_grad) dmask_blocks.push_back(ds);
        }
        const Tensor dq = dq_blocks.size() == 1 ? dq_blocks[0] : cat(dq_blocks, -2);
        // (The engine sums each gradient back over the dims its input was broadcast along.)
        Tensor dmask;
        if (mask_grad) dmask = dmask_blocks.size() == 1 ? dmask_blocks[0] : cat(dmask_blocks, -2);
        return autograd::Grads{dq, dk, dv, dmask};
      });
}

Tensor rotary_embedding(const Tensor& x, double base, int64_t offset) {
  EMBER_CHECK(x.defined() && x.dim() >= 2 && x.size(-1) % 2 == 0, "rotary_embedding: expected (..., len, D) with an ",
              "even D, got ", x.defined() ? x.sizes() : IntArrayRef());
  EMBER_CHECK(base > 0, "rotary_embedding: base must be positive, got ", base);
  const int64_t len = x.size(-2), D = x.size(-1), half = D / 2;
  std::vector<double> cos_table(static_cast<size_t>(len * D)), sin_table(cos_table.size());
  for (int64_t p = 0; p < len; ++p)
    for (int64_t i = 0; i < D; ++i) {
      const double angle = static_cast<double>(p + offset) * std::pow(base, -2.0 * static_cast<double>(i % half) / D);
      cos_table[static_cast<size_t>(p * D + i)] = std::cos(angle);
      sin_table[static_cast<size_t>(p * D + i)] = std::sin(angle);
    }
  const TensorOptions like{.dtype = x.dtype(), .device = x.device()};
  const Tensor c = from_buffer(cos_table.data(), Dtype::float64, {len, D}, like);
  const Tensor s = from_buffer(sin_table.data(), Dtype::float64, {len, D}, like);
  const Tensor rotated_half = cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * c + rotated_half * s;
}

std::vector<double> alibi_slopes(int64_t heads) {
  EMBER_CHECK(heads > 0, "alibi_slopes: heads must be positive, got ", heads);
  const auto powers_of = [](int64_t n) {
    std::vector<double> out;
    const double start = std::pow(2.0, -8.0 / static_cast<double>(n));
    for (int64_t i = 0; i < n; ++i) out.push_back(std::pow(start, static_cast<double>(i + 1)));
    return out;
  };
  int64_t closest = 1;
  while (closest * 2 <= heads) closest *= 2;
  std::vector<double> slopes = powers_of(closest);
  if (closest == heads) return slopes;
  const std::vector<double> finer = alibi_slopes(2 * closest);
  for (size_t i = 0; slopes.size() < static_cast<size_t>(heads); i += 2) slopes.push_back(finer[i]);
  return slopes;
}

Tensor alibi_bias(int64_t heads, int64_t L, int64_t S, TensorOptions options) {
  const std::vector<double> slopes = alibi_slopes(heads);
  const TensorOptions f64{.dtype = Dtype::float64, .device = options.device};
  const Tensor distance = (arange(L, f64).view({L, 1}) - arange(S, f64).view({1, S})).abs();
  const Tensor slope = from_buffer(slopes.data(), Dtype::float64, {heads, 1, 1}, f64);
  return (-slope * distance).to(options.dtype.value_or(default_dtype()));
}

}  // namespace ember::nn::functional
