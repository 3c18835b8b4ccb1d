// CIFAR binary records (see cifar_format.h).
#include "data/cifar_format.h"

#include "ember/error.h"

namespace ember::data::cifar {

void append_records(const std::vector<uint8_t>& bytes, bool hundred, const std::string& path,
                    std::vector<uint8_t>& pixels, std::vector<uint8_t>& labels) {
  const char* name = hundred ? "CIFAR100" : "CIFAR10";
  const size_t label_bytes = hundred ? 2 : 1, record = label_bytes + 3072;
  const int classes = hundred ? 100 : 10;
  EMBER_CHECK(!bytes.empty() && bytes.size() % record == 0, name, ": ", path, " has ", bytes.size(),
              " bytes, not a whole number of ", record, "-byte records");
  for (size_t at = 0; at < bytes.size(); at += record) {
    const uint8_t label = bytes[at + label_bytes - 1];  // CIFAR-100: the fine label
    EMBER_CHECK(label < classes, name, ": label ", int{label}, " of record ", at / record, " in ", path,
                " is outside the ", classes, " classes");
  }
  const size_t records = bytes.size() / record;
  labels.reserve(labels.size() + records);
  pixels.reserve(pixels.size() + records * 3072);
  for (size_t at = 0; at < bytes.size(); at += record) {
    labels.push_back(bytes[at + label_bytes - 1]);
    for (size_t p = 0; p < 1024; ++p)  // planes (3, 32, 32) -> (32, 32, 3)
      for (size_t c = 0; c < 3; ++c) pixels.push_back(bytes[at + label_bytes + c * 1024 + p]);
  }
}

}  // namespace ember::data::cifar
