// Indexing ops: index_select, gather, scatter(_add)(_), integer and bool-mask
// indexing, masked_select, nonzero, sort/argsort, topk and one_hot, with
// PyTorch's shapes, ordering rules and error messages.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace ember;
using ::testing::HasSubstr;

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

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

// [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as int64.
Tensor m33() { return tensor({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}); }

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

// ---- index_select ------------------------------------------------------------------------

TEST(IndexSelect, AlongEachDim) {
  expect_tensor<int64_t>(m33().index_select(0, tensor({2, 0})), {2, 3}, {7, 8, 9, 1, 2, 3});
  expect_tensor<int64_t>(index_select(m33(), 1, tensor({2, 2, 0})), {3, 3}, {3, 3, 1, 6, 6, 4, 9, 9, 7});
  expect_tensor<int64_t>(index_select(m33(), -1, tensor({1})), {3, 1}, {2, 5, 8});
  expect_tensor<int64_t>(index_select(m33(), 0, empty({0}, {.dtype = kInt64})), {0, 3}, {});
  // Non-contiguous input, float and bool dtypes.
  expect_tensor<int64_t>(m33().t().index_select(0, tensor({0})), {1, 3}, {1, 4, 7});
  expect_tensor<float>(tensor({0.5f, 1.5f, 2.5f}).index_select(0, tensor({2, 1, 2})), {3}, {2.5f, 1.5f, 2.5f});
  expect_tensor<bool>(tensor({true, false}).index_select(0, tensor({1, 0, 0})), {3}, {false, true, true});
}

TEST(IndexSelect, Int32AndZeroDimIndex) {
  expect_tensor<int64_t>(m33().index_select(0, tensor({1, 2}, {.dtype = kInt32})), {2, 3}, {4, 5, 6, 7, 8, 9});
  // A 0-D index keeps the dim with size 1, as PyTorch.
  expect_tensor<int64_t>(m33().index_select(0, scalar_tensor(1)), {1, 3}, {4, 5, 6});
  expect_tensor<double>(scalar_tensor(7.0, {.dtype = kFloat64}).index_select(0, scalar_tensor(0)), {}, {7.0});
}

TEST(IndexSelect, Errors) {
  expect_error([] { m33().index_select(0, tensor({0, 3})); }, {"index_select", "index 3", "size 3"});
  expect_error([] { m33().index_select(1, tensor({-1})); }, {"index_select", "index -1", "size 3"});
  expect_error([] { m33().index_select(0, tensor({0.0f})); }, {"index_select", "integer", "float32"});
  expect_error([] { m33().index_select(0, tensor({{0}})); }, {"index_select", "0-D or 1-D", "[1, 1]"});
  expect_error([] { m33().index_select(2, tensor({0})); }, {"index_select", "dim 2"});
}

// ---- gather --------------------------------------------------------------------------------

TEST(Gather, AlongDim0AndDim1) {
  const Tensor x = tensor({{1, 2}, {3, 4}});
  expect_tensor<int64_t>(x.gather(1, tensor({{0, 0}, {1, 0}})), {2, 2}, {1, 1, 4, 3});
  expect_tensor<int64_t>(gather(x, 0, tensor({{0, 1}, {1, 0}})), {2, 2}, {1, 4, 3, 2});
  expect_tensor<int64_t>(gather(x, -1, tensor({{1}, {0}})), {2, 1}, {2, 3});
  // Non-contiguous input: x.t() = [[1, 3], [2, 4]].
  expect_tensor<int64_t>(x.t().gather(1, tensor({{1, 0}, {1, 1}})), {2, 2}, {3, 1, 4, 4});
  expect_tensor<float>(tensor({{0.5f, 1.5f, 2.5f}}).gather(1, tensor({{2, 0}}, {.dtype = kInt32})), {1, 2},
                       {2.5f, 0.5f});
}

TEST(Gather, IndexSmallerThanInputInOtherDims) {
  // x = arange(12).view(3,4); out[i][j] = x[i][idx[i][j]] for the first 2 rows only.
  const Tensor x = arange(12).view({3, 4});
  expect_tensor<int64_t>(x.gather(1, tensor({{3, 0}, {1, 1}})), {2, 2}, {3, 0, 5, 5});
  // Along dim 0 the index may be longer than the input: out[i][j] = x[idx[i][j]][j].
  expect_tensor<int64_t>(x.gather(0, tensor({{2}, {0}, {2}, {1}, {0}})), {5, 1}, {8, 0, 8, 4, 0});
}

