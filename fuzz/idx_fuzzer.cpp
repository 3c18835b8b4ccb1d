// libFuzzer target: MNIST's IDX files, raw or gzip-compressed, through the
// reader and parser the MNIST datasets use. The first byte picks the case
// (bit 0: write the rest gzip-compressed, else as is, which may itself be a
// gzip stream; bit 1: 3 dims as for images, else 1 as for labels). Whatever
// the bytes, the result is an ember::Error or an array whose dims' product is
// exactly its data size.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/idx_format.h"
#include "ember/error.h"

namespace {

// The file each input is written to (zlib reads files), removed at exit.
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/ember-idx-fuzz-" + std::to_string(::getpid());
  }();
  // Registered after `path` is built, so it runs before `path` is destroyed.
  static const bool removed_at_exit = std::atexit([] { std::remove(path.c_str()); }) == 0;
  (void)removed_at_exit;
  return path;
}

void write_file(const uint8_t* data, size_t size, bool compress) {
  if (compress) {
    gzFile f = gzopen(scratch_path().c_str(), "wb");
    if (!f || (size > 0 && gzwrite(f, data, static_cast<unsigned>(size)) != static_cast<int>(size)) ||
        gzclose(f) != Z_OK)
      std::abort();
    return;
  }
  std::FILE* f = std::fopen(scratch_path().c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  if (size == 0) return 0;
  const bool compress = data[0] & 1;
  const uint32_t dims = (data[0] & 2) ? 3 : 1;
  write_file(data + 1, size - 1, compress);
  data::idx::Array array;
  try {
    array = data::idx::parse(data::idx::read_gz(scratch_path(), "IDX"), dims, scratch_path(), "IDX");
  } catch (const Error&) {
    return 0;
  }
  uint64_t count = 1;
  for (int64_t s : array.shape) count *= static_cast<uint64_t>(s);
  if (array.shape.size() != dims || count != array.data.size()) std::abort();
  return 0;
}
