// Per-channel kernels behind batch normalization: statistics over (N, S) for
// each channel of a contiguous (N, C, S) tensor, and the per-channel affine
// map that applies them. A channel's N*S values (128 KB for a 64-channel
// 32x32 layer at batch 32) stay in cache between the passes over them, and the
// sums accumulate in double.
#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"

namespace ember::cpu {
namespace {

struct ChannelLayout {
  int64_t n, c, s;
};

ChannelLayout layout_of(const Tensor& x, const Tensor& per_channel) {
  const int64_t c = per_channel.numel();
  const int64_t n = x.dim() > 0 ? x.size(0) : 1;
  return {n, c, n * c > 0 ? x.numel() / (n * c) : 0};
}

template <class T>
double sum_of(const T* v, int64_t count) {
  double acc = 0;
#pragma omp simd reduction(+ : acc)
  for (int64_t i = 0; i < count; ++i) acc += static_cast<double>(v[i]);
  return acc;
}

}  // namespace

void channel_moments(const Tensor& mean, const Tensor& var, const Tensor& x) {
  dispatch_float(x.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const ChannelLayout L = layout_of(x, mean);
    const T* px = x.data_ptr<T>();
    T* pm = mean.data_ptr<T>();
    T* pv = var.data_ptr<T>();
    const double count = static_cast<double>(L.n * L.s);
    parallel_for(L.c, 2 * L.n * L.s, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        double total = 0;
        for (int64_t i = 0; i < L.n; ++i) total += sum_of(px + (i * L.c + c) * L.s, L.s);
        const double m = total / count;
        double squares = 0;  // a second pass around the mean: no cancellation
        for (int64_t i = 0; i < L.n; ++i) {
          const T* row = px + (i * L.c + c) * L.s;
#pragma omp simd reduction(+ : squares)
          for (int64_t k = 0; k < L.s; ++k) {
            const double d = static_cast<double>(row[k]) - m;
            squares += d * d;
          }
        }
        pm[c] = static_cast<T>(m);
        pv[c] = static_cast<T>(squares / count);
      }
    });
  });
}

void channel_sums(const Tensor& sum_a, const Tensor& sum_ab, const Tensor& a, const Tensor& b,
                  const Tensor& b_shift) {
  dispatch_float(a.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const ChannelLayout L = layout_of(a, sum_a);
    const T *pa = a.data_ptr<T>(), *pb = b.data_ptr<T>(), *shift = b_shift.data_ptr<T>();
    T *out_a = sum_a.data_ptr<T>(), *out_ab = sum_ab.data_ptr<T>();
    parallel_for(L.c, 2 * L.n * L.s, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        const double m = static_cast<double>(shift[c]);
        double total = 0, product = 0;
        for (int64_t i = 0; i < L.n; ++i) {
          const T *ra = pa + (i * L.c + c) * L.s, *rb = pb + (i * L.c + c) * L.s;
#pragma omp simd reduction(+ : total, product)
          for (int64_t k = 0; k < L.s; ++k) {
            total += static_cast<double>(ra[k]);
            product += static_cast<double>(ra[k]) * (static_cast<double>(rb[k]) - m);
          }
        }
        out_a[c] = static_cast<T>(total);
        out_ab[c] = static_cast<T>(product);
      }
    });
  });
}

void channel_affine(const Tensor& out, const Tensor& a, const Tensor& alpha, const Tensor& b, const Tensor& beta,
                    const Tensor& gamma) {
  dispatch_float(a.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const ChannelLayout L = layout_of(a, alpha);
    const T *pa = a.data_ptr<T>(), *pal = alpha.data_ptr<T>(), *pg = gamma.data_ptr<T>();
    const T *pb = b.defined() ? b.data_ptr<T>() : nullptr, *pbe = beta.defined() ? beta.data_ptr<T>() : nullptr;
    T* po = out.data_ptr<T>();
    // One task per (n, c) plane.
    parallel_for(L.n * L.c, L.s, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % L.c;
        const T al = pal[c], g = pg[c];
        const T* ra = pa + p * L.s;
        T* ro = po + p * L.s;
        if (pb) {
          const T* rb = pb + p * L.s;
          const T be = pbe[c];
#pragma omp simd
          for (int64_t k = 0; k < L.s; ++k) ro[k] = ra[k] * al + rb[k] * be + g;
        } else {
#pragma omp simd
          for (int64_t k = 0; k < L.s; ++k) ro[k] = ra[k] * al + g;
        }
      }
    });
  });
}

}  // namespace ember::cpu
