// The op table (see op_table.h). Unary ops of ember/elementwise_ops.h get
// their rows, in place forms included, from the list itself.
#include "op_table.h"

#include <cmath>
#include <limits>
#include <map>

namespace ember_tests {
namespace {

Tensor idx(std::vector<int64_t> v) { return tensor(v); }
Tensors one(Tensor t) { return {std::move(t)}; }
Tensors two(std::pair<Tensor, Tensor> p) { return {p.first, p.second}; }

// Where a unary op is smooth, when not everywhere.
Domain unary_domain(const std::string& name) {
  static const std::map<std::string, Domain> domains = {{"sqrt", Domain::positive},  {"rsqrt", Domain::positive},
                                                        {"log", Domain::positive},   {"log1p", Domain::positive},
                                                        {"reciprocal", Domain::positive}};
  const auto it = domains.find(name);
  return it == domains.end() ? Domain::any : it->second;
}

// name(x) and x.name_() for each unary op (logical_not gives bool: no
// gradient; elementwise_test.cpp checks its values).
void add_unary_rows(std::vector<OpCase>& table) {
  using Fn = Tensor (*)(const Tensor&);
  using Method = Tensor& (Tensor::*)();
  const std::vector<std::tuple<std::string, Fn, Method>> unary = {
#define EMBER_UNARY_ROW(name) {#name, static_cast<Fn>(&ember::name), static_cast<Method>(&Tensor::name##_)},
      EMBER_UNARY_OPS(EMBER_UNARY_ROW)
#undef EMBER_UNARY_ROW
  };
  for (const auto& [name, fn, method] : unary) {
    if (name == "logical_not") continue;
    table.emplace_back(name, std::vector<Shape>{{3, 4}}, [fn](const Tensors& x) { return fn(x[0]); },
                       unary_domain(name));
    table.emplace_back(name + "_", std::vector<Shape>{{3, 4}}, [method](const Tensors& x) {
      Tensor y = x[0] * 1;  // a non-leaf to write into
      (y.*method)();
      return y;
    }, unary_domain(name));
  }
}

std::vector<OpCase> make_table() {
  std::vector<OpCase> table = {
      // ---- binary, with broadcasting -----------------------------------------------
      {"add", {{3, 1}, {1, 4}}, [](const Tensors& x) { return x[0] + x[1]; }},
      {"add_alpha", {{2, 3}, {3}}, [](const Tensors& x) { return add(x[0], x[1], 2.5); }},
      {"add_scalar", {{2, 3}}, [](const Tensors& x) { return x[0] + 1.5; }},
      {"sub_grad", {{4, 3}, {3}}, [](const Tensors& x) { return sub(x[0], x[1], 0.5); }},
      {"rsub_scalar", {{4, 3}}, [](const Tensors& x) { return 2.0 - x[0]; }},
      {"mul", {{2, 3, 4}, {4}}, [](const Tensors& x) { return x[0] * x[1]; }},
      {"mul_self", {{3, 4}}, [](const Tensors& x) { return x[0] * x[0]; }},
      {"div", {{3, 4}, {4}}, [](const Tensors& x) { return x[0] / x[1]; }, Domain::positive},
      {"rdiv_scalar", {{3, 4}}, [](const Tensors& x) { return 2.0 / x[0]; }, Domain::positive},
      {"pow", {{3, 4}, {3, 4}}, [](const Tensors& x) { return pow(x[0], x[1]); }, Domain::positive},
      {"pow_scalar", {{3, 4}}, [](const Tensors& x) { return pow(x[0], 3); }},
      {"pow_scalar_base", {{3, 4}}, [](const Tensors& x) { return pow(2.5, x[0]); }},
      {"remainder", {{3, 4}, {4}}, [](const Tensors& x) { return remainder(x[0], x[1]); }, Domain::positive},
      {"remainder_scalar", {{3, 4}}, [](const Tensors& x) { return remainder(x[0], -1.5); }, Domain::positive},
      {"fmod", {{3, 4}, {4}}, [](const Tensors& x) { return fmod(x[0].t().t(), x[1]); }, Domain::positive},
      {"fmod_transposed", {{4, 3}, {3, 4}}, [](const Tensors& x) { return x[0].t().fmod(x[1]); }, Domain::positive},
      {"floor_divide", {{3, 4}, {4}}, [](const Tensors& x) { return floor_divide(x[0], x[1]); }, Domain::positive},
      {"div_trunc", {{3, 4}, {4}}, [](const Tensors& x) { return div(x[0], x[1], "trunc"); }, Domain::positive},
      {"div_floor_scalar", {{3, 4}}, [](const Tensors& x) { return x[0].div(0.75, "floor"); }, Domain::positive},
      {"maximum", {{3, 4}, {4}}, [](const Tensors& x) { return maximum(x[0], x[1]); }},
      {"minimum", {{3, 4}, {4}}, [](const Tensors& x) { return minimum(x[0], x[1]); }},
      // ---- clamp, where, masked_fill (unary ops: add_unary_rows) -------------------------
      {"clamp", {{4, 5}}, [](const Tensors& x) { return clamp(x[0], -0.5, 0.7); }},
      {"clamp_min", {{4, 5}}, [](const Tensors& x) { return clamp(x[0], 0.1); }},
      {"where_grad", {{3, 4}, {4}}, [](const Tensors& x) { return where(x[0] > 0, x[0] * 2, x[1]); }},
      {"masked_fill", {{3, 4}}, [](const Tensors& x) { return masked_fill(x[0], x[0] > 0.3, -1.0); }},
      // ---- in place (on non-leaf tensors) ---------------------------------------------
      {"add_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.add_(x[1], 2); return y; }},
      {"sub_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.sub_(x[1]); return y; }},
      {"mul_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.mul_(x[1]); return y; }},
      {"div_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.div_(x[1]); return y; }, Domain::positive},
      {"pow_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.pow_(2); return y; }},
      {"remainder_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.remainder_(x[1]); return y; }, Domain::positive},
      {"fmod_", {{3, 4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.fmod_(0.7); return y; }, Domain::positive},
      {"floor_divide_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.floor_divide_(x[1]); return y; }, Domain::positive},
      {"div_trunc_", {{3, 4}, {4}}, [](const Tensors& x) { Tensor y = x[0] * 1; y.div_(x[1], "trunc"); return y; }, Domain::positive},
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
      {"sum_keepdim_grad", {{3, 4, 5}}, [](const Tensors& x) { return sum(x[0], {-2}, true); }},
      {"mean", {{3, 4, 5}}, [](const Tensors& x) { return mean(x[0], {1}); }},
      {"prod", {{3, 4}}, [](const Tensors& x) { return prod(x[0]); }},
      {"prod_dim_grad", {{3, 4}}, [](const Tensors& x) { return prod(x[0], 1, true); }},
      {"prod_with_zero", {{3, 4}}, [](const Tensors& x) {
         return prod(x[0] * tensor({1.0, 0.0, 1.0, 1.0}, {.dtype = kFloat64}), 1); }},
      {"prod_two_zeros", {{2, 4}}, [](const Tensors& x) {
         return prod(x[0] * tensor({0.0, 0.0, 1.0, 1.0}, {.dtype = kFloat64}), 1); }},
      {"amax", {{3, 4, 5}}, [](const Tensors& x) { return amax(x[0], {1, 2}); }},
      {"amin_grad", {{3, 4, 5}}, [](const Tensors& x) { return amin(x[0], {0}, true); }},
      {"max_all", {{3, 4}}, [](const Tensors& x) { return max(x[0]); }},
      {"min_all", {{3, 4}}, [](const Tensors& x) { return min(x[0]); }},
      {"max_dim_grad", {{4, 6}}, [](const Tensors& x) { return max(x[0], 1).first; }},
      {"min_dim_grad", {{4, 6}}, [](const Tensors& x) { return min(x[0], 0, true).first; }},
      {"var", {{4, 6}}, [](const Tensors& x) { return var(x[0], {1}); }},
      {"std", {{4, 6}}, [](const Tensors& x) { return x[0].std(); }},
      {"norm2", {{4, 6}}, [](const Tensors& x) { return norm(x[0], 2, {1}); }},
      {"norm1", {{4, 6}}, [](const Tensors& x) { return norm(x[0], 1); }},
      {"norm3_grad", {{4, 6}}, [](const Tensors& x) { return norm(x[0], 3, {0}, true); }},
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
      {"einsum_attention_grad", {{2, 3, 4}, {2, 5, 4}}, [](const Tensors& x) { return einsum("bqd,bkd->bqk", {x[0], x[1]}); }},
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
      {"binary_cross_entropy", {{3, 4}, {3, 4}}, [](const Tensors& x) {
         return nn::functional::binary_cross_entropy(sigmoid(x[0]), sigmoid(x[1]));
       }},
      // ---- joining and indexing ----------------------------------------------------------
      {"cat", {{2, 3}, {4, 3}}, [](const Tensors& x) { return cat({x[0], x[1]}, 0); }},
      {"cat_dim1", {{2, 3}, {2, 1}}, [](const Tensors& x) { return cat({x[0], x[1], x[0]}, 1); }},
      {"stack", {{2, 3}, {2, 3}}, [](const Tensors& x) { return stack({x[0], x[1]}, 1); }},
      {"split", {{5, 3}}, [](const Tensors& x) { auto p = x[0].split(2); return p[0] * 2 + p[1] - p[2].sum(); }},
      {"chunk", {{3, 6}}, [](const Tensors& x) { auto p = x[0].chunk(3, 1); return p[0] * p[2]; }},
      {"index_select_grad", {{5, 3}}, [](const Tensors& x) { return index_select(x[0], 0, idx({4, 0, 2, 2})); }},
      {"index_select_dim1", {{3, 5}}, [](const Tensors& x) { return index_select(x[0], 1, idx({1, 1, 3})); }},
      {"gather_grad", {{3, 5}}, [](const Tensors& x) { return gather(x[0], 1, idx({0, 4, 1, 1, 2, 0}).view({3, 2})); }},
      {"scatter", {{3, 5}, {3, 2}}, [](const Tensors& x) { return scatter(x[0], 1, idx({0, 4, 1, 3, 2, 0}).view({3, 2}), x[1]); }},
      {"scatter_value", {{3, 5}}, [](const Tensors& x) { return scatter(x[0], 1, idx({0, 4, 1, 3, 2, 0}).view({3, 2}), 1.5); }},
      {"scatter_big_src", {{3, 5}, {3, 4}}, [](const Tensors& x) { return scatter(x[0], 1, idx({0, 4, 1, 3, 2, 0}).view({3, 2}), x[1]); }},
      {"scatter_add_grad", {{3, 5}, {3, 2}}, [](const Tensors& x) { return scatter_add(x[0], 1, idx({0, 0, 1, 1, 4, 4}).view({3, 2}), x[1]); }},
      {"index_tensor", {{5, 3}}, [](const Tensors& x) { return x[0].index(idx({-1, 0, 2, 2})); }},
      {"index_mask", {{3, 4}}, [](const Tensors& x) { return x[0].index(x[0] > 0); }},
      {"masked_select_grad", {{3, 4}, {4}}, [](const Tensors& x) { return masked_select(x[1] * 1 + x[0] * 0, x[0] > 0); }},
      {"sort_grad", {{3, 6}}, [](const Tensors& x) { return sort(x[0], 1, true).first; }},
      {"topk_grad", {{3, 6}}, [](const Tensors& x) { return topk(x[0], 3, 1).first; }},
      {"repeat", {{2, 3}}, [](const Tensors& x) { return x[0].repeat({2, 1, 3}); }},
      {"flip", {{2, 3, 4}}, [](const Tensors& x) { return flip(x[0], {0, 2}); }},
      {"unbind_grad", {{3, 4}}, [](const Tensors& x) { auto p = unbind(x[0], 1); return p[0] * p[3] + p[1]; }},
      {"roll", {{3, 4}}, [](const Tensors& x) { return roll(x[0], {1, -6}, {0, 1}); }},
      {"roll_flat_grad", {{3, 4}}, [](const Tensors& x) { return x[0].roll({5}); }},
      {"tril_grad", {{2, 3, 4}}, [](const Tensors& x) { return tril(x[0], 1); }},
      {"triu_grad", {{4, 3}}, [](const Tensors& x) { return x[0].triu(-1); }},
      {"take_along_dim_grad", {{3, 4}}, [](const Tensors& x) {
         return take_along_dim(x[0], idx({0, 3, 3, 1, 0, 2}).view({3, 2}), 1);
       }},
      {"take_along_dim_broadcast_grad", {{3, 4}}, [](const Tensors& x) {
         return take_along_dim(x[0].unsqueeze(0), idx({2, 0}).view({2, 1, 1}), 1);
       }},
      {"repeat_interleave_grad", {{3, 2}}, [](const Tensors& x) { return repeat_interleave(x[0], idx({2, 0, 3}), 0); }},
      {"masked_scatter_grad", {{3, 4}, {12}}, [](const Tensors& x) {
         return masked_scatter(x[0], tensor({true, false, true, true}), x[1]);
       }},
      // ---- pointwise composites ------------------------------------------------------------
      {"clamp_tensor_bounds_grad", {{4, 3}, {3}, {4, 1}}, [](const Tensors& x) { return clamp(x[0], x[1] - 1, x[2] + 1); }},
      {"lerp_scalar", {{3, 4}, {3, 4}}, [](const Tensors& x) { return lerp(x[0], x[1], 0.75); }},
      {"lerp_tensor_grad", {{3, 4}, {4}, {3, 1}}, [](const Tensors& x) { return lerp(x[0], x[1], x[2]); }},
      {"addcmul_grad", {{3, 4}, {3, 4}, {4}}, [](const Tensors& x) { return addcmul(x[0], x[1], x[2], 0.5); }},
      {"addcdiv_grad", {{3, 4}, {3, 4}, {3, 4}}, [](const Tensors& x) {
         return addcdiv(x[0], x[1], x[2] * x[2] + 0.5, -2);
       }},
      {"nan_to_num_grad", {{3, 4}}, [](const Tensors& x) { return nan_to_num(x[0] * 3); }},
      {"einsum_ellipsis", {{2, 1, 3, 4}, {5, 4, 2}}, [](const Tensors& x) { return einsum("...ij,...jk", {x[0], x[1]}); }},
      {"einsum_three", {{2, 3}, {3, 4}, {4, 2}}, [](const Tensors& x) {
         return einsum("ij,jk,kl->il", {x[0], x[1], x[2]});
       }},
      {"einsum_broadcast_one", {{3, 4}, {1, 4}}, [](const Tensors& x) { return einsum("ij,ij->ij", {x[0], x[1]}); }},
      // in-place ops through views of non-leaf tensors (the base gets a copy_slices node)
      {"inplace_through_view", {{3, 4}, {3, 4}}, [](const Tensors& x) {
         Tensor y = x[0] * x[1];
         y[1].mul_(2);
         y.slice(1, 2).add_(x[0].slice(1, 0, 2) * 3);
         return y;
       }},
      {"inplace_through_strided_view", {{3, 4}, {2, 2}}, [](const Tensors& x) {
         Tensor y = x[0].sin();
         y.t().slice(0, 1, 3).slice(1, 0, {}, 2).mul_(x[1].t());
         return y.sin();
       }},
      {"copy_into_rows_of_a_buffer", {{3, 4}}, [](const Tensors& x) {
         Tensor out = zeros({3, 4}, {.dtype = kFloat64});
         for (int64_t i = 0; i < 3; ++i) out[i].copy_(x[0][i] * static_cast<double>(i + 1));
         return out;
       }},
      // advanced indexing: several index tensors, slices between them, masks, index_put
      {"index_two_tensors", {{4, 5, 3}}, [](const Tensors& x) {
         return index(x[0], {tensor({0, 3, 2, -1}).view({2, 2}), tensor({1, 4})});
       }},
      {"index_split_by_a_slice", {{3, 4, 5}}, [](const Tensors& x) {
         return x[0].transpose(1, 2).index({tensor({0, 2}), Tensor(), tensor({1, 3})});
       }},
      {"index_middle_dims", {{2, 4, 5}}, [](const Tensors& x) {
         return index(x[0], {Tensor(), tensor({0, 1, 3, 3}).view({2, 2}), tensor({2})});
       }},
      {"index_bool_mask", {}, [](const Tensors& x) { return one(index(x[0], {gt(x[0], 0.3)})); }},
      {"index_bool_and_int", {{3, 4, 2}}, [](const Tensors& x) {
         return index(x[0], {tensor({true, false, true}), tensor({1, 3})});
       }},
      {"index_put_accumulate_duplicates", {{4, 3}, {5, 3}}, [](const Tensors& x) {
         return index_put(x[0], {tensor({0, 2, 0, 0, 3})}, x[1], true);
       }},
      {"index_put_two_tensors", {{3, 4}, {2}}, [](const Tensors& x) {
         return index_put(x[0], {tensor({0, 2}), tensor({1, -1})}, x[1]);
       }},
      {"index_put_slice_broadcast", {{3, 4, 2}, {2}}, [](const Tensors& x) {
         Tensor y = x[0].clone();
         y.index_put_({Tensor(), tensor({3, 0})}, x[1]);
         return y;
       }},
      // scans
      {"cumprod", {{3, 5}}, [](const Tensors& x) { return cumprod(x[0], 1); }},
      {"cumprod_zeros", {}, [](const Tensors& x) { return one(cumprod(x[0].t(), 0)); }},
      {"cumprod_int", {}, [](const Tensors& x) { return one(x[0].cumprod(1)); }},
      {"logcumsumexp", {{4, 3}}, [](const Tensors& x) { return logcumsumexp(x[0].t(), 1); }},
      {"logcumsumexp_extremes", {}, [](const Tensors& x) { return one(x[0].logcumsumexp(1)); }},
      // attention, blockwise (small blocks, so every case has several)
      {"sdpa_blockwise", {{2, 7, 4}, {2, 5, 4}, {2, 5, 3}}, [](const Tensors& x) {
         return F::scaled_dot_product_attention_blockwise(x[0], x[1], x[2], {}, 0.0, false, {}, nullptr, 3);
       }},
      {"sdpa_blockwise_causal_scale", {{1, 2, 6, 4}, {1, 2, 6, 4}, {1, 2, 6, 4}}, [](const Tensors& x) {
         return F::scaled_dot_product_attention_blockwise(x[0], x[1], x[2], {}, 0.0, true, 0.3, nullptr, 4);
       }},
      {"sdpa_blockwise_float_mask", {{6, 4}, {5, 4}, {5, 2}, {6, 5}}, [](const Tensors& x) {
         return F::scaled_dot_product_attention_blockwise(x[0].t().t(), x[1], x[2], x[3], 0.0, false, {}, nullptr, 2);
       }},
      {"sdpa_blockwise_bool_mask", {{2, 6, 4}, {2, 5, 4}, {2, 5, 3}}, [](const Tensors& x) {
         const Tensor mask = tensor({true, false, true, true, false}).view({1, 5});
         return F::scaled_dot_product_attention_blockwise(x[0], x[1].transpose(0, 1).transpose(0, 1), x[2], mask, 0.0,
                                                          false, {}, nullptr, 4);
       }},
      {"sdpa_blockwise_dropout", {{2, 5, 3}, {2, 4, 3}, {2, 4, 3}}, [](const Tensors& x) {
         Generator g(5);  // the same masks on every call
         return F::scaled_dot_product_attention_blockwise(x[0], x[1], x[2], {}, 0.4, false, {}, &g, 2);
       }},
      {"inplace_view_then_older_view", {{3, 4}}, [](const Tensors& x) {
         Tensor y = x[0] * 1;
         const Tensor first = y[0];
         y.slice(0, 0, 2).mul_(3);
         return first * 2 + y.sum({0});
       }},
      // ---- PyTorch parity only (inputs from tests/golden/ops.txt) --------------------------
      {"sdpa_long", {}, [](const Tensors& x) {  // L * S = 90,000: the public op runs blockwise
         return one(F::scaled_dot_product_attention(x[0], x[1], x[2], {}, 0.0, true));
       }},
      {"remainder_int", {}, [](const Tensors& x) { return remainder(x[0], x[1]); }},
      {"fmod_int", {}, [](const Tensors& x) { return fmod(x[0], x[1]); }},
      {"floor_divide_int", {}, [](const Tensors& x) { return floor_divide(x[0], x[1]); }},
      {"div_trunc_int", {}, [](const Tensors& x) { return div(x[0], x[1], "trunc"); }},
      {"div_floor_int_scalar", {}, [](const Tensors& x) { return div(x[0], -3, "floor"); }},
      {"remainder_mixed_signs", {}, [](const Tensors& x) { return remainder(x[0], x[1]); }},
      {"floor_divide_mixed_signs", {}, [](const Tensors& x) { return floor_divide(x[0], x[1]); }},
      {"div_int", {}, [](const Tensors& x) { return one(x[0] / x[1]); }},
      {"sum_transposed", {}, [](const Tensors& x) { return one(x[0].t().sum(1)); }},
      {"mean_dim", {}, [](const Tensors& x) { return one(mean(x[0], -1)); }},
      {"argmax", {}, [](const Tensors& x) { return one(argmax(x[0], 1)); }},
      {"argmin", {}, [](const Tensors& x) { return one(argmin(x[0])); }},
      {"var_correction0", {}, [](const Tensors& x) { return one(var(x[0], 0, 0)); }},
      {"matmul_2d", {}, [](const Tensors& x) { return one(matmul(x[0], x[1])); }},
      {"matmul_transposed", {}, [](const Tensors& x) { return one(matmul(x[0].t(), x[1].t())); }},
      {"clamp_tensor_min_only", {}, [](const Tensors& x) { return one(clamp(x[0], x[1].t(), Tensor())); }},
      {"isnan_isinf_isfinite", {},
       [](const Tensors& x) { return Tensors{isnan(x[0]), x[0].isinf(), isfinite(x[0].t())}; }},
      {"isclose", {}, [](const Tensors& x) {
         const Tensor a = x[0], b = x[1];
         return Tensors{isclose(a, b), isclose(a, b, 0.1, 1e-8, true),
                        tensor({allclose(a.narrow(0, 0, 2), b.narrow(0, 0, 2)), equal(a, a)})};
       }},
      {"roll_dims", {}, [](const Tensors& x) { return one(roll(x[0], {1, -5}, {0, 1})); }},
      {"take_along_dim_flat", {}, [](const Tensors& x) { return one(x[0].take_along_dim(x[1])); }},
      {"repeat_interleave_tensor", {}, [](const Tensors& x) { return one(x[0].repeat_interleave(x[1], 0)); }},
      {"einsum_ellipsis_batched", {}, [](const Tensors& x) { return one(einsum("...ij,...jk", {x[0], x[1]})); }},
      {"einsum_ellipsis_reduce", {}, [](const Tensors& x) { return one(einsum("b...,b->...", {x[0], x[1]})); }},
      {"einsum_ellipsis_transpose", {}, [](const Tensors& x) { return one(einsum("i...->...i", {x[0].transpose(0, 2)})); }},
      {"einsum_four_implicit", {}, [](const Tensors& x) { return one(einsum("i,ij,jk,k", {x[0], x[1], x[2], x[3]})); }},
      {"sub", {}, [](const Tensors& x) { return one(x[0] - x[1].t()); }},
      {"where", {}, [](const Tensors& x) { return one(where(x[0] > 0, x[1], x[2])); }},
      {"sum_keepdim", {}, [](const Tensors& x) { return one(sum(x[0], 1, true)); }},
      {"prod_dim", {}, [](const Tensors& x) { return one(prod(x[0], 0)); }},
      {"amin", {}, [](const Tensors& x) { return one(amin(x[0], 0)); }},
      {"max_dim", {}, [](const Tensors& x) { return two(max(x[0], 1)); }},
      {"min_dim", {}, [](const Tensors& x) { return two(min(x[0], 0)); }},
      {"norm3", {}, [](const Tensors& x) { return one(norm(x[0], 3, 0)); }},
      {"einsum_attention", {}, [](const Tensors& x) { return one(einsum("bhqd,bhkd->bhqk", {x[0], x[1]})); }},
      {"index_select", {}, [](const Tensors& x) { return one(index_select(x[0], 0, x[1])); }},
      {"gather", {}, [](const Tensors& x) { return one(gather(x[0], 1, x[1])); }},
      {"scatter_add", {}, [](const Tensors& x) { return one(scatter_add(x[0], 1, x[1], x[2])); }},
      {"masked_select", {}, [](const Tensors& x) { return one(masked_select(x[0], x[0] > 0)); }},
      {"sort", {}, [](const Tensors& x) { return two(sort(x[0], 1, true)); }},
      {"topk", {}, [](const Tensors& x) { return two(topk(x[0], 3, 1)); }},
      {"unbind", {}, [](const Tensors& x) { return unbind(x[0].t(), 1); }},
      {"roll_flat", {}, [](const Tensors& x) { return one(x[0].t().roll({5})); }},
      {"tril", {}, [](const Tensors& x) { return one(tril(x[0], -1)); }},
      {"triu", {}, [](const Tensors& x) { return one(x[0].t().triu(1)); }},
      {"take_along_dim", {}, [](const Tensors& x) { return one(take_along_dim(x[0], x[1].t(), 1)); }},
      {"take_along_dim_broadcast", {},
       [](const Tensors& x) { return one(take_along_dim(x[0].unsqueeze(0), x[1].unsqueeze(2), 1)); }},
      {"repeat_interleave", {}, [](const Tensors& x) { return one(repeat_interleave(x[0].t(), 2)); }},
      {"masked_scatter", {}, [](const Tensors& x) { return one(x[0].t().masked_scatter(x[1].view({4, 1}), x[2])); }},
      {"clamp_tensor_bounds", {}, [](const Tensors& x) { return one(clamp(x[0], x[1], x[2])); }},
      {"lerp_tensor", {}, [](const Tensors& x) { return one(x[0].t().t().lerp(x[1], x[2])); }},
      {"addcmul", {}, [](const Tensors& x) { return one(addcmul(x[0], x[1].t(), x[2], 0.5)); }},
      {"addcdiv", {}, [](const Tensors& x) { return one(x[0].addcdiv(x[1], x[2], -2)); }},
      {"nan_to_num", {}, [](const Tensors& x) { return one(nan_to_num(x[0], 0.25, std::nullopt, -7.0)); }},
  };
  add_unary_rows(table);
  return table;
}

}  // namespace

const std::vector<OpCase>& op_table() {
  static const std::vector<OpCase> table = make_table();
  return table;
}

}  // namespace ember_tests
