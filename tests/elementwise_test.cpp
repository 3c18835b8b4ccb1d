// Out-of-place elementwise ops and the C++ operators: values, broadcasting, type
// promotion, NaN rules, non-contiguous/large/empty/0-dim inputs, and error messages.
// Expected values are worked out by hand or taken from PyTorch's documented behaviour.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

using namespace ember;
using ::testing::ElementsAre;
using ::testing::FloatNear;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
using UnaryFn = Tensor (*)(const Tensor&);

// Runs fn, expects an ember::Error whose message contains every substring.
void expect_error(const std::function<void()>& fn, std::initializer_list<std::string> substrings) {
  try {
    fn();
    ADD_FAILURE() << "expected an ember::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& s : substrings) EXPECT_NE(msg.find(s), std::string::npos) << "'" << s << "' not in: " << msg;
  }
}

using Ints = std::vector<int64_t>;
Ints shape_of(const Tensor& t) { return t.sizes().vec(); }

// 0, 1, ..., n-1 as float32 in the given shape.
Tensor iota(Ints shape) { return arange(shape_numel(shape), {.dtype = kFloat32}).view(shape); }

// Same shape, same dtype, same values (NaN equals NaN).
void expect_same(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(shape_of(got), shape_of(want));
  ASSERT_EQ(got.dtype(), want.dtype());
  const auto g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_TRUE(g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))) << "at " << i << ": " << g[i] << " vs " << w[i];
}

// Same shape and dtype, values within a relative tolerance (NaN equals NaN).
void expect_close(const Tensor& got, const Tensor& want, double rel) {
  ASSERT_EQ(shape_of(got), shape_of(want));
  ASSERT_EQ(got.dtype(), want.dtype());
  const auto g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_TRUE(g[i] == w[i] || std::abs(g[i] - w[i]) <= rel * std::abs(w[i]) ||
                (std::isnan(g[i]) && std::isnan(w[i])))
        << "at " << i << ": " << g[i] << " vs " << w[i];
}

}  // namespace

// ---- arithmetic ---------------------------------------------------------------------

TEST(Arithmetic, AddSubWithAlpha) {
  Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({10.0, 20.0, 30.0});
  EXPECT_THAT(add(a, b).to_vector<float>(), ElementsAre(11, 22, 33));
  EXPECT_THAT(a.add(b, 2).to_vector<float>(), ElementsAre(21, 42, 63));
  EXPECT_THAT(a.add(b, 0.5).to_vector<float>(), ElementsAre(6, 12, 18));
  EXPECT_THAT(sub(a, b).to_vector<float>(), ElementsAre(-9, -18, -27));
  EXPECT_THAT(b.sub(a, 3).to_vector<float>(), ElementsAre(7, 14, 21));
  EXPECT_THAT(a.add(1.5, 2).to_vector<float>(), ElementsAre(4, 5, 6));  // a + 2 * 1.5
  EXPECT_THAT(a.sub(1, -1).to_vector<float>(), ElementsAre(2, 3, 4));
  Tensor i = tensor({1, 2, 3});
  EXPECT_THAT(i.add(tensor({1, 1, 1}), 5).to_vector<int64_t>(), ElementsAre(6, 7, 8));
  EXPECT_EQ(i.add(tensor({1, 1, 1}), 5).dtype(), kInt64);
}

TEST(Arithmetic, MulAndTrueDivision) {
  Tensor a = tensor({1.0, -2.0, 3.0});
  EXPECT_THAT(mul(a, tensor({2.0, 3.0, -4.0})).to_vector<float>(), ElementsAre(2, -6, -12));
  EXPECT_THAT(a.mul(0.5).to_vector<float>(), ElementsAre(0.5, -1, 1.5));
  EXPECT_THAT(div(a, tensor({2.0, 4.0, 0.0})).to_vector<float>(), ElementsAre(0.5, -0.5, kInf));
  // int / int is true division into the default float dtype.
  Tensor q = div(tensor({1, 7, -7}), tensor({2, 2, 2}));
  EXPECT_EQ(q.dtype(), kFloat32);
  EXPECT_THAT(q.to_vector<float>(), ElementsAre(0.5, 3.5, -3.5));
  Tensor q32 = tensor({3, 1}, {.dtype = kInt32}).div(2);
  EXPECT_EQ(q32.dtype(), kFloat32);
  EXPECT_THAT(q32.to_vector<float>(), ElementsAre(1.5, 0.5));
  Tensor z = div(tensor({1, -1, 0}), tensor({0, 0, 0}));  // float semantics: +-inf and nan, no error
  EXPECT_EQ(z[0].item<float>(), kInf);
  EXPECT_EQ(z[1].item<float>(), -kInf);
  EXPECT_TRUE(std::isnan(z[2].item<float>()));
  EXPECT_EQ(div(tensor({true}), tensor({true})).dtype(), kFloat32);
}

TEST(Arithmetic, PowTensorScalarAndScalarBase) {
  Tensor a = tensor({2.0, 3.0, 4.0});
  EXPECT_THAT(pow(a, tensor({3.0, 2.0, 0.5})).to_vector<float>(), ElementsAre(8, 9, 2));
  EXPECT_THAT(a.pow(2).to_vector<float>(), ElementsAre(4, 9, 16));
  EXPECT_THAT(a.pow(-1.0).to_vector<float>(), ElementsAre(0.5, FloatNear(1.0 / 3, 1e-7), 0.25));
  EXPECT_TRUE(std::isnan(tensor({-8.0}).pow(1.0 / 3).item<float>()));  // negative base, fractional exponent
  Tensor sb = pow(2, tensor({0.0, 1.0, -1.0}));
  EXPECT_EQ(sb.dtype(), kFloat32);
  EXPECT_THAT(sb.to_vector<float>(), ElementsAre(1, 2, 0.5));
  Tensor fb = pow(2.0, tensor({-1, 0, 3}));  // float base, int exponents -> float32
  EXPECT_EQ(fb.dtype(), kFloat32);
  EXPECT_THAT(fb.to_vector<float>(), ElementsAre(0.5, 1, 8));
  Tensor r = tensor({4, 9}).pow(0.5);  // int tensor, float exponent -> float32
  EXPECT_EQ(r.dtype(), kFloat32);
  EXPECT_THAT(r.to_vector<float>(), ElementsAre(2, 3));
}

TEST(Arithmetic, IntegerPow) {
  Tensor p = tensor({2, -3, 5, 0}).pow(3);
  EXPECT_EQ(p.dtype(), kInt64);
  EXPECT_THAT(p.to_vector<int64_t>(), ElementsAre(8, -27, 125, 0));
  EXPECT_THAT(tensor({7, 0}).pow(0).to_vector<int64_t>(), ElementsAre(1, 1));
  // Negative tensor exponents: 1 and -1 keep a magnitude of 1, everything else truncates to 0.
  Tensor n = pow(tensor({2, 1, -1, 0, 3, -1}), tensor({-1, -2, -3, -1, 0, -2}));
  EXPECT_EQ(n.dtype(), kInt64);
  EXPECT_THAT(n.to_vector<int64_t>(), ElementsAre(0, 1, -1, 0, 1, 1));
  EXPECT_THAT(pow(2, tensor({-1, 0, 3})).to_vector<int64_t>(), ElementsAre(0, 1, 8));
  Tensor u = tensor({3, 2}, {.dtype = kUInt8}).pow(tensor({5, 8}, {.dtype = kUInt8}));
  EXPECT_EQ(u.dtype(), kUInt8);
  EXPECT_THAT(u.to_vector<int64_t>(), ElementsAre(243, 0));  // 256 wraps to 0
  // A negative integer scalar exponent on an integer tensor is an error, as in PyTorch.
  expect_error([] { tensor({1, 2}).pow(-1); }, {"pow", "negative integer powers"});
}

