// Matrix products: matmul (all of PyTorch's rank cases and batch broadcasting),
// mm, bmm, dot, outer, and einsum, checked against hand values and a naive
// double-precision reference loop, plus their error messages.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
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

// Small integers (exact in every dtype and in any summation order), varied per element.
Tensor make(const std::vector<int64_t>& shape, Dtype dtype, int64_t salt = 0) {
  std::vector<double> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((static_cast<int64_t>(i) * 5 + salt * 3) % 11 - 5);
  return tensor(v, {.dtype = dtype}).reshape(shape);
}

// out[b] = a[b] @ c[b] from row-major element lists, accumulated in double.
std::vector<double> naive_bmm(const std::vector<double>& a, const std::vector<double>& c, int64_t B, int64_t N,
                              int64_t K, int64_t M) {
  std::vector<double> out(static_cast<size_t>(B * N * M), 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        double s = 0.0;
        for (int64_t k = 0; k < K; ++k) s += a[static_cast<size_t>((b * N + n) * K + k)] * c[static_cast<size_t>((b * K + k) * M + m)];
        out[static_cast<size_t>((b * N + n) * M + m)] = s;
      }
  return out;
}

// The 2-D example used throughout: A (2,3), B (3,2), A @ B = [[58, 64], [139, 154]].
Tensor mat_a() { return tensor({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}); }
Tensor mat_b() { return tensor({{7.0f, 8.0f}, {9.0f, 10.0f}, {11.0f, 12.0f}}); }

}  // namespace

// ---- matmul rank cases ---------------------------------------------------------------

TEST(Matmul, VectorVectorIsZeroDimDot) {
  expect_tensor<float>(matmul(tensor({1.0f, 2.0f, 3.0f}), tensor({4.0f, 5.0f, 6.0f})), {}, {32.0f});
  expect_tensor<int64_t>(matmul(tensor({1, 2, 3}), tensor({4, 5, 6})), {}, {32});
}

TEST(Matmul, MatrixVector) {
  expect_tensor<float>(matmul(mat_a(), tensor({1.0f, 2.0f, 3.0f})), {2}, {14.0f, 32.0f});
}

TEST(Matmul, VectorMatrix) {
  expect_tensor<float>(matmul(tensor({1.0f, 2.0f}), mat_a()), {3}, {9.0f, 12.0f, 15.0f});
}

TEST(Matmul, MatrixMatrix) {
  expect_tensor<float>(matmul(mat_a(), mat_b()), {2, 2}, {58.0f, 64.0f, 139.0f, 154.0f});
  expect_tensor<float>(mat_a().matmul(mat_b()), {2, 2}, {58.0f, 64.0f, 139.0f, 154.0f});
}

TEST(Matmul, Batched3Dx3D) {
  const Tensor a = make({3, 2, 4}, kFloat32), b = make({3, 4, 5}, kFloat32, 1);
  const Tensor r = matmul(a, b);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{3, 2, 5}));
  EXPECT_EQ(r.to_vector<double>(), naive_bmm(a.to_vector<double>(), b.to_vector<double>(), 3, 2, 4, 5));
}

TEST(Matmul, Batched3Dx2DFoldsBatchIntoRows) {
  const Tensor a = make({2, 3, 4}, kFloat64), b = make({4, 5}, kFloat64, 2);
  const Tensor r = matmul(a, b);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_EQ(r.dtype(), kFloat64);
  // Same as one (6,4) @ (4,5) product.
  EXPECT_EQ(r.to_vector<double>(), naive_bmm(a.to_vector<double>(), b.to_vector<double>(), 1, 6, 4, 5));
}

TEST(Matmul, Batched3Dx1D) {
  const Tensor a = make({2, 3, 4}, kInt64);
  const Tensor v = tensor({1, -1, 2, 0});
  const Tensor r = matmul(a, v);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.to_vector<double>(), naive_bmm(a.to_vector<double>(), v.to_vector<double>(), 1, 6, 4, 1));
}

