// Recurrent cells and layers. The input projection of a whole sequence is one
// matrix product; the time loop then adds h W_hh^T per step. Gradients come
// from the ops (through time, to any order).
#include "ember/nn/recurrent.h"

#include <cmath>
#include <sstream>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {
namespace {

Tensor uniform_parameter(IntArrayRef shape, int64_t hidden) {
  Tensor t = parameter(empty(shape));
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  init::uniform_(t, -bound, bound);
  return t;
}

// x W^T (+ b)
Tensor project(const Tensor& x, const Tensor& w, const Tensor& b) { return F::linear(x, w, b); }

// One step of each cell on (N, *) inputs; xw is x W_ih^T + b_ih, computed ahead.
Tensor rnn_step(const Tensor& xw, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh, bool relu) {
  const Tensor pre = xw + project(h, w_hh, b_hh);
  return relu ? pre.relu() : pre.tanh();
}

// w_hr (LSTM with proj_size): h' is projected, h' W_hr^T.
std::pair<Tensor, Tensor> lstm_step(const Tensor& xw, const Tensor& h, const Tensor& c, const Tensor& w_hh,
                                    const Tensor& b_hh, const Tensor& w_hr = {}) {
  const auto gates = (xw + project(h, w_hh, b_hh)).chunk(4, -1);
  const Tensor c_next = gates[1].sigmoid() * c + gates[0].sigmoid() * gates[2].tanh();
  const Tensor h_next = gates[3].sigmoid() * c_next.tanh();
  return {w_hr.defined() ? project(h_next, w_hr, {}) : h_next, c_next};
}

Tensor gru_step(const Tensor& xw, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh) {
  const auto x_parts = xw.chunk(3, -1);
  const auto h_parts = project(h, w_hh, b_hh).chunk(3, -1);
  const Tensor r = (x_parts[0] + h_parts[0]).sigmoid();
  const Tensor z = (x_parts[1] + h_parts[1]).sigmoid();
  const Tensor n = (x_parts[2] + r * h_parts[2]).tanh();
  return (1 - z) * n + z * h;
}

// A cell's input as (N, I) plus whether it was unbatched.
std::pair<Tensor, bool> cell_input(const Tensor& x, int64_t input_size, const char* op) {
  EMBER_CHECK(x.defined() && (x.dim() == 1 || x.dim() == 2) && x.size(-1) == input_size, op,
              ": expected an input of shape (N, ", input_size, ") or (", input_size, "), got ",
              x.defined() ? x.sizes() : IntArrayRef());
  return {x.dim() == 1 ? x.unsqueeze(0) : x, x.dim() == 1};
}

Tensor cell_state(const Tensor& s, const Tensor& x, int64_t hidden, const char* op) {
  if (!s.defined()) return zeros({x.size(0), hidden}, x.options());
  const Tensor b = s.dim() == 1 ? s.unsqueeze(0) : s;
  EMBER_CHECK(b.dim() == 2 && b.size(0) == x.size(0) && b.size(1) == hidden, op, ": expected a state of shape (",
              x.size(0), ", ", hidden, "), got ", s.sizes());
  return b;
}

void visit_cell(Visitor& v, Tensor& w_ih, Tensor& w_hh, Tensor& b_ih, Tensor& b_hh) {
  v.parameter("weight_ih", w_ih);
  v.parameter("weight_hh", w_hh);
  v.parameter("bias_ih", b_ih);
  v.parameter("bias_hh", b_hh);
}

std::string describe(int64_t in, int64_t hidden, bool bias) {
  return std::to_string(in) + ", " + std::to_string(hidden) + (bias ? "" : ", bias=False");
}

}  // namespace

// ---- cells -------------------------------------------------------------------------------

RNNCell::RNNCell(int64_t in, int64_t hidden, bool bias, std::string nonlinearity)
    : Module("RNNCell"), nonlinearity_(std::move(nonlinearity)) {
  EMBER_CHECK(nonlinearity_ == "tanh" || nonlinearity_ == "relu", "RNNCell: nonlinearity must be 'tanh' or 'relu', got '",
              nonlinearity_, "'");
  weight_ih = uniform_parameter({hidden, in}, hidden);
  weight_hh = uniform_parameter({hidden, hidden}, hidden);
  if (bias) bias_ih = uniform_parameter({hidden}, hidden), bias_hh = uniform_parameter({hidden}, hidden);
}