TEST(Gather, Errors) {
  const Tensor x = tensor({{1, 2}, {3, 4}});
  expect_error([&] { x.gather(1, tensor({{0, 2}})); }, {"gather", "index 2", "size 2"});
  expect_error([&] { x.gather(0, tensor({{-1, 0}})); }, {"gather", "index -1"});
  expect_error([&] { x.gather(1, tensor({0, 1})); }, {"gather", "[2]", "[2, 2]"});
  expect_error([&] { x.gather(1, tensor({{0}, {0}, {0}})); }, {"gather", "[3, 1]", "dim 0"});
}

// ---- scatter / scatter_add ---------------------------------------------------------------------

TEST(Scatter, InPlaceAlongDim0AndDim1) {
  const Tensor src = arange(1, 11).view({2, 5});
  Tensor x = zeros({3, 5}, {.dtype = kInt64});
  Tensor& r = scatter_(x, 0, tensor({{0, 1, 2, 0}}), src);
  EXPECT_TRUE(r.is_same(x));
  expect_tensor<int64_t>(x, {3, 5}, {1, 0, 0, 4, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0});
  Tensor y = zeros({3, 5}, {.dtype = kInt64});
  scatter_(y, 1, tensor({{0, 1, 2}, {0, 1, 4}}), src);
  expect_tensor<int64_t>(y, {3, 5}, {1, 2, 3, 0, 0, 6, 7, 0, 0, 8, 0, 0, 0, 0, 0});
}

TEST(Scatter, IntoNonContiguousSelfAndFromOffsetSource) {
  // Writing through a transposed view lands in the base tensor's transposed positions.
  Tensor base = zeros({3, 2}, {.dtype = kInt64});
  Tensor view = base.t();  // (2,3)
  scatter_(view, 1, tensor({{2}, {0}}), arange(10).view({2, 5})[1].view({5, 1}).slice(0, 0, 2));
  // src rows are [5] and [6]: view[0][2] = 5, view[1][0] = 6.
  expect_tensor<int64_t>(base, {3, 2}, {0, 6, 0, 0, 5, 0});
  expect_tensor<int64_t>(arange(12).view({3, 4})[2].gather(0, tensor({3, 0})), {2}, {11, 8});
}

TEST(Scatter, OutOfPlaceLeavesInputAndTakesScalar) {
  const Tensor x = zeros({2, 4});
  const Tensor r = x.scatter(1, tensor({{3}, {0}}), tensor({{1.5f}, {2.5f}}));
  expect_tensor<float>(r, {2, 4}, {0, 0, 0, 1.5f, 2.5f, 0, 0, 0});
  expect_tensor<float>(x, {2, 4}, std::vector<float>(8, 0.0f));
  expect_tensor<float>(scatter(x, 1, tensor({{1}, {3}}), 1.5), {2, 4}, {0, 1.5f, 0, 0, 0, 0, 0, 1.5f});
  expect_tensor<bool>(scatter(zeros({3}, {.dtype = kBool}), 0, tensor({2, 0}), true), {3}, {true, false, true});
}

TEST(Scatter, AddAccumulatesDuplicates) {
  expect_tensor<float>(zeros({5}).scatter_add(0, tensor({0, 1, 0, 4, 0}), ones({5})), {5}, {3, 1, 0, 0, 1});
  expect_tensor<int64_t>(scatter_add(zeros({2}, {.dtype = kInt64}), 0, tensor({1, 1, 0}), tensor({5, 7, 2})), {2},
                         {2, 12});
  Tensor x = ones({2, 3}, {.dtype = kFloat64});
  Tensor& r = scatter_add_(x, 1, tensor({{0, 0}, {2, 2}}), tensor({{1, 2}, {3, 4}}, {.dtype = kFloat64}));
  EXPECT_TRUE(r.is_same(x));
  expect_tensor<double>(x, {2, 3}, {4, 1, 1, 1, 1, 8});
  // The out-of-place form leaves its input alone.
  const Tensor y = zeros({2}, {.dtype = kInt64});
  scatter_add(y, 0, tensor({0}), tensor({9}));
  expect_tensor<int64_t>(y, {2}, {0, 0});
}

