// Recurrent classifiers: an RNN, LSTM or GRU (batch first, stacked,
// optionally bidirectional) over a sequence, then a linear layer on the last
// layer's final hidden state (both directions' when bidirectional). Images
// (C, H, W) are read as H steps of C*W features, the usual RNN-on-MNIST
// setup; with a vocabulary, (N, L) token ids go through an embedding first.
// Module names: embedding, rnn (rnn.weight_ih_l0, ...), fc.
#include "models/common.h"
#include "ember/nn/recurrent.h"

namespace ember::models {
namespace {

class RecurrentClassifier : public nn::Module {
 public:
  RecurrentClassifier(const std::string& kind, const ModelSpec& spec, const RecurrentOptions& o)
      : Module("RecurrentClassifier"), kind_(kind), directions_(o.bidirectional ? 2 : 1), fc_(1, 1) {
    detail::check_spec(spec, kind.c_str());
    EMBER_CHECK(o.hidden_size > 0 && o.num_layers > 0, kind, ": hidden_size and num_layers must be positive, got ",
                o.hidden_size, " and ", o.num_layers);
    int64_t features = spec.input[0] * spec.input[2];  // one image row per step
    if (o.vocab_size > 0) {
      embedding_ = std::make_shared<nn::Embedding>(o.vocab_size, o.embedding_dim);
      features = o.embedding_dim;
    }
    const nn::RNNOptions rnn_options{.num_layers = o.num_layers, .batch_first = true, .dropout = o.dropout,
                                     .bidirectional = o.bidirectional};
    if (kind == "rnn") rnn_ = std::make_shared<nn::RNN>(features, o.hidden_size, rnn_options);
    else if (kind == "lstm") rnn_ = std::make_shared<nn::LSTM>(features, o.hidden_size, rnn_options);
    else if (kind == "gru") rnn_ = std::make_shared<nn::GRU>(features, o.hidden_size, rnn_options);
    else ember::detail::fail("recurrent_classifier: unknown kind '", kind, "'; known: rnn, lstm, gru");
    fc_ = nn::Linear(o.hidden_size * directions_, spec.classes);
  }

  void visit(nn::Visitor& v) override {
    if (embedding_) v.module("embedding", *embedding_);
    v.module("rnn", *rnn_), v.module("fc", fc_);
  }

  Tensor forward(const Tensor& x) override {
    Tensor steps;
    if (embedding_) {
      EMBER_CHECK(x.dim() == 2, kind_, ": expected token ids of shape (N, L), got ", x.sizes());
      steps = (*embedding_)(x);
    } else {
      EMBER_CHECK(x.dim() == 4, kind_, ": expected images of shape (N, C, H, W), got ", x.sizes());
      steps = x.permute({0, 2, 1, 3}).reshape({x.size(0), x.size(2), x.size(1) * x.size(3)});  // (N, H, C*W)
    }
    // The last layer's final states: the forward direction's at the last step,
    // the backward direction's at the first (h_n of the last layer).
    const Tensor out = (*rnn_)(steps);  // (N, L, directions * H)
    const int64_t hidden = out.size(2) / directions_;
    Tensor last = out.select(1, out.size(1) - 1).narrow(1, 0, hidden);
    if (directions_ == 2) last = cat({last, out.select(1, 0).narrow(1, hidden, hidden)}, 1);
    return fc_(last);
  }

 private:
  std::string kind_;
  int64_t directions_;
  std::shared_ptr<nn::Embedding> embedding_;
  std::shared_ptr<nn::Module> rnn_;  // RNN, LSTM or GRU
  nn::Linear fc_;
};

}  // namespace

std::shared_ptr<nn::Module> recurrent_classifier(const std::string& kind, const ModelSpec& spec,
                                                 const RecurrentOptions& options) {
  return std::make_shared<RecurrentClassifier>(kind, spec, options);
}

}  // namespace ember::models