void RNNCell::visit(Visitor& v) { visit_cell(v, weight_ih, weight_hh, bias_ih, bias_hh); }

Tensor RNNCell::forward(const Tensor& x_in, const Tensor& h_in) {
  const auto [x, unbatched] = cell_input(x_in, weight_ih.size(1), "RNNCell");
  const Tensor h = cell_state(h_in, x, weight_hh.size(0), "RNNCell");
  const Tensor out = rnn_step(project(x, weight_ih, bias_ih), h, weight_hh, bias_hh, nonlinearity_ == "relu");
  return unbatched ? out.squeeze(0) : out;
}

std::string RNNCell::extra_repr() const {
  return describe(weight_ih.size(1), weight_ih.size(0), bias_ih.defined()) +
         (nonlinearity_ == "tanh" ? "" : ", nonlinearity=" + nonlinearity_);
}

LSTMCell::LSTMCell(int64_t in, int64_t hidden, bool bias) : Module("LSTMCell") {
  weight_ih = uniform_parameter({4 * hidden, in}, hidden);
  weight_hh = uniform_parameter({4 * hidden, hidden}, hidden);
  if (bias) bias_ih = uniform_parameter({4 * hidden}, hidden), bias_hh = uniform_parameter({4 * hidden}, hidden);
}

void LSTMCell::visit(Visitor& v) { visit_cell(v, weight_ih, weight_hh, bias_ih, bias_hh); }

std::pair<Tensor, Tensor> LSTMCell::forward(const Tensor& x_in, const Tensor& h_in, const Tensor& c_in) {
  const auto [x, unbatched] = cell_input(x_in, weight_ih.size(1), "LSTMCell");
  const int64_t hidden = weight_hh.size(1);
  const Tensor h = cell_state(h_in, x, hidden, "LSTMCell"), c = cell_state(c_in, x, hidden, "LSTMCell");
  auto [h_next, c_next] = lstm_step(project(x, weight_ih, bias_ih), h, c, weight_hh, bias_hh);
  if (unbatched) return {h_next.squeeze(0), c_next.squeeze(0)};
  return {h_next, c_next};
}

std::string LSTMCell::extra_repr() const {
  return describe(weight_ih.size(1), weight_hh.size(1), bias_ih.defined());
}

GRUCell::GRUCell(int64_t in, int64_t hidden, bool bias) : Module("GRUCell") {
  weight_ih = uniform_parameter({3 * hidden, in}, hidden);
  weight_hh = uniform_parameter({3 * hidden, hidden}, hidden);
  if (bias) bias_ih = uniform_parameter({3 * hidden}, hidden), bias_hh = uniform_parameter({3 * hidden}, hidden);
}

void GRUCell::visit(Visitor& v) { visit_cell(v, weight_ih, weight_hh, bias_ih, bias_hh); }

Tensor GRUCell::forward(const Tensor& x_in, const Tensor& h_in) {
  const auto [x, unbatched] = cell_input(x_in, weight_ih.size(1), "GRUCell");
  const Tensor h = cell_state(h_in, x, weight_hh.size(1), "GRUCell");
  const Tensor out = gru_step(project(x, weight_ih, bias_ih), h, weight_hh, bias_hh);
  return unbatched ? out.squeeze(0) : out;
}

std::string GRUCell::extra_repr() const { return describe(weight_ih.size(1), weight_hh.size(1), bias_ih.defined()); }

// ---- sequences ----------------------------------------------------------------------------

