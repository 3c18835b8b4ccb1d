// Reduction kernels over the inner dim of an (O, I) view, or the middle dim of
// a contiguous (A, R, B) one: sum/prod/amax/amin/
// all/any, argmax/argmin with values, and cumsum. Float sums add in float
// lanes within blocks and in double across blocks (fast and accurate).
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"

namespace ember::cpu {
namespace {

template <class T>
struct SumOp {
  static T init() { return T(0); }
  static T combine(T a, T b) { return static_cast<T>(a + b); }
};
template <class T>
struct ProdOp {
  static T init() { return T(1); }
  static T combine(T a, T b) { return static_cast<T>(a * b); }
};
template <class T>
struct MaxOp {
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  static T combine(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) if (std::isnan(b)) return b;
    return b > a ? b : a;
  }
};
template <class T>
struct MinOp {
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static T combine(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) if (std::isnan(b)) return b;
    return b < a ? b : a;
  }
};
template <class T>
struct AllOp {
  static T init() { return T(1); }
  static T combine(T a, T b) { return static_cast<T>(a && b); }
};
template <class T>
struct AnyOp {
  static T init() { return T(0); }
  static T combine(T a, T b) { return static_cast<T>(a || b); }
};

// Sum of a contiguous run; floats use 32 lanes per block, blocks added in double.
template <class T>
T sum_contiguous(const T* x, int64_t n) {
  if constexpr (std::is_floating_point_v<T>) {
    constexpr int64_t kLanes = 32, kBlock = 4096;
    double total = 0.0;
    for (int64_t start = 0; start < n; start += kBlock) {
      const int64_t end = std::min(n, start + kBlock);
      T lanes[kLanes] = {};
      int64_t i = start;
      for (; i + kLanes <= end; i += kLanes)
        for (int64_t j = 0; j < kLanes; ++j) lanes[j] += x[i + j];
      T block = 0;
      for (; i < end; ++i) block += x[i];
      for (int64_t j = 0; j < kLanes; ++j) block += lanes[j];
      total += static_cast<double>(block);
    }
    return static_cast<T>(total);
  } else {
    T total = 0;
    for (int64_t i = 0; i < n; ++i) total = static_cast<T>(total + x[i]);
    return total;
  }
}

template <class T, class Op>
T reduce_strided(const char* x, int64_t stride, int64_t n) {
  if constexpr (std::is_same_v<Op, SumOp<T>>)
    if (stride == sizeof(T)) return sum_contiguous(reinterpret_cast<const T*>(x), n);
  T acc = Op::init();
  for (int64_t i = 0; i < n; ++i) acc = Op::combine(acc, *reinterpret_cast<const T*>(x + i * stride));
  return acc;
}

template <class T, class Op>
void reduce_typed(const Tensor& out, const Tensor& x) {
  const int64_t O = x.size(0), I = x.size(1);
  const int64_t es = sizeof(T);
  const int64_t so = x.stride(0) * es, si = x.stride(1) * es;
  const char* base = static_cast<const char*>(x.data_ptr());
  T* o = static_cast<T*>(out.data_ptr());
  if (I == 0) {
    std::fill_n(o, O, Op::init());
    return;
  }
  if (O == 1) {  // one long reduction: split it across threads, combine partials in order
    const int nthreads = threads_for(I);
    std::vector<T> partial(static_cast<size_t>(nthreads), Op::init());
    parallel_for(I, 1, [&](int64_t b, int64_t e) {
      partial[static_cast<size_t>(omp_get_thread_num())] = reduce_strided<T, Op>(base + b * si, si, e - b);
    });
    T acc = Op::init();
    for (T p : partial) acc = Op::combine(acc, p);
    o[0] = acc;
    return;
  }
  if (so == es && si != es) {  // reducing across rows (e.g. dim 0 of (N, C)): sweep rows, vector over O
    parallel_for(O, I, [&](int64_t b, int64_t e) {
      for (int64_t j = b; j < e; ++j) o[j] = Op::init();
      for (int64_t i = 0; i < I; ++i) {
        const T* row = reinterpret_cast<const T*>(base + i * si);
        for (int64_t j = b; j < e; ++j) o[j] = Op::combine(o[j], row[j]);
      }
    });
    return;
  }
  parallel_for(O, I, [&](int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) o[j] = reduce_strided<T, Op>(base + j * so, si, I);
  });
}

