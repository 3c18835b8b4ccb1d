// PyTorch parity: every op in the table below runs on the inputs stored in
// tests/golden/ops.txt and must reproduce PyTorch's outputs (float64, tight
// tolerance). The table and the fixture file must name the same cases.
#include <ember/ember.h>
#include <gtest/gtest.h>

#include "fixture_format.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

using namespace ember;

namespace {

using Tensors = std::vector<Tensor>;
using OpCase = std::function<Tensors(const Tensors&)>;

Tensors one(Tensor t) { return {std::move(t)}; }
Tensors two(std::pair<Tensor, Tensor> p) { return {p.first, p.second}; }

// THE op table for PyTorch parity: one row per case in tests/golden/make_fixtures.py.
const std::map<std::string, OpCase>& op_table() {
  static const std::map<std::string, OpCase> table = {
      {"add", [](const Tensors& x) { return one(x[0] + x[1]); }},
      {"add_alpha", [](const Tensors& x) { return one(add(x[0], x[1], 2.5)); }},
      {"sub", [](const Tensors& x) { return one(x[0] - x[1].t()); }},
      {"mul", [](const Tensors& x) { return one(x[0] * x[1]); }},
      {"div", [](const Tensors& x) { return one(x[0] / x[1]); }},
      {"div_int", [](const Tensors& x) { return one(x[0] / x[1]); }},
      {"pow", [](const Tensors& x) { return one(pow(x[0], x[1])); }},
      {"pow_scalar", [](const Tensors& x) { return one(pow(x[0], 3)); }},
      {"maximum", [](const Tensors& x) { return one(maximum(x[0], x[1])); }},
      {"minimum", [](const Tensors& x) { return one(minimum(x[0], x[1])); }},
      {"neg", [](const Tensors& x) { return one(neg(x[0])); }},
      {"abs", [](const Tensors& x) { return one(abs(x[0])); }},
      {"sqrt", [](const Tensors& x) { return one(sqrt(x[0])); }},
      {"rsqrt", [](const Tensors& x) { return one(rsqrt(x[0])); }},
      {"exp", [](const Tensors& x) { return one(exp(x[0])); }},
      {"log", [](const Tensors& x) { return one(log(x[0])); }},
      {"log1p", [](const Tensors& x) { return one(log1p(x[0])); }},
      {"expm1", [](const Tensors& x) { return one(expm1(x[0])); }},
      {"sin", [](const Tensors& x) { return one(sin(x[0])); }},
      {"cos", [](const Tensors& x) { return one(cos(x[0])); }},
      {"tanh", [](const Tensors& x) { return one(tanh(x[0])); }},
      {"sigmoid", [](const Tensors& x) { return one(sigmoid(x[0])); }},
      {"relu", [](const Tensors& x) { return one(relu(x[0])); }},
      {"floor", [](const Tensors& x) { return one(floor(x[0])); }},
      {"ceil", [](const Tensors& x) { return one(ceil(x[0])); }},
      {"round", [](const Tensors& x) { return one(round(x[0])); }},
      {"sign", [](const Tensors& x) { return one(sign(x[0])); }},
      {"reciprocal", [](const Tensors& x) { return one(reciprocal(x[0])); }},
      {"square", [](const Tensors& x) { return one(square(x[0])); }},
      {"erf", [](const Tensors& x) { return one(erf(x[0])); }},
      {"clamp", [](const Tensors& x) { return one(clamp(x[0], -0.5, 0.7)); }},
      {"where", [](const Tensors& x) { return one(where(x[0] > 0, x[1], x[2])); }},
      {"sum_dims", [](const Tensors& x) { return one(sum(x[0], {0, 2})); }},
      {"sum_keepdim", [](const Tensors& x) { return one(sum(x[0], 1, true)); }},
      {"sum_transposed", [](const Tensors& x) { return one(x[0].t().sum(1)); }},
      {"mean_dim", [](const Tensors& x) { return one(mean(x[0], -1)); }},
      {"prod_dim", [](const Tensors& x) { return one(prod(x[0], 0)); }},
      {"amax", [](const Tensors& x) { return one(amax(x[0], {1, 2})); }},
      {"amin", [](const Tensors& x) { return one(amin(x[0], 0)); }},
      {"max_dim", [](const Tensors& x) { return two(max(x[0], 1)); }},
      {"min_dim", [](const Tensors& x) { return two(min(x[0], 0)); }},
      {"argmax", [](const Tensors& x) { return one(argmax(x[0], 1)); }},
      {"argmin", [](const Tensors& x) { return one(argmin(x[0])); }},
      {"var", [](const Tensors& x) { return one(var(x[0], 1)); }},
      {"var_correction0", [](const Tensors& x) { return one(var(x[0], 0, 0)); }},
      {"std", [](const Tensors& x) { return one(ember::std(x[0])); }},
      {"norm2", [](const Tensors& x) { return one(norm(x[0], 2, 1)); }},
      {"norm1", [](const Tensors& x) { return one(norm(x[0], 1)); }},
      {"norm3", [](const Tensors& x) { return one(norm(x[0], 3, 0)); }},
      {"norm_inf", [](const Tensors& x) { return one(norm(x[0], INFINITY, 1)); }},
      {"logsumexp", [](const Tensors& x) { return one(logsumexp(x[0], 1)); }},
      {"cumsum", [](const Tensors& x) { return one(cumsum(x[0], 1)); }},
      {"matmul_2d", [](const Tensors& x) { return one(matmul(x[0], x[1])); }},
      {"matmul_batched", [](const Tensors& x) { return one(matmul(x[0], x[1])); }},
      {"matmul_vec", [](const Tensors& x) { return one(matmul(x[0], x[1])); }},
      {"matmul_transposed", [](const Tensors& x) { return one(matmul(x[0].t(), x[1].t())); }},
      {"bmm", [](const Tensors& x) { return one(bmm(x[0], x[1])); }},
      {"outer", [](const Tensors& x) { return one(outer(x[0], x[1])); }},
      {"einsum_attention", [](const Tensors& x) { return one(einsum("bhqd,bhkd->bhqk", {x[0], x[1]})); }},
      {"einsum_trace", [](const Tensors& x) { return one(einsum("ii->", {x[0]})); }},
      {"cat", [](const Tensors& x) { return one(cat({x[0], x[1]}, 0)); }},
      {"stack", [](const Tensors& x) { return one(stack({x[0], x[1]}, 1)); }},
      {"index_select", [](const Tensors& x) { return one(index_select(x[0], 0, x[1])); }},
      {"gather", [](const Tensors& x) { return one(gather(x[0], 1, x[1])); }},
      {"scatter_add", [](const Tensors& x) { return one(scatter_add(x[0], 1, x[1], x[2])); }},
      {"masked_select", [](const Tensors& x) { return one(masked_select(x[0], x[0] > 0)); }},
      {"sort", [](const Tensors& x) { return two(sort(x[0], 1, true)); }},
      {"topk", [](const Tensors& x) { return two(topk(x[0], 3, 1)); }},
      {"repeat", [](const Tensors& x) { return one(x[0].repeat({2, 1, 3})); }},
      {"flip", [](const Tensors& x) { return one(flip(x[0], {0, 2})); }},
      {"clamp_tensor_bounds", [](const Tensors& x) { return one(clamp(x[0], x[1], x[2])); }},
      {"clamp_tensor_min_only", [](const Tensors& x) { return one(clamp(x[0], x[1].t(), Tensor())); }},
      {"lerp_scalar", [](const Tensors& x) { return one(lerp(x[0], x[1], 0.75)); }},
      {"lerp_tensor", [](const Tensors& x) { return one(x[0].t().t().lerp(x[1], x[2])); }},
      {"addcmul", [](const Tensors& x) { return one(addcmul(x[0], x[1].t(), x[2], 0.5)); }},
      {"addcdiv", [](const Tensors& x) { return one(x[0].addcdiv(x[1], x[2], -2)); }},
      {"isnan_isinf_isfinite",
       [](const Tensors& x) { return Tensors{isnan(x[0]), x[0].isinf(), isfinite(x[0].t())}; }},
      {"nan_to_num", [](const Tensors& x) { return one(nan_to_num(x[0], 0.25, std::nullopt, -7.0)); }},
      {"isclose", [](const Tensors& x) {
         const Tensor a = x[0], b = x[1];
         return Tensors{isclose(a, b), isclose(a, b, 0.1, 1e-8, true),
                        tensor({allclose(a.narrow(0, 0, 2), b.narrow(0, 0, 2)), equal(a, a)})};
       }},
      {"unbind", [](const Tensors& x) { return unbind(x[0].t(), 1); }},
      {"roll_dims", [](const Tensors& x) { return one(roll(x[0], {1, -5}, {0, 1})); }},
      {"roll_flat", [](const Tensors& x) { return one(x[0].t().roll({5})); }},
      {"tril", [](const Tensors& x) { return one(tril(x[0], -1)); }},
      {"triu", [](const Tensors& x) { return one(x[0].t().triu(1)); }},
      {"take_along_dim", [](const Tensors& x) { return one(take_along_dim(x[0], x[1].t(), 1)); }},
      {"take_along_dim_broadcast",
       [](const Tensors& x) { return one(take_along_dim(x[0].unsqueeze(0), x[1].unsqueeze(2), 1)); }},
      {"take_along_dim_flat", [](const Tensors& x) { return one(x[0].take_along_dim(x[1])); }},
      {"repeat_interleave", [](const Tensors& x) { return one(repeat_interleave(x[0].t(), 2)); }},
      {"repeat_interleave_tensor", [](const Tensors& x) { return one(x[0].repeat_interleave(x[1], 0)); }},
      {"masked_scatter", [](const Tensors& x) { return one(x[0].t().masked_scatter(x[1].view({4, 1}), x[2])); }},
      {"einsum_ellipsis_batched", [](const Tensors& x) { return one(einsum("...ij,...jk", {x[0], x[1]})); }},
      {"einsum_ellipsis_reduce", [](const Tensors& x) { return one(einsum("b...,b->...", {x[0], x[1]})); }},
      {"einsum_ellipsis_transpose", [](const Tensors& x) { return one(einsum("i...->...i", {x[0].transpose(0, 2)})); }},
      {"einsum_three", [](const Tensors& x) { return one(einsum("ij,jk,kl->il", {x[0], x[1], x[2]})); }},
      {"einsum_four_implicit", [](const Tensors& x) { return one(einsum("i,ij,jk,k", {x[0], x[1], x[2], x[3]})); }},
      {"einsum_broadcast_one", [](const Tensors& x) { return one(einsum("ij,ij->ij", {x[0], x[1]})); }},
  };
  return table;
}

struct Fixture {
  Tensors inputs, outputs;
  Tensor cotangent;  // for the first output; undefined for non-differentiable cases
  Tensors grads;     // PyTorch's gradient for each float64 input
};

using fixtures::parse_tensor;

std::map<std::string, Fixture> load_all_fixtures() {
  std::ifstream file(EMBER_GOLDEN_DIR "/ops.txt");
  EXPECT_TRUE(file.good()) << "missing " EMBER_GOLDEN_DIR "/ops.txt";
  std::map<std::string, Fixture> fixtures;
  Fixture* current = nullptr;
  for (std::string line; std::getline(file, line);) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "case") {
      std::string name;
      in >> name;
      current = &fixtures[name];
    } else if (kind == "in" || kind == "out") {
      (kind == "in" ? current->inputs : current->outputs).push_back(parse_tensor(in));
    } else if (kind == "cot") {
      current->cotangent = parse_tensor(in);
    } else if (kind == "grad") {
      current->grads.push_back(parse_tensor(in));
    }
  }
  return fixtures;
}

