// Random fills from a Generator's counter-based stream: element i of a draw
// uses counter (first + i), so results are identical for any thread count.
#include <cmath>
#include <numbers>
#include <numeric>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/vector_math.h"

namespace ember::cpu {
namespace {

inline double uniform53(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }
inline float uniform24(uint64_t bits) { return static_cast<float>(bits >> 40) * 0x1.0p-24f; }

// Normal draws by Box-Muller, z = sqrt(-2 log(1 - u1)) cos(2 pi u2), from
// counters (c, c + 1); the logarithms and cosines of a block go through the
// vectorized math (they are most of the cost).
template <class T>
void normal_fill(T* o, int64_t n, double mean, double std, uint64_t seed, uint64_t first) {
  parallel_for(n, 16, [&](int64_t begin, int64_t end) {
    constexpr int64_t kBlock = 256;
    double radius[kBlock], angle[kBlock];
    for (int64_t start = begin; start < end; start += kBlock) {
      const int64_t m = std::min(kBlock, end - start);
      for (int64_t j = 0; j < m; ++j) {
        const uint64_t c = first + static_cast<uint64_t>(start + j) * 2;
        radius[j] = -uniform53(Generator::bits(seed, c));
        angle[j] = 2.0 * std::numbers::pi * uniform53(Generator::bits(seed, c + 1));
      }
      if (!vector_unary(UnaryOp::log1p, radius, radius, m))
        for (int64_t j = 0; j < m; ++j) radius[j] = std::log1p(radius[j]);
      if (!vector_unary(UnaryOp::cos, angle, angle, m))
        for (int64_t j = 0; j < m; ++j) angle[j] = std::cos(angle[j]);
      for (int64_t j = 0; j < m; ++j) o[start + j] = convert<T>(mean + std * (std::sqrt(-2.0 * radius[j]) * angle[j]));
    }
  });
}

}  // namespace

void random(RandomKind kind, const Tensor& out, double a, double b, Generator& generator) {
  const int64_t n = out.numel();
  const uint64_t per = kind == RandomKind::normal ? 2 : 1;
  const uint64_t seed = generator.initial_seed();
  const uint64_t first = generator.reserve(static_cast<uint64_t>(n) * per);
  dispatch_all(out.dtype(), "random", [&](auto tag) {
    using T = decltype(tag);
    T* o = static_cast<T*>(out.data_ptr());  // contiguous
    if (kind == RandomKind::normal) return normal_fill(o, n, a, b, seed, first);
    parallel_for(n, 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const uint64_t c = first + static_cast<uint64_t>(i) * per;
        const uint64_t r = Generator::bits(seed, c);
        switch (kind) {
          case RandomKind::uniform:
            if constexpr (std::is_same_v<T, float>) {
              const float v = static_cast<float>(a) + static_cast<float>(b - a) * uniform24(r);
              o[i] = v < static_cast<float>(b) ? v : static_cast<float>(a);  // keep [a, b) after rounding
            } else {
              o[i] = convert<T>(a + (b - a) * uniform53(r));
            }
            break;
          case RandomKind::normal: break;  // normal_fill
          case RandomKind::randint: {
            const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(b) - static_cast<int64_t>(a));
            o[i] = convert<T>(static_cast<int64_t>(a) + static_cast<int64_t>(r % span));
            break;
          }
          case RandomKind::bernoulli: o[i] = convert<T>(uniform53(r) < a ? 1 : 0); break;
        }
      }
    });
  });
}

void randperm(const Tensor& out, Generator& generator) {
  const int64_t n = out.numel();
  int64_t* o = out.data_ptr<int64_t>();
  std::iota(o, o + n, int64_t{0});
  const uint64_t seed = generator.initial_seed();
  const uint64_t first = generator.reserve(static_cast<uint64_t>(n));
  for (int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates
    const int64_t j = static_cast<int64_t>(Generator::bits(seed, first + static_cast<uint64_t>(i)) %
                                           static_cast<uint64_t>(i + 1));
    std::swap(o[i], o[j]);
  }
}

}  // namespace ember::cpu
