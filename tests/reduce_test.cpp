// Reductions: sum/mean/prod/amax/amin/max/min/argmax/argmin/var/std/norm/logsumexp/
// all/any/cumsum over all dims or some, keepdim, dtypes, NaN, empty/0-dim/strided/large
// inputs and the error messages. Expected values are worked out by hand.
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
using ::testing::IsNan;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

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

std::vector<float> fv(const Tensor& t) { return t.to_vector<float>(); }
std::vector<int64_t> iv(const Tensor& t) { return t.to_vector<int64_t>(); }

}  // namespace

// ---- sum / mean / prod ---------------------------------------------------------------------

TEST(Sum, FullDimsKeepdimAndNegativeDims) {
  Tensor x = iota({2, 3});  // [[0 1 2] [3 4 5]]
  Tensor all = x.sum();
  EXPECT_EQ(all.dim(), 0);
  EXPECT_EQ(all.item<float>(), 15.0f);
  EXPECT_THAT(fv(x.sum({0})), ElementsAre(3, 5, 7));
  EXPECT_THAT(fv(x.sum({1})), ElementsAre(3, 12));
  EXPECT_THAT(fv(x.sum({-1})), ElementsAre(3, 12));
  EXPECT_EQ(shape_of(x.sum({1}, true)), (Ints{2, 1}));
  EXPECT_EQ(shape_of(x.sum({0, 1}, true)), (Ints{1, 1}));
  EXPECT_EQ(shape_of(sum(x, {}, true)), (Ints{1, 1}));
  EXPECT_EQ(x.sum({0, 1}).item<float>(), 15.0f);
  // {0, 2} of a 3-D tensor: sums over i and k of 12 i + 4 j + k.
  Tensor y = iota({2, 3, 4});
  EXPECT_THAT(fv(y.sum({0, 2})), ElementsAre(60, 92, 124));
  EXPECT_THAT(fv(y.sum({2, 0})), ElementsAre(60, 92, 124));
  EXPECT_EQ(shape_of(y.sum({0, -1}, true)), (Ints{1, 3, 1}));
  EXPECT_THAT(fv(y.sum({-3, -2})), ElementsAre(60, 66, 72, 78));
  Tensor d = tensor({0.5, 0.25}, {.dtype = kFloat64}).sum();
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.item<double>(), 0.75);
}

TEST(Sum, IntegerAndBoolGiveInt64) {
  Tensor i = tensor({{1, 2}, {3, 4}}, {.dtype = kInt32});
  EXPECT_EQ(i.sum().dtype(), kInt64);
  EXPECT_EQ(i.sum().item<int64_t>(), 10);
  EXPECT_THAT(iv(i.sum({0})), ElementsAre(4, 6));
  Tensor b = tensor({true, true, false, true});
  EXPECT_EQ(b.sum().dtype(), kInt64);
  EXPECT_EQ(b.sum().item<int64_t>(), 3);
  Tensor u = full({300}, 200, {.dtype = kUInt8});
  EXPECT_EQ(u.sum().item<int64_t>(), 60000);  // no uint8 wrap-around
  EXPECT_EQ(tensor({4, 5}, {.dtype = kInt16}).prod().dtype(), kInt64);
}

TEST(Mean, ValuesDtypesAndEmpty) {
  Tensor x = iota({2, 3});
  EXPECT_EQ(x.mean().item<float>(), 2.5f);
  EXPECT_THAT(fv(x.mean({0})), ElementsAre(1.5, 2.5, 3.5));
  EXPECT_THAT(fv(x.mean({1}, true)), ElementsAre(1, 4));
  EXPECT_EQ(shape_of(x.mean({1}, true)), (Ints{2, 1}));
  EXPECT_THAT(fv(iota({2, 3, 4}).mean({0, 2})), ElementsAre(7.5, 11.5, 15.5));
  EXPECT_EQ(tensor({1.0, 2.0}, {.dtype = kFloat64}).mean().dtype(), kFloat64);
  EXPECT_TRUE(std::isnan(zeros({0}).mean().item<float>()));
  EXPECT_THAT(fv(zeros({0, 3}).mean({0})), ElementsAre(IsNan(), IsNan(), IsNan()));
  EXPECT_EQ(shape_of(zeros({0, 3}).mean({1})), (Ints{0}));
  expect_error([] { tensor({1, 2}).mean(); }, {"mean", "floating point", "int64"});
  expect_error([] { tensor({true}).mean({0}); }, {"mean", "floating point", "bool"});
}