const std::map<std::string, Fixture>& all_fixtures() {
  static const auto loaded = load_all_fixtures();
  return loaded;
}

}  // namespace

TEST(Parity, TableAndFixturesNameTheSameCases) {
  for (const auto& [name, fn] : op_table()) EXPECT_TRUE(all_fixtures().count(name)) << name << " has no fixture";
  for (const auto& [name, fixture] : all_fixtures()) EXPECT_TRUE(op_table().count(name)) << name << " has no table row";
}

TEST(Parity, EveryOpMatchesPyTorch) {
  for (const auto& [name, fn] : op_table()) {
    auto it = all_fixtures().find(name);
    if (it == all_fixtures().end()) continue;  // reported by the test above
    SCOPED_TRACE(name);
    const Tensors got = fn(it->second.inputs);
    const Tensors& want = it->second.outputs;
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].dtype(), want[i].dtype()) << "output " << i;
      ASSERT_EQ(got[i].sizes().vec(), want[i].sizes().vec()) << "output " << i;
      const auto g = got[i].to_vector<double>(), w = want[i].to_vector<double>();
      for (size_t k = 0; k < g.size(); ++k)
        EXPECT_NEAR(g[k], w[k], 1e-12 + 1e-10 * std::abs(w[k])) << "output " << i << " element " << k;
    }
  }
}

