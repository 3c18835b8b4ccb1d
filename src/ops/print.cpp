// operator<< in the shape of PyTorch's repr: aligned columns, 4 decimals or
// scientific notation chosen from the values, "..." summarization above 1000
// elements, and a dtype suffix for non-default dtypes.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "ops/internal.h"

namespace ember {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr size_t kLineWidth = 80;

struct Formatter {
  Dtype dtype;
  bool int_mode = true;  // floats that are all whole numbers print as "1."
  bool sci_mode = false;
  size_t width = 0;

  std::string format(double v) const {
    char buf[64];
    if (dtype == Dtype::boolean) return v != 0 ? "True" : "False";
    if (!is_floating(dtype)) {
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    } else if (std::isnan(v)) {
      return "nan";
    } else if (std::isinf(v)) {
      return v > 0 ? "inf" : "-inf";
    } else if (sci_mode) {
      std::snprintf(buf, sizeof buf, "%.4e", v);
    } else if (int_mode) {
      std::snprintf(buf, sizeof buf, "%.0f.", v);
    } else {
      std::snprintf(buf, sizeof buf, "%.4f", v);
    }
    return buf;
  }
};

Formatter make_formatter(const std::vector<double>& values, Dtype dtype) {
  Formatter f{dtype};
  if (!is_floating(dtype)) {
    for (double v : values) f.width = std::max(f.width, f.format(v).size());
    return f;
  }
  // As PyTorch, only the finite nonzero values pick the mode and set the column
  // width; nan, inf and 0 are padded to it (or overflow it: "tensor([1., inf])").
  f.width = 1;
  double lo = INFINITY, hi = 0;
  for (double v : values) {
    if (!std::isfinite(v) || v == 0) continue;
    if (v != std::nearbyint(v)) f.int_mode = false;
    const double a = std::fabs(v);
    lo = std::min(lo, a), hi = std::max(hi, a);
  }
  if (hi > 0) f.sci_mode = hi / lo > 1000.0 || hi > 1e8 || lo < 1e-4;
  for (double v : values)
    if (std::isfinite(v) && v != 0) f.width = std::max(f.width, f.format(v).size());
  return f;
}

// Indices kept along a dim of size n: all, or the first and last kEdgeItems.
std::vector<int64_t> shown(int64_t n, bool summarize) {
  std::vector<int64_t> idx;
  if (!summarize || n <= 2 * kEdgeItems) {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  } else {
    for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
    idx.push_back(-1);  // the "..." marker
    for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
  }
  return idx;
}

// Collects the displayed values (for the formatter) in display order.
void collect(const Tensor& t, bool summarize, std::vector<double>& out) {
  if (t.dim() == 0) {
    out.push_back(t.item().to_double());
    return;
  }
  if (!summarize) {
    for (double v : t.to_vector<double>()) out.push_back(v);
    return;
  }
  for (int64_t i : shown(t.size(0), summarize))
    if (i >= 0) collect(t.select(0, i), summarize, out);
}

void print_rec(std::ostream& os, const Tensor& t, const Formatter& f, bool summarize, size_t indent) {
  if (t.dim() == 0) {
    const std::string s = f.format(t.item().to_double());
    os << std::string(f.width - std::min(f.width, s.size()), ' ') << s;
    return;
  }
  os << '[';
  const auto idx = shown(t.size(0), summarize);
  if (t.dim() == 1) {
    // As PyTorch's _vector_str: " ..." is one more element, and rows wrap to
    // fit kLineWidth, continuation lines indented under the first element.
    const std::vector<double> row = summarize ? std::vector<double>{} : t.to_vector<double>();
    const size_t per_line = std::max<size_t>(1, (kLineWidth - std::min(kLineWidth, indent)) / (f.width + 2));
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k > 0) os << (k % per_line == 0 ? ",\n" + std::string(indent + 1, ' ') : ", ");
      if (idx[k] < 0) {
        os << " ...";
        continue;
      }
      const std::string s = f.format(row.empty() ? t.select(0, idx[k]).item().to_double() : row[static_cast<size_t>(idx[k])]);
      os << std::string(f.width - std::min(f.width, s.size()), ' ') << s;
    }
    os << ']';
    return;
  }
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k > 0) os << ',' << std::string(static_cast<size_t>(t.dim() - 1), '\n') << std::string(indent + 1, ' ');
    if (idx[k] < 0) os << "...";
    else print_rec(os, t.select(0, idx[k]), f, summarize, indent + 1);
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  const bool summarize = t.numel() > kSummarizeAbove;
  std::vector<std::string> suffix;
  if (!t.device().is_cpu()) suffix.push_back("device='" + t.device().str() + "'");
  if ((t.numel() == 0 && t.dim() != 1) || t.is_meta()) {
    std::ostringstream size;
    size << "size=(";
    for (int64_t d = 0; d < t.dim(); ++d) size << (d ? ", " : "") << t.size(d);
    size << (t.dim() == 1 ? ",)" : ")");
    suffix.push_back(size.str());
  }
  // An empty (or meta) tensor shows no values to tell int64 or bool apart, so
  // then PyTorch names every dtype but the default.
  const bool shows_values = t.numel() > 0 && !t.is_meta();
  if (t.dtype() != default_dtype() && (!shows_values || (t.dtype() != Dtype::int64 && t.dtype() != Dtype::boolean)))
    suffix.push_back(std::string("dtype=") + dtype_name(t.dtype()));
  os << "tensor(";
  if (t.is_meta()) {
    os << "...";  // no values to show
  } else if (t.numel() == 0) {
    os << "[]";
  } else {
    std::vector<double> values;
    collect(t, summarize, values);
    print_rec(os, t, make_formatter(values, t.dtype()), summarize, 7);
  }
  for (const auto& s : suffix) os << ", " << s;
  return os << ')';
}

std::string Tensor::str() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

}  // namespace ember
