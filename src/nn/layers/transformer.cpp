// MultiheadAttention and the Transformer layers and stacks. The math is
// composed of linear maps, F::scaled-dot-product pieces, layer norm and
// dropout, so every gradient comes from the ops.
#include "ember/nn/transformer.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "ember/creation.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A mask in MultiheadAttention's convention (bool: true = blocked; float: added)
// as an additive float mask.
Tensor additive(const Tensor& mask, Dtype dtype) {
  if (!mask.defined()) return mask;
  if (mask.dtype() == Dtype::boolean)
    return zeros(mask.sizes(), {.dtype = dtype, .device = mask.device()}).masked_fill(mask, -kInf);
  return mask.to(dtype);
}

// The feed-forward block's nonlinearity; the gated ones take the two halves of linear1's output.
Tensor activation(const Tensor& x, const std::string& name) {
  if (name == "swiglu" || name == "geglu") {
    const auto halves = x.chunk(2, -1);
    return (name == "swiglu" ? F::silu(halves[0]) : F::gelu(halves[0])) * halves[1];
  }
  return name == "gelu" ? F::gelu(x) : F::relu(x);
}

void check_activation(const std::string& name) {
  EMBER_CHECK(name == "relu" || name == "gelu" || name == "swiglu" || name == "geglu",
              "Transformer layers: activation must be 'relu', 'gelu', 'swiglu' or 'geglu', got '", name, "'");
}

// linear1's width: gated blocks make both halves.
int64_t feedforward_inner(const TransformerLayerOptions& o) {
  return o.activation == "swiglu" || o.activation == "geglu" ? 2 * o.dim_feedforward : o.dim_feedforward;
}

}  // namespace

// ---- MultiheadAttention ------------------------------------------------------------------

MultiheadAttention::MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options)
    : Module("MultiheadAttention"),
      out_proj(embed_dim, embed_dim, options.bias),
      embed_dim_(embed_dim),
      num_heads_(num_heads),
      options_(options) {
  EMBER_CHECK(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0, "MultiheadAttention: embed_dim (",
              embed_dim, ") must be divisible by num_heads (", num_heads, ")");
  const int64_t kdim = options.kdim.value_or(embed_dim), vdim = options.vdim.value_or(embed_dim);
  EMBER_CHECK(kdim > 0 && vdim > 0, "MultiheadAttention: kdim and vdim must be positive, got ", kdim, " and ", vdim);
  if (kdim == embed_dim && vdim == embed_dim) {
    in_proj_weight = parameter(empty({3 * embed_dim, embed_dim}));
    init::xavier_uniform_(in_proj_weight);
  } else {
    q_proj_weight = parameter(empty({embed_dim, embed_dim}));
    k_proj_weight = parameter(empty({embed_dim, kdim}));
    v_proj_weight = parameter(empty({embed_dim, vdim}));
    for (Tensor* w : {&q_proj_weight, &k_proj_weight, &v_proj_weight}) init::xavier_uniform_(*w);
  }
  if (options.bias) {
    in_proj_bias = parameter(zeros({3 * embed_dim}));
    init::zeros_(out_proj.bias);
  }
  EMBER_CHECK(options.positions.empty() || options.positions == "rope" || options.positions == "alibi",
              "MultiheadAttention: positions must be '', 'rope' or 'alibi', got '", options.positions, "'");
  EMBER_CHECK(options.positions.empty() || !(options.add_bias_kv || options.add_zero_attn),
              "MultiheadAttention: positions '", options.positions, "' do not combine with add_bias_kv or add_zero_attn");
  EMBER_CHECK(options.positions != "rope" || (embed_dim / num_heads) % 2 == 0, "MultiheadAttention: rope needs an ",
              "even head dim, got ", embed_dim / num_heads);
  if (options.add_bias_kv) {
    bias_k = parameter(empty({1, 1, embed_dim}));
    bias_v = parameter(empty({1, 1, embed_dim}));
    init::xavier_normal_(bias_k);
    init::xavier_normal_(bias_v);
  }
}

// PyTorch's order: the module's own parameters, then out_proj's.
void MultiheadAttention::visit(Visitor& v) {
  v.parameter("in_proj_weight", in_proj_weight);
  v.parameter("q_proj_weight", q_proj_weight);
  v.parameter("k_proj_weight", k_proj_weight);
  v.parameter("v_proj_weight", v_proj_weight);
  v.parameter("in_proj_bias", in_proj_bias);
  v.parameter("bias_k", bias_k);
  v.parameter("bias_v", bias_v);
  v.module("out_proj", out_proj);
}