TEST(Prod, FullAndDim) {
  EXPECT_EQ(tensor({3, -2, 7}).prod().item<int64_t>(), -42);
  EXPECT_EQ(tensor({3, -2, 7}).prod().dtype(), kInt64);
  Tensor x = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_EQ(x.prod().item<float>(), 720.0f);
  EXPECT_THAT(fv(x.prod(0)), ElementsAre(4, 10, 18));
  EXPECT_THAT(fv(x.prod(-1, true)), ElementsAre(6, 120));
  EXPECT_EQ(shape_of(x.prod(1, true)), (Ints{2, 1}));
  EXPECT_EQ(zeros({0}).prod().item<float>(), 1.0f);
  EXPECT_THAT(fv(zeros({0, 2}).prod(0)), ElementsAre(1, 1));
}

// ---- amax / amin / max / min / argmax / argmin ----------------------------------------------------

TEST(Extrema, AmaxAmin) {
  Tensor x = tensor({{3.0, -1.0, 7.0}, {2.0, 9.0, -4.0}});
  EXPECT_EQ(x.amax({}).item<float>(), 9.0f);
  EXPECT_EQ(amin(x).item<float>(), -4.0f);
  EXPECT_THAT(fv(x.amax({0})), ElementsAre(3, 9, 7));
  EXPECT_THAT(fv(x.amin({1})), ElementsAre(-1, -4));
  EXPECT_EQ(shape_of(x.amax({1}, true)), (Ints{2, 1}));
  EXPECT_THAT(fv(iota({2, 3, 4}).amax({0, 2})), ElementsAre(15, 19, 23));
  EXPECT_THAT(fv(iota({2, 3, 4}).amin({-1, 0})), ElementsAre(0, 4, 8));
  Tensor i = tensor({5, -7, 2}, {.dtype = kInt32});
  EXPECT_EQ(i.amax({}).dtype(), kInt32);
  EXPECT_EQ(i.amin({}).item<int64_t>(), -7);
  EXPECT_THAT(fv(tensor({{1.0, kNaN}, {2.0, 3.0}}).amax({1})), ElementsAre(IsNan(), 3));
  EXPECT_THAT(fv(tensor({{1.0, kNaN}, {2.0, 3.0}}).amin({0})), ElementsAre(1, IsNan()));
  EXPECT_EQ(shape_of(zeros({0, 3}).amax({1})), (Ints{0}));
  expect_error([] { zeros({0}).amax({}); }, {"amax", "non-empty"});
  expect_error([] { zeros({0, 3}).amin({0}); }, {"amin", "non-empty", "[0, 3]"});
}

TEST(Extrema, MaxMinWithIndicesFirstOnTies) {
  Tensor x = tensor({{1.0, 5.0, 5.0}, {7.0, 7.0, 0.0}});
  EXPECT_EQ(x.max().item<float>(), 7.0f);
  EXPECT_EQ(x.min().item<float>(), 0.0f);
  auto [v, i] = x.max(1);
  EXPECT_THAT(fv(v), ElementsAre(5, 7));
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(iv(i), ElementsAre(1, 0));
  auto [v0, i0] = max(x, 0, true);
  EXPECT_EQ(shape_of(v0), (Ints{1, 3}));
  EXPECT_EQ(shape_of(i0), (Ints{1, 3}));
  EXPECT_THAT(fv(v0), ElementsAre(7, 7, 5));
  EXPECT_THAT(iv(i0), ElementsAre(1, 1, 0));
  auto [mv, mi] = x.min(-1);
  EXPECT_THAT(fv(mv), ElementsAre(1, 0));
  EXPECT_THAT(iv(mi), ElementsAre(0, 2));
  auto [tv, ti] = tensor({2, 1, 1, 2}).min(0);
  EXPECT_EQ(tv.dtype(), kInt64);
  EXPECT_EQ(tv.item<int64_t>(), 1);
  EXPECT_EQ(ti.item<int64_t>(), 1);
  auto [s, si] = scalar_tensor(5.0).max(0);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<float>(), 5.0f);
  EXPECT_EQ(si.item<int64_t>(), 0);
  EXPECT_EQ(scalar_tensor(5.0).max().item<float>(), 5.0f);
}

