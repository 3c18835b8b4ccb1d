// PyTorch parity for every layer and loss: each case of tests/golden/nn.txt
// (made by make_nn_fixtures.py) loads PyTorch's state dict into the Ember
// module (strict, so parameter names and shapes must match), runs forward in
// the same mode, and compares the output, the buffers after forward, and the
// gradients of inputs and parameters. float32, tolerance 1e-5 relative.
#include <ember/ember.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>

#include "fixture_format.h"

using namespace ember;

namespace {

using Tensors = std::vector<Tensor>;
using ModulePtr = std::shared_ptr<nn::Module>;

struct NnCase {
  std::function<ModulePtr()> make;                               // null for functional cases
  std::function<Tensor(nn::Module*, const Tensors&)> run = {};  // default: module forward(x[0])
};

template <class M, class... Args>
std::function<ModulePtr()> make(Args... args) {
  return [=] { return std::make_shared<M>(args...); };
}

std::function<Tensor(nn::Module*, const Tensors&)> fn(std::function<Tensor(const Tensors&)> f) {
  return [f](nn::Module*, const Tensors& x) { return f(x); };
}

const double kInf = std::numeric_limits<double>::infinity();

Tensor flat(std::initializer_list<Tensor> parts) {
  std::vector<Tensor> flattened;
  for (const Tensor& t : parts) flattened.push_back(t.reshape({-1}));
  return cat(flattened);
}

template <class M>
M& as(nn::Module* m) {
  return *static_cast<M*>(m);
}

// THE nn table: one row per case in make_nn_fixtures.py.
const std::map<std::string, NnCase>& nn_table() {
  using nn::Reduction;
  static const std::map<std::string, NnCase> table = {
      {"identity", {make<nn::Identity>()}},
      {"linear", {make<nn::Linear>(5, 3)}},
      {"linear_nobias_3d", {make<nn::Linear>(5, 3, false)}},
      {"bilinear", {make<nn::Bilinear>(3, 4, 2), [](nn::Module* m, const Tensors& x) {
                      return static_cast<nn::Bilinear*>(m)->forward(x[0], x[1]);
                    }}},
      {"flatten", {make<nn::Flatten>()}},
      {"unflatten", {make<nn::Unflatten>(1, Shape{3, 4})}},
      {"relu", {make<nn::ReLU>()}},
      {"relu6", {make<nn::ReLU6>()}},
      {"leaky_relu", {make<nn::LeakyReLU>(0.2)}},
      {"elu", {make<nn::ELU>(0.7)}},
      {"selu", {make<nn::SELU>()}},
      {"gelu", {make<nn::GELU>()}},
      {"gelu_tanh", {make<nn::GELU>(std::string("tanh"))}},
      {"silu", {make<nn::SiLU>()}},
      {"mish", {make<nn::Mish>()}},
      {"hardswish", {make<nn::Hardswish>()}},
      {"hardsigmoid", {make<nn::Hardsigmoid>()}},
      {"sigmoid", {make<nn::Sigmoid>()}},
      {"tanh", {make<nn::Tanh>()}},
      {"softplus", {make<nn::Softplus>(2.0, 3.0)}},
      {"softmax", {make<nn::Softmax>(int64_t{1})}},
      {"log_softmax", {make<nn::LogSoftmax>(int64_t{0})}},
      {"prelu", {make<nn::PReLU>()}},
      {"prelu_channels", {make<nn::PReLU>(int64_t{4}, 0.1)}},
      {"dropout_eval", {make<nn::Dropout>(0.5)}},
      {"batchnorm1d_train", {make<nn::BatchNorm1d>(int64_t{4})}},
      {"batchnorm1d_3d_train", {make<nn::BatchNorm1d>(int64_t{3}, 1e-5, 0.3)}},
      {"batchnorm1d_eval", {make<nn::BatchNorm1d>(int64_t{4})}},
      {"batchnorm2d_train", {make<nn::BatchNorm2d>(int64_t{3})}},
      {"batchnorm2d_eval", {make<nn::BatchNorm2d>(int64_t{3}, 1e-3)}},
      {"batchnorm2d_no_affine", {make<nn::BatchNorm2d>(int64_t{3}, 1e-5, 0.1, false)}},
      {"batchnorm1d_no_stats_eval", {make<nn::BatchNorm1d>(int64_t{4}, 1e-5, 0.1, true, false)}},
      {"layernorm", {make<nn::LayerNorm>(Shape{4, 5})}},
      {"layernorm_no_affine", {make<nn::LayerNorm>(Shape{5}, 1e-5, false)}},
      {"embedding", {make<nn::Embedding>(int64_t{10}, int64_t{3})}},
      {"embedding_padding", {make<nn::Embedding>(int64_t{10}, int64_t{3}, std::optional<int64_t>(2))}},
      {"embedding_max_norm", {make<nn::Embedding>(int64_t{6}, int64_t{4}, std::optional<int64_t>(),
                                                  std::optional<double>(1.0), 1.0)}},
      {"conv2d", {make<nn::Conv2d>(3, 4, nn::Size2(3))}},
      {"conv2d_stride_pad_dilation",
       {make<nn::Conv2d>(2, 4, nn::Size2(3, 2), nn::Conv2dOptions{.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}})}},
      {"conv2d_groups_nobias", {make<nn::Conv2d>(4, 6, nn::Size2(3), nn::Conv2dOptions{.groups = 2, .bias = false})}},
      {"conv2d_depthwise", {make<nn::Conv2d>(3, 3, nn::Size2(3), nn::Conv2dOptions{.padding = 1, .groups = 3})}},
      {"conv2d_same_even_kernel",
       {make<nn::Conv2d>(2, 3, nn::Size2(4, 3), nn::Conv2dOptions{.padding = nn::Padding::same})}},
      {"conv2d_unbatched", {make<nn::Conv2d>(2, 3, nn::Size2(2))}},
      {"conv2d_3x3_16ch", {make<nn::Conv2d>(16, 16, nn::Size2(3), nn::Conv2dOptions{.padding = 1})}},
      {"conv1d", {make<nn::Conv1d>(3, 5, 3, nn::Conv1dOptions{.stride = 2, .padding = 1})}},
      {"conv1d_same_dilation",
       {make<nn::Conv1d>(2, 2, 3, nn::Conv1dOptions{.padding = nn::Padding::same, .dilation = 2})}},
      {"conv_transpose2d", {make<nn::ConvTranspose2d>(3, 2, nn::Size2(3),
                                                      nn::ConvTranspose2dOptions{.stride = 2, .padding = 1,
                                                                                 .output_padding = 1})}},
      {"conv_transpose2d_groups_dilation",
       {make<nn::ConvTranspose2d>(4, 6, nn::Size2(2), nn::ConvTranspose2dOptions{.groups = 2, .dilation = 2})}},
      {"max_pool2d", {make<nn::MaxPool2d>(nn::Size2(2))}},
      {"max_pool2d_ceil_pad_dilation",
       {make<nn::MaxPool2d>(nn::Size2(3), nn::MaxPool2dOptions{.stride = nn::Size2(2), .padding = 1,
                                                               .dilation = {1, 2}, .ceil_mode = true})}},
      {"max_pool1d", {make<nn::MaxPool1d>(3, nn::MaxPool1dOptions{.stride = 2, .ceil_mode = true})}},
      {"avg_pool2d", {make<nn::AvgPool2d>(nn::Size2(2))}},
      {"avg_pool2d_ceil_pad",
       {make<nn::AvgPool2d>(nn::Size2(3), nn::AvgPool2dOptions{.stride = nn::Size2(2), .padding = 1, .ceil_mode = true})}},
      {"avg_pool2d_exclude_pad",
       {make<nn::AvgPool2d>(nn::Size2(3, 2), nn::AvgPool2dOptions{.stride = nn::Size2(2, 1), .padding = 1,
                                                                  .ceil_mode = true, .count_include_pad = false})}},
      {"avg_pool1d", {make<nn::AvgPool1d>(3, nn::AvgPool1dOptions{.stride = 2, .padding = 1})}},
      {"adaptive_avg_pool2d", {make<nn::AdaptiveAvgPool2d>(nn::Size2(3, 2))}},
      {"adaptive_avg_pool2d_global", {make<nn::AdaptiveAvgPool2d>(nn::Size2(1))}},
      {"adaptive_avg_pool1d", {make<nn::AdaptiveAvgPool1d>(4)}},
      {"adaptive_max_pool2d", {make<nn::AdaptiveMaxPool2d>(nn::Size2(2, 3))}},
      {"max_pool2d_indices", {nullptr, fn([](const Tensors& x) {
         return F::max_pool2d_with_indices(x[0], {3, 3}, {2, 2}, {1, 1}).second;
       })}},
      {"group_norm", {make<nn::GroupNorm>(int64_t{2}, int64_t{4})}},
      {"group_norm_no_affine_4d", {make<nn::GroupNorm>(int64_t{3}, int64_t{6}, 1e-3, false)}},
      {"instance_norm2d", {make<nn::InstanceNorm2d>(int64_t{3})}},
      {"instance_norm1d_affine_stats", {make<nn::InstanceNorm1d>(int64_t{3}, 1e-5, 0.1, true, true)}},
      {"instance_norm2d_eval_stats", {make<nn::InstanceNorm2d>(int64_t{3}, 1e-5, 0.1, false, true)}},
      {"local_response_norm", {make<nn::LocalResponseNorm>(int64_t{3}, 0.1, 0.6, 1.5)}},
      {"local_response_norm_3d_even", {make<nn::LocalResponseNorm>(int64_t{4})}},
      {"rnn_tanh_2layers_batch_first",
       {make<nn::RNN>(3, 4, nn::RNNOptions{.num_layers = 2, .batch_first = true}), [](nn::Module* m, const Tensors& x) {
          auto [out, h] = as<nn::RNN>(m).forward(x[0], {});
          return flat({out, h});
        }}},
      {"rnn_relu_bidirectional_h0",
       {make<nn::RNN>(3, 4, nn::RNNOptions{.bidirectional = true, .nonlinearity = "relu"}),
        [](nn::Module* m, const Tensors& x) {
          auto [out, h] = as<nn::RNN>(m).forward(x[0], x[1]);
          return flat({out, h});
        }}},
      {"lstm_2layers_bidirectional",
       {make<nn::LSTM>(3, 4, nn::RNNOptions{.num_layers = 2, .bidirectional = true}),
        [](nn::Module* m, const Tensors& x) {
          auto [out, h, c] = as<nn::LSTM>(m).forward_lstm(x[0], x[1], x[2]);
          return flat({out, h, c});
        }}},
      {"lstm_unbatched_no_bias", {make<nn::LSTM>(3, 2, nn::RNNOptions{.bias = false}), [](nn::Module* m, const Tensors& x) {
         auto [out, h, c] = as<nn::LSTM>(m).forward_lstm(x[0]);
         return flat({out, h, c});
       }}},
      {"gru_bidirectional_batch_first",
       {make<nn::GRU>(3, 4, nn::RNNOptions{.batch_first = true, .bidirectional = true}),
        [](nn::Module* m, const Tensors& x) {
          auto [out, h] = as<nn::GRU>(m).forward(x[0], {});
          return flat({out, h});
        }}},
      {"gru_2layers", {make<nn::GRU>(2, 3, nn::RNNOptions{.num_layers = 2}), [](nn::Module* m, const Tensors& x) {
         auto [out, h] = as<nn::GRU>(m).forward(x[0], {});
         return flat({out, h});
       }}},
      {"rnn_cell", {make<nn::RNNCell>(3, 4), [](nn::Module* m, const Tensors& x) {
         return as<nn::RNNCell>(m).forward(x[0], x[1]);
       }}},
      {"lstm_cell", {make<nn::LSTMCell>(3, 4), [](nn::Module* m, const Tensors& x) {
         auto [h, c] = as<nn::LSTMCell>(m).forward(x[0], x[1], x[2]);
         return flat({h, c});
       }}},
      {"gru_cell", {make<nn::GRUCell>(3, 4), [](nn::Module* m, const Tensors& x) {
         return as<nn::GRUCell>(m).forward(x[0], x[1]);
       }}},
      {"sdpa", {nullptr, fn([](const Tensors& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2]); })}},
      {"sdpa_causal", {nullptr, fn([](const Tensors& x) {
         return F::scaled_dot_product_attention(x[0], x[1], x[2], {}, 0.0, true);
       })}},
      {"sdpa_bool_mask", {nullptr, fn([](const Tensors& x) {
         return F::scaled_dot_product_attention(x[0], x[1], x[2], tensor({true, false, true, true, true, false}).view({2, 3}));
       })}},
      {"mha", {make<nn::MultiheadAttention>(8, 2), [](nn::Module* m, const Tensors& x) {
         auto [out, w] = as<nn::MultiheadAttention>(m).forward(x[0], x[1], x[2]);
         return flat({out, w});
       }}},
      {"mha_masks_batch_first",
       {make<nn::MultiheadAttention>(6, 3, nn::MultiheadAttentionOptions{.batch_first = true}),
        [](nn::Module* m, const Tensors& x) {
          const Tensor padding = tensor({false, false, false, true, false, true, false, false}).view({2, 4});
          const Tensor scores = tensor({0.0f, -1.0f, 0.5f, 0.0f}).view({1, 4}).expand({4, 4}).contiguous();
          auto [out, w] = as<nn::MultiheadAttention>(m).forward(
              x[0], x[0], x[0], {.key_padding_mask = padding, .attn_mask = scores, .average_attn_weights = false});
          return flat({out, w});
        }}},
      {"mha_bool_attn_mask_no_bias",
       {make<nn::MultiheadAttention>(4, 1, nn::MultiheadAttentionOptions{.bias = false}),
        [](nn::Module* m, const Tensors& x) {
          const Tensor future = gt(arange(3).view({1, 3}), arange(3).view({3, 1}));
          return as<nn::MultiheadAttention>(m).forward(x[0], x[0], x[0], {.attn_mask = future}).first;
        }}},
      {"encoder_layer_post_norm",
       {make<nn::TransformerEncoderLayer>(8, 2, nn::TransformerLayerOptions{.dim_feedforward = 16, .dropout = 0.0})}},
      {"encoder_layer_pre_norm_gelu_batch_first",
       {make<nn::TransformerEncoderLayer>(8, 4, nn::TransformerLayerOptions{.dim_feedforward = 12, .dropout = 0.3,
                                                                            .activation = "gelu", .batch_first = true,
                                                                            .norm_first = true}),
        [](nn::Module* m, const Tensors& x) {
          const Tensor padding = tensor({false, false, false, false, true, false, false, false, false, false}).view({2, 5});
          return as<nn::TransformerEncoderLayer>(m).forward(x[0], {}, padding);
        }}},
      {"decoder_layer",
       {make<nn::TransformerDecoderLayer>(6, 2, nn::TransformerLayerOptions{.dim_feedforward = 10, .dropout = 0.0}),
        [](nn::Module* m, const Tensors& x) {
          return as<nn::TransformerDecoderLayer>(m).forward(
              x[0], x[1], {.tgt_mask = nn::Transformer::generate_square_subsequent_mask(3)});
        }}},
      {"decoder_layer_pre_norm",
       {make<nn::TransformerDecoderLayer>(6, 3, nn::TransformerLayerOptions{.dim_feedforward = 8, .dropout = 0.0,
                                                                            .norm_first = true}),
        [](nn::Module* m, const Tensors& x) { return as<nn::TransformerDecoderLayer>(m).forward(x[0], x[1]); }}},
      {"encoder_stack_norm",
       {make<nn::TransformerEncoder>(4, 2, 2, nn::TransformerLayerOptions{.dim_feedforward = 8, .dropout = 0.0}, true)}},
      {"transformer",
       {make<nn::Transformer>(nn::TransformerOptions{
            .d_model = 4, .nhead = 2, .num_encoder_layers = 2, .num_decoder_layers = 1,
            .layer = {.dim_feedforward = 6, .dropout = 0.0}}),
        [](nn::Module* m, const Tensors& x) {
          return as<nn::Transformer>(m).forward(x[0], x[1],
                                                {.tgt_mask = nn::Transformer::generate_square_subsequent_mask(3)});
        }}},
      // losses
      {"mse", {nullptr, fn([](const Tensors& x) { return F::mse_loss(x[0], x[1]); })}},
      {"mse_sum", {nullptr, fn([](const Tensors& x) { return F::mse_loss(x[0], x[1], Reduction::sum); })}},
      {"l1_none", {nullptr, fn([](const Tensors& x) { return F::l1_loss(x[0], x[1], Reduction::none); })}},
      {"smooth_l1", {nullptr, fn([](const Tensors& x) { return F::smooth_l1_loss(x[0], x[1], Reduction::mean, 0.5); })}},
      {"huber", {nullptr, fn([](const Tensors& x) { return F::huber_loss(x[0], x[1], Reduction::mean, 0.7); })}},
      {"cross_entropy", {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1]); })}},
      {"cross_entropy_weight_ignore", {nullptr, fn([](const Tensors& x) {
         return F::cross_entropy(x[0], x[1], {.weight = x[2], .ignore_index = 1});
       })}},
      {"cross_entropy_smoothing",
       {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1], {.label_smoothing = 0.2}); })}},
      {"cross_entropy_smoothing_weight", {nullptr, fn([](const Tensors& x) {
         return F::cross_entropy(x[0], x[1], {.weight = x[2], .ignore_index = 0, .label_smoothing = 0.1});
       })}},
      {"cross_entropy_sum_none",
       {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1], {.reduction = Reduction::none}); })}},
      {"cross_entropy_spatial", {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1]); })}},
      {"cross_entropy_probs", {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1]); })}},
      {"cross_entropy_probs_smoothing", {nullptr, fn([](const Tensors& x) {
         return F::cross_entropy(x[0], x[1], {.weight = x[2], .label_smoothing = 0.3});
       })}},
      {"nll", {nullptr, fn([](const Tensors& x) { return F::nll_loss(x[0], x[1]); })}},
      {"nll_weight_sum",
       {nullptr, fn([](const Tensors& x) { return F::nll_loss(x[0], x[1], x[2], -100, Reduction::sum); })}},
      {"bce", {nullptr, fn([](const Tensors& x) { return F::binary_cross_entropy(x[0], x[1]); })}},
      {"bce_weight", {nullptr, fn([](const Tensors& x) { return F::binary_cross_entropy(x[0], x[1], x[2]); })}},
      {"bce_logits", {nullptr, fn([](const Tensors& x) { return F::binary_cross_entropy_with_logits(x[0], x[1]); })}},
      {"bce_logits_pos_weight", {nullptr, fn([](const Tensors& x) {
         return F::binary_cross_entropy_with_logits(x[0], x[1], {}, x[2]);
       })}},
      {"kl_div", {nullptr, fn([](const Tensors& x) { return F::kl_div(x[0], x[1]); })}},
      {"kl_div_batchmean_log_target",
       {nullptr, fn([](const Tensors& x) { return F::kl_div(x[0], x[1], Reduction::mean, true, true); })}},
      {"cosine_embedding", {nullptr, fn([](const Tensors& x) { return F::cosine_embedding_loss(x[0], x[1], x[2], 0.2); })}},
      {"margin_ranking", {nullptr, fn([](const Tensors& x) { return F::margin_ranking_loss(x[0], x[1], x[2], 0.3); })}},
      {"triplet", {nullptr, fn([](const Tensors& x) { return F::triplet_margin_loss(x[0], x[1], x[2]); })}},
      {"triplet_swap_p1", {nullptr, fn([](const Tensors& x) {
         return F::triplet_margin_loss(x[0], x[1], x[2], 0.5, 1.0, 1e-6, true);
       })}},
      // numerical edge cases: offsets of 1e4 (float32) and 1e300 (float64), probabilities
      // of exactly 0 and 1, every target ignored (a NaN loss with zero gradients)
      {"log_softmax_offset", {nullptr, fn([](const Tensors& x) { return F::log_softmax(x[0], 1); })}},
      {"log_softmax_huge_f64", {nullptr, fn([](const Tensors& x) { return F::log_softmax(x[0], 1); })}},
      {"cross_entropy_offset", {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1]); })}},
      {"bce_saturated", {nullptr, fn([](const Tensors& x) { return F::binary_cross_entropy(x[0], x[1]); })}},
      {"cross_entropy_all_ignored", {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1]); })}},
      {"cross_entropy_all_ignored_smoothing", {nullptr, fn([](const Tensors& x) {
         return F::cross_entropy(x[0], x[1], {.ignore_index = 2, .label_smoothing = 0.1});
       })}},
      {"cross_entropy_zero_weight",
       {nullptr, fn([](const Tensors& x) { return F::cross_entropy(x[0], x[1], {.weight = x[2]}); })}},
      {"pad_constant", {nullptr, fn([](const Tensors& x) { return F::pad(x[0], {1, 2, -1, 1}, "constant", 0.5); })}},
      {"pad_reflect_2d",
       {nullptr, fn([](const Tensors& x) { return F::pad(x[0].transpose(2, 3), {2, 1, 1, 2}, "reflect"); })}},
      {"pad_replicate_1d", {nullptr, fn([](const Tensors& x) { return F::pad(x[0], {3, 1}, "replicate"); })}},
      {"pad_circular_3d", {nullptr, fn([](const Tensors& x) { return F::pad(x[0], {1, 1, 2, 0, 1, 3}, "circular"); })}},
      {"pixel_shuffle", {make<nn::PixelShuffle>(int64_t{2})}},
      {"pixel_unshuffle", {nullptr, fn([](const Tensors& x) { return F::pixel_unshuffle(x[0].transpose(2, 3), 2); })}},
      // more losses, layer options and resampling
      {"hinge_embedding", {nullptr, fn([](const Tensors& x) { return F::hinge_embedding_loss(x[0], x[1], 0.7); })}},
      {"hinge_embedding_none_strided", {nullptr, fn([](const Tensors& x) {
         return F::hinge_embedding_loss(x[0].t(), x[1], 1.0, Reduction::none);
       })}},
      {"soft_margin", {nullptr, fn([](const Tensors& x) { return F::soft_margin_loss(x[0], x[1]); })}},
      {"multi_margin", {nullptr, fn([](const Tensors& x) { return F::multi_margin_loss(x[0], x[1]); })}},
      {"multi_margin_p2_weight_sum", {nullptr, fn([](const Tensors& x) {
         return F::multi_margin_loss(x[0].t(), x[1], 2, 0.5, x[2], Reduction::sum);
       })}},
      {"multi_margin_single_none", {nullptr, fn([](const Tensors& x) {
         return F::multi_margin_loss(x[0], x[1], 1, 1.0, {}, Reduction::none);
       })}},
      {"multilabel_margin", {nullptr, fn([](const Tensors& x) { return F::multilabel_margin_loss(x[0], x[1]); })}},
      {"multilabel_margin_single_none", {nullptr, fn([](const Tensors& x) {
         return F::multilabel_margin_loss(x[0], x[1], Reduction::none);
       })}},
      {"poisson_nll", {nullptr, fn([](const Tensors& x) { return F::poisson_nll_loss(x[0], x[1]); })}},
      {"poisson_nll_rate_full_sum", {nullptr, fn([](const Tensors& x) {
         return F::poisson_nll_loss(x[0], x[1], {.log_input = false, .full = true, .reduction = Reduction::sum});
       })}},
      {"gaussian_nll", {nullptr, fn([](const Tensors& x) { return F::gaussian_nll_loss(x[0], x[1], x[2]); })}},
      {"gaussian_nll_per_row_full_none", {nullptr, fn([](const Tensors& x) {
         return F::gaussian_nll_loss(x[0], x[1], x[2], true, 1e-6, Reduction::none);
       })}},
      {"mse_broadcast_target", {nullptr, fn([](const Tensors& x) {
         const WarningHandler previous = set_warning_handler([](const std::string&) {});  // the expected warning
         const Tensor loss = F::mse_loss(x[0], x[1]);
         set_warning_handler(previous);
         return loss;
       })}},
      {"rms_norm", {nullptr, fn([](const Tensors& x) { return F::rms_norm(x[0], {4, 5}, x[1], 1e-6); })}},
      {"rms_norm_default_eps_strided",
       {nullptr, fn([](const Tensors& x) { return F::rms_norm(x[0].transpose(0, 1), {3}); })}},
      {"batchnorm1d_cumulative", {make<nn::BatchNorm1d>(int64_t{4}, 1e-5, std::nullopt), [](nn::Module* m, const Tensors& x) {
         auto& bn = as<nn::BatchNorm1d>(m);
         return flat({bn(x[0].narrow(0, 0, 4)), bn(x[0].narrow(0, 4, 8)), bn(x[0])});
       }}},
      {"avg_pool2d_divisor",
       {make<nn::AvgPool2d>(nn::Size2(3), nn::AvgPool2dOptions{.stride = nn::Size2(2), .padding = 1, .ceil_mode = true,
                                                               .divisor_override = 5})}},
      {"conv2d_reflect",
       {make<nn::Conv2d>(2, 3, nn::Size2(3), nn::Conv2dOptions{.padding = {1, 2}, .padding_mode = "reflect"})}},
      {"conv2d_circular_same_dilation",
       {make<nn::Conv2d>(2, 2, nn::Size2(4, 3), nn::Conv2dOptions{.padding = nn::Padding::same, .dilation = {1, 2},
                                                                  .padding_mode = "circular"})}},
      {"conv1d_replicate_stride",
       {make<nn::Conv1d>(3, 4, 3, nn::Conv1dOptions{.stride = 2, .padding = 2, .padding_mode = "replicate"})}},
      {"conv_transpose1d",
       {make<nn::ConvTranspose1d>(3, 4, 3, nn::ConvTranspose1dOptions{.stride = 2, .padding = 1, .output_padding = 1})}},
      {"conv_transpose1d_groups_dilation_unbatched",
       {make<nn::ConvTranspose1d>(4, 6, 2, nn::ConvTranspose1dOptions{.groups = 2, .bias = false, .dilation = 2})}},
      {"interp_nearest_scale2", {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.scale_factor = {2}}); })}},
      {"interp_nearest_scale_1_7",
       {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.scale_factor = {1.7}}); })}},
      {"interp_nearest_recompute", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {1.7}, .recompute_scale_factor = true});
       })}},
      {"interp_nearest_down", {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.size = {3, 5}}); })}},
      {"interp_nearest_exact", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0], {.size = {5, 3}, .mode = "nearest-exact"});
       })}},
      {"interp_linear",
       {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.size = {7}, .mode = "linear"}); })}},
      {"interp_linear_corners", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {2.5}, .mode = "linear", .align_corners = true});
       })}},
      {"interp_bilinear", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {1.5, 2}, .mode = "bilinear"});
       })}},
      {"interp_bilinear_corners_down_strided", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0].transpose(2, 3), {.size = {3, 4}, .mode = "bilinear", .align_corners = true});
       })}},
      {"interp_bilinear_scale_1_7", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {1.7}, .mode = "bilinear"});
       })}},
      {"interp_bicubic",
       {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.size = {7, 5}, .mode = "bicubic"}); })}},
      {"interp_bicubic_corners", {nullptr, fn([](const Tensors& x) {
         return F::interpolate(x[0], {.scale_factor = {2}, .mode = "bicubic", .align_corners = true});
       })}},
      {"interp_bicubic_down",
       {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.size = {3, 2}, .mode = "bicubic"}); })}},
      {"interp_trilinear",
       {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.size = {3, 4, 5}, .mode = "trilinear"}); })}},
      {"interp_area", {nullptr, fn([](const Tensors& x) { return F::interpolate(x[0], {.size = {2, 3}, .mode = "area"}); })}},
      {"upsample_bilinear", {make<nn::Upsample>(F::InterpolateOptions{.scale_factor = {2}, .mode = "bilinear"})}},
      {"upsampling_bilinear2d", {make<nn::UpsamplingBilinear2d>(F::InterpolateOptions{.size = {5, 4}})}},
      {"upsampling_nearest2d", {make<nn::UpsamplingNearest2d>(F::InterpolateOptions{.scale_factor = {3}})}},
      {"mha_kdim_vdim", {make<nn::MultiheadAttention>(6, 2, nn::MultiheadAttentionOptions{.kdim = 4, .vdim = 5}),
                         [](nn::Module* m, const Tensors& x) {
                           auto [out, w] = as<nn::MultiheadAttention>(m).forward(x[0], x[1], x[2]);
                           return flat({out, w});
                         }}},
      {"mha_bias_kv_zero_attn_masks",
       {make<nn::MultiheadAttention>(
            4, 2, nn::MultiheadAttentionOptions{.batch_first = true, .add_bias_kv = true, .add_zero_attn = true}),
        [](nn::Module* m, const Tensors& x) {
          const Tensor padding = tensor({false, false, true, false, false, false}).view({2, 3});
          const Tensor scores = tensor({0.0f, -1.0f, 0.5f}).view({1, 3}).expand({3, 3}).contiguous();
          auto [out, w] = as<nn::MultiheadAttention>(m).forward(
              x[0], x[0], x[0], {.key_padding_mask = padding, .attn_mask = scores, .average_attn_weights = false});
          return flat({out, w});
        }}},
      {"lstm_proj_2layers_bidirectional",
       {make<nn::LSTM>(3, 5, nn::RNNOptions{.num_layers = 2, .bidirectional = true, .proj_size = 2}),
        [](nn::Module* m, const Tensors& x) {
          auto [out, h, c] = as<nn::LSTM>(m).forward_lstm(x[0], x[1], x[2]);
          return flat({out, h, c});
        }}},
      {"lstm_proj_batch_first_no_bias",
       {make<nn::LSTM>(3, 4, nn::RNNOptions{.bias = false, .batch_first = true, .proj_size = 3}),
        [](nn::Module* m, const Tensors& x) {
          auto [out, h, c] = as<nn::LSTM>(m).forward_lstm(x[0]);
          return flat({out, h, c});
        }}},
      {"glu_strided", {nullptr, fn([](const Tensors& x) { return F::glu(x[0].t(), 0); })}},
      {"mha_rope_causal", {make<nn::MultiheadAttention>(8, 2, nn::MultiheadAttentionOptions{.positions = "rope"}),
                           [](nn::Module* m, const Tensors& x) {
                             auto [out, w] = as<nn::MultiheadAttention>(m).forward(x[0], x[0], x[0], {.is_causal = true});
                             return flat({out, w});
                           }}},
      {"mha_alibi", {make<nn::MultiheadAttention>(6, 3, nn::MultiheadAttentionOptions{.positions = "alibi"}),
                     [](nn::Module* m, const Tensors& x) {
                       auto [out, w] = as<nn::MultiheadAttention>(m).forward(x[0], x[0], x[0]);
                       return flat({out, w});
                     }}},
      {"encoder_layer_swiglu", {make<nn::TransformerEncoderLayer>(
                                   8, 2, nn::TransformerLayerOptions{.dim_feedforward = 12, .dropout = 0.0,
                                                                     .activation = "swiglu"})}},
      {"encoder_layer_geglu_pre_norm",
       {make<nn::TransformerEncoderLayer>(8, 4, nn::TransformerLayerOptions{.dim_feedforward = 6, .dropout = 0.0,
                                                                            .activation = "geglu", .norm_first = true})}},
      {"mha_zero_attn_unbatched",
       {make<nn::MultiheadAttention>(4, 1, nn::MultiheadAttentionOptions{.add_zero_attn = true}),
        [](nn::Module* m, const Tensors& x) { return as<nn::MultiheadAttention>(m).forward(x[0], x[0], x[0]).first; }}},
      {"ctc_padded_mean",
       {nullptr, fn([](const Tensors& x) { return F::ctc_loss(F::log_softmax(x[0], 2), x[1], x[2], x[3]); })}},
      {"ctc_concatenated_sum_blank_last", {nullptr, fn([](const Tensors& x) {
         return F::ctc_loss(F::log_softmax(x[0], 2), x[1], x[2], x[3], 4, Reduction::sum);
       })}},
      {"ctc_zero_infinity_none_empty_target", {nullptr, fn([](const Tensors& x) {
         return F::ctc_loss(F::log_softmax(x[0], 2), x[1], x[2], x[3], 0, Reduction::none, true);
       })}},
      {"ctc_unbatched_strided",
       {nullptr, fn([](const Tensors& x) { return F::ctc_loss(F::log_softmax(x[0].t(), 1), x[1], x[2], x[3]); })}},
      {"conv3d", {make<nn::Conv3d>(2, 4, nn::Size3(2, 3, 2),
                                   nn::Conv3dOptions{.stride = nn::Size3(2, 1, 1), .padding = nn::Size3(1, 1, 0),
                                                     .dilation = nn::Size3(1, 1, 2)})}},
      {"conv3d_groups_unbatched",
       {make<nn::Conv3d>(4, 2, nn::Size3(3), nn::Conv3dOptions{.padding = 1, .groups = 2, .bias = false})}},
      {"max_pool3d", {make<nn::MaxPool3d>(nn::Size3(2, 3, 2), nn::MaxPool3dOptions{.stride = nn::Size3(1, 2, 2),
                                                                                 .padding = nn::Size3(1, 1, 0)})}},
      {"max_pool3d_ceil_dilation",
       {make<nn::MaxPool3d>(nn::Size3(2), nn::MaxPool3dOptions{.stride = nn::Size3(2), .dilation = nn::Size3(2, 1, 1),
                                                               .ceil_mode = true})}},
      {"avg_pool3d", {make<nn::AvgPool3d>(nn::Size3(3), nn::AvgPool3dOptions{.stride = nn::Size3(2), .padding = 1})}},
      {"avg_pool3d_exclude_pad_ceil",
       {make<nn::AvgPool3d>(nn::Size3(2, 3, 3), nn::AvgPool3dOptions{.stride = nn::Size3(2), .padding = 1,
                                                                     .ceil_mode = true, .count_include_pad = false})}},
      {"avg_pool3d_divisor_strided",
       {nullptr, fn([](const Tensors& x) { return F::avg_pool3d(x[0].transpose(2, 4), {2}, {}, {0}, false, true, 3); })}},
  };
  (void)kInf;
  return table;
}

