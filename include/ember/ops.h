// The op library as free functions (ember::add(a, b) == a.add(b) == a + b).
// Names, arguments, defaults, broadcasting and type promotion follow PyTorch.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/elementwise_ops.h"
#include "ember/tensor.h"

namespace ember {

// ---- type promotion --------------------------------------------------------
// The dtype PyTorch would compute `a op b` in (tensors of dim > 0 outrank
// 0-dim tensors, which outrank Python-like scalars, category by category).
Dtype result_type(const Tensor& a, const Tensor& b);
Dtype result_type(const Tensor& a, Scalar b);

// ---- elementwise, broadcasting ----------------------------------------------
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha = 1);  // a + alpha * b
Tensor add(const Tensor& a, Scalar b, Scalar alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha = 1);  // a - alpha * b
Tensor sub(const Tensor& a, Scalar b, Scalar alpha = 1);
// The regular binary ops (mul, div, ...; the list is in ember/elementwise_ops.h).
#define EMBER_DECLARE_BINARY(name)              \
  Tensor name(const Tensor& a, const Tensor& b); \
  Tensor name(const Tensor& a, Scalar b);
EMBER_BINARY_OPS(EMBER_DECLARE_BINARY)
#undef EMBER_DECLARE_BINARY
// Rounded division: rounding_mode "trunc" (toward zero) or "floor" (= floor_divide);
// integers stay integers, and the gradient is zero.
Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode);
Tensor div(const Tensor& a, Scalar b, const std::string& rounding_mode);
Tensor pow(const Tensor& a, const Tensor& exponent);
Tensor pow(const Tensor& a, Scalar exponent);
Tensor pow(Scalar a, const Tensor& exponent);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, Scalar b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, Scalar b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, Scalar b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, Scalar b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, Scalar b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, Scalar b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
// cond ? a : b, all three broadcast together.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, Scalar b);
Tensor where(const Tensor& cond, Scalar a, const Tensor& b);
Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value);
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = {});
// Bounds that broadcast with x (either may be undefined, not both): min(max(x, min), max),
// so where min > max the result is max. The gradient goes to x where min <= x <= max.
Tensor clamp(const Tensor& x, const Tensor& min, const Tensor& max);
// start + weight (end - start), computed as end - (end - start)(1 - weight) where |weight| >= 0.5.
Tensor lerp(const Tensor& start, const Tensor& end, Scalar weight);
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);
Tensor addcmul(const Tensor& x, const Tensor& t1, const Tensor& t2, Scalar value = 1);  // x + value t1 t2
Tensor addcdiv(const Tensor& x, const Tensor& t1, const Tensor& t2, Scalar value = 1);  // x + value t1 / t2

// ---- comparison and inspection -------------------------------------------------
Tensor isnan(const Tensor& x);  // bool; integers are never NaN nor infinite
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);
// NaN -> nan, +inf -> posinf, -inf -> neginf (defaults: the dtype's largest and lowest finite).
Tensor nan_to_num(const Tensor& x, double nan = 0.0, std::optional<double> posinf = {},
                  std::optional<double> neginf = {});
// |a - b| <= atol + rtol |b| elementwise (and a == b, which covers infinities); NaNs are
// close only with equal_nan. a and b must have one dtype.
Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);  // same shape and every element equal (NaN never is)

// Unary math: neg, abs, sqrt, exp, ..., as listed in ember/elementwise_ops.h.
#define EMBER_DECLARE_UNARY(name) Tensor name(const Tensor& x);
EMBER_UNARY_OPS(EMBER_DECLARE_UNARY)
#undef EMBER_DECLARE_UNARY

