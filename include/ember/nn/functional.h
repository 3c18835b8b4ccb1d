// nn::functional (alias F): the stateless form of the layers and losses, with
// PyTorch's names, arguments and defaults. All are differentiable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ember/generator.h"
#include "ember/tensor.h"

namespace ember::nn {

enum class Reduction { none, mean, sum };
// Convolution padding by name: valid (none) or same (output size = input size).
enum class Padding { valid, same };

namespace functional {

// ---- linear, dropout, embedding -------------------------------------------------
// y = x W^T + b;  x: (*, in)  W: (out, in)  b: (out)
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});
// y = x1^T W x2 + b;  x1: (*, in1)  x2: (*, in2)  W: (out, in1, in2)
Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias = {});
// Zeroes each element with probability p in training and scales the rest by 1/(1-p).
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* generator = nullptr);
// Zeroes whole channels: x (N, C, *) -> one draw per (n, c).
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true, Generator* generator = nullptr);
// Rows of weight (num, dim) picked by integer indices; padding_idx rows get no gradient.
// max_norm: the rows looked up are first rescaled in place (in weight) to a
// norm_type-norm of at most max_norm, as PyTorch.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx = {},
                 std::optional<double> max_norm = {}, double norm_type = 2.0);

// ---- convolution and pooling (built on im2col/col2im and the library GEMM) ------------
// x: (N, C, H, W) or (C, H, W); weight: (O, C/groups, kh, kw); bias: (O).
// stride, padding, dilation are (h, w) pairs; padding is added on both sides.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = {1, 1},
              IntArrayRef padding = {0, 0}, IntArrayRef dilation = {1, 1}, int64_t groups = 1);
// Padding::same needs stride 1; an odd total padding goes to the bottom/right, as PyTorch.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, IntArrayRef stride, Padding padding,
              IntArrayRef dilation = {1, 1}, int64_t groups = 1);
// x: (N, C, L) or (C, L); weight: (O, C/groups, k).
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, int64_t stride = 1,
              int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1);
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, Padding padding,
              int64_t dilation = 1, int64_t groups = 1);
// 3-D convolution: x (N, C, D, H, W) or (C, D, H, W); weight (O, C/groups, kd, kh, kw); stride,
// padding and dilation one size or (d, h, w). Composed of conv2d over each depth offset.
Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = {1},
              IntArrayRef padding = {0}, IntArrayRef dilation = {1}, int64_t groups = 1);
// 3-D pooling (sizes one or (d, h, w); stride empty: the kernel), PyTorch's shape and divisor rules.
Tensor max_pool3d(const Tensor& x, IntArrayRef kernel, IntArrayRef stride = {}, IntArrayRef padding = {0},
                  IntArrayRef dilation = {1}, bool ceil_mode = false);
Tensor avg_pool3d(const Tensor& x, IntArrayRef kernel, IntArrayRef stride = {}, IntArrayRef padding = {0},
                  bool ceil_mode = false, bool count_include_pad = true, std::optional<int64_t> divisor_override = {});
// The gradient of conv2d with respect to its input, as a layer. weight: (C, O/groups, kh, kw).
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = {1, 1},
                        IntArrayRef padding = {0, 0}, IntArrayRef output_padding = {0, 0}, int64_t groups = 1,
                        IntArrayRef dilation = {1, 1});
// weight (in, out/groups, k); x (N, C, L) or (C, L).
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, int64_t stride = 1,
                        int64_t padding = 0, int64_t output_padding = 0, int64_t groups = 1, int64_t dilation = 1);
// stride defaults to the kernel size (an empty stride).
Tensor max_pool2d(const Tensor& x, IntArrayRef kernel, IntArrayRef stride = {}, IntArrayRef padding = {0, 0},
                  IntArrayRef dilation = {1, 1}, bool ceil_mode = false);
// {values, indices}: indices are flat positions h * W + w in each input plane.
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, IntArrayRef kernel, IntArrayRef stride = {},
                                                  IntArrayRef padding = {0, 0}, IntArrayRef dilation = {1, 1},
                                                  bool ceil_mode = false);
Tensor max_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride = {}, int64_t padding = 0,
                  int64_t dilation = 1, bool ceil_mode = false);