TEST(Arithmetic, MaximumMinimumPropagateNaN) {
  Tensor a = tensor({1.0, 5.0, kNaN, 2.0}), b = tensor({3.0, 4.0, 0.0, kNaN});
  Tensor mx = maximum(a, b), mn = a.minimum(b);
  EXPECT_THAT(mx.to_vector<float>(), ElementsAre(3, 5, ::testing::IsNan(), ::testing::IsNan()));
  EXPECT_THAT(mn.to_vector<float>(), ElementsAre(1, 4, ::testing::IsNan(), ::testing::IsNan()));
  Tensor mi = maximum(tensor({1, 9}), tensor({5, 2}, {.dtype = kInt32}));
  EXPECT_EQ(mi.dtype(), kInt64);
  EXPECT_THAT(mi.to_vector<int64_t>(), ElementsAre(5, 9));
}

// ---- unary --------------------------------------------------------------------------

TEST(Unary, ValuesFloat32) {
  const float e = std::numbers::e_v<float>;
  auto f = [](const Tensor& t) { return t.to_vector<float>(); };
  EXPECT_THAT(f(neg(tensor({1.5, -2.0, 0.0}))), ElementsAre(-1.5, 2, 0));
  EXPECT_THAT(f(abs(tensor({-1.5, 2.0, -0.0}))), ElementsAre(1.5, 2, 0));
  EXPECT_THAT(f(sqrt(tensor({4.0, 2.25, 0.0}))), ElementsAre(2, 1.5, 0));
  EXPECT_THAT(f(rsqrt(tensor({4.0, 0.25, 0.0}))), ElementsAre(0.5, 2, kInf));
  EXPECT_THAT(f(exp(tensor({0.0, 1.0, -kInf}))), ElementsAre(1, FloatNear(e, 1e-6), 0));
  EXPECT_THAT(f(log(tensor({1.0, std::numbers::e, 0.0}))), ElementsAre(0, FloatNear(1, 1e-6), -kInf));
  EXPECT_THAT(f(log1p(tensor({0.0, std::numbers::e - 1, -1.0}))), ElementsAre(0, FloatNear(1, 1e-6), -kInf));
  EXPECT_THAT(f(expm1(tensor({0.0, std::numbers::ln2}))), ElementsAre(0, FloatNear(1, 1e-6)));
  EXPECT_THAT(f(sin(tensor({0.0, std::numbers::pi / 6, std::numbers::pi / 2}))),
              ElementsAre(0, FloatNear(0.5, 1e-6), FloatNear(1, 1e-6)));
  EXPECT_THAT(f(cos(tensor({0.0, std::numbers::pi / 3}))), ElementsAre(1, FloatNear(0.5, 1e-6)));
  // tanh(ln 2) = (4 - 1) / (4 + 1); sigmoid(ln 3) = 3 / 4
  EXPECT_THAT(f(tanh(tensor({0.0, std::numbers::ln2, 50.0}))), ElementsAre(0, FloatNear(0.6, 1e-6), 1));
  EXPECT_THAT(f(sigmoid(tensor({0.0, std::log(3.0), -kInf, kInf}))), ElementsAre(0.5, FloatNear(0.75, 1e-6), 0, 1));
  EXPECT_THAT(f(relu(tensor({-1.0, 0.0, 2.5, kNaN}))), ElementsAre(0, 0, 2.5, ::testing::IsNan()));
  EXPECT_THAT(f(floor(tensor({-2.5, -0.5, 0.5, 2.5}))), ElementsAre(-3, -1, 0, 2));
  EXPECT_THAT(f(ceil(tensor({-2.5, -0.5, 0.5, 2.5}))), ElementsAre(-2, 0, 1, 3));
  EXPECT_THAT(f(sign(tensor({-3.5, 0.0, 2.0, -kInf}))), ElementsAre(-1, 0, 1, -1));
  EXPECT_THAT(f(sign(tensor({kNaN, -0.0}))), ElementsAre(0, 0));  // PyTorch's sign(nan) is 0 (NumPy's is nan)
  EXPECT_THAT(f(reciprocal(tensor({2.0, -0.25, 0.0}))), ElementsAre(0.5, -4, kInf));
  EXPECT_THAT(f(square(tensor({-3.0, 0.5}))), ElementsAre(9, 0.25));
  EXPECT_TRUE(std::isnan(sqrt(tensor({-1.0})).item<float>()));
  EXPECT_TRUE(std::isnan(log(tensor({-1.0})).item<float>()));
}

TEST(Unary, SpecialValuesOnScalarAndVectorPaths) {
  // {-inf, inf, nan, 0, -0, -1} repeated: 6 elements take the scalar loop, 48 the SLEEF vector loop.
  struct Case {
    UnaryFn fn;
    double want[6];
  };
  const double e1 = std::exp(-1.0);
  const Case cases[] = {
      {exp, {0, kInf, kNaN, 1, 1, e1}},           {log, {kNaN, kInf, kNaN, -kInf, -kInf, kNaN}},
      {log1p, {kNaN, kInf, kNaN, 0, 0, -kInf}},     {expm1, {-1, kInf, kNaN, 0, 0, e1 - 1}},
      {sin, {kNaN, kNaN, kNaN, 0, 0, std::sin(-1.0)}}, {cos, {kNaN, kNaN, kNaN, 1, 1, std::cos(1.0)}},
      {tanh, {-1, 1, kNaN, 0, 0, std::tanh(-1.0)}},  {sigmoid, {0, 1, kNaN, 0.5, 0.5, 1 / (1 + std::exp(1.0))}},
      {sqrt, {kNaN, kInf, kNaN, 0, 0, kNaN}},        {rsqrt, {kNaN, 0, kNaN, kInf, -kInf, kNaN}},
      {reciprocal, {0, 0, kNaN, kInf, -kInf, -1}},
  };
  for (Dtype dtype : {kFloat32, kFloat64}) {
    for (int64_t reps : {1, 8}) {
      std::vector<double> in;
      for (int64_t r = 0; r < reps; ++r) in.insert(in.end(), {-kInf, kInf, kNaN, 0.0, -0.0, -1.0});
      const Tensor x = tensor(in, {.dtype = dtype});
      for (const Case& c : cases) {
        const auto got = c.fn(x).to_vector<double>();
        for (size_t i = 0; i < got.size(); ++i) {
          const double want = c.want[i % 6];
          SCOPED_TRACE(::testing::Message() << dtype << " x" << reps << " element " << i);
          if (std::isnan(want)) EXPECT_TRUE(std::isnan(got[i])) << got[i];
          else if (std::isinf(want)) EXPECT_EQ(got[i], want);
          else EXPECT_NEAR(got[i], want, 1e-6 * std::abs(want)) << got[i];
        }
      }
    }
  }
}

