// Batched matrix product. float32 goes to oneDNN's sgemm (a tuned,
// multithreaded GEMM); float64 and integer products, which are off the hot
// path and unsupported by oneDNN on CPU, use a simple cache-friendly loop.
#include <oneapi/dnnl/dnnl.h>

#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/temporary.h"

namespace ember::cpu {
namespace {

// How to hand a (rows, cols) matrix view to a row-major BLAS call.
struct GemmOperand {
  char trans;    // 'N' or 'T'
  int64_t ld;    // leading dimension
  bool usable;   // false: needs a contiguous copy first
};

GemmOperand gemm_operand(int64_t row_stride, int64_t col_stride, int64_t rows, int64_t cols) {
  if (col_stride == 1 && row_stride >= std::max<int64_t>(cols, 1)) return {'N', row_stride, true};
  if (row_stride == 1 && col_stride >= std::max<int64_t>(rows, 1)) return {'T', col_stride, true};
  if (rows <= 1 && col_stride == 1) return {'N', std::max<int64_t>(cols, 1), true};
  if (cols <= 1 && row_stride == 1) return {'T', std::max<int64_t>(rows, 1), true};
  return {'N', 0, false};
}

void sgemm_batched(const Tensor& out, const Tensor& a_in, const Tensor& b_in) {
  const int64_t B = out.size(0), N = out.size(1), M = out.size(2), K = a_in.size(2);
  Tensor a = a_in, b = b_in;
  GemmOperand ga = gemm_operand(a.stride(1), a.stride(2), N, K);
  if (!ga.usable) a = contiguous_temporary(a), ga = gemm_operand(a.stride(1), a.stride(2), N, K);
  GemmOperand gb = gemm_operand(b.stride(1), b.stride(2), K, M);
  if (!gb.usable) b = contiguous_temporary(b), gb = gemm_operand(b.stride(1), b.stride(2), K, M);
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = out.data_ptr<float>();
  auto one = [&](int64_t i) {
    const dnnl_status_t status = dnnl_sgemm(ga.trans, gb.trans, N, M, K, 1.0f, pa + i * a.stride(0), ga.ld,
                                            pb + i * b.stride(0), gb.ld, 0.0f, pc + i * N * M, std::max<int64_t>(M, 1));
    EMBER_CHECK(status == dnnl_success, "matmul: oneDNN sgemm failed with status ", static_cast<int>(status));
  };
  // Many small products: one per thread (sgemm then runs single-threaded inside).
  // Few large ones: let sgemm parallelize each.
  if (B > 1 && N * M * K < (1 << 18)) {
    std::vector<int> failed(static_cast<size_t>(B), 0);
    parallel_for(B, N * M * K, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i)
        failed[static_cast<size_t>(i)] =
            dnnl_sgemm(ga.trans, gb.trans, N, M, K, 1.0f, pa + i * a.stride(0), ga.ld, pb + i * b.stride(0), gb.ld,
                       0.0f, pc + i * N * M, std::max<int64_t>(M, 1)) != dnnl_success;
    });
    for (int f : failed) EMBER_CHECK(!f, "matmul: oneDNN sgemm failed");
    return;
  }
  for (int64_t i = 0; i < B; ++i) one(i);
}

template <class T>
void gemm_loop(const Tensor& out, const Tensor& a, const Tensor& b_in) {
  const int64_t B = out.size(0), N = out.size(1), M = out.size(2), K = a.size(2);
  const Tensor b = contiguous_temporary(b_in);  // rows of b are read sequentially
  const T* pa = static_cast<const T*>(a.data_ptr());
  const T* pb = static_cast<const T*>(b.data_ptr());
  T* pc = static_cast<T*>(out.data_ptr());
  const int64_t sa0 = a.stride(0), sa1 = a.stride(1), sa2 = a.stride(2), sb0 = b.stride(0);
  parallel_for(B * N, M * K, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      const int64_t i = r / N, n = r % N;
      T* c = pc + r * M;
      std::fill_n(c, M, T(0));
      for (int64_t k = 0; k < K; ++k) {
        const T av = pa[i * sa0 + n * sa1 + k * sa2];
        const T* brow = pb + i * sb0 + k * M;
        for (int64_t m = 0; m < M; ++m) c[m] = static_cast<T>(c[m] + av * brow[m]);
      }
    }
  });
}

}  // namespace

void bmm(const Tensor& out, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  if (a.size(2) == 0) {
    fill(out, 0);
    return;
  }
  if (out.dtype() == Dtype::float32) return sgemm_batched(out, a, b);
  dispatch_all(out.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) detail::fail("matmul: bool tensors are not supported");
    else gemm_loop<T>(out, a, b);
  });
}

}  // namespace ember::cpu