TEST(Extrema, NaNWinsWithItsIndex) {
  Tensor x = tensor({{1.0, kNaN, 5.0, kNaN}, {kNaN, 2.0, 3.0, 0.0}});
  auto [v, i] = x.max(1);
  EXPECT_THAT(fv(v), ElementsAre(IsNan(), IsNan()));
  EXPECT_THAT(iv(i), ElementsAre(1, 0));  // the first NaN
  auto [mv, mi] = x.min(1);
  EXPECT_THAT(fv(mv), ElementsAre(IsNan(), IsNan()));
  EXPECT_THAT(iv(mi), ElementsAre(1, 0));
  EXPECT_TRUE(std::isnan(x.max().item<float>()));
  EXPECT_TRUE(std::isnan(x.min().item<float>()));
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);
  EXPECT_EQ(tensor({1.0, 2.0, kNaN}).argmin().item<int64_t>(), 2);
  EXPECT_THAT(iv(x.argmax(0)), ElementsAre(1, 0, 0, 0));
}

TEST(Extrema, ArgmaxArgmin) {
  Tensor x = tensor({{3.0, 9.0, 9.0}, {8.0, 1.0, 1.0}});
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);  // flattened, first of the ties
  EXPECT_EQ(x.argmin().item<int64_t>(), 4);
  EXPECT_EQ(x.argmax().dim(), 0);
  EXPECT_THAT(iv(x.argmax(1)), ElementsAre(1, 0));
  EXPECT_THAT(iv(x.argmin(1)), ElementsAre(0, 1));
  EXPECT_THAT(iv(argmax(x, 0)), ElementsAre(1, 0, 0));
  EXPECT_THAT(iv(argmin(x, -2)), ElementsAre(0, 1, 1));
  EXPECT_EQ(shape_of(x.argmax(1, true)), (Ints{2, 1}));
  EXPECT_EQ(shape_of(x.argmax(std::nullopt, true)), (Ints{1, 1}));
  EXPECT_EQ(x.argmax(std::nullopt, true).item<int64_t>(), 1);
  EXPECT_EQ(shape_of(tensor({1, 2}).argmin(std::nullopt, true)), (Ints{1}));
  EXPECT_EQ(tensor({true, false, true}).argmin().item<int64_t>(), 1);
  EXPECT_EQ(scalar_tensor(3).argmax().item<int64_t>(), 0);
  expect_error([] { zeros({0}).argmax(); }, {"argmax", "non-empty"});
  expect_error([] { zeros({2, 0}).argmin(1); }, {"argmin", "non-zero size"});
  expect_error([] { zeros({0, 3}).max(); }, {"max", "non-empty"});
  expect_error([] { zeros({0, 3}).max(0); }, {"max", "dim 0", "non-zero size"});
}

// ---- var / std / norm / logsumexp -------------------------------------------------------------------

TEST(Moments, VarStdCorrections) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0});  // mean 2.5, squared deviations sum to 5
  EXPECT_FLOAT_EQ(x.var({}, 0).item<float>(), 1.25f);
  EXPECT_FLOAT_EQ(x.var().item<float>(), 5.0f / 3);
  EXPECT_FLOAT_EQ(x.var({}, 2).item<float>(), 2.5f);
  EXPECT_FLOAT_EQ(x.std({}, 0).item<float>(), std::sqrt(1.25f));
  EXPECT_FLOAT_EQ(x.std().item<float>(), std::sqrt(5.0f / 3));
  EXPECT_FLOAT_EQ(x.std({}, 2).item<float>(), std::sqrt(2.5f));
  EXPECT_TRUE(std::isnan(tensor({3.0}).var().item<float>()));  // 0 / (1 - 1)
  EXPECT_EQ(tensor({3.0}).var({}, 0).item<float>(), 0.0f);
  Tensor m = tensor({{1.0, 2.0}, {3.0, 4.0}});
  Tensor s = m.std({0}, 0, true);
  EXPECT_EQ(shape_of(s), (Ints{1, 2}));
  EXPECT_THAT(fv(s), ElementsAre(1, 1));
  EXPECT_THAT(fv(var(m, {1})), ElementsAre(0.5, 0.5));
  EXPECT_THAT(fv(m.var({1})), ElementsAre(0.5, 0.5));  // a braced dim list, not a correction
  EXPECT_THAT(fv(m.var({-1}, 0, true)), ElementsAre(0.25, 0.25));
  // {0, 2} of 12 i + 4 j + k: deviations from the mean are +-4.5 .. +-7.5, sum of squares 298.
  EXPECT_THAT(fv(iota({2, 3, 4}).var({0, 2})), ElementsAre(FloatNear(298.0 / 7, 1e-4), FloatNear(298.0 / 7, 1e-4),
                                                           FloatNear(298.0 / 7, 1e-4)));
  EXPECT_DOUBLE_EQ(var(tensor({1.0, 2.0, 3.0, 4.0}, {.dtype = kFloat64}), {}, 1).item<double>(), 5.0 / 3);
  expect_error([] { tensor({1, 2}).var(); }, {"var", "floating point"});
  expect_error([] { tensor({1, 2}).std(); }, {"std", "floating point"});
}