// Runs fn(a, j0, j1) over the (A, B) outputs of a middle reduction, split
// across threads in runs that stay inside one row a.
template <class F>
void for_middle_outputs(int64_t A, int64_t R, int64_t B, F&& fn) {
  parallel_for(A * B, R, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t a = i / B, j0 = i % B, j1 = std::min(B, j0 + (end - i));
      fn(a, j0, j1);
      i += j1 - j0;
    }
  });
}

// x contiguous (A, R, B), reduced over R into out (A * B): R slabs of B
// contiguous values combined element by element (vectorized over B).
template <class T, class Op>
void reduce_middle(const Tensor& out, const Tensor& x) {
  const int64_t A = x.size(0), R = x.size(1), B = x.size(2);
  const T* base = static_cast<const T*>(x.data_ptr());
  T* o = static_cast<T*>(out.data_ptr());
  for_middle_outputs(A, R, B, [&](int64_t a, int64_t j0, int64_t j1) {
    T* dst = o + a * B;
    for (int64_t j = j0; j < j1; ++j) dst[j] = Op::init();
    for (int64_t r = 0; r < R; ++r) {
      const T* row = base + (a * R + r) * B;
      for (int64_t j = j0; j < j1; ++j) dst[j] = Op::combine(dst[j], row[j]);
    }
  });
}

template <class T, class Op>
void reduce_any_layout(const Tensor& out, const Tensor& x) {
  if (x.dim() == 3) return reduce_middle<T, Op>(out, x);
  reduce_typed<T, Op>(out, x);
}

// arg_reduce of a contiguous (A, R, B) over R; the first extreme (and the
// first NaN) wins, as in the (O, I) kernel.
template <class T>
void arg_reduce_middle(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x) {
  const int64_t A = x.size(0), R = x.size(1), B = x.size(2);
  const T* base = static_cast<const T*>(x.data_ptr());
  T* v = static_cast<T*>(values.data_ptr());
  int64_t* idx = static_cast<int64_t*>(indices.data_ptr());
  for_middle_outputs(A, R, B, [&](int64_t a, int64_t j0, int64_t j1) {
    T* best = v + a * B;
    int64_t* best_i = idx + a * B;
    const T* first = base + a * R * B;
    for (int64_t j = j0; j < j1; ++j) best[j] = first[j], best_i[j] = 0;
    for (int64_t r = 1; r < R; ++r) {
      const T* row = first + r * B;
      for (int64_t j = j0; j < j1; ++j) {
        const T cur = row[j];
        bool better = is_max ? cur > best[j] : cur < best[j];
        if constexpr (std::is_floating_point_v<T>) better = !std::isnan(best[j]) && (better || std::isnan(cur));
        if (better) best[j] = cur, best_i[j] = r;
      }
    }
  });
}

}  // namespace

void reduce(ReduceOp op, const Tensor& out, const Tensor& x) {
  dispatch_all(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::sum: return reduce_any_layout<T, SumOp<T>>(out, x);
      case ReduceOp::prod: return reduce_any_layout<T, ProdOp<T>>(out, x);
      case ReduceOp::amax: return reduce_any_layout<T, MaxOp<T>>(out, x);
      case ReduceOp::amin: return reduce_any_layout<T, MinOp<T>>(out, x);
      case ReduceOp::all: return reduce_any_layout<T, AllOp<T>>(out, x);
      case ReduceOp::any: return reduce_any_layout<T, AnyOp<T>>(out, x);
    }
  });
}

