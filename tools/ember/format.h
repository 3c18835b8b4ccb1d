// Numbers as a person reads them: 1.81 GMACs, 44.6 MiB, "1 epoch".
#pragma once

#include <cstdint>
#include <string>

namespace ember::cli {

// 1810000000, "MACs" -> "1.81 GMACs"; below 1000 the plain number.
std::string with_si_prefix(double value, const std::string& unit);
// 46767104 -> "44.6 MiB".
std::string byte_size(double bytes);
// 1, "epoch" -> "1 epoch"; 3 -> "3 epochs".
std::string count_of(int64_t n, const std::string& noun);

}  // namespace ember::cli