TEST(Moments, Norms) {
  Tensor x = tensor({3.0, -4.0, 0.0});
  EXPECT_EQ(x.norm().item<float>(), 5.0f);
  EXPECT_EQ(x.norm(1).item<float>(), 7.0f);
  EXPECT_EQ(x.norm(kInf).item<float>(), 4.0f);
  EXPECT_EQ(x.norm(-kInf).item<float>(), 0.0f);
  EXPECT_EQ(x.norm(0).item<float>(), 2.0f);  // count of nonzeros
  EXPECT_NEAR(x.norm(3).item<float>(), std::cbrt(91.0), 1e-5);  // (27 + 64)^(1/3)
  Tensor m = tensor({{3.0, 4.0}, {-6.0, 8.0}});
  EXPECT_THAT(fv(m.norm(2, {1})), ElementsAre(5, 10));
  EXPECT_THAT(fv(norm(m, 1, {0})), ElementsAre(9, 12));
  EXPECT_THAT(fv(norm(m, kInf, {1}, true)), ElementsAre(4, 8));
  EXPECT_EQ(shape_of(norm(m, kInf, {1}, true)), (Ints{2, 1}));
  EXPECT_THAT(fv(norm(m, -kInf, {0})), ElementsAre(3, 4));
  EXPECT_THAT(fv(norm(tensor({{0.0, 1.0}, {0.0, 0.0}}), 0, {1})), ElementsAre(1, 0));
  EXPECT_EQ(norm(m, 2, {0, 1}).item<float>(), std::sqrt(125.0f));
  expect_error([] { tensor({1, 2}).norm(); }, {"norm", "floating point"});
}

TEST(Moments, LogSumExpIsStable) {
  Tensor big = tensor({1000.0, 1000.0});
  EXPECT_FLOAT_EQ(big.logsumexp({0}).item<float>(), 1000.0f + std::numbers::ln2_v<float>);
  Tensor x = tensor({{0.0, std::log(3.0)}, {-kInf, -kInf}, {-kInf, 5.0}, {kInf, 1.0}});
  Tensor r = x.logsumexp({1});
  EXPECT_THAT(fv(r), ElementsAre(FloatNear(std::log(4.0), 1e-6), -kInf, 5, kInf));
  EXPECT_EQ(shape_of(x.logsumexp({1}, true)), (Ints{4, 1}));
  EXPECT_THAT(fv(tensor({{-1000.0, -1000.0}, {-1000.0, -1000.0}}).logsumexp({0, 1})),
              ElementsAre(FloatNear(-1000 + 2 * std::numbers::ln2, 1e-3)));
  const double col = 2 + std::log1p(std::exp(-1.0));  // log(e^1 + e^2)
  EXPECT_THAT(fv(logsumexp(tensor({{1.0, 1.0}, {2.0, 2.0}}), {0})), ElementsAre(FloatNear(col, 1e-6), FloatNear(col, 1e-6)));
  Tensor ints = logsumexp(tensor({0, 0, 0, 0}), {0});  // integers give the default float dtype
  EXPECT_EQ(ints.dtype(), kFloat32);
  EXPECT_FLOAT_EQ(ints.item<float>(), std::log(4.0f));
  EXPECT_TRUE(std::isnan(tensor({1.0, kNaN}).logsumexp({0}).item<float>()));
}

// ---- all / any ------------------------------------------------------------------------------------------

TEST(Logical, AllAny) {
  Tensor f = tensor({{0.0, 1.0}, {2.0, kNaN}});  // NaN is nonzero
  EXPECT_FALSE(f.all().item<bool>());
  EXPECT_TRUE(f.any().item<bool>());
  EXPECT_EQ(f.all().dtype(), kBool);
  EXPECT_THAT(f.all(1).to_vector<bool>(), ElementsAre(false, true));
  EXPECT_THAT(f.any(0).to_vector<bool>(), ElementsAre(true, true));
  EXPECT_THAT(f.all(0, true).to_vector<bool>(), ElementsAre(false, true));
  EXPECT_EQ(shape_of(f.all(0, true)), (Ints{1, 2}));
  Tensor i = tensor({{1, 0}, {1, 1}});
  EXPECT_THAT(i.all(1).to_vector<bool>(), ElementsAre(false, true));
  EXPECT_THAT(any(i, -1).to_vector<bool>(), ElementsAre(true, true));
  EXPECT_THAT(i.all(0).to_vector<bool>(), ElementsAre(true, false));
  Tensor b = tensor({false, false, true});
  EXPECT_FALSE(b.all().item<bool>());
  EXPECT_TRUE(b.any().item<bool>());
  EXPECT_FALSE(zeros({3}).any().item<bool>());
  EXPECT_TRUE(zeros({0, 3}).all().item<bool>());  // empty: all true, any false
  EXPECT_FALSE(zeros({0, 3}).any().item<bool>());
  EXPECT_THAT(zeros({0, 3}).all(0).to_vector<bool>(), ElementsAre(true, true, true));
  EXPECT_TRUE(scalar_tensor(-2).all().item<bool>());
}

