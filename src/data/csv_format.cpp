// CSV parsing (see csv_format.h): errors give the line and the column.
#include "data/csv_format.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "ember/error.h"

namespace ember::data::csv {
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

Table parse(std::istream& in, const std::string& path, const CSVOptions& o) {
  std::string line;
  EMBER_CHECK(std::getline(in, line), "CSVDataset: ", path, " is empty (a header row is expected)");
  const std::vector<std::string> header = split(line, o.delimiter);
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    detail::fail("CSVDataset: ", path, " has no column '", name, "' (columns: ", line, ")");
  };
  Table table;
  const size_t target = column(o.target);
  std::vector<size_t> features;
  if (o.features.empty()) {
    for (size_t i = 0; i < header.size(); ++i)
      if (i != target) features.push_back(i), table.feature_names.push_back(header[i]);
  } else {
    for (const std::string& f : o.features) features.push_back(column(f)), table.feature_names.push_back(f);
  }
  for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
    if (trim(line).empty()) continue;
    const std::vector<std::string> fields = split(line, o.delimiter);
    EMBER_CHECK(fields.size() == header.size(), "CSVDataset: ", path, " line ", line_no, " has ", fields.size(),
                " fields, expected ", header.size());
    // Features (and regression targets) are stored as float32, so a value
    // beyond its range would silently become infinite.
    auto number = [&](size_t c) {
      double v = NAN;
      try {
        size_t used = 0;
        v = std::stod(fields[c], &used);
        if (used != fields[c].size()) v = NAN;
      } catch (const std::logic_error&) {
      }
      EMBER_CHECK(std::isfinite(v), "CSVDataset: ", path, " line ", line_no, " column ", c + 1, " ('", header[c],
                  "'): '", fields[c], "' is not a number");
      EMBER_CHECK(std::fabs(v) <= std::numeric_limits<float>::max(), "CSVDataset: ", path, " line ", line_no,
                  " column ", c + 1, " ('", header[c], "'): ", fields[c], " is beyond float32's range");
      return v;
    };
    for (size_t c : features) table.features.push_back(static_cast<float>(number(c)));
    const double t = number(target);
    // Class targets become int64 labels: whole, non-negative, and within the
    // integers a double holds exactly (2^53), so the conversion is defined.
    EMBER_CHECK(o.regression || (t >= 0 && t == std::floor(t) && t <= 0x1p53), "CSVDataset: ", path, " line ",
                line_no, ": class target '", fields[target], "' is not a non-negative integer",
                t > 0x1p53 && t == std::floor(t) ? " below 2^53" : "");
    table.targets.push_back(t);
    ++table.rows;
  }
  EMBER_CHECK(table.rows > 0, "CSVDataset: ", path, " has no data rows");
  return table;
}

}  // namespace ember::data::csv
