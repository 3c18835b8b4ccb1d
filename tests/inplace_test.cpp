// In-place ops (add_ ... copy_, += -= *= /=): results, returning *this, writes seen
// through views, broadcasting of the other operand, dtype rules, non-contiguous and
// overlapping operands, rejected expanded outputs, and the storage version counter.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

using namespace ember;
using ::testing::ElementsAre;
using ::testing::FloatNear;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

uint64_t version(const Tensor& t) { return t.storage()->version(); }

}  // namespace

// ---- results and return value ------------------------------------------------------------

TEST(InPlaceBinary, ValuesAndReturnSelf) {
  Tensor x = tensor({1.0, 2.0, 3.0});
  const void* data = x.data_ptr();
  Tensor& r = x.add_(tensor({1.0, 1.0, 1.0}), 2);
  EXPECT_EQ(&r, &x);
  EXPECT_EQ(x.data_ptr(), data);  // same storage, no reallocation
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(3, 4, 5));
  EXPECT_EQ(&x.add_(0.5), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(3.5, 4.5, 5.5));
  EXPECT_EQ(&x.sub_(tensor({0.5, 0.5, 1.5}), 1), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(3, 4, 4));
  EXPECT_EQ(&x.sub_(1, 2), &x);  // x - 2 * 1
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(1, 2, 2));
  EXPECT_EQ(&x.mul_(tensor({2.0, -1.0, 0.5})), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(2, -2, 1));
  EXPECT_EQ(&x.mul_(3), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(6, -6, 3));
  EXPECT_EQ(&x.div_(tensor({4.0, 3.0, 2.0})), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(1.5, -2, 1.5));
  EXPECT_EQ(&x.div_(0.5), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(3, -4, 3));
  EXPECT_EQ(&x.pow_(2), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(9, 16, 9));
  EXPECT_EQ(&x.pow_(0.5), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(3, 4, 3));
  EXPECT_EQ(x.data_ptr(), data);
}

TEST(InPlaceBinary, IntegerSelf) {
  Tensor i = tensor({3, -1, 4});
  i.add_(5).mul_(2).sub_(tensor({1, 1, 1}), 3);  // (x + 5) * 2 - 3
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(13, 5, 15));
  i.pow_(2);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(169, 25, 225));
  Tensor u = tensor({250, 3}, {.dtype = kUInt8});
  u.add_(10);  // uint8 arithmetic wraps
  EXPECT_THAT(u.to_vector<int64_t>(), ElementsAre(4, 13));
  Tensor b = tensor({true, false, false});
  b.add_(tensor({true, true, false}));
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, true, false));
}

TEST(InPlaceUnary, ValuesAndReturnSelf) {
  auto check = [](Tensor x, Tensor& (Tensor::*op)(), std::vector<float> want) {
    Tensor& r = (x.*op)();
    EXPECT_EQ(&r, &x);
    EXPECT_EQ(x.dtype(), kFloat32);
    const auto got = x.to_vector<float>();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(got[i])) << i;
      else if (std::isinf(want[i])) EXPECT_EQ(got[i], want[i]) << i;
      else EXPECT_NEAR(got[i], want[i], 1e-6 * std::max(1.0f, std::abs(want[i]))) << i;
    }
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  check(tensor({1.5, -2.0, 0.0}), &Tensor::neg_, {-1.5, 2, 0});
  check(tensor({1.5, -2.0, kNaN}), &Tensor::abs_, {1.5, 2, nan});
  check(tensor({4.0, 0.25, -1.0}), &Tensor::sqrt_, {2, 0.5, nan});
  check(tensor({0.0, 1.0}), &Tensor::exp_, {1, 2.7182818f});
  check(tensor({1.0, 0.0}), &Tensor::log_, {0, -std::numeric_limits<float>::infinity()});
  check(tensor({0.0, std::log(2.0)}), &Tensor::tanh_, {0, 0.6f});     // (4 - 1) / (4 + 1)
  check(tensor({0.0, std::log(3.0)}), &Tensor::sigmoid_, {0.5, 0.75f});  // 3 / (3 + 1)
  check(tensor({-1.0, 0.0, 2.0, kNaN}), &Tensor::relu_, {0, 0, 2, nan});
  Tensor i = tensor({-3, 4});
  EXPECT_EQ(&i.neg_(), &i);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(3, -4));
  EXPECT_THAT(i.abs_().to_vector<int64_t>(), ElementsAre(3, 4));
  EXPECT_THAT(tensor({-3, 4}).relu_().to_vector<int64_t>(), ElementsAre(0, 4));
  Tensor d = tensor({2.0}, {.dtype = kFloat64});
  d.sqrt_();
  EXPECT_EQ(d.item<double>(), std::sqrt(2.0));
}

