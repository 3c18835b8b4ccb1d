// The CPU kernels, one function per Backend entry (see backend/backend.h for
// each one's contract). cpu_backend.cpp binds them to the interface.
#pragma once

#include "backend/backend.h"

namespace ember::cpu {

void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, Scalar value);
void range(const Tensor& out, double start, double step, std::optional<double> end);
void unary(UnaryOp op, const Tensor& out, const Tensor& x);
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha);
void clamp(const Tensor& out, const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi);
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void reduce(ReduceOp op, const Tensor& out, const Tensor& x);
void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x);
void cumsum(const Tensor& out, const Tensor& x, int64_t dim);
void bmm(const Tensor& out, const Tensor& a, const Tensor& b);
void im2col(const Tensor& cols, const Tensor& x, const WindowGeometry& g, double pad_value);
void col2im(const Tensor& x, const Tensor& cols, const WindowGeometry& g);
bool conv2d(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeometry& g);
bool conv2d_backward(const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_bias, const Tensor& grad_out,
                     const Tensor& x, const Tensor& w, const ConvGeometry& g);
void channel_moments(const Tensor& mean, const Tensor& var, const Tensor& x);
void channel_sums(const Tensor& sum_a, const Tensor& sum_ab, const Tensor& a, const Tensor& b, const Tensor& b_shift);
void channel_affine(const Tensor& out, const Tensor& a, const Tensor& alpha, const Tensor& b, const Tensor& beta,
                    const Tensor& gamma);
void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);
void masked_select(const Tensor& out, const Tensor& x, const Tensor& mask);
void nonzero(const Tensor& out, const Tensor& x);
void sort(const Tensor& values, const Tensor& indices, const Tensor& x, bool descending, bool stable);
void topk(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, bool largest, bool sorted);
void optimizer_step(const OptimizerRule& rule, const Tensor& param, const Tensor& grad,
                    const std::array<Tensor, 3>& state);
void total_norm(const Tensor& out, std::span<const Tensor> tensors, double norm_type);
void random(RandomKind kind, const Tensor& out, double a, double b, Generator& generator);
void randperm(const Tensor& out, Generator& generator);

}  // namespace ember::cpu
