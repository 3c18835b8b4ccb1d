// Random numbers: seeding and reproducibility (default and explicit Generators,
// any thread count), value ranges, loose distribution checks on 1e6 samples,
// argument errors, and in-place uniform_/normal_ on non-contiguous views.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

using namespace ember;

namespace {

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

bool same_values(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() && a.dtype() == b.dtype() && a.to_vector<double>() == b.to_vector<double>();
}

// Restores the thread count even when an assertion fails mid-test.
struct ThreadGuard {
  int saved = get_num_threads();
  ~ThreadGuard() { set_num_threads(saved); }
};

// Every draw function under test, each from the default generator.
std::vector<Tensor> draw_all() {
  return {rand({50}),
          randn({50}),
          randint(-5, 5, {50}),
          normal(2.0, 3.0, {50}),
          bernoulli({50}, 0.5),
          bernoulli(full({50}, 0.5)),
          randperm(50)};
}

}  // namespace

TEST(RandomSeed, ManualSeedReproducesEveryDraw) {
  manual_seed(1234);
  const std::vector<Tensor> first = draw_all();
  manual_seed(1234);
  const std::vector<Tensor> second = draw_all();
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) EXPECT_TRUE(same_values(first[i], second[i])) << "draw " << i;
  // Successive draws differ, and so does another seed.
  EXPECT_FALSE(same_values(first[0], draw_all()[0]));
  manual_seed(4321);
  EXPECT_FALSE(same_values(first[0], rand({50})));
  EXPECT_FALSE(same_values(first[1], randn({50})));
}

TEST(RandomSeed, ExplicitGeneratorIsIndependentOfDefault) {
  Generator g1(7), g2(7);
  manual_seed(99);
  Tensor a = rand({100}, {}, &g1);
  Tensor from_default = rand({100});
  Tensor b = rand({100}, {}, &g2);  // the default draw in between doesn't affect g2
  EXPECT_TRUE(same_values(a, b));
  EXPECT_FALSE(same_values(a, from_default));
  // Drawing from g1 left the default generator where it was.
  manual_seed(99);
  rand({100}, {}, &g1);
  EXPECT_TRUE(same_values(rand({100}), from_default));
  EXPECT_EQ(g1.initial_seed(), 7u);
  g1.manual_seed(7);
  EXPECT_TRUE(same_values(rand({100}, {}, &g1), a));
  EXPECT_TRUE(same_values(randn({10}, {}, &g1), randn({10}, {}, &g2)));  // both at offset 100 now
}

TEST(RandomSeed, GeneratorSeedAndOffset) {
  Generator g(5);
  EXPECT_EQ(g.offset(), 0u);
  rand({10}, {}, &g);
  EXPECT_EQ(g.offset(), 10u);
  g.manual_seed(6);
  EXPECT_EQ(g.initial_seed(), 6u);
  EXPECT_EQ(g.offset(), 0u);
  Generator fresh(6);
  EXPECT_TRUE(same_values(randint(0, 100, {20}, {}, &g), randint(0, 100, {20}, {}, &fresh)));
  EXPECT_TRUE(same_values(randperm(30, {}, &g), randperm(30, {}, &fresh)));
}

TEST(RandomSeed, SameNumbersForAnyThreadCount) {
  ThreadGuard guard;
  const int64_t n = int64_t{1} << 20;
  set_num_threads(1);
  Generator g1(2024);
  Tensor u1 = rand({n}, {}, &g1), z1 = randn({n}, {}, &g1), d1 = rand({n}, {.dtype = kFloat64}, &g1);
  set_num_threads(2);
  Generator g2(2024);
  Tensor u2 = rand({n}, {}, &g2), z2 = randn({n}, {}, &g2), d2 = rand({n}, {.dtype = kFloat64}, &g2);
  EXPECT_TRUE(u1.eq(u2).all().item<bool>());
  EXPECT_TRUE(z1.eq(z2).all().item<bool>());
  EXPECT_TRUE(d1.eq(d2).all().item<bool>());
}

