// libFuzzer target: CIFAR binary files through the record decoder the CIFAR
// datasets use. The first byte picks CIFAR-10 (even) or CIFAR-100 (odd).
// Whatever the bytes, the result is an ember::Error that appends nothing, or
// one label in range and 32 x 32 x 3 pixels per record.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "data/cifar_format.h"
#include "ember/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  if (size == 0) return 0;
  const bool hundred = data[0] & 1;
  const std::vector<uint8_t> bytes(data + 1, data + size);
  std::vector<uint8_t> pixels = {7}, labels = {1};  // what an earlier file appended
  try {
    data::cifar::append_records(bytes, hundred, "input", pixels, labels);
  } catch (const Error&) {
    if (pixels.size() != 1 || labels.size() != 1) std::abort();
    return 0;
  }
  const size_t records = bytes.size() / ((hundred ? 2 : 1) + 3072);
  if (labels.size() != 1 + records || pixels.size() != 1 + records * 3072) std::abort();
  for (uint8_t label : labels)
    if (label >= (hundred ? 100 : 10)) std::abort();
  return 0;
}
