// float64 gradcheck for every layer and loss, through the functional forms
// with weights as inputs (so parameter gradients are checked too), in
// training and eval mode where they differ.
#include <ember/ember.h>
#include <gtest/gtest.h>

using namespace ember;
using Tensors = std::vector<Tensor>;

namespace {

struct NnGradCase {
  std::string name;
  std::vector<Shape> shapes;  // float64 inputs that require grad
  std::function<Tensor(const Tensors&)> fn;
  bool positive = false;      // inputs in (0.1, 0.9) instead of (-2, 2)
};

Tensor labels(std::vector<int64_t> v) { return tensor(v); }
Tensor f64(std::vector<double> v) { return tensor(v, {.dtype = kFloat64}); }

const std::vector<NnGradCase>& cases() {
  using nn::Reduction;
  static const std::vector<NnGradCase> table = {
      {"linear", {{4, 5}, {3, 5}, {3}}, [](const Tensors& x) { return F::linear(x[0], x[1], x[2]); }},
      {"bilinear", {{4, 2}, {4, 3}, {5, 2, 3}, {5}}, [](const Tensors& x) { return F::bilinear(x[0], x[1], x[2], x[3]); }},
      {"relu6", {{3, 4}}, [](const Tensors& x) { return F::relu6(x[0] * 4); }},
      {"leaky_relu", {{3, 4}}, [](const Tensors& x) { return F::leaky_relu(x[0], 0.2); }},
      {"elu", {{3, 4}}, [](const Tensors& x) { return F::elu(x[0], 0.7); }},
      {"selu", {{3, 4}}, [](const Tensors& x) { return F::selu(x[0]); }},
      {"gelu", {{3, 4}}, [](const Tensors& x) { return F::gelu(x[0]); }},
      {"gelu_tanh", {{3, 4}}, [](const Tensors& x) { return F::gelu(x[0], "tanh"); }},
      {"silu", {{3, 4}}, [](const Tensors& x) { return F::silu(x[0]); }},
      {"mish", {{3, 4}}, [](const Tensors& x) { return F::mish(x[0]); }},
      {"hardswish", {{3, 4}}, [](const Tensors& x) { return F::hardswish(x[0] * 2); }},
      {"hardsigmoid", {{3, 4}}, [](const Tensors& x) { return F::hardsigmoid(x[0] * 2); }},
      {"softplus", {{3, 4}}, [](const Tensors& x) { return F::softplus(x[0] * 2, 2.0, 3.0); }},
      {"softmax", {{3, 4}}, [](const Tensors& x) { return F::softmax(x[0], 1); }},
      {"log_softmax", {{3, 4}}, [](const Tensors& x) { return F::log_softmax(x[0], 0); }},
      {"prelu", {{2, 4, 3}, {4}}, [](const Tensors& x) { return F::prelu(x[0], x[1]); }},
      {"dropout", {{3, 4}}, [](const Tensors& x) {
         Generator g(3);  // the same mask on every call
         return F::dropout(x[0], 0.4, true, &g);
       }},
      {"dropout2d", {{2, 3, 2, 2}}, [](const Tensors& x) {
         Generator g(5);
         return F::dropout2d(x[0], 0.5, true, &g);
       }},
      {"embedding", {{6, 3}}, [](const Tensors& x) { return F::embedding(labels({1, 5, 1, 2}), x[0], 4); }},  // row 4 unused
      {"batch_norm_train", {{6, 3}, {3}, {3}}, [](const Tensors& x) {
         return F::batch_norm(x[0], {}, {}, x[1], x[2], true);
       }},
      {"batch_norm_train_4d", {{2, 3, 2, 2}, {3}, {3}}, [](const Tensors& x) {
         Tensor rm = zeros({3}, {.dtype = kFloat64}), rv = ones({3}, {.dtype = kFloat64});
         return F::batch_norm(x[0], rm, rv, x[1], x[2], true, 0.1);
       }},
      {"batch_norm_eval", {{6, 3}, {3}, {3}}, [](const Tensors& x) {
         return F::batch_norm(x[0], f64({0.1, -0.2, 0.3}), f64({1.5, 0.7, 1.1}), x[1], x[2], false);
       }},
      {"layer_norm", {{3, 4, 5}, {4, 5}, {4, 5}}, [](const Tensors& x) {
         return F::layer_norm(x[0], {4, 5}, x[1], x[2]);
       }},
      {"conv2d", {{2, 4, 5, 4}, {6, 2, 3, 2}, {6}}, [](const Tensors& x) {
         return F::conv2d(x[0], x[1], x[2], {2, 1}, {1, 1}, {1, 2}, 2);  // stride, padding, dilation, groups
       }},
      {"conv2d_same", {{1, 2, 4, 5}, {3, 2, 2, 3}}, [](const Tensors& x) {
         return F::conv2d(x[0], x[1], {}, {1, 1}, nn::Padding::same);
       }},
      {"conv1d", {{2, 3, 7}, {4, 3, 3}, {4}}, [](const Tensors& x) { return F::conv1d(x[0], x[1], x[2], 2, 1); }},
      {"conv_transpose2d", {{1, 4, 3, 3}, {4, 3, 3, 2}, {6}}, [](const Tensors& x) {
         return F::conv_transpose2d(x[0], x[1], x[2], {2, 1}, {1, 0}, {1, 0}, 2, {1, 2});
       }},
      {"max_pool2d_ceil", {{2, 2, 5, 6}}, [](const Tensors& x) {
         return F::max_pool2d(x[0], {3, 2}, {2, 2}, {1, 1}, {1, 1}, true);
       }},
      {"max_pool1d", {{2, 3, 7}}, [](const Tensors& x) { return F::max_pool1d(x[0], 2, 1, 1); }},
      {"avg_pool2d_ceil_exclude_pad", {{2, 2, 5, 6}}, [](const Tensors& x) {
         return F::avg_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}, true, false);
       }},
      {"avg_pool1d", {{2, 3, 7}}, [](const Tensors& x) { return F::avg_pool1d(x[0], 3, 2, 1); }},
      {"adaptive_avg_pool2d", {{2, 3, 5, 7}}, [](const Tensors& x) { return F::adaptive_avg_pool2d(x[0], {3, 4}); }},
      {"adaptive_max_pool2d", {{2, 3, 5, 7}}, [](const Tensors& x) { return F::adaptive_max_pool2d(x[0], {2, 3}); }},
      {"group_norm", {{2, 4, 3}, {4}, {4}}, [](const Tensors& x) { return F::group_norm(x[0], 2, x[1], x[2]); }},
      {"instance_norm", {{2, 3, 4}, {3}, {3}}, [](const Tensors& x) {
         return F::instance_norm(x[0], {}, {}, x[1], x[2]);
       }},
      {"local_response_norm", {{2, 5, 3}}, [](const Tensors& x) { return F::local_response_norm(x[0], 3, 0.3, 0.7, 1.2); }},
      {"sdpa_causal", {{2, 3, 4}, {2, 3, 4}, {2, 3, 2}}, [](const Tensors& x) {
         return F::scaled_dot_product_attention(x[0], x[1], x[2], {}, 0.0, true);
       }},
      {"sdpa_masks", {{2, 2, 4}, {2, 3, 4}, {2, 3, 2}, {2, 3}}, [](const Tensors& x) {
         return F::scaled_dot_product_attention(x[0], x[1], x[2], x[3]) +
                F::scaled_dot_product_attention(x[0], x[1], x[2], tensor({true, false, true, true, true, false}).view({2, 3}));
       }},
      {"mse", {{3, 4}, {3, 4}}, [](const Tensors& x) { return F::mse_loss(x[0], x[1]); }},
      {"l1", {{3, 4}, {3, 4}}, [](const Tensors& x) { return F::l1_loss(x[0], x[1], Reduction::sum); }},
      {"smooth_l1", {{3, 4}, {3, 4}}, [](const Tensors& x) { return F::smooth_l1_loss(x[0], x[1], Reduction::mean, 0.5); }},
      {"huber", {{3, 4}, {3, 4}}, [](const Tensors& x) { return F::huber_loss(x[0], x[1], Reduction::none, 0.7); }},
      {"cross_entropy", {{4, 3}, {3}}, [](const Tensors& x) {
         return F::cross_entropy(x[0], labels({0, 2, 1, 2}), {.weight = x[1].abs() + 0.5, .ignore_index = 1,
                                                               .label_smoothing = 0.2});
       }},
      {"cross_entropy_probs", {{4, 3}, {4, 3}}, [](const Tensors& x) {
         return F::cross_entropy(x[0], F::softmax(x[1], 1), {.label_smoothing = 0.1});
       }},
      {"cross_entropy_spatial", {{2, 3, 2}}, [](const Tensors& x) {
         return F::cross_entropy(x[0], labels({0, 2, 1, 1}).view({2, 2}));
       }},
      {"nll", {{4, 3}}, [](const Tensors& x) { return F::nll_loss(x[0], labels({0, 2, 1, 2})); }},
      {"pad_constant", {{2, 3, 4}}, [](const Tensors& x) { return F::pad(x[0], {1, 2, -1, 1}, "constant", 0.5); }},
      {"pad_reflect", {{1, 2, 4, 5}}, [](const Tensors& x) { return F::pad(x[0], {2, 1, 1, 2}, "reflect"); }},
      {"pad_replicate", {{2, 3, 4}}, [](const Tensors& x) { return F::pad(x[0], {3, 1}, "replicate"); }},
      {"pad_circular", {{1, 2, 3, 4}}, [](const Tensors& x) { return F::pad(x[0], {1, 4, 3, 0}, "circular"); }},
      {"pixel_shuffle", {{2, 8, 3, 2}}, [](const Tensors& x) { return F::pixel_shuffle(x[0], 2); }},
      {"pixel_unshuffle", {{1, 2, 4, 6}}, [](const Tensors& x) { return F::pixel_unshuffle(x[0], 2); }},
      {"bce", {{3, 4}, {3, 4}}, [](const Tensors& x) { return F::binary_cross_entropy(x[0], x[1]); }, true},
      {"bce_logits", {{3, 4}, {3, 4}, {4}}, [](const Tensors& x) {
         return F::binary_cross_entropy_with_logits(x[0], x[1].sigmoid(), {}, x[2].abs());
       }},
      {"kl_div", {{3, 4}, {3, 4}}, [](const Tensors& x) {
         return F::kl_div(F::log_softmax(x[0], 1), F::softmax(x[1], 1), Reduction::mean, false, true);
       }},
      {"kl_div_log_target", {{3, 4}, {3, 4}}, [](const Tensors& x) {
         return F::kl_div(F::log_softmax(x[0], 1), F::log_softmax(x[1], 1), Reduction::sum, true);
       }},
      {"cosine_embedding", {{4, 5}, {4, 5}}, [](const Tensors& x) {
         return F::cosine_embedding_loss(x[0], x[1], f64({1, -1, 1, -1}), -0.9);
       }},
      {"margin_ranking", {{6}, {6}}, [](const Tensors& x) {
         return F::margin_ranking_loss(x[0], x[1], f64({1, -1, 1, -1, 1, 1}), 0.3);
       }},
      {"triplet", {{4, 5}, {4, 5}, {4, 5}}, [](const Tensors& x) {
         return F::triplet_margin_loss(x[0], x[1], x[2], 3.0, 2.0, 1e-6, true);
       }},
      {"hinge_embedding", {{2, 3}}, [](const Tensors& x) {
         return F::hinge_embedding_loss(x[0], f64({1, -1, 0, -1, 1, 2}).view({2, 3}), 0.5, Reduction::sum);
       }},
      {"soft_margin", {{2, 3}}, [](const Tensors& x) {
         return F::soft_margin_loss(x[0], f64({1, -1, -1, 1, 1, -1}).view({2, 3}));
       }},
      {"multi_margin", {{3, 4}}, [](const Tensors& x) { return F::multi_margin_loss(x[0], labels({0, 3, 1})); }},
      {"multi_margin_p2_weight", {{3, 4}}, [](const Tensors& x) {
         return F::multi_margin_loss(x[0], labels({2, 2, 0}), 2, 0.8, f64({0.5, 1, 2, 1.5}), Reduction::none);
       }},
      {"multilabel_margin", {{2, 4}}, [](const Tensors& x) {
         return F::multilabel_margin_loss(x[0], labels({3, 0, -1, 2, 1, -1, 0, 0}).view({2, 4}));
       }},
      {"poisson_nll", {{3, 4}, {3, 4}}, [](const Tensors& x) { return F::poisson_nll_loss(x[0], x[1] + 2); }},
      {"poisson_nll_rate_full", {{3, 4}}, [](const Tensors& x) {
         return F::poisson_nll_loss(x[0], f64({0, 1, 2, 3, 4, 5, 0, 2, 7, 1, 1, 3}).view({3, 4}),
                                    {.log_input = false, .full = true});
       }, true},
      {"conv3d", {{2, 2, 3, 4, 3}, {3, 2, 2, 2, 2}, {3}}, [](const Tensors& x) {
         return F::conv3d(x[0], x[1], x[2], {1, 2, 1}, {1, 0, 1}, {1, 1, 2}, 1);
       }},
      {"conv3d_groups", {{1, 4, 3, 3, 3}, {2, 2, 2, 1, 2}}, [](const Tensors& x) {
         return F::conv3d(x[0], x[1], {}, {2}, {1}, {1}, 2);
       }},
      {"max_pool3d", {{1, 2, 4, 3, 4}}, [](const Tensors& x) { return F::max_pool3d(x[0], {2}, {1, 2, 2}, {1, 0, 1}); }},
      {"avg_pool3d_exclude_pad", {{1, 2, 3, 4, 3}}, [](const Tensors& x) {
         return F::avg_pool3d(x[0], {2, 3, 2}, {2}, {1}, true, false);
       }},
      // CTC on raw log-probabilities: the recursion's own gradient (PyTorch's assumes a log_softmax before).
      {"ctc", {{5, 2, 4}}, [](const Tensors& x) {
         return F::ctc_loss(x[0], tensor(std::vector<int64_t>{1, 2, 2, 3, 0, 0}).view({2, 3}),
                            tensor(std::vector<int64_t>{5, 4}), tensor(std::vector<int64_t>{3, 1}));
       }},
      {"ctc_sum_strided", {{4, 6}}, [](const Tensors& x) {
         return F::ctc_loss(F::log_softmax(x[0].t(), 1), tensor(std::vector<int64_t>{2, 1}), tensor(std::vector<int64_t>{6}),
                            tensor(std::vector<int64_t>{2}), 0, Reduction::sum);
       }},
      {"gaussian_nll", {{3, 4}, {3, 4}, {3, 4}}, [](const Tensors& x) {
         return F::gaussian_nll_loss(x[0], x[1], x[2], true);
       }, true},
      {"gaussian_nll_per_row", {{3, 4}, {3, 4}, {3}}, [](const Tensors& x) {
         return F::gaussian_nll_loss(x[0], x[1], x[2], false, 1e-6, Reduction::none);
       }, true},
      {"rms_norm", {{2, 3, 4}, {3, 4}}, [](const Tensors& x) { return F::rms_norm(x[0], {3, 4}, x[1]); }},
      {"rms_norm_no_weight", {{3, 4}}, [](const Tensors& x) { return F::rms_norm(x[0].t(), {3}, {}, 1e-3); }},
      {"conv_transpose1d", {{2, 4, 5}, {4, 3, 3}, {6}}, [](const Tensors& x) {
         return F::conv_transpose1d(x[0], x[1], x[2], 2, 1, 1, 2);
       }},
      {"avg_pool2d_divisor", {{1, 2, 5, 4}}, [](const Tensors& x) {
         return F::avg_pool2d(x[0], {3, 2}, {2, 1}, {1, 1}, true, true, 4);
       }},
      {"glu", {{3, 4}}, [](const Tensors& x) { return F::glu(x[0].t(), 0); }},
      {"rotary_embedding", {{2, 5, 6}}, [](const Tensors& x) { return F::rotary_embedding(x[0], 100.0, 3); }},
      {"interp_nearest", {{1, 2, 3, 4}}, [](const Tensors& x) { return F::interpolate(x[0], {.scale_factor = {1.7}}); }},
      {"interp_linear_corners", {{2, 2, 4}}, [](const Tensors& x) {
         return F::interpolate(x[0], {.size = {7}, .mode = "linear", .align_corners = true});
       }},
      {"interp_bilinear", {{1, 2, 3, 4}}, [](const Tensors& x) {
         return F::interpolate(x[0], {.size = {5, 3}, .mode = "bilinear"});
       }},
      {"interp_bicubic", {{1, 1, 3, 4}}, [](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {2, 1.5}, .mode = "bicubic"});
       }},
      {"interp_trilinear", {{1, 1, 2, 3, 2}}, [](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {2}, .mode = "trilinear", .align_corners = true});
       }},
      {"interp_area", {{1, 2, 5, 4}}, [](const Tensors& x) { return F::interpolate(x[0], {.size = {2, 3}, .mode = "area"}); }},
  };
  return table;
}

