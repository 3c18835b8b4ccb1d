// How the run's messages count things: 1, "epoch" -> "1 epoch"; 3 -> "3 epochs".
#pragma once

#include <cstdint>
#include <string>

namespace ember::train {

inline std::string count_of(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace ember::train
