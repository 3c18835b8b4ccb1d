// Views and their aliasing: view/reshape/permute/transpose/squeeze/expand/narrow/
// slice/select/as_strided shapes, strides and errors; writes through a view are
// seen by its base (and back); overlapping copies; dim-wrapping messages.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

using namespace ember;
using ::testing::ElementsAre;

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

using Ints = std::vector<int64_t>;
Ints shape_of(const Tensor& t) { return t.sizes().vec(); }
Ints strides_of(const Tensor& t) { return t.strides().vec(); }
bool shares(const Tensor& a, const Tensor& b) { return a.storage().get() == b.storage().get(); }

// 0, 1, ..., n-1 as float32 in the given shape.
Tensor iota(Ints shape) { return arange(shape_numel(shape), {.dtype = kFloat32}).view(shape); }

}  // namespace

// ---- shape-changing views -------------------------------------------------------

TEST(View, InfersMinusOneAndShares) {
  Tensor x = iota({2, 6});
  Tensor v = x.view({3, -1});
  EXPECT_EQ(shape_of(v), (Ints{3, 4}));
  EXPECT_EQ(strides_of(v), (Ints{4, 1}));
  EXPECT_TRUE(shares(v, x));
  EXPECT_EQ(shape_of(x.view({-1})), (Ints{12}));
  EXPECT_EQ(x.view({2, 2, 3})[1][0][2].item<float>(), 8.0f);  // element 6*1 + 3*0 + 2
  EXPECT_EQ(shape_of(scalar_tensor(1.0).view({1, 1})), (Ints{1, 1}));
}

TEST(View, Errors) {
  Tensor x = iota({2, 3});
  expect_error([&] { x.view({-1, -1}); }, {"view", "only one dimension can be inferred"});
  expect_error([&] { x.view({4, -1}); }, {"view", "[4, -1]", "invalid for input of size 6"});
  expect_error([&] { x.view({4, 2}); }, {"view", "[4, 2]", "invalid for input of size 6"});
  expect_error([&] { x.t().view({6}); }, {"view", "[3, 2]", "use reshape()"});
}

TEST(Reshape, CopiesOnlyWhenNeeded) {
  Tensor x = iota({2, 3});
  Tensor r = x.reshape({3, 2});
  EXPECT_TRUE(shares(r, x));
  Tensor t = x.t();
  Tensor flat = t.reshape({-1});  // transposed memory cannot be viewed flat
  EXPECT_FALSE(shares(flat, x));
  EXPECT_THAT(flat.to_vector<float>(), ElementsAre(0, 3, 1, 4, 2, 5));
  // A transposed tensor can still reshape without a copy when only size-1 dims move.
  Tensor col = iota({3, 1}).t();
  EXPECT_TRUE(shares(col.reshape({3}), col));
  EXPECT_TRUE(shares(x.reshape_as(zeros({6})), x));
}

TEST(Permute, ReordersSizesAndStrides) {
  Tensor x = iota({2, 3, 4});
  Tensor p = x.permute({2, 0, 1});
  EXPECT_EQ(shape_of(p), (Ints{4, 2, 3}));
  EXPECT_EQ(strides_of(p), (Ints{1, 12, 4}));
  EXPECT_TRUE(shares(p, x));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_EQ(shape_of(x.permute({-1, 1, 0})), (Ints{4, 3, 2}));
  expect_error([&] { x.permute({0, 0, 1}); }, {"permute", "appears twice"});
  expect_error([&] { x.permute({0, 1}); }, {"permute", "2 dims", "3 dims"});
}

TEST(Transpose, AndT) {
  Tensor x = iota({2, 3});
  EXPECT_THAT(x.t().to_vector<float>(), ElementsAre(0, 3, 1, 4, 2, 5));
  EXPECT_EQ(strides_of(x.transpose(0, 1)), (Ints{1, 3}));
  EXPECT_EQ(strides_of(iota({2, 3, 4}).transpose(-1, 0)), (Ints{1, 4, 12}));
  EXPECT_EQ(shape_of(iota({5}).t()), (Ints{5}));  // 1-D t() is a no-op
  expect_error([] { iota({2, 3, 4}).t(); }, {"t", "<= 2 dims", "[2, 3, 4]"});
}