TEST(Scatter, Errors) {
  expect_error([] { zeros({3}).scatter(0, tensor({5}), ones({1})); }, {"scatter", "index 5", "size 3"});
  expect_error([] { zeros({3}).scatter_add(0, tensor({0}), ones({1}, {.dtype = kFloat64})); },
               {"scatter_add", "float32", "float64"});
  expect_error([] { zeros({3}).scatter(0, tensor({{0}}), ones({1, 1})); }, {"scatter", "dims"});
  expect_error([] { zeros({3}).scatter(0, tensor({0, 1}), ones({1})); }, {"scatter", "[2]", "src"});
}

// ---- x.index(...) and masked_select --------------------------------------------------------------

TEST(Index, IntegerTensorSelectsRows) {
  const Tensor x = tensor({{1, 2}, {3, 4}, {5, 6}});
  expect_tensor<int64_t>(x.index(tensor({2, 0, -1})), {3, 2}, {5, 6, 1, 2, 5, 6});
  // A 2-D index: result shape idx.shape + x.shape[1:].
  expect_tensor<int64_t>(index(x, tensor({{0, 1}, {-3, 2}})), {2, 2, 2}, {1, 2, 3, 4, 1, 2, 5, 6});
  expect_tensor<float>(tensor({0.5f, 1.5f, 2.5f}).index(tensor({-1, 0}, {.dtype = kInt32})), {2}, {2.5f, 0.5f});
  expect_tensor<int64_t>(x.index(scalar_tensor(1)), {2}, {3, 4});
  expect_error([&] { x.index(tensor({3})); }, {"index", "size 3"});
  expect_error([&] { x.index(tensor({-4})); }, {"index", "size 3"});
  expect_error([&] { x.index(tensor({0.0f})); }, {"index", "integer"});
}

