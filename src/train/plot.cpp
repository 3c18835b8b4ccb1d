// Training curves as a PNG, drawn by PLplot (its pngcairo device works
// headless): loss and accuracy against epoch, train and validation.
#include <plplot/plplot.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "ember/train.h"

namespace ember::train {
namespace {

// One panel: the train curve and, when present, the validation one.
void panel(const std::vector<double>& epochs, const std::vector<double>& train, const std::vector<double>& val,
           const char* ylabel, const char* title, PLINT legend_corner) {
  double lo = *std::min_element(train.begin(), train.end()), hi = *std::max_element(train.begin(), train.end());
  if (!val.empty()) {
    lo = std::min(lo, *std::min_element(val.begin(), val.end()));
    hi = std::max(hi, *std::max_element(val.begin(), val.end()));
  }
  const double pad = std::max((hi - lo) * 0.08, 1e-3);
  const double x1 = epochs.size() > 1 ? epochs.back() : epochs.front() + 1;
  pladv(0);
  plvsta();
  plwind(epochs.front(), x1, lo - pad, hi + pad);
  plcol0(1);
  plbox("bcnst", 0.0, 0, "bcnstv", 0.0, 0);
  pllab("epoch", ylabel, title);
  plcol0(2);
  plwidth(2.0);
  plline(static_cast<PLINT>(epochs.size()), epochs.data(), train.data());
  if (!val.empty()) {
    plcol0(3);
    plline(static_cast<PLINT>(epochs.size()), epochs.data(), val.data());
  }
  plwidth(1.0);
  // The legend: one entry per curve, in the corner the curves leave free.
  const PLINT entries = val.empty() ? 1 : 2;
  PLINT opts[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE}, colors[2] = {2, 3}, styles[2] = {1, 1}, text_colors[2] = {1, 1};
  PLFLT widths[2] = {2.0, 2.0};
  const char* text[2] = {"train", "validation"};
  PLFLT width = 0, height = 0;
  plcol0(1);
  pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_RIGHT | legend_corner, 0.02,
           0.02, 0.08, 0, 1, 1, 0, 0, entries, opts, 1.0, 0.8, 2.0, 0.0, text_colors, text, nullptr, nullptr, nullptr,
           nullptr, colors, styles, widths, nullptr, nullptr, nullptr, nullptr);
}

}  // namespace

void plot_curves(const std::vector<EpochMetrics>& history, const std::string& path) {
  EMBER_CHECK(!history.empty(), "plot_curves: no epochs to plot");
  std::vector<double> epochs, train_loss, train_acc, val_loss, val_acc;
  for (const EpochMetrics& m : history) {
    epochs.push_back(static_cast<double>(m.epoch + 1));
    train_loss.push_back(m.train_loss);
    train_acc.push_back(m.train_acc);
    if (m.val_loss) val_loss.push_back(*m.val_loss), val_acc.push_back(*m.val_acc);
  }
  if (val_loss.size() != epochs.size()) val_loss.clear(), val_acc.clear();
  // Drawn to a temporary name, then renamed: a reader never sees half a PNG.
  const std::string tmp = path + ".tmp.png";
  plsdev("pngcairo");
  plsfnam(tmp.c_str());
  plsetopt("geometry", "1100x450");
  plscolbg(255, 255, 255);
  plscol0(1, 0, 0, 0);        // axes and text
  plscol0(2, 31, 119, 180);   // train
  plscol0(3, 255, 127, 14);   // validation
  plssub(2, 1);
  plinit();
  panel(epochs, train_loss, val_loss, "loss", "Loss", PL_POSITION_TOP);  // losses fall
  panel(epochs, train_acc, val_acc, "accuracy", "Accuracy", PL_POSITION_BOTTOM);  // accuracies rise
  plend();
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  EMBER_CHECK(!ec, "plot_curves: cannot write ", path, " (", ec.message(), ")");
}

}  // namespace ember::train