TEST(Matmul, VectorTimesBatch) {
  // (4) @ (2,4,3) -> (2,3): out[b, m] = sum_k v[k] * x[b, k, m].
  const Tensor v = tensor({1.0f, -1.0f, 2.0f, 3.0f});
  const Tensor x = make({2, 4, 3}, kFloat32);
  const Tensor r = matmul(v, x);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3}));
  const std::vector<double> xv = x.to_vector<double>(), vv = v.to_vector<double>();
  std::vector<double> want;
  for (int b = 0; b < 2; ++b)
    for (int m = 0; m < 3; ++m) {
      double s = 0;
      for (int k = 0; k < 4; ++k) s += vv[k] * xv[static_cast<size_t>((b * 4 + k) * 3 + m)];
      want.push_back(s);
    }
  EXPECT_EQ(r.to_vector<double>(), want);
}

TEST(Matmul, MatrixTimesBatchBroadcastsTheMatrix) {
  // (3,4) @ (2,4,5) -> (2,3,5): the matrix multiplies each batch.
  const Tensor a = make({3, 4}, kFloat32), b = make({2, 4, 5}, kFloat32, 1);
  const Tensor r = matmul(a, b);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3, 5}));
  const Tensor a2 = a.unsqueeze(0).expand({2, 3, 4});
  EXPECT_EQ(r.to_vector<double>(), naive_bmm(a2.to_vector<double>(), b.to_vector<double>(), 2, 3, 4, 5));
}

TEST(Matmul, BroadcastsBatchDims) {
  // (2,1,3,4) @ (5,4,2) -> (2,5,3,2): out[i, j] = a[i, 0] @ b[j].
  const Tensor a = make({2, 1, 3, 4}, kFloat32), b = make({5, 4, 2}, kFloat32, 4);
  const Tensor r = matmul(a, b);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 5, 3, 2}));
  const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>();
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 5; ++j)
      for (int n = 0; n < 3; ++n)
        for (int m = 0; m < 2; ++m) {
          double s = 0;
          for (int k = 0; k < 4; ++k) s += av[static_cast<size_t>((i * 3 + n) * 4 + k)] * bv[static_cast<size_t>((j * 4 + k) * 2 + m)];
          want.push_back(s);
        }
  EXPECT_EQ(r.to_vector<double>(), want);
}

// ---- mm, bmm, dot, outer ------------------------------------------------------------

TEST(Matmul, MmBmmDot) {
  expect_tensor<float>(mm(mat_a(), mat_b()), {2, 2}, {58.0f, 64.0f, 139.0f, 154.0f});
  expect_tensor<float>(mat_a().mm(mat_b()), {2, 2}, {58.0f, 64.0f, 139.0f, 154.0f});
  // Batch 0 is A @ B, batch 1 is I @ B.
  const TensorOptions f64{.dtype = kFloat64};
  const Tensor a = stack({tensor({{1, 2, 3}, {4, 5, 6}}, f64), tensor({{1, 0, 0}, {0, 1, 0}}, f64)});
  const Tensor b = stack({tensor({{7, 8}, {9, 10}, {11, 12}}, f64), tensor({{7, 8}, {9, 10}, {11, 12}}, f64)});
  expect_tensor<double>(bmm(a, b), {2, 2, 2}, {58, 64, 139, 154, 7, 8, 9, 10});
  expect_tensor<double>(a.bmm(b), {2, 2, 2}, {58, 64, 139, 154, 7, 8, 9, 10});
  expect_tensor<double>(dot(tensor({1.0, 2.0, 3.0}, f64), tensor({4.0, -5.0, 6.0}, f64)), {}, {12.0});
  expect_tensor<int64_t>(dot(tensor({1, 2, 3}), tensor({4, -5, 6})), {}, {12});
  expect_tensor<float>(dot(empty({0}), empty({0})), {}, {0.0f});
  // Strided vectors: [0, 2, 4] . [1, 4, 7] = 0 + 8 + 28.
  expect_tensor<float>(dot(arange(6, {.dtype = kFloat32}).slice(0, 0, 6, 2), arange(9, {.dtype = kFloat32}).slice(0, 1, 9, 3)),
                       {}, {36.0f});
}