TEST(Squeeze, AndUnsqueeze) {
  Tensor x = iota({1, 3, 1});
  EXPECT_EQ(shape_of(x.squeeze()), (Ints{3}));
  EXPECT_EQ(shape_of(x.squeeze(0)), (Ints{3, 1}));
  EXPECT_EQ(shape_of(x.squeeze(-1)), (Ints{1, 3}));
  EXPECT_EQ(shape_of(x.squeeze(1)), (Ints{1, 3, 1}));  // not size 1: unchanged
  Tensor y = iota({2, 3});
  EXPECT_EQ(shape_of(y.unsqueeze(0)), (Ints{1, 2, 3}));
  EXPECT_EQ(shape_of(y.unsqueeze(-1)), (Ints{2, 3, 1}));
  EXPECT_EQ(shape_of(y.unsqueeze(-3)), (Ints{1, 2, 3}));
  EXPECT_EQ(strides_of(y.unsqueeze(1)), (Ints{3, 3, 1}));
  EXPECT_EQ(strides_of(y.unsqueeze(2)), (Ints{3, 1, 1}));
  expect_error([&] { y.unsqueeze(3); }, {"unsqueeze", "dim 3", "[-3, 2]"});
}

TEST(Flatten, AndUnflatten) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(shape_of(x.flatten()), (Ints{24}));
  EXPECT_EQ(shape_of(x.flatten(1)), (Ints{2, 12}));
  EXPECT_EQ(shape_of(x.flatten(0, 1)), (Ints{6, 4}));
  EXPECT_EQ(shape_of(scalar_tensor(1.0).flatten()), (Ints{1}));
  expect_error([&] { x.flatten(2, 1); }, {"flatten", "start_dim 2", "end_dim 1"});
  Tensor u = x.flatten(1).unflatten(1, {3, -1});
  EXPECT_EQ(shape_of(u), (Ints{2, 3, 4}));
  EXPECT_TRUE(shares(u, x));
  expect_error([&] { iota({2, 3}).unflatten(1, {2, 2}); }, {"unflatten", "[2, 2]", "size 3"});
}

TEST(Expand, StrideZeroAndErrors) {
  Tensor x = tensor({{1.0}, {2.0}});  // (2, 1)
  Tensor e = x.expand({2, 3});
  EXPECT_EQ(strides_of(e), (Ints{1, 0}));
  EXPECT_TRUE(shares(e, x));
  EXPECT_THAT(e.to_vector<float>(), ElementsAre(1, 1, 1, 2, 2, 2));
  Tensor lead = x.expand({4, -1, 3});  // new leading dim; -1 keeps size 2
  EXPECT_EQ(shape_of(lead), (Ints{4, 2, 3}));
  EXPECT_EQ(strides_of(lead), (Ints{0, 1, 0}));
  EXPECT_EQ(shape_of(e.expand_as(zeros({5, 2, 3}))), (Ints{5, 2, 3}));
  expect_error([&] { x.expand({3, 3}); }, {"expand", "expanded size (3)", "existing size (2)", "[3, 3]", "[2, 1]"});
  expect_error([&] { x.expand({3}); }, {"expand", "number of sizes"});
  expect_error([&] { x.expand({-1, 2, 1}); }, {"expand", "-1", "leading"});
}

// ---- narrow / slice / select --------------------------------------------------------

TEST(Narrow, NegativeStartAndRange) {
  Tensor x = iota({2, 3});
  EXPECT_THAT(x.narrow(1, -2, 2).to_vector<float>(), ElementsAre(1, 2, 4, 5));
  EXPECT_EQ(x.narrow(0, 1, 1).storage_offset(), 3);
  EXPECT_EQ(shape_of(x.narrow(1, 3, 0)), (Ints{2, 0}));
  expect_error([&] { x.narrow(1, 2, 2); }, {"narrow", "start 2", "length 2", "size 3", "[2, 3]"});
  expect_error([&] { x.narrow(2, 0, 1); }, {"narrow", "dim 2", "[-2, 1]"});
}

