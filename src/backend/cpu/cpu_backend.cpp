// Binds the CPU kernels to the Backend interface.
#include "backend/cpu/kernels.h"

namespace ember {
namespace {

class CpuBackend final : public Backend {
 public:
  void copy(const Tensor& dst, const Tensor& src) override { cpu::copy(dst, src); }
  void fill(const Tensor& dst, Scalar value) override { cpu::fill(dst, value); }
  void range(const Tensor& out, double start, double step, std::optional<double> end) override {
    cpu::range(out, start, step, end);
  }
  void unary(UnaryOp op, const Tensor& out, const Tensor& x) override { cpu::unary(op, out, x); }
  void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) override {
    cpu::binary(op, out, a, b, alpha);
  }
  void clamp(const Tensor& out, const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi) override {
    cpu::clamp(out, x, lo, hi);
  }
  void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) override {
    cpu::where(out, cond, a, b);
  }
  void reduce(ReduceOp op, const Tensor& out, const Tensor& x) override { cpu::reduce(op, out, x); }
  void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x) override {
    cpu::arg_reduce(is_max, values, indices, x);
  }
  void cumsum(const Tensor& out, const Tensor& x, int64_t dim) override { cpu::cumsum(out, x, dim); }
  void bmm(const Tensor& out, const Tensor& a, const Tensor& b) override { cpu::bmm(out, a, b); }
  void im2col(const Tensor& cols, const Tensor& x, const WindowGeometry& g, double pad_value) override {
    cpu::im2col(cols, x, g, pad_value);
  }
  void col2im(const Tensor& x, const Tensor& cols, const WindowGeometry& g) override { cpu::col2im(x, cols, g); }
  bool conv2d(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
              const ConvGeometry& g) override {
    return cpu::conv2d(out, x, w, bias, g);
  }
  bool conv2d_backward(const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_bias, const Tensor& grad_out,
                       const Tensor& x, const Tensor& w, const ConvGeometry& g) override {
    return cpu::conv2d_backward(grad_x, grad_w, grad_bias, grad_out, x, w, g);
  }
  void channel_moments(const Tensor& mean, const Tensor& var, const Tensor& x) override {
    cpu::channel_moments(mean, var, x);
  }
  void channel_sums(const Tensor& sum_a, const Tensor& sum_ab, const Tensor& a, const Tensor& b,
                    const Tensor& b_shift) override {
    cpu::channel_sums(sum_a, sum_ab, a, b, b_shift);
  }
  void channel_affine(const Tensor& out, const Tensor& a, const Tensor& alpha, const Tensor& b, const Tensor& beta,
                      const Tensor& gamma) override {
    cpu::channel_affine(out, a, alpha, b, beta, gamma);
  }
  void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) override {
    cpu::index_select(out, x, dim, index);
  }
  void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) override {
    cpu::gather(out, x, dim, index);
  }
  void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) override {
    cpu::scatter(self, dim, index, src, accumulate);
  }
  void masked_select(const Tensor& out, const Tensor& x, const Tensor& mask) override {
    cpu::masked_select(out, x, mask);
  }
  void nonzero(const Tensor& out, const Tensor& x) override { cpu::nonzero(out, x); }
  void sort(const Tensor& values, const Tensor& indices, const Tensor& x, bool descending, bool stable) override {
    cpu::sort(values, indices, x, descending, stable);
  }
  void topk(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, bool largest,
            bool sorted) override {
    cpu::topk(values, indices, x, k, largest, sorted);
  }
  void optimizer_step(const OptimizerRule& rule, const Tensor& param, const Tensor& grad,
                      const std::array<Tensor, 3>& state) override {
    cpu::optimizer_step(rule, param, grad, state);
  }
  void total_norm(const Tensor& out, std::span<const Tensor> tensors, double norm_type) override {
    cpu::total_norm(out, tensors, norm_type);
  }
  void random(RandomKind kind, const Tensor& out, double a, double b, Generator& generator) override {
    cpu::random(kind, out, a, b, generator);
  }
  void randperm(const Tensor& out, Generator& generator) override { cpu::randperm(out, generator); }
};

}  // namespace

Backend* cpu_backend() {
  static CpuBackend backend;
  return &backend;
}

}  // namespace ember
