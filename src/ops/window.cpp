// im2col / col2im: sliding windows as columns and back. Each is the other's
// gradient, so convolution and pooling built on them (with matmul, max, sum)
// differentiate to any order.
#include "graph/record.h"
#include "ops/internal.h"

namespace ember {
namespace {

using autograd::Grads;

WindowGeometry geometry(IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                        IntArrayRef out_size, const char* op) {
  for (IntArrayRef a : {kernel, stride, padding, dilation, out_size})
    EMBER_CHECK(a.size() == 2, op, ": kernel, stride, padding, dilation and output size are (h, w) pairs, got ", a);
  EMBER_CHECK(kernel[0] > 0 && kernel[1] > 0 && stride[0] > 0 && stride[1] > 0 && dilation[0] > 0 && dilation[1] > 0,
              op, ": kernel ", kernel, ", stride ", stride, " and dilation ", dilation, " must be positive");
  EMBER_CHECK(padding[0] >= 0 && padding[1] >= 0 && out_size[0] >= 0 && out_size[1] >= 0, op, ": padding ", padding,
              " and output size ", out_size, " must be non-negative");
  return {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
          out_size[0], out_size[1]};
}

void check_image(const Tensor& x, const char* op) {
  ops::check_defined(x, op);
  EMBER_CHECK(x.dim() == 4, op, ": expected a 4-D (N, C, H, W) input, got shape ", x.sizes());
  EMBER_CHECK(x.dtype() == Dtype::float32 || x.dtype() == Dtype::float64, op,
              ": expected a float32 or float64 input, got ", dtype_name(x.dtype()));
}

}  // namespace

Tensor im2col(const Tensor& x, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
              IntArrayRef out_size, double pad_value) {
  check_image(x, "im2col");
  const WindowGeometry g = geometry(kernel, stride, padding, dilation, out_size, "im2col");
  Tensor cols = ops::new_tensor({x.size(0), x.size(1) * g.kernel_h * g.kernel_w, g.out_h * g.out_w}, x.dtype(),
                                x.device());
  if (cols.numel() > 0) ops::backend_of(x).im2col(cols, x.detach().contiguous(), g, pad_value);
  // d x = col2im(g): each pixel gets the gradients of every column entry that read it
  return autograd::record("im2col", cols, {x}, [image = Shape{x.size(2), x.size(3)}, k = kernel.shape(),
                                               s = stride.shape(), p = padding.shape(), d = dilation.shape(),
                                               o = out_size.shape()](const Tensor& grad) {
    return Grads{col2im(grad, image, k, s, p, d, o)};
  });
}

Tensor col2im(const Tensor& cols, IntArrayRef image_size, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, IntArrayRef out_size) {
  ops::check_defined(cols, "col2im");
  const WindowGeometry g = geometry(kernel, stride, padding, dilation, out_size, "col2im");
  EMBER_CHECK(image_size.size() == 2 && image_size[0] >= 0 && image_size[1] >= 0,
              "col2im: image size must be a non-negative (h, w) pair, got ", image_size);
  const int64_t window = g.kernel_h * g.kernel_w;
  EMBER_CHECK(cols.dim() == 3 && cols.size(1) % window == 0 && cols.size(2) == g.out_h * g.out_w,
              "col2im: expected columns of shape (N, C*", window, ", ", g.out_h * g.out_w, "), got ", cols.sizes());
  Tensor x = ops::new_tensor({cols.size(0), cols.size(1) / window, image_size[0], image_size[1]}, cols.dtype(),
                             cols.device());
  check_image(x, "col2im");
  if (x.numel() > 0) ops::backend_of(x).col2im(x, cols.detach().contiguous(), g);
  // d cols = im2col(g): each column entry gets the gradient of the pixel it was summed into
  return autograd::record("col2im", x, {cols}, [k = kernel.shape(), s = stride.shape(), p = padding.shape(),
                                               d = dilation.shape(), o = out_size.shape()](const Tensor& grad) {
    return Grads{im2col(grad, k, s, p, d, o)};
  });
}

}  // namespace ember
