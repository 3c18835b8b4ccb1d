// sort and topk along the last dim of a contiguous (O, I) tensor. NaN sorts
// as the largest value, as in PyTorch.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"

namespace ember::cpu {
namespace {

template <class T>
bool less_nan_last(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

template <class T, class Body>
void per_row(const Tensor& x, int64_t out_cols, const Tensor& values, const Tensor& indices, Body body) {
  const int64_t O = x.size(0), I = x.size(1);
  const T* src = static_cast<const T*>(x.data_ptr());
  T* v = static_cast<T*>(values.data_ptr());
  int64_t* idx = indices.data_ptr<int64_t>();
  parallel_for(O, I * 8, [&](int64_t b, int64_t e) {
    std::vector<int64_t> order(static_cast<size_t>(I));
    for (int64_t r = b; r < e; ++r) {
      const T* row = src + r * I;
      std::iota(order.begin(), order.end(), int64_t{0});
      body(row, order);
      for (int64_t j = 0; j < out_cols; ++j) {
        idx[r * out_cols + j] = order[static_cast<size_t>(j)];
        v[r * out_cols + j] = row[order[static_cast<size_t>(j)]];
      }
    }
  });
}

}  // namespace

void sort(const Tensor& values, const Tensor& indices, const Tensor& x, bool descending, bool stable) {
  dispatch_all(x.dtype(), "sort", [&](auto tag) {
    using T = decltype(tag);
    per_row<T>(x, x.size(1), values, indices, [&](const T* row, std::vector<int64_t>& order) {
      auto cmp = [&](int64_t a, int64_t b) {
        return descending ? less_nan_last(row[b], row[a]) : less_nan_last(row[a], row[b]);
      };
      if (stable) std::stable_sort(order.begin(), order.end(), cmp);
      else std::sort(order.begin(), order.end(), cmp);
    });
  });
}

void topk(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, bool largest, bool /*sorted*/) {
  // Always returns the k elements sorted, which satisfies sorted=false as well.
  dispatch_all(x.dtype(), "topk", [&](auto tag) {
    using T = decltype(tag);
    per_row<T>(x, k, values, indices, [&](const T* row, std::vector<int64_t>& order) {
      auto cmp = [&](int64_t a, int64_t b) {
        if (largest ? less_nan_last(row[b], row[a]) : less_nan_last(row[a], row[b])) return true;
        if (largest ? less_nan_last(row[a], row[b]) : less_nan_last(row[b], row[a])) return false;
        return a < b;  // ties: lower index first
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
    });
  });
}

}  // namespace ember::cpu