TEST(Unary, RoundHalfToEven) {
  EXPECT_THAT(round(tensor({0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.4, 2.6})).to_vector<float>(),
              ElementsAre(0, 2, 2, 0, -2, -2, 0, 3));
  EXPECT_TRUE(std::signbit(round(tensor({-0.5})).item<float>()));  // -0.5 rounds to -0, as in PyTorch
  EXPECT_THAT(round(tensor({0.5, 1.5, 2.5}, {.dtype = kFloat64})).to_vector<double>(), ElementsAre(0, 2, 2));
}

TEST(Unary, DtypeRules) {
  // Transcendental ops of integers give the default float dtype.
  Tensor s = sqrt(tensor({4, 9}));
  EXPECT_EQ(s.dtype(), kFloat32);
  EXPECT_THAT(s.to_vector<float>(), ElementsAre(2, 3));
  for (UnaryFn fn : std::initializer_list<UnaryFn>{exp, log, sin, cos, tanh, sigmoid, rsqrt, log1p, expm1, reciprocal})
    EXPECT_EQ(fn(tensor({1, 2}, {.dtype = kInt32})).dtype(), kFloat32);
  EXPECT_THAT(reciprocal(tensor({2, 4})).to_vector<float>(), ElementsAre(0.5, 0.25));
  EXPECT_EQ(exp(tensor({true})).dtype(), kFloat32);
  // neg/abs/relu/sign/square and floor/ceil/round keep integer dtypes.
  Tensor i = tensor({-3, 0, 2}, {.dtype = kInt32});
  EXPECT_EQ(neg(i).dtype(), kInt32);
  EXPECT_THAT(neg(i).to_vector<int32_t>(), ElementsAre(3, 0, -2));
  EXPECT_THAT(abs(i).to_vector<int32_t>(), ElementsAre(3, 0, 2));
  EXPECT_THAT(relu(i).to_vector<int32_t>(), ElementsAre(0, 0, 2));
  EXPECT_THAT(sign(i).to_vector<int32_t>(), ElementsAre(-1, 0, 1));
  EXPECT_THAT(square(i).to_vector<int32_t>(), ElementsAre(9, 0, 4));
  for (UnaryFn fn : std::initializer_list<UnaryFn>{floor, ceil, round}) {
    Tensor r = fn(i);
    EXPECT_EQ(r.dtype(), kInt32);
    EXPECT_THAT(r.to_vector<int32_t>(), ElementsAre(-3, 0, 2));
    EXPECT_NE(r.storage().get(), i.storage().get());  // a new tensor, not an alias
  }
  // float64 stays float64, computed in double.
  Tensor d = exp(tensor({1.0}, {.dtype = kFloat64}));
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_DOUBLE_EQ(d.item<double>(), std::numbers::e);
  EXPECT_DOUBLE_EQ(sqrt(tensor({2.0}, {.dtype = kFloat64})).item<double>(), std::numbers::sqrt2);
}

// ---- clamp / where / masked_fill ---------------------------------------------------------

TEST(Clamp, BoundsNaNAndPromotion) {
  Tensor x = tensor({-2.0, 0.5, 3.0, kNaN});
  EXPECT_THAT(x.clamp(0.0).to_vector<float>(), ElementsAre(0, 0.5, 3, ::testing::IsNan()));
  EXPECT_THAT(x.clamp(std::nullopt, 1).to_vector<float>(), ElementsAre(-2, 0.5, 1, ::testing::IsNan()));
  EXPECT_THAT(clamp(x, -1, 1).to_vector<float>(), ElementsAre(-1, 0.5, 1, ::testing::IsNan()));
  EXPECT_THAT(clamp(tensor({1.0, 5.0, 3.0}), 4, 2).to_vector<float>(), ElementsAre(2, 2, 2));  // min > max: max
  Tensor i = tensor({1, 2, 3});
  EXPECT_EQ(i.clamp(2).dtype(), kInt64);
  EXPECT_THAT(i.clamp(std::nullopt, 2).to_vector<int64_t>(), ElementsAre(1, 2, 2));
  Tensor f = tensor({1, 2, 3}, {.dtype = kInt32}).clamp(2.5, 2.7);  // float bound promotes the int tensor
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(2.5, 2.5, 2.7));
  EXPECT_EQ(tensor({1, 2}).clamp(std::nullopt, 1.5).dtype(), kFloat32);
  EXPECT_EQ(x.clamp(0).dtype(), kFloat32);
  expect_error([&] { x.clamp(std::nullopt, std::nullopt); }, {"clamp", "min", "max"});
}

TEST(Where, TensorAndScalarFormsBroadcastAndPromote) {
  Tensor c = tensor({true, false, true});
  EXPECT_THAT(where(c, tensor({1.0, 2.0, 3.0}), tensor({-1.0, -2.0, -3.0})).to_vector<float>(),
              ElementsAre(1, -2, 3));
  EXPECT_THAT(where(c, tensor({1.0, 2.0, 3.0}), 0).to_vector<float>(), ElementsAre(1, 0, 3));
  EXPECT_THAT(where(c, 9, tensor({1, 2, 3})).to_vector<int64_t>(), ElementsAre(9, 2, 9));
  Tensor p = where(c, tensor({1, 2, 3}), tensor({0.5, 0.5, 0.5}));  // int64 with float32 -> float32
  EXPECT_EQ(p.dtype(), kFloat32);
  EXPECT_THAT(p.to_vector<float>(), ElementsAre(1, 0.5, 3));
  EXPECT_EQ(where(c, 1.5, tensor({1, 2, 3})).dtype(), kFloat32);
  // cond (3,1), a (1,4), b 0-dim -> (3,4)
  Tensor cond = tensor({{true}, {false}, {true}});
  Tensor w = where(cond, iota({1, 4}), scalar_tensor(-1.0));
  EXPECT_EQ(shape_of(w), (Ints{3, 4}));
  EXPECT_THAT(w.to_vector<float>(), ElementsAre(0, 1, 2, 3, -1, -1, -1, -1, 0, 1, 2, 3));
  // cond (4), a (3,1), b (1,1)
  Tensor w2 = where(tensor({true, false, false, true}), iota({3, 1}), tensor({{7.0}}));
  EXPECT_EQ(shape_of(w2), (Ints{3, 4}));
  EXPECT_THAT(w2.to_vector<float>(), ElementsAre(0, 7, 7, 0, 1, 7, 7, 1, 2, 7, 7, 2));
  expect_error([] { where(tensor({1, 0}), tensor({1.0, 2.0}), tensor({3.0, 4.0})); }, {"where", "bool", "int64"});
  expect_error([] { where(tensor({true, false}), iota({3}), iota({3})); }, {"where", "[2]", "[3]"});
}

TEST(MaskedFill, ValuesBroadcastAndDtype) {
  Tensor x = iota({2, 3});
  Tensor m = masked_fill(x, tensor({true, false, true}), -1.0);  // mask broadcast over rows
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(-1, 1, -1, -1, 4, -1));
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 1, 2, 3, 4, 5));  // out of place
  EXPECT_THAT(x.masked_fill(tensor({{false}, {true}}), 9).to_vector<float>(), ElementsAre(0, 1, 2, 9, 9, 9));
  Tensor i = tensor({1, 2}).masked_fill(tensor({true, false}), 7);
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(7, 2));
  expect_error([&] { x.masked_fill(tensor({1, 0, 1}), 0.0); }, {"masked_fill", "bool"});
}

// ---- comparisons and logical ops --------------------------------------------------------------

