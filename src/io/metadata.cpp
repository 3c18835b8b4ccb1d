// Checked parsing of metadata values: the whole text must be the number, with
// nothing around it (strtod would skip leading spaces; the integers are read
// by std::from_chars, which takes no spaces, no '+' and, unsigned, no '-').
#include "ember/metadata.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "ember/error.h"

namespace ember {

const std::string& metadata_string(const Metadata& metadata, const std::string& key, const std::string& where) {
  auto it = metadata.find(key);
  EMBER_CHECK(it != metadata.end(), where, ": the metadata has no '", key, "'");
  return it->second;
}

namespace {

// The whole text as an integer of type Int, if it is one.
template <class Int>
bool read_integer(const std::string& text, Int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace

double metadata_double(const Metadata& metadata, const std::string& key, const std::string& where) {
  const std::string& text = metadata_string(metadata, key, where);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);  // also reads the hexadecimal floats Ember writes
  EMBER_CHECK(!text.empty() && !std::isspace(static_cast<unsigned char>(text[0])) && end == text.c_str() + text.size() &&
                  errno != ERANGE && !std::isnan(v),
              where, ": metadata '", key, "' should be a number, got '", text, "'");
  return v;
}

int64_t metadata_int(const Metadata& metadata, const std::string& key, const std::string& where) {
  const std::string& text = metadata_string(metadata, key, where);
  int64_t v = 0;
  EMBER_CHECK(read_integer(text, v), where, ": metadata '", key, "' should be an integer, got '", text, "'");
  return v;
}

uint64_t metadata_uint(const Metadata& metadata, const std::string& key, const std::string& where) {
  const std::string& text = metadata_string(metadata, key, where);
  uint64_t v = 0;
  EMBER_CHECK(read_integer(text, v), where, ": metadata '", key, "' should be a non-negative integer, got '", text,
              "'");
  return v;
}

}  // namespace ember
