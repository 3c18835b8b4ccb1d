// libFuzzer target: a whole safetensors file (length prefix, JSON header and
// data) through the parser `ember::load` uses. Whatever the bytes, the parser
// either refuses them with an ember::Error or returns a layout whose every
// tensor lies inside the file, with a size that matches its shape.
#include <cstdint>
#include <cstdlib>

#include "ember/error.h"
#include "io/safetensors_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  Metadata metadata;
  safetensors::Layout layout;
  try {
    layout = safetensors::parse_layout(reinterpret_cast<const char*>(data), size, "input", &metadata);
  } catch (const Error&) {
    return 0;
  }
  uint64_t covered = 0;
  for (const safetensors::Entry& e : layout.entries) {
    uint64_t numel = 1;
    for (int64_t s : e.shape) numel *= static_cast<uint64_t>(s);
    if (e.begin > e.end || layout.data_offset + e.end > size || e.end - e.begin != numel * element_size(e.dtype))
      std::abort();
    covered += e.end - e.begin;
  }
  if (layout.data_offset + covered != size) std::abort();  // the tensors tile the data
  return 0;
}
