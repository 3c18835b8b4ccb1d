#include "ember/warning.h"

#include <iostream>
#include <mutex>
#include <set>

namespace ember {
namespace {

std::mutex& lock() {
  static std::mutex m;
  return m;
}

WarningHandler& installed() {
  static WarningHandler handler;
  return handler;
}

void write_once(const std::string& message) {
  static std::set<std::string> shown;  // guarded by lock(), held by warn()
  if (shown.insert(message).second) std::cerr << "Warning: " << message << "\n";
}

}  // namespace

void warn(const std::string& message) {
  // The handler runs under the lock, so one being replaced is never running.
  std::lock_guard<std::mutex> guard(lock());
  if (installed()) {
    installed()(message);
  } else {
    write_once(message);
  }
}

WarningHandler set_warning_handler(WarningHandler handler) {
  std::lock_guard<std::mutex> guard(lock());
  WarningHandler previous = std::move(installed());
  installed() = std::move(handler);
  return previous;
}

}  // namespace ember
