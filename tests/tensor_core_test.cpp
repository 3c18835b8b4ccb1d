// Tensor construction and dtypes: tensor()/from_blob/from_buffer, the filled and
// range factories, dtype names/sizes/promotion/result_type, to(dtype), item,
// to_vector, 0-dim and zero-size tensors, and the default dtype.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
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

std::vector<int64_t> shape_of(const Tensor& t) { return t.sizes().vec(); }

// Restores the default dtype even when an assertion fails mid-test.
struct DefaultDtypeGuard {
  Dtype saved = default_dtype();
  ~DefaultDtypeGuard() { set_default_dtype(saved); }
};

}  // namespace

// ---- tensor() from data ------------------------------------------------------

TEST(TensorFromData, NestedListsInferShapeAndDtype) {
  Tensor f = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(shape_of(f), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1, 2, 3, 4, 5, 6));

  Tensor i = tensor({{{1, 2}}, {{3, 4}}});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_EQ(shape_of(i), (std::vector<int64_t>{2, 1, 2}));
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(1, 2, 3, 4));

  Tensor b = tensor({true, false, true});
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, false, true));

  Tensor four = tensor({{{{1.5}}}});
  EXPECT_EQ(four.dim(), 4);
  EXPECT_EQ(four.item<double>(), 1.5);
}

TEST(TensorFromData, ExplicitDtypeConverts) {
  Tensor a = tensor({1, 2, 3}, {.dtype = kFloat64});
  EXPECT_EQ(a.dtype(), kFloat64);
  EXPECT_THAT(a.to_vector<double>(), ElementsAre(1.0, 2.0, 3.0));
  Tensor b = tensor({1.9, -1.9}, {.dtype = kInt32});
  EXPECT_EQ(b.dtype(), kInt32);
  EXPECT_THAT(b.to_vector<int32_t>(), ElementsAre(1, -1));  // truncation toward zero
}

TEST(TensorFromData, StdVector) {
  std::vector<double> d{0.5, 1.5};
  Tensor a = tensor(d);
  EXPECT_EQ(a.dtype(), kFloat32);
  EXPECT_EQ(shape_of(a), (std::vector<int64_t>{2}));
  EXPECT_THAT(a.to_vector<float>(), ElementsAre(0.5f, 1.5f));
  Tensor b = tensor(std::vector<int32_t>{7, 8, 9});
  EXPECT_EQ(b.dtype(), kInt64);
  EXPECT_THAT(b.to_vector<int64_t>(), ElementsAre(7, 8, 9));
  Tensor c = tensor(std::vector<bool>{true, false});
  EXPECT_EQ(c.dtype(), kBool);
  EXPECT_THAT(c.to_vector<bool>(), ElementsAre(true, false));
  d[0] = 100;  // tensor() copied the data
  EXPECT_EQ(a.to_vector<float>()[0], 0.5f);
}

TEST(TensorFromData, RaggedListIsAnError) {
  expect_error([] { tensor({{1, 2}, {3}}); }, {"tensor", "ragged", "expected 2", "got 1"});
}

TEST(TensorFromData, ScalarTensorIsZeroDim) {
  Tensor s = scalar_tensor(2.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.dtype(), kFloat32);
  EXPECT_EQ(s.item<float>(), 2.5f);
  EXPECT_EQ(scalar_tensor(3).dtype(), kInt64);
  EXPECT_EQ(scalar_tensor(true).dtype(), kBool);
  EXPECT_EQ((s * 2).dim(), 0);
  EXPECT_EQ(s.sum().item<double>(), 2.5);
}

// ---- from_blob / from_buffer ----------------------------------------------------

