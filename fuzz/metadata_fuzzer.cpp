// libFuzzer target: checkpoint metadata (the string map of a safetensors
// header) through the checked readers every --resume and load_state_dict
// uses. The input is lines of "key=value". A reader either refuses a value
// with an ember::Error or returns exactly the number the text spells, in the
// strict syntax std::from_chars reads (no spaces, no sign for unsigned).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "ember/error.h"
#include "ember/metadata.h"

namespace {

template <class Int>
void check_integer(const std::string& text, Int value) {
  Int expected{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), expected);
  if (error != std::errc() || end != text.data() + text.size() || value != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  Metadata metadata;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) metadata[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (const std::string& key : {std::string("epoch"), std::string("rng.offset"), std::string("lr")}) {
    try {
      check_integer(metadata_string(metadata, key, "input"), metadata_int(metadata, key, "input"));
    } catch (const Error&) {
    }
    try {
      check_integer(metadata_string(metadata, key, "input"), metadata_uint(metadata, key, "input"));
    } catch (const Error&) {
    }
    try {
      const double v = metadata_double(metadata, key, "input");
      const std::string& text = metadata_string(metadata, key, "input");
      if (std::isnan(v) || text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) std::abort();
    } catch (const Error&) {
    }
  }
  return 0;
}
