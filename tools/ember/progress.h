// The per-epoch progress bar `ember train` draws on a terminal: percent, a
// bar, batches done/total, elapsed and remaining time, samples/s, and the
// running loss and accuracy, redrawn in place.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ember::cli {

class ProgressBar {
 public:
  // The line for batch `done` of `total` (samples counts the epoch's examples so far).
  // The clock restarts whenever `done` goes back (a new epoch).
  std::string line(int64_t done, int64_t total, int64_t samples, double loss, double accuracy);

 private:
  std::chrono::steady_clock::time_point start_{};
  int64_t first_done_ = 0, first_samples_ = 0, last_done_ = -1;
};

// "mm:ss", or "h:mm:ss" past an hour.
std::string clock_time(double seconds);

}  // namespace ember::cli