std::string MultiheadAttention::extra_repr() const {
  return "embed_dim=" + std::to_string(embed_dim_) + ", num_heads=" + std::to_string(num_heads_) +
         (options_.positions.empty() ? "" : ", positions='" + options_.positions + "'");
}

std::pair<Tensor, Tensor> MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                      const Call& call) {
  const char* op = "MultiheadAttention";
  EMBER_CHECK(query.defined() && key.defined() && value.defined(), op, ": query, key and value must be defined");
  const bool unbatched = query.dim() == 2;
  EMBER_CHECK(query.dim() == key.dim() && key.dim() == value.dim() && (query.dim() == 2 || query.dim() == 3), op,
              ": query, key and value must all be 3-D (batched) or 2-D (unbatched), got ", query.sizes(), ", ",
              key.sizes(), ", ", value.sizes());
  // To (N, L, E).
  auto batch_major = [&](const Tensor& t) {
    if (unbatched) return t.unsqueeze(0);
    return options_.batch_first ? t : t.transpose(0, 1);
  };
  const Tensor q_in = batch_major(query), k_in = batch_major(key), v_in = batch_major(value);
  const int64_t N = q_in.size(0), L = q_in.size(1), S = k_in.size(1), E = embed_dim_, H = num_heads_, D = E / H;
  const int64_t kdim = options_.kdim.value_or(E), vdim = options_.vdim.value_or(E);
  EMBER_CHECK(q_in.size(2) == E && k_in.size(2) == kdim && v_in.size(2) == vdim && k_in.size(1) == v_in.size(1) &&
                  k_in.size(0) == N && v_in.size(0) == N,
              op, ": expected query (", L, ", N, ", E, "), key (S, N, ", kdim, ") and value (S, N, ", vdim,
              ") with one N and S, got ", query.sizes(), ", ", key.sizes(), ", ", value.sizes());
  const auto w = in_proj_weight.defined() ? in_proj_weight.chunk(3, 0)
                                          : std::vector<Tensor>{q_proj_weight, k_proj_weight, v_proj_weight};
  const auto b = in_proj_bias.defined() ? in_proj_bias.chunk(3, 0) : std::vector<Tensor>(3);
  Tensor k_proj = F::linear(k_in, w[1], b[1]), v_proj = F::linear(v_in, w[2], b[2]);  // (N, S, E)
  // Extra keys and values the queries may attend to: the learned biases, then
  // zeros; the masks get an "attend" column for each.
  int64_t extra = 0;
  if (bias_k.defined()) {
    k_proj = cat({k_proj, bias_k.view({1, 1, E}).expand({N, 1, E})}, 1);
    v_proj = cat({v_proj, bias_v.view({1, 1, E}).expand({N, 1, E})}, 1);
    ++extra;
  }
  if (options_.add_zero_attn) {
    const Tensor zero = zeros({N, 1, E}, k_proj.options());
    k_proj = cat({k_proj, zero}, 1);
    v_proj = cat({v_proj, zero}, 1);
    ++extra;
  }
  const int64_t Sx = S + extra;
  auto heads = [&](const Tensor& t, int64_t len) { return t.view({N, len, H, D}).transpose(1, 2); };  // (N, H, len, D)
  Tensor q = heads(F::linear(q_in, w[0], b[0]), L);
  Tensor k = heads(k_proj, Sx);
  const Tensor v = heads(v_proj, Sx);
  if (options_.positions == "rope") q = F::rotary_embedding(q), k = F::rotary_embedding(k);
  const auto with_extra_columns = [&](const Tensor& m) { return extra ? F::pad(m, {0, extra}) : m; };

  Tensor scores = q.matmul(k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(D)));  // (N, H, L, Sx)
  if (options_.positions == "alibi")
    scores = scores + F::alibi_bias(H, L, Sx, {.dtype = scores.dtype(), .device = scores.device()}).unsqueeze(0);
  Tensor mask = additive(call.attn_mask, scores.dtype());
  const TensorOptions on_q{.device = q.device()};
  if (!mask.defined() && call.is_causal)
    mask = additive(gt(arange(S, on_q).view({1, S}), arange(L, on_q).view({L, 1})), scores.dtype());
  if (mask.defined()) {
    EMBER_CHECK((mask.dim() == 2 && mask.size(0) == L && mask.size(1) == S) ||
                    (mask.dim() == 3 && mask.size(0) == N * H && mask.size(1) == L && mask.size(2) == S),
                op, ": attn_mask must be (", L, ", ", S, ") or (", N * H, ", ", L, ", ", S, "), got ", mask.sizes());
    mask = with_extra_columns(mask);
    scores = scores + (mask.dim() == 2 ? mask : mask.view({N, H, L, Sx}));
  }
  if (call.key_padding_mask.defined()) {
    const Tensor kpm = unbatched ? call.key_padding_mask.reshape({1, -1}) : call.key_padding_mask;
    EMBER_CHECK(kpm.dim() == 2 && kpm.size(0) == N && kpm.size(1) == S, op, ": key_padding_mask must be (", N, ", ",
                S, "), got ", call.key_padding_mask.sizes());
    scores = scores + with_extra_columns(additive(kpm, scores.dtype())).view({N, 1, 1, Sx});
  }
  Tensor weights = F::softmax(scores, -1);
  const Tensor dropped = F::dropout(weights, options_.dropout, is_training());
  Tensor out = dropped.matmul(v).transpose(1, 2).reshape({N, L, E});  // heads joined back
  out = out_proj(out);
  out = unbatched ? out.squeeze(0) : (options_.batch_first ? out : out.transpose(0, 1));
  if (!call.need_weights) return {out, Tensor()};
  if (call.average_attn_weights) weights = weights.mean({1});
  return {out, unbatched ? weights.squeeze(0) : weights};
}

