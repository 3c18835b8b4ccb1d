// The terminal progress bar of `ember train`.
#include "progress.h"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace ember::cli {

std::string clock_time(double seconds) {
  const auto s = static_cast<int64_t>(std::max(0.0, std::round(seconds)));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

std::string ProgressBar::line(int64_t done, int64_t total, int64_t samples, double loss, double accuracy) {
  const auto now = std::chrono::steady_clock::now();
  if (done <= last_done_ || last_done_ < 0) {  // a new epoch (or a resumed one): time from here
    start_ = now;
    first_done_ = done - 1, first_samples_ = samples;
  }
  last_done_ = done;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t timed = done - first_done_;  // batches since the clock started
  const double per_batch = timed > 1 ? elapsed / static_cast<double>(timed - 1) : 0.0;
  const double rate = elapsed > 0 ? static_cast<double>(samples - first_samples_) / elapsed : 0.0;
  const int width = 25, filled = total > 0 ? static_cast<int>(width * done / total) : width;
  std::ostringstream out;
  out << std::setw(3) << (total > 0 ? 100 * done / total : 100) << "% [" << std::string(static_cast<size_t>(filled), '#')
      << std::string(static_cast<size_t>(width - filled), '.') << "] " << done << "/" << total << " "
      << clock_time(elapsed) << "<" << clock_time(per_batch * static_cast<double>(total - done)) << " "
      << std::fixed << std::setprecision(0) << rate << " samples/s" << std::setprecision(4) << "  loss " << loss
      << "  acc " << accuracy;
  return out.str();
}

}  // namespace ember::cli