TEST(InPlaceClamp, BoundsAndDtypes) {
  Tensor x = tensor({-2.0, 0.5, 3.0, kNaN});
  EXPECT_EQ(&x.clamp_(-1, 1), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(-1, 0.5, 1, ::testing::IsNan()));
  EXPECT_THAT(tensor({-2.0, 3.0}).clamp_(0).to_vector<float>(), ElementsAre(0, 3));
  EXPECT_THAT(tensor({-2.0, 3.0}).clamp_(std::nullopt, 0.5).to_vector<float>(), ElementsAre(-2, 0.5));
  EXPECT_THAT(tensor({1.0, 5.0}).clamp_(4, 2).to_vector<float>(), ElementsAre(2, 2));  // min > max: max
  EXPECT_THAT(tensor({1, 5, 9}).clamp_(2, 6).to_vector<int64_t>(), ElementsAre(2, 5, 6));
  expect_error([] { tensor({1, 2, 3}).clamp_(1.5); }, {"clamp_", "float32", "int64"});
  expect_error([] { tensor({1.0}).clamp_(std::nullopt, std::nullopt); }, {"clamp_", "min", "max"});
}

TEST(InPlaceFill, MaskedFillZeroFill) {
  Tensor x = iota({2, 3});
  EXPECT_EQ(&x.masked_fill_(tensor({true, false, true}), -1), &x);  // mask broadcast over rows
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(-1, 1, -1, -1, 4, -1));
  x.masked_fill_(tensor({{false}, {true}}), 2.5);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(-1, 1, -1, 2.5, 2.5, 2.5));
  EXPECT_EQ(&x.zero_(), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 0, 0, 0, 0, 0));
  EXPECT_EQ(&x.fill_(7), &x);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(7, 7, 7, 7, 7, 7));
  Tensor i = zeros({3}, {.dtype = kInt32});
  i.fill_(2.7);  // converted to the tensor's dtype, toward zero
  EXPECT_THAT(i.to_vector<int32_t>(), ElementsAre(2, 2, 2));
  i.masked_fill_(tensor({false, true, false}), -9.9);
  EXPECT_THAT(i.to_vector<int32_t>(), ElementsAre(2, -9, 2));
  EXPECT_THAT(zeros({2}, {.dtype = kBool}).fill_(3).to_vector<bool>(), ElementsAre(true, true));
  expect_error([&] { x.masked_fill_(tensor({1, 0, 1}), 0); }, {"masked_fill_", "bool", "int64"});
  expect_error([&] { x.masked_fill_(tensor({{{true}}, {{false}}}), 0); }, {"masked_fill_", "[2, 1, 1]", "[2, 3]"});
}

TEST(InPlaceCopy, ConvertsAndBroadcasts) {
  Tensor f = zeros({3});
  EXPECT_EQ(&f.copy_(tensor({1, -2, 3}, {.dtype = kInt32})), &f);
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1, -2, 3));
  Tensor i = zeros({3}, {.dtype = kInt64});
  i.copy_(tensor({1.9, -1.9, 2.5}));  // truncation toward zero
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(1, -1, 2));
  Tensor b = zeros({3}, {.dtype = kBool});
  b.copy_(tensor({0.0, -1.9, 0.1}));
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(false, true, true));
  Tensor m = zeros({2, 3});
  m.copy_(tensor({1.0, 2.0, 3.0}));  // (3) broadcast to (2,3)
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(1, 2, 3, 1, 2, 3));
  m.copy_(tensor({{5}, {6}}));  // (2,1) int64 into float32
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(5, 5, 5, 6, 6, 6));
  m.copy_(scalar_tensor(0.5, {.dtype = kFloat64}));
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(0.5, 0.5, 0.5, 0.5, 0.5, 0.5));
  m.t().copy_(iota({3, 2}));  // into a transposed view
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(0, 2, 4, 1, 3, 5));
  expect_error([&] { m.copy_(zeros({3, 2})); }, {"copy_", "[3, 2]", "[2, 3]"});
  expect_error([&] { zeros({3}).copy_(zeros({2, 3})); }, {"copy_", "[2, 3]", "[3]"});
}

