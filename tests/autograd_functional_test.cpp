// torch.autograd.functional's helpers against closed forms: for f(x) = A x the
// Jacobian is A; for f(x) = x^T A x the gradient is (A + A^T) x and the Hessian
// A + A^T; for elementwise sin the Jacobian is diag(cos x).
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace ember;
using ::testing::HasSubstr;
using Tensors = std::vector<Tensor>;

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

namespace {

Tensor f64(std::initializer_list<double> v, Shape shape) { return tensor(v, {.dtype = kFloat64}).view(shape); }

void expect_close(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_LT((got - want).abs().max().item<double>(), 1e-12) << got << "\nwant\n" << want;
}

const Tensor A = f64({1, 2, 3, 4, 5, 6}, {2, 3});
const Tensor S = f64({2, -1, 0, 3, 1, 4, 0.5, 2, -2}, {3, 3});
const Tensor x0 = f64({0.3, -1.2, 2.0}, {3});

autograd::Function linear = [](const Tensors& in) { return matmul(A, in[0]); };
autograd::Function quadratic = [](const Tensors& in) { return dot(in[0], matmul(S, in[0])); };

}  // namespace

TEST(AutogradFunctional, JacobianOfALinearMapIsItsMatrix) {
  const Tensors j = autograd::jacobian(linear, {x0});
  expect_close(j[0], A);
  EXPECT_FALSE(j[0].requires_grad());
  EXPECT_FALSE(x0.requires_grad());  // the caller's input is untouched
  // Two inputs and a matrix output: shapes output.shape + input.shape.
  const Tensor a = f64({1, 2}, {2}), b = f64({3, 4, 5}, {3});
  const Tensors products = autograd::jacobian([](const Tensors& in) { return ember::outer(in[0], in[1]); }, {a, b});
  ASSERT_EQ(products[0].sizes(), (Shape{2, 3, 2}));
  ASSERT_EQ(products[1].sizes(), (Shape{2, 3, 3}));
  EXPECT_EQ(products[0][1][2][1].item<double>(), 5.0);  // d(a1 b2)/d a1 = b2
  EXPECT_EQ(products[0][1][2][0].item<double>(), 0.0);
  EXPECT_EQ(products[1][1][2][2].item<double>(), 2.0);  // d(a1 b2)/d b2 = a1
}

TEST(AutogradFunctional, HessianOfAQuadraticForm) {
  const auto h = autograd::hessian(quadratic, {x0});
  expect_close(h[0][0], S + S.t());
  // Mixed blocks of f(a, b) = sum(a^2) * sum(b): d2/da db = 2a for every b entry.
  const Tensor a = f64({1, -2}, {2}), b = f64({0.5, 0.25, 4}, {3});
  const auto blocks = autograd::hessian([](const Tensors& in) { return in[0].square().sum() * in[1].sum(); }, {a, b});
  expect_close(blocks[0][0], eye(2, {}, {.dtype = kFloat64}) * 2 * b.sum().item<double>());
  expect_close(blocks[0][1], (a * 2).unsqueeze(1).expand({2, 3}));
  expect_close(blocks[1][0], (a * 2).unsqueeze(0).expand({3, 2}));
  expect_close(blocks[1][1], zeros({3, 3}, {.dtype = kFloat64}));
}

TEST(AutogradFunctional, VectorProducts) {
  const Tensor v = f64({1, -1}, {2}), t = f64({0.5, 2, -1}, {3});
  auto [out, vj] = autograd::vjp(linear, {x0}, v);
  expect_close(out, matmul(A, x0));
  expect_close(vj[0], matmul(v, A));
  auto [same, jv] = autograd::jvp(linear, {x0}, {t});
  expect_close(same, matmul(A, x0));
  expect_close(jv, matmul(A, t));
  const auto sine = [](const Tensors& in) { return in[0].sin(); };
  expect_close(autograd::jvp(sine, {x0}, {t}).second, x0.cos() * t);
  const Tensor h = S + S.t();
  expect_close(autograd::hvp(quadratic, {x0}, {t}).second[0], matmul(h, t));
  expect_close(autograd::vhp(quadratic, {x0}, {t}).second[0], matmul(t, h));
  // vjp of a one-element output needs no v.
  expect_close(autograd::vjp(quadratic, {x0}).second[0], matmul(h, x0));
}

TEST(AutogradFunctional, CreateGraphKeepsTheDerivativesDifferentiable) {
  const Tensor x = x0.clone().requires_grad_();
  // d/dx sum(J of sin at x) = d/dx sum(cos x) = -sin x.
  const Tensors j = autograd::jacobian([](const Tensors& in) { return in[0].sin(); }, {x}, {.create_graph = true});
  ASSERT_TRUE(j[0].requires_grad());
  j[0].sum().backward();
  expect_close(x.grad(), -x0.sin());
  const Tensor y = x0.clone().requires_grad_();
  const Tensor g = autograd::vjp(quadratic, {y}, {}, {.create_graph = true}).second[0];
  g.sum().backward();  // d/dy sum((S + S^T) y) = column sums of S + S^T
  expect_close(y.grad(), (S + S.t()).sum({0}));
}

TEST(AutogradFunctional, UnusedInputsGiveZerosOrAStrictError) {
  const Tensor a = f64({1, 2}, {2}), b = f64({3}, {1});
  const auto only_a = [](const Tensors& in) { return in[0].square().sum(); };
  const Tensors j = autograd::jacobian(only_a, {a, b});
  expect_close(j[1], zeros({1}, {.dtype = kFloat64}));
  expect_close(autograd::vjp(only_a, {a, b}).second[1], zeros({1}, {.dtype = kFloat64}));
  expect_close(autograd::jvp(only_a, {a, b}, {a, b}).second, f64({10}, {}));  // 2 a . a
  const auto constant = [](const Tensors& in) { return ones({2}, {.dtype = kFloat64}) + 0 * in[0].detach(); };
  expect_close(autograd::jacobian(constant, {a})[0], zeros({2, 2}, {.dtype = kFloat64}));
  EXPECT_ERROR(autograd::vjp(only_a, {a, b}, {}, {.strict = true}),
               "vjp: the output of the function is independent of input 1, which is not allowed in strict mode");
  EXPECT_ERROR(autograd::jacobian(only_a, {a, b}, {.strict = true}), "jacobian: the output of the function is independent of input 1");
}

TEST(AutogradFunctional, BadArgumentsNameTheHelper) {
  EXPECT_ERROR(autograd::vjp(linear, {x0}), "vjp: v can only be omitted when the function returns a one-element tensor, got shape [2]");
  EXPECT_ERROR(autograd::vjp(linear, {x0}, f64({1, 2, 3}, {3})), "vjp: v of shape [3] must have the output's shape [2]");
  EXPECT_ERROR(autograd::jvp(linear, {x0}, {f64({1}, {1})}), "jvp: tangent 0 of shape [1] must have input 0's shape [3]");
  EXPECT_ERROR(autograd::jvp(linear, {x0}), "jvp: v can only be omitted for a single one-element input");
  EXPECT_ERROR(autograd::hessian(linear, {x0}), "hessian: the function must return a one-element tensor, got shape [2]");
  EXPECT_ERROR(autograd::hvp(quadratic, {x0}, {}), "hvp: needs one vector per input (1), got 0");
  EXPECT_ERROR(autograd::jacobian(linear, {tensor({1, 2, 3})}), "jacobian: input 0 must be a defined floating-point tensor");
  EXPECT_ERROR(autograd::jacobian(linear, {}), "jacobian: needs at least one input");
}
