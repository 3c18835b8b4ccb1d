// The meta device's backend: tensors there have sizes, strides and dtype but
// no storage, so every kernel is a no-op. The ops around the kernels still run
// their argument checks, shape rules and autograd recording, which is what a
// meta run is for (shapes, parameter counts, memory plans, device propagation).
#include "backend/backend.h"

namespace ember {
namespace {

class MetaBackend final : public Backend {
 public:
  void copy(const Tensor& dst, const Tensor& src) override {
    if (!dst.is_meta()) detail::fail_no_data("copy", src.sizes());  // out of meta, into real memory
  }
  void fill(const Tensor&, Scalar) override {}
  void range(const Tensor&, double, double, std::optional<double>) override {}
  void unary(UnaryOp, const Tensor&, const Tensor&) override {}
  void binary(BinaryOp, const Tensor&, const Tensor&, const Tensor&, Scalar) override {}
  void clamp(const Tensor&, const Tensor&, std::optional<Scalar>, std::optional<Scalar>) override {}
  void where(const Tensor&, const Tensor&, const Tensor&, const Tensor&) override {}
  void reduce(ReduceOp, const Tensor&, const Tensor&) override {}
  void arg_reduce(bool, const Tensor&, const Tensor&, const Tensor&) override {}
  void cumsum(const Tensor&, const Tensor&, int64_t) override {}
  void bmm(const Tensor&, const Tensor&, const Tensor&) override {}
  void im2col(const Tensor&, const Tensor&, const WindowGeometry&, double) override {}
  void col2im(const Tensor&, const Tensor&, const WindowGeometry&) override {}
  bool conv2d(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const ConvGeometry&) override {
    return true;
  }
  bool conv2d_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                       const ConvGeometry&) override {
    return true;
  }
  void channel_moments(const Tensor&, const Tensor&, const Tensor&) override {}
  void channel_sums(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&) override {}
  void channel_affine(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                      const Tensor&) override {}
  void index_select(const Tensor&, const Tensor&, int64_t, const Tensor&) override {}
  void gather(const Tensor&, const Tensor&, int64_t, const Tensor&) override {}
  void scatter(const Tensor&, int64_t, const Tensor&, const Tensor&, bool) override {}
  // Their output shapes depend on the data, so the ops refuse meta inputs before getting here.
  void masked_select(const Tensor&, const Tensor&, const Tensor&) override {}
  void nonzero(const Tensor&, const Tensor&) override {}
  void sort(const Tensor&, const Tensor&, const Tensor&, bool, bool) override {}
  void topk(const Tensor&, const Tensor&, const Tensor&, int64_t, bool, bool) override {}
  void optimizer_step(const OptimizerRule&, const Tensor&, const Tensor&, const std::array<Tensor, 3>&) override {}
  void total_norm(const Tensor&, std::span<const Tensor>, double) override {}
  void random(RandomKind, const Tensor&, double, double, Generator&) override {}
  void randperm(const Tensor&, Generator&) override {}
};

}  // namespace

Backend* meta_backend() {
  static MetaBackend backend;
  return &backend;
}

}  // namespace ember
