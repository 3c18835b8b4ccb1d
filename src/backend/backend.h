// The narrow kernel interface every device implements. Ops (src/ops) do shape
// rules, type promotion and broadcasting, then call exactly one of these with
// outputs already allocated; kernels never allocate results themselves.
#pragma once

#include <array>
#include <optional>
#include <span>

#include "backend/elementwise_math.h"
#include "backend/optimizer_rules.h"
#include "ember/generator.h"
#include "ember/scalar.h"
#include "ember/tensor.h"

namespace ember {

enum class ReduceOp : uint8_t { sum, prod, amax, amin, all, any };
enum class ScanOp : uint8_t { sum, prod, logsumexp };
enum class RandomKind : uint8_t { uniform, normal, randint, bernoulli };

// Where a sliding window (convolution, pooling) reads a (H, W) image: output
// position (oh, ow) and kernel offset (i, j) read row oh*stride_h - pad_top + i*dilation_h
// (likewise for columns); reads outside the image give `pad_value`.
struct WindowGeometry {
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w;
  int64_t out_h, out_w;
};

// A 2-D convolution: the window geometry plus groups and the algorithm asked for.
struct ConvGeometry {
  WindowGeometry window;
  int64_t groups = 1;
  bool winograd = false;  // the Winograd algorithm (3x3, stride 1); direct otherwise
};

// Every kernel, declared once: its return type, name, parameters, and the
// arguments that forward them. The Backend interface below, the CPU kernels'
// declarations and their binding (backend/cpu), and the meta backend's no-ops
// are all generated from this list.
#define EMBER_BACKEND_KERNELS(X)                                                                                \
  /* dst = src converted to dst's dtype; same shape, any strides (negative too). Both on this backend's      \
     device, or one of them on the CPU: the transfer between host and this device (the op picks the          \
     non-CPU side's backend); non_blocking lets it return before the transfer is done. */                    \
  X(void, copy, (const Tensor& dst, const Tensor& src, bool non_blocking), (dst, src, non_blocking))          \
  X(void, fill, (const Tensor& dst, Scalar value), (dst, value))                                              \
  /* out[i] = start + i * step; with `end` set, the second half counts back from it                          \
     (out[i] = end - (n - 1 - i) * step) so linspace hits both ends exactly. */                              \
  X(void, range, (const Tensor& out, double start, double step, std::optional<double> end),                   \
    (out, start, step, end))                                                                                  \
                                                                                                              \
  /* out = op(x) (backend/elementwise_math.h); same shape and dtype (logical_not: out is bool). */           \
  X(void, unary, (UnaryOp op, const Tensor& out, const Tensor& x), (op, out, x))                              \
  /* out = op(a, alpha * b) for add/sub, op(a, b) otherwise. a and b have out's shape (broadcast views)      \
     and one dtype; comparisons and logical ops write bool. */                                               \
  X(void, binary, (BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha),           \
    (op, out, a, b, alpha))                                                                                   \
  X(void, clamp, (const Tensor& out, const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi),    \
    (out, x, lo, hi))                                                                                         \
  /* out = cond ? a : b; all of out's shape; cond bool, a and b of out's dtype. */                           \
  X(void, where, (const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b), (out, cond, a, b)) \
                                                                                                              \
  /* x: (O, I) any strides, out: (O) contiguous. out[o] = reduce(x[o, :]). Or x: contiguous (A, R, B),       \
     out: (A * B). out[a * B + b] = reduce(x[a, :, b]). */                                                   \
  X(void, reduce, (ReduceOp op, const Tensor& out, const Tensor& x), (op, out, x))                            \
  /* x: (O, I) or contiguous (A, R, B) as for reduce; values/indices: (O) or (A * B). First index of the     \
     max (or min); NaN wins. */                                                                              \
  X(void, arg_reduce, (bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x),            \
    (is_max, values, indices, x))                                                                             \
  /* x, out: contiguous, one dtype. out = the running sum, product or log-sum-exp of x along dim. */        \
  X(void, scan, (ScanOp op, const Tensor& out, const Tensor& x, int64_t dim), (op, out, x, dim))              \
                                                                                                              \
  /* out: (B,N,M) contiguous = a: (B,N,K) @ b: (B,K,M), any strides, one dtype. */                           \
  X(void, bmm, (const Tensor& out, const Tensor& a, const Tensor& b), (out, a, b))                            \
                                                                                                              \
  /* Sliding windows, float types. x: (N, C, H, W) and cols: (N, C*kh*kw, out_h*out_w), both contiguous.     \
     im2col: cols[n, (c,i,j), (oh,ow)] = x at the window position. col2im: x = the sum of cols over every    \
     position that reads each pixel (x is overwritten). */                                                   \
  X(void, im2col, (const Tensor& cols, const Tensor& x, const WindowGeometry& g, double pad_value),           \
    (cols, x, g, pad_value))                                                                                  \
  X(void, col2im, (const Tensor& x, const Tensor& cols, const WindowGeometry& g), (x, cols, g))               \
  /* Direct 2-D convolution, float32. x (N, C, H, W), w (O, C/groups, kh, kw) and out (N, O, out_h, out_w)   \
     contiguous; bias (O) or undefined. Bottom/right padding is what out's size implies. Returns false       \
     when the backend has no such kernel for these arguments (the caller then uses im2col + GEMM). */        \
  X(bool, conv2d, (const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,                   \
                   const ConvGeometry& g),                                                                    \
    (out, x, w, bias, g))                                                                                     \
  /* conv2d's gradients, written into whichever of grad_x, grad_w, grad_bias are defined (contiguous,        \
     overwritten); grad_out is contiguous. False as above. */                                                \
  X(bool, conv2d_backward, (const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_bias,              \
                            const Tensor& grad_out, const Tensor& x, const Tensor& w, const ConvGeometry& g), \
    (grad_x, grad_w, grad_bias, grad_out, x, w, g))                                                           \
                                                                                                              \
  /* Per-channel kernels of batch normalization; every tensor contiguous, images (N, C, S) and per-channel   \
     vectors (C), one floating dtype. channel_moments: mean[c] and var[c] (biased) of x[:, c, :]. */         \
  X(void, channel_moments, (const Tensor& mean, const Tensor& var, const Tensor& x), (mean, var, x))          \
  /* sum_a[c] = sum of a[:, c, :]; sum_ab[c] = sum of a * (b - b_shift[c]) over [:, c, :]. */                \
  X(void, channel_sums, (const Tensor& sum_a, const Tensor& sum_ab, const Tensor& a, const Tensor& b,         \
                         const Tensor& b_shift),                                                              \
    (sum_a, sum_ab, a, b, b_shift))                                                                           \
  /* out = a * alpha[c] + b * beta[c] + gamma[c]; b (and beta) may be undefined. */                          \
  X(void, channel_affine, (const Tensor& out, const Tensor& a, const Tensor& alpha, const Tensor& b,          \
                           const Tensor& beta, const Tensor& gamma),                                          \
    (out, a, alpha, b, beta, gamma))                                                                          \
                                                                                                              \
  /* out = x.index_select(dim, index); index int64 1-D, already bounds-checked. */                           \
  X(void, index_select, (const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index),               \
    (out, x, dim, index))                                                                                     \
  /* out[..i..] = x[..index[..i..]..] along dim; index has out's shape. */                                   \
  X(void, gather, (const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index), (out, x, dim, index)) \
  /* self[..index[..i..]..] = src[..i..] (or +=); over index's shape. */                                     \
  X(void, scatter, (const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate), \
    (self, dim, index, src, accumulate))                                                                      \
  /* out (N): the elements of x where mask is true, row-major; both of one shape. */                         \
  X(void, masked_select, (const Tensor& out, const Tensor& x, const Tensor& mask), (out, x, mask))            \
  /* out (N, x.dim()): coordinates of the nonzero elements of x. */                                          \
  X(void, nonzero, (const Tensor& out, const Tensor& x), (out, x))                                            \
  /* Along the last dim of contiguous x (O, I): values/indices (O, k). */                                    \
  X(void, sort, (const Tensor& values, const Tensor& indices, const Tensor& x, bool descending, bool stable),  \
    (values, indices, x, descending, stable))                                                                 \
  X(void, topk, (const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, bool largest,       \
                 bool sorted),                                                                                \
    (values, indices, x, k, largest, sorted))                                                                 \
                                                                                                              \
  /* One fused optimizer step (backend/optimizer_rules.h) over a parameter: param, grad and the rule's       \
     state buffers (undefined where the rule leaves one unused) of one shape, contiguous, float32 or         \
     float64. */                                                                                             \
  X(void, optimizer_step, (const OptimizerRule& rule, const Tensor& param, const Tensor& grad,                \
                           const std::array<Tensor, 3>& state),                                               \
    (rule, param, grad, state))                                                                               \
  /* out (0-dim float64) = the norm_type-norm of all elements of all tensors together (inf: the largest      \
     |x|), in one pass: clip_grad_norm_'s total. */                                                          \
  X(void, total_norm, (const Tensor& out, std::span<const Tensor> tensors, double norm_type),                 \
    (out, tensors, norm_type))                                                                                \
                                                                                                              \
  /* uniform: U[a, b); normal: N(a, b^2); randint: [a, b); bernoulli: P(1) = a. */                           \
  X(void, random, (RandomKind kind, const Tensor& out, double a, double b, Generator& generator),             \
    (kind, out, a, b, generator))                                                                             \
  /* out (n): a random permutation of 0..n-1. */                                                             \
  X(void, randperm, (const Tensor& out, Generator& generator), (out, generator))

class Backend {
 public:
  virtual ~Backend() = default;
#define EMBER_DECLARE_KERNEL(result, name, params, args) virtual result name params = 0;
  EMBER_BACKEND_KERNELS(EMBER_DECLARE_KERNEL)
#undef EMBER_DECLARE_KERNEL
};

// The backend of a device type (the CPU and meta ones are built in); an Error
// if Ember was built without it.
Backend& backend_for(Device device);
// Registration, done once per backend at start-up.
void register_backend(DeviceType type, Backend* backend);

}  // namespace ember