struct Fixture {
  bool train = true;
  nn::StateDict params;
  Tensors inputs;
  Tensor output, cotangent;
  std::vector<std::pair<std::string, Tensor>> buffers_after;
  std::map<int, Tensor> input_grads;
  std::map<std::string, Tensor> param_grads;
};

std::map<std::string, Fixture> load() {
  std::ifstream file(EMBER_GOLDEN_DIR "/nn.txt");
  EXPECT_TRUE(file.good()) << "missing " EMBER_GOLDEN_DIR "/nn.txt";
  std::map<std::string, Fixture> out;
  Fixture* f = nullptr;
  for (std::string line; std::getline(file, line);) {
    std::istringstream in(line);
    std::string kind, name;
    in >> kind;
    if (kind == "case") {
      in >> name;
      f = &out[name];
    } else if (kind == "mode") {
      in >> name;
      f->train = name == "train";
    } else if (kind == "param") {
      in >> name;
      f->params.push_back({name, fixtures::parse_tensor(in)});
    } else if (kind == "in") {
      f->inputs.push_back(fixtures::parse_tensor(in));
    } else if (kind == "out") {
      f->output = fixtures::parse_tensor(in);
    } else if (kind == "buffer") {
      in >> name;
      f->buffers_after.push_back({name, fixtures::parse_tensor(in)});
    } else if (kind == "cot") {
      f->cotangent = fixtures::parse_tensor(in);
    } else if (kind == "grad_in") {
      int index;
      in >> index;
      f->input_grads[index] = fixtures::parse_tensor(in);
    } else if (kind == "grad_param") {
      in >> name;
      f->param_grads[name] = fixtures::parse_tensor(in);
    }
  }
  return out;
}