// ---- encoder and decoder layers ------------------------------------------------------------

TransformerEncoderLayer::TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions o)
    : Module("TransformerEncoderLayer"),
      self_attn(d_model, nhead,
                {.dropout = o.dropout, .bias = o.bias, .batch_first = o.batch_first, .positions = o.positions}),
      linear1(d_model, feedforward_inner(o), o.bias),
      linear2(o.dim_feedforward, d_model, o.bias),
      dropout(o.dropout),
      dropout1(o.dropout),
      dropout2(o.dropout),
      norm1({d_model}, o.layer_norm_eps),
      norm2({d_model}, o.layer_norm_eps),
      options_(o) {
  check_activation(o.activation);
}

void TransformerEncoderLayer::visit(Visitor& v) {
  v.module("self_attn", self_attn);
  v.module("linear1", linear1);
  v.module("dropout", dropout);
  v.module("linear2", linear2);
  v.module("norm1", norm1);
  v.module("norm2", norm2);
  v.module("dropout1", dropout1);
  v.module("dropout2", dropout2);
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask,
                                        bool is_causal) {
  auto self_attention = [&](const Tensor& x) {
    return dropout1(self_attn
                        .forward(x, x, x, {.key_padding_mask = src_key_padding_mask, .need_weights = false,
                                           .attn_mask = src_mask, .is_causal = is_causal})
                        .first);
  };
  auto feed_forward = [&](const Tensor& x) {
    return dropout2(linear2(dropout(activation(linear1(x), options_.activation))));
  };
  Tensor x = src;
  if (options_.norm_first) {
    x = x + self_attention(norm1(x));
    return x + feed_forward(norm2(x));
  }
  x = norm1(x + self_attention(x));
  return norm2(x + feed_forward(x));
}

TransformerDecoderLayer::TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions o)
    : Module("TransformerDecoderLayer"),
      self_attn(d_model, nhead,
                {.dropout = o.dropout, .bias = o.bias, .batch_first = o.batch_first, .positions = o.positions}),
      multihead_attn(d_model, nhead, {.dropout = o.dropout, .bias = o.bias, .batch_first = o.batch_first}),
      linear1(d_model, feedforward_inner(o), o.bias),
      linear2(o.dim_feedforward, d_model, o.bias),
      dropout(o.dropout),
      dropout1(o.dropout),
      dropout2(o.dropout),
      dropout3(o.dropout),
      norm1({d_model}, o.layer_norm_eps),
      norm2({d_model}, o.layer_norm_eps),
      norm3({d_model}, o.layer_norm_eps),
      options_(o) {
  check_activation(o.activation);
}

