// Printing: operator<< and str() reproduce PyTorch's repr (as of torch 1.13) with
// dtype names written without the "torch." prefix: number formats, alignment,
// nesting, empty tensors, dtype suffixes, line wrapping and summarization.
#include <ember/ember.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

using namespace ember;

namespace {

std::string streamed(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

// Restores the default dtype even when an assertion fails mid-test.
struct DefaultDtypeGuard {
  Dtype saved = default_dtype();
  ~DefaultDtypeGuard() { set_default_dtype(saved); }
};

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST(Print, StreamAndStrAgree) {
  Tensor t = tensor({1.0, 2.0, 3.0});
  EXPECT_EQ(streamed(t), "tensor([1., 2., 3.])");
  EXPECT_EQ(t.str(), "tensor([1., 2., 3.])");
  EXPECT_EQ(Tensor().str(), "tensor(undefined)");
}

TEST(Print, FloatFormats) {
  EXPECT_EQ(tensor({1.5, 2.25}).str(), "tensor([1.5000, 2.2500])");
  EXPECT_EQ(tensor({-1.5, 0.25}).str(), "tensor([-1.5000,  0.2500])");
  EXPECT_EQ(tensor({1.0, 1000.0}).str(), "tensor([   1., 1000.])");
  EXPECT_EQ(tensor({123456.5}).str(), "tensor([123456.5000])");
  EXPECT_EQ(tensor({0.0, 0.0}).str(), "tensor([0., 0.])");
}

TEST(Print, ScientificMode) {
  EXPECT_EQ(tensor({1e-5, 1.0}).str(), "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_EQ(tensor({-1e-5, 1.0}).str(), "tensor([-1.0000e-05,  1.0000e+00])");
  EXPECT_EQ(tensor({1.0, 10000.0}).str(), "tensor([1.0000e+00, 1.0000e+04])");  // range > 1000
  EXPECT_EQ(tensor({0.00012, 0.5}).str(), "tensor([1.2000e-04, 5.0000e-01])");
  EXPECT_EQ(tensor({1e9}).str(), "tensor([1.0000e+09])");  // above 1e8
  EXPECT_EQ(tensor({{1e-5, 1.0}, {2.0, 3.0}}).str(),
            "tensor([[1.0000e-05, 1.0000e+00],\n"
            "        [2.0000e+00, 3.0000e+00]])");
}

TEST(Print, NanAndInf) {
  EXPECT_EQ(tensor({kNan, 1.5, kInf, -kInf}).str(), "tensor([   nan, 1.5000,    inf,   -inf])");
  EXPECT_EQ(tensor({kNan}).str(), "tensor([nan])");
  EXPECT_EQ(scalar_tensor(kNan).str(), "tensor(nan)");
  // Only finite nonzero values set the column width.
  EXPECT_EQ(tensor({1.0, kInf}).str(), "tensor([1., inf])");
  EXPECT_EQ(tensor({{0.0, -1.0}, {kNan, 2.0}}).str(),
            "tensor([[ 0., -1.],\n"
            "        [nan,  2.]])");
}

TEST(Print, IntegerAndBool) {
  EXPECT_EQ(tensor({1, 2, 3}).str(), "tensor([1, 2, 3])");
  EXPECT_EQ(tensor({-5, 10, 200}).str(), "tensor([ -5,  10, 200])");
  EXPECT_EQ(tensor({true, false}).str(), "tensor([ True, False])");
  EXPECT_EQ(tensor({{true, false}, {false, true}}).str(),
            "tensor([[ True, False],\n"
            "        [False,  True]])");
  EXPECT_EQ(tensor({{1, 20}, {300, 4}}).str(),
            "tensor([[  1,  20],\n"
            "        [300,   4]])");
}

TEST(Print, ZeroDim) {
  EXPECT_EQ(scalar_tensor(3.5).str(), "tensor(3.5000)");
  EXPECT_EQ(scalar_tensor(3).str(), "tensor(3)");
  EXPECT_EQ(scalar_tensor(-7).str(), "tensor(-7)");
  EXPECT_EQ(scalar_tensor(true).str(), "tensor(True)");
  EXPECT_EQ(scalar_tensor(1e-5).str(), "tensor(1.0000e-05)");
  EXPECT_EQ(tensor({{1.0, 2.0}}).sum().str(), "tensor(3.)");
}

TEST(Print, MatricesAndHigherDims) {
  EXPECT_EQ(tensor({{1.0, 2.5}, {-3.0, 4.0}}).str(),
            "tensor([[ 1.0000,  2.5000],\n"
            "        [-3.0000,  4.0000]])");
  EXPECT_EQ(tensor({{1.0, 2.0}, {3.0, 4.0}}).t().str(),
            "tensor([[1., 3.],\n"
            "        [2., 4.]])");
  EXPECT_EQ(arange(8.0).view({2, 2, 2}).str(),
            "tensor([[[0., 1.],\n"
            "         [2., 3.]],\n"
            "\n"
            "        [[4., 5.],\n"
            "         [6., 7.]]])");
  EXPECT_EQ(arange(12).view({2, 3, 2}).str(),
            "tensor([[[ 0,  1],\n"
            "         [ 2,  3],\n"
            "         [ 4,  5]],\n"
            "\n"
            "        [[ 6,  7],\n"
            "         [ 8,  9],\n"
            "         [10, 11]]])");
  EXPECT_EQ(ones({2, 1, 3}).str(),
            "tensor([[[1., 1., 1.]],\n"
            "\n"
            "        [[1., 1., 1.]]])");
  EXPECT_EQ(arange(8).view({2, 2, 1, 2}).str(),
            "tensor([[[[0, 1]],\n"
            "\n"
            "         [[2, 3]]],\n"
            "\n"
            "\n"
            "        [[[4, 5]],\n"
            "\n"
            "         [[6, 7]]]])");
}

TEST(Print, EmptyTensors) {
  EXPECT_EQ(zeros({0}).str(), "tensor([])");
  EXPECT_EQ(zeros({0, 3}).str(), "tensor([], size=(0, 3))");
  EXPECT_EQ(zeros({3, 0, 2}).str(), "tensor([], size=(3, 0, 2))");
  // With no values to show, every non-default dtype is named, int64 and bool included.
  EXPECT_EQ(zeros({0}, {.dtype = kInt64}).str(), "tensor([], dtype=int64)");
  EXPECT_EQ(zeros({0}, {.dtype = kBool}).str(), "tensor([], dtype=bool)");
  EXPECT_EQ(zeros({0, 3}, {.dtype = kInt64}).str(), "tensor([], size=(0, 3), dtype=int64)");
  EXPECT_EQ(zeros({2, 0}, {.dtype = kFloat64}).str(), "tensor([], size=(2, 0), dtype=float64)");
}

TEST(Print, DtypeSuffix) {
  EXPECT_EQ(tensor({1.0, 2.0}, {.dtype = kFloat64}).str(), "tensor([1., 2.], dtype=float64)");
  EXPECT_EQ(tensor({{1.5, 2.0}, {3.0, 4.0}}, {.dtype = kFloat64}).str(),
            "tensor([[1.5000, 2.0000],\n"
            "        [3.0000, 4.0000]], dtype=float64)");
  EXPECT_EQ(tensor({1, 2}, {.dtype = kInt32}).str(), "tensor([1, 2], dtype=int32)");
  EXPECT_EQ(tensor({1, 2}, {.dtype = kUInt8}).str(), "tensor([1, 2], dtype=uint8)");
  EXPECT_EQ(tensor({1.5, 2.0}, {.dtype = kFloat16}).str(), "tensor([1.5000, 2.0000], dtype=float16)");
  EXPECT_EQ(tensor({0.1, 0.2}, {.dtype = kBFloat16}).str(), "tensor([0.1001, 0.2002], dtype=bfloat16)");
}

TEST(Print, DtypeSuffixFollowsDefaultDtype) {
  DefaultDtypeGuard guard;
  set_default_dtype(kFloat64);
  EXPECT_EQ(tensor({1.0, 2.0}).str(), "tensor([1., 2.])");
  EXPECT_EQ(tensor({1.0, 2.0}, {.dtype = kFloat32}).str(), "tensor([1., 2.], dtype=float32)");
  EXPECT_EQ(zeros({0}).str(), "tensor([])");
  EXPECT_EQ(zeros({0}, {.dtype = kFloat32}).str(), "tensor([], dtype=float32)");
}

TEST(Print, LongRowsWrapAtEightyColumns) {
  EXPECT_EQ(arange(30).str(),
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
  EXPECT_EQ((arange(20.0) / 3).str(),
            "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
            "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
            "        6.0000, 6.3333])");
}

TEST(Print, SummarizesAboveAThousandElements) {
  EXPECT_EQ(arange(2000).str(), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  EXPECT_EQ(arange(2000.0).str(),
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
            "        1.9990e+03])");
  EXPECT_EQ(arange(1001).view({1, 1001}).str(), "tensor([[   0,    1,    2,  ...,  998,  999, 1000]])");
  EXPECT_EQ(arange(3000).view({1000, 3}).str(),
            "tensor([[   0,    1,    2],\n"
            "        [   3,    4,    5],\n"
            "        [   6,    7,    8],\n"
            "        ...,\n"
            "        [2991, 2992, 2993],\n"
            "        [2994, 2995, 2996],\n"
            "        [2997, 2998, 2999]])");
  EXPECT_EQ(arange(1200).view({20, 60}).str(),
            "tensor([[   0,    1,    2,  ...,   57,   58,   59],\n"
            "        [  60,   61,   62,  ...,  117,  118,  119],\n"
            "        [ 120,  121,  122,  ...,  177,  178,  179],\n"
            "        ...,\n"
            "        [1020, 1021, 1022,  ..., 1077, 1078, 1079],\n"
            "        [1080, 1081, 1082,  ..., 1137, 1138, 1139],\n"
            "        [1140, 1141, 1142,  ..., 1197, 1198, 1199]])");
  // Exactly 1000 elements are printed in full.
  const std::string full = arange(1000).str();
  EXPECT_EQ(full.find("..."), std::string::npos);
  EXPECT_NE(full.find(" 999])"), std::string::npos);
}

TEST(Print, SummarizedThreeDims) {
  const std::string s = arange(2000).view({10, 10, 20}).str();
  const std::string head =
      "tensor([[[   0,    1,    2,  ...,   17,   18,   19],\n"
      "         [  20,   21,   22,  ...,   37,   38,   39],\n"
      "         [  40,   41,   42,  ...,   57,   58,   59],\n"
      "         ...,\n"
      "         [ 140,  141,  142,  ...,  157,  158,  159],\n"
      "         [ 160,  161,  162,  ...,  177,  178,  179],\n"
      "         [ 180,  181,  182,  ...,  197,  198,  199]],\n"
      "\n"
      "        [[ 200,  201,  202,  ...,  217,  218,  219],\n";
  EXPECT_EQ(s.substr(0, head.size()), head);
  const std::string middle =
      "         [ 580,  581,  582,  ...,  597,  598,  599]],\n"
      "\n"
      "        ...,\n"
      "\n"
      "        [[1400, 1401, 1402,  ..., 1417, 1418, 1419],\n";
  EXPECT_NE(s.find(middle), std::string::npos) << s;
  const std::string tail = "         [1980, 1981, 1982,  ..., 1997, 1998, 1999]]])";
  ASSERT_GE(s.size(), tail.size());
  EXPECT_EQ(s.substr(s.size() - tail.size()), tail);
}
