// Backend registry: one slot per device type.
#include "backend/backend.h"

#include <array>

#include "ember/error.h"

namespace ember {
namespace {
std::array<Backend*, kDeviceTypes> g_backends{};
}

void register_backend(DeviceType type, Backend* backend) { g_backends[static_cast<size_t>(type)] = backend; }

Backend* cpu_backend();   // backend/cpu; always present
Backend* meta_backend();  // backend/meta_backend.cpp; always present

Backend& backend_for(Device device) {
  if (device.type == DeviceType::cpu) [[likely]] {
    static Backend* cpu = cpu_backend();
    return *cpu;
  }
  if (device.type == DeviceType::meta) {
    static Backend* meta = meta_backend();
    return *meta;
  }
  Backend* backend = g_backends[static_cast<size_t>(device.type)];
  EMBER_CHECK(backend != nullptr, "device ", device.str(), " is not available in this build of Ember");
  return *backend;
}

}  // namespace ember