const std::map<std::string, Fixture>& fixtures_by_name() {
  static const auto loaded = load();
  return loaded;
}

constexpr double kTol = 1e-5;

// `atol_scale`: the absolute tolerance is kTol times this times the largest
// magnitude in the expected tensor (1 = plain kTol for every element).
void check_against_pytorch(const std::string& name, double atol_scale = 0) {
  const auto atol = [&](const Tensor& want) {
    return atol_scale == 0 ? kTol : kTol * atol_scale * std::max(1.0, want.abs().max().item<double>());
  };
  const NnCase& c = nn_table().at(name);
  auto it = fixtures_by_name().find(name);
  ASSERT_NE(it, fixtures_by_name().end()) << name << " has no fixture";
  const Fixture& f = it->second;

  ModulePtr module = c.make ? c.make() : nullptr;
  if (module) {
    module->load_state_dict(f.params);  // strict: names and shapes are PyTorch's
    module->train(f.train);
  }
  Tensors inputs;
  for (size_t i = 0; i < f.inputs.size(); ++i)
    inputs.push_back(f.input_grads.count(static_cast<int>(i)) ? f.inputs[i].clone().requires_grad_() : f.inputs[i]);
  const Tensor out = c.run ? c.run(module.get(), inputs) : module->forward(inputs[0]);
  EXPECT_EQ(fixtures::compare(out, f.output, atol(f.output), kTol), "") << "output";
  if (module) {
    std::map<std::string, Tensor> buffers;
    for (auto& [key, value] : module->named_buffers()) buffers[key] = value;
    for (const auto& [key, want] : f.buffers_after) {
      ASSERT_TRUE(buffers.count(key)) << "buffer " << key;
      EXPECT_EQ(fixtures::compare(buffers[key].to(want.dtype()), want, atol(want), kTol), "") << "buffer " << key;
    }
  }
  if (!f.cotangent.defined()) return;
  Tensors wrt;
  std::vector<std::string> labels;
  for (const auto& [index, g] : f.input_grads) wrt.push_back(inputs[static_cast<size_t>(index)]), labels.push_back("input " + std::to_string(index));
  if (module)
    for (auto& [key, p] : module->named_parameters()) wrt.push_back(p), labels.push_back("parameter " + key);
  ASSERT_EQ(wrt.size(), f.input_grads.size() + f.param_grads.size()) << "parameter count differs from PyTorch's";
  const Tensors grads = autograd::grad({out}, wrt, {f.cotangent}, {}, false, true);
  size_t k = 0;
  for (const auto& [index, want] : f.input_grads) {
    const Tensor g = grads[k].defined() ? grads[k] : zeros_like(want);
    EXPECT_EQ(fixtures::compare(g, want, atol(want), kTol), "") << labels[k];
    ++k;
  }
  if (module)
    for (auto& [key, p] : module->named_parameters()) {
      ASSERT_TRUE(f.param_grads.count(key)) << "PyTorch has no parameter " << key;
      const Tensor& want = f.param_grads.at(key);
      const Tensor g = grads[k].defined() ? grads[k] : zeros_like(want);
      EXPECT_EQ(fixtures::compare(g, want, atol(want), kTol), "") << labels[k];
      ++k;
    }
}

