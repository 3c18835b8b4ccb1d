// Where a tensor lives. Every kernel call is routed by the device type.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace ember {

// meta: tensors with sizes, strides and dtype but no storage (PyTorch's "meta"
// device); every op runs its checks and shape rules and skips the kernel.
enum class DeviceType : uint8_t { cpu, cuda, meta };
inline constexpr size_t kDeviceTypes = 3;

struct Device {
  DeviceType type = DeviceType::cpu;
  int16_t index = -1;  // -1: the current device of that type

  friend bool operator==(const Device&, const Device&) = default;
  std::string str() const;  // "cpu", "cuda:0", "meta"
  bool is_cpu() const { return type == DeviceType::cpu; }
  bool is_meta() const { return type == DeviceType::meta; }
  // "cpu", "meta", "cuda", "cuda:1"; an Error naming the accepted forms otherwise.
  static Device parse(std::string_view name);
};

inline constexpr Device kCPU{DeviceType::cpu, -1};
inline constexpr Device kMeta{DeviceType::meta, -1};

inline std::ostream& operator<<(std::ostream& out, const Device& d) { return out << d.str(); }

// The device factory functions (zeros, randn, ...) and module constructors use
// when TensorOptions name none: the CPU unless a DefaultDeviceGuard on this
// thread says otherwise (PyTorch's `with torch.device("meta"):`).
Device default_device();
class DefaultDeviceGuard {
 public:
  explicit DefaultDeviceGuard(Device device);
  ~DefaultDeviceGuard();
  DefaultDeviceGuard(const DefaultDeviceGuard&) = delete;
  DefaultDeviceGuard& operator=(const DefaultDeviceGuard&) = delete;

 private:
  Device previous_;
};

}  // namespace ember
