// An encoder-decoder Transformer for sequence-to-sequence tasks: token
// embeddings scaled by sqrt(d_model) plus fixed sinusoidal positions, PyTorch's
// nn.Transformer (batch first) under `transformer`, and a linear layer to the
// vocabulary (`generator`). The source and the shifted target travel as one
// (N, 2L) tensor [source | target input], so the model trains through the
// single-input loop; greedy_decode produces a target from a source.
#include <cmath>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/transformer.h"
#include "models/common.h"

namespace ember::models {
namespace {

int64_t checked_length(const ModelSpec& spec, const Seq2SeqOptions& o) {
  EMBER_CHECK(spec.input.size() == 1 && spec.input[0] > 0, "transformer: input must be (sequence length), one positive ",
              "size, got ", spec.input);
  EMBER_CHECK(spec.classes > 2, "transformer: classes (the vocabulary, with BOS = ", kBeginOfSequence,
              ") must be more than 2, got ", spec.classes);
  EMBER_CHECK(o.heads > 0 && o.d_model > 0 && o.d_model % o.heads == 0, "transformer: d_model (", o.d_model,
              ") must be a multiple of heads (", o.heads, ")");
  return spec.input[0];
}

class Seq2SeqTransformer : public nn::Module, public SequenceTranslator {
 public:
  Seq2SeqTransformer(const ModelSpec& spec, const Seq2SeqOptions& o)
      : Module("Seq2SeqTransformer"), length_(checked_length(spec, o)), d_model_(o.d_model),
        src_emb(spec.classes, o.d_model), tgt_emb(spec.classes, o.d_model),
        transformer({.d_model = o.d_model, .nhead = o.heads, .num_encoder_layers = o.encoder_layers,
                     .num_decoder_layers = o.decoder_layers,
                     .layer = {.dim_feedforward = o.d_ff, .dropout = o.dropout, .batch_first = true}}),
        generator(o.d_model, spec.classes), dropout(o.dropout),
        positions_(detail::sinusoidal_positions(std::max<int64_t>(length_, 1) + 1, o.d_model)) {}

  void visit(nn::Visitor& v) override {
    v.module("src_emb", src_emb), v.module("tgt_emb", tgt_emb), v.module("transformer", transformer);
    v.module("generator", generator), v.module("dropout", dropout);
    v.buffer("positions", positions_, /*persistent=*/false);
  }

  // [source (N, L) | target input (N, L)] -> (N, L, vocabulary) logits for the target.
  Tensor forward(const Tensor& pair) override {
    EMBER_CHECK(pair.dim() == 2 && pair.size(1) == 2 * length_, "transformer: expected (N, 2 * ", length_,
                ") tokens [source | target input], got ", pair.sizes());
    return decode(encode(pair.narrow(1, 0, length_)), pair.narrow(1, length_, length_));
  }

  Tensor greedy_decode(const Tensor& source, int64_t max_len) override {
    EMBER_CHECK(source.dim() == 2 && source.size(1) == length_, "transformer.greedy_decode: expected a source of shape ",
                "(N, ", length_, "), got ", source.sizes());
    EMBER_CHECK(max_len > 0 && max_len <= length_, "transformer.greedy_decode: max_len must be in [1, ", length_, "], got ",
                max_len);
    const bool was_training = is_training();
    eval();
    InferenceMode inference;
    const Tensor memory = encode(source);
    Tensor out = full({source.size(0), 1}, static_cast<double>(kBeginOfSequence),
                      {.dtype = Dtype::int64, .device = source.device()});
    for (int64_t step = 0; step < max_len; ++step) {
      const Tensor logits = decode(memory, out);
      out = cat({out, logits.select(1, out.size(1) - 1).argmax(1, true)}, 1);
    }
    train(was_training);
    return out.narrow(1, 1, max_len);
  }

 private:
  Tensor embed(nn::Embedding& emb, const Tensor& ids) {
    return dropout(emb(ids) * std::sqrt(static_cast<double>(d_model_)) + positions_.narrow(0, 0, ids.size(1)));
  }
  Tensor encode(const Tensor& source) { return transformer.encoder.forward(embed(src_emb, source), {}); }
  Tensor decode(const Tensor& memory, const Tensor& target_in) {
    const Tensor mask = nn::Transformer::generate_square_subsequent_mask(target_in.size(1), {.device = target_in.device()});
    return generator(transformer.decoder.forward(embed(tgt_emb, target_in), memory, {.tgt_mask = mask}));
  }

  int64_t length_, d_model_;
  nn::Embedding src_emb, tgt_emb;
  nn::Transformer transformer;
  nn::Linear generator;
  nn::Dropout dropout;
  Tensor positions_;
};

}  // namespace

std::shared_ptr<nn::Module> seq2seq_transformer(const ModelSpec& spec, const Seq2SeqOptions& options) {
  return std::make_shared<Seq2SeqTransformer>(spec, options);
}

}  // namespace ember::models