TEST(Compare, TensorAndScalarGiveBool) {
  Tensor a = tensor({1.0, 2.0, 3.0, kNaN}), b = tensor({3.0, 2.0, 1.0, kNaN});
  auto v = [](const Tensor& t) {
    EXPECT_EQ(t.dtype(), kBool);
    return t.to_vector<bool>();
  };
  EXPECT_THAT(v(eq(a, b)), ElementsAre(false, true, false, false));
  EXPECT_THAT(v(ne(a, b)), ElementsAre(true, false, true, true));
  EXPECT_THAT(v(lt(a, b)), ElementsAre(true, false, false, false));
  EXPECT_THAT(v(le(a, b)), ElementsAre(true, true, false, false));
  EXPECT_THAT(v(gt(a, b)), ElementsAre(false, false, true, false));
  EXPECT_THAT(v(ge(a, b)), ElementsAre(false, true, true, false));
  EXPECT_THAT(v(a.eq(2)), ElementsAre(false, true, false, false));
  EXPECT_THAT(v(a.ne(2)), ElementsAre(true, false, true, true));
  EXPECT_THAT(v(a.lt(2)), ElementsAre(true, false, false, false));
  EXPECT_THAT(v(a.le(2)), ElementsAre(true, true, false, false));
  EXPECT_THAT(v(a.gt(2)), ElementsAre(false, false, true, false));
  EXPECT_THAT(v(a.ge(2)), ElementsAre(false, true, true, false));
  // int tensor vs float scalar compares in float: nothing equals 2.5.
  EXPECT_THAT(v(tensor({1, 2, 3}).eq(2.5)), ElementsAre(false, false, false));
  EXPECT_THAT(v(tensor({1, 2, 3}).gt(2.5)), ElementsAre(false, false, true));
  EXPECT_THAT(v(tensor({1, 2, 3}, {.dtype = kInt32}).eq(tensor({1.0, 2.5, 3.0}))), ElementsAre(true, false, true));
}

TEST(Logical, IntAndFloatInputs) {
  Tensor i = tensor({0, 3, 0, -1}), f = tensor({0.0, 0.0, 2.5, -0.5});
  EXPECT_THAT(logical_and(i, f).to_vector<bool>(), ElementsAre(false, false, false, true));
  EXPECT_THAT(logical_or(i, f).to_vector<bool>(), ElementsAre(false, true, true, true));
  EXPECT_THAT(logical_xor(i, f).to_vector<bool>(), ElementsAre(false, true, true, false));
  EXPECT_THAT(logical_not(i).to_vector<bool>(), ElementsAre(true, false, true, false));
  EXPECT_THAT(f.logical_not().to_vector<bool>(), ElementsAre(true, true, false, false));
  EXPECT_THAT(i.logical_and(tensor({true})).to_vector<bool>(), ElementsAre(false, true, false, true));
  EXPECT_THAT(logical_and(tensor({-0.0, kNaN}), tensor({1.0, 1.0})).to_vector<bool>(), ElementsAre(false, true));
  for (const Tensor& t : {logical_and(i, f), logical_or(i, f), logical_xor(i, f), logical_not(f)})
    EXPECT_EQ(t.dtype(), kBool);
}

// ---- C++ operators ------------------------------------------------------------------------------

TEST(Operators, ArithmeticIncludingScalarOnTheLeft) {
  Tensor x = tensor({1.0, 2.0, 4.0}), y = tensor({2.0, 2.0, 2.0});
  EXPECT_THAT((x + y).to_vector<float>(), ElementsAre(3, 4, 6));
  EXPECT_THAT((x - y).to_vector<float>(), ElementsAre(-1, 0, 2));
  EXPECT_THAT((x * y).to_vector<float>(), ElementsAre(2, 4, 8));
  EXPECT_THAT((x / y).to_vector<float>(), ElementsAre(0.5, 1, 2));
  EXPECT_THAT((-x).to_vector<float>(), ElementsAre(-1, -2, -4));
  EXPECT_THAT((x + 1).to_vector<float>(), ElementsAre(2, 3, 5));
  EXPECT_THAT((1 + x).to_vector<float>(), ElementsAre(2, 3, 5));
  EXPECT_THAT((x - 1).to_vector<float>(), ElementsAre(0, 1, 3));
  EXPECT_THAT((2 - x).to_vector<float>(), ElementsAre(1, 0, -2));
  EXPECT_THAT((x * 3).to_vector<float>(), ElementsAre(3, 6, 12));
  EXPECT_THAT((3 * x).to_vector<float>(), ElementsAre(3, 6, 12));
  EXPECT_THAT((x / 2).to_vector<float>(), ElementsAre(0.5, 1, 2));
  EXPECT_THAT((1 / x).to_vector<float>(), ElementsAre(1, 0.5, 0.25));
  Tensor i = tensor({1, 2, 4});
  EXPECT_EQ((1 / i).dtype(), kFloat32);
  EXPECT_THAT((1 / i).to_vector<float>(), ElementsAre(1, 0.5, 0.25));
  EXPECT_EQ((2 - i).dtype(), kInt64);
  EXPECT_THAT((2 - i).to_vector<int64_t>(), ElementsAre(1, 0, -2));
  EXPECT_EQ((2.5 - i).dtype(), kFloat32);
  EXPECT_THAT((2.5 - i).to_vector<float>(), ElementsAre(1.5, 0.5, -1.5));
  Tensor u = tensor({3, 2}, {.dtype = kUInt8});
  EXPECT_EQ((2 - u).dtype(), kUInt8);
  EXPECT_THAT((2 - u).to_vector<int64_t>(), ElementsAre(255, 0));  // wraps like uint8 arithmetic
}

TEST(Operators, ComparisonAndLogical) {
  Tensor x = tensor({1, 2, 3}), y = tensor({3, 2, 1});
  EXPECT_THAT((x == y).to_vector<bool>(), ElementsAre(false, true, false));
  EXPECT_THAT((x != y).to_vector<bool>(), ElementsAre(true, false, true));
  EXPECT_THAT((x < y).to_vector<bool>(), ElementsAre(true, false, false));
  EXPECT_THAT((x <= y).to_vector<bool>(), ElementsAre(true, true, false));
  EXPECT_THAT((x > y).to_vector<bool>(), ElementsAre(false, false, true));
  EXPECT_THAT((x >= y).to_vector<bool>(), ElementsAre(false, true, true));
  EXPECT_THAT((x == 2).to_vector<bool>(), ElementsAre(false, true, false));
  EXPECT_THAT((x != 2).to_vector<bool>(), ElementsAre(true, false, true));
  EXPECT_THAT((x < 2).to_vector<bool>(), ElementsAre(true, false, false));
  EXPECT_THAT((x <= 2).to_vector<bool>(), ElementsAre(true, true, false));
  EXPECT_THAT((x > 2).to_vector<bool>(), ElementsAre(false, false, true));
  EXPECT_THAT((x >= 2).to_vector<bool>(), ElementsAre(false, true, true));
  Tensor p = tensor({true, true, false, false}), q = tensor({true, false, true, false});
  EXPECT_THAT((p && q).to_vector<bool>(), ElementsAre(true, false, false, false));
  EXPECT_THAT((p || q).to_vector<bool>(), ElementsAre(true, true, true, false));
  EXPECT_THAT((!p).to_vector<bool>(), ElementsAre(false, false, true, true));
  EXPECT_THAT((!tensor({0.0, 2.0})).to_vector<bool>(), ElementsAre(true, false));
  EXPECT_EQ((x < 2).dtype(), kBool);
}

