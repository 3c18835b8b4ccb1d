// Running the `ember` tool from tests: its exit status and output, in the
// foreground or in the background, and files read whole.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace ember_test {

namespace fs = std::filesystem;

// {exit status, stdout + stderr} of a shell command.
// An IDX file (MNIST's format) of `sizes`: labels count 0..9 over and over, other data is `fill`.
inline void write_idx(const fs::path& path, std::vector<uint32_t> sizes, uint8_t fill) {
  std::ofstream out(path, std::ios::binary);
  auto be = [&](uint32_t v) { for (int s = 24; s >= 0; s -= 8) out.put(static_cast<char>((v >> s) & 0xff)); };
  be(0x0800u | static_cast<uint32_t>(sizes.size()));
  size_t n = 1;
  for (uint32_t s : sizes) be(s), n *= s;
  for (size_t i = 0; i < n; ++i) out.put(static_cast<char>(sizes.size() == 1 ? i % 10 : fill));
}

inline std::pair<int, std::string> ember_cli_command(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return {WEXITSTATUS(status), out};
}

// {exit status, stdout + stderr} of `ember <args>`.
inline std::pair<int, std::string> ember_cli(const std::string& args) {
  return ember_cli_command(std::string(EMBER_CLI) + " " + args);
}

inline std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// `ember <args>` as a child process (output to `log`); returns its pid, to be waited for with wait_status.
inline pid_t spawn_cli(const std::string& args, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string command = "exec " + std::string(EMBER_CLI) + " " + args + " > '" + log.string() + "' 2>&1";
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// The exit status of a spawned child (128 + N when signal N killed it).
inline int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits (up to a minute) until `file` contains `text`.
inline bool wait_for_text(const fs::path& file, const std::string& text) {
  for (int i = 0; i < 6000; ++i) {
    if (bytes_of(file).find(text) != std::string::npos) return true;
    ::usleep(10000);
  }
  return false;
}

// A fresh folder per test, removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("ember_cli_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace ember_test