TEST(Matmul, OuterPromotesIntTimesFloat) {
  expect_tensor<float>(outer(tensor({1, 2}), tensor({0.5f, 1.5f, 2.0f})), {2, 3}, {0.5f, 1.5f, 2.0f, 1.0f, 3.0f, 4.0f});
  expect_tensor<int64_t>(tensor({1, 2}).outer(tensor({3, 4})), {2, 2}, {3, 4, 6, 8});
}

// ---- non-contiguous operands, per dtype (float32 -> sgemm, others -> loop) ----------

template <class T>
class MatmulStrided : public ::testing::Test {};
using GemmTypes = ::testing::Types<float, double, int64_t>;
TYPED_TEST_SUITE(MatmulStrided, GemmTypes);

// a @ b for (N,K) and (K,M) views, against the naive product of their logical values.
template <class T>
void check_mm(const Tensor& a, const Tensor& b) {
  const int64_t N = a.size(0), K = a.size(1), M = b.size(1);
  const std::vector<double> want = naive_bmm(a.to_vector<double>(), b.to_vector<double>(), 1, N, K, M);
  for (const Tensor& r : {mm(a, b), matmul(a, b)}) {
    EXPECT_EQ(r.dtype(), dtype_of<T>);
    EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{N, M}));
    EXPECT_EQ(r.to_vector<double>(), want);
  }
}

TYPED_TEST(MatmulStrided, TransposedOperands) {
  const Dtype d = dtype_of<TypeParam>;
  const Tensor at = make({4, 3}, d).t(), bt = make({5, 4}, d, 1).t();
  ASSERT_FALSE(at.is_contiguous());
  check_mm<TypeParam>(at, make({4, 5}, d, 2));  // (3,4) @ (4,5)
  check_mm<TypeParam>(make({3, 4}, d, 3), bt);
  check_mm<TypeParam>(at, bt);
}

TYPED_TEST(MatmulStrided, SlicedWithStepAndOffset) {
  const Dtype d = dtype_of<TypeParam>;
  const Tensor rows = make({6, 4}, d).slice(0, 0, 6, 2);      // (3,4), row stride 8
  const Tensor cols = make({4, 10}, d, 1).slice(1, 1, 10, 2);  // (4,5), column stride 2
  ASSERT_EQ(cols.stride(1), 2);
  check_mm<TypeParam>(rows, cols);
  const Tensor offset = make({2, 3, 4}, d, 2)[1];  // storage offset 12
  ASSERT_EQ(offset.storage_offset(), 12);
  check_mm<TypeParam>(offset, cols);
  check_mm<TypeParam>(cols.t(), rows.t());
}

TYPED_TEST(MatmulStrided, ExpandedAndPermutedBatch) {
  const Dtype d = dtype_of<TypeParam>;
  const Tensor a = make({1, 3, 4}, d).expand({2, 3, 4});      // batch stride 0
  const Tensor bb = make({4, 2, 5}, d, 2).transpose(0, 1);    // (2,4,5), non-contiguous batch
  const Tensor be = make({4, 5}, d, 3).expand({2, 4, 5});
  for (const Tensor& rhs : {bb, be}) {
    const std::vector<double> want = naive_bmm(a.to_vector<double>(), rhs.to_vector<double>(), 2, 3, 4, 5);
    for (const Tensor& r : {bmm(a, rhs), matmul(a, rhs)}) {
      EXPECT_EQ(r.dtype(), dtype_of<TypeParam>);
      EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3, 5}));
      EXPECT_EQ(r.to_vector<double>(), want);
    }
  }
  // Transposed matrices inside a batch.
  const Tensor at = make({2, 4, 3}, d, 4).transpose(1, 2);
  EXPECT_EQ(bmm(at, bb).to_vector<double>(), naive_bmm(at.to_vector<double>(), bb.to_vector<double>(), 2, 3, 4, 5));
}