// ---- operators ------------------------------------------------------------------------------

TEST(InPlaceOperators, CompoundAssignment) {
  Tensor x = tensor({2.0, 4.0, 8.0});
  Tensor alias = x;  // shares the TensorImpl
  EXPECT_EQ(&(x += tensor({1.0, 1.0, 1.0})), &x);
  EXPECT_EQ(&(x -= 1), &x);
  EXPECT_EQ(&(x *= tensor({0.5, 0.25, 0.125})), &x);
  EXPECT_EQ(&(x /= 0.5), &x);
  EXPECT_THAT(alias.to_vector<float>(), ElementsAre(2, 2, 2));  // ((x + 1 - 1) * (1/x)) / 0.5
  x += 1;
  x -= tensor({1.0, 0.0, -1.0});
  x *= 2;
  x /= tensor({4.0, 3.0, 2.0});
  EXPECT_THAT(alias.to_vector<float>(), ElementsAre(1, 2, 4));  // (2, 3, 4) * 2 / (4, 3, 2)
  Tensor i = tensor({1, 2});
  i += 3;
  i *= tensor({2, 3});
  i -= 1;
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(7, 14));
  expect_error([&] { i /= 2; }, {"div_", "float32", "int64"});
  expect_error([&] { i += 0.5; }, {"add_", "float32", "int64"});
}

// ---- views and broadcasting -------------------------------------------------------------------

TEST(InPlaceViews, WritesAreSeenThroughOtherViews) {
  Tensor x = iota({2, 3});
  Tensor row = x[1], col = x.select(1, 0), flat = x.view({6});
  row.mul_(10);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 1, 2, 30, 40, 50));
  x.add_(1);
  EXPECT_THAT(row.to_vector<float>(), ElementsAre(31, 41, 51));
  EXPECT_THAT(col.to_vector<float>(), ElementsAre(1, 31));
  col.zero_();
  EXPECT_THAT(flat.to_vector<float>(), ElementsAre(0, 2, 3, 0, 41, 51));
  flat.narrow(0, 2, 3).fill_(-1);
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 2, -1, -1, -1, 51));
}

TEST(InPlaceViews, NonContiguousSelf) {
  Tensor x = iota({3, 4});
  Tensor t = x.t();  // (4,3)
  t.add_(tensor({100.0, 200.0, 300.0}));  // broadcast along t's rows = x's columns
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(100, 101, 102, 103, 204, 205, 206, 207, 308, 309, 310, 311));
  Tensor s = x.slice(1, 1, 4, 2);  // columns 1 and 3
  s.mul_(-1).sub_(tensor({{0.5}, {0.5}, {0.5}}));
  EXPECT_THAT(x.to_vector<float>(),
              ElementsAre(100, -101.5, 102, -103.5, 204, -205.5, 206, -207.5, 308, -309.5, 310, -311.5));
  s.neg_().sqrt_();
  EXPECT_THAT(s.to_vector<float>(), ElementsAre(std::sqrt(101.5f), std::sqrt(103.5f), std::sqrt(205.5f),
                                                std::sqrt(207.5f), std::sqrt(309.5f), std::sqrt(311.5f)));
  EXPECT_EQ(x[0][0].item<float>(), 100.0f);  // the other columns are untouched
  Tensor y = zeros({4, 4});
  y.t().slice(0, 0, 4, 3).copy_(tensor({{1.0, 2.0, 3.0, 4.0}, {5.0, 6.0, 7.0, 8.0}}));  // columns 0 and 3 of y
  EXPECT_THAT(y.to_vector<float>(), ElementsAre(1, 0, 0, 5, 2, 0, 0, 6, 3, 0, 0, 7, 4, 0, 0, 8));
  Tensor e = tensor({0.0, 0.5, 1.0, 2.0}).slice(0, 0, 4, 2);
  e.exp_().log_().tanh_().sigmoid_().relu_().clamp_(0.5, 0.7).abs_();  // [0, 1] -> [0.5, sigmoid(tanh(1))]
  EXPECT_THAT(e.to_vector<float>(), ElementsAre(0.5, FloatNear(1 / (1 + std::exp(-std::tanh(1.0))), 1e-6)));
}

