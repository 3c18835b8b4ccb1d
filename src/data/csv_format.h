// CSV tables of numbers: a header row, then one row per example. Kept free of
// Tensor so the parser can be fuzzed alone.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "ember/data/datasets.h"

namespace ember::data::csv {

struct Table {
  std::vector<std::string> feature_names;
  std::vector<float> features;  // rows x feature_names.size(), row-major
  std::vector<double> targets;  // one per row; whole and non-negative unless regression
  int64_t rows = 0;
};

// Reads a whole table; any problem is an Error giving `path`, the line and
// the column.
Table parse(std::istream& in, const std::string& path, const CSVOptions& options);

}  // namespace ember::data::csv
