// IDX files (MNIST's format): a big-endian magic naming the element type and
// number of dims, the dims, then the data. Kept free of Tensor so the parser
// can be fuzzed alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::data::idx {

// The whole (decompressed) content of a gzip or plain file; `dataset` names
// the caller in errors.
std::vector<uint8_t> read_gz(const std::string& path, const std::string& dataset);

struct Array {
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

// An IDX array of unsigned bytes with `dims` dims from the file's bytes; any
// mismatch (magic, dims, data size) is an Error naming `path`.
Array parse(std::vector<uint8_t> bytes, uint32_t dims, const std::string& path, const std::string& dataset);

}  // namespace ember::data::idx