TEST(Index, BoolMask) {
  const Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  // Full-shape mask: a 1-D result in row-major order.
  expect_tensor<int64_t>(x.index(tensor({{true, false, true}, {false, true, false}})), {3}, {1, 3, 5});
  expect_tensor<int64_t>(x.index(zeros({2, 3}, {.dtype = kBool})), {0}, {});
  // A mask over the leading dim selects rows.
  const Tensor y = tensor({{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});
  expect_tensor<float>(y.index(tensor({true, false, true})), {2, 2}, {1, 2, 5, 6});
  expect_error([&] { y.index(tensor({true, false})); }, {"index", "mask", "[2]", "[3, 2]"});
}

TEST(MaskedSelect, BroadcastsMaskAndInput) {
  const Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_tensor<int64_t>(x.masked_select(tensor({true, false, true})), {4}, {1, 3, 4, 6});
  expect_tensor<int64_t>(masked_select(tensor({1, 2, 3}), tensor({{true, true, false}, {false, false, true}})), {3},
                         {1, 2, 3});
  expect_tensor<float>(masked_select(tensor({1.5f, 2.5f}), tensor({false, false})), {0}, {});
  // Non-contiguous input: x.t() = [[1,4],[2,5],[3,6]].
  expect_tensor<int64_t>(x.t().masked_select(tensor({false, true})), {3}, {4, 5, 6});
  expect_error([&] { x.masked_select(tensor({1, 0, 1})); }, {"masked_select", "bool", "int64"});
  expect_error([&] { x.masked_select(tensor({true, false})); }, {"masked_select"});
}

// ---- nonzero -----------------------------------------------------------------------------------

TEST(Nonzero, CoordinatesInRowMajorOrder) {
  const Tensor x = tensor({{0, 1, 0}, {2, 0, 3}});
  expect_tensor<int64_t>(x.nonzero(), {3, 2}, {0, 1, 1, 0, 1, 2});
  expect_tensor<int64_t>(nonzero(tensor({0.0f, 5.0f, 0.0f, -7.0f})), {2, 1}, {1, 3});
  expect_tensor<int64_t>(nonzero(tensor({{true, false}, {false, true}})), {2, 2}, {0, 0, 1, 1});
  // x.t() = [[0,2],[1,0],[0,3]].
  expect_tensor<int64_t>(x.t().nonzero(), {3, 2}, {0, 1, 1, 0, 2, 1});
  // Nothing found: shape (0, ndim).
  expect_tensor<int64_t>(zeros({2, 3}).nonzero(), {0, 2}, {});
  expect_tensor<int64_t>(zeros({4}, {.dtype = kInt64}).nonzero(), {0, 1}, {});
}

// ---- sort / argsort ------------------------------------------------------------------------------

TEST(Sort, AscendingAndDescending) {
  auto [v, i] = tensor({3, 1, 2}).sort();
  expect_tensor<int64_t>(v, {3}, {1, 2, 3});
  expect_tensor<int64_t>(i, {3}, {1, 2, 0});
  auto [dv, di] = sort(tensor({0.5f, -1.0f, 2.0f, 1.0f}), -1, true);
  expect_tensor<float>(dv, {4}, {2.0f, 1.0f, 0.5f, -1.0f});
  expect_tensor<int64_t>(di, {4}, {2, 3, 0, 1});
  auto [bv, bi] = sort(tensor({true, false, false}), 0, false, true);
  expect_tensor<bool>(bv, {3}, {false, false, true});
  expect_tensor<int64_t>(bi, {3}, {1, 2, 0});
}

TEST(Sort, StableKeepsOrderOfEqualKeys) {
  const Tensor x = tensor({2, 1, 2, 1, 2});
  auto [v, i] = x.sort(-1, false, true);
  expect_tensor<int64_t>(v, {5}, {1, 1, 2, 2, 2});
  expect_tensor<int64_t>(i, {5}, {1, 3, 0, 2, 4});
  auto [dv, di] = x.sort(-1, true, true);
  expect_tensor<int64_t>(dv, {5}, {2, 2, 2, 1, 1});
  expect_tensor<int64_t>(di, {5}, {0, 2, 4, 1, 3});
  // Long enough that a non-stable algorithm would be free to reorder.
  std::vector<int64_t> keys, want_idx;
  for (int64_t k = 0; k < 100; ++k) keys.push_back(k % 3 == 0 ? 1 : 0);
  for (int64_t k = 0; k < 100; ++k) if (keys[static_cast<size_t>(k)] == 0) want_idx.push_back(k);
  for (int64_t k = 0; k < 100; ++k) if (keys[static_cast<size_t>(k)] == 1) want_idx.push_back(k);
  EXPECT_EQ(tensor(keys).argsort(0, false, true).to_vector<int64_t>(), want_idx);
}

TEST(Sort, NaNSortsAsLargest) {
  auto [v, i] = tensor({3.0f, kNaN, 1.0f, 2.0f}).sort();
  const std::vector<float> got = v.to_vector<float>();
  EXPECT_EQ(std::vector<float>(got.begin(), got.begin() + 3), (std::vector<float>{1.0f, 2.0f, 3.0f}));
  EXPECT_TRUE(std::isnan(got[3]));
  expect_tensor<int64_t>(i, {4}, {2, 3, 0, 1});
  auto [dv, di] = tensor({3.0f, kNaN, 1.0f, 2.0f}).sort(0, true);
  EXPECT_TRUE(std::isnan(dv.to_vector<float>()[0]));
  expect_tensor<int64_t>(di, {4}, {1, 0, 3, 2});
}

TEST(Sort, AlongDim0LastDimAndNonContiguous) {
  const Tensor x = tensor({{3, 1}, {1, 2}, {2, 0}});
  auto [v0, i0] = x.sort(0);
  expect_tensor<int64_t>(v0, {3, 2}, {1, 0, 2, 1, 3, 2});
  expect_tensor<int64_t>(i0, {3, 2}, {1, 2, 2, 0, 0, 1});
  auto [v1, i1] = tensor({{3.0, 1.0, 2.0}, {0.0, 5.0, 4.0}}, {.dtype = kFloat64}).sort(1);
  expect_tensor<double>(v1, {2, 3}, {1, 2, 3, 0, 4, 5});
  expect_tensor<int64_t>(i1, {2, 3}, {1, 2, 0, 0, 2, 1});
  // x.t() = [[3,1,2],[1,2,0]], sorted along its last dim.
  auto [vt, it] = x.t().sort(-1, true);
  expect_tensor<int64_t>(vt, {2, 3}, {3, 2, 1, 2, 1, 0});
  expect_tensor<int64_t>(it, {2, 3}, {0, 2, 1, 1, 0, 2});
  expect_tensor<int64_t>(argsort(x.t(), -1), {2, 3}, {1, 2, 0, 2, 0, 1});
  expect_tensor<int64_t>(x.argsort(0, true), {3, 2}, {0, 1, 2, 0, 1, 2});
}

TEST(Sort, EmptyInputAndTopkOfEmptyDim) {
  auto [v, i] = empty({0}).sort();
  expect_tensor<float>(v, {0}, {});
  expect_tensor<int64_t>(i, {0}, {});
  auto [v2, i2] = empty({2, 0}, {.dtype = kInt64}).sort(1);
  expect_tensor<int64_t>(v2, {2, 0}, {});
  expect_tensor<int64_t>(i2, {2, 0}, {});
  auto [v3, i3] = empty({2, 0}).topk(0, 1);
  expect_tensor<float>(v3, {2, 0}, {});
  expect_tensor<int64_t>(i3, {2, 0}, {});
}

// ---- topk ------------------------------------------------------------------------------------------

TEST(Topk, LargestAndSmallest) {
  const Tensor x = tensor({1.0f, 5.0f, 3.0f, 4.0f, 2.0f});
  auto [v, i] = x.topk(2);
  expect_tensor<float>(v, {2}, {5.0f, 4.0f});
  expect_tensor<int64_t>(i, {2}, {1, 3});
  auto [sv, si] = topk(x, 2, -1, false);
  expect_tensor<float>(sv, {2}, {1.0f, 2.0f});
  expect_tensor<int64_t>(si, {2}, {0, 4});
  auto [iv, ii] = tensor({7, -2, 9}).topk(1);
  expect_tensor<int64_t>(iv, {1}, {9});
  expect_tensor<int64_t>(ii, {1}, {2});
}

TEST(Topk, NaNCountsAsLargest) {
  const Tensor x = tensor({3.0f, kNaN, 1.0f, 2.0f});
  auto [v, i] = x.topk(2);
  EXPECT_TRUE(std::isnan(v.to_vector<float>()[0]));
  EXPECT_EQ(v.to_vector<float>()[1], 3.0f);
  expect_tensor<int64_t>(i, {2}, {1, 0});
  auto [sv, si] = x.topk(2, 0, false);
  expect_tensor<float>(sv, {2}, {1.0f, 2.0f});
  expect_tensor<int64_t>(si, {2}, {2, 3});
}

TEST(Topk, AlongDimAndEdgeK) {
  const Tensor x = tensor({{1, 6}, {4, 2}, {3, 5}});
  auto [v, i] = x.topk(2, 0);
  expect_tensor<int64_t>(v, {2, 2}, {4, 6, 3, 5});
  expect_tensor<int64_t>(i, {2, 2}, {1, 0, 2, 2});
  auto [zv, zi] = x.topk(0, 1);
  expect_tensor<int64_t>(zv, {3, 0}, {});
  expect_tensor<int64_t>(zi, {3, 0}, {});
  auto [fv, fi] = tensor({2.0f, 3.0f, 1.0f}).topk(3);
  expect_tensor<float>(fv, {3}, {3.0f, 2.0f, 1.0f});
  expect_tensor<int64_t>(fi, {3}, {1, 0, 2});
  // On a non-contiguous input: x.t() = [[1,4,3],[6,2,5]].
  auto [tv, ti] = x.t().topk(1, -1, false);
  expect_tensor<int64_t>(tv, {2, 1}, {1, 2});
  expect_tensor<int64_t>(ti, {2, 1}, {0, 1});
}

TEST(Topk, Errors) {
  expect_error([] { tensor({1, 2, 3, 4, 5}).topk(6); }, {"topk", "k (6)", "size 5"});
  expect_error([] { tensor({1, 2}).topk(-1); }, {"topk", "k (-1)"});
  expect_error([] { tensor({1, 2}).topk(1, 1); }, {"topk", "dim 1"});
}

// ---- one_hot -------------------------------------------------------------------------------------

TEST(OneHot, InferredAndExplicitClasses) {
  expect_tensor<int64_t>(one_hot(tensor({0, 2, 1})), {3, 3}, {1, 0, 0, 0, 0, 1, 0, 1, 0});
  expect_tensor<int64_t>(one_hot(tensor({0, 2, 1}), 4), {3, 4}, {1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0});
  expect_tensor<int64_t>(one_hot(tensor({{1, 0}, {0, 0}})), {2, 2, 2}, {0, 1, 1, 0, 1, 0, 1, 0});
  expect_tensor<int64_t>(one_hot(scalar_tensor(1), 3), {3}, {0, 1, 0});
}

TEST(OneHot, Errors) {
  expect_error([] { one_hot(tensor({1, -1})); }, {"one_hot"});
  expect_error([] { one_hot(tensor({1, -1}), 3); }, {"one_hot", "[0, 3)"});
  expect_error([] { one_hot(tensor({1, 3}), 3); }, {"one_hot", "[0, 3)"});
  expect_error([] { one_hot(tensor({1.0f})); }, {"one_hot", "integer"});
  expect_error([] { one_hot(empty({0}, {.dtype = kInt64})); }, {"one_hot", "empty"});
}

// ---- take_along_dim / repeat_interleave / masked_scatter (values: parity_test) -----------------

TEST(TakeAlongDim, BroadcastsAndErrors) {
  const Tensor x = arange(12.0).view({3, 4});
  // the indices' row broadcasts over x's three rows
  EXPECT_EQ(take_along_dim(x, tensor({{3, 0}}), 1).to_vector<double>(), (std::vector<double>{3, 0, 7, 4, 11, 8}));
  EXPECT_EQ(x.t().take_along_dim(tensor({5, 0})).to_vector<double>(), (std::vector<double>{9, 0}));  // flattened, strided
  expect_error([&] { take_along_dim(x, tensor({1.0f})); }, {"take_along_dim", "int64", "float32"});
  expect_error([&] { take_along_dim(x, tensor({1}), 0); }, {"take_along_dim", "same number of dims"});
  expect_error([&] { take_along_dim(x, tensor({{0}, {1}}), 1); }, {"take_along_dim", "cannot be broadcast"});
  expect_error([&] { take_along_dim(x, tensor({{4}}), 1); }, {"gather", "4"});
}

TEST(RepeatInterleave, CountsDimsAndErrors) {
  EXPECT_EQ(repeat_interleave(tensor({2, 0, 1})).to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 2}));
  const Tensor x = tensor({{1, 2}, {3, 4}});
  EXPECT_EQ(x.repeat_interleave(2).to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 2, 2, 3, 3, 4, 4}));
  EXPECT_EQ(x.t().repeat_interleave(tensor({1, 2}), 1).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 3, 3, 2, 4, 4}));  // strided
  EXPECT_EQ(x.repeat_interleave(tensor({3}), 0).sizes(), (Shape{6, 2}));  // one count for every row
  EXPECT_EQ(x.repeat_interleave(0, 1).sizes(), (Shape{2, 0}));
  expect_error([&] { x.repeat_interleave(tensor({1, 2, 3}), 0); }, {"repeat_interleave", "3 entries", "2 along dim 0"});
  expect_error([&] { x.repeat_interleave(tensor({1, -2}), 0); }, {"repeat_interleave", "negative", "-2"});
  expect_error([&] { x.repeat_interleave(tensor({1.5f, 2.0f}), 0); }, {"repeat_interleave", "integer", "float32"});
  expect_error([&] { x.repeat_interleave(tensor({{1, 2}}), 0); }, {"repeat_interleave", "0-dim or 1-dim"});
}