// ---- cumsum -------------------------------------------------------------------------------------------------

// As PyTorch's CPU kernel: the running sum is kept in double for float32, so
// each output is the float32 rounding of the exact prefix sum (a float32
// running sum over 10^6 uniform values drifts by more than 10).
TEST(Cumsum, Float32RunsInDouble) {
  manual_seed(3);
  const int64_t n = 1000000;
  const Tensor u = rand({2, n}).t();  // strided: the op makes it contiguous, the kernel sees inner = 1
  for (const Tensor& x : {u.t().contiguous()[0], u.select(1, 1)}) {
    const std::vector<float> values = x.to_vector<float>(), got = x.cumsum(0).to_vector<float>();
    double exact = 0;
    for (int64_t i = 0; i < n; ++i) {
      exact += values[static_cast<size_t>(i)];
      ASSERT_EQ(got[static_cast<size_t>(i)], static_cast<float>(exact)) << "element " << i;
    }
  }
  // Along an inner dim as well: (3, n) summed along dim 1 and (n, 3) along dim 0 agree.
  const Tensor m = rand({3, n});
  EXPECT_TRUE(eq(m.cumsum(1), m.t().contiguous().cumsum(0).t()).all().item<bool>());
}

TEST(Cumsum, EachDimAndDtypes) {
  Tensor x = iota({2, 3});
  EXPECT_THAT(fv(x.cumsum(0)), ElementsAre(0, 1, 2, 3, 5, 7));
  EXPECT_THAT(fv(x.cumsum(1)), ElementsAre(0, 1, 3, 3, 7, 12));
  EXPECT_THAT(fv(x.cumsum(-1)), ElementsAre(0, 1, 3, 3, 7, 12));
  Tensor y = iota({2, 2, 2});
  EXPECT_THAT(fv(y.cumsum(0)), ElementsAre(0, 1, 2, 3, 4, 6, 8, 10));
  EXPECT_THAT(fv(y.cumsum(1)), ElementsAre(0, 1, 2, 4, 4, 5, 10, 12));
  EXPECT_THAT(fv(y.cumsum(2)), ElementsAre(0, 1, 2, 5, 4, 9, 6, 13));
  Tensor i = tensor({{1, 2}, {3, 4}}, {.dtype = kInt32}).cumsum(0);
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(iv(i), ElementsAre(1, 2, 4, 6));
  Tensor b = tensor({true, false, true}).cumsum(0);
  EXPECT_EQ(b.dtype(), kInt64);
  EXPECT_THAT(iv(b), ElementsAre(1, 1, 2));
  EXPECT_THAT(fv(x.t().cumsum(1)), ElementsAre(0, 3, 1, 5, 2, 7));  // strided input
  Tensor s = scalar_tensor(4.0).cumsum(0);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<float>(), 4.0f);
  EXPECT_EQ(shape_of(zeros({0}).cumsum(0)), (Ints{0}));
  EXPECT_EQ(shape_of(zeros({2, 0, 3}).cumsum(1)), (Ints{2, 0, 3}));
  EXPECT_EQ(shape_of(zeros({2, 0, 3}).cumsum(2)), (Ints{2, 0, 3}));
  // An empty tensor may have no memory at all: nothing may be read or written.
  Tensor no_memory = from_blob(nullptr, {2, 0, 3}, kFloat32);
  EXPECT_EQ(shape_of(no_memory.cumsum(1)), (Ints{2, 0, 3}));
  EXPECT_EQ(shape_of(no_memory.sum({1})), (Ints{2, 3}));
  EXPECT_THAT(fv(no_memory.sum({1})), ElementsAre(0, 0, 0, 0, 0, 0));
  expect_error([&] { x.cumsum(2); }, {"cumsum", "dim 2", "[-2, 1]"});
}