TEST(InPlaceViews, OtherOperandBroadcastsToSelf) {
  Tensor x = zeros({2, 3});
  x.add_(tensor({1.0, 2.0, 3.0}));
  x.mul_(tensor({{1.0}, {-1.0}}));
  x.sub_(scalar_tensor(1.0));
  EXPECT_EQ(shape_of(x), (Ints{2, 3}));
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 1, 2, -2, -3, -4));
  Tensor z = scalar_tensor(2.0);
  z.mul_(scalar_tensor(3.0)).add_(1);
  EXPECT_EQ(z.dim(), 0);
  EXPECT_EQ(z.item<float>(), 7.0f);
  expect_error([] { zeros({3, 1}).add_(zeros({3, 4})); }, {"add_", "[3, 1]", "[3, 4]"});
  expect_error([] { zeros({4}).mul_(zeros({3, 4})); }, {"mul_", "[4]", "[3, 4]"});
  expect_error([] { scalar_tensor(2.0).add_(tensor({1.0})); }, {"add_", "[]", "[1]"});
  expect_error([] { zeros({3}).add_(zeros({4})); }, {"add_", "[3]", "[4]"});
}

// ---- dtype rules -------------------------------------------------------------------------------------

TEST(InPlaceDtypes, ResultMustBeCastableToSelf) {
  // float32 self, float64 other: computed in float64 and then rounded once. 1 + (2^-24 + 2^-50)
  // rounds up to 1 + 2^-23; adding the other rounded to float32 first would give exactly 1.
  Tensor x = tensor({1.0});
  x.add_(tensor({std::ldexp(1.0, -24) + std::ldexp(1.0, -50)}, {.dtype = kFloat64}));
  EXPECT_EQ(x.dtype(), kFloat32);
  EXPECT_EQ(x.item<float>(), 1.0f + std::ldexp(1.0f, -23));
  Tensor y = tensor({1.0, 2.0});
  y.mul_(tensor({1.5, 2.0}, {.dtype = kFloat64})).add_(tensor({1, 1}));  // int other is fine too
  EXPECT_EQ(y.dtype(), kFloat32);
  EXPECT_THAT(y.to_vector<float>(), ElementsAre(2.5, 5));
  Tensor i32 = tensor({1, 2}, {.dtype = kInt32});
  i32.add_(tensor({10, 20}));  // int64 result cast back to int32
  EXPECT_EQ(i32.dtype(), kInt32);
  EXPECT_THAT(i32.to_vector<int32_t>(), ElementsAre(11, 22));
  expect_error([] { tensor({1, 2}).add_(tensor({1.0, 2.0})); }, {"add_", "float32", "int64"});
  expect_error([] { tensor({1, 2}).mul_(1.5); }, {"mul_", "float32", "int64"});
  expect_error([] { tensor({4, 2}).div_(tensor({2, 2})); }, {"div_", "float32", "int64"});
  expect_error([] { tensor({4, 2}).div_(2); }, {"div_", "float32", "int64"});
  expect_error([] { tensor({4, 2}).sqrt_(); }, {"sqrt_", "float32", "int64"});
  expect_error([] { tensor({4, 2}, {.dtype = kInt32}).exp_(); }, {"exp_", "float32", "int32"});
  expect_error([] { tensor({true}).add_(1); }, {"add_", "int64", "bool"});
  expect_error([] { tensor({true}).neg_(); }, {"neg_", "bool"});
  expect_error([] { tensor({1, 2}).add_(tensor({1, 2}), 0.5); }, {"add_", "alpha"});
  expect_error([] { tensor({1, 2}).pow_(-1); }, {"pow_", "negative integer powers"});
}