// divisor_override: every window's sum is divided by it instead of the window's size.
Tensor avg_pool2d(const Tensor& x, IntArrayRef kernel, IntArrayRef stride = {}, IntArrayRef padding = {0, 0},
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = {});
Tensor avg_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride = {}, int64_t padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);
// Output cell i covers input [floor(i In / Out), ceil((i + 1) In / Out)).
Tensor adaptive_avg_pool2d(const Tensor& x, IntArrayRef output_size);
Tensor adaptive_avg_pool1d(const Tensor& x, int64_t output_size);
Tensor adaptive_max_pool2d(const Tensor& x, IntArrayRef output_size);

// ---- padding and rearranging --------------------------------------------------------
// pad = (left, right) of the last dim, then of the one before, ...; mode "constant" (value;
// negative pads crop), "reflect" (pads < the dim's size), "replicate" or "circular" (pads <= the
// size). Non-constant modes pad 1 to 3 trailing dims of an input with one or two more dims.
Tensor pad(const Tensor& x, IntArrayRef pad, const std::string& mode = "constant", double value = 0.0);
// ---- resampling ----------------------------------------------------------------------
struct InterpolateOptions {
  std::vector<int64_t> size = {};          // output spatial size: one for every dim, or one per dim
  std::vector<double> scale_factor = {};   // or output = floor(input * factor), one or one per dim
  std::string mode = "nearest";            // nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area
  std::optional<bool> align_corners = {};  // interpolating modes: corner pixels' centres align (default false)
  std::optional<bool> recompute_scale_factor = {};  // true: resample by in / out, not by the factor
};
// x: (N, C, L), (N, C, H, W) or (N, C, D, H, W), as torch.nn.functional.interpolate
// (no antialias). linear needs 3-D input, bilinear and bicubic 4-D, trilinear 5-D.
Tensor interpolate(const Tensor& x, const InterpolateOptions& options);

// (*, C r^2, H, W) -> (*, C, H r, W r) and back.
Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor);
Tensor pixel_unshuffle(const Tensor& x, int64_t downscale_factor);

// ---- attention ---------------------------------------------------------------------
// softmax(q k^T * scale + mask) v;  q: (..., L, E), k: (..., S, E), v: (..., S, Ev).
// attn_mask broadcasts to (..., L, S): bool (true = may attend) or float (added).
// is_causal: position i attends to j <= i only. scale defaults to 1/sqrt(E).
// Long sequences (L * S above 2^16 score entries per head) run blockwise, as below.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask = {},
                                    double dropout_p = 0.0, bool is_causal = false,
                                    std::optional<double> scale = {}, Generator* generator = nullptr);
// The same, block_rows queries at a time, forward and backward (which recomputes
// each block's scores): memory grows with block_rows * S, not L * S. The
// dropout masks are regenerated per block from one draw of the generator.
Tensor scaled_dot_product_attention_blockwise(const Tensor& q, const Tensor& k, const Tensor& v,
                                              const Tensor& attn_mask = {}, double dropout_p = 0.0,
                                              bool is_causal = false, std::optional<double> scale = {},
                                              Generator* generator = nullptr, int64_t block_rows = 128);

// Rotary position embedding (RoPE, the rotate-half form): x (..., len, D), D
// even; position p (from `offset`) rotates each pair (x_i, x_{i + D/2}) by the
// angle p * base^(-2i / D).
Tensor rotary_embedding(const Tensor& x, double base = 10000.0, int64_t offset = 0);
// ALiBi's attention bias (heads, L, S): -slope_h |i - j|, with the paper's
// geometric slopes (2^(-8 / heads), its powers; interleaved for other head counts).
Tensor alibi_bias(int64_t heads, int64_t L, int64_t S, TensorOptions options = {});
std::vector<double> alibi_slopes(int64_t heads);

// ---- activations ------------------------------------------------------------------
Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
// approximate: "none" (exact, with erf) or "tanh"
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
Tensor silu(const Tensor& x);
Tensor mish(const Tensor& x);
Tensor hardswish(const Tensor& x);
Tensor hardsigmoid(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// weight: one value, or one per channel (dim 1 of x)
Tensor prelu(const Tensor& x, const Tensor& weight);
// a * sigmoid(b) for the halves a, b of x along dim (PyTorch's F.glu).
Tensor glu(const Tensor& x, int64_t dim = -1);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

// ---- normalization ----------------------------------------------------------------
// x: (N, C, *). Training: batch statistics, and the running ones (if given)
// move by momentum with the unbiased variance. Eval: the running statistics.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight = {},
                  const Tensor& bias = {}, bool training = false, double momentum = 0.1, double eps = 1e-5);