TEST(FromBlob, SharesMemoryBothWays) {
  float buf[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(buf, {2, 3}, kFloat32);
  EXPECT_EQ(t.data_ptr(), static_cast<void*>(buf));
  t.mul_(10);
  EXPECT_EQ(buf[5], 60.0f);
  buf[0] = -1;
  EXPECT_EQ(t[0][0].item<float>(), -1.0f);
}

TEST(FromBlob, DeleterRunsOnceWhenLastTensorGoes) {
  int calls = 0;
  auto* data = new int64_t[4]{1, 2, 3, 4};
  {
    Tensor t = from_blob(data, {4}, kInt64, [&calls](void* p) {
      ++calls;
      delete[] static_cast<int64_t*>(p);
    });
    Tensor view = t.narrow(0, 1, 2);
    Tensor copy = t;
    t = Tensor();
    copy = Tensor();
    EXPECT_EQ(calls, 0);  // the view still holds the storage
    EXPECT_THAT(view.to_vector<int64_t>(), ElementsAre(2, 3));
  }
  EXPECT_EQ(calls, 1);
}

TEST(FromBlob, CustomStrides) {
  // A column-major 2x3 matrix: element (i, j) is at i + 2 * j.
  double buf[6] = {1, 4, 2, 5, 3, 6};
  Tensor t = from_blob(buf, {2, 3}, {1, 2}, kFloat64);
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(1, 2, 3, 4, 5, 6));
  expect_error([&] { from_blob(buf, {2, 3}, {1}, kFloat64); }, {"from_blob", "2 sizes", "1 strides"});
}

TEST(FromBuffer, CopiesAndConverts) {
  int32_t src[4] = {1, 2, 3, 4};
  Tensor t = from_buffer(src, kInt32, {2, 2});
  EXPECT_EQ(t.dtype(), kInt32);
  src[0] = 99;
  EXPECT_THAT(t.to_vector<int32_t>(), ElementsAre(1, 2, 3, 4));
  Tensor f = from_buffer(src, kInt32, {4}, {.dtype = kFloat32});
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(99, 2, 3, 4));
}

// ---- filled and range factories ---------------------------------------------------

