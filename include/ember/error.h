// ember::Error and the checks that raise it. Every misuse of the API throws an
// Error whose message names the op, the shapes or values involved, and what
// was expected.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw Error(concat(parts...));
}
}  // namespace detail

}  // namespace ember

// EMBER_CHECK(cond, "op: message ", value, ...): the message is only built on failure.
#define EMBER_CHECK(cond, ...)                          \
  do {                                                  \
    if (!(cond)) [[unlikely]]                           \
      ::ember::detail::fail(__VA_ARGS__);               \
  } while (false)