void TransformerDecoderLayer::visit(Visitor& v) {
  v.module("self_attn", self_attn);
  v.module("multihead_attn", multihead_attn);
  v.module("linear1", linear1);
  v.module("dropout", dropout);
  v.module("linear2", linear2);
  v.module("norm1", norm1);
  v.module("norm2", norm2);
  v.module("norm3", norm3);
  v.module("dropout1", dropout1);
  v.module("dropout2", dropout2);
  v.module("dropout3", dropout3);
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory, const Masks& m) {
  auto self_attention = [&](const Tensor& x) {
    return dropout1(self_attn
                        .forward(x, x, x, {.key_padding_mask = m.tgt_key_padding_mask, .need_weights = false,
                                           .attn_mask = m.tgt_mask, .is_causal = m.tgt_is_causal})
                        .first);
  };
  auto cross_attention = [&](const Tensor& x) {
    return dropout2(multihead_attn
                        .forward(x, memory, memory, {.key_padding_mask = m.memory_key_padding_mask,
                                                     .need_weights = false, .attn_mask = m.memory_mask})
                        .first);
  };
  auto feed_forward = [&](const Tensor& x) {
    return dropout3(linear2(dropout(activation(linear1(x), options_.activation))));
  };
  Tensor x = tgt;
  if (options_.norm_first) {
    x = x + self_attention(norm1(x));
    x = x + cross_attention(norm2(x));
    return x + feed_forward(norm3(x));
  }
  x = norm1(x + self_attention(x));
  x = norm2(x + cross_attention(x));
  return norm3(x + feed_forward(x));
}

// ---- stacks --------------------------------------------------------------------------------

TransformerEncoder::TransformerEncoder(int64_t d_model, int64_t nhead, int64_t num_layers, TransformerLayerOptions o,
                                       bool final_norm)
    : Module("TransformerEncoder") {
  EMBER_CHECK(num_layers > 0, "TransformerEncoder: num_layers must be positive, got ", num_layers);
  for (int64_t i = 0; i < num_layers; ++i) layers.push_back(TransformerEncoderLayer(d_model, nhead, o));
  if (final_norm) norm.emplace(Shape{d_model}, o.layer_norm_eps);
}

void TransformerEncoder::visit(Visitor& v) {
  v.module("layers", layers);
  if (norm) v.module("norm", *norm);
}

Tensor TransformerEncoder::forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask,
                                   bool is_causal) {
  Tensor x = src;
  for (size_t i = 0; i < layers.size(); ++i)
    x = layers.at<TransformerEncoderLayer>(i).forward(x, mask, src_key_padding_mask, is_causal);
  return norm ? (*norm)(x) : x;
}

TransformerDecoder::TransformerDecoder(int64_t d_model, int64_t nhead, int64_t num_layers, TransformerLayerOptions o,
                                       bool final_norm)
    : Module("TransformerDecoder") {
  EMBER_CHECK(num_layers > 0, "TransformerDecoder: num_layers must be positive, got ", num_layers);
  for (int64_t i = 0; i < num_layers; ++i) layers.push_back(TransformerDecoderLayer(d_model, nhead, o));
  if (final_norm) norm.emplace(Shape{d_model}, o.layer_norm_eps);
}

void TransformerDecoder::visit(Visitor& v) {
  v.module("layers", layers);
  if (norm) v.module("norm", *norm);
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderLayer::Masks& masks) {
  Tensor x = tgt;
  for (size_t i = 0; i < layers.size(); ++i) x = layers.at<TransformerDecoderLayer>(i).forward(x, memory, masks);
  return norm ? (*norm)(x) : x;
}

Transformer::Transformer(TransformerOptions o)
    : Module("Transformer"),
      encoder(o.d_model, o.nhead, o.num_encoder_layers, o.layer, true),
      decoder(o.d_model, o.nhead, o.num_decoder_layers, o.layer, true) {}

void Transformer::visit(Visitor& v) {
  v.module("encoder", encoder);
  v.module("decoder", decoder);
}

Tensor Transformer::forward(const Tensor& src, const Tensor& tgt, const Masks& m) {
  const Tensor memory = encoder.forward(src, m.src_mask, m.src_key_padding_mask);
  return decoder.forward(tgt, memory,
                         {.tgt_mask = m.tgt_mask, .memory_mask = m.memory_mask,
                          .tgt_key_padding_mask = m.tgt_key_padding_mask,
                          .memory_key_padding_mask = m.memory_key_padding_mask});
}

Tensor Transformer::generate_square_subsequent_mask(int64_t size, TensorOptions options) {
  const TensorOptions on_device{.device = options.device};
  const Tensor above = gt(arange(size, on_device).view({1, size}), arange(size, on_device).view({size, 1}));
  return zeros({size, size}, {.dtype = options.dtype.value_or(Dtype::float32), .device = options.device})
      .masked_fill(above, -kInf);
}

}  // namespace ember::nn
