// The safetensors file layout, apart from any tensor: an 8-byte little-endian
// header length, a JSON header naming each tensor's dtype, shape and byte
// range, then the data. Kept free of Tensor so the parser can be fuzzed alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ember/dtype.h"
#include "ember/metadata.h"
#include "ember/shape.h"

namespace ember::safetensors {

struct Entry {
  std::string name;
  Dtype dtype;
  Shape shape;
  uint64_t begin, end;  // byte range within the data
};

struct Layout {
  std::vector<Entry> entries;  // in header order
  uint64_t data_offset = 0;    // where the data starts in the file
};

// The safetensors dtype name ("F32", ...) and its inverse.
const char* format_dtype(Dtype dtype);
std::optional<Dtype> parse_dtype(const std::string& name);

// Checks a whole file's bytes: the length prefix, the JSON header, every
// entry's dtype, shape and range, and that the tensors tile the data with no
// overlap, gap or leftover. Any problem is an Error naming `path`. The string
// metadata goes to `metadata` when given.
Layout parse_layout(const char* file, size_t size, const std::string& path, Metadata* metadata);

}  // namespace ember::safetensors
