// Checked parsing of metadata values: the whole text must be the number.
#include "ember/metadata.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "ember/error.h"

namespace ember {

const std::string& metadata_string(const Metadata& metadata, const std::string& key, const std::string& where) {
  auto it = metadata.find(key);
  EMBER_CHECK(it != metadata.end(), where, ": the metadata has no '", key, "'");
  return it->second;
}

double metadata_double(const Metadata& metadata, const std::string& key, const std::string& where) {
  const std::string& text = metadata_string(metadata, key, where);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);  // also reads the hexadecimal floats Ember writes
  EMBER_CHECK(!text.empty() && end == text.c_str() + text.size() && errno != ERANGE && !std::isnan(v), where,
              ": metadata '", key, "' should be a number, got '", text, "'");
  return v;
}

int64_t metadata_int(const Metadata& metadata, const std::string& key, const std::string& where) {
  const std::string& text = metadata_string(metadata, key, where);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  EMBER_CHECK(!text.empty() && end == text.c_str() + text.size() && errno != ERANGE, where, ": metadata '", key,
              "' should be an integer, got '", text, "'");
  return static_cast<int64_t>(v);
}

uint64_t metadata_uint(const Metadata& metadata, const std::string& key, const std::string& where) {
  const std::string& text = metadata_string(metadata, key, where);
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  EMBER_CHECK(!text.empty() && text[0] != '-' && end == text.c_str() + text.size() && errno != ERANGE, where,
              ": metadata '", key, "' should be a non-negative integer, got '", text, "'");
  return static_cast<uint64_t>(v);
}

}  // namespace ember