// ---- broadcasting ---------------------------------------------------------------------------------

TEST(Broadcast, ColumnWithRowAndVectorWithMatrix) {
  Tensor col = tensor({{0.0}, {10.0}, {20.0}}), row = tensor({{1.0, 2.0, 3.0, 4.0}});
  Tensor s = col + row;
  EXPECT_EQ(shape_of(s), (Ints{3, 4}));
  EXPECT_THAT(s.to_vector<float>(), ElementsAre(1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24));
  EXPECT_THAT((row - col).to_vector<float>(), ElementsAre(1, 2, 3, 4, -9, -8, -7, -6, -19, -18, -17, -16));
  EXPECT_THAT((col * row).to_vector<float>(), ElementsAre(0, 0, 0, 0, 10, 20, 30, 40, 20, 40, 60, 80));
  EXPECT_THAT(gt(col, row.mul(5)).to_vector<bool>(),
              ElementsAre(false, false, false, false, true, false, false, false, true, true, true, false));
  Tensor m = iota({3, 4}), v = tensor({1.0, 0.0, -1.0, 2.0});
  Tensor mv = m * v, vm = v * m;
  EXPECT_EQ(shape_of(mv), (Ints{3, 4}));
  EXPECT_THAT(mv.to_vector<float>(), ElementsAre(0, 0, -2, 6, 4, 0, -6, 14, 8, 0, -10, 22));
  expect_same(vm, mv);
  EXPECT_THAT(maximum(m, v.mul(4)).to_vector<float>(), ElementsAre(4, 1, 2, 8, 4, 5, 6, 8, 8, 9, 10, 11));
}

TEST(Broadcast, ZeroDimWithMatrix) {
  Tensor z = scalar_tensor(2.0), m = iota({2, 3});
  Tensor p = pow(m, z);
  EXPECT_EQ(shape_of(p), (Ints{2, 3}));
  EXPECT_THAT(p.to_vector<float>(), ElementsAre(0, 1, 4, 9, 16, 25));
  EXPECT_THAT(div(z, m.add(1)).to_vector<float>(),
              ElementsAre(2, 1, FloatNear(2.0 / 3, 1e-7), 0.5, 0.4, FloatNear(1.0 / 3, 1e-7)));
  EXPECT_THAT(eq(m, scalar_tensor(4)).to_vector<bool>(), ElementsAre(false, false, false, false, true, false));
  Tensor zz = scalar_tensor(1.5) + scalar_tensor(2.0);
  EXPECT_EQ(zz.dim(), 0);
  EXPECT_EQ(zz.item<float>(), 3.5f);
  expect_error([] { mul(iota({2, 3}), iota({2})); }, {"mul", "[2, 3]", "[2]"});
}

// ---- type promotion ---------------------------------------------------------------------------------

TEST(Promotion, TensorTensorAndTensorScalar) {
  Tensor a = tensor({3, 4}, {.dtype = kInt32}) + tensor({1.5, 1.5});
  EXPECT_EQ(a.dtype(), kFloat32);
  EXPECT_THAT(a.to_vector<float>(), ElementsAre(4.5, 5.5));
  EXPECT_EQ((tensor({1}, {.dtype = kInt32}) + tensor({1})).dtype(), kInt64);
  EXPECT_EQ((tensor({1.0}) * tensor({1.0}, {.dtype = kFloat64})).dtype(), kFloat64);
  // Scalars don't widen within a category: uint8 + 10 stays uint8 and wraps.
  Tensor u = tensor({250, 5}, {.dtype = kUInt8}) + 10;
  EXPECT_EQ(u.dtype(), kUInt8);
  EXPECT_THAT(u.to_vector<int64_t>(), ElementsAre(4, 15));
  EXPECT_EQ((tensor({1}, {.dtype = kInt16}) * 100000).dtype(), kInt16);
  Tensor b = tensor({true, false}) + tensor({true, true});
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, true));
  EXPECT_EQ((tensor({true}) + 1).dtype(), kInt64);  // bool tensor + int scalar: the scalar's category
  Tensor f = tensor({1, 2}) + 0.5;  // int + float scalar -> default float dtype
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1.5, 2.5));
  EXPECT_EQ((tensor({1, 2}) * 2.0).dtype(), kFloat32);
  EXPECT_EQ((tensor({1.0}, {.dtype = kFloat64}) + 2.5).dtype(), kFloat64);
}

TEST(Promotion, ZeroDimTensors) {
  // A float64 0-dim tensor doesn't widen a float32 tensor...
  Tensor f = tensor({1.0, 2.0}) + scalar_tensor(1.5, {.dtype = kFloat64});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(2.5, 3.5));
  // ...but one of a higher category is taken as is (not as the default dtype).
  EXPECT_EQ((tensor({1, 2}, {.dtype = kInt32}) + scalar_tensor(1.5, {.dtype = kFloat64})).dtype(), kFloat64);
  EXPECT_EQ((tensor({1}, {.dtype = kInt32}) + scalar_tensor(7)).dtype(), kInt32);
  EXPECT_EQ((scalar_tensor(7, {.dtype = kInt32}) + scalar_tensor(7)).dtype(), kInt64);  // both 0-dim
  EXPECT_EQ(result_type(tensor({1}, {.dtype = kUInt8}), scalar_tensor(1.0)), kFloat32);
  EXPECT_EQ(result_type(tensor({1}, {.dtype = kUInt8}), Scalar(1.0)), kFloat32);
  EXPECT_EQ(result_type(tensor({true}), Scalar(true)), kBool);
}

// ---- non-contiguous inputs --------------------------------------------------------------------------

TEST(NonContiguous, TransposedSlicedExpandedMatchContiguous) {
  Tensor base = iota({4, 6}).sub(11).mul(0.25);  // values in [-2.75, 3]
  const std::vector<Tensor> views = {
      base.t(),                                       // (6,4) transposed
      base.slice(1, 0, 6, 2).slice(0, 1, 4, 2),       // (2,3) stepped
      tensor({-1.5, 0.5, 2.0}).expand({5, 3}),        // (5,3) stride 0
      base.t().slice(0, 1, 6, 3),                     // (2,4) transposed and stepped
  };
  for (const Tensor& v : views) {
    SCOPED_TRACE(::testing::PrintToString(shape_of(v)));
    ASSERT_FALSE(v.is_contiguous());
    const Tensor c = v.contiguous();
    for (UnaryFn fn : std::initializer_list<UnaryFn>{neg, abs, relu, floor, round, sign, square, sqrt, reciprocal})
      expect_same(fn(v), fn(c));
    // Contiguous transcendentals take SLEEF's vector path, strided ones std::: within 1 ulp.
    for (UnaryFn fn : std::initializer_list<UnaryFn>{exp, sin, tanh, sigmoid, log1p, expm1})
      expect_close(fn(v), fn(c), 2e-7);
    expect_same(v + v.mul(2), c + c.mul(2));
    expect_same(v * v, c * c);
    expect_same(v - 1, c - 1);
    expect_same(2 / v, 2 / c);
    expect_same(pow(v, 2), pow(c, 2));
    expect_same(maximum(v, c.neg()), maximum(c, c.neg()));
    expect_same(v.gt(0.5), c.gt(0.5));
    expect_same(v.le(c.neg()), c.le(c.neg()));
    expect_same(clamp(v, -1, 1), clamp(c, -1, 1));
    expect_same(where(v.gt(0), v, v.neg()), where(c.gt(0), c, c.neg()));
    expect_same(logical_xor(v, v.gt(0)), logical_xor(c, c.gt(0)));
  }
  // A non-contiguous bool condition and int operands.
  Tensor cond = tensor({{true, false}, {false, false}, {true, true}}).t();
  Tensor ints = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_THAT(where(cond, ints, -ints).to_vector<int64_t>(), ElementsAre(1, -2, 3, -4, -5, 6));
}