TEST(MaskedScatter, OrderBroadcastAndErrors) {
  const Tensor x = zeros({2, 3});
  const Tensor m = tensor({{true, false, true}, {false, true, false}});
  EXPECT_EQ(x.masked_scatter(m, arange(6.0f)).to_vector<float>(), (std::vector<float>{0, 0, 1, 0, 2, 0}));
  EXPECT_EQ(x.masked_scatter(tensor({true, false, true}), arange(6.0f)).to_vector<float>(),
            (std::vector<float>{0, 0, 1, 2, 0, 3}));  // the mask broadcasts over rows
  EXPECT_EQ(x.masked_scatter(zeros({2, 3}, {.dtype = kBool}), zeros({0})).abs().sum().item<float>(), 0.0f);
  expect_error([&] { x.masked_scatter(m, arange(2.0f)); }, {"masked_scatter", "selects 3", "only 2"});
  expect_error([&] { x.masked_scatter(m.to(kInt64), arange(6.0f)); }, {"masked_scatter", "bool", "int64"});
  expect_error([&] { x.masked_scatter(m, arange(6)); }, {"masked_scatter", "float32", "int64"});
  expect_error([&] { x.masked_scatter(tensor({true, false}), arange(6.0f)); }, {"masked_scatter", "broadcast"});
}