TEST(Slice, StepAndPythonClamping) {
  Tensor y = arange(10);
  EXPECT_THAT(y.slice(0, -3).to_vector<int64_t>(), ElementsAre(7, 8, 9));
  EXPECT_THAT(y.slice(0, -100, 3).to_vector<int64_t>(), ElementsAre(0, 1, 2));
  EXPECT_THAT(y.slice(0, 2, 100, 3).to_vector<int64_t>(), ElementsAre(2, 5, 8));
  EXPECT_THAT(y.slice(0, 1, -1, 4).to_vector<int64_t>(), ElementsAre(1, 5));
  EXPECT_EQ(y.slice(0, 5, 2).numel(), 0);
  Tensor s = y.slice(0, 1, std::nullopt, 2);
  EXPECT_EQ(strides_of(s), (Ints{2}));
  EXPECT_EQ(s.storage_offset(), 1);
  EXPECT_THAT(iota({3, 4}).slice(1, 1, 3).to_vector<float>(), ElementsAre(1, 2, 5, 6, 9, 10));
  expect_error([&] { y.slice(0, 0, 5, 0); }, {"slice", "step must be positive"});
}

TEST(Select, NegativeIndexAndErrors) {
  Tensor x = iota({2, 3});
  EXPECT_THAT(x.select(1, -1).to_vector<float>(), ElementsAre(2, 5));
  EXPECT_THAT(x[1].to_vector<float>(), ElementsAre(3, 4, 5));
  EXPECT_EQ(x[1][2].dim(), 0);
  EXPECT_EQ(x[-1][-3].item<float>(), 3.0f);
  expect_error([&] { x.select(1, 3); }, {"select", "index 3", "size 3", "[2, 3]"});
  expect_error([&] { x.select(1, -4); }, {"select", "index -4", "[2, 3]"});
  expect_error([&] { x[5]; }, {"select", "index 5", "size 2"});
  expect_error([] { scalar_tensor(1.0).select(0, 0); }, {"select", "0-dim"});
}

TEST(AsStrided, ViewsAndBoundsCheck) {
  Tensor x = iota({6});
  Tensor w = x.as_strided({2, 2}, {1, 1}, 1);  // sliding windows [1,2],[2,3]
  EXPECT_THAT(w.to_vector<float>(), ElementsAre(1, 2, 2, 3));
  EXPECT_TRUE(shares(w, x));
  EXPECT_THAT(x.as_strided({3}, {2}).to_vector<float>(), ElementsAre(0, 2, 4));
  expect_error([&] { x.as_strided({3, 3}, {1, 1}, 5); }, {"as_strided", "[3, 3]", "offset 5", "6 elements"});
  expect_error([&] { x.as_strided({2}, {1, 1}); }, {"as_strided", "1 sizes", "2 strides"});
}

// ---- copies vs views ------------------------------------------------------------------

TEST(Layout, ContiguousCloneDetach) {
  Tensor x = iota({2, 3});
  EXPECT_TRUE(x.is_contiguous());
  EXPECT_TRUE(x.contiguous().is_same(x));  // already contiguous: same tensor
  Tensor t = x.t();
  EXPECT_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_FALSE(shares(c, x));
  EXPECT_EQ(strides_of(c), (Ints{2, 1}));
  EXPECT_THAT(c.to_vector<float>(), ElementsAre(0, 3, 1, 4, 2, 5));
  Tensor k = x.clone();
  EXPECT_FALSE(shares(k, x));
  k.fill_(9);
  EXPECT_EQ(x[0][0].item<float>(), 0.0f);
  Tensor d = x.detach();
  EXPECT_TRUE(shares(d, x));
  EXPECT_FALSE(d.is_same(x));
  d.fill_(7);
  EXPECT_EQ(x[1][2].item<float>(), 7.0f);
  // Size-1 dims don't break contiguity; a step-2 slice does.
  EXPECT_TRUE(iota({3, 1}).t().is_contiguous());
  EXPECT_FALSE(iota({6}).slice(0, 0, 6, 2).is_contiguous());
}

// ---- aliasing: writes through views ------------------------------------------------------

