// Attention and the Transformer family, with PyTorch's parameter names
// (self_attn.in_proj_weight, linear1.weight, norm1.weight, ...) and mask
// conventions: in MultiheadAttention and the Transformer layers a bool mask
// is true where attention is NOT allowed, and a float mask is added to the
// scores (-inf blocks). Sequences are (L, N, E), or (N, L, E) with batch_first.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "ember/nn/container.h"
#include "ember/nn/layers.h"

namespace ember::nn {

struct MultiheadAttentionOptions {
  double dropout = 0.0;  // on the attention weights, in training
  bool bias = true;
  bool batch_first = false;
  bool add_bias_kv = false;    // learned bias_k, bias_v appended to the keys and values
  bool add_zero_attn = false;  // a zero key and value appended (after the biases)
  std::optional<int64_t> kdim = {}, vdim = {};  // the keys' and values' feature sizes (default embed_dim)
  // Relative positions inside the attention: "" (none), "rope" (queries and keys
  // rotated per head, F::rotary_embedding) or "alibi" (F::alibi_bias added to the scores).
  std::string positions = "";
};

// in_proj_weight (3E, E) ~ xavier_uniform, or with kdim/vdim other than E
// q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim);
// in_proj_bias (3E) = 0, out_proj (Linear E->E, bias 0); with add_bias_kv,
// bias_k and bias_v (1, 1, E) ~ xavier_normal (PyTorch's names and layout).
class MultiheadAttention : public Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options = {});
  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias, bias_k, bias_v;
  Linear out_proj;
  void visit(Visitor& v) override;
  std::string extra_repr() const override;

  struct Call {
    Tensor key_padding_mask = {};  // (N, S): true (or -inf) = ignore that key
    bool need_weights = true;
    Tensor attn_mask = {};         // (L, S) or (N * heads, L, S)
    bool average_attn_weights = true;
    bool is_causal = false;        // a causal mask when attn_mask is not given
  };
  // {output (L, N, E), weights (N, L, S), or (N, heads, L, S) unaveraged; undefined without need_weights}
  std::pair<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value, const Call& call);
  std::pair<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value) {
    return forward(query, key, value, Call{});
  }
  Tensor forward(const Tensor& x) override { return forward(x, x, x, {.need_weights = false}).first; }

 private:
  int64_t embed_dim_, num_heads_;
  MultiheadAttentionOptions options_;
};

struct TransformerLayerOptions {
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  // relu or gelu; or a gated feed-forward block, swiglu (silu(a) * b) or geglu
  // (gelu(a) * b), whose linear1 makes both halves a, b (2 dim_feedforward outputs)
  std::string activation = "relu";
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;  // pre-norm instead of post-norm
  bool bias = true;
  std::string positions = "";  // the self-attention's relative positions: "", "rope" or "alibi"
};

class TransformerEncoderLayer : public Module {
 public:
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions options = {});
  MultiheadAttention self_attn;
  Linear linear1, linear2;
  Dropout dropout, dropout1, dropout2;
  LayerNorm norm1, norm2;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask = {},
                 bool is_causal = false);
  Tensor forward(const Tensor& src) override { return forward(src, {}); }

 private:
  TransformerLayerOptions options_;
};

class TransformerDecoderLayer : public Module {
 public:
  TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions options = {});
  MultiheadAttention self_attn, multihead_attn;
  Linear linear1, linear2;
  Dropout dropout, dropout1, dropout2, dropout3;
  LayerNorm norm1, norm2, norm3;
  void visit(Visitor& v) override;
  struct Masks {
    Tensor tgt_mask = {}, memory_mask = {}, tgt_key_padding_mask = {}, memory_key_padding_mask = {};
    bool tgt_is_causal = false;
  };
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Masks& masks);
  Tensor forward(const Tensor& tgt, const Tensor& memory) { return forward(tgt, memory, Masks{}); }

 private:
  TransformerLayerOptions options_;
};

// num_layers encoder layers (layers.0, layers.1, ...) and an optional final LayerNorm (norm).
class TransformerEncoder : public Module {
 public:
  TransformerEncoder(int64_t d_model, int64_t nhead, int64_t num_layers, TransformerLayerOptions options = {},
                     bool final_norm = false);
  ModuleList layers;
  std::optional<LayerNorm> norm;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask = {}, bool is_causal = false);
  Tensor forward(const Tensor& src) override { return forward(src, {}); }
};

class TransformerDecoder : public Module {
 public:
  TransformerDecoder(int64_t d_model, int64_t nhead, int64_t num_layers, TransformerLayerOptions options = {},
                     bool final_norm = false);
  ModuleList layers;
  std::optional<LayerNorm> norm;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderLayer::Masks& masks = {});
};

struct TransformerOptions {
  int64_t d_model = 512, nhead = 8, num_encoder_layers = 6, num_decoder_layers = 6;
  TransformerLayerOptions layer = {};
};

// The encoder-decoder of "Attention is all you need": encoder and decoder stacks, each with a final LayerNorm.
class Transformer : public Module {
 public:
  explicit Transformer(TransformerOptions options = {});
  TransformerEncoder encoder;
  TransformerDecoder decoder;
  void visit(Visitor& v) override;
  struct Masks {
    Tensor src_mask = {}, tgt_mask = {}, memory_mask = {};
    Tensor src_key_padding_mask = {}, tgt_key_padding_mask = {}, memory_key_padding_mask = {};
  };
  Tensor forward(const Tensor& src, const Tensor& tgt, const Masks& masks);
  Tensor forward(const Tensor& src, const Tensor& tgt) { return forward(src, tgt, Masks{}); }
  // (size, size) float mask: 0 on and below the diagonal, -inf above; of
  // options' dtype (float32 by default) on options' device.
  static Tensor generate_square_subsequent_mask(int64_t size, TensorOptions options = {});
};

}  // namespace ember::nn