class NnParity : public ::testing::TestWithParam<std::string> {};

TEST_P(NnParity, MatchesPyTorch) { check_against_pytorch(GetParam()); }

std::string algorithm_name(ConvAlgorithm a) {
  switch (a) {
    case ConvAlgorithm::automatic: return "automatic";
    case ConvAlgorithm::gemm: return "gemm";
    case ConvAlgorithm::direct: return "direct";
    case ConvAlgorithm::winograd: return "winograd";
  }
  return "unknown";
}

// Each way a float32 convolution can run, forced, on every convolution case.
class ConvAlgorithmParity : public ::testing::TestWithParam<ConvAlgorithm> {
 protected:
  void TearDown() override { set_conv_algorithm(ConvAlgorithm::automatic); }
};

TEST_P(ConvAlgorithmParity, ConvolutionCasesMatchPyTorch) {
  set_conv_algorithm(GetParam());
  for (const auto& [name, c] : nn_table()) {
    if (name.rfind("conv", 0) != 0 || name.rfind("conv_transpose", 0) == 0) continue;
    SCOPED_TRACE(name);
    // Winograd's transforms round differently from a direct sum: its error is
    // relative to the largest value of a result (about 1e-6 of it here), so a
    // near-zero element of a large gradient can be off by more than 1e-5 of itself.
    check_against_pytorch(name, GetParam() == ConvAlgorithm::winograd ? 1.0 : 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ConvAlgorithmParity,
                         ::testing::Values(ConvAlgorithm::gemm, ConvAlgorithm::direct, ConvAlgorithm::winograd),
                         [](const auto& info) { return algorithm_name(info.param); });

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& [name, c] : nn_table()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Layers, NnParity, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

TEST(NnParityTable, TableAndFixturesNameTheSameCases) {
  for (const auto& [name, c] : nn_table()) EXPECT_TRUE(fixtures_by_name().count(name)) << name << " has no fixture";
  for (const auto& [name, f] : fixtures_by_name()) EXPECT_TRUE(nn_table().count(name)) << name << " has no table row";
}

}  // namespace
