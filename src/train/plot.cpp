// Training curves as a PNG, drawn by PLplot (its pngcairo device works
// headless): loss and accuracy against epoch, train and validation, and
// the confusion matrix of an evaluation.
#include <plplot/plplot.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ember/train.h"
#include "train/png_file.h"

namespace ember::train {
namespace {

constexpr size_t kMarkedEpochs = 20;
constexpr PLINT kMarker = 17;  // a filled dot

// One panel: the train curve and, when present, the validation one.
void panel(const std::vector<double>& epochs, const std::vector<double>& train, const std::vector<double>& val,
           const char* ylabel, const char* title, PLINT legend_corner) {
  double lo = *std::min_element(train.begin(), train.end()), hi = *std::max_element(train.begin(), train.end());
  if (!val.empty()) {
    lo = std::min(lo, *std::min_element(val.begin(), val.end()));
    hi = std::max(hi, *std::max_element(val.begin(), val.end()));
  }
  const double pad = std::max((hi - lo) * 0.08, 1e-3);
  // A single epoch sits in the middle of the axis rather than on its edge.
  const double x0 = epochs.size() > 1 ? epochs.front() : epochs.front() - 0.5;
  const double x1 = epochs.size() > 1 ? epochs.back() : epochs.front() + 0.5;
  pladv(0);
  plvsta();
  plwind(x0, x1, lo - pad, hi + pad);
  plcol0(1);
  plbox("bcnst", 0.0, 0, "bcnstv", 0.0, 0);
  pllab("epoch", ylabel, title);
  plcol0(2);
  plwidth(2.0);
  // Few epochs: markers too (one epoch is a single point, which a line does not show).
  const bool markers = epochs.size() <= kMarkedEpochs;
  plssym(0, 1.5);
  const PLINT n = static_cast<PLINT>(epochs.size());
  plline(n, epochs.data(), train.data());
  if (markers) plpoin(n, epochs.data(), train.data(), kMarker);
  if (!val.empty()) {
    plcol0(3);
    plline(n, epochs.data(), val.data());
    if (markers) plpoin(n, epochs.data(), val.data(), kMarker);
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

namespace detail {

// Renames a PNG PLplot drew at `tmp` to `path` once it is whole and on disk:
// PLplot reports no write errors, so a full disk would leave a truncated image.
void finish_png(const std::string& tmp, const std::string& path, const char* op) {
  std::FILE* f = std::fopen(tmp.c_str(), "rb");
  bool whole = false;
  if (f) {
    unsigned char tail[8] = {};
    whole = std::fseek(f, -8, SEEK_END) == 0 && std::fread(tail, 1, 8, f) == 8 && std::memcmp(tail, "IEND", 4) == 0 &&
            ::fsync(::fileno(f)) == 0;
    std::fclose(f);
  }
  if (!whole) {
    std::remove(tmp.c_str());
    ember::detail::fail(op, ": cannot write ", path, ": the image was not written whole (is the disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  EMBER_CHECK(!ec, op, ": cannot write ", path, " (", ec.message(), ")");
}

}  // namespace detail

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
  detail::finish_png(tmp, path, "plot_curves");
}

void plot_confusion(const Tensor& confusion, const std::vector<std::string>& class_names, const std::string& path) {
  const int64_t c = confusion.dim() == 2 ? confusion.size(0) : 0;
  EMBER_CHECK(c > 0 && confusion.size(1) == c && static_cast<int64_t>(class_names.size()) == c,
              "plot_confusion: expected a square (classes, classes) matrix and one name per class, got ",
              confusion.sizes(), " and ", class_names.size(), " names");
  const std::vector<int64_t> counts = confusion.to(Dtype::int64).contiguous().to_vector<int64_t>();
  // Each cell shaded by its share of the true class's examples (its row).
  std::vector<double> share(counts.size(), 0.0);
  for (int64_t i = 0; i < c; ++i) {
    int64_t row = 0;
    for (int64_t j = 0; j < c; ++j) row += counts[static_cast<size_t>(i * c + j)];
    for (int64_t j = 0; j < c && row > 0; ++j)
      share[static_cast<size_t>(i * c + j)] = static_cast<double>(counts[static_cast<size_t>(i * c + j)]) / static_cast<double>(row);
  }
  const std::string tmp = path + ".tmp.png";
  plsdev("pngcairo");
  plsfnam(tmp.c_str());
  plsetopt("geometry", "760x700");
  plscolbg(255, 255, 255);
  plscol0(1, 0, 0, 0);
  plscol0(2, 255, 255, 255);
  PLFLT pos[2] = {0, 1}, red[2] = {1, 0.12}, green[2] = {1, 0.47}, blue[2] = {1, 0.71};  // white to blue
  plinit();
  plscmap1l(1, 2, pos, red, green, blue, nullptr);
  pladv(0);
  plvpas(0.2, 0.92, 0.2, 0.92, 1.0);
  const PLFLT n = static_cast<PLFLT>(c);
  plwind(0, n, 0, n);
  for (int64_t i = 0; i < c; ++i)  // row i (true class) from the top, column j (prediction) from the left
    for (int64_t j = 0; j < c; ++j) {
      const PLFLT x0 = static_cast<PLFLT>(j), y0 = n - static_cast<PLFLT>(i) - 1;
      PLFLT xs[4] = {x0, x0 + 1, x0 + 1, x0}, ys[4] = {y0, y0, y0 + 1, y0 + 1};
      plcol1(share[static_cast<size_t>(i * c + j)]);
      plfill(4, xs, ys);
    }
  plcol0(1);
  plbox("bc", 0, 0, "bc", 0, 0);
  pllab("", "", "Confusion matrix (rows: true class, columns: predicted)");
  plmtex("b", 5.5, 0.5, 0.5, "predicted");
  plmtex("l", 8.0, 0.5, 0.5, "true");
  const bool numbers = c <= 20;
  plschr(0, c <= 10 ? 0.8 : 0.6);
  for (int64_t k = 0; k < c; ++k) {
    const PLFLT at = (static_cast<PLFLT>(k) + 0.5) / n;
    plmtex("b", 1.2, at, 0.5, class_names[static_cast<size_t>(k)].c_str());
    plmtex("lv", 0.8, 1 - at, 1.0, class_names[static_cast<size_t>(k)].c_str());
  }
  for (int64_t i = 0; i < c && numbers; ++i)
    for (int64_t j = 0; j < c; ++j) {
      const double shade = share[static_cast<size_t>(i * c + j)];
      plcol0(shade > 0.5 ? 2 : 1);  // white on dark cells
      const std::string text = std::to_string(counts[static_cast<size_t>(i * c + j)]);
      plptex(static_cast<PLFLT>(j) + 0.5, n - static_cast<PLFLT>(i) - 0.5, 1, 0, 0.5, text.c_str());
    }
  plend();
  detail::finish_png(tmp, path, "plot_confusion");
}

}  // namespace ember::train