Tensors make_inputs(const NnGradCase& c) {
  Tensors inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    Generator gen(1000 + i);
    Tensor t = rand(c.shapes[i], {.dtype = kFloat64}, &gen);
    t = c.positive ? t * 0.8 + 0.1 : t * 4 - 2;
    inputs.push_back(t.detach().requires_grad_());
  }
  return inputs;
}

class NnGradcheck : public ::testing::TestWithParam<NnGradCase> {};

TEST_P(NnGradcheck, FirstOrder) {
  EXPECT_NO_THROW(autograd::gradcheck(GetParam().fn, make_inputs(GetParam())));
}

TEST_P(NnGradcheck, SecondOrder) {
  EXPECT_NO_THROW(autograd::gradgradcheck(GetParam().fn, make_inputs(GetParam())));
}

void PrintTo(const NnGradCase& c, std::ostream* out) { *out << c.name; }

INSTANTIATE_TEST_SUITE_P(Layers, NnGradcheck, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace

namespace {

// Modules with their own parameters: gradcheck over the input and every
// parameter (perturbed in place, so the module sees the changes).
template <class M, class Fn>
void check_module(M& module, const Tensor& x, Fn run, bool second_order = false) {
  module.to(kFloat64);
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : module.parameters()) inputs.push_back(p);
  const auto fn = [&](const std::vector<Tensor>& in) { return run(in[0]); };
  EXPECT_NO_THROW(autograd::gradcheck(fn, inputs));
  if (second_order) {
    EXPECT_NO_THROW(autograd::gradgradcheck(fn, inputs));
  }
}

Tensor input(IntArrayRef shape) { return randn(shape, {.dtype = kFloat64}).requires_grad_(); }

Tensor joined(std::initializer_list<Tensor> parts) {
  std::vector<Tensor> flat;
  for (const Tensor& t : parts) flat.push_back(t.reshape({-1}));
  return cat(flat);
}

TEST(NnGradcheckModules, RecurrentLayers) {
  manual_seed(11);
  nn::LSTM lstm(3, 2, {.num_layers = 2, .bidirectional = true});
  check_module(lstm, input({3, 2, 3}), [&](const Tensor& x) {
    auto [o, h, c] = lstm.forward_lstm(x);
    return joined({o, h, c});
  });
  nn::GRU gru(2, 3, {.batch_first = true, .bidirectional = true});
  check_module(gru, input({2, 3, 2}), [&](const Tensor& x) {
    auto [o, h] = gru.forward(x, {});
    return joined({o, h});
  }, true);
  nn::LSTM projected(2, 3, {.num_layers = 2, .bidirectional = true, .proj_size = 2});
  check_module(projected, input({3, 2, 2}), [&](const Tensor& x) {
    auto [o, h, c] = projected.forward_lstm(x);
    return joined({o, h, c});
  });
  nn::RNN rnn(2, 3, {.num_layers = 2});
  check_module(rnn, input({4, 2, 2}), [&](const Tensor& x) { return rnn(x); });
}

TEST(NnGradcheckModules, Cells) {
  manual_seed(12);
  nn::LSTMCell lstm(3, 2);
  check_module(lstm, input({2, 3}), [&](const Tensor& x) {
    auto [h, c] = lstm.forward(x, {}, {});
    return joined({h, c});
  });
  nn::GRUCell gru(3, 2);
  check_module(gru, input({2, 3}), [&](const Tensor& x) { return gru(x); }, true);
  nn::RNNCell rnn(3, 2);
  check_module(rnn, input({2, 3}), [&](const Tensor& x) { return rnn(x); });
}

TEST(NnGradcheckModules, AttentionWithMasks) {
  manual_seed(14);
  nn::MultiheadAttention mha(4, 2, {.batch_first = true});
  const Tensor padding = tensor({false, false, true, false, false, false}).view({2, 3});
  check_module(mha, input({2, 3, 4}), [&](const Tensor& x) {
    auto [out, w] = mha.forward(x, x, x, {.key_padding_mask = padding, .is_causal = true});
    return joined({out, w});
  }, true);
  nn::MultiheadAttention cross(4, 2, {.add_bias_kv = true, .add_zero_attn = true, .kdim = 3, .vdim = 5});
  const Tensor keys = randn({3, 2, 3}, {.dtype = kFloat64}), values = randn({3, 2, 5}, {.dtype = kFloat64});
  check_module(cross, input({2, 2, 4}), [&](const Tensor& x) {
    auto [out, w] = cross.forward(x, keys, values);
    return joined({out, w});
  });
  for (const char* positions : {"rope", "alibi"}) {
    SCOPED_TRACE(positions);
    nn::MultiheadAttention relative(4, 2, {.positions = positions});
    check_module(relative, input({3, 2, 4}), [&](const Tensor& x) {
      auto [out, w] = relative.forward(x, x, x, {.is_causal = true});
      return joined({out, w});
    });
  }
  nn::TransformerEncoderLayer gated(4, 2, {.dim_feedforward = 3, .dropout = 0.0, .activation = "swiglu"});
  check_module(gated, input({2, 2, 4}), [&](const Tensor& x) { return gated(x); });
  nn::TransformerDecoderLayer layer(4, 2, {.dim_feedforward = 6, .dropout = 0.0, .norm_first = true});
  const Tensor memory = randn({3, 2, 4}, {.dtype = kFloat64});
  check_module(layer, input({2, 2, 4}), [&](const Tensor& x) {
    return layer.forward(x, memory, {.tgt_mask = nn::Transformer::generate_square_subsequent_mask(2, {.dtype = kFloat64})});
  });
}

TEST(NnGradcheckModules, ConvolutionPaddingModes) {
  manual_seed(15);
  for (const char* mode : {"reflect", "replicate", "circular"}) {
    SCOPED_TRACE(mode);
    nn::Conv2d conv(2, 3, {3, 2}, {.stride = {2, 1}, .padding = {1, 1}, .padding_mode = mode});
    check_module(conv, input({1, 2, 4, 5}), [&](const Tensor& x) { return conv(x); });
    nn::Conv1d same(2, 2, 4, {.padding = nn::Padding::same, .padding_mode = mode});
    check_module(same, input({2, 2, 6}), [&](const Tensor& x) { return same(x); }, true);
  }
  nn::ConvTranspose1d transposed(3, 2, 3, {.stride = 2});
  check_module(transposed, input({2, 3, 4}), [&](const Tensor& x) { return transposed(x); }, true);
}

TEST(NnGradcheckModules, NormsInTrainAndEval) {
  manual_seed(13);
  nn::BatchNorm2d bn(3);
  check_module(bn, input({2, 3, 2, 2}), [&](const Tensor& x) { return bn(x); });
  bn.eval();
  check_module(bn, input({2, 3, 2, 2}), [&](const Tensor& x) { return bn(x); }, true);
  nn::BatchNorm1d cumulative(3, 1e-5, std::nullopt);
  check_module(cumulative, input({4, 3}), [&](const Tensor& x) { return cumulative(x); });
  nn::RMSNorm rms({2, 2});
  check_module(rms, input({3, 2, 2}), [&](const Tensor& x) { return rms(x); }, true);
  nn::InstanceNorm1d in(2, 1e-5, 0.1, true, true);
  check_module(in, input({2, 2, 4}), [&](const Tensor& x) { return in(x); });
  in.eval();
  check_module(in, input({2, 2, 4}), [&](const Tensor& x) { return in(x); });
}

}  // namespace