TEST(RandomRange, RandIsInHalfOpenUnitInterval) {
  manual_seed(1);
  for (Dtype dt : {kFloat32, kFloat64}) {
    Tensor u = rand({100000}, {.dtype = dt});
    EXPECT_EQ(u.dtype(), dt);
    EXPECT_GE(u.min().item<double>(), 0.0);
    EXPECT_LT(u.max().item<double>(), 1.0);
  }
  Tensor t = empty({1000});
  uniform_(t, -2.0, -1.0);
  EXPECT_GE(t.min().item<double>(), -2.0);
  EXPECT_LT(t.max().item<double>(), -1.0);
}

TEST(RandomRange, RandintIsInLowHigh) {
  manual_seed(2);
  Tensor r = randint(-3, 4, {100000});
  EXPECT_EQ(r.dtype(), kInt64);
  EXPECT_EQ(r.min().item<int64_t>(), -3);
  EXPECT_EQ(r.max().item<int64_t>(), 3);  // every value in [-3, 4) is hit at this size
  Tensor small = randint(0, 1, {10});
  EXPECT_EQ(small.sum().item<int64_t>(), 0);
  EXPECT_EQ(randint(0, 10, {3}, {.dtype = kInt32}).dtype(), kInt32);
}

TEST(RandomRange, RandpermIsAPermutation) {
  manual_seed(3);
  for (int64_t n : {0, 1, 2, 17, 1000}) {
    Tensor p = randperm(n);
    EXPECT_EQ(p.dtype(), kInt64);
    ASSERT_EQ(p.numel(), n);
    std::vector<int64_t> v = p.to_vector<int64_t>();
    std::sort(v.begin(), v.end());
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(v[static_cast<size_t>(i)], i);
  }
  // 1000 elements in order would be a broken shuffle.
  Tensor p = randperm(1000);
  EXPECT_FALSE(p.eq(arange(1000)).all().item<bool>());
}

TEST(RandomStats, MomentsOnAMillionSamples) {
  manual_seed(42);
  const int64_t n = 1000000;
  Tensor z = randn({n}, {.dtype = kFloat64});
  EXPECT_NEAR(z.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(z.std().item<double>(), 1.0, 0.01);
  Tensor u = rand({n}, {.dtype = kFloat64});
  EXPECT_NEAR(u.mean().item<double>(), 0.5, 0.01);
  EXPECT_NEAR(u.var().item<double>(), 1.0 / 12.0, 0.01);
  Tensor g = normal(3.0, 2.0, {n}, {.dtype = kFloat64});
  EXPECT_NEAR(g.mean().item<double>(), 3.0, 0.02);
  EXPECT_NEAR(g.std().item<double>(), 2.0, 0.02);
  Tensor b = bernoulli({n}, 0.3, {.dtype = kFloat64});
  EXPECT_NEAR(b.mean().item<double>(), 0.3, 0.01);
  EXPECT_TRUE(b.eq(0).logical_or(b.eq(1)).all().item<bool>());
  Tensor bp = bernoulli(full({n}, 0.3, {.dtype = kFloat64}));
  EXPECT_EQ(bp.dtype(), kFloat64);
  EXPECT_NEAR(bp.mean().item<double>(), 0.3, 0.01);
  Tensor r = randint(0, 10, {n}).to(kFloat64);
  EXPECT_NEAR(r.mean().item<double>(), 4.5, 0.02);
}

TEST(RandomStats, BernoulliEdgeProbabilities) {
  manual_seed(5);
  EXPECT_EQ(bernoulli({1000}, 0.0).sum().item<double>(), 0.0);
  EXPECT_EQ(bernoulli({1000}, 1.0).sum().item<double>(), 1000.0);
  Tensor p = tensor({0.0, 1.0, 0.0, 1.0});
  EXPECT_EQ(bernoulli(p).to_vector<float>(), (std::vector<float>{0, 1, 0, 1}));
}

TEST(RandomStats, MultinomialFrequenciesAndDistinctDraws) {
  manual_seed(11);
  // With replacement: frequencies follow the (unnormalized) weights; zero weights never come up.
  const Tensor w = tensor(std::vector<float>{1, 0, 3, 6});
  const std::vector<int64_t> draws = multinomial(w, 100000, true).to_vector<int64_t>();
  std::vector<double> freq(4, 0.0);
  for (int64_t d : draws) freq[static_cast<size_t>(d)] += 1.0 / 100000;
  EXPECT_NEAR(freq[0], 0.1, 0.005);
  EXPECT_EQ(freq[1], 0.0);
  EXPECT_NEAR(freq[2], 0.3, 0.005);
  EXPECT_NEAR(freq[3], 0.6, 0.005);
  // Without replacement: distinct categories; drawing all non-zero ones gives a permutation of them;
  // the first draw follows the weights.
  const Tensor rows = tensor(std::vector<double>{1, 0, 3, 6, 2, 2, 2, 2}).view({2, 4});
  const Tensor picked = multinomial(rows, 3);
  EXPECT_EQ(picked.sizes(), (Shape{2, 3}));
  std::vector<int64_t> first = picked[0].to_vector<int64_t>();
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<int64_t>{0, 2, 3}));
  const Tensor firsts = multinomial(w.unsqueeze(0).expand({50000, 4}).contiguous(), 1).reshape({-1});
  EXPECT_NEAR(eq(firsts, 3).to(kFloat64).mean().item<double>(), 0.6, 0.01);
  EXPECT_NEAR(eq(firsts, 0).to(kFloat64).mean().item<double>(), 0.1, 0.01);
}

