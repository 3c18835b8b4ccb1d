// The last step of every PLplot chart: PLplot draws to a temporary file and
// reports no write errors, so the image is checked whole before it takes its name.
#pragma once

#include <string>

namespace ember::train::detail {

// Renames the PNG at `tmp` to `path` once it is whole and on disk; else an
// Error from `op` (a full disk leaves a truncated image).
void finish_png(const std::string& tmp, const std::string& path, const char* op);

}  // namespace ember::train::detail
