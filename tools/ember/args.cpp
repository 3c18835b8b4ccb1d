// Flag parsing with range checks that name the flag.
#include "args.h"

#include <charconv>
#include <cmath>

namespace ember::cli {

Args::Args(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h") a = "--help";
    EMBER_CHECK(a.rfind("--", 0) == 0 && a.size() > 2, "unexpected argument '", a, "' (flags look like --name value)");
    a = a.substr(2);
    const size_t eq = a.find('=');
    if (eq != std::string::npos) values_[a.substr(0, eq)] = a.substr(eq + 1);
    else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) values_[a] = argv[++i];
    else values_[a] = "";
  }
}

std::string Args::get(const std::string& name, const std::string& fallback, const std::string& help) {
  usage_ << "  --" << name << (fallback.empty() ? "" : " (default " + fallback + ")") << "\n      " << help << "\n";
  used_.insert(name);
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

double Args::number(const std::string& name, double fallback, const std::string& help, double lo, double hi) {
  // The shortest text that reads back as exactly `fallback`: a value from a
  // config file passes through here and must not lose digits.
  char digits[32];
  const auto written = std::to_chars(digits, digits + sizeof digits, fallback);
  const std::string text = get(name, std::string(digits, written.ptr), help);
  double v = 0;
  try {
    size_t used = 0;
    v = std::stod(text, &used);
    EMBER_CHECK(used == text.size(), "");
  } catch (...) {
    detail::fail("--", name, ": '", text, "' is not a number");
  }
  EMBER_CHECK(std::isfinite(v) && v >= lo && v <= hi, "--", name, ": ", v, " is out of range [", lo, ", ", hi, "]");
  return v;
}

int64_t Args::integer(const std::string& name, int64_t fallback, const std::string& help, int64_t lo, int64_t hi) {
  const std::string text = get(name, std::to_string(fallback), help);
  int64_t v = 0;
  try {
    size_t used = 0;
    v = std::stoll(text, &used);
    EMBER_CHECK(used == text.size(), "");
  } catch (...) {
    detail::fail("--", name, ": '", text, "' is not an integer");
  }
  EMBER_CHECK(v >= lo && v <= hi, "--", name, ": ", v, " is out of range [", lo, ", ", hi, "]");
  return v;
}

bool Args::flag(const std::string& name, const std::string& help) {
  usage_ << "  --" << name << "\n      " << help << "\n";
  used_.insert(name);
  auto it = values_.find(name);
  if (it == values_.end()) return false;
  EMBER_CHECK(it->second.empty() || it->second == "true" || it->second == "false", "--", name,
              " is a switch; it takes no value (got '", it->second, "')");
  return it->second != "false";
}

std::vector<std::string> Args::given_names() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : values_) out.push_back(name);
  return out;
}

void Args::check_all_used() const {
  for (const auto& [name, value] : values_)
    EMBER_CHECK(used_.count(name) || name == "help", "unknown flag --", name, " (see --help)");
}

}  // namespace ember::cli