TYPED_TEST(MatmulStrided, EmptyInnerDimGivesZeros) {
  const Dtype d = dtype_of<TypeParam>;
  const std::vector<TypeParam> zeros6(6, TypeParam(0));
  expect_tensor<TypeParam>(mm(empty({2, 0}, {.dtype = d}), empty({0, 3}, {.dtype = d})), {2, 3}, zeros6);
  expect_tensor<TypeParam>(bmm(empty({2, 3, 0}, {.dtype = d}), empty({2, 0, 1}, {.dtype = d})), {2, 3, 1}, zeros6);
  expect_tensor<TypeParam>(matmul(empty({2, 3, 0}, {.dtype = d}), empty({0, 1}, {.dtype = d})), {2, 3, 1}, zeros6);
  expect_tensor<TypeParam>(matmul(empty({0}, {.dtype = d}), empty({0}, {.dtype = d})), {}, {TypeParam(0)});
}

TYPED_TEST(MatmulStrided, ZeroSizedRowsOrColumns) {
  const Dtype d = dtype_of<TypeParam>;
  expect_tensor<TypeParam>(mm(empty({0, 3}, {.dtype = d}), make({3, 4}, d)), {0, 4}, {});
  expect_tensor<TypeParam>(mm(make({2, 3}, d), empty({3, 0}, {.dtype = d})), {2, 0}, {});
  expect_tensor<TypeParam>(bmm(empty({2, 0, 3}, {.dtype = d}), make({2, 3, 4}, d)), {2, 0, 4}, {});
  expect_tensor<TypeParam>(matmul(empty({0, 2, 3}, {.dtype = d}), empty({0, 3, 4}, {.dtype = d})), {0, 2, 4}, {});
  expect_tensor<TypeParam>(matmul(empty({2, 0, 3}, {.dtype = d}), make({3, 4}, d)), {2, 0, 4}, {});
}

// ---- float32 at scale (oneDNN, multithreaded) -----------------------------------------

void expect_close_to_reference(const Tensor& r, const std::vector<double>& want) {
  const std::vector<double> got = r.to_vector<double>();
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (std::abs(got[i] - want[i]) > 1e-4 * std::max(1.0, std::abs(want[i]))) ++bad;
  EXPECT_EQ(bad, 0u) << "elements off by more than 1e-4 relative";
}

TEST(Matmul, LargeFloat32MatchesDoubleReference) {
  Generator gen(7);
  const Tensor a = randn({300, 500}, {}, &gen), b = randn({500, 200}, {}, &gen);
  const Tensor r = matmul(a, b);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{300, 200}));
  const std::vector<double> want = naive_bmm(a.to_vector<double>(), b.to_vector<double>(), 1, 300, 500, 200);
  expect_close_to_reference(r, want);
  // Transposed operands reach sgemm as 'T' without a copy.
  const Tensor at = a.t().contiguous().t(), bt = b.t().contiguous().t();
  ASSERT_FALSE(at.is_contiguous());
  expect_close_to_reference(matmul(at, bt), want);
}

TEST(Matmul, ManySmallFloat32ProductsMatchReference) {
  // Batch of products small enough to run one per thread.
  Generator gen(11);
  const Tensor a = randn({8, 40, 30}, {}, &gen), b = randn({8, 50, 30}, {}, &gen).transpose(1, 2);
  expect_close_to_reference(bmm(a, b), naive_bmm(a.to_vector<double>(), b.to_vector<double>(), 8, 40, 30, 50));
}

// ---- errors ------------------------------------------------------------------------------

TEST(Matmul, Errors) {
  expect_error([] { matmul(zeros({2, 3}), zeros({4, 5})); }, {"matmul", "[2, 3]", "[4, 5]"});
  expect_error([] { matmul(zeros({2, 2, 3}), zeros({2})); }, {"matmul", "[2, 2, 3]", "[2]"});
  expect_error([] { mm(zeros({2, 3}), zeros({4, 5})); }, {"mm", "[2, 3]", "[4, 5]"});
  expect_error([] { matmul(zeros({2, 3}), zeros({3, 2}, {.dtype = kFloat64})); }, {"matmul", "float32", "float64"});
  expect_error([] { mm(zeros({2, 3}, {.dtype = kInt64}), zeros({3, 2})); }, {"mm", "int64", "float32"});
  expect_error([] { mm(zeros({1, 2, 3}), zeros({3, 2})); }, {"mm", "2-D", "[1, 2, 3]"});
  expect_error([] { bmm(zeros({2, 3, 4}), zeros({3, 4, 5})); }, {"bmm", "batch", "[2, 3, 4]", "[3, 4, 5]"});
  expect_error([] { bmm(zeros({3, 4}), zeros({4, 5})); }, {"bmm", "3-D"});
  expect_error([] { matmul(zeros({2, 3, 4}), zeros({3, 4, 5})); }, {"matmul"});  // batch dims 2 vs 3
  expect_error([] { matmul(scalar_tensor(1.0), zeros({2})); }, {"matmul", "at least 1 dim"});
  expect_error([] { dot(zeros({2}), zeros({3})); }, {"dot", "[2]", "[3]"});
  expect_error([] { outer(zeros({2, 2}), zeros({2})); }, {"outer", "[2, 2]"});
  expect_error([] { matmul(ones({2, 2}, {.dtype = kBool}), ones({2, 2}, {.dtype = kBool})); }, {"matmul", "bool"});
}

