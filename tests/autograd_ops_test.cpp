// THE autograd op table: every differentiable op with its gradcheck case(s).
// Each case runs float64 central-difference gradcheck on contiguous and on
// non-contiguous inputs, and gradgradcheck where marked. A completeness test
// scans src/ops for every op that records a backward rule and fails if no
// case's graph contains it.
#include <ember/ember.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <cctype>
#include <set>
#include <sstream>

using namespace ember;
using autograd::gradcheck;
using autograd::gradgradcheck;

namespace {

using Tensors = std::vector<Tensor>;

enum class Domain { any, positive, unit };  // (-2, 2); (0.5, 2.5); (-0.9, 0.9)

struct GradCase {
  std::string name;
  std::vector<Shape> shapes;
  std::function<Tensor(const Tensors&)> fn;
  Domain domain = Domain::any;
  bool gradgrad = true;
};

Tensor idx(std::vector<int64_t> v) { return tensor(v); }

// The table. Inputs are float64 and require grad; index tensors are made inside fn.
const std::vector<GradCase>& cases() {
  static const std::vector<GradCase> table = {
      // ---- binary, with broadcasting -----------------------------------------------
      {"add", {{3, 1}, {1, 4}}, [](const Tensors& x) { return x[0] + x[1]; }},
      {"add_alpha", {{2, 3}, {3}}, [](const Tensors& x) { return add(x[0], x[1], 2.5); }},
      {"add_scalar", {{2, 3}}, [](const Tensors& x) { return x[0] + 1.5; }},
      {"sub", {{4, 3}, {3}}, [](const Tensors& x) { return sub(x[0], x[1], 0.5); }},
      {"rsub_scalar", {{4, 3}}, [](const Tensors& x) { return 2.0 - x[0]; }},
      {"mul", {{2, 3, 4}, {4}}, [](const Tensors& x) { return x[0] * x[1]; }},
      {"mul_self", {{3, 4}}, [](const Tensors& x) { return x[0] * x[0]; }},
      {"div", {{3, 4}, {4}}, [](const Tensors& x) { return x[0] / x[1]; }, Domain::positive},
      {"rdiv_scalar", {{3, 4}}, [](const Tensors& x) { return 2.0 / x[0]; }, Domain::positive},
      {"pow", {{3, 4}, {3, 4}}, [](const Tensors& x) { return pow(x[0], x[1]); }, Domain::positive},
      {"pow_scalar", {{3, 4}}, [](const Tensors& x) { return pow(x[0], 3); }},
      {"pow_scalar_base", {{3, 4}}, [](const Tensors& x) { return pow(2.5, x[0]); }},
      {"maximum", {{3, 4}, {4}}, [](const Tensors& x) { return maximum(x[0], x[1]); }},
      {"minimum", {{3, 4}, {4}}, [](const Tensors& x) { return minimum(x[0], x[1]); }},
      // ---- unary ---------------------------------------------------------------------
      {"neg", {{3, 4}}, [](const Tensors& x) { return -x[0]; }},
      {"abs", {{3, 4}}, [](const Tensors& x) { return abs(x[0]); }},
      {"sqrt", {{3, 4}}, [](const Tensors& x) { return sqrt(x[0]); }, Domain::positive},
      {"rsqrt", {{3, 4}}, [](const Tensors& x) { return rsqrt(x[0]); }, Domain::positive},
      {"exp", {{3, 4}}, [](const Tensors& x) { return exp(x[0]); }},
      {"log", {{3, 4}}, [](const Tensors& x) { return log(x[0]); }, Domain::positive},
      {"log1p", {{3, 4}}, [](const Tensors& x) { return log1p(x[0]); }, Domain::positive},
      {"expm1", {{3, 4}}, [](const Tensors& x) { return expm1(x[0]); }},
      {"sin", {{3, 4}}, [](const Tensors& x) { return sin(x[0]); }},
      {"cos", {{3, 4}}, [](const Tensors& x) { return cos(x[0]); }},
      {"tanh", {{3, 4}}, [](const Tensors& x) { return tanh(x[0]); }},
      {"sigmoid", {{3, 4}}, [](const Tensors& x) { return sigmoid(x[0]); }},
      {"relu", {{3, 4}}, [](const Tensors& x) { return relu(x[0]); }},
      {"floor", {{3, 4}}, [](const Tensors& x) { return floor(x[0] * 3); }},
      {"ceil", {{3, 4}}, [](const Tensors& x) { return ceil(x[0] * 3); }},
      {"round", {{3, 4}}, [](const Tensors& x) { return round(x[0] * 3); }},
      {"sign", {{3, 4}}, [](const Tensors& x) { return sign(x[0]); }},
      {"reciprocal", {{3, 4}}, [](const Tensors& x) { return reciprocal(x[0]); }, Domain::positive},
      {"square", {{3, 4}}, [](const Tensors& x) { return square(x[0]); }},
      {"erf", {{3, 4}}, [](const Tensors& x) { return erf(x[0]); }},
      {"clamp", {{4, 5}}, [](const Tensors& x) { return clamp(x[0], -0.5, 0.7); }},
      {"clamp_min", {{4, 5}}, [](const Tensors& x) { return clamp(x[0], 0.1); }},
      {"where", {{3, 4}, {4}}, [](const Tensors& x) { return where(x[0] > 0, x[0] * 2, x[1]); }},
      {"masked_fill", {{3, 4}}, [](const Tensors& x) { return masked_fill(x[0], x[0] > 0.3, -1.0); }},
      // ---- in place (on non-leaf tensors) ---------------------------------------------
      {"add_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.add_(x[1], 2); return y; }},
      {"sub_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.sub_(x[1]); return y; }},
      {"mul_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.mul_(x[1]); return y; }},
      {"div_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.div_(x[1]); return y; }, Domain::positive},
      {"pow_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.pow_(2); return y; }},
      {"neg_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.neg_(); return y; }},
      {"abs_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.abs_(); return y; }},
      {"sqrt_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.sqrt_(); return y; }, Domain::positive},
      {"exp_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.exp_(); return y; }},
      {"log_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.log_(); return y; }, Domain::positive},
      {"tanh_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.tanh_(); return y; }},
      {"sigmoid_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.sigmoid_(); return y; }},
      {"relu_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.relu_(); return y; }},
      {"clamp_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.clamp_(-0.5, 0.5); return y; }},
      {"masked_fill_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.masked_fill_(x[0] < 0, 2.0); return y; }},
      {"fill_", {{3, 4}, {3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.fill_(2.0); return y * x[1]; }},
      {"zero_", {{3, 4}, {3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.zero_(); return y + x[1]; }},
      {"copy_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.copy_(x[1]); return y * x[0]; }},
      {"copy_into_plain", {{4}}, [](const Tensors& x) { Tensor y = zeros({3, 4}, {.dtype = kFloat64}); y.copy_(x[0]); return y; }},
      {"scatter_", {{3, 5}, {3, 2}}, [](const Tensors& x) { Tensor y = x[0] * 1; scatter_(y, 1, idx({0, 3, 1, 4, 4, 2}).view({3, 2}), x[1]); return y; }},
      {"scatter_add_", {{3, 5}, {3, 2}}, [](const Tensors& x) { Tensor y = x[0] * 1; scatter_add_(y, 1, idx({0, 3, 1, 1, 4, 4}).view({3, 2}), x[1]); return y; }},
      // ---- reductions ----------------------------------------------------------------
      {"sum", {{3, 4, 5}}, [](const Tensors& x) { return x[0].sum(); }},
      {"sum_dims", {{3, 4, 5}}, [](const Tensors& x) { return sum(x[0], {0, 2}); }},
      {"sum_keepdim", {{3, 4, 5}}, [](const Tensors& x) { return sum(x[0], {-2}, true); }},
      {"mean", {{3, 4, 5}}, [](const Tensors& x) { return mean(x[0], {1}); }},
      {"prod", {{3, 4}}, [](const Tensors& x) { return prod(x[0]); }},
      {"prod_dim", {{3, 4}}, [](const Tensors& x) { return prod(x[0], 1, true); }},
      {"prod_with_zero", {{3, 4}}, [](const Tensors& x) {
         return prod(x[0] * tensor({1.0, 0.0, 1.0, 1.0}, {.dtype = kFloat64}), 1); }},
      {"prod_two_zeros", {{2, 4}}, [](const Tensors& x) {
         return prod(x[0] * tensor({0.0, 0.0, 1.0, 1.0}, {.dtype = kFloat64}), 1); }},
      {"amax", {{3, 4, 5}}, [](const Tensors& x) { return amax(x[0], {1, 2}); }},
      {"amin", {{3, 4, 5}}, [](const Tensors& x) { return amin(x[0], {0}, true); }},
      {"max_all", {{3, 4}}, [](const Tensors& x) { return max(x[0]); }},
      {"min_all", {{3, 4}}, [](const Tensors& x) { return min(x[0]); }},
      {"max_dim", {{4, 6}}, [](const Tensors& x) { return max(x[0], 1).first; }},
      {"min_dim", {{4, 6}}, [](const Tensors& x) { return min(x[0], 0, true).first; }},
      {"var", {{4, 6}}, [](const Tensors& x) { return var(x[0], {1}); }},
      {"std", {{4, 6}}, [](const Tensors& x) { return x[0].std(); }},
      {"norm2", {{4, 6}}, [](const Tensors& x) { return norm(x[0], 2, {1}); }},
      {"norm1", {{4, 6}}, [](const Tensors& x) { return norm(x[0], 1); }},
      {"norm3", {{4, 6}}, [](const Tensors& x) { return norm(x[0], 3, {0}, true); }},
      {"norm_inf", {{4, 6}}, [](const Tensors& x) { return norm(x[0], std::numeric_limits<double>::infinity(), {1}); }},
      {"logsumexp", {{4, 6}}, [](const Tensors& x) { return logsumexp(x[0], {1}); }},
      {"cumsum", {{3, 4, 5}}, [](const Tensors& x) { return cumsum(x[0], 1); }},
      // ---- views ---------------------------------------------------------------------
      {"view", {{3, 4}}, [](const Tensors& x) { return x[0].view({2, 6}) * 2; }},
      {"reshape", {{3, 4}}, [](const Tensors& x) { return x[0].reshape({4, 3}); }},
      {"permute", {{2, 3, 4}}, [](const Tensors& x) { return x[0].permute({2, 0, 1}); }},
      {"transpose", {{2, 3, 4}}, [](const Tensors& x) { return x[0].transpose(0, 2); }},
      {"t", {{3, 4}}, [](const Tensors& x) { return x[0].t(); }},
      {"squeeze", {{3, 1, 4}}, [](const Tensors& x) { return x[0].squeeze(); }},
      {"squeeze_dim", {{3, 1, 4}}, [](const Tensors& x) { return x[0].squeeze(1); }},
      {"unsqueeze", {{3, 4}}, [](const Tensors& x) { return x[0].unsqueeze(1); }},
      {"flatten", {{2, 3, 4}}, [](const Tensors& x) { return x[0].flatten(1); }},
      {"unflatten", {{2, 12}}, [](const Tensors& x) { return x[0].unflatten(1, {3, 4}); }},
      {"expand", {{3, 1}}, [](const Tensors& x) { return x[0].expand({2, 3, 4}); }},
      {"narrow", {{5, 4}}, [](const Tensors& x) { return x[0].narrow(0, 1, 3); }},
      {"slice", {{7, 4}}, [](const Tensors& x) { return x[0].slice(0, 1, 6, 2); }},
      {"select", {{5, 4}}, [](const Tensors& x) { return x[0].select(1, 2); }},
      {"index_int", {{5, 4}}, [](const Tensors& x) { return x[0][3]; }},
      {"as_strided", {{4, 4}}, [](const Tensors& x) { return x[0].as_strided({2, 2}, {4, 1}, x[0].storage_offset() + 5); }},
      {"as_strided_repeats", {{4, 4}}, [](const Tensors& x) { return x[0].contiguous().as_strided({3, 2}, {0, 1}, 2); }},
      {"two_views_of_one_base", {{4, 3}}, [](const Tensors& x) { return x[0][0] * x[0][1] + x[0].narrow(0, 2, 1).squeeze(0); }},
      {"contiguous", {{3, 4}}, [](const Tensors& x) { return x[0].t().contiguous(); }},
      {"clone", {{3, 4}}, [](const Tensors& x) { return x[0].clone(); }},
      {"to", {{3, 4}}, [](const Tensors& x) { return x[0].to(kFloat64, true) * x[0]; }},
      // ---- linear algebra --------------------------------------------------------------
      {"mm", {{3, 4}, {4, 5}}, [](const Tensors& x) { return mm(x[0], x[1]); }},
      {"bmm", {{2, 3, 4}, {2, 4, 5}}, [](const Tensors& x) { return bmm(x[0], x[1]); }},
      {"matmul_vec", {{3, 4}, {4}}, [](const Tensors& x) { return matmul(x[0], x[1]); }},
      {"matmul_dot", {{4}, {4}}, [](const Tensors& x) { return matmul(x[0], x[1]); }},
      {"matmul_batched", {{2, 1, 3, 4}, {5, 4, 2}}, [](const Tensors& x) { return matmul(x[0], x[1]); }},
      {"matmul_fold", {{2, 3, 4}, {4, 5}}, [](const Tensors& x) { return matmul(x[0], x[1]); }},
      {"outer", {{3}, {4}}, [](const Tensors& x) { return outer(x[0], x[1]); }},
      {"dot", {{5}, {5}}, [](const Tensors& x) { return dot(x[0], x[1]); }},
      {"einsum_attention", {{2, 3, 4}, {2, 5, 4}}, [](const Tensors& x) { return einsum("bqd,bkd->bqk", {x[0], x[1]}); }},
      {"einsum_trace", {{4, 4}}, [](const Tensors& x) { return einsum("ii->", {x[0]}); }},
      {"einsum_diag", {{4, 4}}, [](const Tensors& x) { return einsum("ii->i", {x[0]}); }},
      // ---- sliding windows ---------------------------------------------------------------
      {"im2col", {{2, 3, 5, 4}}, [](const Tensors& x) { return im2col(x[0], {3, 2}, {2, 1}, {1, 1}, {1, 2}, {3, 3}); }},
      {"col2im", {{2, 12, 9}}, [](const Tensors& x) {
         return col2im(x[0], {5, 4}, {3, 2}, {2, 1}, {1, 1}, {1, 2}, {3, 3});
       }},
      {"convolution", {{2, 4, 5, 6}, {6, 2, 3, 2}, {6}}, [](const Tensors& x) {
         return convolution(x[0], x[1], x[2], {2, 1}, {1, 0}, {1, 2}, 2, {3, 4});
       }},
      {"convolution_no_bias", {{1, 3, 4, 4}, {2, 3, 2, 2}}, [](const Tensors& x) {
         return convolution(x[0], x[1], Tensor(), {1, 1}, {1, 1}, {1, 1}, 1, {5, 5});
       }},
      {"native_batch_norm", {{3, 2, 4}, {2}, {2}}, [](const Tensors& x) {
         return native_batch_norm(x[0], x[1], x[2], Tensor(), Tensor(), true, 0.1, 1e-5);
       }},
      {"native_batch_norm_2d_no_affine", {{2, 3, 2, 2}}, [](const Tensors& x) {
         Tensor rm = zeros({3}, {.dtype = Dtype::float64}), rv = ones({3}, {.dtype = Dtype::float64});
         return native_batch_norm(x[0], Tensor(), Tensor(), rm, rv, true, 0.1, 1e-5);
       }},
      {"native_batch_norm_eval", {{3, 2, 2}, {2}, {2}}, [](const Tensors& x) {
         const Tensor rm = tensor({0.3, -0.2}, {.dtype = Dtype::float64}), rv = tensor({0.5, 2.0}, {.dtype = Dtype::float64});
         return native_batch_norm(x[0], x[1], x[2], rm, rv, false, 0.1, 1e-5);
       }},
      {"native_layer_norm", {{3, 2, 4}, {2, 4}, {2, 4}}, [](const Tensors& x) {
         return native_layer_norm(x[0], {2, 4}, x[1], x[2], 1e-5);
       }},
      {"native_layer_norm_no_affine", {{3, 5}}, [](const Tensors& x) {
         return native_layer_norm(x[0], {5}, Tensor(), Tensor(), 1e-5);
       }},
      // ---- joining and indexing ----------------------------------------------------------
      {"cat", {{2, 3}, {4, 3}}, [](const Tensors& x) { return cat({x[0], x[1]}, 0); }},
      {"cat_dim1", {{2, 3}, {2, 1}}, [](const Tensors& x) { return cat({x[0], x[1], x[0]}, 1); }},
      {"stack", {{2, 3}, {2, 3}}, [](const Tensors& x) { return stack({x[0], x[1]}, 1); }},
      {"split", {{5, 3}}, [](const Tensors& x) { auto p = x[0].split(2); return p[0] * 2 + p[1] - p[2].sum(); }},
      {"chunk", {{3, 6}}, [](const Tensors& x) { auto p = x[0].chunk(3, 1); return p[0] * p[2]; }},
      {"index_select", {{5, 3}}, [](const Tensors& x) { return index_select(x[0], 0, idx({4, 0, 2, 2})); }},
      {"index_select_dim1", {{3, 5}}, [](const Tensors& x) { return index_select(x[0], 1, idx({1, 1, 3})); }},
      {"gather", {{3, 5}}, [](const Tensors& x) { return gather(x[0], 1, idx({0, 4, 1, 1, 2, 0}).view({3, 2})); }},
      {"scatter", {{3, 5}, {3, 2}}, [](const Tensors& x) { return scatter(x[0], 1, idx({0, 4, 1, 3, 2, 0}).view({3, 2}), x[1]); }},
      {"scatter_value", {{3, 5}}, [](const Tensors& x) { return scatter(x[0], 1, idx({0, 4, 1, 3, 2, 0}).view({3, 2}), 1.5); }},
      {"scatter_big_src", {{3, 5}, {3, 4}}, [](const Tensors& x) { return scatter(x[0], 1, idx({0, 4, 1, 3, 2, 0}).view({3, 2}), x[1]); }},
      {"scatter_add", {{3, 5}, {3, 2}}, [](const Tensors& x) { return scatter_add(x[0], 1, idx({0, 0, 1, 1, 4, 4}).view({3, 2}), x[1]); }},
      {"index_tensor", {{5, 3}}, [](const Tensors& x) { return x[0].index(idx({-1, 0, 2, 2})); }},
      {"index_mask", {{3, 4}}, [](const Tensors& x) { return x[0].index(x[0] > 0); }},
      {"masked_select", {{3, 4}, {4}}, [](const Tensors& x) { return masked_select(x[1] * 1 + x[0] * 0, x[0] > 0); }},
      {"sort", {{3, 6}}, [](const Tensors& x) { return sort(x[0], 1, true).first; }},
      {"topk", {{3, 6}}, [](const Tensors& x) { return topk(x[0], 3, 1).first; }},
      {"repeat", {{2, 3}}, [](const Tensors& x) { return x[0].repeat({2, 1, 3}); }},
      {"flip", {{2, 3, 4}}, [](const Tensors& x) { return flip(x[0], {0, 2}); }},
      {"unbind", {{3, 4}}, [](const Tensors& x) { auto p = unbind(x[0], 1); return p[0] * p[3] + p[1]; }},
      {"roll", {{3, 4}}, [](const Tensors& x) { return roll(x[0], {1, -6}, {0, 1}); }},
      {"roll_flat", {{3, 4}}, [](const Tensors& x) { return x[0].roll({5}); }},
      {"tril", {{2, 3, 4}}, [](const Tensors& x) { return tril(x[0], 1); }},
      {"triu", {{4, 3}}, [](const Tensors& x) { return x[0].triu(-1); }},
      {"take_along_dim", {{3, 4}}, [](const Tensors& x) {
         return take_along_dim(x[0], idx({0, 3, 3, 1, 0, 2}).view({3, 2}), 1);
       }},
      {"take_along_dim_broadcast", {{3, 4}}, [](const Tensors& x) {
         return take_along_dim(x[0].unsqueeze(0), idx({2, 0}).view({2, 1, 1}), 1);
       }},
      {"repeat_interleave", {{3, 2}}, [](const Tensors& x) { return repeat_interleave(x[0], idx({2, 0, 3}), 0); }},
      {"masked_scatter", {{3, 4}, {12}}, [](const Tensors& x) {
         return masked_scatter(x[0], tensor({true, false, true, true}), x[1]);
       }},
      // ---- pointwise composites ------------------------------------------------------------
      {"clamp_tensor_bounds", {{4, 3}, {3}, {4, 1}}, [](const Tensors& x) { return clamp(x[0], x[1] - 1, x[2] + 1); }},
      {"lerp_scalar", {{3, 4}, {3, 4}}, [](const Tensors& x) { return lerp(x[0], x[1], 0.75); }},
      {"lerp_tensor", {{3, 4}, {4}, {3, 1}}, [](const Tensors& x) { return lerp(x[0], x[1], x[2]); }},
      {"addcmul", {{3, 4}, {3, 4}, {4}}, [](const Tensors& x) { return addcmul(x[0], x[1], x[2], 0.5); }},
      {"addcdiv", {{3, 4}, {3, 4}, {3, 4}}, [](const Tensors& x) {
         return addcdiv(x[0], x[1], x[2] * x[2] + 0.5, -2);
       }},
      {"nan_to_num", {{3, 4}}, [](const Tensors& x) { return nan_to_num(x[0] * 3); }},
      {"einsum_ellipsis", {{2, 1, 3, 4}, {5, 4, 2}}, [](const Tensors& x) { return einsum("...ij,...jk", {x[0], x[1]}); }},
      {"einsum_three", {{2, 3}, {3, 4}, {4, 2}}, [](const Tensors& x) {
         return einsum("ij,jk,kl->il", {x[0], x[1], x[2]});
       }},
      {"einsum_broadcast_one", {{3, 4}, {1, 4}}, [](const Tensors& x) { return einsum("ij,ij->ij", {x[0], x[1]}); }},
  };
  return table;
}

Tensor make_input(const Shape& shape, Domain domain, uint64_t seed, bool contiguous) {
  Generator gen(seed);
  Shape wide = shape;
  if (!contiguous && !wide.empty()) wide.back() *= 2;
  Tensor t = rand(wide, {.dtype = kFloat64}, &gen);
  switch (domain) {
    case Domain::any: t = t * 4 - 2; break;
    case Domain::positive: t = t * 2 + 0.5; break;
    case Domain::unit: t = t * 1.8 - 0.9; break;
  }
  if (!contiguous && !shape.empty()) t = t.slice(-1, 0, std::nullopt, 2);  // every other column: strided
  if (!contiguous && shape.empty()) t = t.expand({2}).select(0, 1);
  return t.detach().requires_grad_();
}

Tensors make_inputs(const GradCase& c, bool contiguous) {
  Tensors inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) inputs.push_back(make_input(c.shapes[i], c.domain, 100 + i, contiguous));
  return inputs;
}

// Names of the ops recorded in the graph that produced `t`.
void collect_ops(const Tensor& t, std::set<std::string>& seen) {
  std::vector<std::shared_ptr<Node>> stack;
  if (t.grad_fn()) stack.push_back(t.grad_fn());
  std::set<Node*> visited;
  while (!stack.empty()) {
    auto node = stack.back();
    stack.pop_back();
    if (!visited.insert(node.get()).second) continue;
    seen.insert(node->op());
    for (const auto& e : node->next_edges())
      if (e.node) stack.push_back(e.node);
  }
}

class GradcheckOp : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradcheckOp, Contiguous) {
  const GradCase& c = GetParam();
  const Tensors inputs = make_inputs(c, true);
  EXPECT_NO_THROW(gradcheck(c.fn, inputs)) << c.name;
}

TEST_P(GradcheckOp, NonContiguous) {
  const GradCase& c = GetParam();
  const Tensors inputs = make_inputs(c, false);
  for (const Tensor& t : inputs) {
    if (t.dim() > 0 && t.numel() > 1) {
      ASSERT_FALSE(t.is_contiguous());
    }
  }
  EXPECT_NO_THROW(gradcheck(c.fn, inputs)) << c.name;
}

TEST_P(GradcheckOp, SecondOrder) {
  const GradCase& c = GetParam();
  if (!c.gradgrad) GTEST_SKIP() << "first order only";
  const Tensors inputs = make_inputs(c, true);
  EXPECT_NO_THROW(gradgradcheck(c.fn, inputs)) << c.name;
}

void PrintTo(const GradCase& c, std::ostream* out) { *out << c.name; }

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Ops, GradcheckOp, ::testing::ValuesIn(cases()), case_name);

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The first string literal of the call whose name ends at `at` (before its
// first ';' or '{'), or "" when there is none.
std::string first_literal(const std::string& s, size_t at) {
  for (size_t i = at; i < s.size() && s[i] != ';' && s[i] != '{'; ++i)
    if (s[i] == '"') return s.substr(i + 1, s.find('"', i + 1) - i - 1);
  return "";
}

// Every op name that src/ops records a backward rule under: the first string
// argument of record/record_*/reshaped_view/*_recorded/*_inplace calls, and
// every "*_backward" name (view_backward's).
std::set<std::string> ops_with_rules() {
  const std::vector<std::string> calls = {"record(",         "record_extreme(", "record_selected(", "record_picked(",
                                          "reshaped_view(",  "binary_recorded(", "unary_recorded(", "scatter_recorded(",
                                          "binary_inplace(", "unary_inplace("};
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(EMBER_SOURCE_DIR "/src/ops")) {
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    const std::string s = text.str();
    for (const std::string& call : calls)
      for (size_t at = s.find(call); at != std::string::npos; at = s.find(call, at + 1)) {
        if (at > 0 && is_word_char(s[at - 1])) continue;  // part of a longer name
        const std::string name = first_literal(s, at + call.size());
        if (!name.empty()) names.insert(name);
      }
    for (size_t at = s.find("_backward\""); at != std::string::npos; at = s.find("_backward\"", at + 1)) {
      const size_t open = s.rfind('"', at);
      names.insert(s.substr(open + 1, at + 9 - open - 1));
    }
  }
  return names;
}

// Graphs of all cases, first and second order, so each op name that appears
// in them is known to be exercised by a gradcheck.
TEST(GradcheckTable, EveryOpWithARuleHasACase) {
  std::set<std::string> seen;
  for (const GradCase& c : cases()) {
    const Tensors inputs = make_inputs(c, true);
    const Tensor out = c.fn(inputs);
    collect_ops(out, seen);
    Tensors wrt;
    for (const Tensor& t : inputs) wrt.push_back(t);
    const Tensors grads = autograd::grad({out}, wrt, {ones_like(out).requires_grad_()}, true, true, true);
    for (const Tensor& g : grads)
      if (g.defined()) collect_ops(g, seen);
  }
  const std::set<std::string> rules = ops_with_rules();
  ASSERT_GT(rules.size(), 40u) << "the source scan found too few rules; has the recording call changed?";
  for (const std::string& op : rules) EXPECT_TRUE(seen.count(op)) << "op '" << op << "' records a backward rule but no gradcheck case reaches it";
}

}  // namespace
