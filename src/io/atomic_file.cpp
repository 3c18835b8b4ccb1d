// Atomic file replacement: mkstemp beside the target, write, fsync, rename,
// fsync of the folder.
#include "ember/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ember/error.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

// Flushes a folder's entries (a rename is durable only once its folder is).
void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: the data itself is already on disk
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, std::span<const std::string_view> parts) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  EMBER_CHECK(fd >= 0, "cannot write ", path, ": cannot create a temporary file beside it (", errno_text(), ")");
  const mode_t mask = ::umask(0);  // mkstemp makes 0600; give the permissions a plain create would
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  auto fail = [&](const char* step) {
    const std::string why = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    detail::fail("cannot write ", path, ": ", step, " failed (", why, "); the previous file is kept");
  };
  for (std::string_view part : parts)
    for (size_t done = 0; done < part.size();) {
      const ssize_t n = ::write(fd, part.data() + done, part.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("write");
      done += static_cast<size_t>(n);
    }
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    detail::fail("cannot write ", path, ": close failed (", why, "); the previous file is kept");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    detail::fail("cannot write ", path, ": rename failed (", why, "); the previous file is kept");
  }
  sync_folder(fs::path(path).parent_path().string());
}

}  // namespace ember