// ---- einsum --------------------------------------------------------------------------------

TEST(Einsum, MatrixProductExplicitAndImplicit) {
  expect_tensor<float>(einsum("ij,jk->ik", {mat_a(), mat_b()}), {2, 2}, {58.0f, 64.0f, 139.0f, 154.0f});
  expect_tensor<float>(einsum("ij,jk", {mat_a(), mat_b()}), {2, 2}, {58.0f, 64.0f, 139.0f, 154.0f});
  expect_tensor<float>(einsum("ij, jk -> ki", {mat_a(), mat_b()}), {2, 2}, {58.0f, 139.0f, 64.0f, 154.0f});
}

TEST(Einsum, BatchedMatrixProduct) {
  const Tensor a = make({3, 2, 4}, kFloat64), b = make({3, 4, 5}, kFloat64, 1);
  const Tensor r = einsum("bij,bjk->bik", {a, b});
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{3, 2, 5}));
  EXPECT_EQ(r.to_vector<double>(), naive_bmm(a.to_vector<double>(), b.to_vector<double>(), 3, 2, 4, 5));
}

TEST(Einsum, SingleOperandTransposeDiagonalTraceSum) {
  const Tensor a = mat_a();
  const Tensor t = einsum("ij->ji", {a});
  expect_tensor<float>(t, {3, 2}, {1, 4, 2, 5, 3, 6});
  EXPECT_TRUE(t.is_contiguous());
  // Implicit output lists letters alphabetically, so "ji" transposes.
  expect_tensor<float>(einsum("ji", {a}), {3, 2}, {1, 4, 2, 5, 3, 6});
  expect_tensor<float>(einsum("ij->", {a}), {}, {21.0f});
  const Tensor sq = arange(9, {.dtype = kFloat32}).view({3, 3});
  expect_tensor<float>(einsum("ii->i", {sq}), {3}, {0, 4, 8});
  expect_tensor<float>(einsum("ii->", {sq}), {}, {12.0f});
  // A view with a storage offset: the diagonal starts at that offset.
  const Tensor second = arange(18, {.dtype = kFloat32}).view({2, 3, 3})[1];
  expect_tensor<float>(einsum("ii->i", {second}), {3}, {9, 13, 17});
  expect_tensor<int64_t>(einsum("ii", {arange(4).view({2, 2})}), {}, {3});
}

TEST(Einsum, DotOuterAndOneSidedSums) {
  const Tensor u = tensor({1.0f, 2.0f, 3.0f}), v = tensor({4.0f, 5.0f, 6.0f});
  expect_tensor<float>(einsum("i,i->", {u, v}), {}, {32.0f});
  expect_tensor<float>(einsum("i,j->ij", {u, tensor({1.0f, -1.0f})}), {3, 2}, {1, -1, 2, -2, 3, -3});
  // j is summed out of the first operand only, k out of the second: (row sums) * sum(b).
  expect_tensor<float>(einsum("ij,k->i", {mat_a(), tensor({1.0f, 2.0f})}), {2}, {18.0f, 45.0f});
}

