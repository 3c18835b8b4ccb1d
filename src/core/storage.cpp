// Storage: owned memory from a device allocator, or borrowed memory with a
// deleter; the allocator registry and the per-device byte counts.
#include "ember/storage.h"

#include <algorithm>
#include <array>

#include "ember/error.h"

namespace ember {

Allocator* cpu_allocator();  // core/cpu_allocator.cpp

namespace {

// No memory at all: meta tensors are sizes and strides only.
class MetaAllocator final : public Allocator {
 public:
  void* allocate(size_t) override { return nullptr; }
  void deallocate(void*, size_t) override {}
};

std::array<Allocator*, kDeviceTypes>& allocators() {
  static MetaAllocator meta;
  static std::array<Allocator*, kDeviceTypes> registry = [] {
    std::array<Allocator*, kDeviceTypes> r{};
    r[static_cast<size_t>(DeviceType::cpu)] = cpu_allocator();
    r[static_cast<size_t>(DeviceType::meta)] = &meta;
    return r;
  }();
  return registry;
}

// Each device type's counters on a cache line of their own: they are written on
// every allocation, and must not share a line with anything another thread writes.
struct alignas(64) ByteCounter {
  std::atomic<size_t> allocated{0}, peak{0};
  void add(size_t n) {
    const size_t now = allocated.fetch_add(n, std::memory_order_relaxed) + n;
    size_t seen = peak.load(std::memory_order_relaxed);
    while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }
  void remove(size_t n) { allocated.fetch_sub(n, std::memory_order_relaxed); }
};
std::array<ByteCounter, kDeviceTypes> g_bytes;

}  // namespace

Allocator& allocator_for(Device device) {
  Allocator* allocator = allocators()[static_cast<size_t>(device.type)];
  EMBER_CHECK(allocator != nullptr, "allocate: device ", device.str(), " is not available in this build of Ember");
  return *allocator;
}

void register_allocator(DeviceType type, Allocator* allocator) { allocators()[static_cast<size_t>(type)] = allocator; }

MemoryStats memory_stats(DeviceType type) {
  const ByteCounter& c = g_bytes[static_cast<size_t>(type)];
  return {c.allocated.load(std::memory_order_relaxed), c.peak.load(std::memory_order_relaxed)};
}

void reset_peak_memory_stats(DeviceType type) {
  ByteCounter& c = g_bytes[static_cast<size_t>(type)];
  c.peak.store(c.allocated.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

Storage::Storage(size_t nbytes, Device device)
    : data_(nullptr), nbytes_(nbytes), device_(device), allocator_(&allocator_for(device)) {
  data_ = allocator_->allocate(nbytes);
  g_bytes[static_cast<size_t>(device.type)].add(nbytes);
}

Storage::Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter)
    : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}

Storage::~Storage() {
  if (allocator_) {
    allocator_->deallocate(data_, nbytes_);
    g_bytes[static_cast<size_t>(device_.type)].remove(nbytes_);
  } else if (deleter_) {
    deleter_(data_);
  }
}

}  // namespace ember
