// Recurrent layers with PyTorch's gate order, parameter names
// (weight_ih_l0, weight_hh_l0_reverse, ...), shapes and initialization
// (every parameter ~ U(-1/sqrt(hidden), 1/sqrt(hidden))).
//   nn::LSTM lstm(28, 64, {.num_layers = 2, .batch_first = true});
//   auto [out, h, c] = lstm.forward_lstm(x);   // out: (N, L, 64)
// LSTM's proj_size projects each h (PyTorch's weight_hr_l*): h and out then have
// proj_size features, c keeps hidden_size.
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

// ---- cells: one time step --------------------------------------------------------
// h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu
class RNNCell : public Module {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true, std::string nonlinearity = "tanh");
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
  void visit(Visitor& v) override;
  // x: (N, I) or (I); h: (N, H) or (H), zeros when undefined.
  Tensor forward(const Tensor& x, const Tensor& h);
  Tensor forward(const Tensor& x) override { return forward(x, {}); }
  std::string extra_repr() const override;

 private:
  std::string nonlinearity_;
};

// gates i, f, g, o = chunks of x W_ih^T + b_ih + h W_hh^T + b_hh;
// c' = sigmoid(f) c + sigmoid(i) tanh(g);  h' = sigmoid(o) tanh(c')
class LSTMCell : public Module {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
  void visit(Visitor& v) override;
  // {h', c'}; h and c zeros when undefined.
  std::pair<Tensor, Tensor> forward(const Tensor& x, const Tensor& h, const Tensor& c);
  std::string extra_repr() const override;
};

// r, z, n from chunks of x W_ih^T + b_ih and h W_hh^T + b_hh:
// r = sigmoid(r_x + r_h), z = sigmoid(z_x + z_h), n = tanh(n_x + r n_h); h' = (1 - z) n + z h
class GRUCell : public Module {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
  void visit(Visitor& v) override;
  Tensor forward(const Tensor& x, const Tensor& h);
  Tensor forward(const Tensor& x) override { return forward(x, {}); }
  std::string extra_repr() const override;
};

// ---- sequences ----------------------------------------------------------------------
struct RNNOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // between layers, in training
  bool bidirectional = false;
  std::string nonlinearity = "tanh";  // RNN only: tanh or relu
  int64_t proj_size = 0;  // LSTM only: h projected to this size by weight_hr (0: none)
};

// Shared by RNN, LSTM and GRU: the stacked, optionally bidirectional loop.
// Input (L, N, I), or (N, L, I) with batch_first, or unbatched (L, I);
// states (layers * directions, N, H).
class RecurrentBase : public Module {
 public:
  void visit(Visitor& v) override;
  std::string extra_repr() const override;
  // The weights of one layer and direction: {w_ih, w_hh, b_ih, b_hh, w_hr (LSTM with proj_size)}.
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh, w_hr;
  };
  std::vector<Weights> weights;  // index layer * directions + direction

 protected:
  enum class Kind { rnn_tanh, rnn_relu, lstm, gru };
  RecurrentBase(const char* type_name, Kind kind, int64_t input_size, int64_t hidden_size, RNNOptions options);
  // {output, h_n, c_n (LSTM only)}
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& x, const Tensor& h0, const Tensor& c0);

 private:
  Kind kind_;
  int64_t input_size_, hidden_size_;
  RNNOptions options_;
  std::vector<std::string> names_;  // parameter names in registration order, 5 per (layer, direction)
};

class RNN : public RecurrentBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, RNNOptions options = {});
  // {output, h_n}
  std::pair<Tensor, Tensor> forward(const Tensor& x, const Tensor& h0);
  Tensor forward(const Tensor& x) override { return forward(x, {}).first; }
};

class LSTM : public RecurrentBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, RNNOptions options = {});
  // {output, h_n, c_n}
  std::tuple<Tensor, Tensor, Tensor> forward_lstm(const Tensor& x, const Tensor& h0 = {}, const Tensor& c0 = {});
  Tensor forward(const Tensor& x) override { return std::get<0>(forward_lstm(x)); }
};

class GRU : public RecurrentBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, RNNOptions options = {});
  std::pair<Tensor, Tensor> forward(const Tensor& x, const Tensor& h0);
  Tensor forward(const Tensor& x) override { return forward(x, {}).first; }
};

}  // namespace ember::nn
