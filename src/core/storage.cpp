// Storage and the CPU allocator. Small blocks are kept in per-size free lists
// (a thread-local cache) so that the per-op cost of a small result stays far
// below a microsecond; large blocks go straight to the system.
#include "ember/storage.h"

#include <cstdlib>
#include <new>
#include <vector>

#include "ember/error.h"

namespace ember {
namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kCachedMax = 4096;  // bytes; above this, plain aligned_alloc
constexpr size_t kBins = kCachedMax / kAlignment;
constexpr size_t kMaxPerBin = 64;

size_t round_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

// Per-thread free lists of small blocks, indexed by size / 64.
thread_local bool t_cache_destroyed = false;  // blocks freed during thread exit bypass the cache
struct SmallBlockCache {
  std::vector<void*> bins[kBins];
  ~SmallBlockCache() {
    t_cache_destroyed = true;
    for (auto& bin : bins)
      for (void* p : bin) std::free(p);
  }
};
thread_local SmallBlockCache t_cache;

class CpuAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    const size_t size = round_up(std::max<size_t>(nbytes, 1));
    if (size <= kCachedMax && !t_cache_destroyed) {
      auto& bin = t_cache.bins[size / kAlignment - 1];
      if (!bin.empty()) {
        void* p = bin.back();
        bin.pop_back();
        return p;
      }
    }
    void* p = std::aligned_alloc(kAlignment, size);
    EMBER_CHECK(p != nullptr, "allocate: out of memory allocating ", nbytes, " bytes on cpu");
    return p;
  }
  void deallocate(void* p, size_t nbytes) override {
    const size_t size = round_up(std::max<size_t>(nbytes, 1));
    if (size <= kCachedMax && !t_cache_destroyed) {
      auto& bin = t_cache.bins[size / kAlignment - 1];
      if (bin.size() < kMaxPerBin) {
        bin.push_back(p);
        return;
      }
    }
    std::free(p);
  }
};

}  // namespace

Allocator& allocator_for(Device device) {
  static CpuAllocator cpu;
  EMBER_CHECK(device.type == DeviceType::cpu, "allocate: device ", device.str(),
              " is not available in this build of Ember");
  return cpu;
}

Storage::Storage(size_t nbytes, Device device)
    : data_(nullptr), nbytes_(nbytes), device_(device), allocator_(&allocator_for(device)) {
  data_ = allocator_->allocate(nbytes);
}

Storage::Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter)
    : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}

Storage::~Storage() {
  if (allocator_) allocator_->deallocate(data_, nbytes_);
  else if (deleter_) deleter_(data_);
}

}  // namespace ember
