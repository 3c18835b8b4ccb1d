// One trial of `ember tune` as its own `ember train` process: started with a
// pair of pipes (--tune-pipe), it sends each epoch's metrics line and waits
// for the study's answer. Its output goes to a log file; it dies with the
// process that started it (so a killed study leaves no runs behind).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ember::cli {

class TrialProcess {
 public:
  // `args`: the flags after `ember train` (without --tune-pipe, which is added).
  TrialProcess(const std::vector<std::string>& args, const std::string& log_path);
  ~TrialProcess();  // a process still running is killed
  TrialProcess(const TrialProcess&) = delete;
  TrialProcess& operator=(const TrialProcess&) = delete;

  // The next epoch's metrics line; none once the run has ended.
  std::optional<std::string> next_epoch();
  void answer(bool go_on);
  int wait();  // the exit status (128 + signal when killed by one)

 private:
  pid_t pid_ = -1;
  int from_child_ = -1, to_child_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

std::string ember_executable();  // this process's own binary

}  // namespace ember::cli
