// libFuzzer target: CSV tables through the parser CSVDataset uses, with the
// target column "y" and then again with the first header field as target.
// Whatever the bytes, the result is an ember::Error or a table, rows x
// features in size, of numbers finite as float32 (the dataset's dtype) and of
// class targets that are whole numbers an int64 holds (its labels).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "data/csv_format.h"
#include "ember/error.h"

namespace {

void check(const std::string& text, const ember::data::CSVOptions& options) {
  using namespace ember;
  std::istringstream in(text);
  data::csv::Table table;
  try {
    table = data::csv::parse(in, "input", options);
  } catch (const Error&) {
    return;
  }
  const size_t rows = static_cast<size_t>(table.rows);
  if (rows == 0 || table.targets.size() != rows || table.features.size() != rows * table.feature_names.size())
    std::abort();
  for (float v : table.features)
    if (!std::isfinite(v)) std::abort();
  for (double t : table.targets) {
    if (options.regression && !std::isfinite(static_cast<float>(t))) std::abort();  // stored as float32
    if (!options.regression) {
      const auto label = static_cast<int64_t>(t);  // UBSan reports a value an int64 cannot hold
      if (label < 0 || static_cast<double>(label) != t) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check(text, {.target = "y"});
  check(text, {.target = "y", .regression = true});
  const std::string first = text.substr(0, text.find_first_of(",\n"));
  check(text, {.target = first, .features = {}, .regression = false, .delimiter = ','});
  check(text, {.target = "y", .features = {}, .regression = false, .delimiter = ';'});
  return 0;
}