TEST(Factories, EmptyZerosOnesFull) {
  EXPECT_EQ(empty({2, 3}).dtype(), kFloat32);
  EXPECT_EQ(shape_of(empty({2, 3})), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(zeros({3}).to_vector<float>(), ElementsAre(0, 0, 0));
  EXPECT_THAT(ones({2}, {.dtype = kInt32}).to_vector<int32_t>(), ElementsAre(1, 1));
  EXPECT_EQ(ones({2}, {.dtype = kInt32}).dtype(), kInt32);
  EXPECT_EQ(full({2}, true).dtype(), kBool);
  EXPECT_EQ(full({2}, 3).dtype(), kInt64);
  EXPECT_EQ(full({2}, 1.5).dtype(), kFloat32);
  EXPECT_THAT(full({2}, 7, {.dtype = kFloat64}).to_vector<double>(), ElementsAre(7.0, 7.0));
  expect_error([] { zeros({2, -1}); }, {"negative size -1", "[2, -1]"});
}

TEST(Factories, Eye) {
  EXPECT_THAT(eye(3).to_vector<float>(), ElementsAre(1, 0, 0, 0, 1, 0, 0, 0, 1));
  Tensor r = eye(2, 3);
  EXPECT_EQ(shape_of(r), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(r.to_vector<float>(), ElementsAre(1, 0, 0, 0, 1, 0));
  EXPECT_THAT(eye(3, 2, {.dtype = kInt64}).to_vector<int64_t>(), ElementsAre(1, 0, 0, 1, 0, 0));
}

TEST(Factories, ArangeIntegerAndFloat) {
  Tensor a = arange(5);
  EXPECT_EQ(a.dtype(), kInt64);
  EXPECT_THAT(a.to_vector<int64_t>(), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(arange(0, 10, 3).to_vector<int64_t>(), ElementsAre(0, 3, 6, 9));
  EXPECT_THAT(arange(10, 0, -3).to_vector<int64_t>(), ElementsAre(10, 7, 4, 1));
  EXPECT_EQ(arange(3, 3).numel(), 0);
  Tensor f = arange(0.0, 1.0, 0.25);
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(0.0f, 0.25f, 0.5f, 0.75f));
  EXPECT_THAT(arange(1.0, 0.0, -0.25).to_vector<float>(), ElementsAre(1.0f, 0.75f, 0.5f, 0.25f));
  EXPECT_EQ(arange(0, 5, 2, {.dtype = kFloat64}).dtype(), kFloat64);
}

TEST(Factories, ArangeErrors) {
  expect_error([] { arange(0, 5, 0); }, {"arange", "step must be nonzero"});
  expect_error([] { arange(0, 5, -1); }, {"arange", "inconsistent with step sign"});
  expect_error([] { arange(5.0, 0.0, 0.5); }, {"arange", "inconsistent with step sign"});
}

TEST(Factories, LinspaceAndLogspace) {
  Tensor l = linspace(0, 1, 5);
  EXPECT_EQ(l.dtype(), kFloat32);
  EXPECT_THAT(l.to_vector<float>(), ElementsAre(0.0f, 0.25f, 0.5f, 0.75f, 1.0f));
  // Endpoints are exact even when the step is not representable.
  std::vector<double> thirds = linspace(0.1, 0.7, 7, {.dtype = kFloat64}).to_vector<double>();
  EXPECT_EQ(thirds.front(), 0.1);
  EXPECT_EQ(thirds.back(), 0.7);
  EXPECT_THAT(linspace(2, 3, 1).to_vector<float>(), ElementsAre(2.0f));
  EXPECT_EQ(linspace(0, 1, 0).numel(), 0);
  expect_error([] { linspace(0, 1, -1); }, {"linspace", "-1"});
  EXPECT_THAT(logspace(0, 2, 3).to_vector<float>(), ElementsAre(1.0f, 10.0f, 100.0f));
  EXPECT_THAT(logspace(0, 3, 4, 2.0).to_vector<float>(), ElementsAre(1.0f, 2.0f, 4.0f, 8.0f));
}

TEST(Factories, LikeForms) {
  Tensor base = tensor({{1, 2, 3}}, {.dtype = kInt32});
  Tensor z = zeros_like(base);
  EXPECT_EQ(z.dtype(), kInt32);
  EXPECT_EQ(shape_of(z), (std::vector<int64_t>{1, 3}));
  EXPECT_THAT(ones_like(base, {.dtype = kFloat64}).to_vector<double>(), ElementsAre(1, 1, 1));
  EXPECT_THAT(full_like(base, 4).to_vector<int32_t>(), ElementsAre(4, 4, 4));
  EXPECT_EQ(empty_like(base).dtype(), kInt32);
  Tensor fbase = zeros({2, 2}, {.dtype = kFloat64});
  EXPECT_EQ(rand_like(fbase).dtype(), kFloat64);
  EXPECT_EQ(shape_of(randn_like(fbase)), (std::vector<int64_t>{2, 2}));
}

// ---- dtypes --------------------------------------------------------------------------

TEST(Dtypes, NamesAndSizes) {
  EXPECT_STREQ(dtype_name(kBool), "bool");
  EXPECT_STREQ(dtype_name(kUInt8), "uint8");
  EXPECT_STREQ(dtype_name(kInt16), "int16");
  EXPECT_STREQ(dtype_name(kBFloat16), "bfloat16");
  EXPECT_STREQ(dtype_name(kFloat64), "float64");
  EXPECT_EQ(element_size(kBool), 1u);
  EXPECT_EQ(element_size(kUInt8), 1u);
  EXPECT_EQ(element_size(kInt16), 2u);
  EXPECT_EQ(element_size(kFloat16), 2u);
  EXPECT_EQ(element_size(kBFloat16), 2u);
  EXPECT_EQ(element_size(kInt32), 4u);
  EXPECT_EQ(element_size(kFloat32), 4u);
  EXPECT_EQ(element_size(kInt64), 8u);
  EXPECT_EQ(element_size(kFloat64), 8u);
  EXPECT_EQ(zeros({3, 2}, {.dtype = kInt16}).nbytes(), 12u);
}

TEST(Dtypes, PromoteTypes) {
  EXPECT_EQ(promote_types(kFloat16, kBFloat16), kFloat32);
  EXPECT_EQ(promote_types(kBFloat16, kFloat16), kFloat32);
  EXPECT_EQ(promote_types(kBool, kUInt8), kUInt8);
  EXPECT_EQ(promote_types(kUInt8, kInt16), kInt16);
  EXPECT_EQ(promote_types(kInt32, kInt64), kInt64);
  EXPECT_EQ(promote_types(kInt64, kFloat16), kFloat16);
  EXPECT_EQ(promote_types(kBool, kFloat16), kFloat16);
  EXPECT_EQ(promote_types(kFloat32, kFloat64), kFloat64);
  EXPECT_EQ(promote_types(kInt32, kInt32), kInt32);
}

TEST(Dtypes, CanCast) {
  EXPECT_FALSE(can_cast(kFloat32, kInt32));
  EXPECT_FALSE(can_cast(kInt32, kBool));
  EXPECT_FALSE(can_cast(kFloat32, kBool));
  EXPECT_TRUE(can_cast(kBool, kUInt8));
  EXPECT_TRUE(can_cast(kInt64, kFloat16));
  EXPECT_TRUE(can_cast(kFloat64, kFloat16));
  EXPECT_TRUE(can_cast(kInt64, kInt16));
}

TEST(Dtypes, ResultTypeFollowsPyTorch) {
  const Tensor i32 = ones({2}, {.dtype = kInt32});
  EXPECT_EQ(result_type(i32, 2), kInt32);                                // scalars don't widen
  EXPECT_EQ(result_type(i32, 2.5), kFloat32);                            // but do change category
  EXPECT_EQ(result_type(ones({2}, {.dtype = kFloat16}), scalar_tensor(1.0, {.dtype = kFloat64})), kFloat16);
  EXPECT_EQ(result_type(i32, scalar_tensor(1.0, {.dtype = kFloat64})), kFloat64);
  EXPECT_EQ(result_type(ones({2}, {.dtype = kBool}), 2), kInt64);
  EXPECT_EQ(result_type(ones({2}, {.dtype = kUInt8}), scalar_tensor(1)), kUInt8);
  EXPECT_EQ(result_type(i32, ones({2}, {.dtype = kInt64})), kInt64);  // both dimensioned
  // The computed ops agree.
  EXPECT_EQ((i32 + 2).dtype(), kInt32);
  EXPECT_EQ((i32 * 0.5).dtype(), kFloat32);
  EXPECT_EQ((ones({2}, {.dtype = kBool}) + 1).dtype(), kInt64);
}

TEST(Dtypes, ToConversions) {
  Tensor f = tensor({-1.7, 2.9, 0.0, -0.3});
  EXPECT_THAT(f.to(kInt64).to_vector<int64_t>(), ElementsAre(-1, 2, 0, 0));
  EXPECT_THAT(tensor({0.0, -0.5, std::nan("")}).to(kBool).to_vector<bool>(), ElementsAre(false, true, true));
  EXPECT_THAT(tensor({0, 3, -2}).to(kBool).to_vector<bool>(), ElementsAre(false, true, true));
  EXPECT_THAT(tensor({true, false}).to(kFloat32).to_vector<float>(), ElementsAre(1.0f, 0.0f));
  // float16 and bfloat16 keep 11 and 8 significant bits: 3.14159 -> 3.140625 in both.
  EXPECT_EQ(tensor({3.14159}).to(kFloat16).to(kFloat32).item<float>(), 3.140625f);
  EXPECT_EQ(tensor({3.14159}).to(kBFloat16).to(kFloat32).item<float>(), 3.140625f);
  EXPECT_EQ(tensor({0.5, 1024.0}).to(kFloat16).to(kFloat64).to_vector<double>(), (std::vector<double>{0.5, 1024.0}));
  // Same dtype without copy is the same tensor; with copy, new storage.
  EXPECT_TRUE(f.to(kFloat32).is_same(f));
  EXPECT_NE(f.to(kFloat32, true).storage().get(), f.storage().get());
}

// ---- reading values ---------------------------------------------------------------------

TEST(ReadBack, ItemAndToVector) {
  EXPECT_EQ(tensor({{42}}).item<int64_t>(), 42);
  EXPECT_EQ(tensor({2.5}).item<int>(), 2);
  Scalar s = tensor({2.5}).item();
  EXPECT_TRUE(s.is_floating());
  EXPECT_EQ(s.to_double(), 2.5);
  EXPECT_TRUE(tensor({true}).item().is_bool());
  EXPECT_TRUE(tensor({3}).item().is_integral());
  expect_error([] { zeros({2, 3}).item(); }, {"item", "6 elements", "[2, 3]"});
  expect_error([] { zeros({0}).item<float>(); }, {"item", "0 elements", "[0]"});
  // to_vector is row-major over the logical layout, converting the dtype.
  Tensor t = arange(6).view({2, 3}).t();
  EXPECT_THAT(t.to_vector<int64_t>(), ElementsAre(0, 3, 1, 4, 2, 5));
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(0, 3, 1, 4, 2, 5));
}

TEST(ReadBack, DataPtrChecksDtype) {
  Tensor t = zeros({2});
  EXPECT_NE(t.data_ptr<float>(), nullptr);
  expect_error([&] { t.data_ptr<double>(); }, {"data_ptr", "float64", "float32"});
  expect_error([] { Tensor().data_ptr<float>(); }, {"data_ptr", "undefined"});
  // data_ptr of a view points at its first element.
  Tensor a = arange(5);
  EXPECT_EQ(*a.narrow(0, 2, 2).data_ptr<int64_t>(), 2);
}

// ---- zero-size and default dtype ----------------------------------------------------------

TEST(ZeroSize, FlowsThroughOps) {
  Tensor x = zeros({0, 3});
  EXPECT_EQ(x.numel(), 0);
  EXPECT_TRUE(x.is_contiguous());
  EXPECT_EQ(shape_of(x + 1), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(shape_of(x * ones({3})), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(x.sum().item<float>(), 0.0f);
  EXPECT_THAT(x.sum({0}).to_vector<float>(), ElementsAre(0, 0, 0));
  EXPECT_TRUE(std::isnan(x.mean().item<float>()));
  EXPECT_EQ(shape_of(x.t()), (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(shape_of(x.reshape({3, 0})), (std::vector<int64_t>{3, 0}));
  EXPECT_TRUE(x.to_vector<float>().empty());
  EXPECT_EQ(shape_of(x.clone()), (std::vector<int64_t>{0, 3}));
}

TEST(DefaultDtype, ChangesFloatFactories) {
  DefaultDtypeGuard guard;
  set_default_dtype(kFloat64);
  EXPECT_EQ(default_dtype(), kFloat64);
  EXPECT_EQ(tensor({1.5}).dtype(), kFloat64);
  EXPECT_EQ(zeros({2}).dtype(), kFloat64);
  EXPECT_EQ(full({1}, 0.5).dtype(), kFloat64);
  EXPECT_EQ(arange(0.0, 1.0, 0.5).dtype(), kFloat64);
  EXPECT_EQ(tensor({1}).dtype(), kInt64);  // integers are unaffected
  EXPECT_EQ((tensor({1, 2}) / 2).dtype(), kFloat64);
  set_default_dtype(kFloat32);
  EXPECT_EQ(tensor({1.5}).dtype(), kFloat32);
  expect_error([] { set_default_dtype(kInt32); }, {"set_default_dtype", "int32"});
  EXPECT_EQ(default_dtype(), kFloat32);
}