TEST(RandomErrors, BadArguments) {
  expect_error([] { multinomial(tensor(std::vector<float>{1, 0, 3}), 3); },
               {"multinomial: cannot draw 3 distinct categories without replacement from a row with 2 non-zero weights"});
  expect_error([] { multinomial(tensor(std::vector<float>{1, -1}), 1); }, {"multinomial: weights must be finite and non-negative"});
  expect_error([] { multinomial(zeros({2, 3}), 1); }, {"multinomial: every row of weights of shape [2, 3] must have a positive sum"});
  expect_error([] { multinomial(ones({2, 2, 2}), 1); }, {"multinomial: expected a 1-D or 2-D tensor"});
  expect_error([] { multinomial(ones({3}), 0); }, {"multinomial: num_samples must be positive"});
  expect_error([] { randint(5, 5, {3}); }, {"randint", "low=5", "high=5"});
  expect_error([] { randint(6, 5, {3}); }, {"randint", "low < high"});
  expect_error([] { normal(0.0, -1.0, {3}); }, {"normal", "std >= 0.0", "-1"});
  expect_error([] { rand({3}, {.dtype = kInt64}); }, {"rand", "int64"});
  expect_error([] { randn({3}, {.dtype = kInt32}); }, {"int32"});
  expect_error([] { bernoulli({3}, 1.5); }, {"bernoulli", "1.5"});
  expect_error([] { bernoulli({3}, -0.1); }, {"bernoulli", "-0.1"});
  expect_error([] { bernoulli(tensor({0.5, 2.0})); }, {"bernoulli", "0 <= p <= 1"});
  expect_error([] { randperm(-1); }, {"randperm", "-1"});
  expect_error([] { rand({2, -3}); }, {"rand", "negative size -3"});
  Tensor t = zeros({3});
  expect_error([&] { uniform_(t, 1.0, 0.0); }, {"uniform_", "from <= to"});
  Tensor i = zeros({3}, {.dtype = kInt64});
  expect_error([&] { uniform_(i); }, {"uniform_", "int64"});
}

TEST(RandomInPlace, UniformAndNormalOnNonContiguousView) {
  manual_seed(11);
  Tensor base = zeros({4, 6});
  Tensor view = base.slice(1, 0, 6, 2).t();  // (3, 4), every other column, transposed
  ASSERT_FALSE(view.is_contiguous());
  uniform_(view, 5.0, 6.0);
  for (int64_t r = 0; r < 4; ++r) {
    for (int64_t c = 0; c < 6; ++c) {
      const float v = base[r][c].item<float>();
      if (c % 2 == 0) {
        EXPECT_GE(v, 5.0f);
        EXPECT_LT(v, 6.0f);
      } else {
        EXPECT_EQ(v, 0.0f) << "untouched column " << c;
      }
    }
  }
  Tensor col = base.select(1, 1);  // stride 6
  normal_(col, -100.0, 1.0);
  EXPECT_LT(col.max().item<float>(), -90.0f);
  EXPECT_EQ(base.select(1, 3).sum().item<float>(), 0.0f);
  // The same seed gives the same in-place values as on a contiguous tensor.
  manual_seed(11);
  Tensor dense = zeros({3, 4});
  uniform_(dense, 5.0, 6.0);
  EXPECT_TRUE(dense.eq(view).all().item<bool>());
}
