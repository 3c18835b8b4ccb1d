// CSV tables as a dataset (parsed by csv_format.cpp).
#include <fstream>

#include "ember/creation.h"
#include "ember/data/datasets.h"
#include "ember/ops.h"
#include "data/csv_format.h"

namespace ember::data {

CSVDataset::CSVDataset(const std::string& path, CSVOptions o) {
  std::ifstream in(path);
  EMBER_CHECK(in.good(), "CSVDataset: cannot open ", path);
  csv::Table table = csv::parse(in, path, o);
  names_ = std::move(table.feature_names);
  const int64_t columns = static_cast<int64_t>(names_.size());
  features_ = from_buffer(table.features.data(), Dtype::float32, {table.rows, columns});
  targets_ = from_buffer(table.targets.data(), Dtype::float64, {table.rows},
                         {.dtype = o.regression ? Dtype::float32 : Dtype::int64});
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
