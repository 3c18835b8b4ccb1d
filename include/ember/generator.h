// Seedable random-number generator. Each draw of n numbers takes counters
// [offset, offset + n) of a counter-based stream (SplitMix64), so the numbers
// depend only on the seed and the draw order, never on the thread count.
#pragma once

#include <cstdint>
#include <mutex>

namespace ember {

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) : seed_(seed) {}
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }
  // Reserves n counters; returns the first. Thread-safe.
  uint64_t reserve(uint64_t n);
  uint64_t offset() const { return offset_; }
  // Continues the stream from (seed, offset), e.g. when resuming a run.
  void set_state(uint64_t seed, uint64_t offset);

  // The 64 random bits at counter i of this generator's stream.
  static uint64_t bits(uint64_t seed, uint64_t counter) {
    uint64_t z = seed + (counter + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
  std::mutex mutex_;
};

// The process-wide default generator, used when an op is given none.
Generator& default_generator();
// Seeds the default generator (torch.manual_seed).
void manual_seed(uint64_t seed);

}  // namespace ember