// ---- reductions --------------------------------------------------------------
// Empty `dims` reduces over all dims. Integer and bool sums give int64.
Tensor sum(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor prod(const Tensor& x, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor amax(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);  // {values, indices}
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x);  // over all elements
Tensor min(const Tensor& x);
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor var(const Tensor& x, IntArrayRef dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, IntArrayRef dims = {}, int64_t correction = 1, bool keepdim = false);
// p in {inf, -inf, 0, any > 0}; p-norm over dims (all when empty).
Tensor norm(const Tensor& x, double p = 2, IntArrayRef dims = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor all(const Tensor& x, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor any(const Tensor& x, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor cumsum(const Tensor& x, int64_t dim);
Tensor cumprod(const Tensor& x, int64_t dim);       // integers widen to int64, as cumsum
Tensor logcumsumexp(const Tensor& x, int64_t dim);  // log of the running sum of e^x, without overflow

// ---- linear algebra -------------------------------------------------------------
// matmul: 1-D @ 1-D dot, 2-D @ 2-D mm, and batched with broadcast batch dims.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);    // (N,K) @ (K,M)
Tensor bmm(const Tensor& a, const Tensor& b);   // (B,N,K) @ (B,K,M)
Tensor outer(const Tensor& a, const Tensor& b); // (N) x (M) -> (N,M)
Tensor dot(const Tensor& a, const Tensor& b);
// Contractions of any number of operands, as PyTorch (left to right): "ij,jk->ik", "bij,bjk->bik",
// "ii->i", "ij->", "...ij,...jk" (an ellipsis broadcasts), "ij,jk,kl->il". Size-1 dims broadcast.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);

// ---- sliding windows (convolution and pooling are built on these) -----------------
// Every kernel window of x (N, C, H, W) as a column: (N, C*kh*kw, out_h*out_w).
// Window (oh, ow) at offset (i, j) reads row oh*stride_h - padding_top + i*dilation_h
// (likewise for columns); reads outside x give pad_value. All arguments are pairs (h, w);
// out_size is given by the caller (it depends on ceil_mode and padding rules).
Tensor im2col(const Tensor& x, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
              IntArrayRef out_size, double pad_value = 0.0);
// The adjoint of im2col: sums the columns back into an (N, C, H, W) image of image_size (h, w).
Tensor col2im(const Tensor& cols, IntArrayRef image_size, IntArrayRef kernel, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, IntArrayRef out_size);

// 2-D convolution of x (N, C, H, W) by weight (O, C/groups, kh, kw), plus bias (O) when
// defined: output (N, O, out_h, out_w). Window placement as for im2col (top/left padding;
// bottom/right padding is what out_size implies). nn::functional::conv2d and conv1d are
// built on it. float32 runs on oneDNN's convolution primitives, chosen by conv_algorithm().
Tensor convolution(const Tensor& x, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, int64_t groups, IntArrayRef out_size);
// How float32 convolutions run: automatic (Winograd for 3x3 stride-1 layers with at least
// 64 channels in and out, oneDNN's direct primitive otherwise), gemm (im2col + matrix
// product, as float64 always does), direct, or winograd (where the shape allows it,
// direct elsewhere). A process-wide setting; results agree to float32 rounding.
enum class ConvAlgorithm : uint8_t { automatic, gemm, direct, winograd };
void set_conv_algorithm(ConvAlgorithm algorithm);
ConvAlgorithm conv_algorithm();

// Batch normalization of x (N, C, *) per channel: (x - mean) / sqrt(var + eps) * weight + bias
// (weight, bias optional). Training: the batch's statistics, and the running ones (when
// given) move towards them by `momentum`; otherwise the running statistics.
// nn::functional::batch_norm is built on it.
Tensor native_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                         const Tensor& running_var, bool training, double momentum, double eps);
// Layer normalization over the trailing dims of x that equal normalized_shape:
// (x - mean) / sqrt(var + eps) * weight + bias (weight, bias of normalized_shape, optional).
// nn::functional::layer_norm is built on it.
Tensor native_layer_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                         double eps);

// ---- joining and splitting ---------------------------------------------------------
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& split_sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);  // x.select(dim, i) for every i
// Elements shifted by shifts[k] along dims[k], wrapping around; no dims: over the flattened x.
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims = {});
// The lower (tril) or upper (triu) triangle of the last two dims, the rest zero: tril keeps
// column - row <= diagonal, triu keeps column - row >= diagonal.
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);

// ---- indexing ----------------------------------------------------------------------------
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, Scalar value);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor& scatter_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor& scatter_add_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index(const Tensor& x, const Tensor& indices);
// NumPy's advanced indexing, as x[i0, :, i2] in Python: one entry per leading
// dim of x, an index tensor (integers, negative from the end, or bool masks,
// which stand for their nonzero coordinates) or an undefined Tensor for a whole
// dim (":"). The index tensors broadcast together to a shape B; the result has
// B where the indexed dims were when they are adjacent, else in front.
Tensor index(const Tensor& x, const std::vector<Tensor>& indices);
// x with x[indices] = values (values broadcast to the indexed shape); with
// accumulate the values are added, duplicates included. As torch.index_put.
Tensor index_put(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate = false);
Tensor& index_put_(Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate = false);
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor nonzero(const Tensor& x);  // (N, x.dim()) int64 coordinates, row-major order
std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true);
std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false, bool stable = false);
Tensor argsort(const Tensor& x, int64_t dim = -1, bool descending = false, bool stable = false);
Tensor one_hot(const Tensor& indices, int64_t num_classes = -1);  // int64
Tensor repeat(const Tensor& x, IntArrayRef repeats);
Tensor flip(const Tensor& x, IntArrayRef dims);
// gather along dim with x and indices broadcast in the other dims; no dim: over both flattened.
Tensor take_along_dim(const Tensor& x, const Tensor& indices, std::optional<int64_t> dim = {});
// Each element (slice along dim; no dim: of the flattened x) repeated `repeats` times, or
// repeats[i] times for element i (a 1-D integer tensor of x.size(dim) entries, or one).
Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> dim = {});
Tensor repeat_interleave(const Tensor& x, const Tensor& repeats, std::optional<int64_t> dim = {});
Tensor repeat_interleave(const Tensor& repeats);  // i repeated repeats[i] times: the indices of the above
// x with the positions where mask (bool, broadcast to x) is true filled by source's first
// elements in row-major order.
Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source);

}  // namespace ember