// ---- aliasing: stride-0 outputs and overlapping operands ---------------------------------------------

TEST(InPlaceAliasing, ExpandedSelfIsRejected) {
  Tensor e = tensor({1.0, 2.0, 3.0}).expand({2, 3});
  const std::vector<std::pair<const char*, std::function<void()>>> ops = {
      {"add_", [&] { e.add_(1); }},
      {"mul_", [&] { e.mul_(tensor({1.0, 2.0, 3.0})); }},
      {"neg_", [&] { e.neg_(); }},
      {"exp_", [&] { e.exp_(); }},
      {"clamp_", [&] { e.clamp_(0); }},
      {"fill_", [&] { e.fill_(0); }},
      {"zero_", [&] { e.zero_(); }},
      {"copy_", [&] { e.copy_(zeros({2, 3})); }},
      {"masked_fill_", [&] { e.masked_fill_(tensor({true, false, true}), 0); }},
  };
  for (const auto& [name, fn] : ops) {
    SCOPED_TRACE(name);
    expect_error(fn, {name, "more than one element", "[2, 3]"});
  }
  EXPECT_THAT(e.to_vector<float>(), ElementsAre(1, 2, 3, 1, 2, 3));  // untouched
  Tensor one = tensor({5.0}).expand({1, 1});  // size-1 dims with stride 0 are fine
  one.add_(1);
  EXPECT_EQ(one.item<float>(), 6.0f);
}

TEST(InPlaceAliasing, PartialOverlapUsesOriginalValues) {
  // Each result is what cloning the source first gives.
  Tensor x = arange(5, {.dtype = kFloat32});
  x.narrow(0, 1, 4).add_(x.narrow(0, 0, 4));
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 1, 3, 5, 7));
  Tensor y = arange(5, {.dtype = kFloat32});
  y.narrow(0, 0, 4).mul_(y.narrow(0, 1, 4));
  EXPECT_THAT(y.to_vector<float>(), ElementsAre(0, 2, 6, 12, 4));
  Tensor c = arange(5, {.dtype = kFloat32});
  c.narrow(0, 1, 4).copy_(c.narrow(0, 0, 4));
  EXPECT_THAT(c.to_vector<float>(), ElementsAre(0, 0, 1, 2, 3));
  Tensor d = arange(5, {.dtype = kFloat32});
  d.narrow(0, 0, 4).copy_(d.narrow(0, 1, 4));
  EXPECT_THAT(d.to_vector<float>(), ElementsAre(1, 2, 3, 4, 4));
  Tensor i = arange(6);  // int64, the other operand converted to self's dtype path
  i.narrow(0, 2, 4).sub_(i.narrow(0, 0, 4), 2);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(0, 1, 2, 1, 0, -1));
  Tensor m = tensor({{1.0, 2.0}, {3.0, 4.0}});
  m.add_(m.t());  // same memory, different strides
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(2, 5, 5, 8));
  Tensor b = tensor({true, false, false, false});
  b.narrow(0, 1, 3).masked_fill_(b.narrow(0, 0, 3), true);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, true, false, false));
  Tensor s = arange(4, {.dtype = kFloat32});
  s.add_(s);  // identical views are not an overlap problem
  EXPECT_THAT(s.to_vector<float>(), ElementsAre(0, 2, 4, 6));
}

// ---- version counter -------------------------------------------------------------------------------

