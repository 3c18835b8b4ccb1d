// The watcher thread: sigwait for SIGINT, SIGTERM and SIGHUP.
#include "stop_signals.h"

#include <csignal>
#include <cstdlib>

namespace ember::cli {
namespace {

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

StopSignals::StopSignals() {
  const sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this] { watch(); });
}

StopSignals::~StopSignals() {
  stopping_ = true;
  pthread_kill(watcher_.native_handle(), SIGHUP);  // wakes sigwait; ignored once stopping_
  watcher_.join();
  const sigset_t set = stop_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void StopSignals::watch() {
  const sigset_t set = stop_set();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (stopping_) return;
    int none = 0;
    if (!signal_.compare_exchange_strong(none, sig)) std::_Exit(128 + sig);  // the second: at once
  }
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "Ctrl-C" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

}  // namespace ember::cli