// Normalizes over the last normalized_shape.size() dims.
// x / sqrt(mean(x^2) + eps) * weight over the trailing normalized dims; eps defaults to the
// dtype's machine epsilon (torch.finfo(dtype).eps), as PyTorch's.
Tensor rms_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight = {},
                std::optional<double> eps = {});
Tensor layer_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

// x: (N, C, *); statistics per sample over groups of C / num_groups channels.
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);
// x: (N, C, *); statistics per sample and channel. With use_input_stats and
// running statistics given, those move by momentum (mean over the batch).
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = {}, const Tensor& running_var = {},
                     const Tensor& weight = {}, const Tensor& bias = {}, bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);
// x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta
Tensor local_response_norm(const Tensor& x, int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);

// ---- losses (input first, target second) ------------------------------------------------
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                      double beta = 1.0);
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                  double delta = 1.0);
struct CrossEntropyOptions {
  Tensor weight = {};          // (C) class weights
  int64_t ignore_index = -100;
  double label_smoothing = 0.0;
  Reduction reduction = Reduction::mean;
};
// input: logits (N, C) or (N, C, d...); target: class indices (N) / (N, d...)
// or class probabilities of input's shape. Stable: log_softmax inside.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options = {});
// input: log-probabilities (N, C) or (N, C, d...); target: class indices.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {}, int64_t ignore_index = -100,
                Reduction reduction = Reduction::mean);
// input: probabilities in [0, 1]; log terms are clamped at -100 as PyTorch does.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::mean);
// Stable from logits; pos_weight weighs the positive term (broadcast over the last dim).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, Reduction reduction = Reduction::mean);
// input: log-probabilities; target: probabilities (or log-probabilities with log_target).
// batchmean: the sum divided by the batch size (the mathematically right KL).
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean, bool log_target = false,
              bool batchmean = false);
Tensor cosine_embedding_loss(const Tensor& x1, const Tensor& x2, const Tensor& target, double margin = 0.0,
                             Reduction reduction = Reduction::mean);
Tensor margin_ranking_loss(const Tensor& x1, const Tensor& x2, const Tensor& target, double margin = 0.0,
                           Reduction reduction = Reduction::mean);
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin = 1.0,
                           double p = 2.0, double eps = 1e-6, bool swap = false, Reduction reduction = Reduction::mean);
// ||x1 - x2 + eps||_p over the last dim
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2.0, double eps = 1e-6);
// x where y = 1, max(0, margin - x) where y = -1 (other labels get both terms, as PyTorch)
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                            Reduction reduction = Reduction::mean);
// log(1 + e^(-y x)) for labels y = +-1
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
// input (N, C) or (C); target: a class index per sample. Per sample
// sum over j != y of w[y] max(0, margin - x[y] + x[j])^p / C, with p 1 or 2.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p = 1, double margin = 1.0,
                         const Tensor& weight = {}, Reduction reduction = Reduction::mean);
// Connectionist temporal classification (CTC) loss: -log of the probability
// of each target over all its alignments to the input (blank between and
// around labels, repeats merged). log_probs (T, N, C) (log_softmax output; or
// (T, C) for one sample); targets (N, S) padded or 1-D one after another;
// lengths: one integer per sample. mean divides each loss by its target
// length (at least 1) before averaging, as PyTorch's. A target that cannot
// be aligned costs inf (zero_infinity: 0, with zero gradient).
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank = 0, Reduction reduction = Reduction::mean,
                bool zero_infinity = false);
// input (N, C) or (C); target: class indices of input's shape, the sample's labels first, ended
// by the first negative entry. Per sample sum over labels j and non-labels k of
// max(0, 1 - (x[j] - x[k])) / C.
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
struct PoissonNLLOptions {
  bool log_input = true;  // input is log(rate): e^x - t x; else x - t log(x + eps)
  bool full = false;      // add Stirling's t log t - t + log(2 pi t) / 2 where t > 1
  double eps = 1e-8;
  Reduction reduction = Reduction::mean;
};
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLOptions& options = {});
// (log v + (x - t)^2 / v) / 2 with v = max(var, eps) (the clamp passes gradients straight through,
// as PyTorch's). var has input's shape, or input's without its last dim, or with it as 1.
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full = false,
                         double eps = 1e-6, Reduction reduction = Reduction::mean);

}  // namespace functional
}  // namespace ember::nn

namespace ember {
namespace F = nn::functional;
}