// ---- large inputs: threaded and SLEEF vector paths -------------------------------------------------

namespace {
// Runs fn over n float32 (or float64) values spread over [lo, hi] and checks each
// result against ref in double to a relative tolerance; returns the failure count.
template <class T>
int64_t count_mismatches(Tensor (*fn)(const Tensor&), double (*ref)(double), double lo, double hi, int64_t n,
                         double rel_tol, bool transposed = false) {
  std::vector<T> xs(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    xs[static_cast<size_t>(i)] = static_cast<T>(lo + (hi - lo) * double(i) / double(n - 1));
  Tensor x = from_buffer(xs.data(), dtype_of<T>, {n});
  if (transposed) x = x.view({n / 7, 7}).t();  // same values, strided
  const Tensor y = fn(x);
  EXPECT_EQ(y.dtype(), dtype_of<T>);
  const std::vector<T> got = y.template to_vector<T>(), in = x.template to_vector<T>();
  int64_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double want = ref(static_cast<double>(in[i]));
    if (std::abs(static_cast<double>(got[i]) - want) > rel_tol * std::abs(want) + 1e-30) {
      if (bad++ < 3) ADD_FAILURE() << "x = " << in[i] << ": got " << got[i] << ", want " << want;
    }
  }
  return bad;
}
struct UnaryCase {
  const char* name;
  Tensor (*fn)(const Tensor&);
  double (*ref)(double);
  double lo, hi;
};
const UnaryCase kCases[] = {
    {"exp", exp, [](double v) { return std::exp(v); }, -20, 20},
    {"log", log, [](double v) { return std::log(v); }, 1e-3, 1000},
    {"tanh", tanh, [](double v) { return std::tanh(v); }, -10, 10},
    {"sigmoid", sigmoid, [](double v) { return 1 / (1 + std::exp(-v)); }, -20, 20},
    {"sin", sin, [](double v) { return std::sin(v); }, -20, 20},
    {"cos", cos, [](double v) { return std::cos(v); }, -20, 20},
    {"expm1", expm1, [](double v) { return std::expm1(v); }, -5, 5},
    {"log1p", log1p, [](double v) { return std::log1p(v); }, -0.99, 100},
    {"sqrt", sqrt, [](double v) { return std::sqrt(v); }, 0, 1e4},
};
constexpr int64_t kLarge = 200004;  // > 100k elements, a multiple of 7 but not of 8
}  // namespace

TEST(Large, Float32TranscendentalsMatchStdInDouble) {
  for (const UnaryCase& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(count_mismatches<float>(c.fn, c.ref, c.lo, c.hi, kLarge, 1e-6), 0);
    EXPECT_EQ(count_mismatches<float>(c.fn, c.ref, c.lo, c.hi, kLarge, 1e-6, /*transposed=*/true), 0);
  }
}

TEST(Large, Float64TranscendentalsMatchStd) {
  for (const UnaryCase& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(count_mismatches<double>(c.fn, c.ref, c.lo, c.hi, kLarge, 1e-13), 0);
  }
}

TEST(Large, BinaryAndCompareOverThreads) {
  const int64_t n = 300001;
  Tensor a = arange(n, {.dtype = kFloat32}), b = arange(n, {.dtype = kFloat64}).mul(0.5);
  Tensor s = a.add(b, 2);  // i + 2 * (i / 2) = 2i, promoted to float64
  EXPECT_EQ(s.dtype(), kFloat64);
  const auto sv = s.to_vector<double>();
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += sv[static_cast<size_t>(i)] != 2.0 * double(i);
  EXPECT_EQ(bad, 0);
  EXPECT_FALSE(a.gt(b.mul(3)).any().item<bool>());  // i > 1.5 i never holds for i >= 0
  EXPECT_TRUE(a.ge(b).all().item<bool>());
  Tensor ints = arange(n).mul(3).sub(arange(n));  // 2i in int64
  EXPECT_EQ(ints.dtype(), kInt64);
  EXPECT_EQ(ints[n - 1].item<int64_t>(), 2 * (n - 1));
  EXPECT_TRUE(ints.eq(s).all().item<bool>());
  // Broadcast over a large matrix with a column that is itself non-contiguous.
  Tensor m = ones({1000, 300}), col = arange(2000, {.dtype = kFloat32}).slice(0, 0, 2000, 2).view({1000, 1});
  Tensor r = m * col;  // row k holds 2k
  EXPECT_EQ(r[999][299].item<float>(), 1998.0f);
}

// ---- empty and 0-dim ----------------------------------------------------------------------------------

TEST(EdgeShapes, EmptyTensors) {
  Tensor e = zeros({0, 3});
  Tensor s = e + tensor({1.0, 2.0, 3.0});
  EXPECT_EQ(shape_of(s), (Ints{0, 3}));
  EXPECT_EQ(s.numel(), 0);
  EXPECT_EQ(shape_of(exp(e)), (Ints{0, 3}));
  EXPECT_EQ(shape_of(sqrt(zeros({0}, {.dtype = kInt64}))), (Ints{0}));
  EXPECT_EQ(sqrt(zeros({0}, {.dtype = kInt64})).dtype(), kFloat32);
  Tensor c = e.lt(1);
  EXPECT_EQ(c.dtype(), kBool);
  EXPECT_EQ(shape_of(c), (Ints{0, 3}));
  EXPECT_EQ(shape_of(where(c, e, 1.0)), (Ints{0, 3}));
  EXPECT_EQ(shape_of(zeros({2, 0}) * zeros({1, 1})), (Ints{2, 0}));
  EXPECT_EQ(shape_of(clamp(e, 0, 1)), (Ints{0, 3}));
  EXPECT_EQ(shape_of(e.masked_fill(tensor({true, false, true}), 1.0)), (Ints{0, 3}));
  expect_error([] { zeros({0, 3}) + zeros({2, 3}); }, {"add", "[0, 3]", "[2, 3]"});
  // An empty tensor may have no memory at all: nothing may be read or written.
  Tensor none = from_blob(nullptr, {0, 3}, kFloat32);
  for (const Tensor& r : {exp(none), none + 1, none * none.t().t(), clamp(none, 0), where(none.gt(0), none, none),
                          none.t().sqrt(), logical_not(none), pow(none, 2)})
    EXPECT_EQ(r.numel(), 0);
}

