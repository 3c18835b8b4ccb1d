// Joining and splitting: cat, stack, split, chunk, and the copying ops repeat
// and flip, with PyTorch's shapes, type promotion, view sharing and error messages.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace ember;
using ::testing::HasSubstr;

namespace {

void expect_error(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
  } catch (const Error& e) {
    for (const std::string& p : parts) EXPECT_THAT(std::string(e.what()), HasSubstr(p));
    return;
  }
  ADD_FAILURE() << "expected ember::Error";
}

template <class T>
void expect_tensor(const Tensor& t, const std::vector<int64_t>& shape, const std::vector<T>& values) {
  EXPECT_EQ(t.sizes().vec(), shape);
  EXPECT_EQ(t.dtype(), dtype_of<T>);
  EXPECT_EQ(t.to_vector<T>(), values);
}

bool shares_storage(const Tensor& a, const Tensor& b) { return a.storage().get() == b.storage().get(); }

// [[1, 2, 3], [4, 5, 6]] as int64.
Tensor m23() { return tensor({{1, 2, 3}, {4, 5, 6}}); }

}  // namespace

// ---- cat -----------------------------------------------------------------------------------

TEST(Cat, AlongEachDimIncludingNegative) {
  expect_tensor<int64_t>(cat({m23(), tensor({{7, 8, 9}})}), {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  expect_tensor<int64_t>(cat({m23(), tensor({{7}, {8}})}, 1), {2, 4}, {1, 2, 3, 7, 4, 5, 6, 8});
  expect_tensor<int64_t>(cat({m23(), tensor({{7}, {8}})}, -1), {2, 4}, {1, 2, 3, 7, 4, 5, 6, 8});
  expect_tensor<int64_t>(cat({m23(), tensor({{7, 8, 9}})}, -2), {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // 3-D along the middle dim: (2,1,2) + (2,2,2) -> (2,3,2).
  const Tensor a = arange(4).view({2, 1, 2}), b = arange(10, 18).view({2, 2, 2});
  expect_tensor<int64_t>(cat({a, b}, 1), {2, 3, 2}, {0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17});
  // A single tensor is copied, not aliased.
  const Tensor x = m23();
  const Tensor y = cat({x});
  EXPECT_FALSE(shares_storage(x, y));
  expect_tensor<int64_t>(y, {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(Cat, PromotesDtypes) {
  expect_tensor<float>(cat({tensor({1, 2}), tensor({1.5f})}), {3}, {1.0f, 2.0f, 1.5f});
  expect_tensor<int64_t>(cat({tensor({1}, {.dtype = kInt32}), tensor({2})}), {2}, {1, 2});
  expect_tensor<int32_t>(cat({tensor({true, false}), tensor({5}, {.dtype = kInt32})}), {3}, {1, 0, 5});
  expect_tensor<double>(cat({tensor({1.0f}), tensor({2.5}, {.dtype = kFloat64})}), {2}, {1.0, 2.5});
}

TEST(Cat, SkipsOneDimEmptyTensors) {
  // A (0,) tensor is skipped whatever the other shapes, but still joins type promotion.
  expect_tensor<int64_t>(cat({empty({0}, {.dtype = kInt64}), m23(), empty({0}, {.dtype = kInt64})}), {2, 3},
                         {1, 2, 3, 4, 5, 6});
  expect_tensor<double>(cat({empty({0}, {.dtype = kFloat64}), tensor({1, 2})}), {2}, {1.0, 2.0});
  expect_tensor<float>(cat({empty({0}), empty({0})}), {0}, {});
  // A 2-D empty tensor is not skipped: its other sizes must match.
  expect_tensor<int64_t>(cat({empty({0, 3}, {.dtype = kInt64}), m23()}), {2, 3}, {1, 2, 3, 4, 5, 6});
  expect_error([] { cat({empty({0, 2}, {.dtype = kInt64}), m23()}); }, {"cat", "tensor 1"});
}

TEST(Cat, NonContiguousInputs) {
  const Tensor t = m23().t();                 // [[1,4],[2,5],[3,6]]
  const Tensor s = arange(12).view({3, 4}).slice(1, 0, 4, 2);  // [[0,2],[4,6],[8,10]]
  ASSERT_FALSE(t.is_contiguous());
  ASSERT_FALSE(s.is_contiguous());
  expect_tensor<int64_t>(cat({t, s}), {6, 2}, {1, 4, 2, 5, 3, 6, 0, 2, 4, 6, 8, 10});
  expect_tensor<int64_t>(cat({t, s}, 1), {3, 4}, {1, 4, 0, 2, 2, 5, 4, 6, 3, 6, 8, 10});
}

TEST(Cat, Errors) {
  expect_error([] { cat({}); }, {"cat", "non-empty"});
  expect_error([] { cat({m23(), tensor({1, 2, 3})}); }, {"cat", "tensor 1", "[2, 3]", "[3]"});
  expect_error([] { cat({m23(), zeros({2, 4}, {.dtype = kInt64})}); }, {"cat", "tensor 1", "[2, 4]", "[2, 3]"});
  expect_error([] { cat({m23(), m23(), zeros({1, 2}, {.dtype = kInt64})}); }, {"cat", "tensor 2", "[1, 2]"});
  expect_error([] { cat({scalar_tensor(1), scalar_tensor(2)}); }, {"cat", "zero-dimensional"});
  expect_error([] { cat({m23(), m23()}, 2); }, {"cat", "dim 2"});
}

// ---- stack ---------------------------------------------------------------------------------

TEST(Stack, NewDimAtFrontMiddleEnd) {
  const Tensor a = tensor({1, 2, 3}), b = tensor({4, 5, 6});
  expect_tensor<int64_t>(stack({a, b}), {2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor<int64_t>(stack({a, b}, 1), {3, 2}, {1, 4, 2, 5, 3, 6});
  expect_tensor<int64_t>(stack({a, b}, -1), {3, 2}, {1, 4, 2, 5, 3, 6});
  // (2,3) tensors stacked in the middle: out[i][j] = t_j[i].
  const Tensor c = m23(), d = m23().mul(10);
  expect_tensor<int64_t>(stack({c, d}, 1), {2, 2, 3}, {1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60});
  expect_tensor<int64_t>(stack({c, d}, 2), {2, 3, 2}, {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60});
  // 0-dim tensors stack into a vector; non-contiguous inputs work.
  expect_tensor<double>(stack({scalar_tensor(1.5, {.dtype = kFloat64}), scalar_tensor(2.5, {.dtype = kFloat64})}),
                        {2}, {1.5, 2.5});
  expect_tensor<int64_t>(stack({c.t(), d.t()}), {2, 3, 2}, {1, 4, 2, 5, 3, 6, 10, 40, 20, 50, 30, 60});
}

TEST(Stack, Errors) {
  expect_error([] { stack({tensor({1, 2, 3}), tensor({1, 2})}); }, {"stack", "[3]", "[2]", "entry 1"});
  expect_error([] { stack({}); }, {"stack", "non-empty"});
  expect_error([] { stack({tensor({1, 2}), tensor({3, 4})}, 2); }, {"stack", "dim 2"});
}

// ---- split / chunk ---------------------------------------------------------------------------

TEST(Split, BySizeWithRemainderAreViews) {
  const Tensor x = arange(7);
  const std::vector<Tensor> parts = x.split(3);
  ASSERT_EQ(parts.size(), 3u);
  expect_tensor<int64_t>(parts[0], {3}, {0, 1, 2});
  expect_tensor<int64_t>(parts[1], {3}, {3, 4, 5});
  expect_tensor<int64_t>(parts[2], {1}, {6});
  for (const Tensor& p : parts) EXPECT_TRUE(shares_storage(p, x));
  Tensor middle = parts[1];
  middle.fill_(-1);
  expect_tensor<int64_t>(x, {7}, {0, 1, 2, -1, -1, -1, 6});
  // Along dim 1 (and -1): columns of a (2,5).
  const std::vector<Tensor> cols = split(arange(10).view({2, 5}), 2, -1);
  ASSERT_EQ(cols.size(), 3u);
  expect_tensor<int64_t>(cols[0], {2, 2}, {0, 1, 5, 6});
  expect_tensor<int64_t>(cols[2], {2, 1}, {4, 9});
  // A split size larger than the dim gives the whole tensor.
  ASSERT_EQ(x.split(10).size(), 1u);
}

TEST(Split, BySizesList) {
  const Tensor x = arange(14).view({2, 7});
  const std::vector<Tensor> parts = x.split(std::vector<int64_t>{1, 4, 0, 2}, 1);
  ASSERT_EQ(parts.size(), 4u);
  expect_tensor<int64_t>(parts[0], {2, 1}, {0, 7});
  expect_tensor<int64_t>(parts[1], {2, 4}, {1, 2, 3, 4, 8, 9, 10, 11});
  expect_tensor<int64_t>(parts[2], {2, 0}, {});
  expect_tensor<int64_t>(parts[3], {2, 2}, {5, 6, 12, 13});
  for (const Tensor& p : parts) EXPECT_TRUE(shares_storage(p, x));
  expect_error([&] { x.split(std::vector<int64_t>{1, 2}, 1); }, {"split", "[1, 2]", "sum to 3", "size 7"});
  expect_error([&] { x.split(std::vector<int64_t>{8, -1}, 1); }, {"split", "non-negative"});
  expect_error([&] { x.split(0, 1); }, {"split", "positive"});
}

TEST(Chunk, UnevenAndMoreChunksThanSize) {
  const std::vector<Tensor> three = arange(5).chunk(3);  // sizes 2, 2, 1
  ASSERT_EQ(three.size(), 3u);
  expect_tensor<int64_t>(three[0], {2}, {0, 1});
  expect_tensor<int64_t>(three[1], {2}, {2, 3});
  expect_tensor<int64_t>(three[2], {1}, {4});
  // As PyTorch: chunk size ceil(5/4) = 2, so only 3 chunks come back.
  EXPECT_EQ(arange(5).chunk(4).size(), 3u);
  const std::vector<Tensor> ones = arange(3).chunk(5);
  ASSERT_EQ(ones.size(), 3u);
  for (int64_t i = 0; i < 3; ++i) expect_tensor<int64_t>(ones[static_cast<size_t>(i)], {1}, {i});
  // Along dim 1, as views.
  const Tensor x = arange(6).view({2, 3});
  const std::vector<Tensor> cols = chunk(x, 2, 1);
  ASSERT_EQ(cols.size(), 2u);
  expect_tensor<int64_t>(cols[0], {2, 2}, {0, 1, 3, 4});
  expect_tensor<int64_t>(cols[1], {2, 1}, {2, 5});
  EXPECT_TRUE(shares_storage(cols[1], x));
  expect_error([] { arange(3).chunk(0); }, {"chunk", "positive"});
}

// As PyTorch: an empty dim gives `chunks` empty pieces (torch.zeros(0, 2).chunk(3) is three (0, 2) tensors).
TEST(Chunk, EmptyDimGivesEveryChunk) {
  const Tensor x = zeros({0, 2});
  const std::vector<Tensor> pieces = x.chunk(3);
  ASSERT_EQ(pieces.size(), 3u);
  for (const Tensor& p : pieces) EXPECT_EQ(p.sizes(), (Shape{0, 2}));
  EXPECT_EQ(chunk(zeros({2, 0}).transpose(0, 1), 2, 0).size(), 2u);  // non-contiguous
  EXPECT_EQ(zeros({2, 0}).chunk(4, 1).size(), 4u);
}

// ---- repeat -----------------------------------------------------------------------------------

TEST(Repeat, TilesEachDim) {
  expect_tensor<int64_t>(m23().repeat({2, 2}), {4, 6},
                         {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6});
  expect_tensor<int64_t>(m23().repeat({1, 2}), {2, 6}, {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6});
  expect_tensor<int64_t>(tensor({1, 2}).repeat({3}), {6}, {1, 2, 1, 2, 1, 2});
  expect_tensor<bool>(tensor({true, false}).repeat({2}), {4}, {true, false, true, false});
}

TEST(Repeat, ExtraLeadingDimsAndZero) {
  expect_tensor<int64_t>(m23().repeat({2, 1, 1}), {2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6});
  expect_tensor<int64_t>(tensor({7, 8}).repeat({2, 2}), {2, 4}, {7, 8, 7, 8, 7, 8, 7, 8});
  expect_tensor<int64_t>(m23().repeat({0, 2}), {0, 6}, {});
  expect_tensor<float>(scalar_tensor(2.5f).repeat({3}), {3}, {2.5f, 2.5f, 2.5f});
}

TEST(Repeat, NonContiguousAndOffsetInputsGiveACopy) {
  expect_tensor<int64_t>(m23().t().repeat({1, 2}), {3, 4}, {1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6});
  const Tensor x = arange(10);
  const Tensor mid = x.slice(0, 4, 7);  // [4, 5, 6], storage offset 4
  const Tensor r = mid.repeat({2});
  expect_tensor<int64_t>(r, {6}, {4, 5, 6, 4, 5, 6});
  EXPECT_FALSE(shares_storage(r, x));
}

TEST(Repeat, Errors) {
  expect_error([] { m23().repeat({2}); }, {"repeat", "(1)", "(2)"});
  expect_error([] { m23().repeat({2, -1}); }, {"repeat", "non-negative"});
}

// ---- flip -------------------------------------------------------------------------------------

TEST(Flip, OneOrSeveralDims) {
  expect_tensor<int64_t>(m23().flip({0}), {2, 3}, {4, 5, 6, 1, 2, 3});
  expect_tensor<int64_t>(m23().flip({1}), {2, 3}, {3, 2, 1, 6, 5, 4});
  expect_tensor<int64_t>(m23().flip({-1}), {2, 3}, {3, 2, 1, 6, 5, 4});
  expect_tensor<int64_t>(m23().flip({0, 1}), {2, 3}, {6, 5, 4, 3, 2, 1});
  expect_tensor<int64_t>(m23().flip({}), {2, 3}, {1, 2, 3, 4, 5, 6});
  // (2,2,2): flipping the middle dim swaps the rows inside each block.
  expect_tensor<int64_t>(flip(arange(8).view({2, 2, 2}), {1}), {2, 2, 2}, {2, 3, 0, 1, 6, 7, 4, 5});
  expect_tensor<float>(tensor({1.5f, -2.0f, 3.0f}).flip({0}), {3}, {3.0f, -2.0f, 1.5f});
  expect_tensor<bool>(tensor({true, false, false}).flip({0}), {3}, {false, false, true});
}

TEST(Flip, NonContiguousInputAndResultIsACopy) {
  const Tensor t = m23().t();  // [[1,4],[2,5],[3,6]]
  expect_tensor<int64_t>(t.flip({0}), {3, 2}, {3, 6, 2, 5, 1, 4});
  expect_tensor<int64_t>(t.flip({1}), {3, 2}, {4, 1, 5, 2, 6, 3});
  const Tensor stepped = arange(10).slice(0, 1, 10, 3);  // [1, 4, 7]
  expect_tensor<int64_t>(stepped.flip({0}), {3}, {7, 4, 1});

  const Tensor x = m23();
  Tensor f = x.flip({1});
  EXPECT_FALSE(shares_storage(f, x));
  EXPECT_TRUE(f.is_contiguous());
  f.fill_(0);
  expect_tensor<int64_t>(x, {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(Flip, Errors) {
  expect_error([] { m23().flip({0, -2}); }, {"flip", "multiple"});
  expect_error([] { m23().flip({2}); }, {"flip", "dim 2"});
}

// ---- unbind / roll / tril / triu (values against PyTorch: parity_test) -------------------------

TEST(Unbind, ViewsAndErrors) {
  const Tensor x = arange(6).view({2, 3});
  const std::vector<Tensor> cols = x.unbind(1);
  ASSERT_EQ(cols.size(), 3u);
  expect_tensor<int64_t>(cols[2], {2}, {2, 5});
  EXPECT_TRUE(shares_storage(cols[0], x));
  EXPECT_TRUE(unbind(zeros({0, 2})).empty());
  expect_error([] { unbind(scalar_tensor(1.0)); }, {"unbind", "0-dim"});
  expect_error([] { unbind(zeros({2}), 1); }, {"unbind", "dim"});
}

TEST(Roll, WrapsAndErrors) {
  expect_tensor<int64_t>(arange(5).roll({-7}), {5}, {2, 3, 4, 0, 1});
  expect_tensor<int64_t>(arange(6).view({2, 3}).roll({1}), {2, 3}, {5, 0, 1, 2, 3, 4});  // flattened
  expect_tensor<int64_t>(arange(6).view({2, 3}).t().roll({1}, {1}), {3, 2}, {3, 0, 4, 1, 5, 2});  // strided
  EXPECT_EQ(zeros({0, 3}).roll({2}, {0}).sizes(), (Shape{0, 3}));
  expect_error([] { arange(6).view({2, 3}).roll({1, 2}, {0}); }, {"roll", "shifts [1, 2]", "dims [0]"});
  expect_error([] { arange(6).roll({1, 2}); }, {"roll", "one shift"});
  expect_error([] { arange(6).roll({}); }, {"roll", "at least one shift"});
}

TEST(Triangles, DiagonalsBatchesAndErrors) {
  const Tensor x = ones({2, 3, 4});
  EXPECT_EQ(tril(x).sum().item<int64_t>(), 2 * (1 + 2 + 3));
  EXPECT_EQ(triu(x, 2).sum().item<int64_t>(), 2 * (2 + 1));
  EXPECT_EQ(tril(x, -3).sum().item<int64_t>(), 0);
  // outside the triangle even NaN becomes 0 (a mask, not a product)
  const Tensor nan = full({2, 2}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(nan.triu(1)[1][0].item<double>(), 0.0);
  EXPECT_EQ(ones({2, 2}, {.dtype = kBool}).tril().dtype(), kBool);
  expect_error([] { tril(arange(3)); }, {"tril", "at least 2 dims", "[3]"});
  expect_error([] { triu(scalar_tensor(1.0)); }, {"triu", "at least 2 dims"});
}
