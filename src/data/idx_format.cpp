// IDX decoding (see idx_format.h): gzip or raw, both read through zlib, and
// validated field by field.
#include "data/idx_format.h"

#include <zlib.h>

#include "ember/error.h"
#include "ember/shape.h"

namespace ember::data::idx {
namespace {

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | uint32_t{b[at + 3]};
}

}  // namespace

std::vector<uint8_t> read_gz(const std::string& path, const std::string& dataset) {
  gzFile f = gzopen(path.c_str(), "rb");
  EMBER_CHECK(f, dataset, ": cannot open ", path);
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const std::string message = gzerror(f, &code);
      gzclose(f);
      detail::fail(dataset, ": ", path, " is corrupt (", message, ")");
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  const int closed = gzclose(f);
  EMBER_CHECK(closed == Z_OK, dataset, ": ", path, " is truncated or corrupt (zlib error ", closed, ")");
  return out;
}

Array parse(std::vector<uint8_t> bytes, uint32_t dims, const std::string& path, const std::string& dataset) {
  const size_t header = 4 + 4 * size_t{dims};
  EMBER_CHECK(bytes.size() >= header, dataset, ": ", path, " is too short for an IDX header");
  const uint32_t magic = big_endian(bytes, 0);
  EMBER_CHECK(magic == (0x0800u | dims), dataset, ": ", path, " has IDX magic 0x", std::hex, magic, std::dec,
              ", expected 0x", std::hex, (0x0800u | dims), std::dec, " (unsigned bytes, ", dims, " dims)");
  Array out;
  const uint64_t data_bytes = bytes.size() - header;
  // A product that overflows 64 bits must not wrap around to the file's size.
  uint64_t count = 1;
  bool overflow = false, empty = false;
  for (uint32_t d = 0; d < dims; ++d) {
    const uint32_t size = big_endian(bytes, 4 + 4 * d);
    out.shape.push_back(size);
    empty |= size == 0;
    overflow |= __builtin_mul_overflow(count, uint64_t{size}, &count);
  }
  if (empty) count = 0, overflow = false;
  EMBER_CHECK(!overflow && count == data_bytes, dataset, ": ", path, " holds ", data_bytes, " data bytes but its dims ",
              IntArrayRef(out.shape), " need ", overflow ? "more than 2^64" : std::to_string(count));
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  out.data = std::move(bytes);
  return out;
}

}  // namespace ember::data::idx
