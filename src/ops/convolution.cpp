// 2-D convolution as one op. The math, in the form every dtype can run:
//   out = W (O, C*kh*kw) @ im2col(x) (N, C*kh*kw, L) + bias
//   dx  = col2im(W^T @ g),  dW = sum over n of g @ im2col(x)^T,  dbias = sum of g over (N, L)
// (per group when groups > 1). float32 runs on the backend's convolution
// primitives instead when it has them (oneDNN on CPU, direct or Winograd by
// conv_algorithm()); the gradients under create_graph always come from the
// formulas above, which are ops themselves and so differentiate again.
#include <atomic>

#include "graph/record.h"
#include "ops/internal.h"

namespace ember {
namespace {

using autograd::Grads;
using autograd::Saved;

std::atomic<ConvAlgorithm> g_algorithm{ConvAlgorithm::automatic};

struct ConvShape {
  WindowGeometry window;
  int64_t groups;
  int64_t n, c, h, w, o;
  Shape stride() const { return {window.stride_h, window.stride_w}; }
  Shape padding() const { return {window.pad_top, window.pad_left}; }
  Shape dilation() const { return {window.dilation_h, window.dilation_w}; }
  Shape out_size() const { return {window.out_h, window.out_w}; }
  int64_t positions() const { return window.out_h * window.out_w; }
};

Tensor columns(const Tensor& x, const ConvShape& s) {
  return im2col(x, {s.window.kernel_h, s.window.kernel_w}, s.stride(), s.padding(), s.dilation(), s.out_size());
}

Tensor forward_by_gemm(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvShape& s) {
  const Tensor cols = columns(x, s);  // (N, C*kh*kw, L)
  const int64_t G = s.groups, O = s.o;
  Tensor out = G == 1 ? matmul(w.reshape({O, -1}), cols)
                      : matmul(w.reshape({G, O / G, -1}), cols.view({s.n, G, -1, s.positions()})).reshape({s.n, O, -1});
  out = out.view({s.n, O, s.window.out_h, s.window.out_w});
  return bias.defined() ? out + bias.view({1, O, 1, 1}) : out;
}

Tensor input_grad_by_gemm(const Tensor& g, const Tensor& w, const ConvShape& s) {
  const int64_t G = s.groups, O = s.o, L = s.positions();
  const Tensor cols = G == 1 ? matmul(w.reshape({O, -1}).t(), g.reshape({s.n, O, L}))
                             : matmul(w.reshape({G, O / G, -1}).transpose(1, 2), g.reshape({s.n, G, O / G, L}))
                                   .reshape({s.n, -1, L});
  return col2im(cols, {s.h, s.w}, {s.window.kernel_h, s.window.kernel_w}, s.stride(), s.padding(), s.dilation(),
                s.out_size());
}

Tensor weight_grad_by_gemm(const Tensor& g, const Tensor& x, const Tensor& w, const ConvShape& s) {
  const int64_t G = s.groups, O = s.o, L = s.positions();
  const Tensor cols = columns(x, s);
  const Tensor gw = G == 1 ? matmul(g.reshape({s.n, O, L}), cols.transpose(1, 2)).sum(0)
                           : matmul(g.reshape({s.n, G, O / G, L}), cols.view({s.n, G, -1, L}).transpose(2, 3)).sum(0);
  return gw.reshape(w.sizes());
}

// The backend's algorithm for this convolution, or nothing (im2col + GEMM).
std::optional<ConvGeometry> primitive_geometry(const Tensor& x, const ConvShape& s) {
  const ConvAlgorithm algorithm = g_algorithm.load(std::memory_order_relaxed);
  if (algorithm == ConvAlgorithm::gemm || x.dtype() != Dtype::float32) return std::nullopt;
  const WindowGeometry& win = s.window;
  const bool winograd_shape = win.kernel_h == 3 && win.kernel_w == 3 && win.stride_h == 1 && win.stride_w == 1 &&
                              win.dilation_h == 1 && win.dilation_w == 1 && s.groups == 1;
  // Measured (bench/NOTES.md): Winograd wins from 64 channels in and out; below, the direct primitive does.
  const bool winograd = winograd_shape && (algorithm == ConvAlgorithm::winograd ||
                                           (algorithm == ConvAlgorithm::automatic && s.c >= 64 && s.o >= 64));
  return ConvGeometry{win, s.groups, winograd};
}

}  // namespace

void set_conv_algorithm(ConvAlgorithm algorithm) { g_algorithm.store(algorithm, std::memory_order_relaxed); }
ConvAlgorithm conv_algorithm() { return g_algorithm.load(std::memory_order_relaxed); }

Tensor convolution(const Tensor& x, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, int64_t groups, IntArrayRef out_size) {
  const char* op = "convolution";
  ops::check_defined(x, op);
  ops::check_defined(weight, op, "weight");
  EMBER_CHECK(x.dim() == 4 && weight.dim() == 4, op, ": expected a 4-D (N, C, H, W) input and a 4-D weight, got ",
              x.sizes(), " and ", weight.sizes());
  EMBER_CHECK(x.dtype() == weight.dtype() && (!bias.defined() || bias.dtype() == x.dtype()), op,
              ": input, weight and bias must have one dtype, got ", dtype_name(x.dtype()), ", ",
              dtype_name(weight.dtype()), " and ", bias.defined() ? dtype_name(bias.dtype()) : "no bias");
  EMBER_CHECK(is_floating(x.dtype()), op, ": expected a floating-point input, got ", dtype_name(x.dtype()));
  for (IntArrayRef a : {stride, padding, dilation, out_size})
    EMBER_CHECK(a.size() == 2, op, ": stride, padding, dilation and output size are (h, w) pairs, got ", a);
  EMBER_CHECK(groups > 0 && x.size(1) == weight.size(1) * groups && weight.size(0) % groups == 0, op,
              ": input of shape ", x.sizes(), " does not fit weight of shape ", weight.sizes(), " with groups = ",
              groups);
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)), op, ": bias of shape ",
              bias.defined() ? bias.sizes() : IntArrayRef(), " must have one entry per output channel (",
              weight.size(0), ")");
  const ConvShape s{{weight.size(2), weight.size(3), stride[0], stride[1], padding[0], padding[1], dilation[0],
                     dilation[1], out_size[0], out_size[1]},
                    groups, x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0)};

  std::optional<ConvGeometry> geometry = primitive_geometry(x, s);
  Tensor out;
  if (geometry) {
    out = ops::new_tensor({s.n, s.o, out_size[0], out_size[1]}, x.dtype(), x.device());
    const Tensor b = bias.defined() ? bias.contiguous() : Tensor();
    if (!ops::backend_of(x).conv2d(out, x.contiguous(), weight.contiguous(), b, *geometry)) {
      out = Tensor();
      geometry.reset();  // no primitive for this shape: the backward uses the formulas too
    }
  }
  if (!out.defined()) {
    NoGradGuard no_grad;  // recorded below as one node
    out = forward_by_gemm(x.detach(), weight.detach(), bias.defined() ? bias.detach() : Tensor(), s);
  }
  if (!autograd::should_record_any(out.dtype(), x, weight, bias)) return out;
  return autograd::record(
      "convolution", out, {x, weight, bias},
      [sx = Saved::input(x), sw = Saved::input(weight), s, geometry, need_x = autograd::requires_grad(x),
       need_w = autograd::requires_grad(weight),
       need_b = bias.defined() && autograd::requires_grad(bias)](const Tensor& g) -> Grads {
        const Tensor x = sx.get(), w = sw.get();
        if (geometry && !is_grad_enabled()) {
          Tensor gx = need_x ? ops::new_tensor(x.sizes(), x.dtype(), x.device()) : Tensor();
          Tensor gw = need_w ? ops::new_tensor(w.sizes(), w.dtype(), w.device()) : Tensor();
          Tensor gb = need_b ? ops::new_tensor({s.o}, w.dtype(), w.device()) : Tensor();
          if (ops::backend_of(x).conv2d_backward(gx, gw, gb, g.contiguous(), x.contiguous(), w.contiguous(),
                                                 *geometry))
            return {gx, gw, gb};
        }
        return {need_x ? input_grad_by_gemm(g, w, s) : Tensor(), need_w ? weight_grad_by_gemm(g, x, w, s) : Tensor(),
                need_b ? g.sum({0, 2, 3}) : Tensor()};
      });
}

}  // namespace ember