// ---- layouts: columns, strided inputs, empty, 0-dim ------------------------------------------------------------

TEST(Layouts, ColumnAndRowReductions) {
  // (N, C) over dim 0 takes the column sweep; over dim 1 the row path. x[n][c] = n + 1000 c.
  const int64_t N = 1001, C = 7;
  Tensor x = arange(N, {.dtype = kFloat64}).view({N, 1}) + arange(C, {.dtype = kFloat64}).mul(1000);
  const double tri = N * (N - 1) / 2.0;  // sum of n
  const auto cols = x.sum({0}).to_vector<double>();
  for (int64_t c = 0; c < C; ++c) EXPECT_EQ(cols[static_cast<size_t>(c)], tri + 1000.0 * c * N) << c;
  const auto rows = x.sum({1}).to_vector<double>();
  for (int64_t n = 0; n < N; n += 100) EXPECT_EQ(rows[static_cast<size_t>(n)], 7.0 * n + 21000.0) << n;
  EXPECT_THAT(x.amax({0}).to_vector<double>(), ElementsAre(1000, 2000, 3000, 4000, 5000, 6000, 7000));
  EXPECT_THAT(x.amin({0}).to_vector<double>(), ElementsAre(0, 1000, 2000, 3000, 4000, 5000, 6000));
  EXPECT_EQ(x.amax({1})[N - 1].item<double>(), 7000.0);
  EXPECT_THAT(x.ge(1).all(0).to_vector<bool>(), ElementsAre(false, true, true, true, true, true, true));
  EXPECT_THAT(x.eq(500).any(0).to_vector<bool>(), ElementsAre(true, false, false, false, false, false, false));
  auto [v, i] = x.max(0);
  EXPECT_THAT(iv(i), ElementsAre(1000, 1000, 1000, 1000, 1000, 1000, 1000));
  Tensor ints = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_THAT(iv(ints.prod(0)), ElementsAre(4, 10, 18));
  EXPECT_THAT(iv(ints.sum({0})), ElementsAre(5, 7, 9));
}

TEST(Layouts, TransposedAndSlicedInputsMatchContiguous) {
  Tensor base = iota({6, 5}).sub(13).mul(0.5);  // values in [-6.5, 8]
  for (const Tensor& v : {base.t(), base.slice(0, 1, 6, 2), base.t().slice(1, 0, 6, 3)}) {
    ASSERT_FALSE(v.is_contiguous());
    const Tensor c = v.contiguous();
    for (int64_t d : {0, 1}) {
      SCOPED_TRACE(::testing::PrintToString(shape_of(v)) + " dim " + std::to_string(d));
      EXPECT_EQ(fv(v.sum({d})), fv(c.sum({d})));
      EXPECT_EQ(fv(v.mean({d}, true)), fv(c.mean({d}, true)));
      EXPECT_EQ(fv(v.amax({d})), fv(c.amax({d})));
      EXPECT_EQ(fv(v.prod(d)), fv(c.prod(d)));
      EXPECT_EQ(iv(v.argmin(d)), iv(c.argmin(d)));
      EXPECT_EQ(fv(v.max(d).first), fv(c.max(d).first));
      EXPECT_EQ(iv(v.max(d).second), iv(c.max(d).second));
      EXPECT_EQ(fv(v.var({d})), fv(c.var({d})));
      EXPECT_EQ(fv(v.cumsum(d)), fv(c.cumsum(d)));
      EXPECT_EQ(v.any(d).to_vector<bool>(), c.any(d).to_vector<bool>());
    }
    EXPECT_EQ(v.sum().item<float>(), c.sum().item<float>());
    EXPECT_EQ(v.argmax().item<int64_t>(), c.argmax().item<int64_t>());
  }
  // Transposed values by hand: base.t() row j holds column j of base.
  EXPECT_THAT(fv(iota({2, 3}).t().sum({1})), ElementsAre(3, 5, 7));
  EXPECT_THAT(iv(iota({2, 3}).t().argmax(1)), ElementsAre(1, 1, 1));
}

