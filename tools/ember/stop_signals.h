// Ctrl-C, SIGTERM and SIGHUP as requests to stop a run cleanly. The signals
// are blocked in every thread and taken synchronously by one watcher thread
// (sigwait), so no signal handler ever runs on a compute thread: the float32
// GEMM kernels of Debian's oneDNN point the stack pointer into heap memory
// while they run, and a handler's frame pushed there corrupted the heap.
#pragma once

#include <atomic>
#include <pthread.h>
#include <thread>

namespace ember::cli {

class StopSignals {
 public:
  // Construct before any other thread starts (threads inherit the blocked
  // mask): the first signal sets requested(); a second one exits at once with
  // 128 + its number.
  StopSignals();
  // Stops the watcher and unblocks the signals: from then on they act as usual.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const { return signal_.load() != 0; }
  int signal() const { return signal_.load(); }  // the first signal's number (0: none)
  // The exit status a shell reports for that signal (130 for SIGINT).
  int exit_status() const { return 128 + signal_.load(); }

 private:
  void watch();
  std::atomic<int> signal_{0};
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

// "Ctrl-C", "SIGTERM", "SIGHUP": how a stop request is named to the user.
const char* signal_name(int sig);

}  // namespace ember::cli