TEST(Einsum, AttentionScores) {
  const Tensor q = make({2, 2, 3, 4}, kFloat32), k = make({2, 2, 5, 4}, kFloat32, 1);
  const Tensor r = einsum("bhqd,bhkd->bhqk", {q, k});
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 2, 3, 5}));
  const std::vector<double> qv = q.to_vector<double>(), kv = k.to_vector<double>();
  std::vector<double> want;
  for (int bh = 0; bh < 4; ++bh)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        double s = 0;
        for (int d = 0; d < 4; ++d) s += qv[static_cast<size_t>((bh * 3 + i) * 4 + d)] * kv[static_cast<size_t>((bh * 5 + j) * 4 + d)];
        want.push_back(s);
      }
  EXPECT_EQ(r.to_vector<double>(), want);
}

// As PyTorch: an ellipsis broadcasts (right-aligned), size-1 dims broadcast, several operands
// contract left to right; checked against explicit matmuls and sums (values against PyTorch:
// parity_test).
TEST(Einsum, EllipsisBroadcastAndSeveralOperands) {
  const Tensor a = make({2, 1, 3, 4}, kFloat64), b = make({5, 4, 2}, kFloat64, 1);
  const Tensor r = einsum("...ij,...jk", {a, b});
  EXPECT_EQ(r.sizes(), (Shape{2, 5, 3, 2}));
  EXPECT_TRUE(allclose(r, matmul(a, b)));
  const Tensor x = make({2, 3, 4}, kFloat64), w = make({2}, kFloat64, 2);
  EXPECT_TRUE(allclose(einsum("b...,b->...", {x, w}), (x * w.view({2, 1, 1})).sum({0})));
  EXPECT_TRUE(allclose(einsum("i...->...i", {x}), x.permute({1, 2, 0})));
  EXPECT_TRUE(allclose(einsum("...", {x.transpose(0, 2)}), x.transpose(0, 2)));  // strided
  EXPECT_TRUE(allclose(einsum("...ij->ij", {x}), x.sum({0})));  // ellipsis dims not in the output are summed
  EXPECT_TRUE(allclose(einsum("i,i->i", {make({3}, kFloat64), ones({1}, {.dtype = kFloat64})}), make({3}, kFloat64)));
  const Tensor p = make({2, 3}, kFloat64), q = make({3, 4}, kFloat64, 1), t = make({4, 5}, kFloat64, 2);
  EXPECT_TRUE(allclose(einsum("ij,jk,kl->il", {p, q, t}), p.matmul(q).matmul(t)));
  EXPECT_TRUE(allclose(einsum("ij,jk,kl", {p, q, t}), p.matmul(q).matmul(t)));  // implicit output: il
  EXPECT_TRUE(allclose(einsum("i,i,i->", {p[0], p[1], p[0]}), (p[0] * p[1] * p[0]).sum()));
}

TEST(Einsum, Errors) {
  expect_error([] { einsum("ij,jk->ik", {zeros({2, 3})}); }, {"einsum", "2 operands", "1 were given"});
  expect_error([] { einsum("i,i,i->", {zeros({2}), zeros({2})}); }, {"einsum", "3 operands", "2 were given"});
  expect_error([] { einsum("ijk->i", {zeros({2, 3})}); }, {"einsum", "'ijk'", "[2, 3]"});
  expect_error([] { einsum("ij,jk->ik", {zeros({2, 3}), zeros({4, 2})}); }, {"einsum", "'j'", "3", "4"});
  expect_error([] { einsum("ii->i", {zeros({2, 3})}); }, {"einsum", "'i'"});
  expect_error([] { einsum("...ij->...ji", {zeros({3})}); }, {"einsum", "2 dims", "[3]"});
  expect_error([] { einsum("i.j", {zeros({2, 3})}); }, {"einsum", "one ellipsis"});
  expect_error([] { einsum("......", {zeros({2, 3})}); }, {"einsum", "one ellipsis"});
  expect_error([] { einsum("...i,...i", {zeros({2, 3}), zeros({4, 3})}); }, {"einsum", "'...'", "2", "4", "broadcast"});
  expect_error([] { einsum("i1", {zeros({2, 3})}); }, {"einsum", "invalid subscript '1'"});
  expect_error([] { einsum("ij->k", {zeros({2, 3})}); }, {"einsum", "'k'"});
}