RecurrentBase::RecurrentBase(const char* type_name, Kind kind, int64_t input_size, int64_t hidden_size,
                             RNNOptions options)
    : Module(type_name), kind_(kind), input_size_(input_size), hidden_size_(hidden_size), options_(options) {
  EMBER_CHECK(input_size > 0 && hidden_size > 0 && options.num_layers > 0, type_name,
              ": input_size, hidden_size and num_layers must be positive");
  EMBER_CHECK(options.dropout >= 0 && options.dropout <= 1, type_name, ": dropout must be in [0, 1], got ",
              options.dropout);
  EMBER_CHECK(options.proj_size == 0 || kind == Kind::lstm, type_name,
              ": proj_size is only supported for LSTM, not RNN or GRU");
  EMBER_CHECK(options.proj_size >= 0 && options.proj_size < hidden_size, type_name, ": proj_size (",
              options.proj_size, ") must be at least 0 and smaller than hidden_size (", hidden_size, ")");
  const int64_t gates = kind == Kind::lstm ? 4 : kind == Kind::gru ? 3 : 1;
  const int64_t directions = options.bidirectional ? 2 : 1;
  const int64_t out_size = options.proj_size > 0 ? options.proj_size : hidden_size;  // what h carries
  for (int64_t layer = 0; layer < options.num_layers; ++layer)
    for (int64_t d = 0; d < directions; ++d) {
      const int64_t in = layer == 0 ? input_size : out_size * directions;
      Weights w;
      w.w_ih = uniform_parameter({gates * hidden_size, in}, hidden_size);
      w.w_hh = uniform_parameter({gates * hidden_size, out_size}, hidden_size);
      if (options.bias) {
        w.b_ih = uniform_parameter({gates * hidden_size}, hidden_size);
        w.b_hh = uniform_parameter({gates * hidden_size}, hidden_size);
      }
      if (options.proj_size > 0) w.w_hr = uniform_parameter({options.proj_size, hidden_size}, hidden_size);
      weights.push_back(std::move(w));
      const std::string suffix = "_l" + std::to_string(layer) + (d == 1 ? "_reverse" : "");
      for (const char* base : {"weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"})
        names_.push_back(base + suffix);
    }
}

void RecurrentBase::visit(Visitor& v) {
  for (size_t i = 0; i < weights.size(); ++i) {
    v.parameter(names_[5 * i], weights[i].w_ih);
    v.parameter(names_[5 * i + 1], weights[i].w_hh);
    v.parameter(names_[5 * i + 2], weights[i].b_ih);
    v.parameter(names_[5 * i + 3], weights[i].b_hh);
    v.parameter(names_[5 * i + 4], weights[i].w_hr);  // (absent without proj_size)
  }
}

std::string RecurrentBase::extra_repr() const {
  std::ostringstream out;
  out << input_size_ << ", " << hidden_size_;
  if (options_.num_layers != 1) out << ", num_layers=" << options_.num_layers;
  if (!options_.bias) out << ", bias=False";
  if (options_.batch_first) out << ", batch_first=True";
  if (options_.dropout != 0) out << ", dropout=" << options_.dropout;
  if (options_.bidirectional) out << ", bidirectional=True";
  if (kind_ == Kind::rnn_relu) out << ", nonlinearity='relu'";
  if (options_.proj_size != 0) out << ", proj_size=" << options_.proj_size;
  return out.str();
}

