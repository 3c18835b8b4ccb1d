// CSV tables: a header, numeric fields, errors that give line and column.
#include <cmath>
#include <fstream>
#include <sstream>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"

namespace ember::data {
namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& line, char delimiter) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, delimiter)) out.push_back(trim(field));
  if (!line.empty() && line.back() == delimiter) out.push_back("");
  return out;
}

}  // namespace

CSVDataset::CSVDataset(const std::string& path, CSVOptions o) {
  std::ifstream in(path);
  EMBER_CHECK(in.good(), "CSVDataset: cannot open ", path);
  std::string line;
  EMBER_CHECK(std::getline(in, line), "CSVDataset: ", path, " is empty (a header row is expected)");
  const std::vector<std::string> header = split(line, o.delimiter);
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    detail::fail("CSVDataset: ", path, " has no column '", name, "' (columns: ", line, ")");
  };
  const size_t target = column(o.target);
  std::vector<size_t> features;
  if (o.features.empty()) {
    for (size_t i = 0; i < header.size(); ++i)
      if (i != target) features.push_back(i), names_.push_back(header[i]);
  } else {
    for (const std::string& f : o.features) features.push_back(column(f)), names_.push_back(f);
  }
  std::vector<float> x;
  std::vector<double> y;
  int64_t rows = 0;
  for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
    if (trim(line).empty()) continue;
    const std::vector<std::string> fields = split(line, o.delimiter);
    EMBER_CHECK(fields.size() == header.size(), "CSVDataset: ", path, " line ", line_no, " has ", fields.size(),
                " fields, expected ", header.size());
    auto number = [&](size_t c) {
      try {
        size_t used = 0;
        const double v = std::stod(fields[c], &used);
        if (used == fields[c].size() && std::isfinite(v)) return v;
      } catch (const std::logic_error&) {
      }
      detail::fail("CSVDataset: ", path, " line ", line_no, " column ", c + 1, " ('", header[c], "'): '", fields[c],
                   "' is not a number");
    };
    for (size_t c : features) x.push_back(static_cast<float>(number(c)));
    const double t = number(target);
    EMBER_CHECK(o.regression || (t >= 0 && t == std::floor(t)), "CSVDataset: ", path, " line ", line_no,
                ": class target '", fields[target], "' is not a non-negative integer");
    y.push_back(t);
    ++rows;
  }
  EMBER_CHECK(rows > 0, "CSVDataset: ", path, " has no data rows");
  features_ = from_buffer(x.data(), Dtype::float32, {rows, static_cast<int64_t>(features.size())});
  targets_ = from_buffer(y.data(), Dtype::float64, {rows}, {.dtype = o.regression ? Dtype::float32 : Dtype::int64});
}

std::pair<Tensor, Tensor> CSVDataset::statistics() const {
  return {features_.mean({0}), features_.var({0}, 0).sqrt()};
}

void CSVDataset::standardize(const std::pair<Tensor, Tensor>& s) {
  EMBER_CHECK(s.first.sizes() == IntArrayRef({features_.size(1)}) && s.second.sizes() == s.first.sizes(),
              "CSVDataset.standardize: statistics must have one entry per feature (", features_.size(1), ")");
  const Tensor std_safe = where(eq(s.second, 0), ones_like(s.second), s.second);
  features_ = (features_ - s.first) / std_safe;
}

}  // namespace ember::data
