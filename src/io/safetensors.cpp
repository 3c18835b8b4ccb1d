// Saving and loading state dicts as safetensors: writing is atomic, reading
// maps the file and copies each tensor once its layout has been checked
// (safetensors_format.cpp).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "ember/atomic_file.h"
#include "ember/creation.h"
#include "ember/io.h"
#include "io/safetensors_format.h"

namespace ember {
namespace {

using Json = nlohmann::json;
using safetensors::format_dtype;

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

}  // namespace

void save(const StateDict& tensors, const std::string& path, const Metadata& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> data;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(name != "__metadata__" && !name.empty(), "save: invalid tensor name '", name, "'");
    EMBER_CHECK(names.insert(name).second, "save: tensor name '", name, "' appears twice");
    EMBER_CHECK(t.defined(), "save: tensor '", name, "' is undefined");
    EMBER_CHECK(!t.is_meta(), "save: tensor '", name, "' of shape ", t.sizes(),
                " is on the meta device and has no data to save");
    const Tensor c = t.detach().to(kCPU).contiguous();  // the file holds host bytes, whatever the device
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

StateDict load(const std::string& path, Metadata* metadata) {
  const MappedFile file(path);
  const safetensors::Layout layout = safetensors::parse_layout(file.data(), file.size(), path, metadata);
  const char* data = file.data() + layout.data_offset;
  StateDict out;
  for (const safetensors::Entry& e : layout.entries) {
    Tensor t = empty(e.shape, {.dtype = e.dtype, .device = kCPU});  // the caller moves it where it belongs
    if (t.nbytes() > 0) std::memcpy(t.data_ptr(), data + e.begin, t.nbytes());
    out.push_back({e.name, t});
  }
  return out;
}

}  // namespace ember