// Advanced indexing's shape rules and errors (its values and gradients are in
// the op table: index_* rows, against PyTorch).
TEST(AdvancedIndexing, ShapesAndErrors) {
  const Tensor x = randn({3, 4, 5});
  EXPECT_EQ(index(x, {tensor({0, 2})}).sizes(), (Shape{2, 4, 5}));
  EXPECT_EQ(index(x, {Tensor(), tensor({1, 2, 3})}).sizes(), (Shape{3, 3, 5}));
  EXPECT_EQ(index(x, {tensor({0, 1}), Tensor(), tensor({4, 0})}).sizes(), (Shape{2, 4}));  // split: B first
  EXPECT_EQ(index(x, {Tensor(), tensor({0, 1}).view({2, 1}), tensor({4, 0, 2})}).sizes(), (Shape{3, 2, 3}));
  EXPECT_EQ(index(x, {gt(x, 0)}).dim(), 1);
  EXPECT_ERROR(index(x, {tensor({0}), tensor({0}), tensor({0}), tensor({0})}),
               "index: too many indices for a tensor of dimension 3 (got 4)");
  // (A single braced tensor picks index(x, tensor), the same indexing along dim 0.)
  EXPECT_ERROR(index(x, {tensor({3}), Tensor()}), "index: index 3 is out of bounds for dimension 0 with size 3");
  EXPECT_ERROR(index(x, {Tensor(), tensor({-5})}), "index: index -5 is out of bounds for dimension 1 with size 4");
  EXPECT_ERROR(index(x, {tensor({0.5f}), Tensor()}), "index: index 0 must be an integer or bool tensor, got float32");
  EXPECT_ERROR(index(x, {tensor({true, false}), Tensor()}), "index: the shape of the mask [2] at index 0 does not match");
  EXPECT_ERROR(index(x, {tensor({0, 1}), tensor({0, 1, 2})}), "index: shapes [2] and [3] cannot be broadcast");
  EXPECT_ERROR(index(x, {Tensor(), Tensor()}), "index: needs at least one index tensor");
  Tensor y = zeros({3, 4});
  y.index_put_({tensor({0, 0, 2}), tensor({1, 1, 3})}, tensor({1.0f, 2.0f, 5.0f}), true);
  EXPECT_EQ(y[0][1].item<float>(), 3.0f);  // duplicates accumulate
  EXPECT_EQ(y[2][3].item<float>(), 5.0f);
  y.index_put_({tensor({1})}, tensor({7.0f}));  // one value for the whole row
  EXPECT_EQ(y[1].sum().item<float>(), 28.0f);
  EXPECT_ERROR(y.index_put_({tensor({1})}, tensor({1.0f, 2.0f})), "index_put: shapes [1, 4] and [2] cannot be broadcast");
  EXPECT_ERROR(y.index_put_({tensor({1})}, ones({2, 1, 4})),
               "index_put: values of shape [2, 1, 4] do not broadcast to the indexed shape [1, 4]");
  EXPECT_ERROR(y.index_put_({tensor({1})}, tensor({1.0}, {.dtype = kFloat64})),
               "index_put: values (float64) must have the tensor's dtype (float32)");
}
