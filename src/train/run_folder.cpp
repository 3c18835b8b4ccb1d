// The run folder: flock for exclusivity, stale temporaries, free space.
#include "ember/train/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ember/error.h"

namespace ember::train {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

// The file names a run writes: a folder holding any of them holds a run.
const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> names = {"config.json",      "metrics.jsonl",    "summary.json",
                                                 "train.log",        "curves.png",       "confusion.png",
                                                 "last.safetensors", "best.safetensors"};
  return names;
}

}  // namespace

RunFolder::RunFolder(std::string path, Mode mode) : path_(std::move(path)) {
  std::error_code ec;
  if (mode == Mode::create) {
    fs::create_directories(path_, ec);
    EMBER_CHECK(!ec, "--out: cannot create ", path_, " (", ec.message(), ")");
  }
  EMBER_CHECK(fs::is_directory(path_, ec), "run folder ", path_, " does not exist");
  EMBER_CHECK(::access(path_.c_str(), W_OK) == 0, "run folder ", path_, " is not writable");
  const std::string lock_path = file(".lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  EMBER_CHECK(lock_fd_ >= 0, "cannot open the run folder's lock file ", lock_path, " (", errno_text(), ")");
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    std::string pid = n > 0 ? std::string(holder, static_cast<size_t>(n)) : "unknown";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    detail::fail("run folder ", path_, " is in use by another ember process (pid ", pid,
                 "); wait for it to finish or choose another folder");
  }
  // The lock is ours (released by the kernel when this process ends, however it ends).
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // Only the pid in the message of a second process is lost; the lock holds.
  }
  try {
    // Temporaries of a run that was killed while writing: no live writer can
    // own them, since writers hold this lock.
    for (const fs::directory_entry& entry : fs::directory_iterator(path_)) {
      const std::string name = entry.path().filename().string();
      if (name.find(".tmp.") != std::string::npos && entry.is_regular_file()) fs::remove(entry.path(), ec);
    }
    if (mode == Mode::create) {
      for (const std::string& name : run_file_names())
        EMBER_CHECK(!fs::exists(file(name)), "--out: ", path_, " already holds a run (", name,
                    "); choose another folder, continue it with --resume ", path_, " or start it again with --restart ",
                    path_);
    }
    if (mode == Mode::restart)
      for (const std::string& name : run_file_names())
        if (name != "config.json") fs::remove(file(name), ec);
  } catch (...) {
    ::close(lock_fd_);
    throw;
  }
}

RunFolder::~RunFolder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

std::string RunFolder::file(const std::string& name) const { return (fs::path(path_) / name).string(); }

void RunFolder::require_free_space(uint64_t bytes) const {
  struct statvfs s{};
  if (::statvfs(path_.c_str(), &s) != 0) return;  // unknown: the writes themselves are still checked
  const uint64_t free_bytes = static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
  EMBER_CHECK(free_bytes >= bytes, "run folder ", path_, ": only ", free_bytes, " bytes are free on its filesystem, "
              "and the run needs about ", bytes, " for its checkpoints and logs; free some space or choose another --out");
}

}  // namespace ember::train
