// Warnings: what PyTorch reports as a UserWarning (the call goes on, the user
// is told). Each warning goes to the handler; the default handler writes it to
// stderr once per distinct message, as Python's default filter shows a warning
// once per place it is raised.
//   ember::set_warning_handler([&](const std::string& m) { log.push_back(m); });
#pragma once

#include <functional>
#include <string>

namespace ember {

using WarningHandler = std::function<void(const std::string& message)>;

// Reports `message` to the current handler.
void warn(const std::string& message);

// Installs `handler` for every thread and returns the previous one; an empty
// handler restores the default.
WarningHandler set_warning_handler(WarningHandler handler);

}  // namespace ember
