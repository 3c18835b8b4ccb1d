// Files replaced atomically: written to a temporary file beside the target,
// flushed to disk, renamed over it, and the folder entry flushed, so a crash
// or a full disk never leaves a half-written file under the target's name.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ember {

// Writes the concatenation of `parts` to `path`. Any failure is an Error
// naming the file and the step ("cannot write PATH: write failed (...)");
// the previous file, if any, is kept.
void write_file_atomic(const std::string& path, std::span<const std::string_view> parts);
inline void write_file_atomic(const std::string& path, std::string_view contents) {
  write_file_atomic(path, std::span<const std::string_view>(&contents, 1));
}

}  // namespace ember
