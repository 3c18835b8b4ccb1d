// The safetensors format: writing (atomic) and reading (memory-mapped, every
// header field validated before any data is touched).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "ember/atomic_file.h"
#include "ember/creation.h"
#include "ember/io.h"

namespace ember {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

using Json = nlohmann::json;

const char* format_dtype(Dtype d) {
  switch (d) {
    case Dtype::boolean: return "BOOL";
    case Dtype::uint8: return "U8";
    case Dtype::int16: return "I16";
    case Dtype::int32: return "I32";
    case Dtype::int64: return "I64";
    case Dtype::float16: return "F16";
    case Dtype::bfloat16: return "BF16";
    case Dtype::float32: return "F32";
    case Dtype::float64: return "F64";
  }
  return "";
}

std::optional<Dtype> parse_dtype(const std::string& s) {
  for (Dtype d : {Dtype::boolean, Dtype::uint8, Dtype::int16, Dtype::int32, Dtype::int64, Dtype::float16,
                  Dtype::bfloat16, Dtype::float32, Dtype::float64})
    if (s == format_dtype(d)) return d;
  return std::nullopt;
}

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// A read-only view of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EMBER_CHECK(fd_ >= 0, "load: ", system_error("cannot open " + path));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      ::close(fd_);
      detail::fail("load: ", system_error("cannot stat " + path));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p == MAP_FAILED) {
        ::close(fd_);
        detail::fail("load: ", system_error("cannot map " + path));
      }
      data_ = static_cast<const char*>(p);
    }
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  int fd_ = -1;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

struct Entry {
  std::string name;
  Dtype dtype;
  Shape shape;
  uint64_t begin, end;
};

// Parses and checks the header; on any problem an Error naming `path`.
std::vector<Entry> parse_header(const std::string& path, const char* text, size_t length, uint64_t data_size,
                                Metadata* metadata) {
  auto bad = [&](const auto&... parts) { detail::fail("load: ", path, " is not a valid safetensors file: ", parts...); };
  std::set<std::string> seen;
  std::string duplicate;
  Json header;
  try {
    header = Json::parse(text, text + length, [&](int depth, Json::parse_event_t event, Json& parsed) {
      if (depth == 1 && event == Json::parse_event_t::key && !seen.insert(parsed.get<std::string>()).second)
        duplicate = parsed.get<std::string>();
      return true;
    });
  } catch (const Json::exception& e) {
    bad("malformed JSON header (", e.what(), ")");
  }
  if (!duplicate.empty()) bad("tensor name '", duplicate, "' appears twice");
  if (!header.is_object()) bad("the header is not a JSON object");
  std::vector<Entry> entries;
  for (auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) bad("__metadata__ is not an object");
      for (auto& [k, v] : info.items()) {
        if (!v.is_string()) bad("__metadata__ value of '", k, "' is not a string");
        if (metadata) (*metadata)[k] = v.get<std::string>();
      }
      continue;
    }
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
      bad("entry '", name, "' needs dtype, shape and data_offsets");
    const Json& dt = info["dtype"];
    const std::optional<Dtype> dtype = dt.is_string() ? parse_dtype(dt.get<std::string>()) : std::nullopt;
    if (!dtype) bad("entry '", name, "' has unknown dtype ", dt.dump());
    Entry e{name, *dtype, {}, 0, 0};
    const Json& shape = info["shape"];
    if (!shape.is_array()) bad("entry '", name, "' has a shape that is not an array");
    uint64_t numel = 1;
    for (const Json& s : shape) {
      if (!s.is_number_unsigned()) bad("entry '", name, "' has a non-integer or negative size in its shape");
      const uint64_t v = s.get<uint64_t>();
      if (v > (uint64_t{1} << 48) || (v > 0 && numel > (uint64_t{1} << 48) / v)) bad("entry '", name, "' is too large");
      numel *= v;
      e.shape.push_back(static_cast<int64_t>(v));
    }
    const Json& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      bad("entry '", name, "' needs data_offsets [begin, end]");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_size)
      bad("entry '", name, "' has data_offsets [", e.begin, ", ", e.end, "] outside the ", data_size, " data bytes");
    if (e.end - e.begin != numel * element_size(e.dtype))
      bad("entry '", name, "' has ", e.end - e.begin, " bytes but shape ", e.shape, " of ", format_dtype(e.dtype),
          " needs ", numel * element_size(e.dtype));
    entries.push_back(std::move(e));
  }
  // The tensors must tile the data exactly: no overlap, no gap, nothing left over.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  for (const Entry* e : by_offset) {
    if (e->begin < at) bad("entry '", e->name, "' overlaps the tensor before it");
    if (e->begin > at) bad("bytes ", at, " to ", e->begin, " of the data belong to no tensor");
    at = e->end;
  }
  if (at != data_size) bad("the data has ", data_size - at, " bytes after the last tensor");
  return entries;
}

}  // namespace

void save(const nn::StateDict& tensors, const std::string& path, const Metadata& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> data;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(name != "__metadata__" && !name.empty(), "save: invalid tensor name '", name, "'");
    EMBER_CHECK(names.insert(name).second, "save: tensor name '", name, "' appears twice");
    EMBER_CHECK(t.defined(), "save: tensor '", name, "' is undefined");
    const Tensor c = t.detach().contiguous();
    header[name] = {{"dtype", format_dtype(c.dtype())}, {"shape", c.sizes().vec()},
                    {"data_offsets", {offset, offset + c.nbytes()}}};
    offset += c.nbytes();
    data.push_back(c);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  const uint64_t length = text.size();

  std::vector<std::string_view> parts = {{reinterpret_cast<const char*>(&length), sizeof(length)}, text};
  for (const Tensor& t : data)
    if (t.nbytes() > 0) parts.emplace_back(static_cast<const char*>(t.data_ptr()), t.nbytes());
  write_file_atomic(path, parts);
}

void save(nn::Module& module, const std::string& path, const Metadata& metadata) {
  save(module.state_dict(), path, metadata);
}

nn::StateDict load(const std::string& path, Metadata* metadata) {
  const MappedFile file(path);
  EMBER_CHECK(file.size() >= 8, "load: ", path, " is not a valid safetensors file: ", file.size(),
              " bytes is too short for the 8-byte header length");
  uint64_t length;
  std::memcpy(&length, file.data(), 8);
  EMBER_CHECK(length <= file.size() - 8, "load: ", path, " is not a valid safetensors file: the header length (",
              length, ") runs past the end of the file (", file.size(), " bytes)");
  const char* data = file.data() + 8 + length;
  const uint64_t data_size = file.size() - 8 - length;
  const std::vector<Entry> entries = parse_header(path, file.data() + 8, length, data_size, metadata);
  nn::StateDict out;
  for (const Entry& e : entries) {
    Tensor t = empty(e.shape, {.dtype = e.dtype});
    if (t.nbytes() > 0) std::memcpy(t.data_ptr(), data + e.begin, t.nbytes());
    out.push_back({e.name, t});
  }
  return out;
}

void load(nn::Module& module, const std::string& path, bool strict) { module.load_state_dict(load(path), strict); }

}  // namespace ember
