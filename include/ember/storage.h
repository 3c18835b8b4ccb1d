// The bytes behind one or more tensors. Views share one Storage; its version
// counter tells autograd when saved data was modified in place.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "ember/device.h"
#include "ember/intrusive_ptr.h"

namespace ember {

// Per-device memory source, one per device type (registered as backends are).
// CPU: 64-byte aligned host memory; meta: none (allocate returns null).
class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
};
// The allocator of a device type; an Error if Ember was built without that device.
Allocator& allocator_for(Device device);
// Registration, done once per device type at start-up (the CPU and meta ones are built in).
void register_allocator(DeviceType type, Allocator* allocator);

// Bytes of tensor storage a device type holds now and at most since the last
// reset (as torch.cuda.memory_allocated / max_memory_allocated), as requested
// by the tensors (the allocator's rounding and caches not counted).
struct MemoryStats {
  size_t allocated = 0;
  size_t peak = 0;
};
MemoryStats memory_stats(DeviceType type);
void reset_peak_memory_stats(DeviceType type);

class Storage : public RefCounted {
 public:
  // Owned memory from the device's allocator.
  Storage(size_t nbytes, Device device);
  // Borrowed memory (from_blob): `deleter` (may be empty) runs when the last user goes.
  Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter);
  ~Storage() override;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool owns_memory() const { return allocator_ != nullptr; }

  // Bumped by every in-place write (autograd checks it for saved tensors).
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

  // Bumped when autograd gives a tensor on this storage a new history through
  // an in-place write: views taken before then refresh their grad_fn on next use.
  uint64_t history_version() const { return history_version_.load(std::memory_order_relaxed); }
  void bump_history_version() { history_version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  Allocator* allocator_ = nullptr;
  std::function<void(void*)> deleter_;
  std::atomic<uint64_t> version_{0};
  std::atomic<uint64_t> history_version_{0};
};

}  // namespace ember