TEST(InPlaceVersion, BumpedByEveryInPlaceOpOnly) {
  Tensor x = iota({2, 3});
  Tensor view = x.t();
  uint64_t v = version(x);
  auto bumped = [&](const char* what) {
    const uint64_t now = version(x);
    EXPECT_GT(now, v) << what;
    v = now;
  };
  x.add_(1); bumped("add_");
  x.sub_(tensor({1.0, 1.0, 1.0})); bumped("sub_");
  x.mul_(2); bumped("mul_");
  x.div_(2); bumped("div_");
  x.pow_(1); bumped("pow_");
  x.neg_(); bumped("neg_");
  x.abs_(); bumped("abs_");
  x.sqrt_(); bumped("sqrt_");
  x.exp_(); bumped("exp_");
  x.log_(); bumped("log_");
  x.tanh_(); bumped("tanh_");
  x.sigmoid_(); bumped("sigmoid_");
  x.relu_(); bumped("relu_");
  x.clamp_(0, 1); bumped("clamp_");
  x.masked_fill_(tensor({true, false, false}), 0); bumped("masked_fill_");
  x.zero_(); bumped("zero_");
  x.fill_(1); bumped("fill_");
  x.copy_(iota({2, 3})); bumped("copy_");
  x += 1; bumped("+=");
  x -= 1; bumped("-=");
  x *= 1; bumped("*=");
  x /= 1; bumped("/=");
  view.add_(1); bumped("add_ through a view");
  x[0].mul_(2); bumped("mul_ through a row");
  EXPECT_EQ(version(view), version(x));  // one counter per storage

  // Out-of-place ops, views and failed in-place ops leave it alone.
  Tensor r = x + 1;
  r = x.exp().sum();
  r = x.clamp(0, 1);
  r = x.masked_fill(tensor({true, false, true}), 0);
  r = x.t().contiguous();
  r = x.clone();
  r = x.view({3, 2});
  r = x.to(kFloat64);
  r = x.gt(0);
  r = -x;
  expect_error([&] { x.add_(zeros({4})); }, {"add_"});
  expect_error([&] { x.masked_fill_(tensor({1, 0, 1}), 0); }, {"masked_fill_"});
  EXPECT_EQ(version(x), v);
  Tensor other = x.clone();
  other.add_(1);
  EXPECT_EQ(version(x), v);  // a clone has its own storage and counter
}

// ---- large in-place ops (threaded paths) ----------------------------------------------------------------

TEST(InPlaceLarge, ContiguousAndTransposed) {
  const int64_t n = 600 * 500;
  Tensor x = arange(n, {.dtype = kFloat32});
  x.mul_(2).add_(arange(n, {.dtype = kFloat64}), -1);  // 2i - i = i
  EXPECT_TRUE(x.eq(arange(n, {.dtype = kFloat32})).all().item<bool>());
  Tensor m = x.view({600, 500}).t();  // (500, 600), non-contiguous
  m.sub_(tensor(std::vector<float>(600, 1.0f)));  // broadcast row
  m.copy_(m.neg().contiguous());  // contiguous source into a transposed destination
  EXPECT_EQ(x[0].item<float>(), 1.0f);
  EXPECT_EQ(x[n - 1].item<float>(), -static_cast<float>(n - 2));
  EXPECT_TRUE(x.eq(arange(n, {.dtype = kFloat32}).sub(1).neg()).all().item<bool>());
  Tensor e = zeros({n}).slice(0, 0, n, 2);
  e.exp_();
  EXPECT_TRUE(e.eq(1).all().item<bool>());
}

// ---- empty tensors ----------------------------------------------------------------------------------------

TEST(InPlaceEdge, EmptyTensors) {
  Tensor e = zeros({0, 4});
  const uint64_t v = version(e);
  EXPECT_EQ(&e.add_(tensor({1.0, 2.0, 3.0, 4.0})), &e);
  e.neg_().fill_(3);
  EXPECT_EQ(shape_of(e), (Ints{0, 4}));
  EXPECT_GT(version(e), v);
  expect_error([&] { e.add_(zeros({2, 4})); }, {"add_", "[0, 4]", "[2, 4]"});
  Tensor none = from_blob(nullptr, {0, 4}, kFloat32);  // empty, without memory: nothing to touch
  none.add_(1).mul_(tensor({1.0, 2.0, 3.0, 4.0})).exp_().clamp_(0).fill_(2).copy_(zeros({4}));
  none.masked_fill_(tensor({true, false, true, false}), 1).zero_();
  EXPECT_EQ(shape_of(none), (Ints{0, 4}));
}
