// The bytes behind one or more tensors. Views share one Storage; its version
// counter tells autograd when saved data was modified in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "ember/device.h"
#include "ember/intrusive_ptr.h"

namespace ember {

// Per-device memory source. CPU: 64-byte aligned host memory.
class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
};
Allocator& allocator_for(Device device);

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

  // How many view tensors (view, slice, permute...) alias this storage now;
  // autograd refuses in-place writes that those views would not see.
  int64_t view_count() const { return views_.load(std::memory_order_relaxed); }
  void add_view() { views_.fetch_add(1, std::memory_order_relaxed); }
  void remove_view() { views_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  Allocator* allocator_ = nullptr;
  std::function<void(void*)> deleter_;
  std::atomic<uint64_t> version_{0};
  std::atomic<int64_t> views_{0};
};

}  // namespace ember
