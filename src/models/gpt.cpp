// A decoder-only Transformer language model (GPT): token embeddings and
// positions (learned, sinusoidal, or rotary/ALiBi inside the attention), a stack of pre-norm causal self-attention blocks with
// GELU feed-forward layers (PyTorch's TransformerEncoderLayer with
// norm_first, under encoder.layers.N), a final layer norm (encoder.norm) and
// an output layer (head) optionally tied to the token embedding.
#include <limits>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/transformer.h"
#include "models/common.h"

namespace ember::models {
namespace {

// The spec and options a GPT can be built from; returns the context length.
int64_t checked_context(const ModelSpec& spec, const GPTOptions& o) {
  EMBER_CHECK(spec.input.size() == 1 && spec.input[0] > 0, "gpt: input must be (context length), one positive size, got ",
              spec.input);
  EMBER_CHECK(spec.classes > 0, "gpt: classes (the vocabulary size) must be positive, got ", spec.classes);
  EMBER_CHECK(o.heads > 0 && o.d_model > 0 && o.d_model % o.heads == 0, "gpt: d_model (", o.d_model,
              ") must be a multiple of heads (", o.heads, ")");
  EMBER_CHECK(o.layers > 0 && o.d_ff > 0, "gpt: layers and d_ff must be positive, got ", o.layers, " and ", o.d_ff);
  const std::string& p = spec.positions;
  EMBER_CHECK(p == "learned" || p == "sinusoidal" || p == "rope" || p == "alibi",
              "gpt: positions must be learned, sinusoidal, rope or alibi, got '", p, "'");
  return spec.input[0];
}

// The attention layers' own positions: rope and alibi live there, the others are added to the tokens.
std::string attention_positions(const std::string& p) { return p == "rope" || p == "alibi" ? p : ""; }

class GPT : public nn::Module, public TextGenerator {
 public:
  GPT(const ModelSpec& spec, const GPTOptions& o)
      : Module("GPT"), context_(checked_context(spec, o)), vocab_(spec.classes), positions_(spec.positions),
        tok_emb(vocab_, o.d_model),
        pos_emb(positions_ == "learned" ? context_ : 1, o.d_model),
        drop(o.dropout),
        encoder(o.d_model, o.heads, o.layers,
                {.dim_feedforward = o.d_ff, .dropout = o.dropout, .activation = "gelu", .batch_first = true,
                 .norm_first = true, .positions = attention_positions(positions_)},
                /*final_norm=*/true),
        head(o.d_model, vocab_, /*bias=*/false) {
    if (positions_ == "sinusoidal") table_ = detail::sinusoidal_positions(context_, o.d_model);
    // GPT-2's initialisation: normal(0, 0.02) for embeddings and linear layers, zero biases.
    for (nn::Module* m : modules()) {
      if (auto* fc = dynamic_cast<nn::Linear*>(m)) {
        nn::init::normal_(fc->weight, 0.0, 0.02);
        if (fc->bias.defined()) nn::init::zeros_(fc->bias);
      }
      if (auto* e = dynamic_cast<nn::Embedding*>(m)) nn::init::normal_(e->weight, 0.0, 0.02);
    }
    if (o.tie_weights) head.weight = tok_emb.weight;
  }

  void visit(nn::Visitor& v) override {
    v.module("tok_emb", tok_emb);
    if (positions_ == "learned") v.module("pos_emb", pos_emb);
    v.buffer("pos_table", table_, /*persistent=*/false);  // sinusoidal only
    v.module("drop", drop), v.module("encoder", encoder), v.module("head", head);
  }

  // (N, L) token ids, L <= context -> (N, L, vocabulary) logits.
  Tensor forward(const Tensor& ids) override {
    EMBER_CHECK(ids.dim() == 2 && ids.size(1) <= context_ && ids.size(1) > 0, "gpt: expected token ids of shape (N, L) ",
                "with 0 < L <= ", context_, " (the context length), got ", ids.sizes());
    Tensor x = tok_emb(ids);
    if (positions_ == "learned") x = x + pos_emb(arange(ids.size(1), {.device = ids.device()}));
    if (positions_ == "sinusoidal") x = x + table_.narrow(0, 0, ids.size(1));
    x = drop(x);
    return head(encoder.forward(x, {}, {}, /*is_causal=*/true));
  }

  Tensor generate(const Tensor& prompt, int64_t max_new_tokens, double temperature, int64_t top_k,
                  Generator* generator) override {
    EMBER_CHECK(prompt.dim() == 2 && prompt.size(1) > 0, "gpt.generate: expected a prompt of shape (N, L), got ",
                prompt.sizes());
    EMBER_CHECK(temperature > 0, "gpt.generate: temperature must be positive, got ", temperature);
    const bool was_training = is_training();
    eval();
    InferenceMode inference;
    Tensor ids = prompt.to(Dtype::int64);
    for (int64_t step = 0; step < max_new_tokens; ++step) {
      const Tensor window = ids.size(1) > context_ ? ids.narrow(1, ids.size(1) - context_, context_) : ids;
      Tensor logits = forward(window).select(1, window.size(1) - 1) / temperature;  // (N, vocabulary)
      if (top_k > 0 && top_k < vocab_) {
        const Tensor kth = std::get<0>(topk(logits, top_k, 1)).narrow(1, top_k - 1, 1);
        logits = where(lt(logits, kth), full_like(logits, -std::numeric_limits<double>::infinity()), logits);
      }
      const Tensor next = multinomial(F::softmax(logits, 1), 1, false, generator);  // (N, 1)
      ids = cat({ids, next}, 1);
    }
    train(was_training);
    return ids;
  }

 private:
  int64_t context_, vocab_;
  std::string positions_;
  nn::Embedding tok_emb, pos_emb;  // pos_emb: learned positions only
  Tensor table_;                   // sinusoidal positions only
  nn::Dropout drop;
  nn::TransformerEncoder encoder;
  nn::Linear head;
};

}  // namespace

std::shared_ptr<nn::Module> gpt(const ModelSpec& spec, const GPTOptions& options) {
  return std::make_shared<GPT>(spec, options);
}

}  // namespace ember::models
