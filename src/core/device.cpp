// Device names.
#include "ember/device.h"

namespace ember {

std::string Device::str() const {
  std::string name = type == DeviceType::cpu ? "cpu" : "cuda";
  if (index >= 0) name += ":" + std::to_string(index);
  return name;
}

}  // namespace ember