// Backward parity: each float64 input requires grad; autograd::grad of the
// first output with PyTorch's cotangent must give PyTorch's gradients.
TEST(Parity, EveryGradientMatchesPyTorch) {
  int checked = 0;
  for (const auto& [name, fn] : op_table()) {
    auto it = all_fixtures().find(name);
    if (it == all_fixtures().end() || !it->second.cotangent.defined()) continue;
    SCOPED_TRACE(name);
    Tensors inputs, wrt;
    for (const Tensor& t : it->second.inputs) {
      inputs.push_back(t.dtype() == kFloat64 ? t.clone().requires_grad_() : t);
      if (t.dtype() == kFloat64) wrt.push_back(inputs.back());
    }
    const Tensor out = fn(inputs)[0];
    Tensors got(wrt.size());
    if (out.requires_grad()) got = autograd::grad({out}, wrt, {it->second.cotangent}, {}, false, true);
    ASSERT_EQ(got.size(), it->second.grads.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const Tensor& want = it->second.grads[i];
      const Tensor g = got[i].defined() ? got[i] : zeros_like(want);
      ASSERT_EQ(g.sizes().vec(), want.sizes().vec()) << "gradient " << i;
      const auto gv = g.to_vector<double>(), wv = want.to_vector<double>();
      for (size_t k = 0; k < gv.size(); ++k)
        EXPECT_NEAR(gv[k], wv[k], 1e-12 + 1e-10 * std::abs(wv[k])) << "gradient " << i << " element " << k;
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}