void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x) {
  dispatch_all(x.dtype(), "argmax", [&](auto tag) {
    using T = decltype(tag);
    if (x.dim() == 3) return arg_reduce_middle<T>(is_max, values, indices, x);
    const int64_t O = x.size(0), I = x.size(1);
    const int64_t so = x.stride(0), si = x.stride(1);
    const T* base = static_cast<const T*>(x.data_ptr());
    T* v = static_cast<T*>(values.data_ptr());
    int64_t* idx = static_cast<int64_t*>(indices.data_ptr());
    parallel_for(O, I, [&](int64_t b, int64_t e) {
      for (int64_t j = b; j < e; ++j) {
        const T* row = base + j * so;
        T best = row[0];
        int64_t best_i = 0;
        for (int64_t i = 1; i < I; ++i) {
          const T cur = row[i * si];
          bool better = is_max ? cur > best : cur < best;
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(best)) break;  // the first NaN wins
            better = better || std::isnan(cur);
          }
          if (better) best = cur, best_i = i;
        }
        v[j] = best;
        idx[j] = best_i;
      }
    });
  });
}

// The running value's type, as PyTorch's CPU kernels keep it: double for the
// 32- and 64-bit floats (a float32 running sum over 10^6 values drifts by
// more than 10), float for the 16-bit ones, the type itself for integers.
template <class T>
using ScanAccumulator =
    std::conditional_t<std::is_floating_point_v<T>, double, std::conditional_t<std::is_integral_v<T>, T, float>>;

// log(e^x + e^y) without overflow; infinities of one sign stay as they are (log(e^-inf + e^-inf) = -inf).
template <class T>
T log_add_exp(T x, T y) {
  const T low = std::isnan(y) ? y : std::min(x, y), high = std::isnan(y) ? y : std::max(x, y);
  if (low != high || std::isfinite(low)) return std::log1p(std::exp(low - high)) + high;
  return x;
}

template <class T, class Step>
void scan_lines(const Tensor& out, const Tensor& x, int64_t dim, ScanAccumulator<T> start, Step step) {
  using Acc = ScanAccumulator<T>;
  // x and out contiguous, same dtype: viewed as (outer, n, inner).
  const int64_t n = x.size(dim);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= x.size(d);
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  const T* in = static_cast<const T*>(x.data_ptr());
  T* o = static_cast<T*>(out.data_ptr());
  parallel_for(outer, n * inner, [&](int64_t b, int64_t e) {
    std::vector<Acc> running(static_cast<size_t>(inner));
    for (int64_t p = b; p < e; ++p) {
      const T* src = in + p * n * inner;
      T* dst = o + p * n * inner;
      std::fill(running.begin(), running.end(), start);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < inner; ++k) {
          running[k] = step(running[k], static_cast<Acc>(src[i * inner + k]));
          dst[i * inner + k] = static_cast<T>(running[k]);
        }
    }
  });
}

void scan(ScanOp op, const Tensor& out, const Tensor& x, int64_t dim) {
  dispatch_all(x.dtype(), "scan", [&](auto tag) {
    using T = decltype(tag);
    using Acc = ScanAccumulator<T>;
    switch (op) {
      case ScanOp::sum:
        scan_lines<T>(out, x, dim, Acc{0}, [](Acc a, Acc v) { return static_cast<Acc>(a + v); });
        break;
      case ScanOp::prod:
        scan_lines<T>(out, x, dim, Acc{1}, [](Acc a, Acc v) { return static_cast<Acc>(a * v); });
        break;
      case ScanOp::logsumexp:
        if constexpr (std::is_floating_point_v<Acc>) {
          scan_lines<T>(out, x, dim, -std::numeric_limits<Acc>::infinity(),
                        [](Acc a, Acc v) { return log_add_exp(v, a); });
        }
        break;
    }
  });
}

}  // namespace ember::cpu