TEST(EdgeShapes, ZeroDimTensors) {
  Tensor x = scalar_tensor(-2.0);
  for (UnaryFn fn : std::initializer_list<UnaryFn>{neg, abs, exp, tanh, relu, round, sign, square})
    EXPECT_EQ(fn(x).dim(), 0);
  EXPECT_EQ(abs(x).item<float>(), 2.0f);
  EXPECT_EQ((x * x).item<float>(), 4.0f);
  EXPECT_EQ(x.lt(0).dim(), 0);
  EXPECT_TRUE(x.lt(0).item<bool>());
  EXPECT_EQ(clamp(x, 0).item<float>(), 0.0f);
  EXPECT_EQ(where(scalar_tensor(true), x, 5).item<float>(), -2.0f);
  EXPECT_EQ(pow(x, 3).item<float>(), -8.0f);
}

// ---- error messages -------------------------------------------------------------------------------------

TEST(Errors, MessagesNameTheOpAndTheProblem) {
  expect_error([] { add(zeros({3, 4}), zeros({5, 4})); }, {"add", "[3, 4]", "[5, 4]"});
  expect_error([] { sub(tensor({true}), tensor({false})); }, {"sub", "bool", "logical_xor"});
  expect_error([] { tensor({true}) - tensor({true}); }, {"sub", "bool"});
  expect_error([] { neg(tensor({true, false})); }, {"neg", "bool", "logical_not"});
  expect_error([] { -tensor({true}); }, {"neg", "bool"});
  expect_error([] { add(tensor({1, 2}), tensor({1, 2}), 1.5); }, {"add", "alpha", "1.5"});
  expect_error([] { sub(tensor({1, 2}), 1, 0.5); }, {"sub", "alpha"});
  expect_error([] { where(tensor({1.0}), tensor({1.0}), tensor({1.0})); }, {"where", "bool", "float32"});
  expect_error([] { clamp(tensor({1.0}), std::nullopt, std::nullopt); }, {"clamp", "min", "max"});
  expect_error([] { add(Tensor(), tensor({1.0})); }, {"add", "undefined"});
}

// ---- pointwise composites and inspection (values against PyTorch: parity_test) ------------------

TEST(Composites, ClampWithTensorBounds) {
  const Tensor x = tensor({1.0f, 5.0f, -3.0f, std::nanf("")});
  const Tensor lo = tensor({2.0f, 0.0f, 0.0f, 0.0f}), hi = tensor({1.0f, 3.0f, 4.0f, 1.0f});
  EXPECT_THAT(clamp(x, lo, hi).to_vector<float>(), ElementsAre(1, 3, 0, ::testing::IsNan()));  // min > max: max
  EXPECT_THAT(x.clamp(Tensor(), hi).to_vector<float>(), ElementsAre(1, 3, -3, ::testing::IsNan()));
  EXPECT_EQ(clamp(tensor({1, 5}), tensor({2.5f}), Tensor()).dtype(), kFloat32);  // promoted as PyTorch
  // the gradient goes to x where lo <= x <= hi (ties included), else to the bound that won
  const Tensor v = tensor({0.0f, 1.0f, 2.0f}).requires_grad_();
  const Tensor a = tensor({1.0f, 1.0f, 1.0f}).requires_grad_(), b = tensor({1.5f}).requires_grad_();
  clamp(v, a, b).sum().backward();
  EXPECT_THAT(v.grad().to_vector<float>(), ElementsAre(0, 1, 0));
  EXPECT_THAT(a.grad().to_vector<float>(), ElementsAre(1, 0, 0));
  EXPECT_THAT(b.grad().to_vector<float>(), ElementsAre(1));
  expect_error([&] { clamp(x, Tensor(), Tensor()); }, {"clamp", "at least one of min and max"});
  expect_error([&] { clamp(tensor({true}), tensor({false}), Tensor()); }, {"clamp", "bool"});
}

TEST(Composites, LerpAddcmulAddcdiv) {
  const Tensor a = tensor({1.0f, -2.0f}), b = tensor({3.0f, 5.0f});
  EXPECT_THAT(lerp(a, b, 1.0).to_vector<float>(), ElementsAre(3, 5));  // exactly end
  EXPECT_THAT(lerp(a, b, tensor({0.25f, 2.0f})).to_vector<float>(), ElementsAre(1.5, 12));
  EXPECT_THAT(addcmul(a, a, b, 2).to_vector<float>(), ElementsAre(7, -22));
  EXPECT_THAT(a.t().addcdiv(b, tensor({2.0f}), -1).to_vector<float>(), ElementsAre(-0.5, -4.5));
  expect_error([&] { lerp(a, b.to(kFloat64), 0.5); }, {"lerp", "float32 for end", "float64"});
  expect_error([&] { lerp(a, b, tensor({0.5}, {.dtype = kFloat64})); }, {"lerp", "weight", "float64"});
  expect_error([&] { lerp(tensor({1}), tensor({2}), 0.5); }, {"lerp", "floating-point", "int64"});
  expect_error([&] { addcdiv(tensor({1}), tensor({1}), tensor({2})); }, {"addcdiv", "integer division"});
  expect_error([&] { addcmul(a, Tensor(), b); }, {"addcmul", "tensor1"});
}

TEST(Composites, InspectionAndCloseness) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = tensor({1.0f, std::nanf(""), inf, -inf});
  EXPECT_THAT(x.isnan().to_vector<bool>(), ElementsAre(false, true, false, false));
  EXPECT_THAT(x.isinf().to_vector<bool>(), ElementsAre(false, false, true, true));
  EXPECT_THAT(x.isfinite().to_vector<bool>(), ElementsAre(true, false, false, false));
  EXPECT_THAT(isfinite(tensor({3, 4})).to_vector<bool>(), ElementsAre(true, true));
  EXPECT_THAT(isnan(tensor({3})).to_vector<bool>(), ElementsAre(false));
  EXPECT_THAT(x.to(kFloat16).nan_to_num().to_vector<float>(), ElementsAre(1, 0, 65504, -65504));
  EXPECT_THAT(x.nan_to_num(2, 3, -4).to_vector<float>(), ElementsAre(1, 2, 3, -4));
  EXPECT_THAT(tensor({7}).nan_to_num().to_vector<int64_t>(), ElementsAre(7));
  EXPECT_THAT(isclose(tensor({1, 2}), tensor({1, 3}), 1e-5, 1).to_vector<bool>(), ElementsAre(true, true));
  EXPECT_THAT(isclose(x, x).to_vector<bool>(), ElementsAre(true, false, true, true));
  EXPECT_THAT(isclose(x, x, 0, 0, true).to_vector<bool>(), ElementsAre(true, true, true, true));
  EXPECT_TRUE(allclose(tensor({1.0f, 2.0f}), tensor({1.0f + 1e-6f, 2.0f})));
  EXPECT_FALSE(tensor({1.0f}).allclose(tensor({1.1f})));
  EXPECT_TRUE(equal(tensor({1, 2}), tensor({1, 2})));
  EXPECT_FALSE(equal(tensor({1, 2}), tensor({{1, 2}})));  // shapes differ
  EXPECT_FALSE(x.equal(x));  // NaN is never equal
  EXPECT_TRUE(tensor({1, 2}).equal(tensor({1.0f, 2.0f})));  // values, as PyTorch
  expect_error([&] { isclose(tensor({1}), tensor({1.0f})); }, {"isclose", "one dtype", "int64", "float32"});
  expect_error([&] { isclose(x, x, -1); }, {"isclose", "rtol", "-1"});
  expect_error([&] { isclose(x, x, 0, -2); }, {"isclose", "atol", "-2"});
}

