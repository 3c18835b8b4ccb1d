// Human-readable sizes and counts for the CLI's output.
#include "format.h"

#include <cmath>
#include <cstdio>

namespace ember::cli {

std::string with_si_prefix(double value, const std::string& unit) {
  static const char* prefixes[] = {"", "K", "M", "G", "T", "P"};
  int i = 0;
  while (std::fabs(value) >= 1000 && i < 5) value /= 1000, ++i;
  char buf[64];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s%s" : "%.2f %s%s", value, prefixes[i], unit.c_str());
  return buf;
}

std::string byte_size(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (std::fabs(bytes) >= 1024 && i < 4) bytes /= 1024, ++i;
  char buf[64];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.1f %s", bytes, units[i]);
  return buf;
}

std::string count_of(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace ember::cli