TEST(Layouts, MiddleDimsReduceSlabBySlab) {
  // Reduced dims in one run with kept dims after them (dim 1 of (A, R, B)): the copy-free kernel.
  // x[a][r][b] = 100 a + 10 r + b.
  Tensor x = (arange(3).view({3, 1, 1}) * 100 + arange(4).view({1, 4, 1}) * 10 + arange(5).view({1, 1, 5})).to(kFloat32);
  const auto sums = fv(x.sum({1}));  // 4 (100 a + b) + 60
  for (int64_t a = 0; a < 3; ++a)
    for (int64_t b = 0; b < 5; ++b) EXPECT_EQ(sums[static_cast<size_t>(a * 5 + b)], 400.0f * a + 4.0f * b + 60) << a << b;
  EXPECT_EQ(shape_of(x.sum({1}, true)), (Ints{3, 1, 5}));
  EXPECT_THAT(fv(x.amax({1})[2]), ElementsAre(230, 231, 232, 233, 234));
  EXPECT_THAT(fv(x.amin({1})[1]), ElementsAre(100, 101, 102, 103, 104));
  EXPECT_THAT(fv(x.mean({1})[0]), ElementsAre(15, 16, 17, 18, 19));
  EXPECT_THAT(fv((x + 1).prod(1)[0].slice(0, 0, 2)), ElementsAre(1 * 11 * 21 * 31, 2 * 12 * 22 * 32));
  // Two middle dims of a 4-D tensor: y[p][q][r][b] = b, summed over q and r (2 * 3 terms).
  EXPECT_THAT(fv(arange(4, {.dtype = kFloat32}).expand({2, 2, 3, 4}).contiguous().sum({1, 2})[1]), ElementsAre(0, 6, 12, 18));
  // Logical and arg reductions: ties give the first index, NaN wins with its index.
  Tensor t = tensor(std::vector<float>{1, 5, 3, 5, 3, static_cast<float>(kNaN), -1, 0, -2, 0, -1, 0}).view({2, 3, 2});
  auto [values, indices] = t.max(1);
  EXPECT_THAT(fv(values[0]), ElementsAre(3.0f, IsNan()));
  EXPECT_THAT(iv(indices), ElementsAre(1, 2, 0, 0));
  EXPECT_THAT(iv(t.argmin(1)), ElementsAre(0, 2, 1, 0));
  EXPECT_THAT(t.gt(0).all(1).to_vector<bool>(), ElementsAre(true, false, false, false));  // NaN > 0 is false
  EXPECT_THAT(t.lt(-1.5).any(1).to_vector<bool>(), ElementsAre(false, false, true, false));
  EXPECT_THAT(iv(tensor({{{1, 2}, {3, 4}}}).sum({1})), ElementsAre(4, 6));
  // Empty reduced run, and a large one split across threads.
  EXPECT_THAT(fv(zeros({2, 0, 3}).sum({1}).reshape({-1})), ElementsAre(0, 0, 0, 0, 0, 0));
  expect_error([] { zeros({2, 0, 3}).amax({1}); }, {"amax", "non-empty"});
  const int64_t B = 1 << 18;
  Tensor big = ones({2, 3, B});
  big.select(0, 1).select(0, 2).narrow(0, B - 1, 1).fill_(7);
  const Tensor big_sum = big.sum({1});
  EXPECT_EQ(big_sum[0].sum().item<double>(), 3.0 * B);
  EXPECT_EQ(big_sum[1][B - 1].item<float>(), 9.0f);
  EXPECT_EQ(big.argmax(1)[1][B - 1].item<int64_t>(), 2);
  EXPECT_EQ(big.argmax(1)[1][B - 2].item<int64_t>(), 0);
}