TEST(Composites, InPlaceForms) {
  const Tensor a = tensor({1.0f, -2.0f, 3.0f}), b = tensor({3.0f, 5.0f, -1.0f});
  Tensor x = a.clone();
  EXPECT_TRUE(x.lerp_(b, 0.25).equal(lerp(a, b, 0.25)));
  x = a.clone();
  EXPECT_TRUE(x.addcmul_(a, b, 2).equal(addcmul(a, a, b, 2)));
  x = a.clone();
  EXPECT_TRUE(x.addcdiv_(a, b, -1).equal(addcdiv(a, a, b, -1)));
  x = a.clone();
  EXPECT_TRUE(x.clamp_(tensor({0.0f}), tensor({2.0f})).equal(tensor({1.0f, 0.0f, 2.0f})));
  x = tensor({std::nanf(""), 1.0f});
  EXPECT_TRUE(x.nan_to_num_(7).equal(tensor({7.0f, 1.0f})));
  x = ones({2, 2});
  EXPECT_TRUE(x.tril_().equal(tensor({{1.0f, 0.0f}, {1.0f, 1.0f}})));
  EXPECT_TRUE(x.triu_(1).equal(zeros({2, 2})));
  x = zeros({3});
  x.masked_scatter_(tensor({true, false, true}), tensor({4.0f, 5.0f}));
  EXPECT_TRUE(x.equal(tensor({4.0f, 0.0f, 5.0f})));
  // Under autograd the in-place form records like its out-of-place one.
  const Tensor w = tensor({0.5f, 0.5f, 0.5f}).requires_grad_();
  Tensor y = a * 1.0f;
  y.lerp_(b, w);
  y.sum().backward();
  EXPECT_TRUE(w.grad().equal(b - a));
  // The errors of in-place ops: a leaf that requires grad, a result self cannot hold.
  Tensor leaf = a.clone().requires_grad_();
  expect_error([&] { leaf.addcmul_(a, b); }, {"addcmul_", "leaf"});
  Tensor ints = tensor({1, 2, 3});
  expect_error([&] { ints.addcmul_(a, b); }, {"addcmul_", "float32", "int64"});
  expect_error([&] { ints.tril_(); }, {"tril", "at least 2 dims"});
  Tensor row = zeros({3});
  expect_error([&] { row.addcmul_(zeros({2, 3}), zeros({3})); }, {"addcmul_", "[2, 3]", "[3]"});
  Tensor recorded = zeros({3}) * tensor({1.0f}).requires_grad_();  // the autograd path checks too
  expect_error([&] { recorded.addcmul_(zeros({2, 3}), zeros({3})); }, {"addcmul_", "[2, 3]", "[3]"});
}

// ---- remainder, fmod and the rounded divisions (values against PyTorch: parity_test) -----------

TEST(Division, SignsFollowTheDivisorOrTheDividend) {
  const Tensor a = tensor({5.5, -5.5, 5.5, -5.5}), b = tensor({2.0, 2.0, -2.0, -2.0});
  EXPECT_THAT(remainder(a, b).to_vector<float>(), ElementsAre(1.5, 0.5, -0.5, -1.5));  // the sign of b
  EXPECT_THAT(fmod(a, b).to_vector<float>(), ElementsAre(1.5, -1.5, 1.5, -1.5));       // the sign of a
  EXPECT_THAT(floor_divide(a, b).to_vector<float>(), ElementsAre(2, -3, -3, 2));
  EXPECT_THAT(div(a, b, "trunc").to_vector<float>(), ElementsAre(2, -2, -2, 2));
  EXPECT_THAT(div(a, b, "floor").to_vector<float>(), ElementsAre(2, -3, -3, 2));
  const Tensor i = tensor(Ints{7, -7, 7, -7}), j = tensor(Ints{3, 3, -3, -3});
  EXPECT_EQ(remainder(i, j).to_vector<int64_t>(), (Ints{1, 2, -2, -1}));
  EXPECT_EQ(fmod(i, j).to_vector<int64_t>(), (Ints{1, -1, 1, -1}));
  EXPECT_EQ(floor_divide(i, j).to_vector<int64_t>(), (Ints{2, -3, -3, 2}));
  EXPECT_EQ(i.div(j, "trunc").to_vector<int64_t>(), (Ints{2, -2, -2, 2}));
  EXPECT_EQ(floor_divide(i, j).dtype(), kInt64);  // integers stay integers
  EXPECT_EQ(remainder(i, 2.5).dtype(), kFloat32);  // a float scalar promotes
}

TEST(Division, EdgeCasesAreIeeeOrWrapAround) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const Tensor a = tensor({1.0, -1.0, 0.0, -0.0}, {.dtype = kFloat64});
  const auto q = floor_divide(a, 0.0).to_vector<double>();
  EXPECT_EQ(q[0], kInf);
  EXPECT_EQ(q[1], -kInf);
  EXPECT_TRUE(std::isnan(q[2]));
  EXPECT_TRUE(std::isnan(remainder(a, 0.0).to_vector<double>()[0]));
  EXPECT_TRUE(std::signbit(floor_divide(tensor({-0.0}), 2.0).item<float>()));  // -0 / 2 floors to -0
  EXPECT_EQ(floor_divide(tensor({1.0}), -kInf).item<float>(), -1.0f);  // as Python's 1.0 // -inf
  // The quotient by -1 of the lowest integer wraps (no overflow trap).
  constexpr int64_t kLowest = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(floor_divide(tensor(Ints{kLowest}), -1).item<int64_t>(), kLowest);
  EXPECT_EQ(tensor(Ints{kLowest}).div(-1, "trunc").item<int64_t>(), kLowest);
  EXPECT_EQ(remainder(tensor(Ints{kLowest}), -1).item<int64_t>(), 0);
  EXPECT_EQ(fmod(tensor(Ints{kLowest}), -1).item<int64_t>(), 0);
}

TEST(Division, InPlaceAndErrors) {
  Tensor x = tensor({5.5, -5.5});
  x.remainder_(2.0);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(1.5, 0.5));
  Tensor y = tensor(Ints{7, -7});
  y.div_(2, "floor");
  EXPECT_EQ(y.to_vector<int64_t>(), (Ints{3, -4}));
  y.fmod_(tensor(Ints{2, 3}));
  EXPECT_EQ(y.to_vector<int64_t>(), (Ints{1, -1}));
  expect_error([] { remainder(tensor(Ints{1, 2}), tensor(Ints{1, 0})); }, {"remainder", "division by zero"});
  expect_error([] { floor_divide(tensor(Ints{1}), 0); }, {"floor_divide", "division by zero"});
  expect_error([] { div(tensor(Ints{1}), tensor(Ints{0}), "trunc"); }, {"div", "division by zero"});
  expect_error([] {
    Tensor z = tensor(Ints{4});
    z.fmod_(0);
  }, {"fmod_", "division by zero"});
  expect_error([] { fmod(tensor({true}), tensor({true})); }, {"fmod", "bool"});
  expect_error([] { div(tensor({1.0}), tensor({2.0}), "round"); }, {"div", "rounding_mode", "'trunc', or 'floor'", "'round'"});
  // The zero check reads values: on meta it is skipped, and the shapes still come out.
  EXPECT_EQ(remainder(empty({2, 3}, {.dtype = kInt64, .device = kMeta}), empty({3}, {.dtype = kInt64, .device = kMeta}))
                .sizes(),
            IntArrayRef({2, 3}));
}