std::tuple<Tensor, Tensor, Tensor> RecurrentBase::run(const Tensor& x_in, const Tensor& h0_in, const Tensor& c0_in) {
  const char* op = type_name().c_str();
  EMBER_CHECK(x_in.defined() && (x_in.dim() == 2 || x_in.dim() == 3) && x_in.size(-1) == input_size_, op,
              ": expected an input of shape (L, N, ", input_size_, ")", options_.batch_first ? " (batch_first: N, L)" : "",
              " or (L, ", input_size_, "), got ", x_in.defined() ? x_in.sizes() : IntArrayRef());
  const bool unbatched = x_in.dim() == 2;
  Tensor x = unbatched ? x_in.unsqueeze(1) : (options_.batch_first ? x_in.transpose(0, 1) : x_in);  // (L, N, I)
  const int64_t L = x.size(0), N = x.size(1);
  const int64_t H_out = options_.proj_size > 0 ? options_.proj_size : hidden_size_;  // h's size; c's is hidden_size_
  const int64_t directions = options_.bidirectional ? 2 : 1, states = options_.num_layers * directions;
  auto initial = [&](const Tensor& s, int64_t H, const char* what) {
    if (!s.defined()) return zeros({states, N, H}, x.options());
    const Tensor b = unbatched ? s.unsqueeze(1) : s;
    EMBER_CHECK(b.dim() == 3 && b.size(0) == states && b.size(1) == N && b.size(2) == H, op, ": expected ", what,
                " of shape (", states, ", ", N, ", ", H, "), got ", s.sizes());
    return b;
  };
  const Tensor h0 = initial(h0_in, H_out, "h0");
  const Tensor c0 = kind_ == Kind::lstm ? initial(c0_in, hidden_size_, "c0") : Tensor();
  std::vector<Tensor> h_n, c_n;
  Tensor layer_input = x;
  for (int64_t layer = 0; layer < options_.num_layers; ++layer) {
    std::vector<Tensor> direction_outputs;
    for (int64_t d = 0; d < directions; ++d) {
      const int64_t index = layer * directions + d;
      const Weights& w = weights[static_cast<size_t>(index)];
      // The input projection for all steps at once: (L, N, gates*H).
      const Tensor xw = project(layer_input, w.w_ih, w.b_ih);
      Tensor h = h0[index], c = c0.defined() ? c0[index] : Tensor();
      std::vector<Tensor> outputs(static_cast<size_t>(L));
      for (int64_t s = 0; s < L; ++s) {
        const int64_t t = d == 0 ? s : L - 1 - s;
        if (kind_ == Kind::lstm) std::tie(h, c) = lstm_step(xw[t], h, c, w.w_hh, w.b_hh, w.w_hr);
        else if (kind_ == Kind::gru) h = gru_step(xw[t], h, w.w_hh, w.b_hh);
        else h = rnn_step(xw[t], h, w.w_hh, w.b_hh, kind_ == Kind::rnn_relu);
        outputs[static_cast<size_t>(t)] = h;
      }
      direction_outputs.push_back(stack(outputs, 0));  // (L, N, H_out)
      h_n.push_back(h);
      if (c.defined()) c_n.push_back(c);
    }
    layer_input = directions == 1 ? direction_outputs[0] : cat(direction_outputs, 2);
    if (layer + 1 < options_.num_layers && options_.dropout > 0)
      layer_input = F::dropout(layer_input, options_.dropout, is_training());
  }
  Tensor output = layer_input, h_last = stack(h_n, 0), c_last = c_n.empty() ? Tensor() : stack(c_n, 0);
  if (unbatched) {
    output = output.squeeze(1), h_last = h_last.squeeze(1);
    if (c_last.defined()) c_last = c_last.squeeze(1);
  } else if (options_.batch_first) {
    output = output.transpose(0, 1);
  }
  return {output, h_last, c_last};
}

RNN::RNN(int64_t input_size, int64_t hidden_size, RNNOptions options)
    : RecurrentBase("RNN", options.nonlinearity == "relu" ? Kind::rnn_relu : Kind::rnn_tanh, input_size, hidden_size,
                    options) {
  EMBER_CHECK(options.nonlinearity == "tanh" || options.nonlinearity == "relu",
              "RNN: nonlinearity must be 'tanh' or 'relu', got '", options.nonlinearity, "'");
}

std::pair<Tensor, Tensor> RNN::forward(const Tensor& x, const Tensor& h0) {
  auto [out, h, c] = run(x, h0, {});
  return {out, h};
}

LSTM::LSTM(int64_t input_size, int64_t hidden_size, RNNOptions options)
    : RecurrentBase("LSTM", Kind::lstm, input_size, hidden_size, options) {}

std::tuple<Tensor, Tensor, Tensor> LSTM::forward_lstm(const Tensor& x, const Tensor& h0, const Tensor& c0) {
  return run(x, h0, c0);
}

GRU::GRU(int64_t input_size, int64_t hidden_size, RNNOptions options)
    : RecurrentBase("GRU", Kind::gru, input_size, hidden_size, options) {}

std::pair<Tensor, Tensor> GRU::forward(const Tensor& x, const Tensor& h0) {
  auto [out, h, c] = run(x, h0, {});
  return {out, h};
}

}  // namespace ember::nn