TEST(Layouts, EmptyAndZeroDim) {
  Tensor e = zeros({0, 3});
  EXPECT_THAT(fv(e.sum({0})), ElementsAre(0, 0, 0));
  EXPECT_EQ(shape_of(e.sum({1})), (Ints{0}));
  EXPECT_EQ(e.sum().item<float>(), 0.0f);
  EXPECT_EQ(shape_of(e.sum({0}, true)), (Ints{1, 3}));
  EXPECT_EQ(zeros({0}, {.dtype = kInt32}).sum().item<int64_t>(), 0);
  Tensor z = scalar_tensor(3.0);
  for (const Tensor& r : {z.sum(), z.sum({0}), z.sum({-1}), z.mean({0}, true), z.amax({}), z.prod(0), z.norm(),
                          z.logsumexp({0})})
    EXPECT_EQ(r.dim(), 0);
  EXPECT_EQ(z.sum({0}).item<float>(), 3.0f);
  EXPECT_EQ(z.mean().item<float>(), 3.0f);
  EXPECT_EQ(z.var({}, 0).item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(z.logsumexp({0}).item<float>(), 3.0f);
  EXPECT_EQ(z.argmin(0).item<int64_t>(), 0);
  EXPECT_TRUE(z.all(0).item<bool>());
  expect_error([&] { z.sum({1}); }, {"sum", "dim 1", "[-1, 0]"});
}

// ---- large inputs (threaded paths) -----------------------------------------------------------------------------

TEST(Large, SumsAreAccurate) {
  Tensor ones_f = ones({1 << 20});
  EXPECT_EQ(ones_f.sum().item<float>(), 1048576.0f);
  EXPECT_EQ(ones_f.view({1024, 1024}).sum({0, 1}).item<float>(), 1048576.0f);
  Tensor tenths = full({10000000}, 0.1, {.dtype = kFloat32});
  EXPECT_NEAR(tenths.sum().item<double>(), 1e6, 1e-3 * 1e6);
  EXPECT_NEAR(tenths.mean().item<double>(), 0.1, 1e-3 * 0.1);
  Tensor n = arange(1 << 20);
  EXPECT_EQ(n.sum().item<int64_t>(), (int64_t{1} << 20) * ((int64_t{1} << 20) - 1) / 2);
  Tensor cols = ones({1 << 16, 4}).sum({0});  // long columns
  EXPECT_THAT(fv(cols), ElementsAre(65536, 65536, 65536, 65536));
  Tensor rows = ones({4, 1 << 16}).sum({1});
  EXPECT_THAT(fv(rows), ElementsAre(65536, 65536, 65536, 65536));
}

TEST(Large, ExtremaAndArgOverThreads) {
  const int64_t n = 1 << 20;
  Tensor x = arange(n, {.dtype = kFloat32}).sub(n / 3).abs().neg();  // peak 0 at n / 3
  EXPECT_EQ(x.amax({}).item<float>(), 0.0f);
  EXPECT_EQ(x.argmax().item<int64_t>(), n / 3);
  EXPECT_EQ(x.amin({}).item<float>(), -static_cast<float>(n - 1 - n / 3));
  EXPECT_EQ(x.argmin().item<int64_t>(), n - 1);
  Tensor y = x.clone();
  y.narrow(0, n - 10, 1).fill_(kNaN);
  EXPECT_TRUE(std::isnan(y.amax({}).item<float>()));
  EXPECT_TRUE(std::isnan(y.max().item<float>()));
  EXPECT_EQ(y.argmax().item<int64_t>(), n - 10);
  EXPECT_TRUE(x.le(0).all().item<bool>());
  EXPECT_TRUE(x.eq(0).any().item<bool>());
  EXPECT_EQ(x.eq(0).sum().item<int64_t>(), 1);
  Tensor c = ones({n}, {.dtype = kInt32}).cumsum(0);
  EXPECT_EQ(c.dtype(), kInt64);
  EXPECT_EQ(c[n - 1].item<int64_t>(), n);
}

// ---- errors ---------------------------------------------------------------------------------------------------

TEST(Errors, DimsAreChecked) {
  Tensor x = iota({2, 3});
  expect_error([&] { x.sum({0, 0}); }, {"sum", "dim 0", "multiple times"});
  expect_error([&] { x.sum({1, -1}); }, {"sum", "dim 1", "multiple times"});
  expect_error([&] { x.amax({0, -2}); }, {"amax", "multiple times"});
  expect_error([&] { x.sum({2}); }, {"sum", "dim 2", "[-2, 1]"});
  expect_error([&] { x.mean({-3}); }, {"mean", "dim -3", "[-2, 1]"});
  expect_error([&] { x.mean({1, 1}); }, {"mean", "multiple times"});
  expect_error([&] { x.amin({5}); }, {"amin", "[-2, 1]"});
  expect_error([&] { x.max(2); }, {"max", "dim 2", "[-2, 1]"});
  expect_error([&] { x.argmin(-3); }, {"argmin", "[-2, 1]"});
  expect_error([&] { x.prod(2); }, {"prod", "[-2, 1]"});
  expect_error([&] { x.all(2); }, {"all", "[-2, 1]"});
  expect_error([&] { x.any(-3); }, {"any", "[-2, 1]"});
  expect_error([&] { var(x, {3}); }, {"var", "dim 3", "[-2, 1]"});
  expect_error([&] { x.std({0, -2}); }, {"std", "multiple times"});
  expect_error([&] { x.norm(2, {2}); }, {"norm", "[-2, 1]"});
  expect_error([&] { x.norm(kInf, {-3}); }, {"norm", "[-2, 1]"});
  expect_error([&] { x.logsumexp({2}); }, {"logsumexp", "[-2, 1]"});
  expect_error([&] { x.logsumexp({0, 0}); }, {"logsumexp", "multiple times"});
  expect_error([] { sum(Tensor()); }, {"sum", "undefined"});
}
