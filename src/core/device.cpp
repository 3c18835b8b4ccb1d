// Device names and the thread's default device.
#include "ember/device.h"

#include <charconv>

#include "ember/error.h"

namespace ember {
namespace {
thread_local Device t_default_device = kCPU;
}

std::string Device::str() const {
  std::string name = type == DeviceType::cpu ? "cpu" : type == DeviceType::cuda ? "cuda" : "meta";
  if (index >= 0) name += ":" + std::to_string(index);
  return name;
}

Device Device::parse(std::string_view name) {
  const auto colon = name.find(':');
  const std::string_view type = name.substr(0, colon);
  Device device;
  if (type == "cpu") device.type = DeviceType::cpu;
  else if (type == "cuda") device.type = DeviceType::cuda;
  else if (type == "meta") device.type = DeviceType::meta;
  else detail::fail("device: unknown device '", name, "'; expected cpu, meta, cuda or cuda:<index>");
  if (colon != std::string_view::npos) {
    const std::string_view digits = name.substr(colon + 1);
    int index = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    EMBER_CHECK(device.type == DeviceType::cuda && ec == std::errc() && end == digits.data() + digits.size() &&
                    !digits.empty() && index >= 0 && index < 32768,
                "device: invalid device '", name, "'; only cuda takes an index, as cuda:<index> (0 to 32767)");
    device.index = static_cast<int16_t>(index);
  }
  return device;
}

Device default_device() { return t_default_device; }

DefaultDeviceGuard::DefaultDeviceGuard(Device device) : previous_(t_default_device) { t_default_device = device; }
DefaultDeviceGuard::~DefaultDeviceGuard() { t_default_device = previous_; }

}  // namespace ember
