#include "trial_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "ember/error.h"

namespace ember::cli {

std::string ember_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

TrialProcess::TrialProcess(const std::vector<std::string>& args, const std::string& log_path) {
  int up[2], down[2];  // up: child -> parent, down: parent -> child
  EMBER_CHECK(::pipe2(up, O_CLOEXEC) == 0 && ::pipe2(down, O_CLOEXEC) == 0, "tune: cannot make pipes (",
              std::strerror(errno), ")");
  // Everything the child needs is built before fork: between fork and exec
  // only async-signal-safe calls are allowed (the parent has threads).
  const std::string exe = ember_executable();
  std::vector<std::string> argv_text = {exe, "train"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  argv_text.push_back("--tune-pipe");
  argv_text.push_back(std::to_string(down[0]) + "," + std::to_string(up[1]));
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EMBER_CHECK(log >= 0, "tune: cannot write ", log_path, " (", std::strerror(errno), ")");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::fcntl(down[0], F_SETFD, 0);  // these two survive exec
    ::fcntl(up[1], F_SETFD, 0);
    // The parent's own binary, even when its file was replaced since it started (a rebuild).
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(log);
  ::close(down[0]);
  ::close(up[1]);
  from_child_ = up[0], to_child_ = down[1];
  if (pid_ < 0) {
    ::close(from_child_), ::close(to_child_);
    ember::detail::fail("tune: cannot start a trial's process (", std::strerror(fork_errno), ")");
  }
}

TrialProcess::~TrialProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (from_child_ >= 0) ::close(from_child_);
  if (to_child_ >= 0) ::close(to_child_);
}

std::optional<std::string> TrialProcess::next_epoch() {
  while (true) {
    if (const size_t end = buffer_.find('\n'); end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return line;
    }
    char chunk[4096];
    const ssize_t n = ::read(from_child_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void TrialProcess::answer(bool go_on) {
  const std::string line = go_on ? "continue\n" : "stop\n";
  // A child that already ended does not read it; that is not an error.
  const ssize_t n = ::write(to_child_, line.data(), line.size());
  (void)n;
}

int TrialProcess::wait() {
  if (!status_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
      EMBER_CHECK(errno == EINTR, "tune: cannot wait for a trial's process (", std::strerror(errno), ")");
    }
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return *status_;
}

}  // namespace ember::cli