TEST(Aliasing, WritesThroughViewsReachBase) {
  Tensor x = zeros({3, 4});
  x.slice(1, 1, 3).fill_(1);
  x.select(0, 2).add_(10);
  x.t().select(0, 0).copy_(tensor({-1.0, -2.0, -3.0}));  // column 0
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(-1, 1, 1, 0, -2, 1, 1, 0, -3, 11, 11, 10));
  Tensor row = x[1];
  row.masked_fill_(tensor({true, false, true, false}), 5);
  EXPECT_THAT(x[1].to_vector<float>(), ElementsAre(5, 1, 5, 0));
  x.slice(0, 0, 3, 2).slice(1, 0, 4, 3).mul_(0);  // corners
  EXPECT_EQ(x[0][0].item<float>(), 0.0f);
  EXPECT_EQ(x[2][3].item<float>(), 0.0f);
  EXPECT_EQ(x[2][2].item<float>(), 11.0f);
}

TEST(Aliasing, WritesToBaseReachViews) {
  Tensor x = iota({2, 3});
  Tensor t = x.t();
  Tensor v = x.view({6});
  Tensor s = x.select(1, 2);
  x.add_(100);
  EXPECT_EQ(t[2][1].item<float>(), 105.0f);
  EXPECT_EQ(v[4].item<float>(), 104.0f);
  EXPECT_THAT(s.to_vector<float>(), ElementsAre(102, 105));
  x.zero_();
  EXPECT_THAT(s.to_vector<float>(), ElementsAre(0, 0));
}

TEST(Aliasing, InPlaceOnExpandedTensorThrows) {
  Tensor e = ones({1, 3}).expand({2, 3});
  expect_error([&] { e.add_(1); }, {"add_", "single memory location", "[2, 3]"});
  expect_error([&] { e.fill_(0); }, {"fill_", "single memory location"});
  expect_error([&] { e.copy_(zeros({2, 3})); }, {"copy_", "single memory location"});
  // Writing to the base and reading through the expansion is fine.
  Tensor base = zeros({1, 3});
  Tensor view = base.expand({2, 3});
  base.fill_(2);
  EXPECT_THAT(view.to_vector<float>(), ElementsAre(2, 2, 2, 2, 2, 2));
}

TEST(Aliasing, OverlappingCopyUsesPreCopyValues) {
  Tensor x = tensor({0.0, 1.0, 2.0, 3.0, 4.0});
  x.narrow(0, 1, 3).copy_(x.narrow(0, 0, 3));
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 0, 1, 2, 4));
  Tensor y = tensor({0.0, 1.0, 2.0, 3.0, 4.0});
  y.narrow(0, 0, 3).copy_(y.narrow(0, 2, 3));
  EXPECT_THAT(y.to_vector<float>(), ElementsAre(2, 3, 4, 3, 4));
  Tensor z = tensor({1.0, 2.0, 3.0, 4.0});
  z.narrow(0, 1, 3).add_(z.narrow(0, 0, 3));  // z[1:] += z[:3], reading old values
  EXPECT_THAT(z.to_vector<float>(), ElementsAre(1, 3, 5, 7));
  Tensor m = iota({2, 2});
  m.copy_(m.t());  // in-place transpose through a copy of the source
  EXPECT_THAT(m.to_vector<float>(), ElementsAre(0, 2, 1, 3));
}

// ---- dim wrapping --------------------------------------------------------------------------

TEST(WrapDim, ErrorsNameOpAndRange) {
  Tensor x = iota({2, 3});
  expect_error([&] { x.transpose(0, 2); }, {"transpose", "dim 2", "2 dims", "[-2, 1]"});
  expect_error([&] { x.squeeze(-3); }, {"squeeze", "dim -3", "[-2, 1]"});
  expect_error([&] { x.size(2); }, {"size", "[-2, 1]"});
  expect_error([&] { x.select(-3, 0); }, {"select", "[-2, 1]"});
  expect_error([&] { x.slice(5, 0, 1); }, {"slice", "dim 5"});
  expect_error([&] { x.sum({2}); }, {"sum", "dim 2"});
  EXPECT_EQ(wrap_dim(-1, 3, "op"), 2);
  EXPECT_EQ(wrap_dim(0, 0, "op"), 0);
  EXPECT_EQ(wrap_dim(-1, 0, "op"), 0);
  expect_error([] { wrap_dim(1, 0, "myop"); }, {"myop", "[-1, 0]"});
}
