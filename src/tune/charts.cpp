// A study's history and learning curves, drawn by PLplot (pngcairo, headless).
#include "ember/tune/charts.h"

#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/error.h"
#include "train/png_file.h"

namespace ember::tune {
namespace {

constexpr PLINT kDot = 17, kCross = 5;

void begin(const std::string& tmp) {
  plsdev("pngcairo");
  plsfnam(tmp.c_str());
  plsetopt("geometry", "900x500");
  plscolbg(255, 255, 255);
  plscol0(1, 0, 0, 0);        // axes and text
  plscol0(2, 31, 119, 180);   // completed trials
  plscol0(3, 214, 39, 40);    // pruned trials
  plscol0(4, 255, 127, 14);   // best so far
  plscol0(5, 160, 160, 160);  // learning curves
  plinit();
  pladv(0);
  plvsta();
}

void axes(double x0, double x1, double lo, double hi, const char* xlabel, const char* ylabel, const char* title) {
  const double pad = std::max((hi - lo) * 0.08, 1e-6);
  plwind(x0, x1, lo - pad, hi + pad);
  plcol0(1);
  // Whole-number ticks on the x axis (trials, epochs), about ten of them.
  plbox("bcnst", std::max(1.0, std::ceil((x1 - x0) / 10)), 0, "bcnstv", 0.0, 0);
  pllab(xlabel, ylabel, title);
}

void finish(const std::string& tmp, const std::string& path, const char* op) {
  plend();
  train::detail::finish_png(tmp, path, op);
}

}  // namespace

void plot_history(const std::vector<FrozenTrial>& trials, Direction direction, const std::string& metric,
                  const std::string& path) {
  std::vector<double> done_x, done_y, pruned_x, pruned_y, best_x, best_y;
  double best = std::numeric_limits<double>::quiet_NaN();
  for (const FrozenTrial& t : trials) {
    if (!t.value || !std::isfinite(*t.value)) continue;
    const auto x = static_cast<double>(t.number);
    if (t.state == TrialState::complete) {
      done_x.push_back(x), done_y.push_back(*t.value);
      if (std::isnan(best) || (direction == Direction::minimize ? *t.value < best : *t.value > best)) best = *t.value;
    } else if (t.state == TrialState::pruned) {
      pruned_x.push_back(x), pruned_y.push_back(*t.value);
    }
    if (!std::isnan(best)) best_x.push_back(x), best_y.push_back(best);
  }
  EMBER_CHECK(!done_x.empty() || !pruned_x.empty(), "plot_history: no trial has a value to plot");
  std::vector<double> all_y = done_y;
  all_y.insert(all_y.end(), pruned_y.begin(), pruned_y.end());
  const auto [lo, hi] = std::minmax_element(all_y.begin(), all_y.end());
  const double last = static_cast<double>(trials.back().number);
  const std::string tmp = path + ".tmp.png";
  begin(tmp);
  axes(-0.5, last + 0.5, *lo, *hi, "trial", metric.c_str(),
       "Study history (dots: completed, crosses: pruned, line: best so far)");
  plssym(0, 1.5);
  plcol0(2);
  plpoin(static_cast<PLINT>(done_x.size()), done_x.data(), done_y.data(), kDot);
  plcol0(3);
  plpoin(static_cast<PLINT>(pruned_x.size()), pruned_x.data(), pruned_y.data(), kCross);
  plcol0(4);
  plwidth(2.0);
  plline(static_cast<PLINT>(best_x.size()), best_x.data(), best_y.data());
  plwidth(1.0);
  finish(tmp, path, "plot_history");
}

void plot_intermediate(const std::vector<FrozenTrial>& trials, const std::string& metric, const std::string& step_name,
                       const std::string& path) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, last_step = 0;
  for (const FrozenTrial& t : trials)
    for (const auto& [step, value] : t.intermediate_values)
      if (std::isfinite(value))
        lo = std::min(lo, value), hi = std::max(hi, value), last_step = std::max(last_step, static_cast<double>(step));
  EMBER_CHECK(std::isfinite(lo), "plot_intermediate: no trial reported an intermediate value");
  const std::string tmp = path + ".tmp.png";
  begin(tmp);
  // Steps count from 0; the axis shows them from 1 (epoch 1 is step 0).
  axes(0.8, last_step + 1.2, lo, hi, step_name.c_str(), metric.c_str(), "Learning curves (blue: completed, red: pruned)");
  plssym(0, 1.5);
  for (const FrozenTrial& t : trials) {
    std::vector<double> x, y;
    for (const auto& [step, value] : t.intermediate_values)
      if (std::isfinite(value)) x.push_back(static_cast<double>(step + 1)), y.push_back(value);
    if (x.empty()) continue;
    const bool pruned = t.state == TrialState::pruned;
    plcol0(pruned ? 3 : 2);
    plline(static_cast<PLINT>(x.size()), x.data(), y.data());
    plpoin(1, &x.back(), &y.back(), pruned ? kCross : kDot);
  }
  finish(tmp, path, "plot_intermediate");
}

}  // namespace ember::tune
